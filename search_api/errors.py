"""One error shape for every API answer that is not a success, and the handlers that
produce it:

    {"error": {"code": "not_found", "message": "...", "field": "cursor"}}

`code` is stable and meant for programs; `message` says what was wrong and how to put it
right; `field` names the parameter, header or body field at fault, where one is. Pages
answer in HTML and never raise these: they render their own error pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from catalogue.errors import (
    CatalogueError,
    Conflict,
    FeedRejected,
    InvalidRequest,
    NotFound,
    SearchUnavailable,
    UnsupportedByBackend,
)
from search_api.auth import AuthError
from search_api.feed_body import BodyTooSlow
from search_api.params import ParameterErrors
from search_api.rate_limit import RateLimited

# Domain errors, most specific first: (class, HTTP status, code).
DOMAIN_ERRORS: tuple[tuple[type[CatalogueError], int, str], ...] = (
    (NotFound, 404, "not_found"),
    (InvalidRequest, 400, "invalid_request"),
    (UnsupportedByBackend, 501, "unsupported_by_backend"),
    (Conflict, 409, "conflict"),
    (FeedRejected, 413, "feed_too_large"),
    (SearchUnavailable, 503, "search_unavailable"),
)
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}


class ErrorDetail(BaseModel):
    code: str = Field(
        description="Stable, for programs: not_found, invalid_request, "
        "invalid_parameter, unauthorized, forbidden, conflict, "
        "feed_too_large, body_timeout, rate_limited, "
        "search_unavailable, ..."
    )
    message: str = Field(description="What was wrong and how to put it right.")
    field: str | None = Field(
        None,
        description="The parameter, header or body field at fault (dotted for nested body fields).",
    )


class ErrorOut(BaseModel):
    error: ErrorDetail

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "error": {
                        "code": "invalid_parameter",
                        "field": "size",
                        "message": "size: Input should be less than or equal to 100",
                    }
                }
            ]
        }
    }


DESCRIPTIONS = {
    400: "A request that cannot be answered as asked (unknown parameter, bad cursor, ...)",
    401: "No usable API key: send `Authorization: Bearer <key>`",
    403: "A good key that may not do this",
    404: "No such resource",
    408: "The request body arrived too slowly (see the feed body timeouts); send it again",
    409: "Clashes with what is stored (an Idempotency-Key reused, a submission's state)",
    413: "The feed is over the size limit; nothing was stored",
    422: "A parameter or body field is invalid; `field` names the first one",
    429: "Over the key's rate limit; see Retry-After",
    503: "Search is unavailable for now; the catalogue is unaffected",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: each status with the error shape and what it means."""
    return {status: {"model": ErrorOut, "description": DESCRIPTIONS[status]} for status in statuses}


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if field:
        body["field"] = field
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _field_name(loc: Sequence[Any]) -> str:
    """('query', 'size') -> 'size'; ('body', 'schedule', 'cron') -> 'schedule.cron'."""
    parts = [str(p) for p in loc if not isinstance(p, int)]
    if len(parts) > 1 and parts[0] in ("query", "path", "header", "cookie", "body"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_error_response(errors: Iterable[dict[str, Any]]) -> JSONResponse:
    """422 naming the first invalid field; the message names every one."""
    named = [(_field_name(e.get("loc", ())), str(e.get("msg", "invalid"))) for e in errors]
    if not named:
        named = [("body", "the request is invalid")]
    message = "; ".join(f"{name}: {msg}" for name, msg in named)
    return error_response(422, "invalid_parameter", message, named[0][0])


def http_error_response(exc: HTTPException) -> JSONResponse:
    """An HTTP error of the framework (no such route, method not allowed) in the API's shape."""
    code = HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    message = exc.detail if isinstance(exc.detail, str) else "the request failed"
    if exc.status_code == 404:
        message = "no such route; the API is described at /openapi.json"
    return error_response(exc.status_code, code, message, headers=exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CatalogueError)
    async def _domain_error(_request: Request, exc: CatalogueError) -> JSONResponse:
        status, code = next(
            ((s, c) for cls, s, c in DOMAIN_ERRORS if isinstance(exc, cls)),
            (400, "invalid_request"),
        )
        return error_response(status, code, str(exc), getattr(exc, "parameter", None))

    @app.exception_handler(AuthError)
    async def _auth_error(_request: Request, exc: AuthError) -> JSONResponse:
        headers = {"WWW-Authenticate": 'Bearer realm="microcred"'} if exc.status == 401 else None
        return error_response(exc.status, HTTP_CODES[exc.status], str(exc), headers=headers)

    @app.exception_handler(RateLimited)
    async def _rate_limited(_request: Request, exc: RateLimited) -> JSONResponse:
        return error_response(
            429, "rate_limited", str(exc), headers={"Retry-After": str(exc.retry_after)}
        )

    @app.exception_handler(BodyTooSlow)
    async def _body_too_slow(_request: Request, exc: BodyTooSlow) -> JSONResponse:
        # The rest of the body is never read: the connection cannot carry another request.
        return error_response(
            408, "body_timeout", str(exc), "body", headers={"Connection": "close"}
        )

    @app.exception_handler(ParameterErrors)
    async def _parameter_errors(_request: Request, exc: ParameterErrors) -> JSONResponse:
        return validation_error_response(exc.errors)

    @app.exception_handler(RequestValidationError)
    async def _request_validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_error_response(exc.errors())

    @app.exception_handler(HTTPException)
    async def _http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        return http_error_response(exc)

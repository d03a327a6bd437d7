"""Errors a browser sees as pages: an address that leads nowhere answers the site's own
"not found" page and a fault of ours an "error" page, not the API's JSON. API paths (and any
caller that does not ask for HTML) keep the API's error shape."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from search_api.errors import error_response, http_error_response
from search_api.pages.dependencies import page_renderer

log = logging.getLogger(__name__)

# Paths that are the API's (or the machine's), never a page.
API_PREFIXES = ("/v1/", "/openapi.json", "/docs", "/redoc", "/healthz")


def wants_page(request: Request) -> bool:
    path = request.url.path
    return not path.startswith(API_PREFIXES) and "text/html" in request.headers.get("accept", "")


async def http_error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if not wants_page(request):
        return http_error_response(exc)
    if exc.status_code == 404:
        return page_renderer(request).page("not_found.html", status=404, what="page")
    return page_renderer(request).page(
        "error.html", status=exc.status_code, status_code=exc.status_code
    )


async def server_error_page(request: Request, exc: Exception) -> Response:
    """A fault of ours (an uncaught exception): logged with its traceback, answered as a
    page to a browser and in the API's shape to anything else."""
    log.error("unhandled error on %s", request.url.path, exc_info=exc)
    if wants_page(request):
        return page_renderer(request).page("error.html", status=500, status_code=500)
    return error_response(
        500, "internal_error", "the server failed; the operator has it in the log"
    )


def install_error_pages(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, http_error_page)
    app.add_exception_handler(Exception, server_error_page)

"""The FastAPI application: public search API, health, and the web pages."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse

from catalogue.errors import (
    CatalogueError,
    Conflict,
    FeedRejected,
    InvalidRequest,
    NotFound,
    SearchUnavailable,
    UnsupportedByBackend,
)
from catalogue.search.query import Facet, SortKey
from catalogue.search.results import SearchResult
from search_api.agency import install_agency
from search_api.auth import AuthError, authenticate
from search_api.context import ApiContext
from search_api.crawling import build_crawling_router
from search_api.models import ErrorBody, HealthOut, ProviderOut, SearchResponse
from search_api.pages import install_pages
from search_api.params import (
    ParameterErrors,
    filter_parameters,
    reject_unknown,
    search_query_from_params,
)
from search_api.publishing import build_publishing_router

FACETS_HELP = f"Any of: {', '.join(f.value for f in Facet)}; `none` for no facets"
API_DESCRIPTION = """\
Search micro-credentials from every provider in one common schema.

Filters are named after the fields they filter. List filters take repeated parameters or
comma-separated values (`mode=online,blended`) and match any of them; different filters
combine with AND. Instance filters (`mode`, `pace`, `country`, `price_min`, `price_max`,
`free`, `starts_after`, `starts_before`) match when one run of the offering satisfies all of
them. Prices are compared in the deployment's reference currency.
"""


def search_response(result: SearchResult) -> dict:
    return {
        "total": result.total,
        "hits": [dict(hit.summary, score=hit.score, highlights=hit.highlights)
                 for hit in result.hits],
        "facets": {name: [{"value": b.value, "count": b.count} for b in buckets]
                   for name, buckets in result.facets.items()},
        "next_cursor": result.next_cursor,
    }


def _error(status: int, kind: str, message: str, parameter: str | None = None) -> JSONResponse:
    body = {"type": kind, "message": message}
    if parameter:
        body["parameter"] = parameter
    return JSONResponse({"error": body}, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    statuses = {NotFound: 404, InvalidRequest: 400, UnsupportedByBackend: 501, Conflict: 409,
                FeedRejected: 413, SearchUnavailable: 503}

    @app.exception_handler(CatalogueError)
    async def _domain_error(_request: Request, exc: CatalogueError) -> JSONResponse:
        status = next((s for cls, s in statuses.items() if isinstance(exc, cls)), 400)
        return _error(status, type(exc).__name__, str(exc), getattr(exc, "parameter", None))

    @app.exception_handler(AuthError)
    async def _auth_error(_request: Request, exc: AuthError) -> JSONResponse:
        response = _error(exc.status, "Unauthorized" if exc.status == 401 else "Forbidden",
                          str(exc))
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="microcred"'
        return response

    @app.exception_handler(ParameterErrors)
    async def _parameter_errors(_request: Request, exc: ParameterErrors) -> JSONResponse:
        return JSONResponse({"detail": exc.errors}, status_code=422)


def create_app(context: ApiContext, *, lifespan=None) -> FastAPI:
    # No /docs or /redoc: FastAPI's pages load their scripts from a CDN, and no page of ours
    # makes a request to another host. The description is at /openapi.json.
    app = FastAPI(title="microcred", version="1.0", description=API_DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None,
                  openapi_tags=[{"name": "search", "description": "Public search"},
                                {"name": "meta", "description": "Providers, vocabularies, health"},
                                {"name": "publishing",
                                 "description": "Providers keep their offerings current "
                                                "(provider or admin key)"}])
    app.state.context = context
    install_error_handlers(app)
    errors = {400: {"model": ErrorBody, "description": "Unknown parameter or bad cursor"},
              404: {"model": ErrorBody}}

    @app.get("/v1/search", response_model=SearchResponse, tags=["search"], responses=errors,
             dependencies=[Depends(filter_parameters)],
             summary="Search offerings across all providers")
    def search(
        request: Request,
        q: str | None = Query(None, max_length=500, description="Words to find; \"quoted phrase\"."),
        size: int = Query(20, ge=1, le=100),
        cursor: str | None = Query(None, description="next_cursor of the previous page"),
        sort: SortKey = Query(SortKey.RELEVANCE),
        facets: list[str] = Query([], description=FACETS_HELP),
        facet_size: int = Query(20, ge=1, le=200),
        highlight: bool = Query(True),
    ) -> dict:
        query = search_query_from_params(request.query_params)
        return search_response(context.backend.search(query))

    @app.get("/v1/suggest", tags=["search"], summary="Titles for search-as-you-type")
    def suggest(request: Request, q: str = Query(..., min_length=1, max_length=100),
                size: int = Query(8, ge=1, le=20)) -> dict:
        reject_unknown(request.query_params, frozenset({"q", "size"}))
        return {"suggestions": context.backend.suggest(q, size)}

    @app.get("/v1/offerings/{offering_id}", tags=["search"], responses=errors,
             summary="One offering, every normalised value, what the provider wrote, provenance")
    def offering(offering_id: str) -> dict:
        stored = context.catalogue.get_offering(offering_id)
        return stored.model_dump(mode="json")

    @app.get("/v1/providers", response_model=list[ProviderOut], tags=["meta"])
    def providers() -> list[dict]:
        return [dict(p.model_dump(include={"id", "name", "country", "url"}), active_offerings=n)
                for p, n in context.catalogue.list_providers()]

    @app.get("/v1/vocabularies", tags=["meta"],
             summary="Every controlled vocabulary the normaliser maps to")
    def vocabularies() -> dict:
        return dict(context.vocabularies(), reference_currency=context.reference_currency,
                    facets=[f.value for f in Facet], sorts=[s.value for s in SortKey])

    @app.get("/healthz", response_model=HealthOut, tags=["meta"])
    def healthz() -> JSONResponse:
        search_health = context.backend.health()
        lag_count, oldest = context.catalogue.index_lag()
        # Dead letters: index updates the engine refused for good (`microcred index
        # dead-letters`); indexing: current | pending | draining | rebuilding | stalled.
        indexing = context.indexer.status() if context.indexer is not None else None
        active = context.catalogue.count_offerings()
        status = "ok" if search_health.ok else "degraded"
        body = {
            "status": status,
            "catalogue": {"ok": True, "active_offerings": active},
            "search": {"ok": search_health.ok, "backend": search_health.backend,
                       "documents": search_health.documents, "detail": search_health.detail},
            "index_lag": {"pending": lag_count,
                          "oldest_pending": oldest.isoformat() if oldest else None,
                          "dead_letters": indexing.dead_letters if indexing else None,
                          "indexing": indexing.state if indexing else None},
        }
        return JSONResponse(body, status_code=200 if search_health.ok else 503)

    @app.get("/v1/me", tags=["meta"], summary="Who the presented API key belongs to")
    def me(request: Request) -> dict:
        if context.publishing is None:
            raise InvalidRequest("accounts are not enabled in this deployment")
        key = authenticate(request, context.publishing.keys)
        return {"role": key.role.value, "provider_id": key.provider_id, "key_prefix": key.prefix,
                "label": key.label, "expires_at": key.expires_at}

    app.include_router(build_publishing_router(context))
    app.include_router(build_crawling_router(context))
    install_agency(app, context)
    install_pages(app, context)
    return app

"""Public routes: search, suggestions, providers, vocabularies, health, and who a key is."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from catalogue.search.query import Facet, SortKey
from catalogue.search.results import SearchResult
from search_api.dependencies import Backend, CatalogueStore, Context, CurrentKey
from search_api.errors import error_responses
from search_api.models.search import (
    HealthOut,
    MeOut,
    ProviderOut,
    SearchResponse,
    SuggestOut,
    VocabulariesOut,
)
from search_api.params import (
    FACET_BUDGET,
    check_facet_cost,
    filter_parameters,
    reject_unknown,
    search_query_from_params,
)
from search_api.public_limit import public_rate_limit

FACETS_HELP = (
    f"Any of: {', '.join(f.value for f in Facet)}; `none` for no facets. The "
    f"number of facets times facet_size may be at most {FACET_BUDGET} (422 beyond)"
)
FACET_SIZE_HELP = (
    f"Buckets per facet. Facets x facet_size over {FACET_BUDGET} is refused "
    f"(422, field facet_size), not clamped"
)
router = APIRouter()


def search_response(result: SearchResult, original: str | None = None) -> dict:
    """The response body; `corrected_query` and `original_query` only when the backend
    corrected the words asked for (`original` is what was typed)."""
    body = {
        "total": result.total,
        "hits": [
            dict(hit.summary, score=hit.score, highlights=hit.highlights) for hit in result.hits
        ],
        "facets": {
            name: [{"value": b.value, "count": b.count} for b in buckets]
            for name, buckets in result.facets.items()
        },
        "next_cursor": result.next_cursor,
    }
    if result.corrected_query is not None:
        body.update(corrected_query=result.corrected_query, original_query=original)
    return body


@router.get(
    "/v1/search",
    response_model=SearchResponse,
    tags=["search"],
    responses=error_responses(400, 422, 429, 503),
    dependencies=[Depends(public_rate_limit), Depends(filter_parameters)],
    summary="Search offerings across all providers",
)
def search(
    request: Request,
    backend: Backend,
    q: str | None = Query(None, max_length=500, description='Words to find; "quoted phrase".'),
    size: int = Query(20, ge=1, le=100),
    cursor: str | None = Query(None, description="next_cursor of the previous page"),
    sort: SortKey = Query(SortKey.RELEVANCE),
    facets: list[str] = Query([], description=FACETS_HELP),
    facet_size: int = Query(20, ge=1, le=200, description=FACET_SIZE_HELP),
    highlight: bool = Query(True),
    correct: bool = Query(
        True,
        description=(
            "Correct misspelt words from the catalogue's own words (SQLite backend): a word that "
            "matches nothing, or far fewer courses than a close variant, is replaced, and the "
            "response says so in `corrected_query`. `false` searches the words as typed."
        ),
    ),
) -> dict:
    query = check_facet_cost(search_query_from_params(request.query_params))
    return search_response(backend.search(query), query.text)


@router.get(
    "/v1/suggest",
    response_model=SuggestOut,
    tags=["search"],
    responses=error_responses(400, 422, 429, 503),
    summary="Titles for search-as-you-type",
    dependencies=[Depends(public_rate_limit)],
)
def suggest(
    request: Request,
    backend: Backend,
    q: str = Query(..., min_length=1, max_length=100),
    size: int = Query(8, ge=1, le=20),
) -> dict:
    reject_unknown(request.query_params, frozenset({"q", "size"}))
    return {"suggestions": backend.suggest(q, size)}


@router.get(
    "/v1/providers",
    response_model=list[ProviderOut],
    tags=["meta"],
    responses=error_responses(429),
    dependencies=[Depends(public_rate_limit)],
)
def providers(catalogue: CatalogueStore) -> list[dict]:
    return [
        dict(p.model_dump(include={"id", "name", "country", "url"}), active_offerings=n)
        for p, n in catalogue.list_providers()
    ]


@router.get(
    "/v1/vocabularies",
    response_model=VocabulariesOut,
    tags=["meta"],
    responses=error_responses(429),
    dependencies=[Depends(public_rate_limit)],
    summary="Every controlled vocabulary the normaliser maps to",
)
def vocabularies(context: Context) -> JSONResponse:
    # Sent as built: the vocabularies first, in their own order, then what we add.
    return JSONResponse(
        dict(
            context.vocabularies(),
            reference_currency=context.reference_currency,
            facets=[f.value for f in Facet],
            sorts=[s.value for s in SortKey],
        )
    )


@router.get(
    "/healthz",
    response_model=HealthOut,
    tags=["meta"],
    responses={503: {"model": HealthOut, "description": "Search is unavailable"}},
)
def healthz(context: Context) -> JSONResponse:
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
        "search": {
            "ok": search_health.ok,
            "backend": search_health.backend,
            "documents": search_health.documents,
            "detail": search_health.detail,
        },
        "index_lag": {
            "pending": lag_count,
            "oldest_pending": oldest.isoformat() if oldest else None,
            "dead_letters": indexing.dead_letters if indexing else None,
            "indexing": indexing.state if indexing else None,
        },
    }
    return JSONResponse(body, status_code=200 if search_health.ok else 503)


@router.get(
    "/v1/me",
    response_model=MeOut,
    tags=["meta"],
    responses=error_responses(400, 401),
    summary="Who the presented API key belongs to",
)
def me(key: CurrentKey, context: Context) -> dict:
    return {
        "role": key.role.value,
        "provider_id": key.provider_id,
        "provider_name": context.catalogue.provider_name(key.provider_id)
        if key.provider_id
        else None,
        "key_prefix": key.prefix,
        "label": key.label,
        "expires_at": key.expires_at,
    }

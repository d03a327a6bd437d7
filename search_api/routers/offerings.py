"""Public routes for one offering: every value of it, and every listing of it."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from catalogue.elm_jsonld import elm_learning_opportunity
from catalogue.errors import InvalidRequest
from normaliser.schema import StoredOffering
from search_api.dependencies import CatalogueStore, Context
from search_api.errors import error_responses
from search_api.models.search import OfferingSourcesOut
from search_api.public_limit import public_rate_limit

router = APIRouter(
    prefix="/v1/offerings/{offering_id}",
    tags=["search"],
    responses=error_responses(404, 429),
    dependencies=[Depends(public_rate_limit)],
)
LD_JSON = "application/ld+json"
ELM_RESPONSE = {
    "description": "With `format=elm` or `Accept: application/ld+json`: the "
    "offering as an ELM v3 `LearningOpportunity` (JSON-LD, the "
    "Europass QDR's LOQ profile); the `X-ELM-Omitted` header names "
    "values with no EU counterpart, left out",
    "content": {LD_JSON: {"schema": {"type": "object"}}},
}


def _accepts(accept: str) -> dict[str, float]:
    """Media type -> quality, from an Accept header."""
    out: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            out[media.lower()] = max(quality, out.get(media.lower(), 0.0))
    return out


def wants_elm(format: str | None, accept: str) -> bool:
    if format is not None:
        return format == "elm"
    accepted = _accepts(accept)
    return accepted.get(LD_JSON, 0.0) > max(
        accepted.get("application/json", 0.0),
        accepted.get("*/*", 0.0) if LD_JSON not in accepted else 0.0,
    )


@router.get(
    "",
    response_model=StoredOffering,
    responses={200: ELM_RESPONSE},
    summary="One offering, every normalised value, what the provider wrote, provenance",
)
def offering(
    offering_id: str,
    catalogue: CatalogueStore,
    context: Context,
    request: Request,
    response: Response,
    format: Literal["json", "elm"] | None = Query(
        None,
        description="`elm`: ELM v3 JSON-LD; default: our JSON, or what the Accept header prefers",
    ),
) -> dict | JSONResponse:
    found = catalogue.get_offering(offering_id)
    response.headers["Vary"] = "Accept"
    if not wants_elm(format, request.headers.get("accept", "")):
        return found.model_dump(mode="json")
    base = (context.public_url or str(request.base_url)).rstrip("/")
    document, missing, omitted = elm_learning_opportunity(found, f"{base}/offerings/{found.id}")
    if document is None:
        raise InvalidRequest(
            f"offering {found.id!r} has no ELM form: the LOQ profile requires "
            f"{', '.join(missing)}, which it lacks",
            parameter="format",
        )
    headers = {"Vary": "Accept"} | ({"X-ELM-Omitted": "; ".join(omitted)} if omitted else {})
    return JSONResponse(document, media_type=LD_JSON, headers=headers)


@router.get(
    "/sources",
    response_model=OfferingSourcesOut,
    summary="Every listing of an offering that reached us more than once",
)
def sources(offering_id: str, context: Context) -> dict:
    if context.agency is None:
        return {"id": offering_id, "shown_as": offering_id, "sources": []}
    return context.agency.duplicates.sources_of(offering_id)

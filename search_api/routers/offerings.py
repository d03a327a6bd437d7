"""Public routes for one offering: every value of it, and every listing of it."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from normaliser.schema import StoredOffering
from search_api.dependencies import CatalogueStore, Context
from search_api.errors import error_responses
from search_api.models.search import OfferingSourcesOut
from search_api.public_limit import public_rate_limit

router = APIRouter(prefix="/v1/offerings/{offering_id}", tags=["search"],
                   responses=error_responses(404, 429),
                   dependencies=[Depends(public_rate_limit)])


@router.get("", response_model=StoredOffering,
            summary="One offering, every normalised value, what the provider wrote, provenance")
def offering(offering_id: str, catalogue: CatalogueStore) -> dict:
    return catalogue.get_offering(offering_id).model_dump(mode="json")


@router.get("/sources", response_model=OfferingSourcesOut,
            summary="Every listing of an offering that reached us more than once")
def sources(offering_id: str, context: Context) -> dict:
    if context.agency is None:
        return {"id": offering_id, "shown_as": offering_id, "sources": []}
    return context.agency.duplicates.sources_of(offering_id)

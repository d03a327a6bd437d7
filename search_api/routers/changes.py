"""The harvest API: the catalogue's changes since a cursor, for mirroring it."""

from __future__ import annotations

from fastapi import APIRouter, Query

from catalogue.changes import ChangesFeed
from search_api.dependencies import CatalogueStore
from search_api.errors import error_responses
from search_api.models.changes import ChangesOut

router = APIRouter(tags=["federation"])

DESCRIPTION = """\
Every offering created, updated or withdrawn since `since`, in the order the changes were
committed, each once, at its newest change, with its current document. To mirror the
catalogue: start with `since=0`, apply each item (upsert; a `withdrawn` item withdraws),
keep `next_cursor`, and ask again with it, at once while `has_more`, later otherwise.
Stable under concurrent writes: change numbers are handed out in commit order, so nothing
committed after a page was read can appear behind its cursor. Another microcred harvests
this feed as a pull source of format `microcred-changes`.
"""


@router.get(
    "/v1/changes",
    response_model=ChangesOut,
    responses=error_responses(400, 422),
    summary="Offerings created, updated and withdrawn since a cursor",
    description=DESCRIPTION,
)
def changes(
    catalogue: CatalogueStore,
    since: str = Query(
        "0", max_length=40, description="A `next_cursor` from this feed; 0: from the start"
    ),
    limit: int = Query(100, ge=1, le=1000, description="Changes per page"),
) -> dict:
    page = ChangesFeed(catalogue).page(since, limit)
    return {
        "changes": [
            {
                "seq": c.seq,
                "change": c.change,
                "id": c.offering_id,
                "version": c.version,
                "changed_at": c.changed_at,
                "offering": c.offering.model_dump(mode="json"),
                "links": {
                    "json": f"/v1/offerings/{c.offering_id}",
                    "elm": f"/v1/offerings/{c.offering_id}?format=elm",
                    "page": f"/offerings/{c.offering_id}",
                },
            }
            for c in page.changes
        ],
        "next_cursor": page.next_cursor,
        "has_more": page.has_more,
    }

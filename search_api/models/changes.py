"""The changes feed's response (GET /v1/changes)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from normaliser.schema import StoredOffering


class ChangeLinksOut(BaseModel):
    json_: str = Field(alias="json", description="This offering as JSON (the `offering` here)")
    elm: str = Field(
        description="This offering as ELM v3 JSON-LD (400 when it lacks what the "
        "LOQ profile requires)"
    )
    page: str = Field(description="Its page, with schema.org Course JSON-LD in it")


class ChangeOut(BaseModel):
    seq: int = Field(description="Its place in commit order; the feed's cursors are these")
    change: Literal["created", "updated", "withdrawn"] = Field(
        description="`created`: the offering is new since the cursor asked from; `updated`: "
        "it changed; `withdrawn`: its provider withdrew it (its last document is "
        "in `offering`, with provenance.status `withdrawn`)"
    )
    id: str
    version: int
    changed_at: datetime
    offering: StoredOffering = Field(description="The offering as it is now")
    links: ChangeLinksOut


class ChangesOut(BaseModel):
    changes: list[ChangeOut]
    next_cursor: str = Field(
        description="Pass as `since` for what comes next; the same cursor when nothing came"
    )
    has_more: bool = Field(description="More changes wait after `next_cursor`: ask again now")

"""The changes feed: every offering created, updated or withdrawn since a cursor, in the
order the changes committed, for another aggregator (or another microcred) to mirror the
catalogue incrementally.

Why not page by `offering_versions.id`: an autoincrement id is taken when a row is
inserted, not when its transaction commits. On PostgreSQL two ingests can take ids 10 and
11 and commit 11 first; a harvester that read up to 11 in between resumes after 11 and
never sees 10. So every version gets a second number, `change_seq`, from the one-row
`change_counter` table, bumped by an UPDATE as the last write before the transaction
commits. The UPDATE holds the row's lock until commit (on SQLite the database's write lock
does the same), so the next writer's bump waits for this commit and reads the committed
value: numbers are handed out in commit order, and a transaction that rolls back rolls its
numbers back with it, leaving no gap. A reader therefore only ever sees a prefix of the
sequence, and resuming after the last number it saw misses nothing. The lock is held only
from the bump to the commit (the version, outbox and run rows), never while a feed is read
or normalised, and every writer takes it after its provider lock, so the two cannot
deadlock.

Each offering is listed once, at its newest change, with its current document: a harvester
applying the items in order ends with the catalogue as it is (a change the harvester
skipped because a later one superseded it has nothing the later one lacks).
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Text, and_, cast, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from catalogue.errors import InvalidRequest
from catalogue.models import ChangeCounterRow, OfferingRow, OfferingVersionRow, ProviderRow
from catalogue.store import Catalogue, as_utc, provider_from_row, stored_offering_from_row
from normaliser.schema import StoredOffering

MAX_CURSOR = 2**63 - 1
COUNTER_ID = 1


def number_changes(conn: Connection, versions: list[dict]) -> None:
    """Give the version rows about to be inserted their `change_seq`, in list order. Call it
    as the last step before inserting them, at the end of the transaction: from here to the
    commit, other writers wait to number their own changes."""
    if not versions:
        return
    top = conn.execute(
        update(ChangeCounterRow)
        .where(ChangeCounterRow.id == COUNTER_ID)
        .values(value=ChangeCounterRow.value + len(versions))
        .returning(ChangeCounterRow.value)
    ).scalar_one()
    for offset, version in enumerate(versions):
        version["change_seq"] = top - len(versions) + 1 + offset


@dataclass(frozen=True)
class Change:
    seq: int
    change: str  # created | updated | withdrawn
    offering_id: str
    version: int
    changed_at: datetime
    offering: StoredOffering


@dataclass(frozen=True)
class ChangePage:
    changes: list[Change]
    next_cursor: str  # resume here; the same cursor when nothing new came
    has_more: bool


def parse_cursor(cursor: str | None) -> int:
    """A cursor is the decimal change number to resume after; `0` or none: the beginning."""
    if cursor is None or cursor == "":
        return 0
    if not cursor.isdigit() or len(cursor) > 19 or int(cursor) > MAX_CURSOR:
        raise InvalidRequest(
            f"since must be a cursor this feed gave (a `next_cursor`), or 0 "
            f"for the beginning, not {cursor[:40]!r}",
            parameter="since",
        )
    return int(cursor)


class ChangesFeed:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def page(self, since: str | None, limit: int = 100) -> ChangePage:
        after = parse_cursor(since)
        version, before = OfferingVersionRow, aliased(OfferingVersionRow)
        earlier = (
            select(before.id)
            .where(before.offering_id == OfferingRow.id, before.change_seq <= after)
            .exists()
        )
        query = (
            select(
                version.change_seq,
                version.recorded_at,
                (~earlier).label("is_new"),
                OfferingRow.id,
                OfferingRow.provider_id,
                OfferingRow.version,
                OfferingRow.status,
                OfferingRow.content_hash,
                OfferingRow.channel,
                OfferingRow.source_url,
                OfferingRow.submission_id,
                OfferingRow.first_seen,
                OfferingRow.last_seen,
                OfferingRow.updated_at,
                cast(OfferingRow.document, Text).label("document_json"),
            )
            .join(
                OfferingRow,
                and_(OfferingRow.id == version.offering_id, OfferingRow.version == version.version),
            )
            .where(version.change_seq > after)
            .order_by(version.change_seq)
            .limit(limit + 1)
        )
        with self.catalogue.engine.connect() as conn:
            rows = conn.execute(query).all()
            provider_ids = {row.provider_id for row in rows}
            # Core rows with the provider's columns: what provider_from_row reads of the ORM row.
            providers = (
                {
                    p.id: provider_from_row(typing.cast(ProviderRow, p))
                    for p in conn.execute(
                        select(ProviderRow).where(ProviderRow.id.in_(provider_ids))
                    )
                }
                if provider_ids
                else {}
            )
        has_more = len(rows) > limit
        changes = []
        for row in rows[:limit]:
            offering = stored_offering_from_row(row, providers[row.provider_id], row.document_json)
            kind = (
                "withdrawn" if row.status == "withdrawn" else "created" if row.is_new else "updated"
            )
            changes.append(
                Change(
                    seq=row.change_seq,
                    change=kind,
                    offering_id=row.id,
                    version=row.version,
                    changed_at=as_utc(row.recorded_at),
                    offering=offering,
                )
            )
        next_cursor = str(changes[-1].seq) if changes else str(after)
        return ChangePage(changes=changes, next_cursor=next_cursor, has_more=has_more)

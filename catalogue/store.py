"""The catalogue: providers, offerings and their history, read and written through SQLAlchemy."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TypeVar, overload

import orjson
from sqlalchemy import Engine, Text, cast, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from catalogue.errors import NotFound
from catalogue.models import (
    IngestIssueRow,
    IngestRunRow,
    OfferingDuplicateRow,
    OfferingRow,
    OfferingVersionRow,
    OutboxRow,
    ProviderRow,
    SubmissionRow,
)
from normaliser.schema import Offering, Provenance, Provider, StoredOffering


def utcnow() -> datetime:
    return datetime.now(UTC)


# Ids per IN (...) list: well under SQLite's 32,766 bound parameters and PostgreSQL's 65,535.
IN_LIST_SIZE = 500


_Item = TypeVar("_Item")


def chunks(items: list[_Item], size: int = IN_LIST_SIZE) -> Iterator[list[_Item]]:
    """`items` in slices of `size`, for IN (...) lists and batched writes."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def offering_key(provider_id: str, provider_offering_id: str) -> str:
    """The public id of an offering: stable for its (provider, provider's id) key, so a
    catalogue rebuilt from the same feeds gives the same ids."""
    digest = hashlib.sha256(f"{provider_id}\x1f{provider_offering_id}".encode()).hexdigest()
    return digest[:20]


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
@overload
def as_utc(value: datetime | None) -> datetime | None: ...
def as_utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes for timezone-aware columns; everything we store is UTC.
    # PostgreSQL hands back aware ones in the session's zone: made UTC too, so a timestamp
    # prints (and sorts as text, as first_seen does in the index) the same on both.
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def provider_from_row(row: ProviderRow) -> Provider:
    return Provider(
        id=row.id,
        name=row.name,
        country=row.country,
        url=row.url,
        default_currency=row.default_currency,
    )


def stored_offering_from_row(row, provider: Provider, document_json: str | bytes) -> StoredOffering:
    """`row` has the offering columns; the document arrives as JSON text and is validated by
    pydantic-core straight from it (the indexer reads thousands of these a second)."""
    offering = Offering.model_validate_json(document_json)
    provenance = Provenance(
        provider_id=row.provider_id,
        channel=row.channel,
        source_url=row.source_url,
        fetched_at=as_utc(row.updated_at),
        content_hash=row.content_hash,
        submission_id=row.submission_id,
        first_seen=as_utc(row.first_seen),
        last_seen=as_utc(row.last_seen),
        status=row.status,
    )
    # Every part is validated already; construct without validating them again.
    return StoredOffering.model_construct(
        **{name: getattr(offering, name) for name in Offering.model_fields},
        id=row.id,
        provider=provider,
        version=row.version,
        provenance=provenance,
    )


def _document_from_row(row, provider: dict) -> dict:
    document = orjson.loads(row.document_json)
    first_seen = as_utc(row.first_seen)
    document.update(
        id=row.id,
        version=row.version,
        provider=provider,
        provenance={
            "status": row.status,
            "first_seen": first_seen.isoformat() if first_seen else None,
        },
    )
    return document


# The secondary listing of a duplicate pair is kept in the catalogue but never indexed, so
# public search shows the offering once (catalogue.duplicates).
_NOT_SECONDARY = (
    ~select(OfferingDuplicateRow.id)
    .where(OfferingDuplicateRow.secondary_id == OfferingRow.id)
    .exists()
)

_OFFERING_COLUMNS = (
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


class Catalogue:
    """Read and administrative access to the catalogue. Writes of offerings go through
    catalogue.ingest.IngestService so every change gets its version and outbox entry."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessions()

    # providers -----------------------------------------------------------------
    def upsert_provider(
        self,
        provider: Provider,
        *,
        default_language: str | None = None,
        level_framework: str | None = None,
        credit_system: str | None = None,
    ) -> Provider:
        with self.sessions.begin() as session:
            row = session.get(ProviderRow, provider.id)
            if row is None:
                row = ProviderRow(id=provider.id, created_at=utcnow())
                session.add(row)
            row.name = provider.name
            row.country = provider.country
            row.url = provider.url
            row.default_currency = provider.default_currency
            row.default_language = default_language or row.default_language
            row.level_framework = level_framework or row.level_framework
            row.credit_system = credit_system or row.credit_system
        return provider

    def provider_row(self, provider_id: str) -> ProviderRow:
        with self.session() as session:
            row = session.get(ProviderRow, provider_id)
            if row is None:
                raise NotFound(
                    f"No provider '{provider_id}'. List them with `microcred providers list`."
                )
            return row

    def provider_name(self, provider_id: str) -> str | None:
        """The provider's name, or None for an id no provider has (any more)."""
        with self.session() as session:
            row = session.get(ProviderRow, provider_id)
            return row.name if row is not None else None

    def get_provider(self, provider_id: str) -> Provider:
        return provider_from_row(self.provider_row(provider_id))

    def list_providers(self) -> list[tuple[Provider, int]]:
        """Every provider with its number of active offerings."""
        with self.session() as session:
            counts = dict(
                session.execute(
                    select(OfferingRow.provider_id, func.count())
                    .where(OfferingRow.status == "active")
                    .group_by(OfferingRow.provider_id)
                ).all()
            )
            # The id breaks ties: PostgreSQL returns equal names in any order.
            rows = session.scalars(
                select(ProviderRow).order_by(ProviderRow.name, ProviderRow.id)
            ).all()
            return [(provider_from_row(r), counts.get(r.id, 0)) for r in rows]

    # offerings -----------------------------------------------------------------
    def get_offering(self, offering_id: str) -> StoredOffering:
        found = self.get_offerings([offering_id])
        if offering_id not in found:
            raise NotFound(f"No offering '{offering_id}'.")
        return found[offering_id]

    def get_offerings(self, offering_ids: list[str]) -> dict[str, StoredOffering]:
        out: dict[str, StoredOffering] = {}
        with self.session() as session:
            providers: dict[str, Provider] = {}
            for start in range(0, len(offering_ids), 500):
                chunk = offering_ids[start : start + 500]
                for row in session.execute(
                    select(*_OFFERING_COLUMNS).where(OfferingRow.id.in_(chunk))
                ):
                    if row.provider_id not in providers:
                        providers[row.provider_id] = provider_from_row(
                            session.get_one(ProviderRow, row.provider_id)
                        )
                    out[row.id] = stored_offering_from_row(
                        row, providers[row.provider_id], row.document_json
                    )
        return out

    def offering_documents(self, offering_ids: list[str]) -> dict[str, dict]:
        """Offerings in their stored JSON form with id, version, provider and provenance
        added: what the indexer needs, without building models. Secondary listings of
        duplicates are left out: they are not to be indexed."""
        out: dict[str, dict] = {}
        with self.session() as session:
            providers = {
                p.id: {"id": p.id, "name": p.name} for p in session.scalars(select(ProviderRow))
            }
            for start in range(0, len(offering_ids), 500):
                chunk = offering_ids[start : start + 500]
                for row in session.execute(
                    select(*_OFFERING_COLUMNS).where(OfferingRow.id.in_(chunk), _NOT_SECONDARY)
                ):
                    out[row.id] = _document_from_row(row, providers[row.provider_id])
        return out

    def iter_active_offering_documents(self, batch_size: int = 1000) -> Iterator[dict]:
        """Every active offering in its stored JSON form, in batches, for rebuilding an index
        (secondary listings of duplicates left out)."""
        last_id = ""
        while True:
            with self.session() as session:
                rows = session.execute(
                    select(*_OFFERING_COLUMNS)
                    .where(OfferingRow.status == "active", OfferingRow.id > last_id, _NOT_SECONDARY)
                    .order_by(OfferingRow.id)
                    .limit(batch_size)
                ).all()
                if not rows:
                    return
                providers = {
                    p.id: {"id": p.id, "name": p.name} for p in session.scalars(select(ProviderRow))
                }
            for row in rows:
                yield _document_from_row(row, providers[row.provider_id])
            last_id = rows[-1].id

    def count_offerings(self, status: str = "active") -> int:
        with self.session() as session:
            return (
                session.scalar(
                    select(func.count())
                    .select_from(OfferingRow)
                    .where(OfferingRow.status == status)
                )
                or 0
            )

    def active_offering_stamps(self, *, offset: int, limit: int) -> list[tuple[str, datetime]]:
        """(id, last changed) of active offerings in id order, `limit` from `offset`: the
        pages of the sitemap."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(OfferingRow.id, OfferingRow.updated_at)
                .where(OfferingRow.status == "active")
                .order_by(OfferingRow.id)
                .offset(offset)
                .limit(limit)
            ).all()
        return [(row.id, as_utc(row.updated_at)) for row in rows]

    def sitemap_page_stamps(self, page_size: int) -> list[datetime | None]:
        """When each sitemap page's newest offering last changed, one entry per page of
        `page_size` active offerings in id order: worked out by the database in one pass
        (a window over the ids, grouped by page), so the sitemap index carries no ids."""
        position = func.row_number().over(order_by=OfferingRow.id) - 1
        numbered = (
            select(position.label("position"), OfferingRow.updated_at.label("changed"))
            .where(OfferingRow.status == "active")
            .subquery()
        )
        page = (numbered.c.position // page_size).label("page")
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(page, func.max(numbered.c.changed)).group_by(page).order_by(page)
            ).all()
        return [as_utc(changed) for _, changed in rows]

    def last_change(self) -> datetime | None:
        """When an active offering last changed."""
        with self.engine.connect() as conn:
            return as_utc(
                conn.execute(
                    select(func.max(OfferingRow.updated_at)).where(OfferingRow.status == "active")
                ).scalar()
            )

    def offering_history(self, offering_id: str) -> list[OfferingVersionRow]:
        with self.session() as session:
            return list(
                session.scalars(
                    select(OfferingVersionRow)
                    .where(OfferingVersionRow.offering_id == offering_id)
                    .order_by(OfferingVersionRow.version)
                )
            )

    # submissions and runs ------------------------------------------------------
    def get_submission(self, submission_id: int) -> SubmissionRow:
        with self.session() as session:
            row = session.get(SubmissionRow, submission_id)
            if row is None:
                raise NotFound(f"No submission {submission_id}.")
            return row

    def runs_for_submission(self, submission_id: int) -> list[IngestRunRow]:
        with self.session() as session:
            return list(
                session.scalars(
                    select(IngestRunRow)
                    .where(IngestRunRow.submission_id == submission_id)
                    .order_by(IngestRunRow.id)
                )
            )

    def withdrawn_by_submission(self, submission_id: int) -> list[str]:
        """The provider's own ids of the offerings a submission withdrew."""
        with self.engine.connect() as conn:
            ids = conn.execute(
                select(OfferingRow.provider_offering_id)
                .join(OfferingVersionRow, OfferingVersionRow.offering_id == OfferingRow.id)
                .where(
                    OfferingVersionRow.submission_id == submission_id,
                    OfferingVersionRow.status == "withdrawn",
                )
            ).scalars()
            # Sorted here, by code point: the database's collation (SQLite's binary, a
            # PostgreSQL locale's) would order "a-2" and "A10" differently per server.
            return sorted(ids)

    def issues_for_run(self, run_id: int) -> list[IngestIssueRow]:
        with self.session() as session:
            return list(
                session.scalars(
                    select(IngestIssueRow)
                    .where(IngestIssueRow.run_id == run_id)
                    .order_by(IngestIssueRow.id)
                )
            )

    # index outbox --------------------------------------------------------------
    def pending_index_work(self, limit: int) -> list:
        """The oldest unprocessed outbox entries (id, offering_id, version, op), in order."""
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(OutboxRow.id, OutboxRow.offering_id, OutboxRow.version, OutboxRow.op)
                    .where(OutboxRow.processed_at.is_(None))
                    .order_by(OutboxRow.id)
                    .limit(limit)
                )
            )

    def mark_index_work_done(self, outbox_ids: list[int]) -> None:
        with self.sessions.begin() as session:
            session.execute(
                update(OutboxRow).where(OutboxRow.id.in_(outbox_ids)).values(processed_at=utcnow())
            )

    def index_lag(self) -> tuple[int, datetime | None]:
        """How many index updates wait, and since when."""
        with self.session() as session:
            count, oldest = session.execute(
                select(func.count(), func.min(OutboxRow.created_at)).where(
                    OutboxRow.processed_at.is_(None)
                )
            ).one()
            return count, as_utc(oldest)

"""The catalogue: providers, offerings and their history, read and written through SQLAlchemy."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from catalogue.errors import NotFound
from catalogue.models import (
    IngestIssueRow,
    IngestRunRow,
    OfferingRow,
    OfferingVersionRow,
    OutboxRow,
    ProviderRow,
    SubmissionRow,
)
from normaliser.schema import Provenance, Provider, StoredOffering


def utcnow() -> datetime:
    return datetime.now(UTC)


def offering_key(provider_id: str, provider_offering_id: str) -> str:
    """The public id of an offering: stable for its (provider, provider's id) key, so a
    catalogue rebuilt from the same feeds gives the same ids."""
    digest = hashlib.sha256(f"{provider_id}\x1f{provider_offering_id}".encode()).hexdigest()
    return digest[:20]


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes for timezone-aware columns; everything we store is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def provider_from_row(row: ProviderRow) -> Provider:
    return Provider(id=row.id, name=row.name, country=row.country, url=row.url,
                    default_currency=row.default_currency)


def stored_offering_from_row(row: OfferingRow, provider: Provider) -> StoredOffering:
    return StoredOffering.model_validate({
        **row.document,
        "id": row.id,
        "provider": provider,
        "version": row.version,
        "provenance": Provenance(
            provider_id=row.provider_id,
            channel=row.channel,
            source_url=row.source_url,
            fetched_at=_aware(row.updated_at),
            content_hash=row.content_hash,
            submission_id=row.submission_id,
            first_seen=_aware(row.first_seen),
            last_seen=_aware(row.last_seen),
            status=row.status,
        ),
    })


class Catalogue:
    """Read and administrative access to the catalogue. Writes of offerings go through
    catalogue.ingest.IngestService so every change gets its version and outbox entry."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessions()

    # providers -----------------------------------------------------------------
    def upsert_provider(self, provider: Provider, *, default_language: str | None = None,
                        level_framework: str | None = None,
                        credit_system: str | None = None) -> Provider:
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
                raise NotFound(f"No provider '{provider_id}'. List them with `microcred providers list`.")
            return row

    def get_provider(self, provider_id: str) -> Provider:
        return provider_from_row(self.provider_row(provider_id))

    def list_providers(self) -> list[tuple[Provider, int]]:
        """Every provider with its number of active offerings."""
        with self.session() as session:
            counts = dict(session.execute(
                select(OfferingRow.provider_id, func.count())
                .where(OfferingRow.status == "active")
                .group_by(OfferingRow.provider_id)
            ).all())
            rows = session.scalars(select(ProviderRow).order_by(ProviderRow.name)).all()
            return [(provider_from_row(r), counts.get(r.id, 0)) for r in rows]

    # offerings -----------------------------------------------------------------
    def get_offering(self, offering_id: str) -> StoredOffering:
        with self.session() as session:
            row = session.get(OfferingRow, offering_id)
            if row is None:
                raise NotFound(f"No offering '{offering_id}'.")
            provider = provider_from_row(session.get(ProviderRow, row.provider_id))
            return stored_offering_from_row(row, provider)

    def get_offerings(self, offering_ids: list[str]) -> dict[str, StoredOffering]:
        with self.session() as session:
            rows = session.scalars(select(OfferingRow).where(OfferingRow.id.in_(offering_ids))).all()
            providers = {p.id: provider_from_row(p) for p in session.scalars(
                select(ProviderRow).where(ProviderRow.id.in_({r.provider_id for r in rows})))}
            return {r.id: stored_offering_from_row(r, providers[r.provider_id]) for r in rows}

    def iter_active_offerings(self, batch_size: int = 1000) -> Iterator[StoredOffering]:
        """Every active offering, in batches, for rebuilding an index."""
        last_id = ""
        while True:
            with self.session() as session:
                rows = session.scalars(
                    select(OfferingRow)
                    .where(OfferingRow.status == "active", OfferingRow.id > last_id)
                    .order_by(OfferingRow.id).limit(batch_size)
                ).all()
                if not rows:
                    return
                providers = {p.id: provider_from_row(p) for p in session.scalars(select(ProviderRow))}
            for row in rows:
                yield stored_offering_from_row(row, providers[row.provider_id])
            last_id = rows[-1].id

    def count_offerings(self, status: str = "active") -> int:
        with self.session() as session:
            return session.scalar(select(func.count()).select_from(OfferingRow)
                                  .where(OfferingRow.status == status)) or 0

    def offering_history(self, offering_id: str) -> list[OfferingVersionRow]:
        with self.session() as session:
            return list(session.scalars(
                select(OfferingVersionRow).where(OfferingVersionRow.offering_id == offering_id)
                .order_by(OfferingVersionRow.version)))

    # submissions and runs ------------------------------------------------------
    def get_submission(self, submission_id: int) -> SubmissionRow:
        with self.session() as session:
            row = session.get(SubmissionRow, submission_id)
            if row is None:
                raise NotFound(f"No submission {submission_id}.")
            return row

    def runs_for_submission(self, submission_id: int) -> list[IngestRunRow]:
        with self.session() as session:
            return list(session.scalars(select(IngestRunRow)
                                        .where(IngestRunRow.submission_id == submission_id)))

    def issues_for_run(self, run_id: int) -> list[IngestIssueRow]:
        with self.session() as session:
            return list(session.scalars(select(IngestIssueRow).where(IngestIssueRow.run_id == run_id)
                                        .order_by(IngestIssueRow.id)))

    # index outbox --------------------------------------------------------------
    def pending_index_work(self, limit: int) -> list[OutboxRow]:
        with self.session() as session:
            return list(session.scalars(select(OutboxRow).where(OutboxRow.processed_at.is_(None))
                                        .order_by(OutboxRow.id).limit(limit)))

    def mark_index_work_done(self, outbox_ids: list[int]) -> None:
        with self.sessions.begin() as session:
            session.execute(update(OutboxRow).where(OutboxRow.id.in_(outbox_ids))
                            .values(processed_at=utcnow()))

    def index_lag(self) -> tuple[int, datetime | None]:
        """How many index updates wait, and since when."""
        with self.session() as session:
            count, oldest = session.execute(
                select(func.count(), func.min(OutboxRow.created_at))
                .where(OutboxRow.processed_at.is_(None))).one()
            return count, _aware(oldest)

"""What the indexer keeps in the catalogue besides the outbox itself: dead letters (index
updates the engine refused for good), and which offerings had index work since a moment
(what a rebuild must catch up with)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update

from catalogue.models import IndexDeadLetterRow, OutboxRow
from catalogue.store import Catalogue, as_utc, chunks, utcnow


@dataclass(frozen=True)
class Failure:
    """One index update that failed for good in one attempt at it."""

    offering_id: str
    version: int
    op: str  # upsert | delete
    reason: str
    status_code: int | None
    attempts: int = 1


@dataclass(frozen=True)
class DeadLetter:
    offering_id: str
    version: int
    op: str
    reason: str
    status_code: int | None
    attempts: int
    first_failed_at: datetime
    last_failed_at: datetime
    resolved_at: datetime | None


class IndexRecords:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    # dead letters ---------------------------------------------------------------------------
    def record_dead_letters(self, failures: Sequence[Failure]) -> None:
        """Open a dead letter per offering, or update the open one (newest version and
        reason, attempts added up)."""
        if not failures:
            return
        now = utcnow()
        latest = {f.offering_id: f for f in failures}
        with self.catalogue.sessions.begin() as session:
            open_rows: dict[str, IndexDeadLetterRow] = {}
            for chunk in chunks(list(latest)):
                for found in session.scalars(
                    select(IndexDeadLetterRow).where(
                        IndexDeadLetterRow.offering_id.in_(chunk),
                        IndexDeadLetterRow.resolved_at.is_(None),
                    )
                ):
                    open_rows[found.offering_id] = found
            for offering_id, failure in latest.items():
                row = open_rows.get(offering_id)
                if row is None:
                    session.add(
                        IndexDeadLetterRow(
                            offering_id=offering_id,
                            version=failure.version,
                            op=failure.op,
                            reason=failure.reason,
                            status_code=failure.status_code,
                            attempts=failure.attempts,
                            first_failed_at=now,
                            last_failed_at=now,
                        )
                    )
                    continue
                row.version = max(row.version, failure.version)
                row.op, row.reason = failure.op, failure.reason
                row.status_code = failure.status_code
                row.attempts += failure.attempts
                row.last_failed_at = now

    def resolve_dead_letters(self, indexed: dict[str, int]) -> int:
        """Close the open dead letters of offerings now in the index (or now rightly out of
        it) at `indexed[offering_id]` or a newer version. Returns how many it closed."""
        if not indexed:
            return 0
        with self.catalogue.session() as session:
            rows = [
                r
                for chunk in chunks(list(indexed))
                for r in session.execute(
                    select(
                        IndexDeadLetterRow.id,
                        IndexDeadLetterRow.offering_id,
                        IndexDeadLetterRow.version,
                    ).where(
                        IndexDeadLetterRow.offering_id.in_(chunk),
                        IndexDeadLetterRow.resolved_at.is_(None),
                    )
                )
            ]
        return self._close([r.id for r in rows if r.version <= indexed[r.offering_id]])

    def resolve_all_dead_letters(self, except_ids: Iterable[str] = ()) -> int:
        """After a rebuild: every open dead letter but those of offerings that failed again."""
        keep = set(except_ids)
        with self.catalogue.session() as session:
            rows = session.execute(
                select(IndexDeadLetterRow.id, IndexDeadLetterRow.offering_id).where(
                    IndexDeadLetterRow.resolved_at.is_(None)
                )
            ).all()
        return self._close([r.id for r in rows if r.offering_id not in keep])

    def _close(self, row_ids: list[int]) -> int:
        if row_ids:
            now = utcnow()
            with self.catalogue.sessions.begin() as session:
                for chunk in chunks(row_ids):
                    session.execute(
                        update(IndexDeadLetterRow)
                        .where(IndexDeadLetterRow.id.in_(chunk))
                        .values(resolved_at=now)
                    )
        return len(row_ids)

    def open_dead_letters(self, limit: int | None = None) -> list[DeadLetter]:
        """Unresolved dead letters, oldest first."""
        query = (
            select(IndexDeadLetterRow)
            .where(IndexDeadLetterRow.resolved_at.is_(None))
            .order_by(IndexDeadLetterRow.id)
        )
        if limit is not None:
            query = query.limit(limit)
        with self.catalogue.session() as session:
            return [
                DeadLetter(
                    offering_id=r.offering_id,
                    version=r.version,
                    op=r.op,
                    reason=r.reason,
                    status_code=r.status_code,
                    attempts=r.attempts,
                    first_failed_at=as_utc(r.first_failed_at),
                    last_failed_at=as_utc(r.last_failed_at),
                    resolved_at=as_utc(r.resolved_at),
                )
                for r in session.scalars(query)
            ]

    def dead_letter_count(self) -> int:
        with self.catalogue.session() as session:
            return (
                session.scalar(
                    select(func.count())
                    .select_from(IndexDeadLetterRow)
                    .where(IndexDeadLetterRow.resolved_at.is_(None))
                )
                or 0
            )

    # what a rebuild catches up with -------------------------------------------------------------
    def outbox_mark(self) -> int:
        """The newest outbox id now (0 for none)."""
        with self.catalogue.session() as session:
            return session.scalar(select(func.max(OutboxRow.id))) or 0

    def offerings_with_index_work_since(self, since: datetime, mark: int) -> list[str]:
        """Offerings whose state may have changed after a reader began at `since`, when the
        newest outbox id was `mark`: those with an entry written after the mark, still
        pending, or processed since then (by a drain that wrote to the index of that time).

        The pending and processed terms also cover an entry whose id is below the mark but
        whose transaction committed after it was read (PostgreSQL hands out ids before
        commit). `since` should allow for clock differences between the processes that
        drain: a few offerings too many are only indexed twice."""
        with self.catalogue.session() as session:
            ids = session.scalars(
                select(OutboxRow.offering_id)
                .distinct()
                .where(
                    or_(
                        OutboxRow.id > mark,
                        OutboxRow.processed_at.is_(None),
                        OutboxRow.processed_at >= since,
                    )
                )
            )
            return sorted(ids)

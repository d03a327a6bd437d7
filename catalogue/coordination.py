"""What several processes of one deployment agree on through the catalogue database: which
scheduler takes a due pull, how many requests a key made this minute, what each indexer is
doing. (Which worker processes a submission is kept on the submission itself: see
catalogue.ingest.) Every statement here is one atomic write, the same on SQLite (one
process, the embedded default) and PostgreSQL (any number of them).
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from catalogue.models import IndexerHeartbeatRow, RateLimitWindowRow, ScheduledRunRow
from catalogue.store import Catalogue, as_utc, utcnow

# Claims of scheduled runs are kept this long, for reading who ran what; then dropped.
CLAIMS_KEPT = timedelta(days=7)
# Heartbeats that ran out this long ago are dropped by the next process that beats.
HEARTBEATS_KEPT = timedelta(hours=1)


def process_name() -> str:
    """host:pid:random — tells apart processes, and two instances in one process."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _upsert(conn, table):
    """INSERT ... ON CONFLICT for the connection's dialect (both have the same API)."""
    return postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)


class ScheduledRunClaims:
    """One row per (kind, source, due time), inserted before the run: the first scheduler to
    insert it runs it, every other one finds the key taken and skips."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def claim(self, kind: str, source_id: int, due_at: datetime, claimed_by: str) -> bool:
        now = utcnow()
        try:
            with self.catalogue.engine.begin() as conn:
                conn.execute(
                    insert(ScheduledRunRow).values(
                        kind=kind,
                        source_id=source_id,
                        due_at=due_at,
                        claimed_by=claimed_by,
                        claimed_at=now,
                    )
                )
        except IntegrityError:
            return False
        with self.catalogue.engine.begin() as conn:
            conn.execute(
                delete(ScheduledRunRow).where(
                    ScheduledRunRow.kind == kind,
                    ScheduledRunRow.source_id == source_id,
                    ScheduledRunRow.claimed_at < now - CLAIMS_KEPT,
                )
            )
        return True

    def claimed_by(self, kind: str, source_id: int, due_at: datetime) -> str | None:
        with self.catalogue.engine.connect() as conn:
            return conn.execute(
                select(ScheduledRunRow.claimed_by).where(
                    ScheduledRunRow.kind == kind,
                    ScheduledRunRow.source_id == source_id,
                    ScheduledRunRow.due_at == due_at,
                )
            ).scalar()


class WindowCounters:
    """Requests per key and fixed window, counted in the catalogue by every API process."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def count(self, key: str, window_start: int) -> int:
        with self.catalogue.engine.connect() as conn:
            return (
                conn.execute(
                    select(RateLimitWindowRow.requests).where(
                        RateLimitWindowRow.key == key,
                        RateLimitWindowRow.window_start == window_start,
                    )
                ).scalar()
                or 0
            )

    def add_within(self, key: str, window_start: int, allowance: int) -> int | None:
        """Count one more request of `key` in the window if that makes at most `allowance`;
        the new count, or None (nothing counted). One statement, so two processes adding
        at once cannot both take the last request."""
        if allowance < 1:
            return None
        with self.catalogue.engine.begin() as conn:
            statement = _upsert(conn, RateLimitWindowRow).values(
                key=key, window_start=window_start, requests=1
            )
            statement = statement.on_conflict_do_update(
                index_elements=[RateLimitWindowRow.key, RateLimitWindowRow.window_start],
                set_={"requests": RateLimitWindowRow.requests + 1},
                where=RateLimitWindowRow.requests < allowance,
            )
            return conn.execute(statement.returning(RateLimitWindowRow.requests)).scalar()

    def forget(self, key: str, before: int) -> None:
        """Drop the windows of `key` that started before `before`."""
        with self.catalogue.engine.begin() as conn:
            conn.execute(
                delete(RateLimitWindowRow).where(
                    RateLimitWindowRow.key == key, RateLimitWindowRow.window_start < before
                )
            )


@dataclass(frozen=True)
class Heartbeat:
    process_id: str
    state: str
    detail: str | None
    drained_at: datetime | None
    updated_at: datetime
    expires_at: datetime


class IndexerHeartbeats:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def beat(
        self, process_id: str, state: str, *, detail: str | None, ttl: timedelta, drained: bool
    ) -> None:
        """Say what `process_id` does now, for the next `ttl`. `drained`: a drain (or an
        attempt to prepare the index) just ended, with this state as its outcome."""
        now = utcnow()
        values = dict(state=state, detail=detail, updated_at=now, expires_at=now + ttl)
        if drained:
            values["drained_at"] = now
        with self.catalogue.engine.begin() as conn:
            statement = _upsert(conn, IndexerHeartbeatRow).values(process_id=process_id, **values)
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[IndexerHeartbeatRow.process_id], set_=values
                )
            )
            conn.execute(
                delete(IndexerHeartbeatRow).where(
                    IndexerHeartbeatRow.expires_at < now - HEARTBEATS_KEPT
                )
            )

    def live(self) -> list[Heartbeat]:
        """Every heartbeat that has not run out."""
        with self.catalogue.engine.connect() as conn:
            rows = conn.execute(
                select(IndexerHeartbeatRow).where(IndexerHeartbeatRow.expires_at > utcnow())
            ).all()
        return [
            Heartbeat(
                process_id=r.process_id,
                state=r.state,
                detail=r.detail,
                drained_at=as_utc(r.drained_at),
                updated_at=as_utc(r.updated_at),
                expires_at=as_utc(r.expires_at),
            )
            for r in rows
        ]

    def forget(self, process_id: str) -> None:
        with self.catalogue.engine.begin() as conn:
            conn.execute(
                delete(IndexerHeartbeatRow).where(IndexerHeartbeatRow.process_id == process_id)
            )

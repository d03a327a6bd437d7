"""Moves catalogue changes into the search index, from the outbox, in order.

The outbox (written in the same transaction as each catalogue change) is the queue. A drain
takes the oldest pending entries in batches; for each offering only its newest entry
matters, and what is sent is the catalogue's current state of it, with its version as the
engine's external version, so a replay or a late write changes nothing.

What can go wrong, and what happens then:

- The engine cannot be used now (unreachable, timing out, 429, 5xx, also per bulk item):
  the request, or the items that failed, are tried again with exponential backoff and
  jitter, a bounded number of times. Then the drain stops and returns; the entries stay
  pending, in order, and the next drain (the background worker's, or any after an ingest)
  takes them up again. Nothing is lost and ingest never waits for the engine.
- The engine refuses one document for good (a mapping or parse error, any other 4xx for
  that item), or its index document cannot even be built: the update goes to a dead letter
  (catalogue.index_records) with the reason, and its outbox entry is marked done, so it
  never holds up the updates behind it. A later update of that offering, `microcred index
  retry-dead-letters` or `microcred reindex` tries it again and closes the dead letter.
- There is no index behind the alias (the cluster lost it): the drain stops, nothing is
  written (no index with guessed mappings is created), and `microcred reindex` builds it.

A rebuild of an Elasticsearch/OpenSearch index fills a new `offerings-v<N>` while searches
keep using the old one, catches up with what changed meanwhile, moves the alias in one
request and drops the old index. The SQLite backend empties its tables and refills them.

What the indexer does (draining, rebuilding, stalled) is written to a heartbeat row of its
process in the catalogue (catalogue.coordination), renewed while it lasts, so status() (and
/healthz) of any process reports the cluster's state; a row that ran out counts for nothing.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from catalogue.coordination import IndexerHeartbeats, process_name
from catalogue.errors import Conflict, SearchUnavailable
from catalogue.index_records import Failure, IndexRecords
from catalogue.search.base import RebuildTarget, SearchBackend
from catalogue.search.documents import DOCUMENT_FORMAT, IndexDocument, build_document
from catalogue.search.writes import BulkReport, Refresh, retryable_status
from catalogue.store import Catalogue, utcnow

log = logging.getLogger(__name__)

# A rebuild writes again the offerings whose outbox entries were processed since it began,
# by any process (those went to the old index), counting from this much before its start
# by its own clock: the clocks of the processes that drain (NTP-synchronised) may differ
# by less. Too large only costs writes: every offering drained in that window is written
# a second time.
CLOCK_ALLOWANCE = timedelta(seconds=5)


@dataclass(frozen=True)
class RetryPolicy:
    """How often one bulk request is tried (the first try included) and how long to wait
    between tries: "full jitter", a random time between 0 and base * 2^(n-1) capped at
    max_seconds (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015), so that
    several drains do not come back at the same moment."""

    attempts: int = 5
    base_seconds: float = 0.5
    max_seconds: float = 30.0
    # After a drain stopped for want of an engine, catch_up() lets this much time pass
    # before it tries again (the background worker asks every few seconds).
    cooldown_seconds: float = 30.0

    def delay(self, retry: int, rng: random.Random) -> float:
        """Seconds to wait before retry number `retry` (1 for the first retry)."""
        return rng.uniform(0, min(self.max_seconds, self.base_seconds * 2 ** (retry - 1)))


@dataclass
class DrainStats:
    upserted: int = 0
    deleted: int = 0
    batches: int = 0
    retries: int = 0  # requests sent again after a failure the engine may get over
    dead_lettered: int = 0
    stopped: str | None = None  # why the drain stopped with work left, if it did


@dataclass
class RebuildStats:
    indexed: int = 0
    dead_lettered: int = 0
    caught_up: int = 0  # offerings changed while the rebuild ran, written again
    index: str | None = None  # the new index (engine backends)
    dropped: list[str] = field(default_factory=list)
    failed_ids: list[str] = field(default_factory=list)  # offerings now in dead letters


@dataclass(frozen=True)
class IndexStatus:
    pending: int
    oldest_pending: datetime | None
    dead_letters: int
    # current (nothing pending) | pending (the next drain takes it) | draining | rebuilding
    # | stalled (the last drain stopped: the engine could not be used)
    state: str
    detail: str | None = None


class _Stop(Exception):  # noqa: N818 - a signal inside the indexer, not an error
    """Stop this drain: the engine cannot be used now. `written` says what was done before."""

    def __init__(self, reason: str, written: _Written) -> None:
        super().__init__(reason)
        self.written = written


@dataclass
class _Written:
    """The outcome of writing a set of updates: offering -> version now in the index (or
    rightly not in it), and the updates that failed for good."""

    done: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    retries: int = 0
    upserted: int = 0
    deleted: int = 0


class Indexer:
    def __init__(
        self,
        catalogue: Catalogue,
        backend: SearchBackend,
        batch_size: int = 1000,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        drop_grace_seconds: float = 1.0,
        heartbeat_seconds: float = 60.0,
    ) -> None:
        """`sleep` and `rng` are what the backoff waits with and draws from (tests pass
        their own). `drop_grace_seconds`: after a rebuild moved the alias, how long the old
        index stays for searches that were already running on it. `heartbeat_seconds`: how
        long this indexer's heartbeat counts unless renewed (every third of it while it
        drains or rebuilds): longer than the stall cool-down, so a process that keeps
        retrying stays reported as stalled."""
        self.catalogue = catalogue
        self.backend = backend
        self.batch_size = batch_size
        self.records = IndexRecords(catalogue)
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.drop_grace_seconds = drop_grace_seconds
        # One drain at a time in this process (the worker, API requests and the CLI share
        # an indexer); a rebuild does not hold it, so drains go on while it runs.
        self._drain_lock = threading.RLock()
        self._rebuild_lock = threading.Lock()
        self._draining = False
        self._stalled: str | None = None
        self._stalled_at = 0.0
        self._unprepared: str | None = None
        self.process_id = process_name()
        self.heartbeats = IndexerHeartbeats(catalogue)
        self.heartbeat_seconds = heartbeat_seconds
        self._beaten: str | None = None  # the state last written
        self._beaten_at = 0.0

    # starting -------------------------------------------------------------------------------
    def prepare(self) -> bool:
        """Make the index ready (create it, rebuild one of an older document format).
        With the engine unreachable, say so in the status and return False: the catalogue
        and the API work without it, and catch_up() tries again."""
        try:
            self.backend.ensure_index()
            self.ensure_current_format()
        except SearchUnavailable as exc:
            log.warning(
                "search index not prepared, the engine cannot be used: %s (%s)", exc, exc.detail
            )
            self._unprepared = str(exc)
            self._stall(str(exc))
            return False
        self._unprepared = None
        return True

    def catch_up(self) -> DrainStats | None:
        """What the background worker calls when idle and after each ingest: drain, unless
        the last drain stopped for want of an engine less than the cool-down ago. None when
        it did not try."""
        if (
            self._stalled is not None
            and time.monotonic() - self._stalled_at < self.retry.cooldown_seconds
        ):
            return None
        if self._unprepared is not None and not self.prepare():
            return None
        return self.drain()

    # draining -------------------------------------------------------------------------------
    def drain(self, max_batches: int | None = None) -> DrainStats:
        """Apply pending outbox entries until none are left (or `max_batches` ran, or the
        engine cannot be used: then `stopped` says why and the entries stay pending).

        Each entry is only marked done after the backend accepted it (or it went to a dead
        letter), so a crash in between replays it, which is harmless: backends ignore older
        versions."""
        with self._drain_lock:
            self._draining = True
            try:
                stats = self._drain(max_batches)
            finally:
                self._draining = False
        if stats.stopped:
            log.warning("index drain stopped, entries left pending: %s", stats.stopped)
            self._stall(stats.stopped)
        else:
            self._stalled = None
            if stats.batches or self._beaten not in (None, "idle"):
                self._beat("idle", drained=True)
        return stats

    def _drain(self, max_batches: int | None) -> DrainStats:
        stats = DrainStats()
        while max_batches is None or stats.batches < max_batches:
            work = self.catalogue.pending_index_work(self.batch_size)
            if not work:
                break
            self._beat("draining")
            stats.batches += 1
            # Only the newest entry per offering matters; the catalogue row is its current state.
            latest: dict[str, Any] = {}  # outbox rows (id, offering_id, version, op)
            entries: dict[str, list[int]] = {}
            for item in work:
                latest[item.offering_id] = item
                entries.setdefault(item.offering_id, []).append(item.id)
            try:
                written = self._write_current(list(latest.values()))
            except _Stop as stop:
                written = stop.written
                stats.stopped = str(stop)
            self._settle(written, stats)
            self.catalogue.mark_index_work_done(
                [i for offering_id in written.done for i in entries[offering_id]]
            )
            if stats.stopped:
                break
        return stats

    def _settle(self, written: _Written, stats: DrainStats | RebuildStats) -> None:
        """Record dead letters, close the ones now indexed; before the outbox is marked."""
        self.records.record_dead_letters(written.failures)
        failed = {f.offering_id for f in written.failures}
        self.records.resolve_dead_letters(
            {k: v for k, v in written.done.items() if k not in failed}
        )
        stats.dead_lettered += len(written.failures)
        if isinstance(stats, DrainStats):
            stats.retries += written.retries
            stats.upserted += written.upserted
            stats.deleted += written.deleted
        else:
            stats.indexed += written.upserted

    def _write_current(
        self, items: Sequence, *, index: str | None = None, refresh: Refresh | None = None
    ) -> _Written:
        """Write the catalogue's current state of the offerings of outbox-like `items`
        (offering_id, version, op): active ones indexed, withdrawn ones deleted."""
        upserts = [i for i in items if i.op == "upsert"]
        deletes = [(i.offering_id, i.version) for i in items if i.op == "delete"]
        current = self.catalogue.offering_documents([i.offering_id for i in upserts])
        documents, written = [], _Written()
        for item in upserts:
            stored = current.get(item.offering_id)
            if stored is None or stored["provenance"]["status"] != "active":
                # Gone or withdrawn since: its delete entry follows in the outbox.
                written.done[item.offering_id] = item.version
                continue
            document = self._document(stored, written)
            if document is not None:
                documents.append(document)
        self._write(documents, deletes, written, index=index, refresh=refresh)
        return written

    def _document(self, stored: dict, written: _Written) -> IndexDocument | None:
        try:
            return build_document(stored)
        except Exception as exc:  # noqa: BLE001 - one bad stored offering must not stop the rest
            log.exception("no index document for offering %s", stored.get("id"))
            written.failures.append(
                Failure(
                    offering_id=stored["id"],
                    version=stored["version"],
                    op="upsert",
                    reason=f"the index document could not be built: {type(exc).__name__}: {exc}",
                    status_code=None,
                )
            )
            written.done[stored["id"]] = stored["version"]
            return None

    def _write(
        self,
        documents: Sequence[IndexDocument],
        deletes: Sequence[tuple[str, int]],
        written: _Written,
        *,
        index: str | None,
        refresh: Refresh | None,
    ) -> None:
        """Write through the backend, trying again (with backoff) what is worth it."""
        todo_documents = {d.id: d for d in documents}
        todo_deletes = dict(deletes)
        attempt = 1
        while todo_documents or todo_deletes:
            try:
                report = self.backend.write(
                    list(todo_documents.values()),
                    list(todo_deletes.items()),
                    target=index,
                    refresh=refresh,
                )
                again = self._sort_items(report, todo_documents, todo_deletes, written, attempt)
            except SearchUnavailable as exc:
                if not exc.retryable or attempt >= self.retry.attempts:
                    raise _Stop(f"{exc} ({exc.detail}; {attempt} attempts)", written) from exc
                self._back_off(attempt, written)
                attempt += 1
                continue
            if not again:
                return
            if attempt >= self.retry.attempts:
                raise _Stop(
                    f"the search engine still refused {len(again)} updates after "
                    f"{attempt} attempts: {again[0]}",
                    written,
                )
            self._back_off(attempt, written)
            attempt += 1

    @staticmethod
    def _no_index(detail: str) -> str:
        return (
            f"there is no search index to write to ({detail}); build it from the "
            f"catalogue with `microcred reindex`"
        )

    def _sort_items(
        self,
        report: BulkReport,
        todo_documents: dict[str, IndexDocument],
        todo_deletes: dict[str, int],
        written: _Written,
        attempt: int,
    ) -> list[str]:
        """Take the finished items off the to-do lists; return why the others (worth
        another try) failed. Stops the drain if the index is missing."""
        again, missing_index = [], None
        for item in report.items:
            deleting = item.action == "delete"
            version = (
                todo_deletes[item.offering_id]
                if deleting
                else todo_documents[item.offering_id].version
            )
            if item.outcome == "failed":
                if item.error_type == "index_not_found_exception":
                    missing_index = item.error
                    continue
                if retryable_status(item.status):
                    again.append(f"offering {item.offering_id}: HTTP {item.status} {item.error}")
                    continue
                written.failures.append(
                    Failure(
                        offering_id=item.offering_id,
                        version=version,
                        op="delete" if deleting else "upsert",
                        reason=item.error or f"HTTP {item.status}",
                        status_code=item.status,
                        attempts=attempt,
                    )
                )
            elif deleting:
                written.deleted += 1
            else:
                written.upserted += 1
            written.done[item.offering_id] = version
            (todo_deletes if deleting else todo_documents).pop(item.offering_id)
        if missing_index is not None:
            raise _Stop(self._no_index(missing_index), written)
        return again

    def _back_off(self, attempt: int, written: _Written) -> None:
        written.retries += 1
        self.sleep(self.retry.delay(attempt, self.rng))

    def _stall(self, reason: str) -> None:
        self._stalled = reason
        self._stalled_at = time.monotonic()
        self._beat("stalled", detail=reason, drained=True)

    # heartbeat ------------------------------------------------------------------------------
    def _beat(self, state: str, *, detail: str | None = None, drained: bool = False) -> None:
        """Write this process's state when it changes, at the end of a drain, and every third
        of the heartbeat's life while it lasts. A failed write is logged: the next one may
        succeed, and indexing is not held up by its report."""
        now = time.monotonic()
        if (
            not drained
            and state == self._beaten
            and now - self._beaten_at < self.heartbeat_seconds / 3
        ):
            return
        try:
            self.heartbeats.beat(
                self.process_id,
                state,
                detail=detail,
                drained=drained,
                ttl=timedelta(seconds=self.heartbeat_seconds),
            )
        except Exception as exc:  # noqa: BLE001 - see the docstring
            log.warning("could not write the indexer's heartbeat: %s", exc)
            return
        self._beaten, self._beaten_at = state, now

    def close(self) -> None:
        """Take this process's heartbeat out: a process that stops cleanly stops counting
        at once, not when its heartbeat runs out."""
        try:
            self.heartbeats.forget(self.process_id)
        except Exception as exc:  # noqa: BLE001 - it runs out by itself
            log.warning("could not remove the indexer's heartbeat: %s", exc)

    # dead letters ---------------------------------------------------------------------------
    def retry_dead_letters(self) -> tuple[int, int]:
        """Write the current state of every offering with an open dead letter again.
        Returns (tried, still failing). Raises SearchUnavailable if the engine cannot be
        used (nothing is lost: the dead letters stay open)."""
        letters = self.records.open_dead_letters()
        offering_ids = [d.offering_id for d in letters]
        failing = 0
        for start in range(0, len(offering_ids), self.batch_size):
            written = self._rewrite(offering_ids[start : start + self.batch_size])
            failing += len(written.failures)
        return len(offering_ids), failing

    def _rewrite(
        self,
        offering_ids: Sequence[str],
        *,
        index: str | None = None,
        refresh: Refresh | None = None,
    ) -> _Written:
        """Write these offerings as the catalogue holds them now, whatever the outbox says."""
        items = [
            _Item(
                offering_id=d["id"],
                version=d["version"],
                op="upsert" if d["provenance"]["status"] == "active" else "delete",
            )
            for d in self.catalogue.offering_documents(list(offering_ids)).values()
        ]
        try:
            written = self._write_current(items, index=index, refresh=refresh)
        except _Stop as stop:
            self._settle(stop.written, DrainStats())
            raise SearchUnavailable(str(stop)) from stop
        self._settle(written, DrainStats())
        return written

    # rebuilding -----------------------------------------------------------------------------
    def ensure_current_format(self) -> bool:
        """Rebuild the index if an older build_document wrote it. True if it rebuilt."""
        if self.backend.document_format() == DOCUMENT_FORMAT:
            return False
        log.info("search index format differs from %s: rebuilding", DOCUMENT_FORMAT)
        self.rebuild()
        return True

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Fill the index again from the catalogue's active offerings; returns how many.
        `progress(indexed so far)` is called after each batch."""
        return self.rebuild_with_stats(progress).indexed

    def rebuild_with_stats(self, progress: Callable[[int], None] | None = None) -> RebuildStats:
        if not self._rebuild_lock.acquire(blocking=False):
            raise Conflict("a rebuild of the search index is already running in this process")
        try:
            self._beat("rebuilding")
            stats = self._rebuild(progress)
        finally:
            self._rebuild_lock.release()
            # Back to what the last drain left.
            self._beat("stalled" if self._stalled else "idle", detail=self._stalled)
        self._unprepared = None
        return stats

    def _fill(self, progress, *, index: str | None, refresh: Refresh | None) -> RebuildStats:
        stats = RebuildStats(index=index)
        batch: list[dict] = []

        def flush() -> None:
            written = _Written()
            documents = [d for d in (self._document(raw, written) for raw in batch) if d]
            try:
                self._write(documents, (), written, index=index, refresh=refresh)
            except _Stop as stop:
                self._settle(stop.written, stats)
                raise SearchUnavailable(f"the rebuild stopped: {stop}") from stop
            self._settle(written, stats)
            stats.failed_ids.extend(f.offering_id for f in written.failures)
            batch.clear()
            self._beat("rebuilding")  # renewed while the rebuild lasts
            if progress is not None:
                progress(stats.indexed)

        for raw in self.catalogue.iter_active_offering_documents(self.batch_size):
            batch.append(raw)
            if len(batch) >= self.batch_size:
                flush()
        if batch:
            flush()
        return stats

    def _rebuild(self, progress) -> RebuildStats:
        since = utcnow() - CLOCK_ALLOWANCE
        mark = self.records.outbox_mark()
        target = self.backend.begin_rebuild()
        try:
            stats = self._fill(progress, index=target.index, refresh=target.fill_refresh)
            changed: list[str] = []
            if target.beside_live_index:
                # What changed while it ran: written again as the catalogue holds it now.
                changed = self.records.offerings_with_index_work_since(since, mark)
                self._rewrite_all(changed, stats, index=target.index, refresh=False)
            target.finish(DOCUMENT_FORMAT)
        except BaseException:
            target.discard()
            raise
        if target.beside_live_index:
            self._go_live(target, stats, changed, since, mark)
        self.records.resolve_all_dead_letters(except_ids=stats.failed_ids)
        log.info(
            "rebuilt %s: %s offerings, %s caught up; dropped %s",
            target.index or "the index in place",
            stats.indexed,
            stats.caught_up,
            ", ".join(stats.dropped) or "nothing",
        )
        return stats

    def _go_live(
        self,
        target: RebuildTarget,
        stats: RebuildStats,
        changed: list[str],
        since: datetime,
        mark: int,
    ) -> None:
        stats.dropped = target.go_live()
        # Drains that wrote to the old index between the catch-up and the move: their
        # offerings are written again, now into the live index, which is the new one.
        changed_too = self.records.offerings_with_index_work_since(since, mark)
        try:
            self._rewrite_all(changed_too, stats)
        except SearchUnavailable as exc:
            # Rare (the engine went away within moments of the move), but then changes
            # made during the move may be missing from the new index: say so plainly.
            raise SearchUnavailable(
                f"the rebuild moved the live index to {target.index} but could not write "
                f"again the offerings changed meanwhile ({exc}); run `microcred reindex` "
                f"again when the engine is back (the old index {', '.join(stats.dropped)} "
                f"was kept)",
                detail=exc.detail,
            ) from exc
        stats.caught_up = len(set(changed) | set(changed_too))
        self.drain()
        if stats.dropped:
            self.sleep(self.drop_grace_seconds)
        for old in stats.dropped:
            target.drop(old)

    def _rewrite_all(
        self,
        offering_ids: Sequence[str],
        stats: RebuildStats,
        *,
        index: str | None = None,
        refresh: Refresh | None = None,
    ) -> None:
        for start in range(0, len(offering_ids), self.batch_size):
            written = self._rewrite(
                offering_ids[start : start + self.batch_size], index=index, refresh=refresh
            )
            stats.failed_ids.extend(f.offering_id for f in written.failures)

    # status ---------------------------------------------------------------------------------
    def status(self) -> IndexStatus:
        """For /healthz: the outbox lag, the open dead letters and what the indexers of
        every process do (from their live heartbeats): rebuilding or draining if any one
        is; stalled if work is pending and the newest drain anywhere stopped for want of
        an engine."""
        pending, oldest = self.catalogue.index_lag()
        beats = self.heartbeats.live()
        states = {b.state for b in beats}
        newest = max(
            (b for b in beats if b.drained_at is not None),
            key=lambda b: cast(datetime, b.drained_at),
            default=None,
        )
        stalled = newest.detail if newest is not None and newest.state == "stalled" else None
        if self._rebuild_lock.locked() or "rebuilding" in states:
            state = "rebuilding"
        elif self._draining or "draining" in states:
            state = "draining"
        elif stalled is not None and pending:
            state = "stalled"
        elif pending:
            state = "pending"
        else:
            state = "current"
        return IndexStatus(
            pending=pending,
            oldest_pending=oldest,
            dead_letters=self.records.dead_letter_count(),
            state=state,
            detail=stalled if state == "stalled" else None,
        )


@dataclass(frozen=True)
class _Item:
    offering_id: str
    version: int
    op: str

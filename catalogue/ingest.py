"""The one ingest path every channel ends in: store the raw bytes, read, normalise, apply.

Applying a submission is one transaction: offerings, their versions, the index outbox and
the run report commit together or not at all, so a failure leaves the catalogue exactly as
it was before. The raw submission is committed first, on its own, so nothing a provider
sent is ever lost, even when its processing fails.

Any number of workers, in any number of processes, may process submissions. A worker claims
one (a conditional UPDATE: on PostgreSQL under an advisory lock, with FOR UPDATE SKIP
LOCKED; on SQLite one statement under the database's write lock), which records the worker,
a token and a lease expiry; a thread renews the lease while the worker reads, normalises and
applies. A submission whose lease ran out (its worker died) is claimed again by the next
worker; every outcome (applied, held, failed) is written only if the claim's token is still
the submission's, in the same transaction as the offerings, so a worker that lost its lease
but finishes anyway changes nothing. Claims go in order of arrival, and never to a provider
another live claim is working on, so one provider's feeds are applied in the order sent.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any, NamedTuple

import orjson
from sqlalchemy import and_, bindparam, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from catalogue.changes import number_changes
from catalogue.coordination import process_name
from catalogue.errors import Conflict, FeedRejected, InvalidRequest, NotFound
from catalogue.models import (
    IngestIssueRow,
    IngestRunRow,
    OfferingRow,
    OfferingVersionRow,
    OutboxRow,
    ProviderRow,
    SubmissionRow,
)
from catalogue.normalise_pool import normalise_pool
from catalogue.preview import preview_rows
from catalogue.store import Catalogue, chunks, offering_key, utcnow
from normaliser.issues import Issue, IssueCode, Severity
from normaliser.normalise import NormaliseContext, normalise_record
from normaliser.rates import RateTable
from normaliser.readers.base import (
    DEFAULT_LIMITS,
    RECORD_FIELD,
    FeedFormatError,
    FeedReadResult,
    ReadLimits,
    with_context_defaults,
)
from normaliser.readers.registry import check_format_name
from normaliser.readers.storable_text import storable

log = logging.getLogger(__name__)


class IngestMode(StrEnum):
    SNAPSHOT = "snapshot"  # the feed is complete: offerings missing from it are withdrawn
    DELTA = "delta"  # the feed holds changes only: nothing is withdrawn


# A reader turns bytes (and an optional format name) into raw records within the limits, or
# raises FeedFormatError.
FeedReader = Callable[[bytes, str | None, ReadLimits], FeedReadResult]


class SubmissionStatus(StrEnum):
    RECEIVED = "received"  # stored, waiting to be processed
    PROCESSING = "processing"
    APPLIED = "applied"
    FAILED = "failed"  # unreadable, or applying it failed and was rolled back
    HELD = "held"  # a snapshot that would withdraw too much: waits for confirmation
    DISCARDED = "discarded"  # a held submission its provider chose not to apply


@dataclass
class ReportedIssue:
    locator: str | None
    record_id: str | None
    field: str
    code: str
    severity: str
    message: str
    value: str | None = None

    def describe(self) -> str:
        where = ", ".join(
            x for x in (self.locator, f"id {self.record_id}" if self.record_id else None) if x
        )
        value = f" (value: {self.value!r})" if self.value else ""
        return f"{self.severity.upper()} [{where or 'feed'}] {self.field}: {self.message}{value}"


@dataclass
class IngestReport:
    submission_id: int
    provider_id: str
    mode: str
    status: str = "applied"  # applied | failed | held; "dry_run" for validate()
    run_id: int | None = None
    records: int = 0
    accepted: int = 0
    rejected: int = 0
    warned: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    withdrawn_ids: list[str] = field(default_factory=list)
    # A held snapshot: how many active offerings it would withdraw, and of how many.
    held_withdrawals: int = 0
    active_before: int = 0
    error: str | None = None
    issues: list[ReportedIssue] = field(default_factory=list)
    # A dry run's first rows as written and as normalised (catalogue.preview).
    preview: list[dict] = field(default_factory=list)

    @property
    def errors(self) -> list[ReportedIssue]:
        return [i for i in self.issues if i.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[ReportedIssue]:
        return [i for i in self.issues if i.severity == Severity.WARNING]


@dataclass(frozen=True)
class Claim:
    """A worker's hold on one submission: only the holder of `token` records its outcome."""

    submission_id: int
    token: str
    worker: str


class ClaimLost(Exception):  # noqa: N818 - a signal inside ingest, not an error
    """Another worker took the submission after this claim's lease ran out."""


# Any fixed 64-bit number, the same in every process: claims on PostgreSQL take it in turn.
_CLAIM_LOCK = 0x6D6963726F636C6D  # "microclm"
# A submission claimed this many times without an outcome (its worker died each time: a
# feed that takes the process down) is failed instead of claimed again.
MAX_CLAIMS = 3


def content_hash(document: dict) -> str:
    """sha256 of the normalised document in canonical JSON (sorted keys)."""
    return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()


class ExistingOffering(NamedTuple):
    """What a feed is compared with: one of the provider's offerings as stored."""

    id: str
    provider_offering_id: str
    version: int
    content_hash: str
    status: str


@dataclass
class _Accepted:
    provider_offering_id: str
    url: str | None
    document: dict  # the normalised offering in its stored JSON form
    locator: str


# Below this many records a feed is normalised in-process: starting workers costs more.
PARALLEL_THRESHOLD = 2000


def normalise_batch(
    batch: list[tuple[dict, list[dict]]], context: NormaliseContext
) -> list[tuple[dict | None, list[Issue]]]:
    """Normalise (fields, instances) pairs; each result is the stored JSON form (or None) and
    the issues. Top-level so a worker process can run it."""
    out = []
    for fields, instances in batch:
        offering, issues = normalise_record(fields, context, instances)
        out.append(
            (offering.model_dump(mode="json", exclude_none=True) if offering else None, issues)
        )
    return out


# From this size on, validate() reads and normalises a feed in a worker process.
OFF_PROCESS_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class FeedCheck:
    """Reading, normalising and comparing a feed with what a provider has: pure, so a worker
    process can run it (validate() sends large feeds there)."""

    reader: FeedReader
    limits: ReadLimits
    withdraw_guard_share: float

    def dry_run(
        self,
        provider_id: str,
        content: bytes,
        format: str | None,
        mode: IngestMode,
        context: NormaliseContext,
        existing: dict,
    ) -> IngestReport:
        report = IngestReport(
            submission_id=0, provider_id=provider_id, mode=mode.value, status="dry_run"
        )
        try:
            feed = self.reader(content, format, self.limits)
            accepted = normalise_feed(feed, context, report)
        except FeedFormatError as exc:
            report.status, report.error = "failed", f"The feed could not be read: {exc}"
            return report
        except Exception as exc:  # noqa: BLE001 - a fault of ours, said as one, not a 500
            log.exception("validating a feed of %s failed", provider_id)
            report.status, report.error = "failed", _unexpected("reading", exc)
            report.issues = []
            return report
        present_ids = {r.record_id for r in feed.records if r.record_id}
        diff = _diff(existing, accepted, present_ids, mode, feed.withdrawn_ids)
        report.created, report.updated = len(diff.new), len(diff.changed)
        report.unchanged = len(diff.unchanged)
        report.withdrawn, report.withdrawn_ids = len(diff.withdrawn), [p for p, _ in diff.withdrawn]
        hold_withdrawals(report, existing, diff, share=self.withdraw_guard_share, confirmed=False)
        report.preview = preview_rows(
            feed.records, {a.locator: a.document for a in accepted}, report.issues
        )
        return report


def normalise_feed(
    feed: FeedReadResult,
    context: NormaliseContext,
    report: IngestReport,
    normalise_all: Callable[
        [list[tuple[dict, list[dict]]], NormaliseContext], list[tuple[dict | None, list[Issue]]]
    ] = normalise_batch,
) -> list[_Accepted]:
    """The records of a read feed, normalised and checked; the report counts them and gets
    every issue. `normalise_all` normalises (fields, instances) pairs (in worker processes,
    or here)."""
    # What the source format implies (a mapping profile's currency) fills only the gaps
    # the provider's own settings leave.
    context = with_context_defaults(context, feed.defaults)
    report.issues.extend(_report_issues(feed.issues, None, None))
    accepted: list[_Accepted] = []
    first_seen_at: dict[str | None, str] = {}
    report.records = len(feed.records)
    readable = [r for r in feed.records if not any(i.severity == Severity.ERROR for i in r.issues)]
    normalised = dict(
        zip(
            (id(r) for r in readable),
            normalise_all([(r.fields, r.instances) for r in readable], context),
            strict=True,
        )
    )
    for record in feed.records:
        record_id = record.record_id
        issues = list(record.issues)
        offering = None
        if id(record) in normalised:
            offering, record_issues = normalised[id(record)]
            issues.extend(record_issues)
            if offering is not None and record.extra:
                _keep_extra(offering, record.extra)
        if offering is not None and record_id in first_seen_at:
            issues.append(
                Issue.error(
                    "id",
                    IssueCode.INVALID,
                    f"id {record_id!r} appears again; it was first used at "
                    f"{first_seen_at[record_id]}. Each offering needs its own id.",
                    record_id,
                )
            )
        url = _check_lengths(offering, issues) if offering is not None else None
        if any(i.severity == Severity.ERROR for i in issues):
            offering = None
        report.issues.extend(_report_issues(issues, record.locator, record_id))
        if offering is None:
            report.rejected += 1
            continue
        first_seen_at[record_id] = record.locator
        report.accepted += 1
        if any(i.severity == Severity.WARNING for i in issues):
            report.warned += 1
        accepted.append(_Accepted(offering["provider_offering_id"], url, offering, record.locator))
    return accepted


def hold_withdrawals(
    report: IngestReport, existing: dict, diff: _Diff, *, share: float, confirmed: bool
) -> bool:
    """True (and the report says why) when a snapshot would withdraw more than the
    allowed share of the provider's active offerings: usually a truncated export or the
    wrong file, not a provider closing most of its catalogue."""
    active = sum(1 for row in existing.values() if row.status == "active")
    # A delta withdraws only ids it names on purpose: no accident of truncation.
    if (
        confirmed
        or report.mode == IngestMode.DELTA.value
        or not diff.withdrawn
        or len(diff.withdrawn) <= share * active
    ):
        return False
    report.held_withdrawals, report.active_before = len(diff.withdrawn), active
    report.issues.append(
        ReportedIssue(
            locator=None,
            record_id=None,
            field=RECORD_FIELD,
            code=IssueCode.INVALID.value,
            severity=Severity.WARNING.value,
            message=(
                f"This snapshot would withdraw {len(diff.withdrawn)} of your {active} active "
                f"offerings, more than {share:.0%}. It is held, not "
                f"applied: confirm the submission if that is what you meant, or send the "
                f"complete feed (or a delta) instead."
            ),
            value="; ".join(poid for poid, _ in diff.withdrawn[:20]),
        )
    )
    return True


class IngestService:
    def __init__(
        self,
        catalogue: Catalogue,
        reader: FeedReader,
        *,
        ref_currency: str = "EUR",
        rates: RateTable | None = None,
        workers: int = 1,
        max_feed_bytes: int = 50 * 1024 * 1024,
        limits: ReadLimits = DEFAULT_LIMITS,
        withdraw_guard_share: float = 0.5,
        lease_seconds: float = 60.0,
        worker_id: str | None = None,
        check_format: Callable[[str], str] | None = None,
    ) -> None:
        """`check_format`: a format name a request gives, normalised, or FeedFormatError
        (default: the registry's, which knows the bundled profiles only). `lease_seconds`: how long a claim on a submission holds without renewal (it is
        renewed every third of that while the worker works on it), and so how soon the
        submission of a worker that died is taken up by another. `worker_id` names this
        service's claims (default: host, process id and a random part)."""
        self.catalogue = catalogue
        self.lease_seconds = lease_seconds
        self.worker_id = worker_id or process_name()
        self.reader = reader
        self.check_format = check_format or check_format_name
        self.ref_currency = ref_currency
        self.rates = rates or RateTable.load_default()
        self.workers = workers
        self.max_feed_bytes = max_feed_bytes
        self.limits = limits
        self.withdraw_guard_share = withdraw_guard_share
        self._pool: ProcessPoolExecutor | None = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def _worker_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = normalise_pool(self.workers)
        return self._pool

    def _normalise_all(self, batch: list[tuple[dict, list[dict]]], context: NormaliseContext):
        if self.workers < 2 or len(batch) < PARALLEL_THRESHOLD:
            return normalise_batch(batch, context)
        pool = self._worker_pool()
        size = -(-len(batch) // (self.workers * 4))
        slices = [batch[i : i + size] for i in range(0, len(batch), size)]
        results = []
        for part in pool.map(normalise_batch, slices, [context] * len(slices)):
            results.extend(part)
        return results

    # public ----------------------------------------------------------------------
    def submit(
        self,
        provider_id: str,
        content: bytes,
        *,
        format: str | None = None,
        mode: IngestMode | str = IngestMode.SNAPSHOT,
        channel: str = "cli",
        filename: str | None = None,
        source_url: str | None = None,
        source_id: int | None = None,
        confirm_withdrawals: bool = False,
    ) -> IngestReport:
        """Store `content` as a submission of `provider_id`, then process it."""
        submission_id = self.store_submission(
            provider_id,
            content,
            format=format,
            mode=mode,
            channel=channel,
            filename=filename,
            source_url=source_url,
            source_id=source_id,
            confirm_withdrawals=confirm_withdrawals,
        )
        return self.process(submission_id)

    def store_submission(
        self,
        provider_id: str,
        content: bytes,
        *,
        format: str | None,
        mode: IngestMode | str,
        channel: str,
        filename: str | None = None,
        source_url: str | None = None,
        source_id: int | None = None,
        idempotency_key: str | None = None,
        api_key_id: int | None = None,
        confirm_withdrawals: bool = False,
    ) -> int:
        """Keep the raw bytes; nothing is parsed yet. Returns the submission id."""
        return self.receive(
            provider_id,
            content,
            format=format,
            mode=mode,
            channel=channel,
            filename=filename,
            source_url=source_url,
            source_id=source_id,
            idempotency_key=idempotency_key,
            api_key_id=api_key_id,
            confirm_withdrawals=confirm_withdrawals,
        )[0]

    def receive(
        self,
        provider_id: str,
        content: bytes,
        *,
        format: str | None,
        mode: IngestMode | str,
        channel: str,
        filename: str | None = None,
        source_url: str | None = None,
        source_id: int | None = None,
        idempotency_key: str | None = None,
        api_key_id: int | None = None,
        confirm_withdrawals: bool = False,
    ) -> tuple[int, bool]:
        """Store a submission: (its id, whether it was a replay). With an `idempotency_key`
        the provider has used before for the same bytes, the earlier submission comes back
        and nothing new is stored."""
        mode = self._mode(mode)
        self.catalogue.provider_row(provider_id)  # raises NotFound with a hint
        self.check_size(len(content))
        key_length = SubmissionRow.idempotency_key.type.length
        if idempotency_key is not None and len(idempotency_key) > key_length:
            raise InvalidRequest(
                f"an Idempotency-Key is at most {key_length} characters",
                parameter="Idempotency-Key",
            )
        digest = hashlib.sha256(content).hexdigest()
        if idempotency_key is not None:
            earlier = self._by_idempotency_key(provider_id, idempotency_key)
            if earlier is not None:
                return self._replayed(earlier, digest, idempotency_key), True
        try:
            with self.catalogue.sessions.begin() as session:
                row = SubmissionRow(
                    provider_id=provider_id,
                    source_id=source_id,
                    channel=channel,
                    format=format,
                    mode=mode.value,
                    filename=_fits(SubmissionRow.filename, filename),
                    source_url=_fits(SubmissionRow.source_url, source_url),
                    content=content,
                    sha256=digest,
                    size=len(content),
                    received_at=utcnow(),
                    status=SubmissionStatus.RECEIVED.value,
                    idempotency_key=idempotency_key,
                    api_key_id=api_key_id,
                    confirmed_withdrawals=confirm_withdrawals,
                )
                session.add(row)
                session.flush()
                return row.id, False
        except IntegrityError:
            # Two requests with the same key raced; the other one stored first.
            earlier = self._by_idempotency_key(provider_id, idempotency_key)
            if earlier is None:
                raise
            return self._replayed(earlier, digest, idempotency_key), True

    def check_size(self, size: int) -> None:
        if size > self.max_feed_bytes:
            raise FeedRejected(
                f"the feed is {size:,} bytes, over the limit of {self.max_feed_bytes:,}; "
                f"split it into delta feeds or raise MICROCRED_MAX_FEED_BYTES"
            )

    def _by_idempotency_key(self, provider_id: str, key: str | None) -> tuple[int, str] | None:
        with self.catalogue.engine.connect() as conn:
            row = conn.execute(
                select(SubmissionRow.id, SubmissionRow.sha256).where(
                    SubmissionRow.provider_id == provider_id, SubmissionRow.idempotency_key == key
                )
            ).first()
        return (row.id, row.sha256) if row else None

    @staticmethod
    def _replayed(earlier: tuple[int, str], digest: str, key: str | None) -> int:
        submission_id, earlier_digest = earlier
        if earlier_digest != digest:
            raise Conflict(
                f"Idempotency-Key {key!r} was already used for submission "
                f"{submission_id} with a different body; use a new key for new content"
            )
        return submission_id

    def process(self, submission_id: int) -> IngestReport:
        """Read, normalise and apply a stored submission. Never raises for bad content:
        the report says what happened. A submission already processed (or being processed
        by another worker) is not applied twice: its stored report comes back."""
        claim = self._claim(submission_id)
        if claim is None:
            return self.report_for(submission_id)
        return self.process_claim(claim)

    def process_claim(self, claim: Claim) -> IngestReport:
        """Process a claimed submission, renewing the lease meanwhile. If the lease was lost
        to another worker, nothing is recorded and the stored report comes back."""
        with _LeaseKeeper(self, claim) as lease:
            try:
                return self._process(claim, lease)
            except ClaimLost:
                log.warning(
                    "submission %s was taken by another worker after the lease of %s "
                    "ran out; this worker's outcome is dropped",
                    claim.submission_id,
                    claim.worker,
                )
                return self.report_for(claim.submission_id)

    def _process(self, claim: Claim, lease: _LeaseKeeper) -> IngestReport:
        submission_id = claim.submission_id
        submission = self.catalogue.get_submission(submission_id)
        provider = self.catalogue.provider_row(submission.provider_id)
        report = IngestReport(
            submission_id=submission_id, provider_id=provider.id, mode=submission.mode
        )
        started = utcnow()
        # Every way out of reading and normalising ends the submission: a fault of ours in a
        # reader must not leave it `processing`, to be claimed again at every start.
        try:
            feed = self.reader(submission.content, submission.format, self.limits)
        except FeedFormatError as exc:
            report.status, report.error = "failed", f"The feed could not be read: {exc}"
            self._record_failure(claim, submission, report, started)
            return report
        except Exception as exc:  # noqa: BLE001 - reported and logged, never re-raised
            log.exception("reading submission %s failed", submission_id)
            report.status, report.error = "failed", _unexpected("reading", exc)
            self._record_failure(claim, submission, report, started)
            return report
        try:
            accepted = self._normalise(feed, provider, report)
        except Exception as exc:  # noqa: BLE001 - reported and logged, never re-raised
            log.exception("normalising submission %s failed", submission_id)
            report.status, report.error = "failed", _unexpected("normalising", exc)
            report.issues = []
            self._record_failure(claim, submission, report, started)
            return report
        # Ids of rejected records still count as present for snapshot withdrawal:
        # a record we could not read this time keeps its last good version.
        present_ids = {r.record_id for r in feed.records if r.record_id}
        lease.check()
        try:
            self._apply(
                claim,
                submission,
                accepted,
                present_ids,
                report,
                started,
                withdraw_ids=feed.withdrawn_ids,
            )
        except ClaimLost:
            raise
        except Exception as exc:
            # The transaction rolled back: the catalogue is as it was. Keep the cause.
            log.exception("applying submission %s failed", submission_id)
            report.status, report.error = (
                "failed",
                f"Applying the feed failed and was rolled back: {exc}",
            )
            report.created = report.updated = report.unchanged = report.withdrawn = 0
            report.withdrawn_ids = []
            self._record_failure(claim, submission, report, started)
        return report

    def validate(
        self,
        provider_id: str,
        content: bytes,
        *,
        format: str | None = None,
        mode: IngestMode | str = IngestMode.SNAPSHOT,
    ) -> IngestReport:
        """The check `process` makes, as a dry run: what would be created, updated and
        withdrawn, and every issue. Nothing is stored.

        A large feed is checked in one of the normaliser's worker processes: reading and
        normalising it here would hold this process's interpreter lock for a minute, and
        every request the process serves meanwhile would wait for it."""
        mode = self._mode(mode)
        provider = self.catalogue.provider_row(provider_id)
        self.check_size(len(content))
        with self.catalogue.engine.connect() as conn:
            existing = self._existing(conn, provider_id)
        check = FeedCheck(self.reader, self.limits, self.withdraw_guard_share)
        context = self._context(provider)
        if self.workers >= 2 and len(content) >= OFF_PROCESS_BYTES:
            return (
                self._worker_pool()
                .submit(check.dry_run, provider_id, content, format, mode, context, existing)
                .result()
            )
        return check.dry_run(provider_id, content, format, mode, context, existing)

    def confirm(self, submission_id: int, provider_id: str) -> IngestReport:
        """Apply a held snapshot, withdrawals and all."""
        self.release_held(submission_id, provider_id)
        return self.process(submission_id)

    def release_held(self, submission_id: int, provider_id: str) -> None:
        """Mark a held snapshot confirmed and waiting, for a background worker to apply."""
        self._transition(
            submission_id,
            provider_id,
            SubmissionStatus.HELD,
            SubmissionStatus.RECEIVED,
            confirmed_withdrawals=True,
            claims=0,
        )

    def retry(self, submission_id: int) -> IngestReport:
        """Process a failed submission again (after the fault that failed it is fixed)."""
        submission = self.catalogue.get_submission(submission_id)
        self._transition(
            submission_id,
            submission.provider_id,
            SubmissionStatus.FAILED,
            SubmissionStatus.RECEIVED,
            claims=0,
        )
        return self.process(submission_id)

    def discard(self, submission_id: int, provider_id: str) -> None:
        """Drop a held snapshot: nothing from it is applied; its bytes and report stay."""
        self._transition(
            submission_id, provider_id, SubmissionStatus.HELD, SubmissionStatus.DISCARDED
        )

    def withdraw_offering(self, provider_id: str, offering_id: str) -> str:
        """Withdraw one offering of `provider_id` (by our id or the provider's own).
        Returns its public id. Withdrawing a withdrawn offering changes nothing."""
        now = utcnow()
        with self.catalogue.engine.begin() as conn:
            _lock_provider(conn, provider_id)
            row = conn.execute(
                select(
                    OfferingRow.id,
                    OfferingRow.version,
                    OfferingRow.status,
                    OfferingRow.content_hash,
                    OfferingRow.document,
                ).where(
                    OfferingRow.provider_id == provider_id,
                    (OfferingRow.id == offering_id)
                    | (OfferingRow.provider_offering_id == offering_id),
                )
            ).first()
            if row is None:
                raise NotFound(f"provider {provider_id!r} has no offering {offering_id!r}")
            if row.status == "withdrawn":
                return row.id
            version_row, outbox_row = _withdraw(
                conn, row, row.document, submission_id=None, now=now
            )
            number_changes(conn, [version_row])
            conn.execute(insert(OfferingVersionRow).values(**version_row))
            conn.execute(insert(OutboxRow).values(**outbox_row))
        return row.id

    def waiting_submissions(self) -> list[int]:
        """Submissions a worker may claim: received, or left processing by a worker whose
        lease ran out. In order of arrival."""
        with self.catalogue.engine.connect() as conn:
            return list(
                conn.execute(
                    select(SubmissionRow.id).where(_claimable(utcnow())).order_by(SubmissionRow.id)
                ).scalars()
            )

    def claim_next(self, worker: str | None = None) -> Claim | None:
        """Claim the oldest submission waiting whose provider no live claim is working on;
        None when there is none. Atomic: two workers never get the same one."""
        worker = worker or self.worker_id
        token = uuid.uuid4().hex
        now = utcnow()
        with self.catalogue.engine.begin() as conn:
            postgres = conn.dialect.name == "postgresql"
            if postgres:
                # One claim at a time: SKIP LOCKED alone would let two claims, each not yet
                # seeing the other's, take two feeds of one provider; the lock is held for
                # one short transaction. SKIP LOCKED still passes over a row another
                # transaction is finishing.
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CLAIM_LOCK})
            self._fail_repeatedly_interrupted(conn, now)
            # Aliases: a subquery on `submissions` inside an UPDATE of `submissions` would
            # otherwise be correlated to the row being updated.
            busy = (
                select(_OTHER.id)
                .where(
                    _OTHER.provider_id == _CANDIDATE.provider_id,
                    _OTHER.status == SubmissionStatus.PROCESSING.value,
                    _OTHER.lease_expires_at > now,
                )
                .exists()
            )
            candidate = (
                select(_CANDIDATE.id)
                .where(_claimable(now, _CANDIDATE), ~busy)
                .order_by(_CANDIDATE.id)
                .limit(1)
            )
            if postgres:
                candidate = candidate.with_for_update(skip_locked=True)
            submission_id = conn.execute(
                update(SubmissionRow)
                .where(SubmissionRow.id == candidate.scalar_subquery(), _claimable(now))
                .values(self._claim_values(worker, token, now))
                .returning(SubmissionRow.id)
            ).scalar()
        return None if submission_id is None else Claim(submission_id, token, worker)

    def report_for(self, submission_id: int) -> IngestReport:
        """The report of a submission's newest run, as stored."""
        submission = self.catalogue.get_submission(submission_id)
        report = IngestReport(
            submission_id=submission_id,
            provider_id=submission.provider_id,
            mode=submission.mode,
            status=submission.status,
            error=submission.error,
        )
        runs = self.catalogue.runs_for_submission(submission_id)
        if not runs:
            return report
        run = max(runs, key=lambda r: r.id)
        report.run_id = run.id
        for name in (
            "records",
            "accepted",
            "rejected",
            "warned",
            "created",
            "updated",
            "unchanged",
        ):
            setattr(report, name, getattr(run, name))
        if run.status == SubmissionStatus.HELD:
            report.held_withdrawals = run.withdrawn
            # A held snapshot changed nothing, so the provider's active offerings now are
            # the ones it was measured against (the run does not store that count).
            with self.catalogue.engine.connect() as conn:
                report.active_before = (
                    conn.scalar(
                        select(func.count())
                        .select_from(OfferingRow)
                        .where(
                            OfferingRow.provider_id == submission.provider_id,
                            OfferingRow.status == "active",
                        )
                    )
                    or 0
                )
        else:
            report.withdrawn = run.withdrawn
            report.withdrawn_ids = self.catalogue.withdrawn_by_submission(submission_id)
        report.issues = [
            ReportedIssue(
                locator=i.locator,
                record_id=i.record_id,
                field=i.field,
                code=i.code,
                severity=i.severity,
                message=i.message,
                value=i.value,
            )
            for i in self.catalogue.issues_for_run(run.id)
        ]
        return report

    def _claim(self, submission_id: int) -> Claim | None:
        """Claim one submission by id; None if another worker has it or it is done. The
        UPDATE's WHERE makes the claim atomic."""
        token, now = uuid.uuid4().hex, utcnow()
        with self.catalogue.engine.begin() as conn:
            claimed = conn.execute(
                update(SubmissionRow)
                .where(SubmissionRow.id == submission_id, _claimable(now))
                .values(self._claim_values(self.worker_id, token, now))
            ).rowcount
        if not claimed:
            self.catalogue.get_submission(submission_id)  # NotFound for an unknown id
            return None
        return Claim(submission_id, token, self.worker_id)

    def _claim_values(self, worker: str, token: str, now) -> dict:
        return dict(
            status=SubmissionStatus.PROCESSING.value,
            claimed_by=worker[:100],
            claim_token=token,
            claims=SubmissionRow.claims + 1,
            lease_expires_at=now + timedelta(seconds=self.lease_seconds),
        )

    def renew_lease(self, claim: Claim) -> bool:
        """Push the claim's lease on; False if the claim is no longer the submission's."""
        with self.catalogue.engine.begin() as conn:
            return bool(
                conn.execute(
                    update(SubmissionRow)
                    .where(
                        SubmissionRow.id == claim.submission_id,
                        SubmissionRow.claim_token == claim.token,
                        SubmissionRow.status == SubmissionStatus.PROCESSING.value,
                    )
                    .values(lease_expires_at=utcnow() + timedelta(seconds=self.lease_seconds))
                ).rowcount
            )

    @staticmethod
    def _fail_repeatedly_interrupted(conn, now) -> None:
        conn.execute(
            update(SubmissionRow)
            .where(
                SubmissionRow.status == SubmissionStatus.PROCESSING.value,
                _lease_over(now),
                SubmissionRow.claims >= MAX_CLAIMS,
            )
            .values(
                status=SubmissionStatus.FAILED.value,
                lease_expires_at=None,
                error=f"Processing this feed stopped {MAX_CLAIMS} times without an "
                f"outcome (the worker processing it stopped each time, which a "
                f"feed too large for its memory can cause). Check the feed, then "
                f"retry the submission.",
            )
        )

    @staticmethod
    def _finish_claim(conn, claim: Claim, **values) -> None:
        """Record the outcome, if the claim is still the submission's; else ClaimLost, and
        the transaction (offerings, run, outcome) rolls back."""
        done = conn.execute(
            update(SubmissionRow)
            .where(
                SubmissionRow.id == claim.submission_id,
                SubmissionRow.claim_token == claim.token,
                SubmissionRow.status == SubmissionStatus.PROCESSING.value,
            )
            .values(lease_expires_at=None, **values)
        ).rowcount
        if not done:
            raise ClaimLost(claim.submission_id)

    def _transition(
        self,
        submission_id: int,
        provider_id: str,
        before: SubmissionStatus,
        after: SubmissionStatus,
        **values,
    ) -> None:
        submission = self.catalogue.get_submission(submission_id)
        if submission.provider_id != provider_id:
            raise NotFound(f"provider {provider_id!r} has no submission {submission_id}")
        with self.catalogue.engine.begin() as conn:
            changed = conn.execute(
                update(SubmissionRow)
                .where(SubmissionRow.id == submission_id, SubmissionRow.status == before.value)
                .values(status=after.value, **values)
            ).rowcount
        if not changed:
            raise Conflict(
                f"submission {submission_id} is {submission.status}, not "
                f"{before.value}, so it cannot be {_ACTION[after]}"
            )

    # steps -----------------------------------------------------------------------
    @staticmethod
    def _mode(mode: IngestMode | str) -> IngestMode:
        try:
            return IngestMode(mode)
        except ValueError:
            raise InvalidRequest(
                f"mode must be 'snapshot' or 'delta', not {mode!r}", parameter="mode"
            ) from None

    def _context(self, provider: ProviderRow) -> NormaliseContext:
        return NormaliseContext(
            provider_id=provider.id,
            default_currency=provider.default_currency,
            default_country=provider.country,
            default_language=provider.default_language,
            level_framework=provider.level_framework,
            credit_system=provider.credit_system,
            ref_currency=self.ref_currency,
            rates=self.rates,
        )

    def _normalise(
        self, feed: FeedReadResult, provider: ProviderRow, report: IngestReport
    ) -> list[_Accepted]:
        return normalise_feed(feed, self._context(provider), report, self._normalise_all)

    @staticmethod
    def _existing(conn, provider_id: str) -> dict[str, ExistingOffering]:
        return {
            row.provider_offering_id: ExistingOffering(*row)
            for row in conn.execute(
                select(
                    OfferingRow.id,
                    OfferingRow.provider_offering_id,
                    OfferingRow.version,
                    OfferingRow.content_hash,
                    OfferingRow.status,
                ).where(OfferingRow.provider_id == provider_id)
            )
        }

    def _guard(self, report: IngestReport, existing: dict, diff: _Diff, *, confirmed: bool) -> bool:
        return hold_withdrawals(
            report, existing, diff, share=self.withdraw_guard_share, confirmed=confirmed
        )

    def _apply(
        self,
        claim: Claim,
        submission: SubmissionRow,
        accepted: list[_Accepted],
        present_ids: set[str],
        report: IngestReport,
        started,
        *,
        withdraw_ids: list[str] | None = None,
    ) -> None:
        now = utcnow()
        provider_id = submission.provider_id
        with self.catalogue.engine.begin() as conn:
            _lock_provider(conn, provider_id)
            existing = self._existing(conn, provider_id)
            diff = _diff(existing, accepted, present_ids, IngestMode(submission.mode), withdraw_ids)
            if self._guard(report, existing, diff, confirmed=submission.confirmed_withdrawals):
                report.status = SubmissionStatus.HELD.value
                report.run_id = self._insert_run(
                    conn,
                    submission,
                    report,
                    started,
                    status=SubmissionStatus.HELD.value,
                    withdrawn=report.held_withdrawals,
                )
                self._finish_claim(conn, claim, status=SubmissionStatus.HELD.value, error=None)
                return
            inserts, updates, versions, outbox = [], [], [], []
            for item, digest in diff.new:
                oid = offering_key(provider_id, item.provider_offering_id)
                inserts.append(
                    dict(
                        id=oid,
                        provider_id=provider_id,
                        provider_offering_id=item.provider_offering_id,
                        version=1,
                        status="active",
                        content_hash=digest,
                        document=item.document,
                        channel=submission.channel,
                        source_url=item.url or submission.source_url,
                        submission_id=submission.id,
                        first_seen=now,
                        last_seen=now,
                        updated_at=now,
                        withdrawn_at=None,
                    )
                )
                versions.append(
                    dict(
                        offering_id=oid,
                        version=1,
                        status="active",
                        content_hash=digest,
                        document=item.document,
                        submission_id=submission.id,
                        recorded_at=now,
                    )
                )
                outbox.append(dict(offering_id=oid, version=1, op="upsert", created_at=now))
            for item, digest, current in diff.changed:
                oid, version = current.id, current.version + 1
                updates.append(
                    dict(
                        b_id=oid,
                        version=version,
                        status="active",
                        content_hash=digest,
                        document=item.document,
                        channel=submission.channel,
                        source_url=item.url or submission.source_url,
                        submission_id=submission.id,
                        last_seen=now,
                        updated_at=now,
                        withdrawn_at=None,
                    )
                )
                versions.append(
                    dict(
                        offering_id=oid,
                        version=version,
                        status="active",
                        content_hash=digest,
                        document=item.document,
                        submission_id=submission.id,
                        recorded_at=now,
                    )
                )
                outbox.append(dict(offering_id=oid, version=version, op="upsert", created_at=now))
            report.created, report.updated = len(diff.new), len(diff.changed)
            report.unchanged = len(diff.unchanged)
            if inserts:
                conn.execute(insert(OfferingRow), inserts)
            if updates:
                conn.execute(
                    update(OfferingRow).where(OfferingRow.id == bindparam("b_id")), updates
                )

            seen = [
                existing[a.provider_offering_id].id
                for a in accepted
                if a.provider_offering_id in existing
            ]
            for chunk in chunks(seen):
                conn.execute(
                    update(OfferingRow).where(OfferingRow.id.in_(chunk)).values(last_seen=now)
                )

            for poid, row in diff.withdrawn:
                document = conn.execute(
                    select(OfferingRow.document).where(OfferingRow.id == row.id)
                ).scalar_one()
                version_row, outbox_row = _withdraw(
                    conn, row, document, submission_id=submission.id, now=now
                )
                versions.append(version_row)
                outbox.append(outbox_row)
                report.withdrawn += 1
                report.withdrawn_ids.append(poid)
            if versions:
                number_changes(conn, versions)  # last: it serialises writers to the commit
                conn.execute(insert(OfferingVersionRow), versions)
            if outbox:
                conn.execute(insert(OutboxRow), outbox)
            run_id = self._insert_run(conn, submission, report, started, status="applied")
            self._finish_claim(conn, claim, status="applied", error=None)
        report.run_id = run_id

    def _insert_run(
        self,
        conn,
        submission: SubmissionRow,
        report: IngestReport,
        started,
        *,
        status: str,
        withdrawn: int | None = None,
    ) -> int:
        run_id = conn.execute(
            insert(IngestRunRow).values(
                submission_id=submission.id,
                provider_id=submission.provider_id,
                mode=submission.mode,
                started_at=started,
                finished_at=utcnow(),
                status=status,
                records=report.records,
                accepted=report.accepted,
                rejected=report.rejected,
                warned=report.warned,
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
                withdrawn=report.withdrawn if withdrawn is None else withdrawn,
                error=report.error,
            )
        ).inserted_primary_key[0]
        if report.issues:
            conn.execute(
                insert(IngestIssueRow),
                [
                    dict(
                        run_id=run_id,
                        locator=_fits(IngestIssueRow.locator, i.locator),
                        record_id=_fits(IngestIssueRow.record_id, i.record_id),
                        field=_fits(IngestIssueRow.field, i.field),
                        code=_fits(IngestIssueRow.code, i.code),
                        severity=i.severity,
                        message=i.message,
                        value=i.value,
                    )
                    for i in report.issues
                ],
            )
        return run_id

    def _record_failure(
        self, claim: Claim, submission: SubmissionRow, report: IngestReport, started
    ) -> None:
        """End the submission `failed`, in a transaction of its own. If even that fails (the
        failure's own text is what the database refuses), end it with the error alone, so
        no submission is left `processing` for ever."""
        report.error = storable(report.error or "")
        try:
            with self.catalogue.engine.begin() as conn:
                report.run_id = self._insert_run(conn, submission, report, started, status="failed")
                self._finish_claim(conn, claim, status="failed", error=report.error)
        except ClaimLost:
            raise
        except Exception:  # noqa: BLE001 - the fallback below records the outcome
            log.exception(
                "recording the failure of submission %s failed; recording the "
                "error without its issues",
                claim.submission_id,
            )
            report.issues = []
            with self.catalogue.engine.begin() as conn:
                report.run_id = self._insert_run(conn, submission, report, started, status="failed")
                self._finish_claim(conn, claim, status="failed", error=report.error)


_CANDIDATE = aliased(SubmissionRow, name="candidate")
_OTHER = aliased(SubmissionRow, name="other")


def _lease_over(now, row=SubmissionRow):
    # No lease at all: left processing by a worker of a version before leases.
    return or_(row.lease_expires_at.is_(None), row.lease_expires_at <= now)


def _claimable(now, row=SubmissionRow):
    """Received, or left processing by a worker whose lease ran out (and not yet claimed
    so often that it is failed instead)."""
    return or_(
        row.status == SubmissionStatus.RECEIVED.value,
        and_(
            row.status == SubmissionStatus.PROCESSING.value,
            _lease_over(now, row),
            row.claims < MAX_CLAIMS,
        ),
    )


class _LeaseKeeper:
    """Renews a claim's lease every third of its length, in a thread, until the block ends.
    `check()` raises ClaimLost once a renewal found the claim taken."""

    def __init__(self, service: IngestService, claim: Claim) -> None:
        self.service, self.claim = service, claim
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, daemon=True, name=f"lease-{claim.submission_id}"
        )

    def __enter__(self) -> _LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        # Bounded: a renewal in flight may wait on the database (SQLite's busy timeout); past a
        # lease's length the claim is decided anyway, and the daemon thread ends by itself.
        self._thread.join(self.service.lease_seconds)
        if self._thread.is_alive():
            log.warning(
                "the lease renewal of submission %s is still waiting on the database",
                self.claim.submission_id,
            )

    def check(self) -> None:
        if self.lost:
            raise ClaimLost(self.claim.submission_id)

    def _run(self) -> None:
        interval = self.service.lease_seconds / 3
        while not self._stop.wait(interval):
            try:
                if not self.service.renew_lease(self.claim):
                    self.lost = True
                    return
            except Exception as exc:  # noqa: BLE001 - a missed renewal; the next may succeed
                # On SQLite an apply holds the write lock; the renewal waits and may time out.
                log.warning(
                    "renewing the lease on submission %s failed: %s", self.claim.submission_id, exc
                )


_ACTION = {SubmissionStatus.RECEIVED: "processed (again)", SubmissionStatus.DISCARDED: "discarded"}


@dataclass
class _Diff:
    """What applying accepted records to a provider's existing offerings changes."""

    new: list[tuple[_Accepted, str]] = field(default_factory=list)  # (record, content hash)
    # The rows are _existing's: id, provider_offering_id, version, content_hash, status.
    changed: list[tuple[_Accepted, str, Any]] = field(default_factory=list)  # + current row
    unchanged: list[str] = field(default_factory=list)  # provider offering ids
    withdrawn: list[tuple[str, Any]] = field(default_factory=list)  # (provider id, row)


def _diff(
    existing: dict,
    accepted: list[_Accepted],
    present_ids: set[str],
    mode: IngestMode,
    withdraw_ids: list[str] | None = None,
) -> _Diff:
    diff = _Diff()
    for item in accepted:
        digest = content_hash(item.document)
        current = existing.get(item.provider_offering_id)
        if current is None:
            diff.new.append((item, digest))
        elif current.content_hash == digest and current.status == "active":
            diff.unchanged.append(item.provider_offering_id)
        else:
            diff.changed.append((item, digest, current))
    if mode == IngestMode.SNAPSHOT:
        # In code-point order: `existing` comes in whatever order the database scanned it.
        diff.withdrawn = sorted(
            (
                (poid, row)
                for poid, row in existing.items()
                if row.status == "active" and poid not in present_ids
            ),
            key=lambda pair: pair[0],
        )
    elif withdraw_ids:
        # A delta withdraws only what it names (a changes feed's withdrawals).
        named = set(withdraw_ids) - present_ids
        diff.withdrawn = sorted(
            (
                (poid, row)
                for poid, row in existing.items()
                if row.status == "active" and poid in named
            ),
            key=lambda pair: pair[0],
        )
    return diff


def _report_issues(
    issues: Iterable[Issue], locator: str | None, record_id: str | None
) -> list[ReportedIssue]:
    return [
        ReportedIssue(
            locator=locator,
            record_id=record_id,
            field=i.field,
            code=i.code.value,
            severity=i.severity.value,
            message=i.message,
            value=i.value,
        )
        for i in issues
    ]


def _unexpected(step: str, exc: BaseException) -> str:
    """The reason a provider sees when a fault of ours stopped `step`: it says so, and names
    the error for the operator's log search."""
    return (
        f"The feed could not be processed: {step} it failed with an internal error "
        f"({type(exc).__name__}: {str(exc)[:300]}); this is a fault of the catalogue, not "
        "necessarily of the feed, and the operator has it in the log"
    )


def _withdraw(conn, row, document, *, submission_id: int | None, now) -> tuple[dict, dict]:
    """Mark the offering `row` (its id, version and content hash) withdrawn, one version on;
    returns the offering_versions and index_outbox rows that record it, for the caller to
    insert (one, or a snapshot's all together)."""
    version = row.version + 1
    conn.execute(
        update(OfferingRow)
        .where(OfferingRow.id == row.id)
        .values(status="withdrawn", version=version, withdrawn_at=now, updated_at=now)
    )
    return (
        dict(
            offering_id=row.id,
            version=version,
            status="withdrawn",
            content_hash=row.content_hash,
            document=document,
            submission_id=submission_id,
            recorded_at=now,
        ),
        dict(offering_id=row.id, version=version, op="delete", created_at=now),
    )


def _lock_provider(conn, provider_id: str) -> None:
    """Serialise changes to one provider's offerings, first thing in the transaction. Two
    writers applying feeds of one provider (the API's worker and the scheduler, or the CLI)
    would otherwise both read the same versions and collide on them, failing one run."""
    if conn.dialect.name == "sqlite":
        # SQLite has no row locks, and Python's sqlite3 only begins a transaction at the
        # first write, so reads before it see no lock. A write that changes nothing takes
        # the database's write lock now; another writer waits for it (busy_timeout).
        conn.execute(
            update(ProviderRow).where(ProviderRow.id == provider_id).values(id=ProviderRow.id)
        )
        return
    conn.execute(select(ProviderRow.id).where(ProviderRow.id == provider_id).with_for_update())


def _keep_extra(offering: dict, extra: dict) -> None:
    """Values the format does not map (a column a mapping profile leaves alone, such as the
    institution behind an edX course) are still what the provider wrote: they go into the
    offering's `raw` under their own names, where nothing already sits, so the offering page
    shows them and duplicate detection can read the institution."""
    raw = offering.setdefault("raw", {})
    for name, value in extra.items():
        written = "; ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        if written.strip() and str(name) not in raw:
            raw[str(name)] = written


def _fits(column, value: str | None) -> str | None:
    """`value` cut to the declared length of `column`. PostgreSQL refuses a longer string
    where SQLite keeps it whole, so text a provider chose that is only a note (a file name,
    a record id in a report) is cut here, the same on both, instead of failing the write."""
    length = column.type.length
    if value is None or length is None or len(value) <= length:
        return value
    return value[: length - 1] + "…"


def _check_lengths(offering: dict, issues: list[Issue]) -> str | None:
    """Record ids longer than the catalogue keeps are refused (the id is the key, so it
    cannot be cut); an over-long URL is left out of the offering's provenance. Returns the
    URL to keep."""
    record_id = offering["provider_offering_id"]
    id_length = OfferingRow.provider_offering_id.type.length
    if len(record_id) > id_length:
        issues.append(
            Issue.error(
                "id",
                IssueCode.INVALID,
                f"the id is {len(record_id)} characters long; ids can be at most {id_length}. "
                f"Use a shorter, stable id for this offering.",
                record_id[:id_length] + "…",
            )
        )
    url = offering.get("url")
    url_length = OfferingRow.source_url.type.length
    if url is not None and len(url) > url_length:
        issues.append(
            Issue.warning(
                "url",
                IssueCode.INVALID,
                f"the URL is {len(url)} characters long, over {url_length}; it is kept in the "
                f"offering but not as its source URL",
                url[:200] + "…",
            )
        )
        return None
    return url

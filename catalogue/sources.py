"""Where a provider's feeds come from, and the history of what came: pull sources with their
schedules, pull runs, and the list of submissions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import orjson
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select, update

from catalogue.errors import InvalidRequest, NotFound
from catalogue.models import IngestRunRow, PullRunRow, SourceRow, SubmissionRow
from catalogue.store import Catalogue, as_utc, utcnow

PULL_CHANNEL = "pull"
# A source name is part of a URL path and of scheduler job ids.
SOURCE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")
MIN_INTERVAL_MINUTES = 5  # politeness to providers' servers, and to ours
# The column sizes of `sources` (catalogue/models.py).
MAX_URL_LENGTH, MAX_ETAG_LENGTH, MAX_LAST_MODIFIED_LENGTH = 2000, 500, 100


def check_source_name(name: str) -> None:
    if not SOURCE_NAME_RE.match(name):
        raise InvalidRequest(
            "a source id is 1-100 lower-case letters, digits, '.', '_' or "
            "'-', starting with a letter or digit",
            parameter="source_id",
        )


def source_row(
    session, provider_id: str, name: str, channel: str, what: str, now: datetime
) -> tuple[SourceRow, bool]:
    """The provider's `sources` row `name`, added for `channel` when there is none, and
    whether it is new. Names are unique per provider across pulled feeds and crawled sites,
    so a row of another channel is refused (`what` names this channel's kind)."""
    row = session.scalars(
        select(SourceRow).where(SourceRow.provider_id == provider_id, SourceRow.name == name)
    ).first()
    if row is None:
        row = SourceRow(provider_id=provider_id, name=name, channel=channel, created_at=now)
        session.add(row)
        return row, True
    if row.channel != channel:
        raise InvalidRequest(
            f"source {name!r} is a {row.channel} source, not {what}; choose another id",
            parameter="source_id",
        )
    return row, False


def disable_source(catalogue: Catalogue, source_id: int) -> None:
    """Stop a source. The row stays: its runs and submissions refer to it."""
    with catalogue.engine.begin() as conn:
        conn.execute(
            update(SourceRow)
            .where(SourceRow.id == source_id)
            .values(enabled=False, updated_at=utcnow())
        )


def runs_query(
    run_row, provider_id: str, *, source_name: str | None, limit: int, before_id: int | None
):
    """A provider's runs of `run_row` (PullRunRow, CrawlRunRow), newest first, each with
    its source's name (None for a run of no source: a command-line crawl); `before_id`
    is the cursor, the id of the last run seen."""
    query = (
        select(run_row, SourceRow.name)
        .outerjoin(SourceRow, SourceRow.id == run_row.source_id)
        .where(run_row.provider_id == provider_id)
        .order_by(run_row.id.desc())
        .limit(limit)
    )
    if source_name is not None:
        query = query.where(SourceRow.name == source_name)
    if before_id is not None:
        query = query.where(run_row.id < before_id)
    return query


@dataclass(frozen=True)
class Schedule:
    """`cron` (five fields, UTC) or `interval_minutes`; exactly one."""

    cron: str | None = None
    interval_minutes: int | None = None

    def text(self) -> str:
        return f"cron:{self.cron}" if self.cron else f"interval:{self.interval_minutes}"

    @classmethod
    def parse(cls, text: str) -> Schedule:
        kind, _, value = text.partition(":")
        return cls(cron=value) if kind == "cron" else cls(interval_minutes=int(value))

    def validated(self) -> Schedule:
        if (self.cron is None) == (self.interval_minutes is None):
            raise InvalidRequest(
                "give a schedule as either `cron` (e.g. '0 3 * * *') or "
                "`interval_minutes`, not both and not neither",
                parameter="schedule",
            )
        if self.cron is not None:
            try:
                CronTrigger.from_crontab(self.cron, timezone="UTC")
            except ValueError as exc:
                raise InvalidRequest(
                    f"schedule.cron {self.cron!r} is not a valid five-field crontab line: {exc}",
                    parameter="schedule.cron",
                ) from None
        elif self.interval_minutes is not None and self.interval_minutes < MIN_INTERVAL_MINUTES:
            raise InvalidRequest(
                f"schedule.interval_minutes must be at least {MIN_INTERVAL_MINUTES}",
                parameter="schedule.interval_minutes",
            )
        return self


@dataclass(frozen=True)
class PullSource:
    id: int
    provider_id: str
    name: str
    url: str
    format: str | None
    mode: str
    schedule: Schedule
    enabled: bool
    etag: str | None
    last_modified: str | None
    created_at: datetime
    updated_at: datetime | None


def _source(row: SourceRow) -> PullSource:
    # put_pull_source writes both; the columns are nullable for the other channels.
    if row.url is None or row.schedule is None:
        raise ValueError(f"pull source {row.id} has no URL or no schedule")
    return PullSource(
        id=row.id,
        provider_id=row.provider_id,
        name=row.name,
        url=row.url,
        format=row.format,
        mode=row.mode,
        schedule=Schedule.parse(row.schedule),
        enabled=row.enabled,
        etag=row.etag,
        last_modified=row.last_modified,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


class SourceStore:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    # pull sources --------------------------------------------------------------
    def put_pull_source(
        self,
        provider_id: str,
        name: str,
        *,
        url: str,
        format: str | None,
        mode: str,
        schedule: Schedule,
    ) -> tuple[PullSource, bool]:
        """Create or replace a provider's pull source. Returns it and whether it is new.
        A changed URL forgets the validators of the old one."""
        check_source_name(name)
        if mode not in ("snapshot", "delta"):
            raise InvalidRequest(
                f"mode must be 'snapshot' or 'delta', not {mode!r}", parameter="mode"
            )
        schedule = schedule.validated()
        if len(url) > MAX_URL_LENGTH:
            raise InvalidRequest(
                f"the feed URL is {len(url):,} characters; at most {MAX_URL_LENGTH:,} are kept",
                parameter="url",
            )
        self.catalogue.provider_row(provider_id)
        now = utcnow()
        with self.catalogue.sessions.begin() as session:
            row, created = source_row(
                session, provider_id, name, PULL_CHANNEL, "a pulled feed", now
            )
            if row.url != url:
                row.etag = row.last_modified = None
            row.url, row.format, row.mode = url, format, mode
            row.schedule, row.enabled, row.updated_at = schedule.text(), True, now
            session.flush()
            return _source(row), created

    def get_pull_source(self, provider_id: str, name: str) -> PullSource:
        with self.catalogue.sessions() as session:
            row = session.scalars(
                select(SourceRow).where(
                    SourceRow.provider_id == provider_id,
                    SourceRow.name == name,
                    SourceRow.channel == PULL_CHANNEL,
                )
            ).first()
        if row is None:
            raise NotFound(f"provider {provider_id!r} has no pull source {name!r}")
        return _source(row)

    def pull_source_by_id(self, source_id: int) -> PullSource:
        with self.catalogue.sessions() as session:
            row = session.get(SourceRow, source_id)
        if row is None or row.channel != PULL_CHANNEL:
            raise NotFound(f"no pull source {source_id}")
        return _source(row)

    def list_pull_sources(
        self, provider_id: str | None = None, *, enabled_only: bool = False
    ) -> list[PullSource]:
        query = select(SourceRow).where(SourceRow.channel == PULL_CHANNEL).order_by(SourceRow.id)
        if provider_id is not None:
            query = query.where(SourceRow.provider_id == provider_id)
        if enabled_only:
            query = query.where(SourceRow.enabled.is_(True))
        with self.catalogue.sessions() as session:
            return [_source(row) for row in session.scalars(query)]

    def disable_pull_source(self, provider_id: str, name: str) -> None:
        """Stop pulling. The row stays: its pull runs and submissions refer to it."""
        disable_source(self.catalogue, self.get_pull_source(provider_id, name).id)

    def remember_validators(
        self, source_id: int, etag: str | None, last_modified: str | None
    ) -> None:
        # A validator too long to store is dropped: the next pull is then unconditional,
        # which costs a download, never a wrong 304.
        etag = etag if etag and len(etag) <= MAX_ETAG_LENGTH else None
        last_modified = (
            last_modified
            if last_modified and len(last_modified) <= MAX_LAST_MODIFIED_LENGTH
            else None
        )
        with self.catalogue.engine.begin() as conn:
            conn.execute(
                update(SourceRow)
                .where(SourceRow.id == source_id)
                .values(etag=etag, last_modified=last_modified)
            )

    def last_pulled_sha256(self, source_id: int) -> str | None:
        with self.catalogue.engine.connect() as conn:
            return conn.execute(
                select(SubmissionRow.sha256)
                .where(SubmissionRow.source_id == source_id)
                .order_by(SubmissionRow.id.desc())
                .limit(1)
            ).scalar()

    def harvest_cursor(self, source_id: int) -> str | None:
        """Where a changes-feed source resumes: the `next_cursor` stored inside its newest
        applied submission (crawlers.harvest), None before the first."""
        with self.catalogue.engine.connect() as conn:
            content = conn.execute(
                select(SubmissionRow.content)
                .where(SubmissionRow.source_id == source_id, SubmissionRow.status == "applied")
                .order_by(SubmissionRow.id.desc())
                .limit(1)
            ).scalar()
        if content is None:
            return None
        try:
            cursor = orjson.loads(content).get("next_cursor")
        except (orjson.JSONDecodeError, AttributeError):
            return None
        return str(cursor) if cursor is not None else None

    # pull runs ---------------------------------------------------------------
    def record_pull_run(
        self,
        source: PullSource,
        *,
        started_at: datetime,
        outcome: str,
        http_status: int | None = None,
        attempts: int = 0,
        size: int | None = None,
        submission_id: int | None = None,
        error: str | None = None,
    ) -> int:
        with self.catalogue.sessions.begin() as session:
            row = PullRunRow(
                source_id=source.id,
                provider_id=source.provider_id,
                started_at=started_at,
                finished_at=utcnow(),
                outcome=outcome,
                http_status=http_status,
                attempts=attempts,
                bytes=size,
                submission_id=submission_id,
                error=error,
            )
            session.add(row)
            session.flush()
            return row.id

    def pull_runs(
        self,
        provider_id: str,
        *,
        source_name: str | None = None,
        limit: int = 50,
        before_id: int | None = None,
    ) -> list[dict]:
        query = runs_query(
            PullRunRow, provider_id, source_name=source_name, limit=limit, before_id=before_id
        )
        with self.catalogue.sessions() as session:
            return [
                dict(
                    id=run.id,
                    source_id=name,
                    started_at=as_utc(run.started_at),
                    finished_at=as_utc(run.finished_at),
                    outcome=run.outcome,
                    http_status=run.http_status,
                    attempts=run.attempts,
                    bytes=run.bytes,
                    submission_id=run.submission_id,
                    error=run.error,
                )
                for run, name in session.execute(query)
            ]

    # submissions -------------------------------------------------------------
    def submissions(
        self, provider_id: str, *, limit: int = 50, before_id: int | None = None
    ) -> list[dict]:
        """A provider's submissions, newest first, with the counts of their newest run."""
        newest_run = (
            select(IngestRunRow.submission_id, func.max(IngestRunRow.id).label("run_id"))
            .group_by(IngestRunRow.submission_id)
            .subquery()
        )
        query = (
            select(
                SubmissionRow.id,
                SubmissionRow.channel,
                SubmissionRow.format,
                SubmissionRow.mode,
                SubmissionRow.filename,
                SubmissionRow.source_url,
                SubmissionRow.size,
                SubmissionRow.sha256,
                SubmissionRow.received_at,
                SubmissionRow.status,
                SubmissionRow.error,
                IngestRunRow,
            )
            .outerjoin(newest_run, newest_run.c.submission_id == SubmissionRow.id)
            .outerjoin(IngestRunRow, IngestRunRow.id == newest_run.c.run_id)
            .where(SubmissionRow.provider_id == provider_id)
            .order_by(SubmissionRow.id.desc())
            .limit(limit)
        )
        if before_id is not None:
            query = query.where(SubmissionRow.id < before_id)
        out = []
        with self.catalogue.sessions() as session:
            for row in session.execute(query):
                run = row.IngestRunRow
                counts = None
                if run is not None:
                    counts = {
                        name: getattr(run, name)
                        for name in (
                            "records",
                            "accepted",
                            "rejected",
                            "warned",
                            "created",
                            "updated",
                            "unchanged",
                            "withdrawn",
                        )
                    }
                out.append(
                    dict(
                        id=row.id,
                        channel=row.channel,
                        format=row.format,
                        mode=row.mode,
                        filename=row.filename,
                        source_url=row.source_url,
                        size=row.size,
                        sha256=row.sha256,
                        received_at=as_utc(row.received_at),
                        status=row.status,
                        error=row.error,
                        counts=counts,
                    )
                )
        return out

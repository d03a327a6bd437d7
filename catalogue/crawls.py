"""Crawl sources (a provider's website to be crawled, on a schedule or on request) and the
record of every crawl run.

A crawl source is a `sources` row of channel `crawl`, beside the pulled feeds, so names are
unique per provider across both; what it crawls (start URLs, limits, an optional
declarative site config) is in `crawl_settings`. The settings arrive here already
validated by the crawler's own models (crawlers.arguments, crawlers.site_config): the
catalogue stores them and does not read into them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from catalogue.errors import InvalidRequest, NotFound
from catalogue.models import CrawlRunRow, CrawlSettingsRow, SourceRow, SubmissionRow
from catalogue.sources import (
    MAX_URL_LENGTH,
    Schedule,
    check_source_name,
    disable_source,
    runs_query,
    source_row,
)
from catalogue.store import Catalogue, as_utc, utcnow

CRAWL_CHANNEL = "crawl"
MAX_START_URLS = 50
# Kept per run so a provider can see what went wrong without the whole log.
MAX_ERROR_SAMPLES = 20


@dataclass(frozen=True)
class CrawlSource:
    id: int
    provider_id: str
    name: str
    start_urls: list[str]
    limits: dict
    site: dict | None
    schedule: Schedule | None
    enabled: bool
    created_at: datetime
    updated_at: datetime | None


def _crawl_source(row: SourceRow, settings: CrawlSettingsRow) -> CrawlSource:
    return CrawlSource(
        id=row.id,
        provider_id=row.provider_id,
        name=row.name,
        start_urls=list(settings.start_urls),
        limits=dict(settings.limits),
        site=settings.site,
        schedule=Schedule.parse(row.schedule) if row.schedule else None,
        enabled=row.enabled,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


@dataclass
class CrawlRunFinish:
    """What a crawl reports when it ends; see CrawlRunRow for the meaning of each."""

    status: str
    finish_reason: str | None = None
    mode: str | None = None
    outcome: str | None = None
    pages: int = 0
    items: int = 0
    dropped: int = 0
    dropped_reasons: dict | None = None
    errors: int = 0
    error_samples: list | None = None
    not_modified: int = 0
    duration_seconds: float | None = None
    stats: dict | None = None
    submission_id: int | None = None
    error: str | None = None


class CrawlStore:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    # crawl sources -------------------------------------------------------------
    def put_crawl_source(
        self,
        provider_id: str,
        name: str,
        *,
        start_urls: list[str],
        limits: dict,
        site: dict | None,
        schedule: Schedule | None,
    ) -> tuple[CrawlSource, bool]:
        """Create or replace a provider's crawl source; returns it and whether it is new."""
        check_source_name(name)
        if not start_urls and not (site and site.get("start_urls")):
            raise InvalidRequest(
                "give at least one start URL (a page, a listing or a sitemap of the site)",
                parameter="start_urls",
            )
        if len(start_urls) > MAX_START_URLS:
            raise InvalidRequest(
                f"at most {MAX_START_URLS} start URLs; a sitemap lists more", parameter="start_urls"
            )
        for url in start_urls:
            if len(url) > MAX_URL_LENGTH:
                raise InvalidRequest(
                    f"a start URL is {len(url):,} characters; at most {MAX_URL_LENGTH:,}",
                    parameter="start_urls",
                )
        schedule = schedule.validated() if schedule is not None else None
        self.catalogue.provider_row(provider_id)
        now = utcnow()
        # One of the two has a URL: checked above.
        first_url = start_urls[0] if start_urls else (site or {})["start_urls"][0]
        with self.catalogue.sessions.begin() as session:
            row, created = source_row(session, provider_id, name, CRAWL_CHANNEL, "a crawl", now)
            row.url, row.format, row.mode = first_url, None, "snapshot"
            row.schedule = schedule.text() if schedule else None
            row.enabled, row.updated_at = True, now
            session.flush()
            settings = session.get(CrawlSettingsRow, row.id)
            if settings is None:
                settings = CrawlSettingsRow(source_id=row.id)
                session.add(settings)
            settings.start_urls, settings.limits, settings.site = list(start_urls), limits, site
            session.flush()
            return _crawl_source(row, settings), created

    def _one(self, *where) -> CrawlSource | None:
        query = (
            select(SourceRow, CrawlSettingsRow)
            .join(CrawlSettingsRow, CrawlSettingsRow.source_id == SourceRow.id)
            .where(SourceRow.channel == CRAWL_CHANNEL, *where)
        )
        with self.catalogue.sessions() as session:
            found = session.execute(query).first()
        return _crawl_source(*found) if found else None

    def get_crawl_source(self, provider_id: str, name: str) -> CrawlSource:
        found = self._one(SourceRow.provider_id == provider_id, SourceRow.name == name)
        if found is None:
            raise NotFound(f"provider {provider_id!r} has no crawl source {name!r}")
        return found

    def crawl_source_by_id(self, source_id: int) -> CrawlSource:
        found = self._one(SourceRow.id == source_id)
        if found is None:
            raise NotFound(f"no crawl source {source_id}")
        return found

    def list_crawl_sources(
        self, provider_id: str | None = None, *, enabled_only: bool = False
    ) -> list[CrawlSource]:
        query = (
            select(SourceRow, CrawlSettingsRow)
            .join(CrawlSettingsRow, CrawlSettingsRow.source_id == SourceRow.id)
            .where(SourceRow.channel == CRAWL_CHANNEL)
            .order_by(SourceRow.id)
        )
        if provider_id is not None:
            query = query.where(SourceRow.provider_id == provider_id)
        if enabled_only:
            query = query.where(SourceRow.enabled.is_(True))
        with self.catalogue.sessions() as session:
            return [_crawl_source(row, settings) for row, settings in session.execute(query)]

    def disable_crawl_source(self, provider_id: str, name: str) -> None:
        """Stop crawling. The row stays: its runs and submissions refer to it."""
        disable_source(self.catalogue, self.get_crawl_source(provider_id, name).id)

    def last_crawl_submission(
        self, provider_id: str, source_id: int | None
    ) -> tuple[str, str] | None:
        """(sha256, mode) of the newest crawl submission of this source (of the provider's
        command-line crawls when `source_id` is None)."""
        query = (
            select(SubmissionRow.sha256, SubmissionRow.mode)
            .where(SubmissionRow.provider_id == provider_id, SubmissionRow.channel == CRAWL_CHANNEL)
            .order_by(SubmissionRow.id.desc())
            .limit(1)
        )
        query = query.where(
            SubmissionRow.source_id.is_(None)
            if source_id is None
            else SubmissionRow.source_id == source_id
        )
        with self.catalogue.engine.connect() as conn:
            row = conn.execute(query).first()
        return (row.sha256, row.mode) if row else None

    # crawl runs ----------------------------------------------------------------
    def start_run(self, provider_id: str, source_id: int | None, start_urls: list[str]) -> int:
        self.catalogue.provider_row(provider_id)
        with self.catalogue.sessions.begin() as session:
            row = CrawlRunRow(
                provider_id=provider_id,
                source_id=source_id,
                started_at=utcnow(),
                status="running",
                start_urls=list(start_urls),
                pages=0,
                items=0,
                dropped=0,
                dropped_reasons={},
                errors=0,
                error_samples=[],
                not_modified=0,
                stats={},
            )
            session.add(row)
            session.flush()
            return row.id

    def finish_run(self, run_id: int, finish: CrawlRunFinish) -> None:
        values = {
            name: getattr(finish, name)
            for name in (
                "status",
                "finish_reason",
                "mode",
                "outcome",
                "pages",
                "items",
                "dropped",
                "errors",
                "not_modified",
                "duration_seconds",
                "submission_id",
                "error",
            )
        }
        values.update(
            dropped_reasons=finish.dropped_reasons or {},
            error_samples=(finish.error_samples or [])[:MAX_ERROR_SAMPLES],
            stats=finish.stats or {},
            finished_at=utcnow(),
        )
        with self.catalogue.engine.begin() as conn:
            conn.execute(update(CrawlRunRow).where(CrawlRunRow.id == run_id).values(**values))

    def crawl_runs(
        self,
        provider_id: str,
        *,
        source_name: str | None = None,
        limit: int = 50,
        before_id: int | None = None,
    ) -> list[dict]:
        """A provider's crawl runs, newest first."""
        query = runs_query(
            CrawlRunRow, provider_id, source_name=source_name, limit=limit, before_id=before_id
        )
        with self.catalogue.sessions() as session:
            return [_run_out(run, name) for run, name in session.execute(query)]

    def crawl_run(self, run_id: int) -> dict:
        with self.catalogue.sessions() as session:
            found = session.execute(
                select(CrawlRunRow, SourceRow.name)
                .outerjoin(SourceRow, SourceRow.id == CrawlRunRow.source_id)
                .where(CrawlRunRow.id == run_id)
            ).first()
        if found is None:
            raise NotFound(f"no crawl run {run_id}")
        return _run_out(*found)


# The crawler's stats key for what it saw and skipped, followed by the reason
# (crawlers.pipelines.SKIPPED_STAT_PREFIX: the crawler imports the catalogue, not back).
SKIPPED_STAT_PREFIX = "microcred/skipped/"


def skipped_reasons(stats: dict | None) -> dict[str, int]:
    """Pages and markup nodes a crawl saw and did not read as courses, by reason."""
    return {
        key[len(SKIPPED_STAT_PREFIX) :]: int(value)
        for key, value in (stats or {}).items()
        if key.startswith(SKIPPED_STAT_PREFIX) and isinstance(value, int | float)
    }


def _run_out(run: CrawlRunRow, source_name: str | None) -> dict:
    skipped = skipped_reasons(run.stats)
    return dict(
        skipped=sum(skipped.values()),
        skipped_reasons=skipped,
        id=run.id,
        provider_id=run.provider_id,
        source_id=source_name,
        started_at=as_utc(run.started_at),
        finished_at=as_utc(run.finished_at),
        status=run.status,
        finish_reason=run.finish_reason,
        mode=run.mode,
        outcome=run.outcome,
        start_urls=run.start_urls,
        pages=run.pages,
        items=run.items,
        dropped=run.dropped,
        dropped_reasons=run.dropped_reasons,
        errors=run.errors,
        error_samples=run.error_samples,
        not_modified=run.not_modified,
        duration_seconds=run.duration_seconds,
        submission_id=run.submission_id,
        error=run.error,
    )

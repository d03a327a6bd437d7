"""Bodies of the provider crawling routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, HttpUrl

from catalogue.crawls import CrawlSource
from search_api.models.common import ScheduleOut
from search_api.models.publishing import ScheduleIn


class CrawlSourceIn(BaseModel):
    start_urls: list[HttpUrl] = Field(
        default_factory=list, max_length=50, description="Pages, listings or sitemaps to start from"
    )
    limits: dict = Field(
        default_factory=dict,
        description="max_depth, max_pages, max_seconds, concurrency_per_host, download_delay, ...",
    )
    site: dict | None = Field(
        None, description="A declarative site config for pages without schema.org markup"
    )
    schedule: ScheduleIn | None = Field(None, description="None: crawled only on request")


class CrawlSourceOut(BaseModel):
    id: str
    provider_id: str
    start_urls: list[str]
    limits: dict[str, Any]
    site: dict[str, Any] | None
    enabled: bool
    schedule: ScheduleOut | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, source: CrawlSource) -> CrawlSourceOut:
        schedule = source.schedule
        return cls(
            id=source.name,
            provider_id=source.provider_id,
            start_urls=source.start_urls,
            limits=source.limits,
            site=source.site,
            enabled=source.enabled,
            schedule=ScheduleOut(cron=schedule.cron, interval_minutes=schedule.interval_minutes)
            if schedule
            else None,
            # Every write of a source sets updated_at; older rows may lack it.
            created_at=source.created_at,
            updated_at=source.updated_at or source.created_at,
        )


class CrawlSourceListOut(BaseModel):
    crawl_sources: list[CrawlSourceOut]


class CrawlRunOut(BaseModel):
    id: int
    provider_id: str
    source_id: str | None
    started_at: datetime
    finished_at: datetime | None
    status: str | None
    finish_reason: str | None
    mode: str | None
    outcome: str | None
    start_urls: list[str] | None
    pages: int | None
    items: int | None
    dropped: int | None
    dropped_reasons: dict[str, int] | None
    skipped: int = Field(0, description="Pages and markup nodes seen and not read as courses")
    skipped_reasons: dict[str, int] = Field(
        default_factory=dict,
        description="What was skipped, by reason ('node: Event (not a "
        "course or programme)', 'page: not an HTML page')",
    )
    errors: int | None
    error_samples: list[dict[str, Any]] | None
    not_modified: int | None
    duration_seconds: float | None
    submission_id: int | None
    error: str | None


class CrawlSourceDetailOut(CrawlSourceOut):
    crawls: list[CrawlRunOut] = Field(description="The latest 20, newest first")


class CrawlRunListOut(BaseModel):
    crawls: list[CrawlRunOut]
    next_before: int | None

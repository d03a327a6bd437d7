"""Bodies of the provider publishing routes."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from catalogue.ingest import IngestReport
from catalogue.sources import PullSource
from search_api.models.common import ScheduleOut


class ScheduleIn(BaseModel):
    cron: str | None = Field(None, description="Five-field crontab line, UTC: '0 3 * * *'")
    interval_minutes: int | None = Field(None, ge=1)


class PullSourceIn(BaseModel):
    url: HttpUrl
    format: str | None = Field(None, description="Feed format; detected from the bytes if left out")
    mode: Literal["snapshot", "delta"] = "snapshot"
    schedule: ScheduleIn


class IssueOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    locator: str | None = Field(description="Where in the feed: 'line 4', a JSON path, ...")
    record_id: str | None
    field: str
    code: str
    severity: str = Field(description="error | warning | info")
    message: str
    value: str | None = None


# The preview is given in words by the validate route (search_api.preview_words).
REPORT_FIELDS = tuple(f.name for f in fields(IngestReport) if f.name != "preview")


class PreviewValueOut(BaseModel):
    field: str
    written: str = Field(description="The value as the feed gives it")
    made: str = Field(description="What we made of it, in words; empty when nothing")
    problems: list[str] = Field(default_factory=list, description="This field's issues")


class PreviewRowOut(BaseModel):
    locator: str
    record_id: str | None
    accepted: bool
    values: list[PreviewValueOut]
    problems: list[str] = Field(
        default_factory=list, description="The row's issues that name no field of it"
    )


class ReportOut(BaseModel):
    """What a feed did (or, from validate, would do)."""

    submission_id: int
    provider_id: str
    mode: str
    status: str = Field(description="applied | failed | held | dry_run")
    run_id: int | None
    records: int
    accepted: int
    rejected: int
    warned: int
    created: int
    updated: int
    unchanged: int
    withdrawn: int
    withdrawn_ids: list[str]
    held_withdrawals: int = Field(description="Held snapshot: active offerings it would withdraw")
    active_before: int
    error: str | None = Field(description="Why the whole feed failed, if it did")
    issues: list[IssueOut]
    errors: int
    warnings: int
    preview: list[PreviewRowOut] = Field(
        default_factory=list,
        description="Dry runs only: the first rows, each value as written beside what we "
        "made of it",
    )

    @classmethod
    def of(cls, report: IngestReport) -> ReportOut:
        # The issues (a 50 MB feed's report holds ~100,000) are read by attribute in
        # pydantic's compiled core, not copied through dataclasses.asdict first.
        issues = report.issues
        return cls.model_validate(
            {
                **{name: getattr(report, name) for name in REPORT_FIELDS},
                "errors": sum(1 for i in issues if i.severity == "error"),
                "warnings": sum(1 for i in issues if i.severity == "warning"),
            }
        )


class SubmissionLinks(BaseModel):
    self: str


class SubmissionOut(BaseModel):
    id: int
    provider_id: str
    status: str = Field(description="received | processing | applied | failed | held | discarded")
    mode: str
    format: str | None
    channel: str
    size: int
    sha256: str
    received_at: datetime
    links: SubmissionLinks


class SubmissionWithReportOut(SubmissionOut):
    report: ReportOut


class SubmissionCounts(BaseModel):
    records: int
    accepted: int
    rejected: int
    warned: int
    created: int
    updated: int
    unchanged: int
    withdrawn: int


class SubmissionItem(BaseModel):
    id: int
    channel: str
    format: str | None
    mode: str
    filename: str | None
    source_url: str | None
    size: int
    sha256: str
    received_at: datetime
    status: str
    error: str | None
    counts: SubmissionCounts | None = Field(description="Of its newest run; none before one")


class SubmissionListOut(BaseModel):
    submissions: list[SubmissionItem]
    next_before: int | None = Field(description="Pass as `before` for the next page")


class WithdrawnOut(BaseModel):
    id: str
    status: Literal["withdrawn"]


class PullSourceOut(BaseModel):
    id: str
    provider_id: str
    url: str
    format: str | None
    mode: str
    enabled: bool
    schedule: ScheduleOut
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, source: PullSource) -> PullSourceOut:
        return cls(
            id=source.name,
            provider_id=source.provider_id,
            url=source.url,
            format=source.format,
            mode=source.mode,
            enabled=source.enabled,
            schedule=ScheduleOut(
                cron=source.schedule.cron, interval_minutes=source.schedule.interval_minutes
            ),
            # Every write of a source sets updated_at; older rows may lack it.
            created_at=source.created_at,
            updated_at=source.updated_at or source.created_at,
        )


class PullSourceListOut(BaseModel):
    sources: list[PullSourceOut]


class PullRunOut(BaseModel):
    id: int
    source_id: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str | None
    http_status: int | None
    attempts: int | None
    bytes: int | None
    submission_id: int | None
    error: str | None


class PullSourceDetailOut(PullSourceOut):
    pulls: list[PullRunOut] = Field(description="The latest 20, newest first")


class PullRunListOut(BaseModel):
    pulls: list[PullRunOut]
    next_before: int | None

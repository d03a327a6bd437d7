"""Provider routes: push feeds, dry-run them, follow their reports, withdraw offerings,
register feed URLs to be pulled on a schedule, and read the history.

Every route here takes the provider's id in its path and checks that the caller's key may
act for that provider before touching anything.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, Field, HttpUrl

from catalogue.accounts import ApiKey
from catalogue.errors import FeedRejected, InvalidRequest, NotFound
from catalogue.ingest import IngestMode, IngestReport
from catalogue.sources import PullSource, Schedule
from normaliser.readers.base import FeedFormatError
from normaliser.readers.registry import check_format_name, format_for_media_type
from search_api.auth import authenticate, require_provider_access
from search_api.context import ApiContext, PublishingContext

TAG = "publishing"


class ScheduleIn(BaseModel):
    cron: str | None = Field(None, description="Five-field crontab line, UTC: '0 3 * * *'")
    interval_minutes: int | None = Field(None, ge=1)


class PullSourceIn(BaseModel):
    url: HttpUrl
    format: str | None = Field(None, description="Feed format; detected from the bytes if left out")
    mode: Literal["snapshot", "delta"] = "snapshot"
    schedule: ScheduleIn


def _source_out(source: PullSource) -> dict:
    return {"id": source.name, "provider_id": source.provider_id, "url": source.url,
            "format": source.format, "mode": source.mode, "enabled": source.enabled,
            "schedule": {"cron": source.schedule.cron,
                         "interval_minutes": source.schedule.interval_minutes},
            "created_at": source.created_at, "updated_at": source.updated_at}


def report_out(report: IngestReport) -> dict:
    body = asdict(report)
    body["issues"] = [asdict(i) for i in report.issues]
    body["errors"] = sum(1 for i in report.issues if i.severity == "error")
    body["warnings"] = sum(1 for i in report.issues if i.severity == "warning")
    return body


def build_publishing_router(context: ApiContext) -> APIRouter:
    router = APIRouter(prefix="/v1/providers/{provider_id}", tags=[TAG])

    def publishing() -> PublishingContext:
        if context.publishing is None:  # the composition root always provides it
            raise InvalidRequest("publishing is not enabled in this deployment")
        return context.publishing

    def caller_for(request: Request, provider_id: str) -> ApiKey:
        key = authenticate(request, publishing().keys)
        require_provider_access(key, provider_id)
        context.catalogue.provider_row(provider_id)  # 404 for an admin on an unknown provider
        return key

    async def read_body(request: Request) -> bytes:
        limit = publishing().ingest.max_feed_bytes
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise FeedRejected(f"the feed is {int(declared):,} bytes, over the limit of "
                               f"{limit:,}; split it into delta feeds")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:  # stop reading: a lying Content-Length gains nothing
                raise FeedRejected(f"the feed is over the limit of {limit:,} bytes; "
                                   f"split it into delta feeds")
            chunks.append(chunk)
        return b"".join(chunks)

    def chosen_format(request: Request, format: str | None) -> str | None:
        try:
            if format:
                return check_format_name(format)
            return format_for_media_type(request.headers.get("content-type"))
        except FeedFormatError as exc:
            raise InvalidRequest(str(exc), parameter="format") from None

    def submission_body(submission_id: int, provider_id: str) -> dict:
        row = context.catalogue.get_submission(submission_id)
        return {"id": row.id, "provider_id": row.provider_id, "status": row.status,
                "mode": row.mode, "format": row.format, "channel": row.channel,
                "size": row.size, "sha256": row.sha256, "received_at": row.received_at,
                "links": {"self": f"/v1/providers/{provider_id}/submissions/{row.id}"}}

    def own_submission(provider_id: str, submission_id: int):
        row = context.catalogue.get_submission(submission_id)
        if row.provider_id != provider_id:  # same answer as a missing one: ids are guessable
            raise NotFound(f"provider {provider_id!r} has no submission {submission_id}")
        return row

    @router.post("/submissions", status_code=202,
                 summary="Push a feed; it is stored at once and processed in the background")
    async def push(provider_id: str, request: Request, response: Response,
                   mode: IngestMode = Query(IngestMode.SNAPSHOT),
                   format: str | None = Query(None, description="csv, json, xcri-cap, ctdl, "
                                              "schema-org or profile:<name>; else Content-Type"),
                   idempotency_key: str | None = Header(None, max_length=200)) -> dict:
        key = caller_for(request, provider_id)
        content = await read_body(request)
        if not content.strip():
            raise InvalidRequest("the request body is empty; send the feed as the body",
                                 parameter="body")
        pub = publishing()
        submission_id, replayed = pub.ingest.receive(
            provider_id, content, format=chosen_format(request, format), mode=mode,
            channel="push", idempotency_key=idempotency_key, api_key_id=key.id)
        if replayed:
            response.headers["Idempotent-Replayed"] = "true"
        pub.worker.notify()
        response.headers["Location"] = f"/v1/providers/{provider_id}/submissions/{submission_id}"
        return submission_body(submission_id, provider_id)

    @router.post("/validate", summary="Check a feed as a dry run: the report, nothing stored")
    async def validate(provider_id: str, request: Request,
                       mode: IngestMode = Query(IngestMode.SNAPSHOT),
                       format: str | None = Query(None)) -> dict:
        caller_for(request, provider_id)
        content = await read_body(request)
        report = publishing().ingest.validate(provider_id, content,
                                              format=chosen_format(request, format), mode=mode)
        return report_out(report)

    @router.get("/submissions", summary="This provider's submissions, newest first")
    def submissions(provider_id: str, request: Request, limit: int = Query(50, ge=1, le=500),
                    before: int | None = Query(None, description="id of the last one seen")) -> dict:
        caller_for(request, provider_id)
        items = publishing().sources.submissions(provider_id, limit=limit, before_id=before)
        return {"submissions": items,
                "next_before": items[-1]["id"] if len(items) == limit else None}

    @router.get("/submissions/{submission_id}", summary="A submission's status and report")
    def submission(provider_id: str, submission_id: int, request: Request) -> dict:
        caller_for(request, provider_id)
        own_submission(provider_id, submission_id)
        return dict(submission_body(submission_id, provider_id),
                    report=report_out(publishing().ingest.report_for(submission_id)))

    @router.post("/submissions/{submission_id}/confirm", status_code=202,
                 summary="Apply a held snapshot, withdrawals and all")
    def confirm(provider_id: str, submission_id: int, request: Request) -> dict:
        caller_for(request, provider_id)
        own_submission(provider_id, submission_id)
        pub = publishing()
        pub.ingest.release_held(submission_id, provider_id)
        pub.worker.notify()
        return submission_body(submission_id, provider_id)

    @router.post("/submissions/{submission_id}/discard",
                 summary="Drop a held snapshot; nothing from it is applied")
    def discard(provider_id: str, submission_id: int, request: Request) -> dict:
        caller_for(request, provider_id)
        own_submission(provider_id, submission_id)
        publishing().ingest.discard(submission_id, provider_id)
        return submission_body(submission_id, provider_id)

    @router.delete("/offerings/{offering_id}",
                   summary="Withdraw one offering (our id or the provider's own id)")
    def withdraw(provider_id: str, offering_id: str, request: Request) -> dict:
        caller_for(request, provider_id)
        public_id = publishing().ingest.withdraw_offering(provider_id, offering_id)
        if context.indexer is not None:
            # catch_up, not drain: while the engine is known to be down, the request does not
            # wait through retries; the background worker indexes it when the engine is back.
            context.indexer.catch_up()
        return {"id": public_id, "status": "withdrawn"}

    @router.put("/sources/{source_id}", summary="Register or change a feed URL to be pulled")
    def put_source(provider_id: str, source_id: str, body: PullSourceIn, request: Request,
                   response: Response) -> dict:
        caller_for(request, provider_id)
        pub = publishing()
        url = str(body.url)
        pub.check_feed_url(url)
        source, created = pub.sources.put_pull_source(
            provider_id, source_id, url=url,
            format=chosen_format(request, body.format) if body.format else None,
            mode=body.mode,
            schedule=Schedule(cron=body.schedule.cron,
                              interval_minutes=body.schedule.interval_minutes))
        response.status_code = 201 if created else 200
        return _source_out(source)

    @router.get("/sources", summary="This provider's pulled feeds")
    def list_sources(provider_id: str, request: Request) -> dict:
        caller_for(request, provider_id)
        return {"sources": [_source_out(s) for s in publishing().sources.list_pull_sources(provider_id)]}

    @router.get("/sources/{source_id}", summary="One pulled feed and its recent pulls")
    def get_source(provider_id: str, source_id: str, request: Request) -> dict:
        caller_for(request, provider_id)
        pub = publishing()
        source = pub.sources.get_pull_source(provider_id, source_id)
        return dict(_source_out(source),
                    pulls=pub.sources.pull_runs(provider_id, source_name=source_id, limit=20))

    @router.delete("/sources/{source_id}", summary="Stop pulling a feed (its history stays)")
    def delete_source(provider_id: str, source_id: str, request: Request) -> dict:
        caller_for(request, provider_id)
        publishing().sources.disable_pull_source(provider_id, source_id)
        return {"id": source_id, "enabled": False}

    @router.post("/sources/{source_id}/pull", status_code=202, summary="Pull a feed now")
    def pull_now(provider_id: str, source_id: str, request: Request) -> dict:
        caller_for(request, provider_id)
        pub = publishing()
        source = pub.sources.get_pull_source(provider_id, source_id)
        if pub.request_pull is None:
            raise InvalidRequest("no scheduler runs in this deployment to pull feeds")
        pub.request_pull(source)
        return {"id": source_id, "requested": True}

    @router.get("/pulls", summary="This provider's pull runs, newest first")
    def pulls(provider_id: str, request: Request, limit: int = Query(50, ge=1, le=500),
              before: int | None = Query(None)) -> dict:
        caller_for(request, provider_id)
        runs = publishing().sources.pull_runs(provider_id, limit=limit, before_id=before)
        return {"pulls": runs, "next_before": runs[-1]["id"] if len(runs) == limit else None}

    return router

"""Provider routes: push feeds, dry-run them, follow their reports, withdraw offerings, and
read the history. (Feed URLs pulled on a schedule: search_api.routers.pull_sources.)

Every route takes the provider's id in its path; its `ProviderScope` dependency checks
that the caller's key may act for that provider before anything is touched.
"""

from __future__ import annotations

from fastapi import APIRouter, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from catalogue.errors import InvalidRequest, NotFound
from catalogue.ingest import IngestMode
from catalogue.store import Catalogue
from search_api.dependencies import (
    BeforeId,
    CatalogueStore,
    Context,
    ProviderScope,
    Publishing,
    SubmissionId,
)
from search_api.errors import error_responses
from search_api.feed_body import chosen_format, read_feed
from search_api.models.publishing import (
    ReportOut,
    SubmissionLinks,
    SubmissionListOut,
    SubmissionOut,
    SubmissionWithReportOut,
    WithdrawnOut,
)
from search_api.pages.render import Labels
from search_api.preview_words import preview_in_words

TAG = "publishing"
FORMAT_HELP = "csv, json, xcri-cap, ctdl, schema-org or profile:<name>; else Content-Type"
router = APIRouter(
    prefix="/v1/providers/{provider_id}",
    tags=[TAG],
    responses=error_responses(400, 401, 403, 404, 422),
)


def submission_out(catalogue: Catalogue, submission_id: int, provider_id: str) -> SubmissionOut:
    row = catalogue.get_submission(submission_id)
    return SubmissionOut(
        id=row.id,
        provider_id=row.provider_id,
        status=row.status,
        mode=row.mode,
        format=row.format,
        channel=row.channel,
        size=row.size,
        sha256=row.sha256,
        received_at=row.received_at,
        links=SubmissionLinks.model_validate(
            {"self": f"/v1/providers/{provider_id}/submissions/{row.id}"}
        ),
    )


def own_submission(catalogue: Catalogue, provider_id: str, submission_id: int) -> None:
    row = catalogue.get_submission(submission_id)
    if row.provider_id != provider_id:  # same answer as a missing one: ids are guessable
        raise NotFound(f"provider {provider_id!r} has no submission {submission_id}")


@router.post(
    "/submissions",
    status_code=202,
    response_model=SubmissionOut,
    responses=error_responses(408, 409, 413),
    summary="Push a feed; it is stored at once and processed in the background",
)
async def push(
    scope: ProviderScope,
    pub: Publishing,
    catalogue: CatalogueStore,
    request: Request,
    response: Response,
    mode: IngestMode = Query(IngestMode.SNAPSHOT),
    format: str | None = Query(None, description=FORMAT_HELP),
    idempotency_key: str | None = Header(None, max_length=200),
) -> SubmissionOut:
    content = await read_feed(request, pub.ingest.max_feed_bytes, pub.body_timeouts)
    if not content.strip():
        raise InvalidRequest(
            "the request body is empty; send the feed as the body", parameter="body"
        )
    provider_id = scope.provider_id

    def store() -> tuple[SubmissionOut, bool]:  # hashing and storing: off the event loop
        submission_id, replayed = pub.ingest.receive(
            provider_id,
            content,
            format=chosen_format(request, format, pub.ingest.check_format),
            mode=mode,
            channel="push",
            idempotency_key=idempotency_key,
            api_key_id=scope.key.id,
        )
        pub.worker.notify()
        return submission_out(catalogue, submission_id, provider_id), replayed

    body, replayed = await run_in_threadpool(store)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = body.links.self
    return body


@router.post(
    "/validate",
    response_model=ReportOut,
    responses=error_responses(408, 413),
    summary="Check a feed as a dry run: the report, nothing stored",
)
async def validate(
    scope: ProviderScope,
    pub: Publishing,
    context: Context,
    request: Request,
    mode: IngestMode = Query(IngestMode.SNAPSHOT),
    format: str | None = Query(None, description=FORMAT_HELP),
) -> Response:
    content = await read_feed(request, pub.ingest.max_feed_bytes, pub.body_timeouts)

    def check() -> Response:
        # Parsing takes up to a minute and the report can be large: both in a thread, the
        # report rendered there too (a Response is sent as it is, not serialised again).
        report = pub.ingest.validate(
            scope.provider_id,
            content,
            format=chosen_format(request, format, pub.ingest.check_format),
            mode=mode,
        )
        out = ReportOut.of(report)
        out.preview = preview_in_words(report.preview, Labels(context), context.reference_currency)
        return Response(out.model_dump_json(), media_type="application/json")

    return await run_in_threadpool(check)


@router.get(
    "/submissions",
    response_model=SubmissionListOut,
    summary="This provider's submissions, newest first",
)
def submissions(
    scope: ProviderScope,
    pub: Publishing,
    limit: int = Query(50, ge=1, le=500),
    before: BeforeId = None,
) -> dict:
    items = pub.sources.submissions(scope.provider_id, limit=limit, before_id=before)
    return {"submissions": items, "next_before": items[-1]["id"] if len(items) == limit else None}


@router.get(
    "/submissions/{submission_id}",
    response_model=SubmissionWithReportOut,
    summary="A submission's status and report",
)
def submission(
    scope: ProviderScope, pub: Publishing, catalogue: CatalogueStore, submission_id: SubmissionId
) -> SubmissionWithReportOut:
    own_submission(catalogue, scope.provider_id, submission_id)
    body = submission_out(catalogue, submission_id, scope.provider_id)
    return SubmissionWithReportOut(
        **dict(body), report=ReportOut.of(pub.ingest.report_for(submission_id))
    )


@router.post(
    "/submissions/{submission_id}/confirm",
    status_code=202,
    response_model=SubmissionOut,
    responses=error_responses(409),
    summary="Apply a held snapshot, withdrawals and all",
)
def confirm(
    scope: ProviderScope, pub: Publishing, catalogue: CatalogueStore, submission_id: SubmissionId
) -> SubmissionOut:
    own_submission(catalogue, scope.provider_id, submission_id)
    pub.ingest.release_held(submission_id, scope.provider_id)
    pub.worker.notify()
    return submission_out(catalogue, submission_id, scope.provider_id)


@router.post(
    "/submissions/{submission_id}/discard",
    response_model=SubmissionOut,
    responses=error_responses(409),
    summary="Drop a held snapshot; nothing from it is applied",
)
def discard(
    scope: ProviderScope, pub: Publishing, catalogue: CatalogueStore, submission_id: SubmissionId
) -> SubmissionOut:
    own_submission(catalogue, scope.provider_id, submission_id)
    pub.ingest.discard(submission_id, scope.provider_id)
    return submission_out(catalogue, submission_id, scope.provider_id)


@router.delete(
    "/offerings/{offering_id}",
    response_model=WithdrawnOut,
    summary="Withdraw one offering (our id or the provider's own id)",
)
def withdraw(
    scope: ProviderScope, pub: Publishing, context: Context, offering_id: str
) -> WithdrawnOut:
    public_id = pub.ingest.withdraw_offering(scope.provider_id, offering_id)
    if context.indexer is not None:
        # catch_up, not drain: while the engine is known to be down, the request does not
        # wait through retries; the background worker indexes it when the engine is back.
        context.indexer.catch_up()
    return WithdrawnOut(id=public_id, status="withdrawn")

"""Provider routes for feed URLs pulled on a schedule: register, list, read, stop, pull now,
and the history of pulls. Each route's `ProviderScope` checks that the caller's key may act
for the provider in its path before anything is touched."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response

from catalogue.sources import Schedule
from search_api.dependencies import BeforeId, ProviderScope, Publishing
from search_api.errors import error_responses
from search_api.feed_body import chosen_format
from search_api.models.common import DisabledOut, RunRequestedOut
from search_api.models.publishing import (
    PullRunListOut,
    PullRunOut,
    PullSourceDetailOut,
    PullSourceIn,
    PullSourceListOut,
    PullSourceOut,
)
from search_api.routers.publishing import TAG
from search_api.run_now import request_run_now

router = APIRouter(
    prefix="/v1/providers/{provider_id}",
    tags=[TAG],
    responses=error_responses(400, 401, 403, 404, 422),
)


@router.put(
    "/sources/{source_id}",
    response_model=PullSourceOut,
    responses={201: {"model": PullSourceOut, "description": "Registered"}},
    summary="Register or change a feed URL to be pulled",
)
def put_source(
    scope: ProviderScope,
    pub: Publishing,
    source_id: str,
    body: PullSourceIn,
    request: Request,
    response: Response,
) -> PullSourceOut:
    url = str(body.url)
    pub.check_feed_url(url)
    source, created = pub.sources.put_pull_source(
        scope.provider_id,
        source_id,
        url=url,
        format=chosen_format(request, body.format, pub.ingest.check_format)
        if body.format
        else None,
        mode=body.mode,
        schedule=Schedule(cron=body.schedule.cron, interval_minutes=body.schedule.interval_minutes),
    )
    response.status_code = 201 if created else 200
    return PullSourceOut.of(source)


@router.get("/sources", response_model=PullSourceListOut, summary="This provider's pulled feeds")
def list_sources(scope: ProviderScope, pub: Publishing) -> PullSourceListOut:
    return PullSourceListOut(
        sources=[PullSourceOut.of(s) for s in pub.sources.list_pull_sources(scope.provider_id)]
    )


@router.get(
    "/sources/{source_id}",
    response_model=PullSourceDetailOut,
    summary="One pulled feed and its recent pulls",
)
def get_source(scope: ProviderScope, pub: Publishing, source_id: str) -> PullSourceDetailOut:
    source = pub.sources.get_pull_source(scope.provider_id, source_id)
    return PullSourceDetailOut(
        **dict(PullSourceOut.of(source)),
        pulls=[
            PullRunOut.model_validate(run)
            for run in pub.sources.pull_runs(scope.provider_id, source_name=source_id, limit=20)
        ],
    )


@router.delete(
    "/sources/{source_id}",
    response_model=DisabledOut,
    summary="Stop pulling a feed (its history stays)",
)
def delete_source(scope: ProviderScope, pub: Publishing, source_id: str) -> DisabledOut:
    pub.sources.disable_pull_source(scope.provider_id, source_id)
    return DisabledOut(id=source_id, enabled=False)


@router.post(
    "/sources/{source_id}/pull",
    status_code=202,
    response_model=RunRequestedOut,
    summary="Pull a feed now",
)
def pull_now(scope: ProviderScope, pub: Publishing, source_id: str) -> RunRequestedOut:
    source = pub.sources.get_pull_source(scope.provider_id, source_id)
    return request_run_now(source, source_id, pub.request_pull, "pull feeds")


@router.get(
    "/pulls", response_model=PullRunListOut, summary="This provider's pull runs, newest first"
)
def pulls(
    scope: ProviderScope,
    pub: Publishing,
    limit: int = Query(50, ge=1, le=500),
    before: BeforeId = None,
) -> dict:
    runs = pub.sources.pull_runs(scope.provider_id, limit=limit, before_id=before)
    return {"pulls": runs, "next_before": runs[-1]["id"] if len(runs) == limit else None}

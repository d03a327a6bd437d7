"""Provider routes for crawling: register the website to be crawled (start URLs, limits, a
declarative site config for pages without markup, a schedule), crawl it now, and read
every crawl's stats. Like every provider route, each checks first (`ProviderScope`) that
the caller's key may act for the provider in its path."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Response

from catalogue.sources import Schedule
from search_api.dependencies import BeforeId, Crawling, ProviderScope, crawling_services
from search_api.errors import error_responses
from search_api.models.common import DisabledOut, RunRequestedOut
from search_api.models.crawling import (
    CrawlRunListOut,
    CrawlRunOut,
    CrawlSourceDetailOut,
    CrawlSourceIn,
    CrawlSourceListOut,
    CrawlSourceOut,
)
from search_api.run_now import request_run_now

TAG = "crawling"
router = APIRouter(
    prefix="/v1/providers/{provider_id}",
    tags=[TAG],
    dependencies=[Depends(crawling_services)],
    responses=error_responses(400, 401, 403, 404, 422),
)


@router.put(
    "/crawl-sources/{source_id}",
    response_model=CrawlSourceOut,
    responses={201: {"model": CrawlSourceOut, "description": "Registered"}},
    summary="Register or change a website to be crawled",
)
def put_crawl_source(
    scope: ProviderScope, crawl: Crawling, source_id: str, body: CrawlSourceIn, response: Response
) -> CrawlSourceOut:
    start_urls, limits, site = crawl.check_crawl_settings(
        [str(url) for url in body.start_urls], body.limits, body.site
    )
    schedule = (
        Schedule(cron=body.schedule.cron, interval_minutes=body.schedule.interval_minutes)
        if body.schedule
        else None
    )
    source, created = crawl.crawls.put_crawl_source(
        scope.provider_id,
        source_id,
        start_urls=start_urls,
        limits=limits,
        site=site,
        schedule=schedule,
    )
    response.status_code = 201 if created else 200
    return CrawlSourceOut.of(source)


@router.get(
    "/crawl-sources", response_model=CrawlSourceListOut, summary="This provider's crawled websites"
)
def list_crawl_sources(scope: ProviderScope, crawl: Crawling) -> CrawlSourceListOut:
    return CrawlSourceListOut(
        crawl_sources=[
            CrawlSourceOut.of(s) for s in crawl.crawls.list_crawl_sources(scope.provider_id)
        ]
    )


@router.get(
    "/crawl-sources/{source_id}",
    response_model=CrawlSourceDetailOut,
    summary="One crawled website and its recent crawls",
)
def get_crawl_source(scope: ProviderScope, crawl: Crawling, source_id: str) -> CrawlSourceDetailOut:
    source = crawl.crawls.get_crawl_source(scope.provider_id, source_id)
    return CrawlSourceDetailOut(
        **dict(CrawlSourceOut.of(source)),
        crawls=[
            CrawlRunOut.model_validate(run)
            for run in crawl.crawls.crawl_runs(scope.provider_id, source_name=source_id, limit=20)
        ],
    )


@router.delete(
    "/crawl-sources/{source_id}",
    response_model=DisabledOut,
    summary="Stop crawling a website (its history stays)",
)
def delete_crawl_source(scope: ProviderScope, crawl: Crawling, source_id: str) -> DisabledOut:
    crawl.crawls.disable_crawl_source(scope.provider_id, source_id)
    return DisabledOut(id=source_id, enabled=False)


@router.post(
    "/crawl-sources/{source_id}/crawl",
    status_code=202,
    response_model=RunRequestedOut,
    summary="Crawl a website now",
)
def crawl_now(scope: ProviderScope, crawl: Crawling, source_id: str) -> RunRequestedOut:
    source = crawl.crawls.get_crawl_source(scope.provider_id, source_id)
    return request_run_now(source, source_id, crawl.request_crawl, "crawl websites")


@router.get(
    "/crawls",
    response_model=CrawlRunListOut,
    summary="This provider's crawl runs and their stats, newest first",
)
def crawls(
    scope: ProviderScope,
    crawl: Crawling,
    limit: int = Query(50, ge=1, le=500),
    before: BeforeId = None,
    source: str | None = Query(None, description="only this crawl source"),
) -> dict:
    runs = crawl.crawls.crawl_runs(
        scope.provider_id, source_name=source, limit=limit, before_id=before
    )
    return {"crawls": runs, "next_before": runs[-1]["id"] if len(runs) == limit else None}

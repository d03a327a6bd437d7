"""Provider routes for crawling: register the website to be crawled (start URLs, limits, a
declarative site config for pages without markup, a schedule), crawl it now, and read
every crawl's stats. Like every provider route, each checks first that the caller's key
may act for the provider in its path."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field, HttpUrl

from catalogue.accounts import ApiKey
from catalogue.crawls import CrawlSource
from catalogue.errors import InvalidRequest
from catalogue.sources import Schedule
from search_api.auth import authenticate, require_provider_access
from search_api.context import ApiContext, CrawlingContext
from search_api.publishing import ScheduleIn

TAG = "crawling"


class CrawlSourceIn(BaseModel):
    start_urls: list[HttpUrl] = Field(default_factory=list, max_length=50,
                                      description="Pages, listings or sitemaps to start from")
    limits: dict = Field(default_factory=dict,
                         description="max_depth, max_pages, max_seconds, "
                                     "concurrency_per_host, download_delay, ...")
    site: dict | None = Field(None, description="A declarative site config for pages "
                                                "without schema.org markup")
    schedule: ScheduleIn | None = Field(None, description="None: crawled only on request")


def _source_out(source: CrawlSource) -> dict:
    schedule = source.schedule
    return {"id": source.name, "provider_id": source.provider_id,
            "start_urls": source.start_urls, "limits": source.limits, "site": source.site,
            "enabled": source.enabled,
            "schedule": {"cron": schedule.cron, "interval_minutes": schedule.interval_minutes}
            if schedule else None,
            "created_at": source.created_at, "updated_at": source.updated_at}


def build_crawling_router(context: ApiContext) -> APIRouter:
    router = APIRouter(prefix="/v1/providers/{provider_id}", tags=[TAG])

    def crawling() -> CrawlingContext:
        if context.crawling is None or context.publishing is None:
            raise InvalidRequest("crawling is not enabled in this deployment")
        return context.crawling

    def caller_for(request: Request, provider_id: str) -> ApiKey:
        crawling()
        key = authenticate(request, context.publishing.keys)
        require_provider_access(key, provider_id)
        context.catalogue.provider_row(provider_id)  # 404 for an admin on an unknown provider
        return key

    @router.put("/crawl-sources/{source_id}",
                summary="Register or change a website to be crawled")
    def put_crawl_source(provider_id: str, source_id: str, body: CrawlSourceIn,
                         request: Request, response: Response) -> dict:
        caller_for(request, provider_id)
        crawl = crawling()
        start_urls, limits, site = crawl.check_crawl_settings(
            [str(url) for url in body.start_urls], body.limits, body.site)
        schedule = (Schedule(cron=body.schedule.cron,
                             interval_minutes=body.schedule.interval_minutes)
                    if body.schedule else None)
        source, created = crawl.crawls.put_crawl_source(
            provider_id, source_id, start_urls=start_urls, limits=limits, site=site,
            schedule=schedule)
        response.status_code = 201 if created else 200
        return _source_out(source)

    @router.get("/crawl-sources", summary="This provider's crawled websites")
    def list_crawl_sources(provider_id: str, request: Request) -> dict:
        caller_for(request, provider_id)
        return {"crawl_sources": [_source_out(s) for s in
                                  crawling().crawls.list_crawl_sources(provider_id)]}

    @router.get("/crawl-sources/{source_id}", summary="One crawled website and its recent crawls")
    def get_crawl_source(provider_id: str, source_id: str, request: Request) -> dict:
        caller_for(request, provider_id)
        crawls = crawling().crawls
        source = crawls.get_crawl_source(provider_id, source_id)
        return dict(_source_out(source),
                    crawls=crawls.crawl_runs(provider_id, source_name=source_id, limit=20))

    @router.delete("/crawl-sources/{source_id}",
                   summary="Stop crawling a website (its history stays)")
    def delete_crawl_source(provider_id: str, source_id: str, request: Request) -> dict:
        caller_for(request, provider_id)
        crawling().crawls.disable_crawl_source(provider_id, source_id)
        return {"id": source_id, "enabled": False}

    @router.post("/crawl-sources/{source_id}/crawl", status_code=202,
                 summary="Crawl a website now")
    def crawl_now(provider_id: str, source_id: str, request: Request) -> dict:
        caller_for(request, provider_id)
        crawl = crawling()
        source = crawl.crawls.get_crawl_source(provider_id, source_id)
        if crawl.request_crawl is None:
            raise InvalidRequest("no scheduler runs in this deployment to crawl websites")
        crawl.request_crawl(source)
        return {"id": source_id, "requested": True}

    @router.get("/crawls", summary="This provider's crawl runs and their stats, newest first")
    def crawls(provider_id: str, request: Request, limit: int = Query(50, ge=1, le=500),
               before: int | None = Query(None, description="id of the last one seen"),
               source: str | None = Query(None, description="only this crawl source")) -> dict:
        caller_for(request, provider_id)
        runs = crawling().crawls.crawl_runs(provider_id, source_name=source, limit=limit,
                                            before_id=before)
        return {"crawls": runs, "next_before": runs[-1]["id"] if len(runs) == limit else None}

    return router

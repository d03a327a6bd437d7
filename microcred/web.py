"""Builds the web application from the composed services, with its background work."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from catalogue.crawls import CrawlStore
from catalogue.errors import InvalidRequest
from crawlers.ssrf import UnsafeFeedUrl, check_url
from microcred.agency import build_agency_context, build_public_limit
from microcred.crawling import crawl_settings_checker
from microcred.services import Services, build_services
from microcred.settings import Settings, get_settings
from normaliser.vocab import vocabularies
from search_api.app import create_app
from search_api.context import ApiContext, CrawlingContext, PublishingContext
from search_api.feed_body import BodyTimeouts

# A feed being parsed in a thread of the web process holds the GIL while it runs Python; a
# search waiting for the GIL gets it after at most this long (CPython's default: 5 ms), and
# one search asks for it dozens of times (around each SQLite call). 1 ms keeps searches
# fast while a 50 MB validate runs (benchmarks/bench_validate_latency.py).
GIL_SWITCH_INTERVAL_SECONDS = 0.001


def body_timeouts(settings: Settings) -> BodyTimeouts:
    return BodyTimeouts(
        min_bytes_per_second=settings.feed_body_min_bytes_per_second,
        grace_seconds=settings.feed_body_grace_seconds,
        total_seconds=settings.feed_body_timeout_seconds,
    )


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn.run's options from the settings. h11 always: its limit on the bytes of an
    incomplete request line and headers is the one limit on headers uvicorn has (httptools,
    when installed, would otherwise be chosen without it)."""
    return {
        "host": settings.host,
        "port": settings.port,
        "http": "h11",
        "timeout_keep_alive": settings.http_timeout_keep_alive,
        "limit_concurrency": settings.http_limit_concurrency,
        "h11_max_incomplete_event_size": settings.http_max_incomplete_event_size,
    }


def feed_url_checker(allow_private: bool):
    """The SSRF guard, as the API's registration check: refuse early what a pull would."""

    def check(url: str) -> None:
        try:
            check_url(url, allow_private=allow_private)
        except UnsafeFeedUrl as exc:
            raise InvalidRequest(str(exc), parameter="url") from None

    return check


def create_web_app(services: Services, *, background: bool = True, scheduler=None) -> FastAPI:
    """The app. With `background`, the submission worker runs while the app does; with a
    `scheduler` (microcred.scheduler.PullScheduler), pulls run in this process too."""
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_SECONDS)
    publishing = PublishingContext(
        keys=services.keys,
        ingest=services.ingest,
        sources=services.sources,
        worker=services.worker,
        check_feed_url=feed_url_checker(services.settings.allow_private_feeds),
        request_pull=scheduler.request_pull if scheduler is not None else None,
        body_timeouts=body_timeouts(services.settings),
        profiles=services.profiles,
    )

    crawling = CrawlingContext(
        crawls=CrawlStore(services.catalogue),
        check_crawl_settings=crawl_settings_checker(services.settings.allow_private_feeds),
        request_crawl=scheduler.request_crawl if scheduler is not None else None,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if background:
            services.worker.start()
        if scheduler is not None:
            scheduler.start()
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown()
            if background:
                services.worker.stop()
            # The normaliser's worker processes end with the app, on every way out of it
            # (they also die with this process: catalogue.normalise_pool).
            services.ingest.close()

    return create_app(
        ApiContext(
            catalogue=services.catalogue,
            backend=services.backend,
            indexer=services.indexer,
            reference_currency=services.settings.reference_currency,
            vocabularies=vocabularies,
            publishing=publishing,
            crawling=crawling,
            agency=build_agency_context(services),
            public_url=services.settings.public_url,
            public_limit=build_public_limit(services),
        ),
        lifespan=lifespan,
    )


def app_from_environment() -> FastAPI:
    """For `uvicorn --factory microcred.web:app_from_environment` behind a process manager."""
    return create_web_app(build_services(get_settings()))

"""Crawl fixtures: a provider to crawl for, services that may reach loopback (as
MICROCRED_ALLOW_PRIVATE_FEEDS=true does in development), and a crawl runner."""

from __future__ import annotations

import pytest

from catalogue.crawls import CrawlStore
from crawlers.arguments import CrawlLimits
from microcred.crawling import CrawlRunner
from normaliser.schema import Provider

# Fast on loopback; the politeness defaults are tested on their own.
FAST = dict(autothrottle_start_delay=0.01, autothrottle_max_delay=0.5, max_seconds=60)


@pytest.fixture
def local_services(services):
    # Fixture sites are served on 127.0.0.1, which the SSRF guard refuses by default.
    services.settings = services.settings.model_copy(update={"allow_private_feeds": True})
    return services


@pytest.fixture
def kelvinside(local_services) -> Provider:
    provider = Provider(
        id="kelvinside",
        name="Kelvinside University",
        country="GB",
        default_currency="GBP",
        url="https://www.kelvinside.example.ac.uk",
    )
    local_services.catalogue.upsert_provider(
        provider, default_language="en", level_framework="SCQF", credit_system="SCQF"
    )
    return provider


@pytest.fixture
def runner(local_services) -> CrawlRunner:
    return CrawlRunner(local_services)


@pytest.fixture
def crawls(local_services) -> CrawlStore:
    return CrawlStore(local_services.catalogue)


def crawl(runner: CrawlRunner, provider_id: str, start_urls: list[str], *, source=None, **limits):
    """Crawl in a child process, as `microcred crawl` does; then apply what it stored."""
    arguments = runner.arguments(
        provider_id, start_urls, source=source, limits=CrawlLimits(**(FAST | limits))
    )
    outcome = runner.crawl(arguments)
    runner.services.worker.run_pending()
    runner.services.indexer.drain()
    return outcome.result

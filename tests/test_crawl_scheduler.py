"""Crawl schedules live in APScheduler beside feed pulls: the reconcile pass turns crawl
sources with a schedule into jobs (and drops them when disabled), and a scheduled crawl
runs in a child process against a site on 127.0.0.1."""

from __future__ import annotations

import pytest

from catalogue.crawls import CrawlStore
from catalogue.sources import Schedule
from microcred.scheduler import PullScheduler
from tests.crawlers.site_server import Route, SiteServer

PAGE = (
    '<html><head><script type="application/ld+json">{"@context": "https://schema.org", '
    '"@type": "Course", "courseCode": "S1", "name": "Scheduled course"}</script></head>'
    "<body></body></html>"
)


@pytest.fixture
def scheduler(services):
    services.settings = services.settings.model_copy(update={"allow_private_feeds": True})
    built = PullScheduler(services, reconcile_seconds=0.2)
    yield built
    if built.scheduler.running:
        built.shutdown()


def test_crawl_sources_with_a_schedule_become_jobs_and_run(services, provider, scheduler):
    crawls = CrawlStore(services.catalogue)
    with SiteServer({"/": Route(PAGE), "/robots.txt": Route("", status=404)}) as site:
        source, _ = crawls.put_crawl_source(
            provider.id,
            "website",
            start_urls=[site.url("/")],
            limits={"autothrottle_start_delay": 0.01},
            site=None,
            schedule=Schedule(cron="0 4 * * *"),
        )
        on_request, _ = crawls.put_crawl_source(
            provider.id, "manual", start_urls=[site.url("/")], limits={}, site=None, schedule=None
        )
        scheduler.start()
        job = scheduler.scheduler.get_job(f"crawl-source-{source.id}")
        assert job is not None and (job.next_run_time.hour, job.next_run_time.minute) == (4, 0)
        assert scheduler.scheduler.get_job(f"crawl-source-{on_request.id}") is None

        outcome = scheduler.crawl(source.id)  # what the job calls when it is due
        services.worker.run_pending()
        assert outcome.status == "finished" and outcome.result["mode"] == "snapshot"
        titles = [d["title"] for d in services.catalogue.iter_active_offering_documents()]
        assert titles == ["Scheduled course"]

        crawls.disable_crawl_source(provider.id, "website")
        scheduler.reconcile()
        assert scheduler.scheduler.get_job(f"crawl-source-{source.id}") is None
        assert scheduler.crawl(source.id) is None  # a disabled source is not crawled

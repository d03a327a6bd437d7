"""Scheduled pulls against a real feed server on 127.0.0.1, with the real APScheduler and its
job store in the catalogue database."""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import text

from catalogue.sources import Schedule
from crawlers.fetch import FeedFetcher
from microcred.scheduler import JOBS_TABLE, PullScheduler

FEED_V1 = (
    "id,title,mode,price\nP1,Pulled course one,Online,NZ$100\nP2,Pulled course two,Online,NZ$200\n"
)
FEED_V2 = FEED_V1.replace("Pulled course two", '"Pulled course two, revised"')


class FeedServer:
    """Serves one feed with an ETag (optionally none) and records what each request sent."""

    def __init__(self, body: str, *, etag: bool = True) -> None:
        self.body, self.etag = body, etag
        self.requests: list[dict[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the http.server API)
                content = server.body.encode()
                tag = f'"{hashlib.sha256(content).hexdigest()[:16]}"'
                server.requests.append(
                    {"path": self.path, "if_none_match": self.headers.get("If-None-Match")}
                )
                if server.etag and self.headers.get("If-None-Match") == tag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(content)))
                if server.etag:
                    self.send_header("ETag", tag)
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *_args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/feed.csv"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def local_fetcher() -> FeedFetcher:
    # allow_private: the feed server is on loopback, which the SSRF guard otherwise refuses.
    return FeedFetcher(allow_private=True, timeout=5, max_bytes=1_000_000, user_agent="test")


@pytest.fixture
def scheduler(services):
    built = PullScheduler(services, fetcher=local_fetcher(), reconcile_seconds=0.2)
    yield built
    if built.scheduler.running:
        built.shutdown()


def register(services, provider, url, **schedule):
    source, _ = services.sources.put_pull_source(
        provider.id,
        "main",
        url=url,
        format="csv",
        mode="snapshot",
        schedule=Schedule(**(schedule or {"interval_minutes": 60})),
    )
    return source


def titles(services, provider) -> list[str]:
    return sorted(
        d["title"]
        for d in services.catalogue.iter_active_offering_documents()
        if d["provider"]["id"] == provider.id
    )


def test_a_pull_picks_up_a_changed_feed_and_skips_an_unchanged_one(services, provider, scheduler):
    with FeedServer(FEED_V1) as server:
        source = register(services, provider, server.url)
        first = scheduler.pull(source.id)
        services.worker.run_pending()
        assert first.outcome == "fetched"
        assert titles(services, provider) == ["Pulled course one", "Pulled course two"]

        again = scheduler.pull(source.id)
        assert again.outcome == "not_modified" and again.submission_id is None
        assert server.requests[-1]["if_none_match"] is not None  # a conditional GET was sent

        server.body = FEED_V2
        changed = scheduler.pull(source.id)
        services.worker.run_pending()
        assert changed.outcome == "fetched" and changed.submission_id != first.submission_id
        assert titles(services, provider) == ["Pulled course one", "Pulled course two, revised"]
    runs = services.sources.pull_runs(provider.id)
    assert [r["outcome"] for r in runs] == ["fetched", "not_modified", "fetched"]
    submissions = services.sources.submissions(provider.id)
    assert [(s["channel"], s["status"]) for s in submissions] == [("pull", "applied")] * 2


def test_a_server_without_validators_sending_the_same_bytes_makes_no_submission(
    services, provider, scheduler
):
    with FeedServer(FEED_V1, etag=False) as server:
        source = register(services, provider, server.url)
        assert scheduler.pull(source.id).outcome == "fetched"
        assert scheduler.pull(source.id).outcome == "unchanged"
        assert server.requests[-1]["if_none_match"] is None
    assert len(services.sources.submissions(provider.id)) == 1


def test_the_ssrf_guard_applies_when_pulling_too(services, provider):
    with FeedServer(FEED_V1) as server:
        source = register(services, provider, server.url)
        guarded = PullScheduler(
            services,
            fetcher=FeedFetcher(
                allow_private=False, timeout=5, max_bytes=1_000_000, user_agent="test"
            ),
        )
        outcome = guarded.pull(source.id)
        assert outcome.outcome == "refused" and "127.0.0.1" in outcome.error
        assert server.requests == []  # nothing reached the server
    assert services.sources.submissions(provider.id) == []


def test_a_failing_server_is_recorded_and_changes_nothing(services, provider, scheduler):
    source = register(services, provider, "http://127.0.0.1:9/nothing-listens-here.csv")
    outcome = scheduler.pull(source.id)
    assert outcome.outcome == "failed" and outcome.error
    assert services.sources.pull_runs(provider.id)[0]["outcome"] == "failed"


def wait_for(condition, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_apscheduler_runs_the_pull_and_its_jobs_survive_a_restart(services, provider, scheduler):
    with FeedServer(FEED_V1) as server:
        source = register(services, provider, server.url, cron="0 3 * * *")
        services.worker.start()
        scheduler.start()
        job_id = f"pull-source-{source.id}"
        with services.engine.connect() as conn:  # the job is in the catalogue database
            stored = conn.execute(text(f"SELECT id FROM {JOBS_TABLE}")).scalars().all()
        assert stored == [job_id]
        next_run = scheduler.scheduler.get_job(job_id).next_run_time
        assert (next_run.hour, next_run.minute) == (3, 0)

        # Make the stored job due now: APScheduler itself runs it.
        scheduler.scheduler.modify_job(job_id, next_run_time=datetime.now(UTC))
        assert wait_for(lambda: services.sources.pull_runs(provider.id))
        assert wait_for(
            lambda: titles(services, provider) == ["Pulled course one", "Pulled course two"]
        )
        scheduler.shutdown()

        restarted = PullScheduler(services, fetcher=local_fetcher())
        restarted.start()
        try:
            job = restarted.scheduler.get_job(job_id)
            assert job is not None and (job.next_run_time.hour, job.next_run_time.minute) == (3, 0)
            # A schedule changed through the API is picked up by the reconcile pass.
            services.sources.put_pull_source(
                provider.id,
                "main",
                url=server.url,
                format="csv",
                mode="snapshot",
                schedule=Schedule(interval_minutes=15),
            )
            restarted.reconcile()
            assert "interval" in str(restarted.scheduler.get_job(job_id).trigger)
            services.sources.disable_pull_source(provider.id, "main")
            restarted.reconcile()
            assert restarted.scheduler.get_job(job_id) is None
        finally:
            restarted.shutdown()

"""What several processes agree on through the catalogue, on SQLite and PostgreSQL: submission
claims and leases, scheduled-run claims, the shared rate limit, indexer heartbeats and the
indexing state /healthz reports. Two instances of a component in one test stand for two
processes (tests/test_several_processes.py runs real ones)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from catalogue.coordination import ScheduledRunClaims, WindowCounters
from catalogue.indexer import Indexer, RetryPolicy
from catalogue.ingest import MAX_CLAIMS, IngestService
from catalogue.models import SubmissionRow
from catalogue.search.engine.backend import EngineBackend
from catalogue.search.engine.opensearch_client import connect_opensearch
from catalogue.store import offering_key
from microcred.agency import build_rate_limiter
from microcred.scheduler import PullScheduler
from microcred.services import build_services
from microcred.web import create_web_app
from normaliser.readers.registry import read_feed
from normaliser.schema import Provider
from search_api.rate_limit import RateLimited, SlidingWindowLimiter, TokenBucketLimiter
from tests.test_scheduler import FeedServer, local_fetcher, register

OTHER = Provider(id="other", name="Other Polytechnic", country="NZ", default_currency="NZD")


def feed(*ids: str) -> bytes:
    return (
        "id,title,mode,price\n" + "".join(f"{i},Course {i},Online,NZ$100\n" for i in ids)
    ).encode()


def store(services, provider_id: str, *ids: str) -> int:
    return services.ingest.store_submission(
        provider_id, feed(*ids), format="csv", mode="delta", channel="push"
    )


def second_ingest(services, **options) -> IngestService:
    """Another worker on the same catalogue, as another process would have."""
    return IngestService(services.catalogue, read_feed, workers=1, **options)


def expire_lease(services, submission_id: int) -> None:
    """Stands for time passing beyond the lease while its worker is stopped (paused, or
    killed: tests/test_several_processes.py kills a real one)."""
    with services.engine.begin() as conn:
        conn.execute(
            update(SubmissionRow)
            .where(SubmissionRow.id == submission_id)
            .values(lease_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )


# --- submission claims ------------------------------------------------------------------------
def test_claims_go_in_order_and_never_to_a_provider_another_claim_works_on(services, provider):
    services.catalogue.upsert_provider(OTHER)
    first, second = store(services, provider.id, "A"), store(services, provider.id, "B")
    other = store(services, OTHER.id, "C")
    a, b = services.ingest, second_ingest(services)

    claim = a.claim_next()
    assert claim.submission_id == first
    # The other worker gets the other provider's feed, not this provider's second one.
    assert b.claim_next().submission_id == other
    assert b.claim_next() is None and a.claim_next() is None
    row = services.catalogue.get_submission(first)
    assert (row.status, row.claimed_by, row.claim_token) == ("processing", a.worker_id, claim.token)
    assert a.process_claim(claim).status == "applied"
    assert b.claim_next().submission_id == second


def test_a_lease_runs_out_only_without_renewal(services, provider):
    ingest = second_ingest(services, lease_seconds=0.6)
    submission_id = store(services, provider.id, "A")
    claim = ingest.claim_next()
    for _ in range(4):
        time.sleep(0.3)
        assert ingest.renew_lease(claim)
        assert services.ingest.claim_next() is None
    time.sleep(0.8)  # no renewal: the lease runs out
    taken = services.ingest.claim_next()
    assert (taken.submission_id, taken.worker) == (submission_id, services.ingest.worker_id)
    assert not ingest.renew_lease(claim)  # the first claim is no longer the submission's


def test_a_worker_that_lost_its_lease_but_finishes_anyway_changes_nothing(services, provider):
    submission_id = store(services, provider.id, "A", "B")
    late = second_ingest(services, lease_seconds=30)
    lost = late.claim_next()
    expire_lease(services, submission_id)
    taken = services.ingest.claim_next()
    assert taken.submission_id == submission_id and taken.token != lost.token

    # The late worker reads, normalises and applies, and its transaction is rolled back at
    # the outcome: no run, no offering.
    report = late.process_claim(lost)
    assert report.status == "processing" and report.run_id is None
    assert services.catalogue.runs_for_submission(submission_id) == []
    assert services.catalogue.count_offerings() == 0

    assert services.ingest.process_claim(taken).status == "applied"
    assert len(services.catalogue.runs_for_submission(submission_id)) == 1
    assert services.catalogue.get_offering(offering_key(provider.id, "A")).version == 1
    # And once applied, nothing is claimable, however late.
    assert late.process_claim(lost).status == "applied"
    assert len(services.catalogue.runs_for_submission(submission_id)) == 1


def test_a_failed_outcome_is_recorded_only_under_a_live_claim(services, provider):
    submission_id = services.ingest.store_submission(
        provider.id, b"{not json", format="json", mode="delta", channel="push"
    )
    late = second_ingest(services)
    lost = late.claim_next()
    expire_lease(services, submission_id)
    taken = services.ingest.claim_next()
    assert late.process_claim(lost).status == "processing"
    assert services.catalogue.runs_for_submission(submission_id) == []
    assert services.ingest.process_claim(taken).status == "failed"
    assert len(services.catalogue.runs_for_submission(submission_id)) == 1


def test_a_submission_that_stops_its_worker_each_time_is_failed_after_a_few(services, provider):
    submission_id = store(services, provider.id, "A")
    for _ in range(MAX_CLAIMS):
        assert services.ingest.claim_next().submission_id == submission_id
        expire_lease(services, submission_id)
    assert services.ingest.claim_next() is None
    row = services.catalogue.get_submission(submission_id)
    assert row.status == "failed" and f"stopped {MAX_CLAIMS} times" in row.error
    assert services.ingest.retry(submission_id).status == "applied"


def test_the_worker_starting_leaves_other_workers_claims_alone(services, provider):
    submission_id = store(services, provider.id, "A")
    other = second_ingest(services)
    claim = other.claim_next()
    services.worker.start()
    try:
        time.sleep(0.5)
        assert services.catalogue.get_submission(submission_id).claim_token == claim.token
    finally:
        services.worker.stop()
    assert other.process_claim(claim).status == "applied"


# --- scheduled runs ---------------------------------------------------------------------------
def test_a_scheduled_run_is_claimed_once_per_due_time(services, provider):
    with FeedServer(feed("P1").decode()) as server:
        source = register(services, provider, server.url)
        first = PullScheduler(services, fetcher=local_fetcher())
        second = PullScheduler(services, fetcher=local_fetcher())
        due = datetime(2027, 3, 1, 3, 0, tzinfo=UTC)
        assert first.scheduled_pull(source.id, due).outcome == "fetched"
        assert second.scheduled_pull(source.id, due) is None
        assert first.scheduled_pull(source.id, due) is None
        assert len(server.requests) == 1
        assert second.scheduled_pull(source.id, due + timedelta(hours=1)).outcome == "not_modified"
        assert first.scheduled_pull(source.id, None) is None  # no run time: nothing to claim
        assert len(server.requests) == 2
    claims = ScheduledRunClaims(services.catalogue)
    assert claims.claimed_by("pull", source.id, due) == first.name
    assert claims.claimed_by("pull", source.id, due + timedelta(hours=1)) == second.name


# --- the shared rate limit --------------------------------------------------------------------
class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_sliding_window_is_shared_by_every_limiter_on_the_store(services):
    clock = Clock(1_800_000_000.0)  # a window start
    one, two = (
        SlidingWindowLimiter(WindowCounters(services.catalogue), 3, clock=clock) for _ in range(2)
    )
    one.take(7)
    two.take(7)
    clock.now += 50
    one.take(7)
    with pytest.raises(RateLimited) as refused:
        two.take(7)
    # 10 s to the next window, where 3 carried at weight 1 still leave no room; the carried
    # share falls to 2 a third of the way through it.
    assert refused.value.retry_after == 30
    two.take(8)  # another key has its own count
    clock.now += 10  # the next window: the three still count, almost wholly
    with pytest.raises(RateLimited):
        one.take(7)
    clock.now += 20  # two thirds of the previous window carried: room for one
    two.take(7)
    with pytest.raises(RateLimited):
        one.take(7)
    clock.now += 70  # halfway through the window after: half of one request carried
    one.take(7)
    two.take(7)
    with pytest.raises(RateLimited):
        one.take(7)


def test_refused_requests_are_not_counted(services):
    clock = Clock(1_800_000_000.0)
    counters = WindowCounters(services.catalogue)
    limiter = SlidingWindowLimiter(counters, 2, clock=clock)
    limiter.take("k")
    limiter.take("k")
    for _ in range(5):
        with pytest.raises(RateLimited):
            limiter.take("k")
    assert counters.count("agency-key:k", 1_800_000_000) == 2


def test_postgresql_shares_the_limit_and_sqlite_counts_in_memory(services, catalogue_db):
    limiter = build_rate_limiter(services)
    expected = SlidingWindowLimiter if catalogue_db == "postgresql" else TokenBucketLimiter
    assert isinstance(limiter, expected)


# --- indexing state ---------------------------------------------------------------------------
def unreachable_indexer(services, **options) -> Indexer:
    """An indexer on a real OpenSearch client whose cluster is not there (nothing listens on
    the discard port): its drains stop, as on an engine outage."""
    client = connect_opensearch("http://127.0.0.1:9", timeout=2)
    return Indexer(
        services.catalogue,
        EngineBackend(client),
        retry=RetryPolicy(attempts=1, cooldown_seconds=0),
        sleep=lambda _s: None,
        **options,
    )


def health(client) -> str:
    return client.get("/healthz").json()["index_lag"]["indexing"]


def test_healthz_of_another_instance_reports_this_ones_indexing(services, settings, provider):
    other = build_services(settings)
    try:
        with TestClient(create_web_app(other, background=False)) as api:
            services.ingest.submit(provider.id, feed("A1", "A2"), format="csv")
            assert health(api) == "pending"

            # A rebuild in the first instance: the second reports it while it runs.
            halfway, go_on = threading.Event(), threading.Event()

            def progress(_done: int) -> None:
                halfway.set()
                assert go_on.wait(30)

            rebuild = threading.Thread(target=services.indexer.rebuild, args=(progress,))
            rebuild.start()
            try:
                assert halfway.wait(30)
                assert health(api) == "rebuilding"
            finally:
                go_on.set()
                rebuild.join(30)
            assert not rebuild.is_alive()
            assert health(api) == "pending"  # the rebuild left the outbox to the drains

            # A drain that stopped for want of an engine, in a third: reported as stalled...
            stalled = unreachable_indexer(services, heartbeat_seconds=1.5)
            assert stalled.drain().stopped
            assert health(api) == "stalled"
            assert other.indexer.status().detail
            # ... until its heartbeat runs out (it stopped trying) ...
            time.sleep(1.6)
            assert health(api) == "pending"
            # ... or a later drain anywhere gets through.
            assert stalled.drain().stopped and health(api) == "stalled"
            services.indexer.drain()
            assert health(api) == "current"
    finally:
        other.close()


def test_a_process_that_stops_cleanly_stops_counting_at_once(services, provider):
    stalled = unreachable_indexer(services)
    services.ingest.submit(provider.id, feed("A1"), format="csv")
    assert stalled.drain().stopped
    assert services.indexer.status().state == "stalled"
    stalled.close()
    assert services.indexer.status().state == "pending"

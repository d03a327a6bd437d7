"""The indexer and the API when the search engine fails: it goes away in the middle of an
ingest and comes back, it answers 429/5xx, it sheds single bulk items, it refuses one
document for good, it lost its index. A real OpenSearch node is the engine; the faults come from a
TCP proxy in front of it (tests/search/faults.py) unless a test says otherwise."""

from __future__ import annotations

import dataclasses
import random

import pytest
from elasticsearch import BadRequestError
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch, RequestError
from sqlalchemy import select

from catalogue.errors import SearchUnavailable
from catalogue.indexer import Indexer, RetryPolicy
from catalogue.models import IndexDeadLetterRow
from catalogue.search.engine.backend import EngineBackend
from catalogue.search.engine.opensearch_client import OpenSearchClient
from catalogue.search.query import Filters, SearchQuery
from catalogue.store import offering_key
from microcred.services import Services
from microcred.web import create_web_app
from tests.search.engines import elasticsearch_backend, opensearch_backend
from tests.search.indexing import (
    POLICY,
    PROVIDER,
    catalogue_versions,
    engine_services,
    feed,
    indexed_versions,
    isolated_prefix,
    started_proxy,
)


@pytest.fixture
def proxy(request, opensearch_url):
    return started_proxy(request, opensearch_url)


@pytest.fixture
def prefix(request, opensearch_url) -> str:
    return isolated_prefix(request, opensearch_url)


def dead_letter_rows(services: Services) -> list[IndexDeadLetterRow]:
    with services.catalogue.session() as session:
        return list(session.scalars(select(IndexDeadLetterRow).order_by(IndexDeadLetterRow.id)))


# --- the engine goes away mid-ingest and comes back ------------------------------------------
def test_an_engine_outage_mid_ingest_loses_nothing_and_the_api_keeps_answering(
    tmp_path, catalogue_url, proxy, prefix
):
    services, waits = engine_services(tmp_path / "data", proxy.url, prefix, catalogue_url)
    try:
        services.import_feed(PROVIDER.id, feed("A1", "A2", "A3"), format="csv")
        assert services.backend.count() == 3
        api = TestClient(create_web_app(services, background=False))
        lag = api.get("/healthz").json()["index_lag"]
        assert (lag["pending"], lag["dead_letters"], lag["indexing"]) == (0, 0, "current")

        # The engine goes away after the first batch of the drain that follows the ingest:
        # two of the four updates reach it, two do not.
        services.indexer.batch_size = 2
        mark_done = services.catalogue.mark_index_work_done

        def first_batch_then_outage(outbox_ids):
            mark_done(outbox_ids)
            proxy.stop()
            services.catalogue.mark_index_work_done = mark_done

        services.catalogue.mark_index_work_done = first_batch_then_outage
        report = services.import_feed(
            PROVIDER.id,
            feed("A1", "A2", "A4", "A5", titles={"A1": "Data Science Refreshed"}),
            format="csv",
        )

        # The ingest is committed in full; the drain tried a bounded number of times, with
        # growing waits, and left the rest pending.
        assert (report.status, report.created, report.updated, report.withdrawn) == (
            "applied",
            2,
            1,
            1,
        )
        assert services.catalogue.count_offerings() == 4
        assert len(waits) == POLICY.attempts - 1
        assert all(0 <= wait <= POLICY.base_seconds * 2**n for n, wait in enumerate(waits))
        assert services.catalogue.index_lag()[0] == 2

        # The catalogue still answers: the offering page shows the new version.
        a1 = offering_key(PROVIDER.id, "A1")
        page = api.get(f"/v1/offerings/{a1}")
        assert page.status_code == 200
        assert (page.json()["title"], page.json()["version"]) == ("Data Science Refreshed", 2)

        # Search says plainly that it is unavailable: 503, not 500, without addresses.
        search = api.get("/v1/search", params={"q": "data"})
        assert search.status_code == 503
        error = search.json()["error"]
        assert error["code"] == "search_unavailable"
        assert "Search is unavailable" in error["message"]
        assert "127.0.0.1" not in error["message"]
        assert api.get("/v1/suggest", params={"q": "dat"}).status_code == 503

        health = api.get("/healthz")
        assert health.status_code == 503
        assert health.json()["status"] == "degraded" and health.json()["search"]["ok"] is False
        lag = health.json()["index_lag"]
        assert (lag["pending"], lag["dead_letters"], lag["indexing"]) == (2, 0, "stalled")
        assert lag["oldest_pending"] is not None

        # Another ingest while the engine is away: accepted, and the lag grows.
        waits.clear()
        services.import_feed(
            PROVIDER.id,
            feed("A1", "A2", "A4", "A5", "A6", titles={"A1": "Data Science Refreshed"}),
            format="csv",
        )
        assert len(waits) == POLICY.attempts - 1
        assert api.get("/healthz").json()["index_lag"]["pending"] == 3

        # The engine is back: one drain catches up, and the index is the catalogue again.
        proxy.start()
        stats = services.indexer.drain()
        assert stats.stopped is None and stats.dead_lettered == 0
        assert services.catalogue.index_lag()[0] == 0
        assert services.backend.count() == services.catalogue.count_offerings() == 5
        assert indexed_versions(services.backend) == catalogue_versions(services)
        assert offering_key(PROVIDER.id, "A3") not in indexed_versions(services.backend)
        health = api.get("/healthz")
        assert health.status_code == 200
        assert health.json()["index_lag"]["indexing"] == "current"
        hits = api.get("/v1/search", params={"q": "refreshed"}).json()["hits"]
        assert [h["id"] for h in hits] == [a1]
    finally:
        services.close()


def test_services_start_while_the_engine_is_down_and_catch_up_when_it_is_back(
    tmp_path, proxy, prefix
):
    proxy.stop()
    services, _waits = engine_services(tmp_path / "data", proxy.url, prefix)
    try:
        report = services.import_feed(PROVIDER.id, feed("A1", "A2"), format="csv")
        assert report.status == "applied"
        api = TestClient(create_web_app(services, background=False))
        assert api.get("/v1/search").status_code == 503
        assert api.get(f"/v1/offerings/{offering_key(PROVIDER.id, 'A2')}").status_code == 200
        assert api.get("/healthz").json()["index_lag"]["indexing"] == "stalled"

        proxy.start()
        # What the background worker does on every idle pass: make the index, then drain.
        assert services.indexer.catch_up().stopped is None
        assert indexed_versions(services.backend) == catalogue_versions(services)
        assert api.get("/v1/search").json()["total"] == 2
    finally:
        services.close()


# --- errors the engine answers, seen through both client flavours ---------------------------
@pytest.fixture(params=["opensearch", "elasticsearch"])
def flavour_through_proxy(request) -> EngineBackend:
    """Each flavour's client through a proxy to its own engine's node (the Elasticsearch client
    refuses a server that is not Elasticsearch)."""
    url = request.getfixturevalue(f"{request.param}_url")
    proxy = started_proxy(request, url)
    prefix = isolated_prefix(request, url)
    request.node.engine_proxy = proxy
    if request.param == "opensearch":
        backend = opensearch_backend(proxy.url, prefix)
    else:
        backend = elasticsearch_backend(proxy.url, prefix)
    backend.ensure_index()
    request.addfinalizer(backend.close)
    return backend


@pytest.mark.parametrize(
    ("status", "retryable"), [(429, True), (503, True), (500, True), (401, False), (403, False)]
)
def test_engine_errors_become_search_unavailable(request, flavour_through_proxy, status, retryable):
    proxy = request.node.engine_proxy
    proxy.answer_errors(status, count=100)  # more than the client's own retries
    with pytest.raises(SearchUnavailable) as caught:
        flavour_through_proxy.search(SearchQuery())
    assert caught.value.status == status
    assert caught.value.retryable is retryable
    assert str(status) in str(caught.value) and "127.0.0.1" not in str(caught.value)
    assert str(status) in caught.value.detail


def test_an_unreachable_engine_is_search_unavailable(request, flavour_through_proxy):
    request.node.engine_proxy.stop()
    with pytest.raises(SearchUnavailable, match="cannot be reached") as caught:
        flavour_through_proxy.search(SearchQuery())
    assert caught.value.retryable and caught.value.status is None
    health = flavour_through_proxy.health()
    assert health.ok is False and "cannot be reached" in health.detail


def test_a_bad_request_is_not_mistaken_for_an_unavailable_engine(request, flavour_through_proxy):
    request.node.engine_proxy.answer_errors(400, count=1)
    with pytest.raises((RequestError, BadRequestError)):
        flavour_through_proxy.search(SearchQuery())


# --- retries, backoff and their bound ----------------------------------------------------------
def fragile_indexer(
    services: Services, url: str, index_prefix: str, policy: RetryPolicy = POLICY
) -> tuple[Indexer, list[float]]:
    """An indexer on an OpenSearch client that does not retry by itself (max_retries=0),
    so every failure reaches the indexer's own retry."""
    backend = EngineBackend(
        OpenSearchClient(OpenSearch(hosts=[url], max_retries=0)), index_prefix=index_prefix
    )
    waits: list[float] = []
    indexer = Indexer(
        services.catalogue, backend, retry=policy, sleep=waits.append, rng=random.Random(3)
    )
    return indexer, waits


def test_a_drain_retries_503_with_backoff_and_then_succeeds(tmp_path, proxy, prefix):
    services, _ = engine_services(tmp_path / "data", proxy.url, prefix)
    try:
        indexer, waits = fragile_indexer(services, proxy.url, prefix)
        services.ingest.submit(PROVIDER.id, feed("A1", "A2", "A3"), format="csv")
        proxy.answer_errors(503, count=2)
        stats = indexer.drain()
        assert stats.stopped is None
        assert (stats.retries, stats.upserted, proxy.errors_sent) == (2, 3, 2)
        assert len(waits) == 2 and waits[0] <= 0.5 and waits[1] <= 1.0
        assert services.catalogue.index_lag()[0] == 0
        assert indexed_versions(indexer.backend) == catalogue_versions(services)
        indexer.backend.close()
    finally:
        services.close()


def test_a_drain_gives_up_after_its_attempts_and_keeps_every_entry(tmp_path, proxy, prefix):
    services, _ = engine_services(tmp_path / "data", proxy.url, prefix)
    try:
        indexer, waits = fragile_indexer(services, proxy.url, prefix)
        services.ingest.submit(PROVIDER.id, feed("A1", "A2", "A3"), format="csv")
        proxy.answer_errors(503, count=1000)
        stats = indexer.drain()
        assert "failed (HTTP 503)" in stats.stopped and "3 attempts" in stats.stopped
        assert (stats.upserted, stats.dead_lettered, len(waits)) == (0, 0, 2)
        assert proxy.errors_sent == POLICY.attempts
        assert services.catalogue.index_lag()[0] == 3
        assert indexer.status().state == "stalled"
        assert dead_letter_rows(services) == []

        proxy.answer_errors(503, count=0)
        assert indexer.drain().upserted == 3
        assert indexer.status().state == "current"
        indexer.backend.close()
    finally:
        services.close()


def test_catch_up_waits_out_its_cooldown_after_a_stalled_drain(tmp_path, proxy, prefix):
    services, _ = engine_services(tmp_path / "data", proxy.url, prefix)
    try:
        indexer, waits = fragile_indexer(
            services, proxy.url, prefix, dataclasses.replace(POLICY, cooldown_seconds=3600)
        )
        services.ingest.submit(PROVIDER.id, feed("A1"), format="csv")
        proxy.stop()
        assert indexer.catch_up().stopped
        tries = len(waits)
        assert indexer.catch_up() is None  # within the cool-down: no new attempts
        assert len(waits) == tries
        proxy.start()
        assert indexer.drain().upserted == 1  # an explicit drain does not wait
        indexer.backend.close()
    finally:
        services.close()


class ShedsLoad:
    """Test-only EngineClient around the real one. For its first `times` bulk requests it
    sends only the first item on to the engine and answers the others itself with 429
    es_rejected_execution_exception, as a cluster whose write queue is full does.
    A single idle test node never sheds load, so this one part of a busy cluster is played here; the
    items that go through, and everything else, are the real engine's doing."""

    def __init__(self, inner: OpenSearchClient, times: int) -> None:
        self.inner, self.times = inner, times

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def bulk(self, operations, refresh):
        if self.times <= 0:
            return self.inner.bulk(operations, refresh)
        self.times -= 1
        actions, position = [], 0
        while position < len(operations):
            width = 1 if "delete" in operations[position] else 2
            actions.append(operations[position : position + width])
            position += width
        passed = actions[:1]
        response = (
            self.inner.bulk([line for a in passed for line in a], refresh)
            if passed
            else {"items": []}
        )
        through = iter(response["items"])
        items = []
        for number, action in enumerate(actions):
            if number == 0:
                items.append(next(through))
                continue
            ((kind, meta),) = action[0].items()
            items.append(
                {
                    kind: {
                        "_index": meta["_index"],
                        "_id": meta["_id"],
                        "status": 429,
                        "error": {
                            "type": "es_rejected_execution_exception",
                            "reason": "rejected execution (queue capacity 200)",
                        },
                    }
                }
            )
        return {"errors": True, "items": items}


def test_items_the_engine_sheds_are_sent_again(tmp_path, opensearch_url, prefix):
    services, _ = engine_services(tmp_path / "data", opensearch_url, prefix)
    try:
        services.backend.client = ShedsLoad(services.backend.client, times=2)
        services.import_feed(PROVIDER.id, feed("A1", "A2", "A3", "A4"), format="csv")
        # 4 sent: 1 through, 3 shed; again 3: 1 through, 2 shed; again 2: both through.
        assert services.catalogue.index_lag()[0] == 0
        assert indexed_versions(services.backend) == catalogue_versions(services)
        assert dead_letter_rows(services) == []
    finally:
        services.close()


def test_items_still_shed_after_every_attempt_stay_pending(tmp_path, opensearch_url, prefix):
    services, waits = engine_services(tmp_path / "data", opensearch_url, prefix)
    try:
        services.backend.client = ShedsLoad(services.backend.client, times=100)
        services.ingest.submit(PROVIDER.id, feed("A1", "A2", "A3", "A4"), format="csv")
        stats = services.indexer.drain()
        assert "still refused 1 updates after 3 attempts" in stats.stopped
        assert "es_rejected_execution_exception" in stats.stopped
        # Applied items are done; the one still shed waits in the outbox, not in dead letters.
        assert (stats.upserted, services.catalogue.index_lag()[0]) == (3, 1)
        assert dead_letter_rows(services) == []
        services.backend.client.times = 0
        assert services.indexer.drain().upserted == 1
        assert indexed_versions(services.backend) == catalogue_versions(services)
    finally:
        services.close()


# --- a document the engine refuses for good -----------------------------------------------------
class WritesAMisTypedField(EngineBackend):
    """Test-only: writes the `eqf` of offerings titled "Poison ..." as a word instead of the
    integer the mapping declares, as a faulty document builder (or a mapping changed under
    a live index) would. The engine's own mapping then refuses that one document with
    mapper_parsing_exception, HTTP 400, which nothing real in our ingest can produce: the
    normaliser only ever stores an integer there."""

    poisoned = True

    def bulk_into(self, index, documents, *, refresh=False):
        if self.poisoned:
            documents = [
                dataclasses.replace(d, eqf="five") if d.title.startswith("Poison") else d
                for d in documents
            ]
        return super().bulk_into(index, documents, refresh=refresh)


def test_a_document_the_mapping_refuses_goes_to_a_dead_letter_and_blocks_nothing(
    tmp_path, catalogue_url, opensearch_url, prefix
):
    services, _ = engine_services(tmp_path / "data", opensearch_url, prefix, catalogue_url)
    try:
        backend = WritesAMisTypedField(services.backend.client, index_prefix=prefix)
        services.backend = services.indexer.backend = backend
        poison = offering_key(PROVIDER.id, "P1")
        services.ingest.submit(PROVIDER.id, feed("A1", "P1", "A2"), format="csv")
        stats = services.indexer.drain()

        assert stats.stopped is None
        assert (stats.upserted, stats.dead_lettered) == (2, 1)
        assert services.catalogue.index_lag()[0] == 0  # marked done: nothing waits behind it
        assert poison not in indexed_versions(backend)
        (letter,) = dead_letter_rows(services)
        assert (letter.offering_id, letter.version, letter.op) == (poison, 1, "upsert")
        assert letter.status_code == 400 and letter.attempts == 1
        assert "mapper_parsing_exception" in letter.reason and "[eqf]" in letter.reason
        assert letter.first_failed_at is not None and letter.resolved_at is None

        # Later updates go through; the open dead letter shows in /healthz.
        services.import_feed(
            PROVIDER.id, feed("A1", "P1", "A2", "A3"), format="csv", mode="snapshot"
        )
        assert offering_key(PROVIDER.id, "A3") in indexed_versions(backend)
        api = TestClient(create_web_app(services, background=False))
        assert api.get("/healthz").json()["index_lag"]["dead_letters"] == 1

        # Retrying before the cause is fixed fails again: the same letter, one more attempt.
        assert services.indexer.retry_dead_letters() == (1, 1)
        (letter,) = dead_letter_rows(services)
        assert letter.attempts == 2 and letter.resolved_at is None

        # Fixed: the retry indexes it and closes the letter.
        backend.poisoned = False
        assert services.indexer.retry_dead_letters() == (1, 0)
        (letter,) = dead_letter_rows(services)
        assert letter.resolved_at is not None
        assert indexed_versions(backend) == catalogue_versions(services)
        assert api.get("/healthz").json()["index_lag"]["dead_letters"] == 0
    finally:
        services.close()


def test_a_later_version_that_indexes_closes_the_dead_letter(tmp_path, opensearch_url, prefix):
    services, _ = engine_services(tmp_path / "data", opensearch_url, prefix)
    try:
        backend = WritesAMisTypedField(services.backend.client, index_prefix=prefix)
        services.backend = services.indexer.backend = backend
        services.import_feed(PROVIDER.id, feed("A1", "P1"), format="csv")
        assert services.indexer.status().dead_letters == 1
        services.import_feed(
            PROVIDER.id, feed("A1", "P1", titles={"P1": "Antidote Studies"}), format="csv"
        )
        assert services.indexer.status().dead_letters == 0
        assert indexed_versions(backend)[offering_key(PROVIDER.id, "P1")] == 2
    finally:
        services.close()


# --- the engine lost the index -----------------------------------------------------------------
def test_a_lost_index_stops_the_drain_without_making_one_with_guessed_mappings(
    tmp_path, opensearch_url, prefix
):
    services, _ = engine_services(tmp_path / "data", opensearch_url, prefix)
    try:
        services.import_feed(PROVIDER.id, feed("A1", "A2"), format="csv")
        backend = services.backend
        for index in backend.client.alias_targets(backend.alias):
            backend.client.delete_index(index)
        # Both kinds of write: an upsert (A1 changed, A4 new) and a delete (A2 withdrawn).
        services.ingest.submit(
            PROVIDER.id, feed("A1", "A4", titles={"A1": "Data Science II"}), format="csv"
        )
        stats = services.indexer.drain()
        assert "no search index" in stats.stopped and "microcred reindex" in stats.stopped
        assert services.catalogue.index_lag()[0] == 3
        assert backend.client.index_names(f"{backend.alias}*") == []

        # A batch of deletes alone has no upsert to learn from: the alias is looked up first.
        # (The upserts are set aside here to make such a batch; the rebuild restores them.)
        services.ingest.withdraw_offering(PROVIDER.id, "A4")
        services.catalogue.mark_index_work_done(
            [w.id for w in services.catalogue.pending_index_work(100) if w.op != "delete"]
        )
        assert "no search index" in services.indexer.drain().stopped
        assert backend.client.index_names(f"{backend.alias}*") == []

        assert services.indexer.rebuild() == 1
        assert services.indexer.drain().stopped is None
        assert indexed_versions(backend) == catalogue_versions(services)
        assert backend.search(SearchQuery(filters=Filters(mode=("online",)))).total == 1
    finally:
        services.close()

"""`microcred reindex` on Elasticsearch/OpenSearch (a real OpenSearch node): a new versioned index is
filled from the catalogue while searches keep using the old one, catches up with what
changed meanwhile, and takes over in one alias move. No search fails, and none sees an
empty or half-filled index."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pytest

from benchmarks.synthetic import synthetic_csv
from catalogue.errors import SearchUnavailable
from catalogue.search.engine.backend import EngineBackend
from catalogue.search.query import Filters, SearchQuery
from catalogue.store import offering_key
from microcred.services import Services, build_services
from microcred.settings import Settings
from tests.search.engines import opensearch_backend
from tests.search.faults import TcpProxy
from tests.search.indexing import (
    POLICY,
    PROVIDER,
    catalogue_versions,
    indexed_versions,
    isolated_prefix,
)

OFFERINGS = 1200
BATCH = 150


@pytest.fixture
def prefix(request, opensearch_url) -> str:
    return isolated_prefix(request, opensearch_url)


def services_with_catalogue(
    data_dir: Path, url: str, index_prefix: str, database_url: str | None = None
) -> Services:
    services = build_services(
        Settings(
            data_dir=data_dir,
            database_url=database_url,
            reference_currency="EUR",
            search_backend="opensearch",
            search_url=url,
            search_index_prefix=index_prefix,
            normalise_workers=1,
            index_batch_size=BATCH,
        )
    )
    services.indexer.retry = POLICY
    services.indexer.rng = random.Random(5)
    services.indexer.drop_grace_seconds = 0.2
    services.catalogue.upsert_provider(PROVIDER, default_language="en")
    report = services.import_feed(
        PROVIDER.id, synthetic_csv(OFFERINGS, seed=3, id_prefix="S"), format="csv"
    )
    assert report.status == "applied"
    return services


class SearchLoad:
    """A steady stream of searches from a client of its own (as the API process would be),
    in a bounded loop: every error and every total is kept, with when it happened."""

    MAX_SEARCHES = 20_000

    def __init__(self, backend: EngineBackend, queries: dict[str, SearchQuery]) -> None:
        self.backend, self.queries = backend, queries
        self.results: list[tuple[float, str, int]] = []
        self.errors: list[BaseException] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        for _ in range(self.MAX_SEARCHES):
            if self._stop.is_set():
                return
            for name, query in self.queries.items():
                try:
                    total = self.backend.search(query).total
                except Exception as exc:  # noqa: BLE001 - every failure is what the test counts
                    self.errors.append(exc)
                else:
                    self.results.append((time.monotonic(), name, total))

    def __enter__(self) -> SearchLoad:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        time.sleep(0.2)  # a few searches on the new index too
        self._stop.set()
        self._thread.join(timeout=60)
        self.backend.close()


def test_rebuild_under_search_load_fails_no_search_and_catches_up(
    tmp_path, catalogue_url, opensearch_url, prefix
):
    services = services_with_catalogue(tmp_path / "data", opensearch_url, prefix, catalogue_url)
    try:
        backend = services.backend
        (old_index,) = backend.client.alias_targets(backend.alias)
        online = Filters(mode=("online",))
        expected_online = backend.search(SearchQuery(filters=online, size=1, facets=())).total
        assert backend.count() == OFFERINGS and 0 < expected_online < OFFERINGS

        # While the rebuild runs (after its first batch): a delta feed changes 3 offerings
        # and adds 2, one offering is withdrawn, and the worker drains them (to the old
        # index, through the alias, as the API process would).
        changed = False

        def change_the_catalogue(indexed: int) -> None:
            nonlocal changed
            if changed:
                return
            changed = True
            # The same ids with other values (another seed): 3 updates.
            services.ingest.submit(
                PROVIDER.id, synthetic_csv(3, seed=99, id_prefix="S"), format="csv", mode="delta"
            )
            services.ingest.submit(
                PROVIDER.id, synthetic_csv(2, seed=98, id_prefix="NEW"), format="csv", mode="delta"
            )
            services.ingest.withdraw_offering(PROVIDER.id, "S-000010")
            services.indexer.drain()

        queries = {
            "all": SearchQuery(size=5, facets=()),
            "online": SearchQuery(filters=online, size=5, facets=()),
        }
        load = SearchLoad(opensearch_backend(opensearch_url, prefix), queries)
        with load:
            time.sleep(0.2)
            started = time.monotonic()
            stats = services.indexer.rebuild_with_stats(progress=change_the_catalogue)
            finished = time.monotonic()

        assert load.errors == []
        during = [(name, total) for t, name, total in load.results if started <= t <= finished]
        assert len(during) >= 10, "the searches must overlap the rebuild"
        # Never empty, never half-filled: the catalogue held OFFERINGS, then up to 2 more,
        # then one fewer; of the online ones, the 6 offerings changed may each count or not.
        totals = {name: [total for _t, n, total in load.results if n == name] for name in queries}
        assert all(OFFERINGS - 1 <= total <= OFFERINGS + 2 for total in totals["all"])
        assert all(
            expected_online - 6 <= total <= expected_online + 6 for total in totals["online"]
        )

        # The alias moved to the new index, the old one is gone, and the new one holds every
        # active offering at its catalogue version, changes made during the rebuild included.
        assert stats.index == backend.client.alias_targets(backend.alias)[0] != old_index
        assert stats.dropped == [old_index]
        assert backend.client.index_names(backend.names.pattern) == [stats.index]
        assert stats.caught_up >= 6
        versions = catalogue_versions(services)
        assert len(versions) == OFFERINGS + 1
        assert indexed_versions(backend) == versions
        assert offering_key(PROVIDER.id, "S-000010") not in versions
        assert services.catalogue.index_lag()[0] == 0
        assert services.indexer.status().state == "current"
    finally:
        services.close()


def test_a_rebuild_the_engine_walks_out_of_leaves_the_live_index_serving(
    tmp_path, opensearch_url, prefix
):
    proxy = TcpProxy(opensearch_url).start()
    services = services_with_catalogue(tmp_path / "data", proxy.url, prefix)
    try:
        waits: list[float] = []
        services.indexer.sleep = waits.append
        backend = services.backend
        (live,) = backend.client.alias_targets(backend.alias)

        def outage_after_first_batch(indexed: int) -> None:
            proxy.stop()

        with pytest.raises(SearchUnavailable, match="the rebuild stopped"):
            services.indexer.rebuild(progress=outage_after_first_batch)
        assert len(waits) == POLICY.attempts - 1

        proxy.start()
        # Searches never left the old index, which is whole.
        assert backend.client.alias_targets(backend.alias) == [live]
        assert backend.search(SearchQuery(size=1, facets=())).total == OFFERINGS
        # The half-filled index could not be dropped with the engine away; the next
        # rebuild drops it with the old one.
        leftovers = backend.client.index_names(backend.names.pattern)
        assert len(leftovers) == 2
        stats = services.indexer.rebuild_with_stats()
        assert sorted(stats.dropped) == sorted(leftovers)
        assert backend.client.index_names(backend.names.pattern) == [stats.index]
        assert indexed_versions(backend) == catalogue_versions(services)
    finally:
        services.close()
        proxy.stop()

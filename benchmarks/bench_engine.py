"""The OpenSearch backend on osmem-server beside SQLite FTS5: bulk indexing throughput, the
indexer's overhead over the bare bulk helper, and search latency.

    .venv/bin/python -m benchmarks.bench_engine [--offerings 100000] [--queries 400]

osmem-server is an in-memory OpenSearch emulator (a Go binary from PyPI), not
Elasticsearch or OpenSearch: its figures say how our code behaves against an engine that
answers the same API, not how fast a real cluster is. They are labelled so in the output.

Steps, all on one catalogue of synthetic offerings (SQLite, embedded FTS5 index built by
the ingest):
1. bare bulk helper: the index documents built once, then EngineBackend.bulk_into a fresh
   versioned index in batches of 1000 (no refresh until the end);
2. indexer drain: the same offerings as pending outbox entries, drained into another
   index by the Indexer (reads the outbox and the catalogue, builds the documents, bulk,
   marks done), refresh at the end as in 1, and again with a refresh per batch as the API
   process runs it;
3. indexer rebuild (`microcred reindex`): a new versioned index filled from the catalogue,
   alias moved, old index dropped;
4. search latency of one query mix (benchmarks.bench_search.query_mix: 1-2 keywords,
   2 filters, 5 facets, a sort) in-process, through each backend's search().
Writes benchmarks/results/engine.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

from opensearchpy import OpenSearch
from osmem_server import resolve_binary
from sqlalchemy import update
from starlette.datastructures import QueryParams

from benchmarks.bench_search import query_mix, summary
from benchmarks.synthetic import synthetic_csv
from catalogue.indexer import CLOCK_ALLOWANCE, Indexer
from catalogue.models import OutboxRow
from catalogue.search.documents import build_document
from catalogue.search.engine import EngineBackend
from catalogue.search.opensearch_client import OpenSearchClient
from microcred.services import build_services
from microcred.settings import Settings
from normaliser.schema import Provider
from search_api.params import search_query_from_params
from tests.search.engines import OsmemProcess

RESULTS = Path(__file__).parent / "results"
BATCH = 1000
LABEL = ("osmem-server (in-memory OpenSearch emulator, one process on this machine): "
         "emulator figures, not Elasticsearch/OpenSearch figures")


def osmem_version() -> str:
    import subprocess
    out = subprocess.run([resolve_binary(), "-version"], capture_output=True, text=True)
    return (out.stdout or out.stderr).strip()


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    except OSError:
        return None
    return None


def engine_backend(url: str, prefix: str, *, refresh: bool) -> EngineBackend:
    client = OpenSearchClient(OpenSearch(hosts=[url], timeout=300))
    return EngineBackend(client, index_prefix=prefix, refresh=refresh)


def timed(function):
    started = time.perf_counter()
    value = function()
    return value, time.perf_counter() - started


def reset_outbox(services) -> int:
    """Every outbox entry pending again, as after an ingest of the whole catalogue."""
    with services.catalogue.sessions.begin() as session:
        return session.execute(update(OutboxRow).values(processed_at=None)).rowcount


def drain_and_refresh(services, engine: EngineBackend):
    stats = Indexer(services.catalogue, engine, batch_size=BATCH).drain()
    engine.refresh_index(engine.alias)
    return stats


def drop_everything(engine: EngineBackend) -> None:
    for index in engine.client.index_names(engine.names.pattern):
        engine.drop_index(index)
    engine.close()


def latencies(backend, queries) -> tuple[list[float], list[int]]:
    for query in queries[:20]:  # warm caches
        backend.search(query)
    timings, totals = [], []
    for query in queries:
        started = time.perf_counter()
        totals.append(backend.search(query).total)
        timings.append((time.perf_counter() - started) * 1000)
    return timings, totals


def run(offerings: int, queries: int, providers: int = 10) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(Settings(data_dir=Path(tmp)))
        started = time.perf_counter()
        for i in range(providers):
            services.catalogue.upsert_provider(Provider(id=f"bench-{i}", name=f"Bench Provider {i}",
                                                        country="NZ", default_currency="NZD"))
            services.import_feed(f"bench-{i}", synthetic_csv(offerings // providers, seed=i,
                                                             id_prefix=f"P{i}"), format="csv")
        catalogue_seconds = time.perf_counter() - started
        active = services.catalogue.count_offerings()

        raw, read_seconds = timed(lambda: list(
            services.catalogue.iter_active_offering_documents(BATCH)))
        documents, build_seconds = timed(lambda: [build_document(r) for r in raw])

        server = OsmemProcess.start(resolve_binary())
        try:
            # 1. the bare bulk helper
            bare = engine_backend(server.url, "bare_", refresh=False)
            index = bare.create_versioned_index()

            def bulk_all() -> int:
                failed = 0
                for start in range(0, len(documents), BATCH):
                    failed += len(bare.bulk_into(index, documents[start:start + BATCH]).failed)
                bare.refresh_index(index)
                return failed
            failed, bare_seconds = timed(bulk_all)
            assert failed == 0 and bare.client.count(index) == active
            bare.drop_index(index)
            bare.close()

            # 2. the indexer's drain, same offerings, same engine
            drains = {}
            for name, refresh in (("refresh_per_batch", True), ("refresh_at_end", False)):
                engine = engine_backend(server.url, f"drain_{name}_", refresh=refresh)
                engine.ensure_index()
                reset_outbox(services)
                stats, seconds = timed(lambda: drain_and_refresh(services, engine))  # noqa: B023
                assert stats.stopped is None and engine.count() == active
                drains[name] = {"seconds": round(seconds, 2),
                                "offerings_per_second": round(active / seconds),
                                "overhead_vs_bare_bulk": round(seconds / bare_seconds, 2)}
                if refresh:
                    drop_everything(engine)
            # `engine` (refresh_at_end) stays, for the rebuild and the searches.

            # 3. the rebuild behind the alias (past the catch-up window of the drain)
            time.sleep(CLOCK_ALLOWANCE.total_seconds() + 1)
            indexer = Indexer(services.catalogue, engine, batch_size=BATCH)
            rebuilt, rebuild_seconds = timed(indexer.rebuild_with_stats)
            assert rebuilt.indexed == active == engine.count()

            # 4. search latency, the same typed queries through each backend
            mix = [search_query_from_params(QueryParams(p)) for p in query_mix(queries)]
            engine_ms, engine_totals = latencies(engine, mix)
            sqlite_ms, sqlite_totals = latencies(services.backend, mix)
            agree = sum(a == b for a, b in zip(engine_totals, sqlite_totals, strict=True))
            engine_rss = rss_mib(server.process.pid)
            drop_everything(engine)
        finally:
            server.stop()
        services.close()
    return {
        "benchmark": "engine",
        "engine": LABEL,
        "osmem_version": osmem_version(),
        "offerings": active,
        "catalogue_build_seconds": round(catalogue_seconds, 1),
        "read_catalogue_seconds": round(read_seconds, 2),
        "build_documents_seconds": round(build_seconds, 2),
        "bulk_batch": BATCH,
        "bare_bulk_helper": {"seconds": round(bare_seconds, 2),
                             "offerings_per_second": round(active / bare_seconds)},
        "indexer_drain": drains,
        "indexer_rebuild": {"seconds": round(rebuild_seconds, 2),
                            "offerings_per_second": round(active / rebuild_seconds),
                            "overhead_vs_bare_bulk": round(rebuild_seconds / bare_seconds, 2),
                            "caught_up": rebuilt.caught_up},
        "search_in_process": {
            "query_mix": "1-2 keywords + 2 filters + 5 facets + sort, size 20 (bench_search)",
            "opensearch_on_osmem": summary(engine_ms),
            "sqlite_fts5": summary(sqlite_ms),
            "same_total_in_both": f"{agree}/{len(mix)}",
        },
        "osmem_peak_rss_mib": engine_rss,
        "machine": f"{platform.machine()}, {platform.python_implementation()} "
                   f"{platform.python_version()}",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offerings", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--output", default=str(RESULTS / "engine.json"))
    args = parser.parse_args()
    result = run(args.offerings, args.queries)
    Path(args.output).parent.mkdir(exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

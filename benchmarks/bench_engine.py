"""The OpenSearch and Elasticsearch backends on real single-node clusters beside SQLite FTS5:
bulk indexing throughput, the indexer's overhead over the bare bulk helper, and search
latency.

    .venv/bin/python -m benchmarks.bench_engine [--size 100000] [--queries 400]
        [--engines opensearch,elasticsearch]

Each engine is a real node started on this machine by microcred.local_engine.start_engine
(OpenSearch 2.19.6, Elasticsearch 9.2.0; single node, heap 1g), one after the other, so they
never share the 2 cores. Elasticsearch indexes with analysis="core": its analysis-common
module is not on Maven Central, so the node has no ASCII folding, stemming, synonyms or
edge n-grams (tests/search/engines.py does the same); its figures are labelled so.

Steps, all on one catalogue of synthetic offerings (SQLite, embedded FTS5 index built by
the ingest), repeated for each engine:
1. bare bulk helper: the index documents built once, then EngineBackend.bulk_into a fresh
   versioned index in batches of 1000 (no refresh until the end);
2. indexer drain: the same offerings as pending outbox entries, drained into another
   index by the Indexer (reads the outbox and the catalogue, builds the documents, bulk,
   marks done), refresh at the end as in 1, and again with a refresh per batch as the API
   process runs it;
3. indexer rebuild (`microcred reindex`): a new versioned index filled from the catalogue,
   alias moved, old index dropped;
4. search latency of one query mix (benchmarks.bench_search.query_mix: 1-2 keywords,
   2 filters, 5 facets, a sort) in-process, through each backend's search(); SQLite FTS5
   on the same catalogue and the same mix once.
Writes benchmarks/results/engine.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import httpx
from elasticsearch import Elasticsearch
from opensearchpy import OpenSearch
from sqlalchemy import update
from starlette.datastructures import QueryParams

from benchmarks.bench_search import query_mix, summary
from benchmarks.synthetic import synthetic_csv
from catalogue.indexer import CLOCK_ALLOWANCE, Indexer
from catalogue.models import OutboxRow
from catalogue.search.documents import build_document
from catalogue.search.engine.backend import EngineBackend
from catalogue.search.engine.client import EngineClient
from catalogue.search.engine.elasticsearch_client import ElasticsearchClient
from catalogue.search.engine.mapping import Analysis
from catalogue.search.engine.opensearch_client import OpenSearchClient
from microcred.local_engine import DEFAULT_CACHE, DISTRIBUTIONS, start_engine
from microcred.services import build_services
from microcred.settings import Settings
from normaliser.schema import Provider
from search_api.params import search_query_from_params

RESULTS = Path(__file__).parent / "results"
BATCH = 1000
HEAP = "1g"
ENGINES = ("opensearch", "elasticsearch")
LABEL = f"this machine's ({os.cpu_count()} cores) figures, single node, heap {HEAP}"
# Elasticsearch: core analysis only (see the module docstring).
ANALYSIS: dict[str, Analysis] = {"opensearch": "full", "elasticsearch": "core"}
ANALYSIS_NOTE = {
    "full": "full analysis (analysis-common module: ASCII folding, stemming, synonyms, "
    "edge n-grams)",
    "core": "analysis=core: no analysis-common module (not published on Maven Central), so "
    "no ASCII folding, stemming, synonyms or edge n-grams",
}


def engine_version(url: str) -> str:
    """The node's own version, or why it could not be read (never fails the run)."""
    try:
        version = httpx.get(url, timeout=10).json().get("version") or {}
    except (httpx.HTTPError, ValueError) as exc:
        return f"version unknown ({type(exc).__name__})"
    return f"{version.get('distribution', 'elasticsearch')} {version.get('number', '?')}"


def engine_backend(name: str, url: str, prefix: str, *, refresh: bool) -> EngineBackend:
    client: EngineClient
    if name == "elasticsearch":
        client = ElasticsearchClient(Elasticsearch(url, request_timeout=300))
    else:
        client = OpenSearchClient(OpenSearch(hosts=[url], timeout=300))
    return EngineBackend(client, index_prefix=prefix, refresh=refresh, analysis=ANALYSIS[name])


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


def engine_figures(
    name: str, services, documents: list, active: int, mix: list, sqlite_totals: list[int]
) -> dict:
    """Steps 1-4 on a fresh node of `name`, stopped (and its directory removed) after."""
    data_dir = DEFAULT_CACHE / "nodes" / f"bench-{name}-{os.getpid()}"
    shutil.rmtree(data_dir, ignore_errors=True)
    started = time.perf_counter()
    node = start_engine(name, data_dir=data_dir, heap=HEAP)
    startup_seconds = time.perf_counter() - started
    try:
        version = engine_version(node.url)
        # 1. the bare bulk helper
        bare = engine_backend(name, node.url, "bare_", refresh=False)
        index = bare.create_versioned_index()

        def bulk_all() -> int:
            failed = 0
            for start in range(0, len(documents), BATCH):
                failed += len(bare.bulk_into(index, documents[start : start + BATCH]).failed)
            bare.refresh_index(index)
            return failed

        failed, bare_seconds = timed(bulk_all)
        assert failed == 0 and bare.client.count(index) == active
        bare.drop_index(index)
        bare.close()

        # 2. the indexer's drain, same offerings, same engine
        drains = {}
        for mode, refresh in (("refresh_per_batch", True), ("refresh_at_end", False)):
            engine = engine_backend(name, node.url, f"drain_{mode}_", refresh=refresh)
            engine.ensure_index()
            reset_outbox(services)
            stats, seconds = timed(lambda: drain_and_refresh(services, engine))  # noqa: B023
            assert stats.stopped is None and engine.count() == active
            drains[mode] = {
                "seconds": round(seconds, 2),
                "offerings_per_second": round(active / seconds),
                "overhead_vs_bare_bulk": round(seconds / bare_seconds, 2),
            }
            if refresh:
                drop_everything(engine)
        # `engine` (refresh_at_end) stays, for the rebuild and the searches.

        # 3. the rebuild behind the alias (past the catch-up window of the drain)
        time.sleep(CLOCK_ALLOWANCE.total_seconds() + 1)
        indexer = Indexer(services.catalogue, engine, batch_size=BATCH)
        rebuilt, rebuild_seconds = timed(indexer.rebuild_with_stats)
        assert rebuilt.indexed == active == engine.count()

        # 4. search latency, the same typed queries as SQLite
        engine_ms, engine_totals = latencies(engine, mix)
        agree = sum(a == b for a, b in zip(engine_totals, sqlite_totals, strict=True))
        drop_everything(engine)
    finally:
        node.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    return {
        "engine": f"{DISTRIBUTIONS[name].label} ({version})",
        "label": LABEL,
        "analysis": ANALYSIS_NOTE[ANALYSIS[name]],
        "node_startup_seconds": round(startup_seconds, 1),
        "bare_bulk_helper": {
            "seconds": round(bare_seconds, 2),
            "offerings_per_second": round(active / bare_seconds),
        },
        "indexer_drain": drains,
        "indexer_rebuild": {
            "seconds": round(rebuild_seconds, 2),
            "offerings_per_second": round(active / rebuild_seconds),
            "overhead_vs_bare_bulk": round(rebuild_seconds / bare_seconds, 2),
            "caught_up": rebuilt.caught_up,
        },
        "search_in_process": summary(engine_ms),
        "same_total_as_sqlite": f"{agree}/{len(mix)}",
    }


def run(
    offerings: int, queries: int, engines: tuple[str, ...] = ENGINES, providers: int = 10
) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(Settings(data_dir=Path(tmp)))
        started = time.perf_counter()
        for i in range(providers):
            services.catalogue.upsert_provider(
                Provider(
                    id=f"bench-{i}",
                    name=f"Bench Provider {i}",
                    country="NZ",
                    default_currency="NZD",
                )
            )
            services.import_feed(
                f"bench-{i}",
                synthetic_csv(offerings // providers, seed=i, id_prefix=f"P{i}"),
                format="csv",
            )
        catalogue_seconds = time.perf_counter() - started
        active = services.catalogue.count_offerings()

        raw, read_seconds = timed(
            lambda: list(services.catalogue.iter_active_offering_documents(BATCH))
        )
        documents, build_seconds = timed(lambda: [build_document(r) for r in raw])

        mix = [search_query_from_params(QueryParams(p)) for p in query_mix(queries)]
        sqlite_ms, sqlite_totals = latencies(services.backend, mix)
        figures = {
            name: engine_figures(name, services, documents, active, mix, sqlite_totals)
            for name in engines
        }
        services.close()
    return {
        "benchmark": "engine",
        "label": LABEL,
        "engines": {name: f["engine"] for name, f in figures.items()},
        "offerings": active,
        "catalogue_build_seconds": round(catalogue_seconds, 1),
        "read_catalogue_seconds": round(read_seconds, 2),
        "build_documents_seconds": round(build_seconds, 2),
        "bulk_batch": BATCH,
        "query_mix": "1-2 keywords + 2 filters + 5 facets + sort, size 20 (bench_search)",
        "sqlite_fts5_search_in_process": summary(sqlite_ms),
        "by_engine": figures,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--size",
        "--offerings",
        dest="size",
        type=int,
        default=100_000,
        help="offerings in the catalogue",
    )
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument(
        "--engines", default=",".join(ENGINES), help="comma-separated, of: " + ", ".join(ENGINES)
    )
    parser.add_argument("--output", default=str(RESULTS / "engine.json"))
    args = parser.parse_args()
    engines = tuple(e for e in args.engines.split(",") if e)
    result = run(args.size, args.queries, engines)
    Path(args.output).parent.mkdir(exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

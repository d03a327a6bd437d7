"""Agency statistics latency and export throughput at 100k offerings.

    .venv/bin/python -m benchmarks.bench_stats [--offerings 100000] [--repeat 5]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--no-engine]

Builds a catalogue of synthetic offerings through the real ingest (SQLite; and PostgreSQL
when a URL is given, in a schema of its own, dropped after), then times the same stats
queries on every source: SQL over the catalogue, the SQLite FTS5 index, and a real
OpenSearch 2.19.6 node started by microcred.local_engine (single node, heap 1g). Then
streams the whole catalogue out as CSV and JSON Lines: rows per second, and the peak of Python allocations (tracemalloc) at a tenth of the rows and at all of them,
which stays flat if the export streams. Writes benchmarks/results/stats.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any, cast

from sqlalchemy import text

from benchmarks.bench_search import percentile
from benchmarks.synthetic import synthetic_csv
from catalogue.db import create_catalogue_engine
from catalogue.export import Exporter, ExportFormat
from catalogue.indexer import Indexer
from catalogue.search.query import Filters
from catalogue.search.sqlite.backend import SqliteFtsBackend
from catalogue.search.sqlite.stats import SqliteIndexStats
from catalogue.stats.query import Dimension, Metric, StatsQuery
from catalogue.stats.sql import CatalogueStats
from microcred.services import build_services
from microcred.settings import Settings
from normaliser.schema import Provider

RESULTS = Path(__file__).parent / "results"
QUERIES = {
    "count_all": StatsQuery(),
    "by_eqf": StatsQuery(group_by=(Dimension.EQF,)),
    "by_provider_price_p10_p90": StatsQuery(
        group_by=(Dimension.PROVIDER,), metrics=(Metric.PRICE,), percentiles=(10, 90)
    ),
    "by_mode_online_or_blended": StatsQuery(
        group_by=(Dimension.MODE,), filters=Filters(mode=("online", "blended"))
    ),
    "by_subject_broad_ects_hours": StatsQuery(
        group_by=(Dimension.SUBJECT_BROAD,), metrics=(Metric.ECTS, Metric.HOURS)
    ),
    "by_provider_eqf_all_metrics": StatsQuery(
        group_by=(Dimension.PROVIDER, Dimension.EQF), metrics=tuple(Metric), percentiles=(25, 75)
    ),
    "by_price_band_not_free_nz": StatsQuery(
        group_by=(Dimension.PRICE_BAND,), filters=Filters(free=False, country=("NZ",))
    ),
    "by_language_level_eqf4plus": StatsQuery(
        group_by=(Dimension.LANGUAGE, Dimension.LEVEL), filters=Filters(eqf_min=4)
    ),
}


def build_catalogue(
    data_dir: Path, offerings: int, database_url: str | None = None, providers: int = 10
) -> None:
    """Synthetic feeds of `providers` providers through the real ingest, indexed."""
    services = build_services(Settings(data_dir=data_dir, database_url=database_url))
    try:
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
    finally:
        services.close()


def timings(source, repeat: int) -> dict:
    out: dict[str, Any] = {}
    for name, query in QUERIES.items():
        source.answer(query)  # warm caches
        ms = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            source.answer(query)
            ms.append((time.perf_counter() - t0) * 1000)
        out[name] = {
            "n": repeat,
            "p50_ms": round(percentile(ms, 50), 1),
            "max_ms": round(max(ms), 1),
        }
    out["median_of_queries_ms"] = round(statistics.median(v["p50_ms"] for v in out.values()), 1)
    return out


def export_figures(exporter: Exporter, offerings: int) -> dict:
    out: dict[str, Any] = {}
    for export_format in ExportFormat:
        t0 = time.perf_counter()
        size = 0
        for chunk in exporter.stream(Filters(), export_format):
            size += len(chunk)
        seconds = time.perf_counter() - t0
        rows = sum(len(batch) for batch in exporter.batches(Filters()))
        peaks = {}
        for label, limit in (("tenth", offerings // 10), ("all", None)):
            tracemalloc.start()
            seen = 0
            for batch in exporter.batches(Filters()):
                seen += len(batch)
                if limit is not None and seen >= limit:
                    break
            peaks[label] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.stop()
        out[export_format.value] = {
            "rows": rows,
            "megabytes": round(size / 2**20, 1),
            "seconds": round(seconds, 1),
            "rows_per_second": round(rows / seconds),
            "peak_python_mb_at_10pct_rows": peaks["tenth"],
            "peak_python_mb_at_all_rows": peaks["all"],
        }
    return out


def engine_timings(services, repeat: int) -> dict:
    """The same stats queries on a real OpenSearch 2.19.6 node (single node, heap 1g),
    started for the run and stopped after."""
    import shutil

    from catalogue.search.engine.stats import EngineStats
    from microcred.local_engine import DEFAULT_CACHE, start_engine
    from tests.search.engines import drop_indices, opensearch_backend

    data_dir = DEFAULT_CACHE / "nodes" / f"bench-stats-opensearch-{os.getpid()}"
    shutil.rmtree(data_dir, ignore_errors=True)
    node = start_engine("opensearch", data_dir=data_dir, heap="1g")
    try:
        backend = opensearch_backend(node.url, f"bench_{uuid.uuid4().hex[:8]}_")
        t0 = time.perf_counter()
        Indexer(services.catalogue, backend).rebuild()
        index_seconds = time.perf_counter() - t0
        figures = timings(EngineStats(backend), repeat)
        figures["index_build_seconds"] = round(index_seconds, 1)
        figures["label"] = (
            f"this machine's ({os.cpu_count()} cores) figures, "
            "OpenSearch 2.19.6, single node, heap 1g"
        )
        drop_indices(backend)
        return figures
    finally:
        node.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def postgres_figures(url: str, offerings: int, repeat: int, data_dir: Path) -> dict:
    admin = create_catalogue_engine(url)
    schema = f"bench_stats_{uuid.uuid4().hex[:8]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in url else "?"
        scoped = f"{url}{separator}options=-csearch_path%3D{schema}"
        t0 = time.perf_counter()
        build_catalogue(data_dir, offerings, database_url=scoped)
        build_seconds = time.perf_counter() - t0
        services = build_services(Settings(data_dir=data_dir, database_url=scoped))
        try:
            result = {
                "catalogue_build_seconds": round(build_seconds, 1),
                "sql": timings(CatalogueStats(services.catalogue), repeat),
                "export": export_figures(Exporter(services.catalogue, "EUR"), offerings),
            }
        finally:
            services.close()
        return result
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run(offerings: int, repeat: int, postgres_url: str | None, engine: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "sqlite"
        t0 = time.perf_counter()
        build_catalogue(data_dir, offerings)
        build_seconds = time.perf_counter() - t0
        services = build_services(Settings(data_dir=data_dir))
        try:
            result: dict[str, Any] = {
                "benchmark": "stats",
                "offerings": offerings,
                "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                f"{platform.python_version()}",
                "queries": {
                    name: query.model_dump(mode="json", exclude_defaults=True)
                    for name, query in QUERIES.items()
                },
                "sqlite_catalogue": {
                    "catalogue_build_seconds": round(build_seconds, 1),
                    "sql": timings(CatalogueStats(services.catalogue), repeat),
                    "sqlite_fts_index": timings(
                        SqliteIndexStats(cast(SqliteFtsBackend, services.backend)), repeat
                    ),  # the default
                    "export": export_figures(Exporter(services.catalogue, "EUR"), offerings),
                },
            }
            if engine:
                result["sqlite_catalogue"]["opensearch_2_19_node"] = engine_timings(
                    services, repeat
                )
        finally:
            services.close()
        if postgres_url:
            result["postgresql_catalogue"] = postgres_figures(
                postgres_url, offerings, repeat, Path(tmp) / "postgres"
            )
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offerings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres-url", help="also measure a PostgreSQL catalogue")
    parser.add_argument("--no-engine", action="store_true", help="skip the OpenSearch node")
    args = parser.parse_args()
    result = run(args.offerings, args.repeat, args.postgres_url, not args.no_engine)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "stats.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

"""Ingestion throughput: offerings/s from feed file bytes to searchable, on the embedded default.

    .venv/bin/python -m benchmarks.bench_ingest [--offerings 100000] [--providers 10]

Writes benchmarks/results/ingest.json. Peak memory is the process's max RSS.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic import synthetic_csv
from catalogue.search.query import SearchQuery
from microcred.services import build_services
from microcred.settings import Settings
from normaliser.schema import Provider

RESULTS = Path(__file__).parent / "results"


def run(offerings: int, providers: int, database_url: str | None = None) -> dict:
    """`database_url`: the catalogue (default: the embedded SQLite file in a temporary dir)."""
    per_provider = offerings // providers
    feeds = [synthetic_csv(per_provider, seed=i, id_prefix=f"P{i}") for i in range(providers)]
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(Settings(data_dir=Path(tmp), database_url=database_url))
        for i in range(providers):
            services.catalogue.upsert_provider(
                Provider(
                    id=f"bench-{i}",
                    name=f"Bench Provider {i}",
                    country="NZ",
                    default_currency="NZD",
                )
            )
        started = time.perf_counter()
        ingest_seconds = index_seconds = 0.0
        for i, content in enumerate(feeds):
            t0 = time.perf_counter()
            report = services.ingest.submit(f"bench-{i}", content, format="csv")
            t1 = time.perf_counter()
            services.indexer.drain()
            t2 = time.perf_counter()
            ingest_seconds += t1 - t0
            index_seconds += t2 - t1
            if report.status != "applied":
                raise SystemExit(f"feed {i} failed: {report.error}")
        elapsed = time.perf_counter() - started
        searchable = services.backend.search(SearchQuery(size=1)).total
        t0 = time.perf_counter()
        again = services.ingest.submit("bench-0", feeds[0], format="csv")
        services.indexer.drain()
        unchanged_seconds = time.perf_counter() - t0
        services.close()
    return {
        "benchmark": "ingest",
        "offerings": offerings,
        "providers": providers,
        "searchable_after": searchable,
        "seconds": round(elapsed, 2),
        "offerings_per_second": round(offerings / elapsed),
        "read_normalise_store_seconds": round(ingest_seconds, 2),
        "index_seconds": round(index_seconds, 2),
        "reimport_unchanged_feed": {
            "offerings": per_provider,
            "unchanged": again.unchanged,
            "seconds": round(unchanged_seconds, 2),
        },
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "machine": f"{platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offerings", type=int, default=100_000)
    parser.add_argument("--providers", type=int, default=10)
    args = parser.parse_args()
    result = run(args.offerings, args.providers)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ingest.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

"""Ingest throughput with the catalogue on PostgreSQL against SQLite: bench_ingest's workload.

    .venv/bin/python -m benchmarks.bench_postgres [--offerings 10000] [--providers 10]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each database gets the same synthetic feeds through the same ingest and index path
(benchmarks.bench_ingest.run); the search index is SQLite FTS5 in both runs (in the catalogue
file, or in search.db beside a PostgreSQL catalogue), so the difference is the catalogue's.
PostgreSQL runs in a schema of its own, dropped afterwards. Writes
benchmarks/results/postgres.json.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from benchmarks.bench_ingest import RESULTS, run
from catalogue.db import create_catalogue_engine

DEFAULT_URL = os.environ.get(
    "MICROCRED_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def run_postgres(offerings: int, providers: int, url: str) -> dict:
    admin = create_catalogue_engine(url)
    schema = f"bench_{os.getpid()}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        server = conn.execute(text("SHOW server_version")).scalar_one()
        settings: dict[str, str] = dict(
            conn.execute(
                text(
                    "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name IN "
                    "('shared_buffers', 'synchronous_commit', 'wal_level', 'max_wal_size')"
                )
            ).all()
        )
    try:
        schema_url = (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
        result = run(offerings, providers, database_url=schema_url)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    result["postgres"] = {
        "server_version": server,
        "settings": settings,
        "where": "same machine, over TCP on 127.0.0.1",
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offerings", type=int, default=10_000)
    parser.add_argument("--providers", type=int, default=10)
    parser.add_argument("--postgres-url", default=DEFAULT_URL)
    args = parser.parse_args()
    sqlite = run(args.offerings, args.providers)
    postgres = run_postgres(args.offerings, args.providers, args.postgres_url)
    out = {
        "benchmark": "ingest, catalogue on PostgreSQL vs SQLite",
        "offerings": args.offerings,
        "providers": args.providers,
        "sqlite": sqlite,
        "postgresql": postgres,
        "postgresql_vs_sqlite": {
            "offerings_per_second": round(
                postgres["offerings_per_second"] / sqlite["offerings_per_second"], 2
            ),
            "read_normalise_store_seconds": round(
                postgres["read_normalise_store_seconds"] / sqlite["read_normalise_store_seconds"], 2
            ),
        },
    }
    RESULTS.mkdir(exist_ok=True)
    (Path(RESULTS) / "postgres.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()

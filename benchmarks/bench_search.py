"""Search latency through HTTP at 100k offerings, with bare FTS5 queries beside it as the floor.

    .venv/bin/python -m benchmarks.bench_search [--offerings 100000] [--queries 600]

Builds a catalogue of synthetic offerings, starts `microcred up` on a free loopback port in
a child process, and sends a query mix one request at a time: keyword + 2 filters +
5 facets + a sort, then the next page through the cursor. Writes benchmarks/results/search.json.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.synthetic import TOPICS, synthetic_csv
from microcred.services import build_services
from microcred.settings import Settings
from normaliser.schema import Provider

RESULTS = Path(__file__).parent / "results"
# What people type: topic words and a few common description words.
WORDS = sorted({w for topic in TOPICS for w in topic.lower().split()}) + [
    "leadership",
    "safety",
    "design",
    "research",
    "finance",
    "marketing",
]
SORTS = ["relevance", "price", "start_date", "credits", "newest"]
FILTER_CHOICES = [
    ("mode", "online"),
    ("mode", "blended"),
    ("free", "false"),
    ("eqf_min", "4"),
    ("ects_max", "20"),
    ("price_max", "2000"),
    ("framework", "NZQF"),
    ("language", "en"),
    ("starts_after", "2027-03-01"),
    ("country", "NZ"),
]
FACETS = "mode,framework,eqf,provider,price_band"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def summary(ms: list[float]) -> dict:
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_catalogue(data_dir: Path, offerings: int, providers: int = 10) -> None:
    services = build_services(Settings(data_dir=data_dir))
    for i in range(providers):
        services.catalogue.upsert_provider(
            Provider(
                id=f"bench-{i}", name=f"Bench Provider {i}", country="NZ", default_currency="NZD"
            )
        )
        services.import_feed(
            f"bench-{i}",
            synthetic_csv(offerings // providers, seed=i, id_prefix=f"P{i}"),
            format="csv",
        )
    services.close()


def query_mix(count: int, seed: int = 11) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        params = {
            "q": " ".join(rng.sample(WORDS, rng.choice([1, 1, 2]))),
            "sort": rng.choice(SORTS),
            "facets": FACETS,
            "size": "20",
        }
        for name, value in rng.sample(FILTER_CHOICES, 2):
            params[name] = value
        out.append(params)
    return out


def bare_fts(db: Path, queries: list[dict]) -> list[float]:
    conn = sqlite3.connect(db)
    timings = []
    for params in queries:
        expression = " ".join(f'"{w}"' for w in params["q"].split())
        t0 = time.perf_counter()
        conn.execute(
            "SELECT rowid FROM search_fts WHERE search_fts MATCH ? "
            "ORDER BY bm25(search_fts) LIMIT 21",
            (expression,),
        ).fetchall()
        timings.append((time.perf_counter() - t0) * 1000)
    conn.close()
    return timings


def run(offerings: int, queries: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        t0 = time.perf_counter()
        build_catalogue(data_dir, offerings)
        build_seconds = time.perf_counter() - t0
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "microcred.cli",
                "up",
                "--no-sample",
                "--data-dir",
                str(data_dir),
                "--port",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=30) as client:
                for _ in range(200):
                    try:
                        if client.get("/healthz").status_code == 200:
                            break
                    except httpx.TransportError:
                        time.sleep(0.1)
                mix = query_mix(queries)
                for params in mix[:20]:  # warm the page cache
                    client.get("/v1/search", params=params)
                first, second, totals = [], [], []
                for params in mix:
                    t = time.perf_counter()
                    response = client.get("/v1/search", params=params)
                    first.append((time.perf_counter() - t) * 1000)
                    response.raise_for_status()
                    body = response.json()
                    totals.append(body["total"])
                    if body["next_cursor"]:
                        t = time.perf_counter()
                        client.get(
                            "/v1/search", params=dict(params, cursor=body["next_cursor"])
                        ).raise_for_status()
                        second.append((time.perf_counter() - t) * 1000)
        finally:
            server.terminate()
            server.wait(timeout=10)
        floor = bare_fts(data_dir / "microcred.db", mix)
    return {
        "benchmark": "search",
        "offerings": offerings,
        "catalogue_build_seconds": round(build_seconds, 1),
        "query_mix": "1-2 keywords + 2 filters + 5 facets + sort, size 20; then page 2 by cursor",
        "median_hits_per_query": statistics.median(totals),
        "http_first_page": summary(first),
        "http_cursor_page": summary(second) if second else None,
        "bare_fts5_match_top21": summary(floor),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offerings", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=600)
    args = parser.parse_args()
    result = run(args.offerings, args.queries)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "search.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

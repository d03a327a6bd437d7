"""What facets cost a search: every facet at facet_size 200 against 20, and the defaults.

    .venv/bin/python -m benchmarks.bench_facets [--offerings 20000] [--queries 30] [--providers 10]

Builds a catalogue of synthetic offerings (SQLite FTS5, the embedded default) and runs the
same searches in-process through the search backend, once per facet setting. Each query
starts with an empty cache of facet counts, so every search counts. The budget
of public search (search_api.params.FACET_BUDGET) is chosen from these figures. Writes
benchmarks/results/facets.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench_search import WORDS, build_catalogue, percentile
from catalogue.search.query import DEFAULT_FACETS, Facet, SearchQuery
from catalogue.search.sqlite.backend import _SummaryCache
from microcred.services import build_services
from microcred.settings import Settings

RESULTS = Path(__file__).parent / "results"
SETTINGS = {
    "no facets": ((), 20),
    "defaults (11 facets) x 20": (DEFAULT_FACETS, 20),
    "all 15 facets x 20": (tuple(Facet), 20),
    "all 15 facets x 200": (tuple(Facet), 200),
    "1 facet (provider) x 200": ((Facet.PROVIDER,), 200),
}


def run(offerings: int, queries: int, providers: int = 10) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        build_catalogue(data_dir, offerings, providers)
        services = build_services(Settings(data_dir=data_dir))
        try:
            rng = random.Random(5)
            # Half with one common word, half with none (the whole catalogue matches).
            texts = [rng.choice(WORDS) if i % 2 else None for i in range(queries)]
            out = {}
            for name, (facets, size) in SETTINGS.items():
                timings = []
                for text in texts:
                    query = SearchQuery(text=text, facets=facets, facet_size=size, size=20)
                    # An empty cache of facet counts: each search counts.
                    services.backend._summaries = _SummaryCache()  # type: ignore[attr-defined]
                    t0 = time.perf_counter()
                    services.backend.search(query)
                    timings.append((time.perf_counter() - t0) * 1000)
                out[name] = {
                    "cost": len(facets) * size,
                    "p50_ms": round(statistics.median(timings), 1),
                    "p95_ms": round(percentile(timings, 95), 1),
                    "max_ms": round(max(timings), 1),
                }
                print(name, out[name], flush=True)
        finally:
            services.close()
    return {
        "benchmark": "facets",
        "offerings": offerings,
        "providers": providers,
        "queries_per_setting": queries,
        "query": "half one common word, half no words (all match); size 20",
        "settings": out,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offerings", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument(
        "--providers",
        type=int,
        default=10,
        help="more providers: more values in the provider facet",
    )
    args = parser.parse_args()
    result = run(args.offerings, args.queries, args.providers)
    RESULTS.mkdir(exist_ok=True)
    name = "facets.json" if args.providers == 10 else f"facets-{args.providers}-providers.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

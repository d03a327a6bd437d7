"""Discovery on the SQLite backend (issue 14): the cost of disjunctive facet counts, of
did-you-mean, and of keeping the vocabulary table, in-process at N synthetic offerings.

    .venv/bin/python -m benchmarks.bench_discovery [--offerings 20000] [--queries 200]

Writes benchmarks/results/discovery.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path

from benchmarks.bench_search import WORDS, build_catalogue, summary
from catalogue.search.query import Facet, Filters, SearchQuery
from catalogue.search.sqlite.backend import SqliteFtsBackend, _SummaryCache
from microcred.services import build_services
from microcred.settings import Settings

RESULTS = Path(__file__).parent / "results"
FACETS = (Facet.MODE, Facet.FRAMEWORK, Facet.EQF, Facet.PROVIDER, Facet.PRICE_BAND)


def typo(word: str, rng: random.Random) -> str:
    """One edit after the first letter: a deletion, a substitution or a transposition."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("delete", "substitute", "transpose"))
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "substitute":
        return word[:i] + rng.choice("aeioust".replace(word[i], "")) + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def timed(backend, queries: list[SearchQuery]) -> tuple[list[float], list]:
    out, results = [], []
    for query in queries:
        backend._summaries = _SummaryCache()  # every query counted afresh, as a new one is
        start = time.perf_counter()
        results.append(backend.search(query))
        out.append((time.perf_counter() - start) * 1000)
    return out, results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offerings", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        started = time.perf_counter()
        build_catalogue(data_dir, args.offerings)
        build_seconds = time.perf_counter() - started
        services = build_services(Settings(data_dir=data_dir))
        backend = services.backend
        assert isinstance(backend, SqliteFtsBackend), "the benchmark is of the embedded index"
        words = [w for w in WORDS if len(w) >= 5]

        # Disjunctive facets: two values of mode and one provider ticked, five facets,
        # against the same filters with none of the ticked fields' facets asked for.
        texts = [rng.choice(WORDS) for _ in range(args.queries)]
        filters = Filters(mode=("online", "blended"), provider=("bench-1", "bench-2"))
        disjunctive = [SearchQuery(text=t, filters=filters, facets=FACETS) for t in texts]
        plain = [
            SearchQuery(
                text=t, filters=filters, facets=(Facet.FRAMEWORK, Facet.EQF, Facet.PRICE_BAND)
            )
            for t in texts
        ]
        disjunctive_ms, _ = timed(backend, disjunctive)
        plain_ms, _ = timed(backend, plain)

        # Did-you-mean: one typo in a topic word, with and without correction.
        typed = [typo(rng.choice(words), rng) for _ in range(args.queries)]
        corrected_ms, corrected = timed(backend, [SearchQuery(text=t) for t in typed])
        as_typed_ms, _ = timed(backend, [SearchQuery(text=t, correct=False) for t in typed])
        correct_words_ms, _ = timed(
            backend, [SearchQuery(text=rng.choice(words)) for _ in range(args.queries)]
        )

        # The vocabulary table: filling it from the whole index (what an index made before
        # it gets on its first start), against the size of the database.
        with backend.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM search_words")
            start = time.perf_counter()
            conn.exec_driver_sql(
                "INSERT INTO search_words (rowid, title, description, outcomes, "
                "provider_name) SELECT rowid, title, description, outcomes, "
                "provider_name FROM search_fts"
            )
            fill_seconds = time.perf_counter() - start
            terms = conn.exec_driver_sql("SELECT count(*) FROM search_words_vocab").scalar_one()
        services.close()
        database_bytes = sum(f.stat().st_size for f in data_dir.glob("*.db*"))
    result = {
        "offerings": args.offerings,
        "queries": args.queries,
        "cores": os.cpu_count(),
        "load_average_at_end": os.getloadavg()[0],
        "catalogue_build_seconds": round(build_seconds, 1),
        "disjunctive_facets_5_facets_2_selected_fields": summary(disjunctive_ms),
        "same_filters_facets_of_unselected_fields_only": summary(plain_ms),
        "one_typo_with_correction": summary(corrected_ms),
        "one_typo_corrected_share": round(
            sum(1 for r in corrected if r.corrected_query) / len(corrected), 3
        ),
        "one_typo_as_typed_correct_false": summary(as_typed_ms),
        "correct_words": summary(correct_words_ms),
        "vocabulary_fill_seconds_whole_index": round(fill_seconds, 2),
        "vocabulary_terms": terms,
        "database_bytes": database_bytes,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "discovery.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

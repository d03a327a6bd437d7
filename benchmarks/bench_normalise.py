"""normalise_record alone: records/s and µs/record on synthetic rows and on the sample feeds.

    .venv/bin/python -m benchmarks.bench_normalise [--rows 20000] [--repeat 5] [--profile synthetic|sample]

Each data set is timed in rounds of two passes over the same records in one process: a
first pass with the parser caches emptied (a feed seen for the first time; memoised parser
results are filled during it), then a warm pass (the steady state of a long-running server
that sees the same values again). The best round of --repeat is printed, as a shared
machine is noisy. Lookup tables built lazily once per process are built first, by
throw-away records, so that cost is reported apart ("warm-up"); the parser caches are
emptied after it.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import time
from pathlib import Path

from benchmarks.synthetic import synthetic_rows
from normaliser.normalise import NormaliseContext, normalise_record
from normaliser.rates import RateTable
from normaliser.readers.feed_v1 import read_feed_v1

try:
    from normaliser.parsers.memo import clear_caches
except ImportError:  # an older normaliser without memoised parsers: nothing to clear

    def clear_caches() -> None:
        pass


SAMPLE_DIR = Path(__file__).resolve().parent.parent / "microcred" / "sample_data"

Job = list[tuple[dict, NormaliseContext]]


def synthetic_job(rows: int) -> Job:
    # As benchmarks/bench_ingest.py registers its providers: NZ, NZD, no other hints.
    ctx = NormaliseContext(
        provider_id="bench",
        default_currency="NZD",
        default_country="NZ",
        ref_currency="EUR",
        rates=RateTable.load_default(),
    )
    return [(row, ctx) for row in synthetic_rows(rows)]


def sample_job() -> Job:
    job: Job = []
    providers = json.loads((SAMPLE_DIR / "providers.json").read_text(encoding="utf-8"))
    for entry in providers:
        ctx = NormaliseContext(
            provider_id=entry["id"],
            default_currency=entry.get("default_currency"),
            default_country=entry.get("country"),
            default_language=entry.get("default_language"),
            ref_currency="EUR",
            rates=RateTable.load_default(),
            level_framework=entry.get("level_framework"),
            credit_system=entry.get("credit_system"),
        )
        feed = read_feed_v1((SAMPLE_DIR / entry["feed"]).read_bytes(), entry.get("format"))
        job.extend((record.fields, ctx) for record in feed.records)
    return job


def run_pass(job: Job) -> float:
    started = time.perf_counter()
    for fields, ctx in job:
        normalise_record(fields, ctx)
    return time.perf_counter() - started


def report(name: str, job: Job, repeat: int) -> None:
    """Best of `repeat` rounds (a shared machine is noisy), each a cold then a warm pass."""
    cold, warm = [], []
    for _ in range(repeat):
        clear_caches()
        cold.append(run_pass(job))
        warm.append(run_pass(job))
    for label, seconds in (("first pass", min(cold)), ("warm pass", min(warm))):
        print(
            f"{name:<10} {label:<10}: {len(job):>6} records  {len(job) / seconds:>9.0f} records/s"
            f"  {seconds / len(job) * 1e6:>8.1f} µs/record"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000, help="synthetic rows")
    parser.add_argument("--repeat", type=int, default=5, help="rounds per data set")
    parser.add_argument(
        "--profile",
        choices=("synthetic", "sample"),
        help="profile the last of --repeat passes over this data set with "
        "cProfile instead (--repeat 1: a first pass)",
    )
    args = parser.parse_args()

    jobs = {"synthetic": synthetic_job(args.rows), "sample": sample_job()}
    started = time.perf_counter()
    for credential_type in ("certificate", "badge", "skill set", "micro-credential", "x"):
        normalise_record(
            {
                "id": "warm-up",
                "title": "Warm-up",
                "language": "Welsh, Deutsch",
                "location": "Perth WA; Nowhere",
                "price": "100 euros",
                "subject": "x",
                "credits": "5 ECTS",
                "credit_system": "CATS",
                "mode": "asynchronous",
                "start_dates": "term 1, 2027",
                "credential_type": credential_type,
            },
            jobs["sample"][0][1],
        )
    clear_caches()
    print(f"warm-up (lazy tables): {(time.perf_counter() - started) * 1000:.1f} ms")

    if args.profile:
        for _ in range(args.repeat - 1):
            run_pass(jobs[args.profile])
        profiler = cProfile.Profile()
        profiler.runcall(run_pass, jobs[args.profile])
        stats = pstats.Stats(profiler).strip_dirs().sort_stats("tottime")
        stats.print_stats(30)
        stats.sort_stats("cumulative").print_stats(40)
        return
    for name, job in jobs.items():
        report(name, job, args.repeat)


if __name__ == "__main__":
    main()

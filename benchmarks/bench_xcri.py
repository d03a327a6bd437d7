"""XCRI-CAP read and normalise throughput (courses/s, MB/s) on the real Cornwall College feed.

    .venv/bin/python -m benchmarks.bench_xcri [--repeat 5] [--feed PATH]

Three timings, each the best of --repeat rounds (a shared machine is noisy): reading alone
(bytes to raw records), normalising alone (raw records to offerings, parser caches emptied
first, as for a feed seen for the first time), and both in one pass, which is what an
ingest does before storing. Writes benchmarks/results/xcri.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time
from pathlib import Path

from normaliser.normalise import NormaliseContext, normalise_record
from normaliser.parsers.memo import clear_caches
from normaliser.rates import RateTable
from normaliser.readers.xcri_cap import read_xcri_cap

RESULTS = Path(__file__).parent / "results"
CORNWALL = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "xcri-cap"
    / "cornwall-college-2017.xml"
)


def _best(seconds: list[float]) -> float:
    return min(seconds)


def run(feed: Path, repeat: int) -> dict:
    data = feed.read_bytes()
    # As an English college would be registered: GBP, GB, and RQF for its bare levels.
    ctx = NormaliseContext(
        provider_id="cornwall-college",
        default_currency="GBP",
        default_country="GB",
        level_framework="RQF",
        ref_currency="EUR",
        rates=RateTable.load_default(),
    )
    records = read_xcri_cap(data).records
    normalise_record(records[0].fields, ctx, records[0].instances)  # lazy tables, not timed

    read_times, normalise_times, both_times = [], [], []
    accepted = 0
    for _ in range(repeat):
        started = time.perf_counter()
        records = read_xcri_cap(data).records
        read_times.append(time.perf_counter() - started)

        clear_caches()
        started = time.perf_counter()
        accepted = sum(normalise_record(r.fields, ctx, r.instances)[0] is not None for r in records)
        normalise_times.append(time.perf_counter() - started)

        clear_caches()
        started = time.perf_counter()
        for record in read_xcri_cap(data).records:
            normalise_record(record.fields, ctx, record.instances)
        both_times.append(time.perf_counter() - started)

    courses = len(records)
    megabytes = len(data) / 1e6

    def figures(seconds: float) -> dict:
        return {
            "seconds": round(seconds, 4),
            "courses_per_second": round(courses / seconds),
            "megabytes_per_second": round(megabytes / seconds, 2),
        }

    return {
        "benchmark": "xcri",
        "feed": feed.name,
        "bytes": len(data),
        "courses": courses,
        "presentations": sum(len(r.instances) for r in records),
        "accepted": accepted,
        "repeat": repeat,
        "read": figures(_best(read_times)),
        "normalise_first_pass": figures(_best(normalise_times)),
        "read_and_normalise": figures(_best(both_times)),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "machine": f"{platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5, help="rounds; the best is reported")
    parser.add_argument("--feed", type=Path, default=CORNWALL, help="an XCRI-CAP feed")
    args = parser.parse_args()
    if not args.feed.is_file():
        raise SystemExit(f"{args.feed} is not here: it lives in ../shared/data beside the repo")
    result = run(args.feed, args.repeat)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "xcri.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

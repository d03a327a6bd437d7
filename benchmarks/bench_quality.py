"""What the agency's expensive questions cost before and after bounding them.

    .venv/bin/python -m benchmarks.bench_quality [--offerings 20000]

On a synthetic catalogue (SQLite, the embedded default): the data quality report computed,
then asked again (answered from the cache per catalogue state: the state lookup only), and
a century-long weekly time series, which is refused from its dates before the history is
read, beside a ten-year monthly one that is computed. Writes benchmarks/results/quality.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.bench_search import build_catalogue
from catalogue.errors import InvalidRequest
from catalogue.quality import QualityReporter
from catalogue.stats.timeseries import Interval, TimeseriesQuery, TimeseriesService
from microcred.services import build_services
from microcred.settings import Settings

RESULTS = Path(__file__).parent / "results"


def timed(work) -> float:
    t0 = time.perf_counter()
    work()
    return round((time.perf_counter() - t0) * 1000, 1)


def run(offerings: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        build_catalogue(data_dir, offerings)
        services = build_services(Settings(data_dir=data_dir))
        try:
            quality = QualityReporter(services.catalogue)
            cold = [timed(lambda: quality.compute()) for _ in range(3)]
            quality.report()
            cached = [timed(lambda: quality.report()) for _ in range(10)]
            series = TimeseriesService(services.catalogue)

            def century() -> None:
                try:
                    series.series(
                        TimeseriesQuery(
                            interval=Interval.WEEK, start=date(1926, 1, 1), end=date(2026, 1, 1)
                        )
                    )
                except InvalidRequest:
                    return
                raise AssertionError("a century of weeks was not refused")

            refused = [timed(century) for _ in range(5)]
            decade = [
                timed(
                    lambda: series.series(
                        TimeseriesQuery(
                            interval=Interval.MONTH, start=date(2016, 1, 1), end=date(2026, 1, 1)
                        )
                    )
                )
                for _ in range(3)
            ]
        finally:
            services.close()
    return {
        "benchmark": "quality",
        "offerings": offerings,
        "quality_computed_ms": cold,
        "quality_cached_ms": cached,
        "century_weekly_series_refused_ms": refused,
        "decade_monthly_series_computed_ms": decade,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offerings", type=int, default=20_000)
    args = parser.parse_args()
    result = run(args.offerings)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "quality.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

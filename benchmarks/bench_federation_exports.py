"""The federation exports (`GET /v1/export?format=...` for the standards: ELM v3 LOQ XML, and
CTDL and XCRI-CAP once they exist) streamed over a synthetic catalogue.

    .venv/bin/python -m benchmarks.bench_federation_exports [--offerings 10000]

Builds the catalogue with benchmarks.synthetic (embedded SQLite), then streams each format
through the Exporter twice: once timed (offerings per second, megabytes out), once under
tracemalloc, reading a tenth and then all of it, so a flat peak shows that it streams.
Writes benchmarks/results/federation_exports.json.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

from benchmarks.bench_search import build_catalogue
from catalogue.export import Exporter, ExportFormat
from catalogue.search.query import Filters
from microcred.services import build_services
from microcred.settings import Settings

RESULTS = Path(__file__).parent / "results"
FORMATS = [f for f in ExportFormat if f not in (ExportFormat.CSV, ExportFormat.JSONL)]


def _peak_mib(exporter: Exporter, export_format: ExportFormat, chunks: int | None) -> float:
    tracemalloc.start()
    for number, _chunk in enumerate(
        exporter.stream(Filters(), export_format, page_base="https://example.org")
    ):
        if chunks is not None and number >= chunks:
            break
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return round(peak / 2**20, 1)


def run(offerings: int) -> dict:
    out: dict = {
        "offerings": offerings,
        "cores": os.cpu_count(),
        "load_1min": round(os.getloadavg()[0], 2),
    }
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        build_catalogue(data_dir, offerings)
        services = build_services(Settings(data_dir=data_dir))
        try:
            exporter = Exporter(services.catalogue, "EUR")
            batches = -(-offerings // exporter.batch_rows)
            for export_format in FORMATS:
                started = time.perf_counter()
                size = sum(
                    len(chunk)
                    for chunk in exporter.stream(
                        Filters(), export_format, page_base="https://example.org"
                    )
                )
                seconds = time.perf_counter() - started
                out[export_format.value] = {
                    "seconds": round(seconds, 2),
                    "megabytes": round(size / 2**20, 1),
                    "offerings_per_second": round(offerings / seconds),
                    "peak_python_mib_after_a_tenth": _peak_mib(
                        exporter, export_format, max(1, batches // 10)
                    ),
                    "peak_python_mib_whole": _peak_mib(exporter, export_format, None),
                }
        finally:
            services.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--offerings", type=int, default=10_000)
    args = parser.parse_args()
    result = run(args.offerings)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "federation_exports.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

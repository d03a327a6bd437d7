"""The federation surfaces on a synthetic catalogue: paging the whole changes feed, one
changes page over HTTP, the sitemap index and one sitemap, and one offering page with its
schema.org block.

    .venv/bin/python -m benchmarks.bench_changes [--offerings 10000] [--page 500]

Builds the catalogue with benchmarks.synthetic (embedded SQLite), then times each surface
in this process through FastAPI's TestClient (no network, so the figures are the server's
work plus serialisation). Writes benchmarks/results/changes.json.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from benchmarks.bench_search import build_catalogue, summary
from catalogue.changes import ChangesFeed
from microcred.services import build_services
from microcred.settings import Settings
from microcred.web import create_web_app

RESULTS = Path(__file__).parent / "results"


def timed(call, repeat: int) -> dict:
    ms = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        ms.append((time.perf_counter() - started) * 1000)
    return summary(ms)


def run(offerings: int, page: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        build_catalogue(data_dir, offerings)
        services = build_services(Settings(data_dir=data_dir))
        try:
            feed = ChangesFeed(services.catalogue)
            started = time.perf_counter()
            cursor, seen, pages = "0", 0, 0
            while True:
                result = feed.page(cursor, page)
                seen += len(result.changes)
                pages += 1
                cursor = result.next_cursor
                if not result.has_more:
                    break
            whole_feed_s = time.perf_counter() - started
            client = TestClient(create_web_app(services, background=False))
            middle = str(offerings // 2)
            first_id = services.catalogue.active_offering_stamps(offset=0, limit=1)[0][0]
            return {
                "offerings": offerings,
                "page_size": page,
                "cores": os.cpu_count(),
                "load_1min": round(os.getloadavg()[0], 2),
                "whole_feed": {
                    "changes": seen,
                    "pages": pages,
                    "seconds": round(whole_feed_s, 2),
                    "changes_per_second": round(seen / whole_feed_s),
                },
                "changes_page_http": timed(
                    lambda: client.get("/v1/changes", params={"since": middle, "limit": page}), 10
                ),
                "sitemap_index": timed(lambda: client.get("/sitemap.xml"), 10),
                "sitemap_page": timed(lambda: client.get("/sitemaps/offerings-1.xml"), 10),
                "offering_page": timed(lambda: client.get(f"/offerings/{first_id}"), 30),
            }
        finally:
            services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--offerings", type=int, default=10_000)
    parser.add_argument("--page", type=int, default=500)
    args = parser.parse_args()
    result = run(args.offerings, args.page)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "changes.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

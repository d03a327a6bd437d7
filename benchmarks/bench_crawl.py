"""Pages per second of the generic structured-data spider against a plain Scrapy spider that
only follows links on the same site (target: the generic spider takes at most 1.5x the
plain one's time per page).

    .venv/bin/python -m benchmarks.bench_crawl [--pages 5000] [--repeat 1]

Writes a site of `--pages` course pages (each with Course JSON-LD, a CourseInstance and
navigation links, about 4 KB, like a real course page) and 100 paginated listing pages,
serves it from a child process on 127.0.0.1, and crawls it once with each spider, each crawl
in its own child process (Twisted's reactor runs once per process). Both spiders have the
same Scrapy settings, the crawl's own (robots.txt, offsite, depth, SSRF guard, pinned
resolver), except that politeness is lifted (16 concurrent requests to the host, no
AutoThrottle, no delay): on loopback it would only measure our own delays, and the figure is
the cost of reading the markup. The generic spider's pipeline collects and deduplicates the
records (as in a real crawl) but the ingest is left out: that is the ingest benchmark's
subject. No HTTP cache, so every page is downloaded. Writes benchmarks/results/crawl.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
PER_LISTING = 50


def write_site(root: Path, pages: int) -> None:
    """Course pages under /c/, listings /list/N.html chained by rel=next."""
    (root / "c").mkdir(parents=True)
    (root / "list").mkdir()
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    nav = "".join(f'<li><a href="/list/{n}.html">Listing {n}</a></li>' for n in range(1, 6))
    filler = "<p>" + "Learn by doing, with tutors who work in the field. " * 25 + "</p>"
    for number in range(pages):
        course = {
            "@context": "https://schema.org",
            "@type": "Course",
            "courseCode": f"BENCH-{number:05d}",
            "name": f"Benchmark course {number}",
            "description": f"Course number {number} of the benchmark site.",
            "educationalLevel": f"NFQ Level {6 + number % 4}",
            "numberOfCredits": {
                "@type": "StructuredValue",
                "value": 5 + number % 3 * 5,
                "unitText": "ECTS",
            },
            "offers": {"@type": "Offer", "price": 100 + number % 900, "priceCurrency": "EUR"},
            "hasCourseInstance": {
                "@type": "CourseInstance",
                "courseMode": "online",
                "startDate": "2027-03-01",
                "courseWorkload": "PT40H",
            },
            "provider": {"@type": "CollegeOrUniversity", "name": "Benchmark University"},
        }
        (root / "c" / f"{number}.html").write_text(
            f"<!DOCTYPE html><html><head><title>Course {number}</title>"
            f'<script type="application/ld+json">{json.dumps(course)}</script></head>'
            f'<body><nav><ul><li><a href="/">Home</a></li>{nav}</ul></nav>'
            f"<h1>Benchmark course {number}</h1>{filler}</body></html>"
        )
    listings = -(-pages // PER_LISTING)
    for n in range(1, listings + 1):
        links = "".join(
            f'<li><a href="/c/{i}.html">Course {i}</a></li>'
            for i in range((n - 1) * PER_LISTING, min(n * PER_LISTING, pages))
        )
        following = f'<a rel="next" href="/list/{n + 1}.html">Next</a>' if n < listings else ""
        (root / "list" / f"{n}.html").write_text(
            f"<html><body><ul>{links}</ul>{following}</body></html>"
        )
    # A page index to every listing, as course finders have: the crawl stays within the
    # default depth instead of walking a hundred "next" links.
    index = "".join(f'<a href="/list/{n}.html">{n}</a> ' for n in range(1, listings + 1))
    (root / "index.html").write_text(f"<html><body>{index}</body></html>")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *_args) -> None:
        pass


def serve(root: str) -> None:
    """The site, in this (child) process, until killed."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=root))
    print(httpd.server_port, flush=True)
    httpd.serve_forever()


def crawl_child(kind: str, url: str, pages: int) -> None:
    """One crawl with one spider, in this (child) process; prints its stats as JSON."""
    import scrapy
    from scrapy.linkextractors import LinkExtractor

    from crawlers.arguments import CrawlArguments, CrawlLimits
    from crawlers.run import run_crawl
    from crawlers.spiders.site import SiteSpider
    from crawlers.spiders.structured import StructuredDataSpider

    class PlainSpider(SiteSpider):
        """Follows every link on the site and reads nothing."""

        name = "plain"

        def build_link_extractor(self) -> LinkExtractor:
            return LinkExtractor(unique=True)

        def parse_page(self, response):
            if isinstance(response, scrapy.http.HtmlResponse):
                for link in self.link_extractor.extract_links(response):
                    yield response.follow(link.url, callback=self.parse_page)

    limits = CrawlLimits(
        max_pages=pages * 2, concurrency_per_host=4, max_seconds=3600, use_sitemaps=False
    )
    arguments = CrawlArguments(
        provider_id="bench", start_urls=[url], limits=limits, allow_private=True
    )
    # Politeness lifted for the measurement (see the module docstring).
    import crawlers.run as run_module

    settings_for = run_module.scrapy_settings

    def unthrottled(*args, **kwargs):
        settings = settings_for(*args, **kwargs)
        settings.update(
            AUTOTHROTTLE_ENABLED=False,
            CONCURRENT_REQUESTS_PER_DOMAIN=16,
            CONCURRENT_REQUESTS=16,
            DOWNLOAD_DELAY=0,
        )
        return settings

    run_module.scrapy_settings = unthrottled
    spider = StructuredDataSpider if kind == "generic" else PlainSpider
    started = time.perf_counter()
    result = run_crawl(arguments, None, spider_class=spider, log_level="WARNING")
    wall = time.perf_counter() - started
    print(
        json.dumps(
            {
                "pages": result.pages,
                "seconds": result.duration_seconds,
                "wall_seconds": wall,
                "course_records": result.items,
                "status": result.status,
            }
        )
    )


def measure(kind: str, url: str, pages: int) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.bench_crawl",
            "--child",
            kind,
            "--url",
            url,
            "--pages",
            str(pages),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    stats = json.loads(out.stdout.strip().splitlines()[-1])
    stats["pages_per_second"] = round(stats["pages"] / stats["seconds"], 1)
    return stats


def run(pages: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        write_site(Path(tmp), pages)
        server = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.bench_crawl", "--serve", tmp],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None  # stdout=PIPE
            port = int(server.stdout.readline())
            url = f"http://127.0.0.1:{port}/"
            runs: dict[str, list[dict]] = {"plain": [], "generic": []}
            for _ in range(repeat):
                for kind in ("plain", "generic"):
                    runs[kind].append(measure(kind, url, pages))
        finally:
            server.kill()  # the server process this benchmark started
            server.wait()
    best = {kind: max(found, key=lambda r: r["pages_per_second"]) for kind, found in runs.items()}
    ratio = best["plain"]["pages_per_second"] / best["generic"]["pages_per_second"]
    return {
        "benchmark": "crawl_overhead",
        "course_pages": pages,
        "plain_link_following": best["plain"],
        "generic_structured_data": best["generic"],
        "overhead_ratio": round(ratio, 3),
        "target_overhead_ratio": 1.5,
        "runs": repeat,
        "machine": "2 cores shared by the site's server process and the crawl process; "
        "loopback; politeness lifted (16 concurrent requests, no AutoThrottle)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", choices=["plain", "generic"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    if args.child:
        crawl_child(args.child, args.url, args.pages)
        return
    result = run(args.pages, args.repeat)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "crawl.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

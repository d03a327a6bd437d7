"""The crawl-only sample provider, live: `microcred up` serves its website on loopback (a
small static server thread) and crawls it on first start, so a newcomer sees crawled
offerings in search beside the fed ones, and the provider's crawl runs in its history.

The site is microcred/sample_data/site (see generate_site.py). It is served at a port fixed
in settings (`demo_site_port`, 8001), so the course links crawled at one start still answer
after the next; if that port is taken, at a free one, and then the site is crawled again so
the links point where it now is. The provider's crawl source names that address, and this
origin alone is let through the SSRF guard (microcred.crawling.trust_local_origin).
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from email.utils import formatdate
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import cast

from catalogue.crawls import CrawlStore
from catalogue.errors import NotFound
from catalogue.sources import Schedule
from crawlers.arguments import CrawlLimits
from microcred.crawling import CrawlRunner, trust_local_origin
from microcred.sample_data.generate_site import ORIGIN, SITE_DIR
from microcred.services import Services
from normaliser.schema import Provider

SOURCE_NAME = "website"
# Daily, at night in Ireland; and quick on a site of thirty pages on this machine.
SCHEDULE = Schedule(cron="30 3 * * *")
LIMITS = CrawlLimits(
    max_pages=200, max_seconds=120, autothrottle_start_delay=0.05, autothrottle_max_delay=1.0
)


class _Handler(SimpleHTTPRequestHandler):
    """Static files; robots.txt and the sitemap name the address they are served at."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's API)
        path = Path(self.translate_path(self.path))
        if path.suffix in (".txt", ".xml") and path.is_file():
            # A ThreadingHTTPServer; BaseServer, as typed, has no port.
            port = cast(ThreadingHTTPServer, self.server).server_port
            host = self.headers.get("Host") or f"127.0.0.1:{port}"
            body = path.read_bytes().replace(ORIGIN.encode(), f"http://{host}".encode())
            self.send_response(200)
            self.send_header(
                "Content-Type", "text/plain" if path.suffix == ".txt" else "application/xml"
            )
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Last-Modified", formatdate(path.stat().st_mtime, usegmt=True))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, *_args) -> None:
        pass


class DemoSite:
    """The sample site on 127.0.0.1, in a daemon thread, for as long as the process runs."""

    def __init__(self, directory: Path = SITE_DIR, port: int = 0) -> None:
        handler = partial(_Handler, directory=str(directory))
        try:
            self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        except OSError as exc:
            if not port:
                raise
            print(
                f"  the demo site's port {port} is taken ({exc.strerror}); serving it at a free "
                f"port this time (set MICROCRED_DEMO_SITE_PORT to choose another)",
                file=sys.stderr,
                flush=True,
            )
            self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, daemon=True, name="demo-site"
        )

    def start(self) -> DemoSite:
        self.thread.start()
        return self

    def stop(self) -> None:
        # shutdown() waits for serve_forever to end, so never without it running (it would
        # wait forever); the loop notices within its 0.5 s poll, the join is the bound.
        if self.thread.is_alive():
            self.httpd.shutdown()
            self.thread.join(5)
        self.httpd.server_close()


def start_demo_site(
    services: Services, on_crawled: Callable[[dict], None] | None = None
) -> DemoSite:
    """Serve the site, register its provider and crawl source (at this start's address),
    and crawl it if it has never been crawled or was crawled at another address (its
    course links would be dead); `on_crawled` gets that crawl run (the CLI prints it)."""
    site = DemoSite(port=services.settings.demo_site_port).start()
    trust_local_origin(site.origin)
    entry = json.loads((SITE_DIR / "provider.json").read_text(encoding="utf-8"))
    services.catalogue.upsert_provider(
        Provider(
            id=entry["id"],
            name=entry["name"],
            country=entry["country"],
            url=entry["url"],
            default_currency=entry["default_currency"],
        ),
        default_language=entry["default_language"],
        level_framework=entry["level_framework"],
        credit_system=entry["credit_system"],
    )
    crawls = CrawlStore(services.catalogue)
    start_urls = [f"{site.origin}/courses/"]
    try:
        moved = crawls.get_crawl_source(entry["id"], SOURCE_NAME).start_urls != start_urls
    except NotFound:
        moved = False
    source, _ = crawls.put_crawl_source(
        entry["id"],
        SOURCE_NAME,
        start_urls=start_urls,
        limits=LIMITS.model_dump(mode="json"),
        site=None,
        schedule=SCHEDULE,
    )
    if moved or not crawls.crawl_runs(entry["id"], limit=1):
        print(f"  {entry['id']}: crawling its website at {site.origin} ...", flush=True)
        outcome = CrawlRunner(services).crawl_source(source)
        services.worker.run_pending()
        services.indexer.drain()
        if on_crawled is not None:
            on_crawled(outcome.result)
    return site

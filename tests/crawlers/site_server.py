"""A website on 127.0.0.1 for crawl tests: routes in code or files in a directory, ETags and
conditional GETs like a real server, slow pages, and a log of every request it received
(with its headers), so a test can say what was and was not asked for."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ORIGIN = "__ORIGIN__"


@dataclass
class Route:
    body: bytes | str = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering: a slow page


@dataclass(frozen=True)
class Logged:
    path: str
    headers: dict[str, str]


class SiteServer:
    def __init__(
        self,
        routes: dict[str, Route] | None = None,
        directory: Path | None = None,
        etags: bool = True,
    ) -> None:
        self.routes = dict(routes or {})
        self.directory = directory
        self.etags = etags
        self.log: list[Logged] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the http.server API)
                server.log.append(
                    Logged(self.path, {k.lower(): v for k, v in self.headers.items()})
                )
                route = server.route(self.path)
                if route.delay:
                    time.sleep(route.delay)
                body = route.body.encode() if isinstance(route.body, str) else route.body
                body = body.replace(ORIGIN.encode(), server.origin.encode())
                tag = f'"{hashlib.sha256(body).hexdigest()[:20]}"'
                conditional = self.headers.get("If-None-Match")
                if server.etags and route.status == 200 and conditional == tag:
                    self.send_response(304)
                    self.send_header("ETag", tag)
                    self.end_headers()
                    return
                try:
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Content-Length", str(len(body)))
                    if server.etags and route.status == 200:
                        self.send_header("ETag", tag)
                    for name, value in route.headers.items():
                        self.send_header(name, value.replace(ORIGIN, server.origin))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the crawler gave up waiting (the slow page)

            def log_message(self, *_args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def route(self, path: str) -> Route:
        if path in self.routes:
            return self.routes[path]
        if self.directory is not None:
            file = self._file(path)
            if file is not None:
                return Route(file.read_bytes(), content_type=_content_type(file))
        return Route("<html><body>Not found</body></html>", status=404)

    def _file(self, path: str) -> Path | None:
        parts = urlsplit(path)
        relative = parts.path.lstrip("/")
        if not relative or relative.endswith("/"):
            relative += "index.html"
        if parts.query:  # /x/?page=2 is served from x/index.page-2.html
            stem, dot, suffix = relative.rpartition(".")
            relative = f"{stem}.{parts.query.replace('=', '-').replace('&', '.')}{dot}{suffix}"
        file = (self.directory / relative).resolve()
        if self.directory.resolve() not in file.parents or not file.is_file():
            return None
        return file

    def url(self, path: str) -> str:
        return self.origin + path

    def requested(self, path_prefix: str) -> list[str]:
        return [entry.path for entry in self.log if entry.path.startswith(path_prefix)]

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _content_type(file: Path) -> str:
    return {".xml": "application/xml", ".txt": "text/plain", ".json": "application/json"}.get(
        file.suffix, "text/html; charset=utf-8"
    )

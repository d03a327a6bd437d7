"""The feed fetcher against a real HTTP server on 127.0.0.1, started per test in a thread.

Nothing here leaves the machine. Where a test needs the guard to run as in production
(allow_private=False), the feed host is a public-looking name answered by `FakeDNS` (a
stand-in for DNS, which nothing here can host) with the public address 93.184.215.14,
and `StandInInternet` (a stand-in for the public internet) is the fetcher's network
layer: it carries connections for 93.184.215.14 to the local server and refuses every
other destination, so even a broken guard could not reach 10.0.0.1 or 169.254.169.254.
"""

from __future__ import annotations

import gzip
import ipaddress
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpcore
import pytest

from crawlers.fetch import (
    FeedFetcher,
    FetchFailed,
    FetchRefused,
    _PinnedBackend,
    _retry_after_seconds,
)
from crawlers.ssrf import CheckedTarget, UnsafeFeedUrl
from tests.crawlers.test_ssrf import PUBLIC_V4, FakeDNS

LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"


class FeedServer:
    """A threaded HTTP/1.1 server on 127.0.0.1; tests add routes, it records requests."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None, host: str = "127.0.0.1") -> None:
        self.routes = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[dict[str, str]] = []
        self.errors: list[BaseException] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 - http.server's naming
                path = self.path.split("?", 1)[0]
                with owner.lock:
                    owner.hits[path] += 1
                    hit = owner.hits[path]
                    owner.requests.append(
                        {"path": path, **{k.lower(): v for k, v in self.headers.items()}}
                    )
                route = owner.routes.get(path)
                if route is None:
                    reply(self, 404, b"no such feed")
                else:
                    route(self, hit)

            def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
                return

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

            def handle_error(self, request, client_address):
                # A client that hung up mid-response (the fetcher aborting) is expected
                # here; keep it for the tests to look at rather than printing it.
                owner.errors.append(sys.exc_info()[1])

        self.httpd = Server((host, 0), Handler)
        if ssl_context is not None:
            self.httpd.socket = ssl_context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def route(self, path):
        def register(handler):
            self.routes[path] = handler
            return handler

        return register

    def url(self, path: str, host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def reply(handler, status, body=b"", headers=None):
    handler.send_response(status)
    headers = dict(headers or {})
    headers.setdefault("Content-Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()
    if body:
        handler.wfile.write(body)


@pytest.fixture(autouse=True)
def no_system_dns(monkeypatch):
    """No test here may ask the system resolver about a name: that would be a query off
    the machine, and a sign that something connected by name instead of by pin."""
    real_getaddrinfo = socket.getaddrinfo

    def numeric_only(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        try:
            ipaddress.ip_address(name)
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME, f"test: no system DNS for {name}") from None
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", numeric_only)


@pytest.fixture
def server():
    started = FeedServer()
    yield started
    started.close()


class Sleeps(list):
    """Records the waits the fetcher asks for instead of waiting (the server is real;
    only the clock is not)."""

    def __call__(self, seconds):
        self.append(seconds)


def local_fetcher(**settings) -> FeedFetcher:
    """A fetcher allowed to reach 127.0.0.1, with short timeouts and backoff."""
    options = {
        "allow_private": True,
        "timeout": 1.0,
        "max_bytes": 1_000_000,
        "retries": 2,
        "backoff": 0.01,
        "user_agent": "microcred-test/1",
    }
    options.update(settings)
    return FeedFetcher(**options)


class StandInInternet(httpcore.NetworkBackend):
    """Stands in for the public internet: 93.184.215.14 is the local test server; every
    other destination is refused without a packet sent."""

    def __init__(self) -> None:
        self.inner = httpcore.SyncBackend()
        self.connects: list[tuple[str, int]] = []

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.connects.append((host, port))
        if host != PUBLIC_V4:
            raise httpcore.ConnectError(f"stand-in internet: no route to {host}")
        return self.inner.connect_tcp(
            "127.0.0.1",
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("no unix sockets on the stand-in internet")

    def sleep(self, seconds):
        time.sleep(seconds)


def guarded_fetcher(dns, network, **settings) -> FeedFetcher:
    """A fetcher as in production (allow_private=False) on the stand-in DNS and internet."""
    return local_fetcher(allow_private=False, resolver=dns, network_backend=network, **settings)


# --- conditional GET --------------------------------------------------------------------------


def test_200_with_validators_then_304_on_the_conditional_request(server):
    @server.route("/feed.json")
    def feed(handler, hit):
        if (
            handler.headers.get("If-None-Match") == '"v1"'
            or handler.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            reply(handler, 304, headers={"ETag": '"v1"'})
        else:
            reply(
                handler,
                200,
                b'{"offerings": []}',
                {
                    "ETag": '"v1"',
                    "Last-Modified": LAST_MODIFIED,
                    "Content-Type": "application/json",
                },
            )

    fetcher = local_fetcher()
    first = fetcher.fetch(server.url("/feed.json"))
    assert first.status == "fetched"
    assert first.content == b'{"offerings": []}'
    assert (first.etag, first.last_modified) == ('"v1"', LAST_MODIFIED)
    assert first.content_type == "application/json"
    assert (first.attempts, first.redirects) == (1, 0)
    assert first.final_url == first.url == server.url("/feed.json")
    assert first.address == "127.0.0.1"

    again = fetcher.fetch(first.url, etag=first.etag, last_modified=first.last_modified)
    assert again.status == "not_modified"
    assert again.content == b""
    assert (again.etag, again.last_modified) == ('"v1"', LAST_MODIFIED)
    sent = server.requests[-1]
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == LAST_MODIFIED
    assert sent["user-agent"] == "microcred-test/1"

    by_date = fetcher.fetch(first.url, last_modified=LAST_MODIFIED)
    assert by_date.status == "not_modified"
    assert "if-none-match" not in server.requests[-1]


def test_a_changed_feed_is_fetched_again_with_its_new_validator(server):
    @server.route("/changing.csv")
    def changing(handler, hit):
        etag = f'"v{hit}"'
        if handler.headers.get("If-None-Match") == etag:
            reply(handler, 304)
        else:
            reply(handler, 200, f"title\nversion {hit}\n".encode(), {"ETag": etag})

    fetcher = local_fetcher()
    first = fetcher.fetch(server.url("/changing.csv"))
    second = fetcher.fetch(server.url("/changing.csv"), etag=first.etag)
    assert (first.content, first.etag) == (b"title\nversion 1\n", '"v1"')
    assert (second.status, second.content, second.etag) == (
        "fetched",
        b"title\nversion 2\n",
        '"v2"',
    )


def test_a_304_to_an_unconditional_request_is_an_error(server):
    server.routes["/odd"] = lambda handler, hit: reply(handler, 304)
    with pytest.raises(FetchFailed, match="not conditional") as failed:
        local_fetcher().fetch(server.url("/odd"))
    assert failed.value.status == 304


# --- redirects --------------------------------------------------------------------------------


def add_redirect_chain(server, length):
    for step in range(1, length + 1):
        # Alternate absolute and relative Location headers.
        location = server.url(f"/r/{step - 1}") if step % 2 else f"/r/{step - 1}"
        server.routes[f"/r/{step}"] = lambda handler, hit, location=location: reply(
            handler, 302, headers={"Location": location}
        )
    server.routes["/r/0"] = lambda handler, hit: reply(handler, 200, b"arrived")


def test_a_redirect_chain_within_the_limit_is_followed(server):
    add_redirect_chain(server, 3)
    result = local_fetcher(max_redirects=3).fetch(server.url("/r/3"))
    assert (result.content, result.redirects) == (b"arrived", 3)
    assert result.final_url == server.url("/r/0")
    assert result.url == server.url("/r/3")


def test_too_many_redirects(server):
    add_redirect_chain(server, 6)
    with pytest.raises(FetchFailed, match="more than 5 redirects") as failed:
        local_fetcher(max_redirects=5).fetch(server.url("/r/6"))
    assert failed.value.kind == "redirect"
    assert failed.value.url == server.url("/r/6")
    assert server.hits["/r/0"] == 0 and server.hits["/r/1"] == 1


def test_a_redirect_loop_is_detected(server):
    server.routes["/a"] = lambda handler, hit: reply(handler, 301, headers={"Location": "/b"})
    server.routes["/b"] = lambda handler, hit: reply(handler, 308, headers={"Location": "/a"})
    with pytest.raises(FetchFailed, match="redirect loop") as failed:
        local_fetcher(max_redirects=10).fetch(server.url("/a"))
    assert f"{server.url('/a')} -> {server.url('/b')} -> {server.url('/a')}" in str(failed.value)
    assert (server.hits["/a"], server.hits["/b"]) == (1, 1)


@pytest.mark.parametrize(
    ("location", "words"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://10.0.0.1/feed", "10.0.0.1 is a private address"),
        ("http://[::1]:8080/", "::1 is the loopback address"),
        ("http://localhost/", "localhost is a local-only name"),
        ("http://intranet.example.org/feed", "intranet.example.org resolves to 10.0.0.5"),
        ("file:///etc/passwd", "the URL has scheme 'file'"),
    ],
)
def test_a_redirect_into_our_network_is_refused_before_connecting(server, location, words):
    server.routes["/feed"] = lambda handler, hit: reply(
        handler, 302, headers={"Location": location}
    )
    dns = FakeDNS({"feeds.example.org": [PUBLIC_V4], "intranet.example.org": ["10.0.0.5"]})
    network = StandInInternet()
    url = server.url("/feed", host="feeds.example.org")
    with pytest.raises(FetchFailed) as failed:
        guarded_fetcher(dns, network).fetch(url)
    assert failed.value.kind == "unsafe_url" and isinstance(failed.value, UnsafeFeedUrl)
    assert "it redirected to " in str(failed.value)
    assert f", which is refused: {words}" in str(failed.value)
    assert failed.value.url == url
    # The only connection ever opened went to the checked public address of the first hop,
    # and the server saw the original host name.
    assert network.connects == [(PUBLIC_V4, server.port)]
    assert server.requests[0]["host"] == f"feeds.example.org:{server.port}"


def test_the_first_url_is_checked_before_anything_is_sent(server):
    with pytest.raises(FetchFailed, match="127.0.0.1 is a loopback address") as failed:
        FeedFetcher().fetch(server.url("/feed"))
    assert (failed.value.kind, failed.value.attempts) == ("unsafe_url", 0)
    # A refusal is a failed fetch and also an UnsafeFeedUrl, for callers that want to
    # record refusals apart from other failures.
    assert isinstance(failed.value, FetchRefused) and isinstance(failed.value, UnsafeFeedUrl)
    assert server.requests == []


def test_an_unresolvable_host_is_a_dns_failure():
    with pytest.raises(FetchFailed, match="does not resolve") as failed:
        local_fetcher(resolver=FakeDNS({})).fetch("https://gone.example.org/feed")
    assert failed.value.kind == "dns"


# --- address pinning --------------------------------------------------------------------------


class RebindingDNS(FakeDNS):
    """A stand-in for an attacker's DNS: the first answer passes the guard, every later
    answer points somewhere else."""

    def __init__(self, name, first, later):
        super().__init__({})
        self.name, self.first, self.later = name, first, later

    def __call__(self, host, port, *args, **kwargs):
        self.zone = {self.name: [self.first if not self.asked else self.later]}
        return super().__call__(host, port, *args, **kwargs)


def flaky_route(server, path):
    """503 (closing the connection, so the retry must connect again), then 200."""

    def flaky(handler, hit):
        if hit == 1:
            reply(handler, 503, b"busy", {"Connection": "close"})
            handler.close_connection = True
        else:
            reply(handler, 200, b"the feed")

    server.routes[path] = flaky


def test_retries_connect_to_the_checked_address_not_a_new_answer(server, monkeypatch):
    flaky_route(server, "/feed")
    dns = RebindingDNS("feeds.example.org", PUBLIC_V4, "10.0.0.1")
    network = StandInInternet()
    real_getaddrinfo = socket.getaddrinfo
    asked_of_the_system = []

    def recording_getaddrinfo(host, *args, **kwargs):
        asked_of_the_system.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", recording_getaddrinfo)
    result = guarded_fetcher(dns, network).fetch(server.url("/feed", host="feeds.example.org"))
    assert (result.content, result.attempts) == (b"the feed", 2)
    assert dns.asked == ["feeds.example.org"]  # looked up once, by the guard
    assert network.connects == [(PUBLIC_V4, server.port)] * 2  # both connections pinned
    assert all(h in ("127.0.0.1", b"127.0.0.1") for h in asked_of_the_system)
    assert [r["host"] for r in server.requests] == [f"feeds.example.org:{server.port}"] * 2


def test_rebinding_dns_on_real_sockets_cannot_move_the_connection(server, monkeypatch):
    """The system resolver itself rebinds: the name first says 127.0.0.1 (where the
    server is), afterwards 127.0.0.2 (where nothing listens). A client that looked the
    name up again for its connection (or its retry) would fail; the pinned one does not."""
    flaky_route(server, "/feed")
    real_getaddrinfo = socket.getaddrinfo
    lookups = []

    def rebinding_getaddrinfo(host, port, *args, **kwargs):
        if host in ("feeds.example.org", b"feeds.example.org"):
            lookups.append(host)
            host = "127.0.0.1" if len(lookups) == 1 else "127.0.0.2"
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
    result = local_fetcher().fetch(server.url("/feed", host="feeds.example.org"))
    assert (result.content, result.attempts, result.address) == (b"the feed", 2, "127.0.0.1")
    assert lookups == ["feeds.example.org"]


def test_the_next_checked_address_is_tried_when_one_does_not_answer(server):
    server.routes["/feed"] = lambda handler, hit: reply(handler, 200, b"second address")
    dns = FakeDNS({"feeds.example.org": ["127.0.0.2", "127.0.0.1"]})  # nothing on .2
    result = local_fetcher(resolver=dns).fetch(server.url("/feed", host="feeds.example.org"))
    assert (result.content, result.address, result.attempts) == (b"second address", "127.0.0.1", 1)


def test_an_ipv6_address_is_pinned_too():
    try:
        v6_server = FeedServer(host="::1")
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    try:
        v6_server.routes["/feed"] = lambda handler, hit: reply(handler, 200, b"over IPv6")
        dns = FakeDNS({"v6.example.org": ["::1"]})
        result = local_fetcher(resolver=dns).fetch(f"http://v6.example.org:{v6_server.port}/feed")
        assert (result.content, result.address) == (b"over IPv6", "::1")
        assert v6_server.requests[0]["host"] == f"v6.example.org:{v6_server.port}"
    finally:
        v6_server.close()


def test_the_pinned_backend_refuses_hosts_it_was_not_given():
    backend = _PinnedBackend(httpcore.SyncBackend())
    backend.pin(
        CheckedTarget(
            url="http://a.example/", scheme="http", host="a.example", port=80, addresses=()
        )
    )
    for host, port in (("feeds.example.org", 80), ("a.example", 80), ("a.example", 8080)):
        with pytest.raises(httpcore.ConnectError, match="not checked"):
            backend.connect_tcp(host, port)


def test_proxy_settings_in_the_environment_are_not_used(server, monkeypatch):
    server.routes["/feed"] = lambda handler, hit: reply(handler, 200, b"direct")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # the discard port; nothing there
    assert local_fetcher().fetch(server.url("/feed")).content == b"direct"


@pytest.fixture
def tls_files(tmp_path):
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=feeds.example.org",
            "-addext",
            "subjectAltName=DNS:feeds.example.org",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return cert, key


def test_https_to_a_pinned_address_keeps_sni_and_certificate_checks(tls_files):
    """The certificate names only feeds.example.org, not 127.0.0.1: the fetch succeeds
    only because TLS still verifies the host name while the socket goes to the pin."""
    cert, key = tls_files
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    names_seen = []
    server_context.sni_callback = lambda sock, name, context: names_seen.append(name)
    tls_server = FeedServer(ssl_context=server_context)
    try:
        tls_server.routes["/feed"] = lambda handler, hit: reply(handler, 200, b"secure feed")
        dns = FakeDNS({"feeds.example.org": ["127.0.0.1"], "other.example.org": ["127.0.0.1"]})
        fetcher = local_fetcher(
            resolver=dns, ssl_context=ssl.create_default_context(cafile=str(cert))
        )
        result = fetcher.fetch(tls_server.url("/feed", host="feeds.example.org", scheme="https"))
        assert (result.content, result.address) == (b"secure feed", "127.0.0.1")
        assert names_seen == ["feeds.example.org"]
        assert tls_server.requests[0]["host"] == f"feeds.example.org:{tls_server.port}"

        with pytest.raises(
            FetchFailed, match="certificate is not valid for other.example.org"
        ) as failed:
            fetcher.fetch(tls_server.url("/feed", host="other.example.org", scheme="https"))
        assert (failed.value.kind, failed.value.attempts) == ("tls", 1)
    finally:
        tls_server.close()


# --- timeouts and retries ---------------------------------------------------------------------


def test_a_slow_server_times_out_and_the_retry_succeeds(server):
    def slow_once(handler, hit):
        if hit == 1:
            time.sleep(0.6)
        reply(handler, 200, b"late but here")

    server.routes["/slow"] = slow_once
    started = time.monotonic()
    result = local_fetcher(timeout=0.2).fetch(server.url("/slow"))
    assert (result.content, result.attempts) == (b"late but here", 2)
    assert time.monotonic() - started < 0.55


def test_a_server_that_never_answers_in_time_fails_with_a_timeout(server):
    def slow(handler, hit):
        time.sleep(0.4)
        reply(handler, 200, b"too late")

    server.routes["/slow"] = slow
    with pytest.raises(FetchFailed, match=r"no answer within 0\.15 s") as failed:
        local_fetcher(timeout=0.15, retries=1).fetch(server.url("/slow"))
    assert (failed.value.kind, failed.value.attempts) == ("timeout", 2)
    assert "gave up after 2 attempts" in str(failed.value)


def test_a_server_dripping_bytes_is_stopped_by_the_total_timeout(server):
    def drip(handler, hit):
        handler.send_response(200)
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        try:
            for _ in range(100):  # a byte every 20 ms, each well within timeout
                handler.wfile.write(b"x")
                time.sleep(0.02)
        except OSError:
            handler.close_connection = True

    server.routes["/drip"] = drip
    with pytest.raises(FetchFailed, match=r"took longer than 0\.2 s") as failed:
        local_fetcher(timeout=1.0, total_timeout=0.2, retries=0).fetch(server.url("/drip"))
    assert failed.value.kind == "timeout"


def test_503_then_200_succeeds_on_the_second_attempt(server):
    flaky_route(server, "/feed")
    sleeps = Sleeps()
    result = local_fetcher(backoff=0.2, sleep=sleeps).fetch(server.url("/feed"))
    assert (result.status, result.content, result.attempts) == ("fetched", b"the feed", 2)
    assert len(sleeps) == 1 and 0.1 <= sleeps[0] <= 0.2  # backoff with jitter


def test_a_server_error_that_persists_gives_up_after_the_retries(server):
    server.routes["/down"] = lambda handler, hit: reply(handler, 502, b"bad gateway")
    with pytest.raises(FetchFailed) as failed:
        local_fetcher(retries=2, sleep=Sleeps()).fetch(server.url("/down"))
    assert (failed.value.status, failed.value.attempts, failed.value.kind) == (
        502,
        3,
        "http_status",
    )
    assert "HTTP 502 Bad Gateway: the feed server had an error" in str(failed.value)
    assert server.hits["/down"] == 3


def test_429_waits_as_long_as_retry_after_says(server):
    def limited(handler, hit):
        if hit == 1:
            reply(handler, 429, headers={"Retry-After": "2"})
        else:
            reply(handler, 200, b"ok now")

    server.routes["/feed"] = limited
    sleeps = Sleeps()
    result = local_fetcher(sleep=sleeps).fetch(server.url("/feed"))
    assert (result.content, result.attempts) == (b"ok now", 2)
    assert sleeps == [2.0]


def test_429_asking_for_too_long_a_wait_stops_and_says_so(server):
    server.routes["/feed"] = lambda handler, hit: reply(
        handler, 429, headers={"Retry-After": "3600"}
    )
    sleeps = Sleeps()
    with pytest.raises(FetchFailed, match="asked us to wait 3600 s") as failed:
        local_fetcher(max_retry_after=60, sleep=sleeps).fetch(server.url("/feed"))
    assert (failed.value.status, failed.value.retry_after, failed.value.attempts) == (
        429,
        3600.0,
        1,
    )
    assert sleeps == [] and server.hits["/feed"] == 1


def test_retry_after_as_an_http_date():
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= _retry_after_seconds(soon) <= 30
    assert _retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert _retry_after_seconds("soon") is None


@pytest.mark.parametrize(
    ("status", "advice"),
    [
        (404, "HTTP 404 Not Found: there is no feed at this URL; check the registered feed URL"),
        (
            403,
            "HTTP 403 Forbidden: the server refused access; let our feed fetcher in or make "
            "the feed public",
        ),
        (410, "HTTP 410 Gone: the feed was removed; register its new URL"),
    ],
)
def test_client_errors_are_not_retried(server, status, advice):
    server.routes["/feed"] = lambda handler, hit: reply(handler, status, b"nope")
    with pytest.raises(FetchFailed) as failed:
        local_fetcher().fetch(server.url("/feed"))
    assert (failed.value.status, failed.value.attempts, failed.value.kind) == (
        status,
        1,
        "http_status",
    )
    assert str(failed.value) == f"fetching {server.url('/feed')} failed: {advice}"
    assert server.hits["/feed"] == 1


def test_a_refused_connection_is_retried_with_growing_backoff():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again at once: nothing listens there
    sleeps = Sleeps()
    with pytest.raises(FetchFailed, match=f"could not connect to 127.0.0.1 port {port}") as failed:
        local_fetcher(retries=3, backoff=0.1, sleep=sleeps).fetch(f"http://127.0.0.1:{port}/")
    assert (failed.value.kind, failed.value.attempts) == ("connect", 4)
    assert len(sleeps) == 3
    for attempt, slept in enumerate(sleeps, start=1):
        ceiling = 0.1 * 2 ** (attempt - 1)
        assert ceiling / 2 <= slept <= ceiling


# --- size limit -------------------------------------------------------------------------------


def test_a_body_over_max_bytes_is_abandoned_as_soon_as_it_is_exceeded(server):
    total = 64 * 1024 * 1024
    chunk = b"x" * 65536
    sent = []
    finished = threading.Event()

    def endless(handler, hit):
        # No Content-Length: the body runs until the connection closes.
        handler.send_response(200)
        handler.send_header("Connection", "close")
        handler.end_headers()
        written = 0
        try:
            while written < total:
                handler.wfile.write(chunk)
                written += len(chunk)
        except OSError:
            handler.close_connection = True
        finally:
            sent.append(written)
            finished.set()

    server.routes["/huge"] = endless
    with pytest.raises(FetchFailed, match="over our 100,000-byte limit") as failed:
        local_fetcher(max_bytes=100_000).fetch(server.url("/huge"))
    assert (failed.value.kind, failed.value.attempts) == ("too_large", 1)
    assert finished.wait(timeout=10)
    # The server was cut off long before it could send everything (what it did send sits
    # in the two sockets' kernel buffers).
    assert sent[0] < total // 4, sent


def test_a_declared_length_over_max_bytes_is_refused_before_reading(server):
    def declared(handler, hit):
        handler.send_response(200)
        handler.send_header("Content-Length", str(10**9))
        handler.end_headers()
        handler.wfile.write(b"x" * 1000)  # and then nothing: a reader would hang

    server.routes["/big"] = declared
    started = time.monotonic()
    with pytest.raises(FetchFailed, match=r"1,000,000,000 bytes \(Content-Length\)"):
        local_fetcher(max_bytes=100_000, timeout=5).fetch(server.url("/big"))
    assert time.monotonic() - started < 2


def test_the_limit_counts_decompressed_bytes(server):
    bomb = gzip.compress(b"\0" * 2_000_000)
    assert len(bomb) < 100_000
    server.routes["/bomb"] = lambda handler, hit: reply(
        handler, 200, bomb, {"Content-Encoding": "gzip"}
    )
    with pytest.raises(FetchFailed, match="limit") as failed:
        local_fetcher(max_bytes=100_000).fetch(server.url("/bomb"))
    assert failed.value.kind == "too_large"


def test_a_compressed_feed_arrives_decompressed(server):
    server.routes["/gz"] = lambda handler, hit: reply(
        handler, 200, gzip.compress(b"a,b\n1,2\n"), {"Content-Encoding": "gzip"}
    )
    assert local_fetcher().fetch(server.url("/gz")).content == b"a,b\n1,2\n"


def test_settings_are_validated():
    with pytest.raises(ValueError):
        FeedFetcher(max_bytes=0)
    with pytest.raises(ValueError):
        FeedFetcher(retries=-1)

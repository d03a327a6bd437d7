"""Pull a provider's registered feed URL: conditional GET, guarded redirects, a hard size
cap, timeouts and retries, connecting only to addresses the SSRF guard checked.

How the address is pinned: each hop's URL goes through `crawlers.ssrf.check_url`, which
resolves the host once. The HTTP client is httpx with a transport of ours whose httpcore
connection pool has a network backend (`_PinnedBackend`) that opens TCP connections only
to the addresses that check returned for that (host, port), and refuses any host it was
not given. The request URL itself is untouched, so the Host header, TLS SNI and
certificate verification all use the original host name; only the socket's destination
is fixed. No second DNS lookup happens, so DNS rebinding has nothing to answer.
"""

from __future__ import annotations

import contextlib
import email.utils
import random
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, cast

import httpcore
import httpx

from crawlers.ssrf import (
    CheckedTarget,
    Resolver,
    UnresolvableFeedHost,
    UnsafeFeedUrl,
    check_url,
    redact_url,
)

FailureKind = Literal[
    "unsafe_url",
    "dns",
    "connect",
    "timeout",
    "tls",
    "http_status",
    "too_large",
    "redirect",
    "protocol",
]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_ACCEPT = (
    "application/json, application/ld+json, text/csv, application/xml, text/xml;q=0.9, */*;q=0.5"
)
# A pinned host may have many addresses; trying a few is enough and bounds the time a
# connect can take to a few timeouts.
MAX_ADDRESSES_TRIED = 4


class FetchFailed(Exception):
    """A pull that did not produce content. `kind` is one of FailureKind, `status` the
    last HTTP status seen (if any), `attempts` how many requests were tried, and
    `retry_after` the seconds the server asked us to wait when that was too long."""

    def __init__(
        self,
        url: str,
        reason: str,
        *,
        status: int | None = None,
        attempts: int = 0,
        kind: FailureKind = "protocol",
        retry_after: float | None = None,
    ) -> None:
        self.url = redact_url(url)
        self.reason = reason
        self.status = status
        self.attempts = attempts
        self.kind = kind
        self.retry_after = retry_after
        retried = attempts > 1 and kind in ("connect", "timeout", "http_status")
        tries = f" (gave up after {attempts} attempts)" if retried else ""
        # Exception.__init__ directly: FetchRefused also derives from UnsafeFeedUrl.
        Exception.__init__(self, f"fetching {self.url} failed: {reason}{tries}")


class FetchRefused(FetchFailed, UnsafeFeedUrl):
    """The SSRF guard refused the feed URL or a redirect target; nothing was sent to it.
    Both a FetchFailed (kind "unsafe_url") and an UnsafeFeedUrl, so a caller may treat
    refusals like any failed pull or catch them on their own."""

    def __init__(self, url: str, reason: str, *, attempts: int = 0) -> None:
        FetchFailed.__init__(self, url, reason, attempts=attempts, kind="unsafe_url")


@dataclass(frozen=True)
class FetchResult:
    """What a pull produced. `content` is empty when `status` is "not_modified"; `etag`
    and `last_modified` are the validators to send next time; `address` is the IP the
    response came from."""

    status: Literal["fetched", "not_modified"]
    content: bytes
    url: str
    final_url: str
    etag: str | None
    last_modified: str | None
    content_type: str | None
    attempts: int
    redirects: int
    address: str | None


# --- the pinned transport -------------------------------------------------------------------


class _PinnedBackend(httpcore.NetworkBackend):
    """Opens TCP connections only to addresses pinned for (host, port); never resolves."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner
        self._pins: dict[tuple[str, int], tuple[str, ...]] = {}

    def pin(self, target: CheckedTarget) -> None:
        self._pins[(target.host, target.port)] = tuple(str(ip) for ip in target.addresses)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._pins.get((host, port))
        if not addresses:
            raise httpcore.ConnectError(
                f"{host}:{port} was not checked by the SSRF guard; refusing to resolve it here"
            )
        failure: Exception | None = None
        for address in addresses[:MAX_ADDRESSES_TRIED]:
            try:
                return self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # the loop ran at least once
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("feeds are never fetched over unix sockets")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


# httpcore's exceptions mapped to httpx's, most specific first.
_HTTPCORE_TO_HTTPX: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for source, target in _HTTPCORE_TO_HTTPX:
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise


class _PinnedStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class _PinnedTransport(httpx.BaseTransport):
    """An httpx transport over an httpcore pool whose network backend is pinned."""

    def __init__(self, backend: _PinnedBackend, ssl_context: ssl.SSLContext) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            network_backend=backend,
            max_connections=4,
            keepalive_expiry=5.0,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            response = self._pool.handle_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            # A sync pool's response streams synchronously.
            stream=_PinnedStream(cast(Iterable[bytes], response.stream)),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


# --- the fetcher ----------------------------------------------------------------------------


class FeedFetcher:
    """Fetches feed URLs safely. Holds only settings, so one instance can serve many
    threads; every `fetch` opens its own connections.

    `timeout` bounds connecting, each read and each write; `total_timeout` bounds one
    attempt from request to last byte (a server dripping bytes cannot hold us longer).
    `retries` is the number of extra attempts a whole fetch may use on connection errors,
    timeouts, 429 and 5xx; waits grow as `backoff` * 2**n (capped at `max_backoff`) with
    jitter, or follow Retry-After when that is at most `max_retry_after` seconds.
    `resolver`, `network_backend`, `ssl_context` and `sleep` exist for tests and for
    deployments with their own CA bundle.
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        timeout: float = 10.0,
        max_bytes: int = 50 * 1024 * 1024,
        max_redirects: int = 5,
        retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        max_retry_after: float = 120.0,
        total_timeout: float = 300.0,
        user_agent: str = "microcred-feed-fetcher/0.1",
        resolver: Resolver | None = None,
        network_backend: httpcore.NetworkBackend | None = None,
        ssl_context: ssl.SSLContext | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_bytes < 1 or timeout <= 0 or max_redirects < 0 or retries < 0:
            raise ValueError(
                "max_bytes and timeout must be positive; max_redirects and "
                "retries must not be negative"
            )
        self.allow_private = allow_private
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.total_timeout = total_timeout
        self.user_agent = user_agent
        self.resolver = resolver
        self.network_backend = network_backend
        # trust_env=False: SSL_CERT_FILE and friends are settings, not ambient state.
        self.ssl_context = ssl_context or httpx.create_ssl_context(trust_env=False)
        self.sleep = sleep

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET `url`, conditionally when validators from the last pull are given.

        Raises FetchFailed (and nothing else) when neither content nor 304 came back."""
        return _Pull(self, url, etag, last_modified).run()

    def backoff_delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        ceiling = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        # Half fixed, half random ("equal jitter"): retries from many pulls spread out,
        # and none comes straight back.
        return ceiling / 2 + random.uniform(0, ceiling / 2)


@dataclass
class _Hop:
    """The outcome of one request that did not fail."""

    kind: Literal["fetched", "not_modified", "redirect"]
    response: httpx.Response
    address: str | None
    content: bytes = b""


class _Retry(Exception):
    """A failed attempt that may be tried again after `delay` seconds (None: back off)."""

    def __init__(self, failure: FetchFailed, delay: float | None = None) -> None:
        super().__init__(failure.reason)
        self.failure = failure
        self.delay = delay


class _Pull:
    """The state of one fetch: the redirect chain so far and the attempts used."""

    def __init__(
        self, fetcher: FeedFetcher, url: str, etag: str | None, last_modified: str | None
    ) -> None:
        self.f = fetcher
        self.url = url
        self.etag = etag
        self.last_modified = last_modified
        self.headers = {"Accept": DEFAULT_ACCEPT}
        if etag:
            self.headers["If-None-Match"] = etag
        if last_modified:
            self.headers["If-Modified-Since"] = last_modified
        self.chain: list[str] = []
        self.attempts = 0

    def fail(
        self,
        reason: str,
        *,
        kind: FailureKind,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> FetchFailed:
        if len(self.chain) > 1:
            reason = f"{reason} (at {self.chain[-1]}, reached by redirect)"
        return FetchFailed(
            self.url,
            reason,
            status=status,
            attempts=self.attempts,
            kind=kind,
            retry_after=retry_after,
        )

    def run(self) -> FetchResult:
        backend = _PinnedBackend(self.f.network_backend or httpcore.SyncBackend())
        # trust_env=False: no proxy from the environment (a proxy would resolve the name
        # itself) and no .netrc credentials sent to a provider's server.
        with httpx.Client(
            transport=_PinnedTransport(backend, self.f.ssl_context),
            headers={"User-Agent": self.f.user_agent},
            timeout=httpx.Timeout(self.f.timeout),
            follow_redirects=False,
            trust_env=False,
        ) as client:
            target = self.check(self.url)
            while True:
                backend.pin(target)
                self.chain.append(target.url)
                hop = self.request(client, target)
                if hop.kind != "redirect":
                    break
                target = self.check(self.next_hop(target, hop.response))
        headers = hop.response.headers
        modified = hop.kind == "not_modified"
        return FetchResult(
            status=hop.kind,
            content=hop.content,
            url=self.url,
            final_url=self.chain[-1],
            etag=headers.get("etag", self.etag if modified else None),
            last_modified=headers.get("last-modified", self.last_modified if modified else None),
            content_type=headers.get("content-type"),
            attempts=self.attempts,
            redirects=len(self.chain) - 1,
            address=hop.address,
        )

    def check(self, url: str) -> CheckedTarget:
        try:
            return check_url(url, allow_private=self.f.allow_private, resolver=self.f.resolver)
        except UnresolvableFeedHost as exc:
            raise self.fail(self.redirected(url, exc.reason), kind="dns") from exc
        except UnsafeFeedUrl as exc:
            failure = self.fail(self.redirected(exc.url, exc.reason), kind="unsafe_url")
            raise FetchRefused(self.url, failure.reason, attempts=self.attempts) from exc

    def redirected(self, url: str, reason: str) -> str:
        return f"it redirected to {url}, which is refused: {reason}" if self.chain else reason

    def next_hop(self, target: CheckedTarget, response: httpx.Response) -> str:
        status = response.status_code
        location = response.headers.get("location")
        if not location:
            raise self.fail(
                f"the server answered {status} (a redirect) without a Location header",
                status=status,
                kind="redirect",
            )
        try:
            following = str(httpx.URL(target.url).join(location).copy_with(fragment=None))
        except (httpx.InvalidURL, ValueError) as exc:
            raise self.fail(
                f"the server redirected to {location!r}, which is not a valid URL ({exc})",
                status=status,
                kind="redirect",
            ) from None
        path = " -> ".join([*self.chain, following])
        if following in self.chain:
            raise self.fail(
                f"redirect loop: {path}; register a URL that does not redirect",
                status=status,
                kind="redirect",
            )
        if len(self.chain) > self.f.max_redirects:
            raise self.fail(
                f"more than {self.f.max_redirects} redirects: {path}; register "
                "the final URL instead",
                status=status,
                kind="redirect",
            )
        return following

    def request(self, client: httpx.Client, target: CheckedTarget) -> _Hop:
        """One hop, retried. The target stays pinned across retries: no new DNS lookup."""
        while True:
            self.attempts += 1
            try:
                return self.attempt(client, target)
            except _Retry as retry:
                if self.attempts > self.f.retries:
                    raise retry.failure from retry.__cause__
                self.f.sleep(
                    retry.delay if retry.delay is not None else self.f.backoff_delay(self.attempts)
                )

    def attempt(self, client: httpx.Client, target: CheckedTarget) -> _Hop:
        started = time.monotonic()
        try:
            with client.stream("GET", target.url, headers=self.headers) as response:
                status = response.status_code
                address = _peer_address(response)
                if status in REDIRECT_STATUSES:
                    return _Hop("redirect", response, address)
                if status == 304:
                    if not (self.etag or self.last_modified):
                        raise self.fail(
                            "the server answered 304 Not Modified to a request "
                            "that was not conditional",
                            status=status,
                            kind="http_status",
                        )
                    return _Hop("not_modified", response, address)
                if 200 <= status < 300:
                    return _Hop(
                        "fetched", response, address, content=self.read_body(response, started)
                    )
                if status == 429 or 500 <= status < 600:
                    raise self.retry_for_status(response)
                raise self.fail(_status_advice(response), status=status, kind="http_status")
        except httpx.TimeoutException as exc:
            raise _Retry(
                self.fail(
                    f"no answer within {self.f.timeout:g} s ({type(exc).__name__})", kind="timeout"
                )
            ) from exc
        except httpx.ConnectError as exc:
            refused = _certificate_error(exc)
            if refused is not None:
                raise self.fail(
                    f"the server's TLS certificate is not valid for "
                    f"{target.host} ({refused.verify_message}); the feed host "
                    "needs a valid certificate for its name",
                    kind="tls",
                ) from exc
            raise _Retry(
                self.fail(
                    f"could not connect to {target.host} port {target.port} ({_describe(exc)})",
                    kind="connect",
                )
            ) from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise _Retry(
                self.fail(
                    f"the connection broke during the response ({_describe(exc)})", kind="connect"
                )
            ) from exc
        except httpx.HTTPError as exc:
            raise self.fail(f"HTTP error ({_describe(exc)})", kind="protocol") from exc

    def read_body(self, response: httpx.Response, started: float) -> bytes:
        limit = self.f.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise self.fail(
                f"the feed is {int(declared):,} bytes (Content-Length), over our "
                f"{limit:,}-byte limit; split it into smaller feeds",
                status=response.status_code,
                kind="too_large",
            )
        chunks: list[bytes] = []
        received = 0
        # Decoded bytes are counted, so a small compressed body cannot expand past the cap.
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > limit:
                raise self.fail(
                    f"the feed is over our {limit:,}-byte limit (we stopped "
                    f"reading at {received:,} bytes); split it into smaller feeds",
                    status=response.status_code,
                    kind="too_large",
                )
            if time.monotonic() - started > self.f.total_timeout:
                raise _Retry(
                    self.fail(
                        f"the download took longer than {self.f.total_timeout:g} s",
                        status=response.status_code,
                        kind="timeout",
                    )
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def retry_for_status(self, response: httpx.Response) -> Exception:
        status = response.status_code
        wait = _retry_after_seconds(response.headers.get("retry-after"))
        if wait is not None and wait > self.f.max_retry_after:
            return self.fail(
                f"HTTP {status}, and the server asked us to wait {wait:g} s "
                f"(Retry-After), longer than our {self.f.max_retry_after:g} s "
                "limit; the next scheduled pull will try again",
                status=status,
                kind="http_status",
                retry_after=wait,
            )
        failure = self.fail(
            _status_advice(response), status=status, kind="http_status", retry_after=wait
        )
        return _Retry(failure, delay=wait)


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _peer_address(response: httpx.Response) -> str | None:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    peer = stream.get_extra_info("server_addr")
    return str(peer[0]) if peer else None


def _certificate_error(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After is either delay-seconds or an HTTP-date (RFC 9110 section 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


_STATUS_ADVICE = {
    400: "the server rejected our request as malformed",
    401: "the server wants credentials; feeds must be public",
    403: "the server refused access; let our feed fetcher in or make the feed public",
    404: "there is no feed at this URL; check the registered feed URL",
    410: "the feed was removed; register its new URL",
    429: "the server is rate-limiting us",
}


def _status_advice(response: httpx.Response) -> str:
    status = response.status_code
    phrase = response.reason_phrase or "error"
    if status in _STATUS_ADVICE:
        advice = _STATUS_ADVICE[status]
    elif 500 <= status < 600:
        advice = "the feed server had an error; check it is up"
    else:
        advice = "we cannot use this response"
    return f"HTTP {status} {phrase}: {advice}"

"""A feed body that trickles in is answered 408 and its connection closed: a real uvicorn
server (in a thread, with `microcred serve`'s options) on a free loopback port, and a raw
socket that sends slowly. Every loop is bounded."""

from __future__ import annotations

import dataclasses
import json
import select
import socket
import threading
import time

import pytest
import uvicorn

from microcred.web import create_web_app, uvicorn_options

SLOW = {
    "feed_body_min_bytes_per_second": 2000.0,
    "feed_body_grace_seconds": 0.5,
    "feed_body_timeout_seconds": 5.0,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(services, provider):
    key = services.keys.create("provider", provider_id=provider.id).secret
    settings = services.settings.model_copy(update=dict(SLOW, host="127.0.0.1", port=free_port()))
    app = create_web_app(dataclasses.replace(services, settings=settings), background=False)
    uv = uvicorn.Server(uvicorn.Config(app, log_level="warning", **uvicorn_options(settings)))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if uv.started:
            break
        time.sleep(0.05)
    assert uv.started, "uvicorn did not start within 10 s"
    yield settings.port, key, provider.id
    uv.should_exit = True
    thread.join(timeout=10)


def request_head(provider_id: str, key: str, length: int) -> bytes:
    return (
        f"POST /v1/providers/{provider_id}/submissions?format=csv&mode=delta HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nAuthorization: Bearer {key}\r\nContent-Type: text/csv\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def read_answer(sock: socket.socket, seconds: float) -> bytes:
    """What the server sends until it closes the connection or `seconds` pass."""
    received, deadline = b"", time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([sock], [], [], 0.1)
        if ready:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    return received


def test_a_trickling_body_is_answered_408_and_the_connection_closed(server, services):
    port, key, provider_id = server
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request_head(provider_id, key, 100_000) + b"id,title\n")
        answer = b""
        for _ in range(100):  # 10 bytes every 0.1 s: 100 bytes/s, for at most 10 s
            ready, _, _ = select.select([sock], [], [], 0.1)
            if ready:
                answer = read_answer(sock, 3)
                break
            try:
                sock.sendall(b"X1,Slowly\n")
            except OSError:
                break
        if not answer:
            answer = read_answer(sock, 3)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), answer[:300]
    assert b"connection: close" in head.lower()
    error = json.loads(body)["error"]
    assert (error["code"], error["field"]) == ("body_timeout", "body")
    assert "too slowly" in error["message"]
    with services.catalogue.engine.connect() as conn:  # nothing was stored
        assert conn.exec_driver_sql("SELECT count(*) FROM submissions").scalar() == 0


def test_a_body_at_a_fair_rate_is_accepted(server):
    port, key, provider_id = server
    feed = b"id,title\n" + b"".join(b"F%d,Fair course %d\n" % (i, i) for i in range(200))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request_head(provider_id, key, len(feed)))
        for start in range(0, len(feed), 1000):  # in pieces, quickly
            sock.sendall(feed[start : start + 1000])
            time.sleep(0.01)
        answer = b""
        for _ in range(100):  # until the head of the answer is in, at most 10 s
            answer += read_answer(sock, 0.1)
            if b"\r\n\r\n" in answer:
                break
    assert answer.startswith(b"HTTP/1.1 202"), answer[:300]


def test_unfinished_headers_over_the_limit_are_refused_by_uvicorn(server):
    """h11's limit counts the bytes of a head not yet complete (a head that arrives whole
    in one read is not held to it): a client that keeps sending header bytes without ever
    ending the head is refused once it is past 16 KiB, not buffered for ever."""
    port, _key, _provider_id = server
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
        answer = b""
        for _ in range(40):  # 1 KiB at a time, never ending the head
            try:
                sock.sendall(b"a" * 1024)
            except OSError:
                break
            answer += read_answer(sock, 0.05)
            if answer:
                break
        answer += read_answer(sock, 2)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:300]


def test_uvicorn_options_come_from_the_settings(settings):
    options = uvicorn_options(
        settings.model_copy(
            update={
                "http_timeout_keep_alive": 3.0,
                "http_limit_concurrency": 50,
                "http_max_incomplete_event_size": 8192,
            }
        )
    )
    assert options["http"] == "h11"
    assert (
        options["timeout_keep_alive"],
        options["limit_concurrency"],
        options["h11_max_incomplete_event_size"],
    ) == (3.0, 50, 8192)
    uvicorn.Config(app=None, **options)  # every option is one uvicorn knows

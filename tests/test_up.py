"""`microcred up` as a newcomer runs it: a real server process with the sample providers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_up(data_dir, port: int, demo_port: int) -> subprocess.Popen:
    """`microcred up` on this data directory; returns once /healthz answers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "microcred.cli", "up", "--port", str(port)],
        env=dict(
            os.environ, MICROCRED_DATA_DIR=str(data_dir), MICROCRED_DEMO_SITE_PORT=str(demo_port)
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):  # at most 30 s
        if process.poll() is not None:
            pytest.fail(f"microcred up exited: {process.stdout.read()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.terminate()
    pytest.fail("microcred up did not answer /healthz within 30 s")


def stop(process: subprocess.Popen) -> str:
    process.terminate()
    output, _ = process.communicate(timeout=10)
    return output


@pytest.fixture(scope="module")
def up(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("up")
    port, demo_port = free_port(), free_port()
    state = {"process": start_up(data_dir, port, demo_port), "data_dir": data_dir}
    state.update(port=port, demo_port=demo_port, base=f"http://127.0.0.1:{port}")
    try:
        yield state
    finally:
        stop(state["process"])


@pytest.fixture(scope="module")
def server(up) -> str:
    return up["base"]


def test_sample_providers_are_loaded_and_searchable(server):
    providers = httpx.get(f"{server}/v1/providers").json()
    assert len(providers) >= 6
    assert sum(p["active_offerings"] for p in providers) >= 400
    countries = {p["country"] for p in providers}
    assert {"NZ", "AU", "IE", "GB", "US"} <= countries
    body = httpx.get(f"{server}/v1/search", params={"q": "maori"}).json()
    assert body["total"] > 0
    assert all(f in body["facets"] for f in ("mode", "provider", "framework", "eqf"))


def test_the_marketplace_page_is_served(server):
    page = httpx.get(f"{server}/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "Find a micro-credential" in page.text
    css = httpx.get(server + page.text.split('href="')[1].split('"')[0])
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]


def test_the_crawl_only_sample_provider_was_crawled_on_first_start(server):
    providers = {p["id"]: p for p in httpx.get(f"{server}/v1/providers").json()}
    assert providers["corrib-bay"]["active_offerings"] == 28
    body = httpx.get(f"{server}/v1/search", params={"provider": "corrib-bay", "size": 50}).json()
    assert body["total"] == 28
    assert all(hit["url"].startswith("http://127.0.0.1:") for hit in body["hits"])
    assert {hit["level"]["framework"] for hit in body["hits"]} == {"NFQ"}


def test_crawled_course_links_still_answer_after_a_restart(up):
    """The demo site is served at the port fixed in settings, so the links crawled at the
    first start answer after the next, which does not crawl again (issue 18, item 8)."""
    search = {"provider": "corrib-bay", "size": 50}
    before = sorted(
        h["url"] for h in httpx.get(f"{up['base']}/v1/search", params=search).json()["hits"]
    )
    assert all(u.startswith(f"http://127.0.0.1:{up['demo_port']}/courses/") for u in before)
    assert "crawling its website" in stop(up["process"])
    up["process"] = start_up(up["data_dir"], up["port"], up["demo_port"])
    after = sorted(
        h["url"] for h in httpx.get(f"{up['base']}/v1/search", params=search).json()["hits"]
    )
    assert after == before and len(after) == 28
    with httpx.Client(timeout=5) as client:
        assert {client.get(u).status_code for u in after} == {200}
    # Last in this file: the fixture's stop() of a stopped process is a no-op.
    assert "crawling its website" not in stop(up["process"])

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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("up")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "microcred.cli", "up", "--port", str(port)],
        env=dict(os.environ, MICROCRED_DATA_DIR=str(data_dir)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # at most 30 s
            if process.poll() is not None:
                pytest.fail(f"microcred up exited: {process.stdout.read()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("microcred up did not answer /healthz within 30 s")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


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

"""The crawl-only sample provider's website at a stable address (issue 18, item 8): the port
from settings, a free one when that is taken, said; the restart itself is in test_up."""

from __future__ import annotations

import socket

import httpx
import pytest

from microcred.demo_site import DemoSite
from microcred.settings import Settings


def test_a_taken_port_gives_a_free_one_and_says_so(capsys):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        site = DemoSite(port=taken).start()
    try:
        assert site.httpd.server_port != taken
        assert f"port {taken} is taken" in capsys.readouterr().err
        assert httpx.get(f"{site.origin}/courses/", timeout=5).status_code == 200
    finally:
        site.stop()


def test_port_zero_means_a_free_port_each_start():
    site = DemoSite(port=0).start()
    try:
        assert site.httpd.server_port != 0
        assert httpx.get(f"{site.origin}/courses/", timeout=5).status_code == 200
    finally:
        site.stop()


@pytest.mark.parametrize("value", ["-1", "65536"])
def test_a_port_out_of_range_is_refused(value, monkeypatch):
    monkeypatch.setenv("MICROCRED_DEMO_SITE_PORT", value)
    with pytest.raises(ValueError, match="demo_site_port"):
        Settings()

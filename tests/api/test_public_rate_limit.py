"""The per-client rate limit of the public routes: off by default, 429 with Retry-After in
the error shape when on, and X-Forwarded-For believed only from a trusted proxy. On a real
catalogue (SQLite and PostgreSQL: the shared counter on PostgreSQL, a bucket in memory on
SQLite)."""

from __future__ import annotations

import dataclasses
import ipaddress

import pytest
from fastapi.testclient import TestClient

from catalogue.store import offering_key
from microcred.web import create_web_app
from search_api.public_limit import client_key, parse_networks

FEED = b"id,title\nC1,Cheese making\n"


def app_with(services, **settings):
    limited = dataclasses.replace(services, settings=services.settings.model_copy(update=settings))
    return create_web_app(limited, background=False)


@pytest.fixture
def stored(services, provider):
    services.import_feed(provider.id, FEED, format="csv")
    return offering_key(provider.id, "C1")


def test_off_by_default(services, stored):
    assert services.settings.public_rate_per_minute == 0
    with TestClient(create_web_app(services, background=False)) as client:
        for _ in range(30):
            assert client.get("/v1/search", params={"facets": "none"}).status_code == 200


def test_over_the_limit_is_429_with_retry_after(services, stored):
    with TestClient(app_with(services, public_rate_per_minute=3)) as client:
        assert client.get("/v1/search", params={"facets": "none"}).status_code == 200
        assert client.get(f"/v1/offerings/{stored}").status_code == 200
        assert client.get("/").status_code == 200  # the pages count too
        refused = client.get("/v1/search")
        assert refused.status_code == 429
        error = refused.json()["error"]
        assert error["code"] == "rate_limited" and "this client" in error["message"]
        assert int(refused.headers["Retry-After"]) >= 1
        assert client.get("/v1/suggest", params={"q": "ch"}).status_code == 429
        page = client.get(f"/offerings/{stored}")  # a page answers in HTML
        assert page.status_code == 429 and int(page.headers["Retry-After"]) >= 1
        assert page.headers["content-type"].startswith("text/html")
        assert "Too many requests" in page.text
        assert client.get("/healthz").status_code == 200  # health checks are not limited


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(services, stored):
    app = app_with(services, public_rate_per_minute=2, trusted_proxies="10.0.0.0/8")

    def search(client, forwarded_for):
        return client.get(
            "/v1/search", params={"facets": "none"}, headers={"X-Forwarded-For": forwarded_for}
        ).status_code

    with TestClient(app, client=("10.1.2.3", 40000)) as proxy:
        # Behind the proxy, each client has its own allowance.
        assert [search(proxy, "203.0.113.7") for _ in range(3)] == [200, 200, 429]
        assert search(proxy, "203.0.113.8") == 200
        # What a client wrote left of the address the proxy saw is not believed.
        assert search(proxy, "198.51.100.1, 203.0.113.7") == 429
    with TestClient(app, client=("192.0.2.50", 40000)) as direct:
        # Not a trusted proxy: its own address counts, whatever it claims.
        assert [search(direct, f"203.0.113.{n}") for n in (20, 21, 22)] == [200, 200, 429]


def test_client_key():
    trusted = parse_networks("10.0.0.0/8, 127.0.0.1")
    assert client_key("192.0.2.1", ["203.0.113.1"], trusted) == "192.0.2.1"
    assert client_key("10.0.0.1", ["203.0.113.1"], trusted) == "203.0.113.1"
    assert client_key("10.0.0.1", ["203.0.113.1, 10.0.0.9"], trusted) == "203.0.113.1"
    assert client_key("10.0.0.1", ["1.1.1.1", "203.0.113.1"], trusted) == "203.0.113.1"
    assert client_key("10.0.0.1", [], trusted) == "10.0.0.1"
    assert client_key("10.0.0.1", ["garbage"], trusted) == "10.0.0.1"
    # IPv6 clients count per /64.
    assert (
        client_key("2001:db8:1:2::5", [], trusted)
        == client_key("2001:db8:1:2:ffff::1", [], trusted)
        == str(ipaddress.ip_network("2001:db8:1:2::/64"))
    )
    assert client_key("::ffff:192.0.2.1", [], trusted) == "192.0.2.1"
    with pytest.raises(ValueError, match="not-an-ip"):
        parse_networks("10.0.0.1, not-an-ip")


def test_a_token_bucket_forgets_clients_whose_buckets_refilled():
    from search_api.rate_limit import PRUNE_EVERY, RateLimited, TokenBucketLimiter

    now = [0.0]
    limiter = TokenBucketLimiter(2, clock=lambda: now[0], subject="this client")
    limiter.take("a")
    limiter.take("a")
    with pytest.raises(RateLimited, match="this client"):
        limiter.take("a")
    now[0] = 120.0  # every bucket is full again
    for n in range(PRUNE_EVERY):
        limiter.take(f"client-{n}")
    # "a" refilled and was forgotten; the clients just seen (a token short of full) are kept.
    assert "a" not in limiter._buckets and len(limiter._buckets) == PRUNE_EVERY

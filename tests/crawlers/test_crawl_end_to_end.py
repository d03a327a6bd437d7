"""Crawls end to end, against sites served on 127.0.0.1, in a child process each: what a
crawl that fails part-way does (404, 500, a slow page, a redirect loop), what a clean one
does, and the SSRF guard on start URLs."""

from __future__ import annotations

import json

import pytest

from microcred.crawling import CrawlRunner
from tests.crawlers.conftest import crawl
from tests.crawlers.site_server import Route, SiteServer


def course(code: str, name: str, *, broken: bool = False) -> str:
    data = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "Course",
            "courseCode": code,
            "name": name,
            "educationalLevel": "SCQF Level 7",
            "numberOfCredits": "15 SCQF credits",
            "offers": {"@type": "Offer", "price": 300, "priceCurrency": "GBP"},
        }
    )
    if broken:  # a trailing comma, as hand-edited templates have
        data = data[:-1] + ",}"
    return (
        f'<html><head><script type="application/ld+json">{data}</script></head>'
        f"<body><h1>{name}</h1></body></html>"
    )


def home(*paths: str) -> Route:
    links = "".join(f'<a href="{p}">{p}</a> ' for p in paths)
    return Route(f"<html><body>{links}</body></html>")


def active(services, provider_id: str) -> list[str]:
    return sorted(
        d["provider_offering_id"]
        for d in services.catalogue.iter_active_offering_documents()
        if d["provider"]["id"] == provider_id
    )


@pytest.fixture
def site():
    with SiteServer(
        {
            "/robots.txt": Route("User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
            "/": home("/courses/a", "/courses/b", "/private/c"),
            "/courses/a": Route(course("A", "Course A", broken=True)),
            "/courses/b": Route(course("B", "Course B")),
            "/private/c": Route(course("C", "Course C")),
        }
    ) as server:
        yield server


def test_a_failed_crawl_withdraws_nothing_and_a_clean_one_is_a_snapshot(
    local_services, kelvinside, runner, site
):
    provider = kelvinside.id
    first = crawl(runner, provider, [site.url("/")])
    assert (first["status"], first["mode"]) == ("finished", "snapshot")
    assert active(local_services, provider) == ["A", "B"]
    assert site.requested("/private/") == []
    report = local_services.ingest.report_for(first["submission_id"])
    assert any("trailing commas" in issue.message for issue in report.issues)

    # The site breaks in the usual ways; B's page now fails too.
    site.routes.update(
        {
            "/": home("/courses/a", "/courses/b", "/missing", "/broken", "/slow", "/loop-1"),
            "/courses/b": Route("down for maintenance", status=503),
            "/broken": Route("oops", status=500),
            "/slow": Route(course("S", "Slow course"), delay=2.5),
            "/loop-1": Route("", status=302, headers={"Location": "/loop-2"}),
            "/loop-2": Route("", status=302, headers={"Location": "/loop-1"}),
        }
    )
    second = crawl(runner, provider, [site.url("/")], download_timeout=1.0)
    assert (second["status"], second["mode"]) == ("partial", "delta")
    failed = {
        sample["url"].removeprefix(site.origin): sample["error"]
        for sample in second["error_samples"]
    }
    assert failed["/broken"] == "HTTP 500"
    assert failed["/loop-1"].startswith("redirect loop: ") and "/loop-2" in failed["/loop-1"]
    assert "Timeout" in failed["/slow"] or "timed out" in failed["/slow"].lower()
    assert "/missing" not in failed  # a 404 is an answer, not a failure
    assert second["errors"] == len(failed)
    assert active(local_services, provider) == ["A", "B"]  # nothing withdrawn

    # Fixed, and B is gone from the site: a clean crawl, whose snapshot withdraws B.
    site.routes["/"] = home("/courses/a")
    site.routes["/courses/b"] = Route("gone", status=404)
    third = crawl(runner, provider, [site.url("/")])
    assert (third["status"], third["mode"]) == ("finished", "snapshot")
    assert active(local_services, provider) == ["A"]


def test_the_ssrf_guard_refuses_a_private_start_url(services, kelvinside, site):
    services.settings = services.settings.model_copy(update={"allow_private_feeds": False})
    run = crawl(CrawlRunner(services), kelvinside.id, [site.url("/")])
    assert run["status"] == "failed" and "loopback" in run["error"]
    assert run["submission_id"] is None
    assert site.log == []  # not even robots.txt was asked for


def test_limits_stop_a_crawl_and_it_counts_as_partial(local_services, kelvinside, runner):
    pages = {f"/p{i}": home(f"/p{i + 1}") for i in range(30)}
    pages["/p1"] = Route(
        course("P1", "Course one").replace("</body>", '<a href="/p2">2</a></body>')
    )
    with SiteServer({"/robots.txt": Route("", content_type="text/plain"), **pages}) as site:
        run = crawl(runner, kelvinside.id, [site.url("/p0")], max_pages=5)
    assert run["status"] == "partial" and run["finish_reason"] == "closespider_pagecount"
    assert run["mode"] == "delta" and run["pages"] <= 7

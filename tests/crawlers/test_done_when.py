"""Issue 5's done-when: a course website nobody here designed (its markup follows what real
course sites publish, see tests/fixtures/crawl_sites/kelvinside/README.md), served on
127.0.0.1, is crawled in a child process; its courses appear in search with correct
normalised values; pages robots.txt disallows are never requested; a re-crawl of the
unchanged site sends conditional requests and creates no new versions."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from catalogue.models import OfferingRow, OfferingVersionRow
from microcred.web import create_web_app
from tests.crawlers.conftest import crawl
from tests.crawlers.site_server import SiteServer

SITE = Path(__file__).resolve().parents[1] / "fixtures" / "crawl_sites" / "kelvinside"
COURSES = "/study/short-courses/"


@pytest.fixture
def site():
    with SiteServer(directory=SITE) as server:
        yield server


def versions(services) -> int:
    with services.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(OfferingVersionRow)).scalar_one()


def search(services, **params) -> dict[str, dict]:
    with TestClient(create_web_app(services, background=False)) as client:
        body = client.get("/v1/search", params={"size": 50, **params}).json()
    return {hit["provider_offering_id"]: hit for hit in body["hits"]}


def test_a_course_website_is_crawled_into_search_politely(local_services, kelvinside, runner, site):
    run = crawl(runner, kelvinside.id, [site.url("/")])
    assert (run["status"], run["mode"], run["outcome"]) == ("finished", "snapshot", "submitted")
    assert run["errors"] == 0 and run["items"] == 6

    # robots.txt: the group for our user agent keeps us out of /admin/ and /drafts/ (the
    # sitemap lists a draft, the listing links both); /search is only closed to others.
    assert site.requested("/admin/") == [] and site.requested("/drafts/") == []
    assert site.requested("/search")
    assert site.log[0].headers["user-agent"].startswith("microcred-crawler/")
    # Found only through the sitemap index; and the second page of the listing.
    assert site.requested(f"{COURSES}gaelic-for-the-workplace/")
    assert site.requested(f"{COURSES}?page=2")

    hits = search(local_services, provider=kelvinside.id)
    assert sorted(hits) == [
        "KU-CPD-201",
        "KU-CPD-202",
        "KU-CRB-10",
        "KU-DSPP-11",
        "KU-GAEL-05",
        "KU-NZBR-08",
    ]
    policy = hits["KU-DSPP-11"]  # Google's course-info shape
    assert policy["level"] == {"framework": "SCQF", "value": "11", "eqf": 7}
    assert (policy["credits"]["value"], policy["credits"]["system"], policy["credits"]["ects"]) == (
        20.0,
        "SCQF",
        10.0,
    )
    assert (policy["price"]["amount"], policy["price"]["currency"]) == (1250.0, "GBP")
    assert policy["start_dates"] == ["2027-01-18"]  # the other run gives dates only in a Schedule
    assert set(policy["modes"]) == {"blended", "online"}
    assert policy["url"] == site.url(f"{COURSES}data-science-for-public-policy/")
    gaelic = hits["KU-GAEL-05"]  # an SEO plugin's @graph
    assert gaelic["price"]["is_free"] is True and gaelic["level"]["value"] == "5"
    boards = hits["KU-CRB-10"]  # RDFa
    assert (boards["price"]["amount"], boards["credits"]["value"], boards["modes"]) == (
        850.0,
        10.0,
        ["online"],
    )
    retrofit = hits["KU-NZBR-08"]  # microdata
    assert (retrofit["level"]["eqf"], retrofit["price"]["amount"]) == (5, 640.0)
    assert retrofit["start_dates"] == ["2027-09-06"] and retrofit["modes"] == ["blended"]
    coaching = hits["KU-CPD-201"]  # one of two courses on one page
    assert coaching["modes"] == ["in_person"] and coaching["price"]["amount"] == 495.0

    # The broken JSON-LD page is in the submission's report, naming the page and position.
    report = local_services.ingest.report_for(run["submission_id"])
    broken = [i for i in report.issues if "history-of-the-clyde" in i.message]
    assert len(broken) == 1 and "line 7, column 2" in broken[0].message
    # Provenance: channel crawl, source URL the page the course was read from.
    with local_services.engine.connect() as conn:
        rows = dict(
            conn.execute(
                select(OfferingRow.provider_offering_id, OfferingRow.source_url).where(
                    OfferingRow.channel == "crawl"
                )
            ).all()
        )
    assert rows["KU-NZBR-08"] == site.url(f"{COURSES}net-zero-building-retrofit/")

    # A re-crawl of the unchanged site: conditional requests, 304s, nothing new.
    before, requests_before = versions(local_services), len(site.log)
    again = crawl(runner, kelvinside.id, [site.url("/")])
    assert (again["status"], again["outcome"]) == ("finished", "unchanged")
    assert again["submission_id"] is None and versions(local_services) == before
    pages = [
        e
        for e in site.log[requests_before:]
        if e.path.startswith(COURSES) and site.route(e.path).status == 200
    ]
    assert len(pages) == 8 and all("if-none-match" in e.headers for e in pages)
    assert again["not_modified"] >= len(pages)

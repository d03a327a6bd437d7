"""What search engines read from the pages: schema.org Course JSON-LD on every offering page
(expanded by a real JSON-LD processor, pyld), canonical links and meta descriptions,
robots.txt, the sitemaps, and HEAD."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from pyld import jsonld

from catalogue.quality import QualityReporter
from catalogue.schema_org import REQUIREMENTS
from microcred.sample import load_sample_data
from microcred.web import create_web_app

# The few term definitions of schema.org's published context
# (https://schema.org/docs/jsonldcontext.jsonld) that change how our markup expands, as that
# context declares them. The context itself cannot be fetched here (no network in tests), so
# pyld's document loader is handed this copy for https://schema.org; this is the one thing
# in these tests that stands in for a real component.
CONTEXT = Path(__file__).parent.parent / "fixtures" / "schema_org_context" / "context.jsonld"
SCHEMA = "http://schema.org/"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _local_schema_org(url: str, options=None) -> dict:
    assert url.rstrip("/") in ("https://schema.org", "http://schema.org"), url
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads(CONTEXT.read_text(encoding="utf-8")),
    }


class _Blocks(HTMLParser):
    """The JSON-LD data blocks of a page, as an HTML parser (and so a browser) reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self.scripts = 0
        self._in_block = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts += 1
            self._in_block = dict(attrs).get("type") == "application/ld+json"
            if self._in_block:
                self.blocks.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_block = False

    def handle_data(self, data):
        if self._in_block:
            self.blocks[-1] += data


def blocks(html: str) -> tuple[list[dict], int]:
    parser = _Blocks()
    parser.feed(html)
    return [json.loads(b) for b in parser.blocks], parser.scripts


def values(node: dict, name: str) -> list:
    return node.get(SCHEMA + name, [])


@pytest.fixture
def sample(services):
    load_sample_data(services)
    return services, TestClient(create_web_app(services, background=False))


def test_every_offering_page_has_course_markup_with_the_required_fields(sample):
    services, client = sample
    ids = [i for i, _ in services.catalogue.active_offering_stamps(offset=0, limit=100_000)]
    assert len(ids) > 400
    with_markup = 0
    for offering_id in ids:
        page = client.get(f"/offerings/{offering_id}")
        assert page.status_code == 200
        found, _scripts = blocks(page.text)
        if not found:
            continue
        assert len(found) == 1
        with_markup += 1
        expanded = jsonld.expand(found[0], {"documentLoader": _local_schema_org})
        assert len(expanded) == 1, offering_id
        course = expanded[0]
        assert course["@type"] == [SCHEMA + "Course"]
        assert course["@id"] == f"http://testserver/offerings/{offering_id}#course"
        for name in ("name", "description"):
            assert values(course, name) and values(course, name)[0]["@value"].strip()
        provider = values(course, "provider")[0]
        assert values(provider, "name")[0]["@value"]
        offers = values(course, "offers")
        assert offers
        for offer in offers:
            category = values(offer, "category")[0]["@value"]
            assert category in ("Free", "Paid")
            if category == "Paid":
                assert values(offer, "price") and values(offer, "priceCurrency")
        instances = values(course, "hasCourseInstance")
        assert instances
        for instance in instances:
            assert instance["@type"] == [SCHEMA + "CourseInstance"]
            assert values(instance, "courseMode")
            assert values(instance, "courseSchedule") or values(instance, "courseWorkload")
        assert values(course, "url")[0]["@id"] == f"http://testserver/offerings/{offering_id}"
    # Most sample offerings carry everything; the rest are counted by the quality report.
    assert with_markup > len(ids) / 2
    reports = QualityReporter(services.catalogue).report()
    assert sum(r.course_markup_omitted for r in reports) == len(ids) - with_markup
    assert {name for r in reports for name in r.course_markup_missing} <= set(REQUIREMENTS)


def test_markup_carries_subjects_outcomes_credits_level_and_runs(sample):
    services, client = sample
    found = []
    for offering_id, _ in services.catalogue.active_offering_stamps(offset=0, limit=100_000):
        offering = services.catalogue.get_offering(offering_id)
        if (
            offering.learning_outcomes
            and offering.subject
            and offering.subject.isced
            and offering.credits
            and offering.level
            and offering.instances
        ):
            found = blocks(client.get(f"/offerings/{offering_id}").text)[0]
            if found:
                break
    assert found, "no sample offering with outcomes, subject, credits, level and runs"
    course = jsonld.expand(found[0], {"documentLoader": _local_schema_org})[0]
    assert [t["@value"] for t in values(course, "teaches")] == offering.learning_outcomes
    subjects = values(course, "about")
    assert [values(s, "termCode")[0]["@value"] for s in subjects] == offering.subject.isced
    assert subjects[0]["@id"] == "http://data.europa.eu/snb/isced-f/" + offering.subject.isced[0]
    assert (
        values(values(course, "numberOfCredits")[0], "value")[0]["@value"] == offering.credits.value
    )
    assert values(course, "educationalLevel")
    assert [lang["@value"] for lang in values(course, "inLanguage")] == offering.languages
    runs = values(course, "hasCourseInstance")
    assert len(runs) == len(offering.instances)
    starts = sorted(values(r, "startDate")[0]["@value"] for r in runs if values(r, "startDate"))
    assert starts == sorted(i.start_date.isoformat() for i in offering.instances if i.start_date)


def test_a_title_with_a_closing_script_tag_stays_inside_the_block(services, provider):
    title = "Evil </script><script>alert(1)</script> <!-- & </SCRIPT > course"
    feed = (
        "id,title,description,mode,price,duration\n"
        f'X1,"{title}",Ends <!-- </SCRIPT > here too,Online,NZ$100,10 hours\n'
    )
    services.import_feed(provider.id, feed.encode(), format="csv")
    client = TestClient(create_web_app(services, background=False))
    offering_id = client.get("/v1/search").json()["hits"][0]["id"]
    stored = services.catalogue.get_offering(offering_id)
    # The normaliser takes HTML elements out of titles, but a closing tag with a space in
    # it is text to it, and ends a script element in a browser.
    assert "</SCRIPT >" in stored.title and "</SCRIPT >" in stored.description
    page = client.get(f"/offerings/{offering_id}")
    found, scripts = blocks(page.text)
    assert len(found) == 1
    assert found[0]["name"] == stored.title
    assert found[0]["description"] == stored.description
    # Only our own script element and the data block: nothing of the title became markup.
    assert scripts == 2
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page.text, re.S)
    assert "<" not in block.group(1) and ">" not in block.group(1)
    assert page.headers["content-security-policy"].startswith(
        "default-src 'self'; script-src 'self';"
    )


def test_no_markup_for_an_offering_lacking_required_fields_and_the_report_says_why(
    services, provider
):
    feed = "id,title\nBARE1,A course with nothing else\n"
    services.import_feed(provider.id, feed.encode(), format="csv")
    client = TestClient(create_web_app(services, background=False))
    offering_id = client.get("/v1/search").json()["hits"][0]["id"]
    page = client.get(f"/offerings/{offering_id}").text
    assert blocks(page)[0] == []
    assert f'<link rel="canonical" href="/offerings/{offering_id}">' in page
    [report] = QualityReporter(services.catalogue).report(provider.id)
    assert report.course_markup_omitted == 1
    assert set(report.course_markup_missing) == {
        "description",
        "offers",
        "hasCourseInstance.courseMode",
        "hasCourseInstance.courseSchedule_or_courseWorkload",
    }
    body = client.get(f"/offerings/{offering_id}")
    assert body.status_code == 200


def test_pages_have_canonical_links_and_their_own_meta_descriptions(sample):
    services, client = sample
    first, second = [i for i, _ in services.catalogue.active_offering_stamps(offset=0, limit=2)]
    descriptions = set()
    for offering_id in (first, second):
        page = client.get(f"/offerings/{offering_id}", params={"from": "q=data"}).text
        # The canonical link drops the state that only says where the visitor came from.
        assert f'<link rel="canonical" href="/offerings/{offering_id}">' in page
        description = re.search(r'<meta name="description" content="([^"]*)">', page).group(1)
        assert services.catalogue.get_offering(offering_id).title in description
        assert len(description) <= 160
        descriptions.add(description)
    assert len(descriptions) == 2
    search = client.get("/", params={"q": "data", "compare": first}).text
    assert '<link rel="canonical" href="/?q=data">' in search
    assert "matching “data”" in search


def test_sitemap_lists_every_active_offering_and_no_withdrawn_one(sample):
    services, client = sample
    active = {i for i, _ in services.catalogue.active_offering_stamps(offset=0, limit=100_000)}
    withdrawn = sorted(active)[0]
    offering = services.catalogue.get_offering(withdrawn)
    services.ingest.withdraw_offering(offering.provider.id, withdrawn)
    active.discard(withdrawn)
    client.app.state.sitemap_max_urls = 100  # the protocol's 50,000, scaled down
    index = client.get("/sitemap.xml")
    assert index.status_code == 200 and index.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(index.content)
    assert root.tag == f"{{{SITEMAP_NS['s']}}}sitemapindex"
    files = [loc.text for loc in root.findall("s:sitemap/s:loc", SITEMAP_NS)]
    assert len(files) == -(-len(active) // 100)
    index_stamps = [m.text for m in root.findall("s:sitemap/s:lastmod", SITEMAP_NS)]
    assert len(index_stamps) == len(files) and all(stamp.endswith("Z") for stamp in index_stamps)
    listed = []
    for url, index_stamp in zip(files, index_stamps, strict=True):
        page = ElementTree.fromstring(client.get(url.removeprefix("http://testserver")).content)
        urls = page.findall("s:url", SITEMAP_NS)
        assert 0 < len(urls) <= 100
        assert all(u.find("s:lastmod", SITEMAP_NS) is not None for u in urls)
        # The index's lastmod of a page is the newest change among the page's own offerings.
        assert index_stamp == max(u.find("s:lastmod", SITEMAP_NS).text for u in urls)
        listed += [u.find("s:loc", SITEMAP_NS).text for u in urls]
    assert len(listed) == len(set(listed))
    assert {u.removeprefix("http://testserver/offerings/") for u in listed} == active
    assert withdrawn not in {u.rsplit("/", 1)[1] for u in listed}
    assert client.get(f"/sitemaps/offerings-{len(files) + 1}.xml").status_code == 404
    assert client.get("/sitemaps/offerings-0.xml").status_code == 422


def test_robots_txt_points_at_the_sitemap_and_keeps_out_of_the_key_areas(sample):
    _services, client = sample
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots.headers["content-type"].startswith("text/plain")
    lines = robots.text.splitlines()
    assert "User-agent: *" in lines
    assert {"Disallow: /provider", "Disallow: /agency"} <= set(lines)
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_public_url_setting_is_used_for_canonical_links(services, provider):
    services.settings.public_url = "https://courses.example.org"
    services.import_feed(provider.id, b"id,title\nA1,Anything\n", format="csv")
    client = TestClient(create_web_app(services, background=False))
    offering_id = client.get("/v1/search").json()["hits"][0]["id"]
    page = client.get(f"/offerings/{offering_id}").text
    assert (
        f'<link rel="canonical" href="https://courses.example.org/offerings/{offering_id}">' in page
    )
    assert "Sitemap: https://courses.example.org/sitemap.xml" in client.get("/robots.txt").text


def test_head_answers_every_page_route_without_a_body(sample):
    services, client = sample
    offering_id = next(iter(services.catalogue.active_offering_stamps(offset=0, limit=1)))[0]
    paths = [
        "/",
        "/?q=data",
        f"/offerings/{offering_id}",
        f"/compare?id={offering_id}",
        "/provider",
        "/agency",
        "/robots.txt",
        "/sitemap.xml",
        "/sitemaps/offerings-1.xml",
    ]
    page_paths = {
        route.path
        for route in client.app.routes
        if getattr(route, "include_in_schema", True) is False
        and "GET" in getattr(route, "methods", ())
    }
    assert all(
        "HEAD" in route.methods
        for route in client.app.routes
        if getattr(route, "path", None) in page_paths and "GET" in route.methods
    )
    for path in paths:
        head, get = client.head(path), client.get(path)
        assert head.status_code == 200 == get.status_code, path
        assert head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"], path
    assert client.head("/offerings/nope").status_code == 404

"""Crawls lose nothing silently: a programme (schema.org EducationalOccupationalProgram) and
the courses it `hasCourse` become offerings; every node and page seen and not read is
counted in the crawl report with its reason; `<html lang>` fills a missing language;
site-relative links resolve against the page."""

from __future__ import annotations

from pathlib import Path

from catalogue.crawls import SKIPPED_STAT_PREFIX as CATALOGUE_SKIPPED_PREFIX
from crawlers.pipelines import SKIPPED_STAT_PREFIX
from crawlers.structured import extract_structured
from normaliser.issues import IssueCode
from normaliser.normalise import NormaliseContext, normalise_record
from tests.crawlers.conftest import crawl
from tests.crawlers.site_server import ORIGIN, Route, SiteServer

SITE = Path(__file__).resolve().parents[1] / "fixtures" / "crawl_sites" / "programme"
PAGE_URL = "https://www.kelvinside.example.ac.uk/study/msc-applied-data-science/"


def programme_page(origin: str = "https://www.kelvinside.example.ac.uk") -> bytes:
    return (SITE / "programme.html").read_bytes().replace(ORIGIN.encode(), origin.encode())


def test_a_programme_and_its_courses_become_records():
    page = extract_structured(programme_page(), PAGE_URL)
    by_id = {r.record_id: r for r in page.records}
    assert sorted(by_id) == ["ADS501", "ADS502", "PGT-ADS-1"]
    programme = by_id["PGT-ADS-1"]
    assert programme.fields["title"] == "MSc Applied Data Science"
    assert programme.fields["duration"] == "P1Y"
    assert programme.fields["mode"] == "online"
    assert programme.fields["credits"] == "180 SCQF credits"
    assert programme.fields["price"] == "9900 GBP"
    assert programme.fields["prerequisites"] == "An honours degree (2:1) in a numerate subject"
    assert programme.instances == [{"start_date": "2027-09-20"}]
    for code in ("ADS501", "ADS502"):
        assert by_id[code].fields["stackable_into"] == "MSc Applied Data Science"


def test_site_relative_links_resolve_against_the_page():
    page = extract_structured(programme_page(), PAGE_URL)
    urls = {r.record_id: r.fields["url"] for r in page.records}
    assert urls == {
        "PGT-ADS-1": PAGE_URL,
        "ADS501": "https://www.kelvinside.example.ac.uk/study/courses/ads501/",
        "ADS502": "https://www.kelvinside.example.ac.uk/study/courses/ads502/",
    }


def test_html_lang_fills_a_missing_language_and_says_so():
    page = extract_structured(programme_page(), PAGE_URL)
    for record in page.records:
        assert record.fields["language"] == "en-GB"
        assert any(i.field == "language" and i.code == IssueCode.DEFAULTED for i in record.issues)
    marked = programme_page().replace(
        b'"name": "Statistical Learning"', b'"name": "Statistical Learning", "inLanguage": "gd"'
    )
    by_id = {r.record_id: r for r in extract_structured(marked, PAGE_URL).records}
    assert by_id["ADS501"].fields["language"] == "gd"  # the markup's own wins


def test_every_skipped_node_is_counted_with_its_reason():
    page = extract_structured(programme_page(), PAGE_URL)
    assert page.skipped == {
        "node: Event (not a course or programme)": 1,
        "node: WebPage (not a course or programme)": 1,
        "node: BreadcrumbList (not a course or programme)": 1,
    }


def test_a_real_universitys_about_page_is_counted_not_guessed():
    """The University of Jena's programme pages mark themselves up as an AboutPage (see the
    fixture's comment): no offering is made up from it, and the report says what it was."""
    page = extract_structured(
        (SITE / "about-page.html").read_bytes(),
        "https://www.uni-jena.example/en/bsc-applied-computer-science",
    )
    assert page.records == []
    assert page.skipped == {"node: AboutPage (not a course or programme)": 1}
    assert page.listed_links == [
        "https://www.uni-jena.example/en/studies",
        "https://www.uni-jena.example/en",
    ]


def test_the_programme_normalises_with_its_values():
    page = extract_structured(programme_page(), PAGE_URL)
    programme = next(r for r in page.records if r.record_id == "PGT-ADS-1")
    context = NormaliseContext(
        provider_id="kelvinside",
        default_currency="GBP",
        level_framework="SCQF",
        credit_system="SCQF",
    )
    offering, issues = normalise_record(programme.fields, context, programme.instances)
    assert offering is not None, issues
    document = offering.model_dump(mode="json")
    assert document["duration"]["weeks"] == 52
    assert document["credits"]["value"] == 180 and document["credits"]["system"] == "SCQF"
    assert document["price"]["amount"] == 9900 and document["price"]["currency"] == "GBP"
    assert document["mode"] == "online"
    assert document["level"]["framework"] == "SCQF" and document["level"]["value"] == "11"
    assert document["languages"] == ["en"]


def test_the_two_prefixes_agree():
    assert SKIPPED_STAT_PREFIX == CATALOGUE_SKIPPED_PREFIX


def test_a_crawl_reports_every_page_and_node_it_skipped(local_services, kelvinside, runner, crawls):
    with SiteServer(
        {
            "/robots.txt": Route("User-agent: *\nDisallow: /staff/\n", content_type="text/plain"),
            "/staff/": Route("<html><body>staff only</body></html>"),
            "/": Route((SITE / "events.html").read_bytes()),
            "/study/msc-applied-data-science/": Route((SITE / "programme.html").read_bytes()),
            "/study/courses/ads501/": Route("<html><body>no markup</body></html>"),
            "/study/courses/ads502/": Route(b"%PDF-1.4 not html", content_type="application/pdf"),
            "/en/bsc-applied-computer-science": Route((SITE / "about-page.html").read_bytes()),
        }
    ) as site:
        result = crawl(runner, kelvinside.id, [site.url("/")])
        assert result["status"] == "finished", result
        offerings = sorted(
            d["provider_offering_id"]
            for d in local_services.catalogue.iter_active_offering_documents()
            if d["provider"]["id"] == kelvinside.id
        )
        assert offerings == ["ADS501", "ADS502", "PGT-ADS-1"]
        run = crawls.crawl_runs(kelvinside.id)[0]
    reasons = run["skipped_reasons"]
    assert reasons["node: Event (not a course or programme)"] == 2  # home page and programme
    assert reasons["node: WebPage (not a course or programme)"] == 1
    assert reasons["page: no schema.org course or programme"] == 2  # home and ads501
    assert reasons["page: not an HTML page"] == 1
    assert reasons["node: AboutPage (not a course or programme)"] == 1
    assert reasons["page: links (an ItemList or breadcrumbs), no course or programme"] == 1
    # The breadcrumbs' /study/, /en and /en/studies are not on the site.
    assert reasons["page: HTTP 404"] == 3
    assert reasons["link: forbidden by robots.txt"] == 1
    assert run["skipped"] == sum(reasons.values())

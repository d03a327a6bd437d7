"""Declarative site configs: validated when loaded (a typo is named, not found on the first
crawl), read offline from a fixture page, and crawled end to end with the example config
in crawlers/sites/, which needed no Python."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from parsel import Selector

from crawlers.declarative import extract_with_config
from crawlers.site_config import SiteConfigError, load_site_config, parse_site_config
from normaliser.schema import Provider
from tests.crawlers.site_server import SiteServer

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "crawlers" / "sites" / "harbourview-polytechnic.toml"
SITE = REPO / "tests" / "fixtures" / "crawl_sites" / "harbourview"


@pytest.mark.parametrize(
    "path", sorted((REPO / "crawlers" / "sites").glob("*.toml")), ids=lambda p: p.name
)
def test_every_bundled_site_config_is_valid(path):
    assert load_site_config(path).fields["title"]


@pytest.mark.parametrize(
    "change, named",
    [
        ({"fields": {"title": {"css": "h1::text"}, "fee": {"css": ".fee"}}}, "fee"),
        ({"fields": {"title": {"css": "h1[[["}}}, "css 'h1[[['"),
        ({"fields": {"title": {"xpath": "//h1["}}}, "not valid XPath"),
        ({"fields": {"title": {"css": "h1", "xpath": "//h1"}}}, "exactly one of"),
        ({"fields": {"id": {"css": ".code::text"}}}, "`title` is required"),
        ({"course_pages": ["(unclosed"]}, "not a valid regular expression"),
        ({"instances": {"css": "tr", "fields": {"colour": {"css": "td"}}}}, "not run fields"),
        # A URL without a host used to pass, and the crawl then failed on sorting its hosts.
        ({"start_urls": ["/study/"]}, "start_urls: '/study/' is not an absolute http(s) URL"),
        ({"sitemap_urls": ["ftp://h/sitemap.xml"]}, "sitemap_urls: 'ftp://h/sitemap.xml'"),
    ],
)
def test_a_broken_site_config_is_refused_naming_what_is_wrong(change, named):
    config = {"course_pages": ["/courses/"], "fields": {"title": {"css": "h1::text"}}} | change
    with pytest.raises(SiteConfigError) as refused:
        parse_site_config(config)
    assert named in str(refused.value)


def test_a_page_is_read_by_the_rules_offline():
    config = load_site_config(EXAMPLE)
    url = "http://127.0.0.1:1/study/courses/welding-inspection.html"
    html = (SITE / "study" / "courses" / "welding-inspection.html").read_text()
    assert config.is_course_page(url) and not config.is_course_page("http://h/study/")
    [record] = extract_with_config(Selector(text=html), url, config).records
    assert record.fields["id"] == "HV-WLD-4"
    assert record.fields["level"] == "NZQF Level 4" and record.fields["price"] == "NZ$1,150.00"
    assert record.fields["learning_outcomes"] == ["Work safely", "Apply the standard"]
    assert record.fields["subject"] == "Engineering" and record.fields["url"] == url
    assert "<p>Practical and assessed.</p>" in record.fields["description"]
    assert record.instances == [
        {"start_date": "3 March 2027", "mode": "On campus", "location": "Nelson"},
        {"start_date": "14 July 2027", "mode": "Online", "location": "Online"},
    ]


def test_a_site_without_markup_is_crawled_by_its_config(local_services, runner):
    provider = Provider(
        id="harbourview", name="Harbourview Polytechnic", country="NZ", default_currency="NZD"
    )
    local_services.catalogue.upsert_provider(
        provider, default_language="en", level_framework="NZQF", credit_system="NZ_CREDITS"
    )
    site_config = tomllib.loads(EXAMPLE.read_text())
    with SiteServer(directory=SITE) as site:
        site_config["start_urls"] = [site.url("/study/")]
        arguments = runner.arguments(provider.id, [], site=site_config)
        outcome = runner.crawl(
            arguments.model_copy(
                update={
                    "limits": arguments.limits.model_copy(update={"autothrottle_start_delay": 0.01})
                }
            )
        )
        local_services.worker.run_pending()
        assert site.requested("/login") == [] and site.requested("/prospectus") == []
    run = outcome.result
    assert (run["status"], run["mode"], run["items"]) == ("finished", "snapshot", 3)
    documents = {
        d["provider_offering_id"]: d
        for d in local_services.catalogue.iter_active_offering_documents()
    }
    welding = documents["HV-WLD-4"]
    assert welding["level"]["eqf"] == 4 and welding["credits"]["value"] == 15.0
    assert welding["price"]["amount"] == 1150.0 and welding["price"]["currency"] == "NZD"
    assert [i["mode"] for i in welding["instances"]] == ["in_person", "online"]
    assert welding["instances"][0]["start_date"] == "2027-03-03"
    assert documents["HV-TRM-3"]["price"]["is_free"] is True

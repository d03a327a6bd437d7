"""Duplicate offerings: the evidence rules (near misses included), and detection over a
real catalogue: linked, shown once in search, both sources kept, released again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from catalogue.duplicate_rules import (
    MatchRecord,
    compare,
    course_codes,
    institution_matches,
    normalise_url,
)
from catalogue.models import OfferingDuplicateRow
from catalogue.search.query import SearchQuery
from catalogue.stats.query import StatsQuery
from catalogue.stats.sql import CatalogueStats
from tests.agency_data import load_duplicate_pair, provider_feed

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def record(
    id: str,
    title: str,
    *,
    provider: str = "harvard",
    name: str = "Harvard University",
    channel: str = "push",
    source_id: int | None = 1,
    url: str | None = None,
    code: str | None = None,
    institution: str | None = None,
    eqf: int | None = None,
    ects: float | None = None,
) -> MatchRecord:
    document = {
        "title": title,
        "provider_offering_id": code or id,
        "url": url,
        "raw": {"institution": institution} if institution else {},
    }
    if eqf:
        document["level"] = {"eqf": eqf}
    if ects:
        document["credits"] = {"ects": ects}
    return MatchRecord.build(
        id=id,
        provider_id=provider,
        provider_name=name,
        channel=channel,
        source_id=source_id,
        first_seen=WHEN,
        source_url=None,
        document=document,
    )


# --- the rules ---------------------------------------------------------------------------------
def test_urls_are_compared_as_course_pages():
    assert (
        normalise_url("https://www.Example.org/courses/ds101/?utm_source=x#top")
        == normalise_url("http://example.org/courses/ds101")
        == "example.org/courses/ds101"
    )
    assert normalise_url("https://example.org/") is None  # a home page says nothing
    assert normalise_url("https://example.org/c?id=2") != normalise_url(
        "https://example.org/c?id=3"
    )


def test_course_codes_come_from_ids_and_page_names():
    assert (
        course_codes("MC-DS-101") == course_codes("https://x.nz/courses/mc-ds-101/") == {"MCDS101"}
    )
    assert course_codes("how-to-learn-online", "P-1", "2027") == frozenset()


@pytest.mark.parametrize(
    ("institution", "provider", "same"),
    [
        ("HarvardX", "Harvard University", True),
        ("MITx", "Massachusetts Institute of Technology", True),
        ("DelftX", "Delft University of Technology", True),
        ("University of Michigan", "University of Michigan", True),
        ("MichiganX", "Michigan State University", False),  # another university
        ("University", "University of Otago", False),  # nothing distinctive
        ("edX", "Harvard University", False),
        (None, "Harvard University", False),
    ],
)
def test_institutions_match_providers_only_by_name_or_acronym(institution, provider, same):
    assert institution_matches(institution, provider) is same


def test_a_platform_listing_of_an_institutions_course_is_a_duplicate():
    own = record("h1", "CS50: Introduction to Computer Science")
    listed = record(
        "e1",
        "CS50's Introduction to Computer Science",
        provider="edx",
        name="edX",
        institution="HarvardX",
    )
    match = compare(own, listed)
    assert match is not None and set(match.reasons) == {"title", "institution"}
    assert match.evidence["institution"] == "HarvardX"


def test_a_crawl_and_a_feed_of_one_provider_are_duplicates():
    feed = record(
        "f1",
        "Introduction to Data Science",
        provider="te-awa",
        name="Te Awa",
        url="https://teawa.example.nz/courses/mc-ds-101",
        code="MC-DS-101",
    )
    crawl = record(
        "c1",
        "Intro to Data Science",
        provider="te-awa",
        name="Te Awa",
        channel="crawl",
        source_id=2,
        url="https://www.teawa.example.nz/courses/mc-ds-101/",
        code="https://www.teawa.example.nz/courses/mc-ds-101/",
    )
    match = compare(feed, crawl)
    assert match is not None and {"url", "course_code"} <= set(match.reasons)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Different numbers in otherwise equal titles: a sequence of courses.
        (
            record("a", "Data Science I", channel="push"),
            record("b", "Data Science II", channel="crawl", source_id=2),
        ),
        (
            record("a", "Excel 2019 Essentials"),
            record("b", "Excel 2021 Essentials", channel="crawl"),
        ),
        # Different EQF levels, or credits far apart.
        (
            record("a", "Cloud Security", eqf=5),
            record("b", "Cloud Security", eqf=6, channel="crawl"),
        ),
        (
            record("a", "Cloud Security", ects=5),
            record("b", "Cloud Security", ects=10, channel="crawl"),
        ),
        # One provider, one source: a feed lists distinct offerings (campuses, intakes).
        (record("a", "First Aid"), record("b", "First Aid")),
        # Two providers, same title, no institution named: two real offerings.
        (
            record("a", "Project Management Essentials"),
            record("b", "Project Management Essentials", provider="other", name="Other College"),
        ),
        # The institution matches but the titles do not.
        (
            record("a", "Introduction to Data Science"),
            record(
                "b",
                "Data Science for Business Leaders",
                provider="edx",
                name="edX",
                institution="HarvardX",
            ),
        ),
        # The same listing page for different courses.
        (
            record("a", "Carpentry Level 2", url="https://x.nz/courses"),
            record("b", "Welding Basics", url="https://x.nz/courses", channel="crawl"),
        ),
    ],
)
def test_near_misses_are_not_linked(a, b):
    assert compare(a, b) is None
    assert compare(b, a) is None


# --- detection over the catalogue --------------------------------------------------------------
@pytest.fixture
def catalogue_with_duplicates(services):
    load_duplicate_pair(services)
    return services


def links(services) -> list:
    with services.engine.connect() as conn:
        return conn.execute(select(OfferingDuplicateRow)).all()


def test_ingest_keeps_what_a_profile_leaves_in_extra(catalogue_with_duplicates):
    services = catalogue_with_duplicates
    [hit] = services.backend.search(SearchQuery(text="Data Science for Executives")).hits
    assert services.catalogue.get_offering(hit.id).raw["institution"] == "ColumbiaX"


def test_a_duplicate_pair_is_linked_and_shown_once(catalogue_with_duplicates):
    services = catalogue_with_duplicates
    [link] = links(services)
    primary = services.catalogue.get_offering(link.primary_id)
    secondary = services.catalogue.get_offering(link.secondary_id)
    assert primary.provider.id == "harvard" and secondary.provider.id == "edx"
    assert set(link.reasons.split(",")) == {"title", "institution"}
    # Public search shows it once: the institution's own listing.
    hits = services.backend.search(SearchQuery(text="introduction computer science")).hits
    assert [h.id for h in hits] == [primary.id]
    # Both sources are kept and listed, from either id.
    sources = services.duplicates.sources_of(secondary.id)
    assert sources["shown_as"] == primary.id
    assert [(s["role"], s["provider"]["id"]) for s in sources["sources"]] == [
        ("primary", "harvard"),
        ("secondary", "edx"),
    ]
    # Agency statistics count it once too.
    assert CatalogueStats(services.catalogue).answer(StatsQuery()).total == 4
    assert services.catalogue.count_offerings() == 5


def test_a_same_title_from_another_institution_is_not_linked(catalogue_with_duplicates):
    services = catalogue_with_duplicates
    hits = services.backend.search(SearchQuery(text="introduction probability")).hits
    assert len(hits) == 2  # Harvard's STAT110 and MITx's course are different offerings


def test_withdrawing_the_primary_shows_the_secondary_again(catalogue_with_duplicates):
    services = catalogue_with_duplicates
    [link] = links(services)
    services.import_feed(
        "harvard",
        provider_feed(("STAT110", "Introduction to Probability", "https://harvard.edu/stat110")),
        format="csv",
    )
    assert links(services) == []
    hits = services.backend.search(SearchQuery(text="introduction computer science")).hits
    assert [h.id for h in hits] == [link.secondary_id]


def test_detect_all_finds_the_same_links(catalogue_with_duplicates):
    services = catalogue_with_duplicates
    before = [(link.primary_id, link.secondary_id, link.reasons) for link in links(services)]
    with services.engine.begin() as conn:
        conn.execute(OfferingDuplicateRow.__table__.delete())
    report = services.duplicates.detect_all()
    assert [
        (link.primary_id, link.secondary_id, link.reasons) for link in links(services)
    ] == before
    assert report.links == 1 and report.hidden == [before[0][1]]
    services.indexer.drain()
    assert len(services.backend.search(SearchQuery(text="introduction computer science")).hits) == 1


def test_a_crawl_and_a_feed_of_one_provider_are_linked(services, provider):
    feed = provider_feed(
        ("MC-DS-101", "Introduction to Data Science", "https://teawa.example.nz/courses/mc-ds-101"),
        ("MC-DS-102", "Data Science II", "https://teawa.example.nz/courses/mc-ds-102"),
    )
    services.import_feed(provider.id, feed, format="csv", channel="cli")
    crawl = provider_feed(
        (
            "https://teawa.example.nz/courses/mc-ds-101/",
            "Intro to Data Science",
            "https://teawa.example.nz/courses/mc-ds-101/",
        ),
        (
            "https://teawa.example.nz/courses/mc-ds-103",
            "Data Science III",
            "https://teawa.example.nz/courses/mc-ds-103",
        ),
    )
    report = services.import_feed(provider.id, crawl, format="csv", channel="crawl", mode="delta")
    assert report.created == 2
    [link] = links(services)
    assert {"url", "course_code"} <= set(link.reasons.split(","))
    # The feed is the primary; the crawled page is kept as its second source.
    assert services.catalogue.get_offering(link.primary_id).provenance.channel == "cli"
    assert services.backend.search(SearchQuery(text="data science")).total == 3

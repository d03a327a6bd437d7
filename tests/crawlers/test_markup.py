"""Reading schema.org markup from pages, offline: lenient JSON-LD, the three syntaxes,
several courses to a page, ItemList links, provenance; and the generic spider's callbacks
on fixture pages (what a page yields, which links are followed, sitemaps)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

from crawlers.arguments import CrawlArguments
from crawlers.items import CourseRecordItem, PageIssuesItem
from crawlers.lenient_json import loads_lenient
from crawlers.spiders.structured import StructuredDataSpider
from crawlers.structured import extract_structured

KELVINSIDE = Path(__file__).resolve().parents[1] / "fixtures" / "crawl_sites" / "kelvinside"
COURSES = KELVINSIDE / "study" / "short-courses"
ORIGIN = "http://127.0.0.1:8080"


def page(relative: str) -> tuple[bytes, str]:
    path = KELVINSIDE / relative
    url = f"{ORIGIN}/{relative.removesuffix('index.html')}"
    return path.read_bytes().replace(b"__ORIGIN__", ORIGIN.encode()), url


@pytest.mark.parametrize(
    "text, repairs",
    [
        ('{"a": 1}', []),
        ('<!--\n{"a": 1}\n-->', ["removed an HTML comment wrapper"]),
        ('//<![CDATA[\n{"a": 1}\n//]]>', ["removed a CDATA wrapper"]),
        (
            '{"a": 1, // a note with a "quote"\n}',
            ["removed JavaScript comments", "removed trailing commas"],
        ),
        (
            '{"a": [1, 2,], /* block */ "b": "x//y",}',
            ["removed JavaScript comments", "removed trailing commas"],
        ),
        ('{"a": "tab\there"}', ["accepted raw control characters inside strings"]),
    ],
)
def test_usual_breakage_is_repaired_and_named(text, repairs):
    result = loads_lenient(text)
    assert result.error is None and result.value["a"] is not None
    assert result.repairs == repairs


def test_other_breakage_is_refused_with_its_position():
    result = loads_lenient('{\n  "a": 1\n  "b": 2\n}')
    assert result.value is None and "line 3, column 3" in result.error


def test_google_course_info_markup_gives_the_course_and_its_runs():
    body, url = page("study/short-courses/data-science-for-public-policy/index.html")
    [record] = extract_structured(body, url).records
    assert record.fields["id"] == "KU-DSPP-11"
    assert record.fields["url"] == url  # the page read, not the canonical in the markup
    assert record.fields["credits"] == "20 SCQF credits"
    assert [run.get("mode") for run in record.instances] == ["Blended", "Online"]
    assert record.locator == "/study/short-courses/data-science-for-public-policy/ item 1"


def test_a_yoast_graph_microdata_and_rdfa_are_read():
    graph = extract_structured(*page("study/short-courses/gaelic-for-the-workplace/index.html"))
    assert [r.fields["id"] for r in graph.records] == ["KU-GAEL-05"]
    micro = extract_structured(*page("study/short-courses/net-zero-building-retrofit/index.html"))
    assert micro.records[0].fields["level"] == "SCQF Level 8"
    assert micro.records[0].locator.endswith("microdata item 1")
    rdfa = extract_structured(*page("study/short-courses/cyber-resilience-for-boards/index.html"))
    [course] = rdfa.records
    assert (course.fields["id"], course.fields["price"], course.fields["credits"]) == (
        "KU-CRB-10",
        "850 GBP",
        "10 SCQF credits",
    )


def test_several_courses_on_one_page_keep_their_own_urls():
    records = extract_structured(
        *page("study/short-courses/professional-practice/index.html")
    ).records
    assert [r.fields["id"] for r in records] == ["KU-CPD-201", "KU-CPD-202"]
    assert records[0].fields["url"].endswith("/professional-practice/#coaching")


def test_a_listing_gives_its_course_links_and_no_course():
    listing = extract_structured(*page("study/short-courses/index.html"))
    assert listing.records == [] and len(listing.listed_links) == 3
    assert f"{ORIGIN}/study/short-courses/professional-practice/" in listing.listed_links


def test_unreadable_json_ld_is_reported_naming_the_page():
    broken = extract_structured(*page("study/short-courses/history-of-the-clyde/index.html"))
    assert broken.records == [] and broken.unreadable_blocks == 1
    assert "history-of-the-clyde" in broken.issues[0].message


def test_a_course_without_any_id_on_its_own_page_takes_the_page_url():
    body = (
        b'<script type="application/ld+json">{"@context": "https://schema.org", '
        b'"@type": "Course", "name": "No code"}</script>'
    )
    [record] = extract_structured(body, "http://h/c/no-code").records
    assert record.fields["id"] == "http://h/c/no-code"
    assert [i.code.value for i in record.issues] == ["defaulted"]


@pytest.fixture
def spider() -> StructuredDataSpider:
    crawler = get_crawler(StructuredDataSpider)
    return StructuredDataSpider.from_crawler(
        crawler, arguments=CrawlArguments(provider_id="p", start_urls=[f"{ORIGIN}/"])
    )


def html_response(relative: str) -> HtmlResponse:
    body, url = page(relative)
    return HtmlResponse(url, body=body, encoding="utf-8", request=Request(url))


def test_a_course_page_yields_its_record_and_follows_its_links(spider):
    out = list(
        spider.parse_page(
            html_response("study/short-courses/data-science-for-public-policy/index.html")
        )
    )
    [item] = [o for o in out if isinstance(o, CourseRecordItem)]
    assert item.record.fields["id"] == "KU-DSPP-11" and item.page_url.endswith("policy/")
    followed = [o.url for o in out if isinstance(o, Request)]
    assert f"{ORIGIN}/study/short-courses/professional-practice/" in followed
    assert spider.crawler.stats.get_value("microcred/course_items") == 1


def test_a_listing_follows_its_item_list_first_and_its_next_page(spider):
    out = list(spider.parse_page(html_response("study/short-courses/index.html")))
    requests = [o for o in out if isinstance(o, Request)]
    listed = [r for r in requests if r.priority == 2]
    assert len(listed) == 3
    assert any(r.url == f"{ORIGIN}/study/short-courses/?page=2" for r in requests)


def test_a_broken_page_yields_its_issues(spider):
    out = list(
        spider.parse_page(html_response("study/short-courses/history-of-the-clyde/index.html"))
    )
    [issues] = [o for o in out if isinstance(o, PageIssuesItem)]
    assert "could not be read" in issues.issues[0].message


def test_robots_txt_sitemaps_and_sitemap_indexes_are_followed(spider):
    body, _ = page("robots.txt")
    robots = TextResponse(f"{ORIGIN}/robots.txt", body=body, encoding="utf-8")
    [index] = list(spider.parse_robots(robots))
    assert index.url == f"{ORIGIN}/sitemap_index.xml"
    body, _ = page("sitemap_index.xml")
    subs = list(spider.parse_sitemap(XmlResponse(index.url, body=body)))
    assert [r.url for r in subs] == [f"{ORIGIN}/course-sitemap.xml", f"{ORIGIN}/page-sitemap.xml"]
    body, _ = page("course-sitemap.xml")
    pages = list(spider.parse_sitemap(XmlResponse(subs[0].url, body=body)))
    assert f"{ORIGIN}/study/short-courses/gaelic-for-the-workplace/" in [r.url for r in pages]
    assert all(r.callback == spider.parse_page for r in pages)

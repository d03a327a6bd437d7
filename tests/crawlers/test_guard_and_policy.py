"""The pieces of a crawl that decide what may be sent and what is kept, offline: the SSRF
guard on every request and the resolver that only answers with checked addresses, the
cache policy that revalidates, the politeness settings, and the collector's duplicates."""

from __future__ import annotations

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError

from crawlers.arguments import ROBOTS_NAME, USER_AGENT, CrawlArguments, CrawlLimits
from crawlers.cache_policy import RevalidatingPolicy
from crawlers.collect import CONFLICT, DUPLICATE, LISTING_COPY, RecordCollector
from crawlers.guard import (
    ALLOW_PRIVATE_SETTING,
    PINS_SETTING,
    TRUSTED_ORIGINS_SETTING,
    AddressPins,
    PinnedResolver,
    SsrfGuardMiddleware,
)
from crawlers.items import CourseRecordItem
from crawlers.run import scrapy_settings
from normaliser.readers.base import RawRecord
from normaliser.readers.crawl_records import read_crawl_records


def guard(**settings) -> tuple[SsrfGuardMiddleware, AddressPins]:
    pins = AddressPins()
    crawler = get_crawler(settings_dict={PINS_SETTING: pins, **settings})
    return SsrfGuardMiddleware.from_crawler(crawler), pins


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8000/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://10.0.0.7/",
        "file:///etc/passwd",
    ],
)
def test_every_request_to_an_internal_address_is_refused(url):
    middleware, _ = guard()
    with pytest.raises(IgnoreRequest, match="SSRF guard"):
        middleware.process_request(Request(url))


def test_a_trusted_origin_alone_is_let_through_and_its_address_pinned():
    middleware, pins = guard(**{TRUSTED_ORIGINS_SETTING: ["http://127.0.0.1:8123"]})
    middleware.process_request(Request("http://127.0.0.1:8123/courses/"))
    with pytest.raises(IgnoreRequest):
        middleware.process_request(Request("http://127.0.0.1:8124/"))  # another port
    allowed, pins = guard(**{ALLOW_PRIVATE_SETTING: True})
    allowed.process_request(Request("http://localhost:9/x"))
    assert "127.0.0.1" in pins.addresses("localhost")


def test_the_resolver_answers_only_with_pinned_addresses():
    pins = AddressPins()
    pins.pin("courses.example.org", ["93.184.215.14", "2606:2800:21f:cb07::1"])
    resolver = PinnedResolver(reactor=None, pins=pins)
    answers = []
    resolver.getHostByName("courses.example.org").addCallback(answers.append)
    assert answers == ["93.184.215.14"]
    failures = []
    resolver.getHostByName("rebound.example.org").addErrback(failures.append)
    assert failures[0].check(DNSLookupError)


def test_a_stored_page_without_expiry_is_revalidated_not_guessed_fresh():
    policy = RevalidatingPolicy(Settings())
    request = Request("http://h/page")
    cached = HtmlResponse(
        "http://h/page",
        body=b"x",
        headers={
            "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT",
            "ETag": '"v1"',
            "Date": "Mon, 01 Jun 2026 00:00:00 GMT",
        },
    )
    assert policy.is_cached_response_fresh(cached, request) is False
    assert request.headers[b"If-None-Match"] == b'"v1"'
    fresh = HtmlResponse("http://h/page", body=b"x", headers={"Cache-Control": "max-age=3600"})
    assert policy.is_cached_response_fresh(fresh, Request("http://h/page")) is True


def test_politeness_is_in_the_settings_of_every_crawl():
    settings = scrapy_settings(CrawlArguments(provider_id="p", start_urls=["http://h/"]), sink=None)
    assert settings["ROBOTSTXT_OBEY"] is True and settings["ROBOTSTXT_USER_AGENT"] == ROBOTS_NAME
    assert settings["USER_AGENT"] == USER_AGENT and "+https://" in USER_AGENT
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 2
    assert settings["AUTOTHROTTLE_ENABLED"] is True
    limits = CrawlLimits()
    assert (
        settings["DEPTH_LIMIT"],
        settings["CLOSESPIDER_PAGECOUNT"],
        settings["CLOSESPIDER_TIMEOUT"],
    ) == (limits.max_depth, limits.max_pages, limits.max_seconds)
    assert "HTTPCACHE_ENABLED" not in settings  # no cache directory given
    cached = scrapy_settings(
        CrawlArguments(provider_id="p", start_urls=["http://h/"], cache_dir="/tmp/c"), sink=None
    )
    assert cached["HTTPCACHE_POLICY"].endswith("RevalidatingPolicy")
    with pytest.raises(ValueError):
        CrawlLimits(concurrency_per_host=10)


def item(code: str, page: str, title: str = "T", url: str | None = None) -> CourseRecordItem:
    fields = {"id": code, "title": title, "url": url or page}
    return CourseRecordItem(RawRecord(locator=page, fields=fields), page)


def test_a_course_on_several_pages_is_kept_once_preferring_its_own_page():
    collector = RecordCollector()
    assert collector.add(item("A", "http://h/list", "Short", url="http://h/a")) is None
    assert collector.add(item("A", "http://h/a")) == LISTING_COPY  # its own page wins
    assert collector.add(item("A", "http://h/a")) == DUPLICATE
    assert collector.add(item("A", "http://h/other", title="Different")) == CONFLICT
    assert [r.fields["url"] for r in collector.records] == ["http://h/a"]
    assert "different content" in collector.issues[0].message
    assert dict(collector.dropped) == {LISTING_COPY: 1, DUPLICATE: 1, CONFLICT: 1}
    read = read_crawl_records(collector.document())
    assert [r.record_id for r in read.records] == ["A"] and len(read.issues) == 1


def test_the_same_records_in_any_order_give_the_same_document():
    first, second = RecordCollector(), RecordCollector()
    for code in "ABC":
        first.add(item(code, f"http://h/{code}"))
    for code in "CAB":
        second.add(item(code, f"http://h/{code}"))
    assert first.document() == second.document()

"""The generic spider: schema.org Course markup (JSON-LD, microdata, RDFa) on any page of
the site, several courses to a page, ItemList listings and their pagination."""

from __future__ import annotations

from collections.abc import Iterable

from scrapy.http import HtmlResponse

from crawlers.items import CourseRecordItem, PageIssuesItem
from crawlers.pipelines import SKIPPED_STAT_PREFIX
from crawlers.spiders.site import SiteSpider
from crawlers.structured import extract_structured


class StructuredDataSpider(SiteSpider):
    name = "microcred-structured"

    def read_page(self, response: HtmlResponse) -> Iterable[object]:
        page = extract_structured(
            response.body, response.url, response.selector, encoding=response.encoding
        )
        stats = self.crawler.stats
        if page.repaired_blocks:
            stats.inc_value("microcred/markup_repaired", page.repaired_blocks)
        if page.unreadable_blocks:
            stats.inc_value("microcred/markup_unreadable", page.unreadable_blocks)
        for reason, count in page.skipped.items():
            stats.inc_value(f"{SKIPPED_STAT_PREFIX}{reason}", count)
        if not page.records:
            # A listing's links are followed (their pages counted in their turn); a page
            # with neither courses nor links to any is counted here, so it is never silent.
            what = (
                "page: links (an ItemList or breadcrumbs), no course or programme"
                if page.listed_links
                else "page: no schema.org course or programme"
            )
            stats.inc_value(f"{SKIPPED_STAT_PREFIX}{what}")
        if page.issues:
            yield PageIssuesItem(response.url, page.issues)
        for record in page.records:
            stats.inc_value("microcred/course_items")
            yield CourseRecordItem(record, response.url)
        # Course pages an ItemList names come first: they are what the crawl is for.
        for url in page.listed_links:
            yield response.follow(url, callback=self.parse_page, errback=self.failed, priority=2)

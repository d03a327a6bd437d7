"""The declarative spider: a provider's pages without markup, read by the rules of its
site config (crawlers.site_config); the site config also says which links to follow."""

from __future__ import annotations

import re
from collections.abc import Iterable

from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor

from crawlers.declarative import extract_with_config
from crawlers.items import CourseRecordItem, PageIssuesItem
from crawlers.spiders.site import SiteSpider


class DeclarativeSpider(SiteSpider):
    name = "microcred-declarative"

    @property
    def site(self):
        return self.arguments.site

    def build_link_extractor(self) -> LinkExtractor:
        # Course pages are always worth following, even where `follow` forgets them.
        allow = [*self.site.follow, *self.site.course_pages] if self.site.follow else ()
        return LinkExtractor(allow=allow, deny=self.site.deny, unique=True)

    def wants(self, url: str) -> bool:
        if any(re.search(pattern, url) for pattern in self.site.deny):
            return False
        return (
            self.site.is_course_page(url)
            or not self.site.follow
            or any(re.search(pattern, url) for pattern in self.site.follow)
        )

    def read_page(self, response: HtmlResponse) -> Iterable[object]:
        if not self.site.is_course_page(response.url):
            return
        page = extract_with_config(response.selector, response.url, self.site)
        if page.issues:
            yield PageIssuesItem(response.url, page.issues)
        for record in page.records:
            self.crawler.stats.inc_value("microcred/course_items")
            yield CourseRecordItem(record, response.url)

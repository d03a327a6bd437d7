"""Scrapy's duplicate filter, which also notices redirect loops.

A redirect is a new request through the scheduler, so a loop (a -> b -> a) ends when the
duplicate filter drops the request for a page already seen, silently: the page is simply
never read. For a crawl that is a page that failed, which the run must report (and which
keeps the crawl from counting as a complete picture of the site).
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.http import Request


class LoopAwareDupeFilter(RFPDupeFilter):
    crawler: Crawler  # set by from_crawler, which is how Scrapy makes it

    @classmethod
    def from_crawler(cls, crawler):
        instance = super().from_crawler(crawler)
        instance.crawler = crawler
        return instance

    def request_seen(self, request: Request) -> bool:
        seen = super().request_seen(request)
        chain = request.meta.get("redirect_urls") or []
        if seen and request.url in chain:
            spider = getattr(self.crawler, "spider", None)
            report = getattr(spider, "redirect_loop", None)
            if report is not None:
                report([*chain, request.url])
        return seen

"""What every provider spider does the same way: start from the start URLs and the
sitemaps robots.txt names, stay on the provider's hosts, follow links and pagination within
the limits, and keep account of the pages that could not be read. Subclasses only say how
a page becomes records (`read_page`)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawlers.arguments import CrawlArguments
from crawlers.pipelines import FAILED_PAGES_STAT, SKIPPED_STAT_PREFIX

_SITEMAP_PATH = re.compile(r"sitemap[^/]*\.xml(\.gz)?$|\.xml(\.gz)?$", re.IGNORECASE)
# Answers that say what the page is (gone, forbidden): the site is read all the same.
_ANSWER_STATUSES = frozenset(range(400, 500)) - {408, 429}
# Refusals by policy (robots.txt, our SSRF guard, off-site links) are not failures.
_POLICY_REFUSALS = ("Forbidden by robots.txt", "refused by the SSRF guard", "Filtered offsite")
MAX_ERROR_SAMPLES = 20
START_META = "microcred_start_url"


class SiteSpider(scrapy.Spider):
    name = "microcred-site"

    def __init__(self, arguments: CrawlArguments, **kwargs) -> None:
        super().__init__(name=f"crawl-{arguments.provider_id}", **kwargs)
        self.arguments = arguments
        self.allowed_domains = arguments.hosts()
        self.error_samples: list[dict[str, str]] = []
        self.link_extractor = self.build_link_extractor()

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.callback_failed, signal=signals.spider_error)
        return spider

    # what subclasses decide ------------------------------------------------------------

    def build_link_extractor(self) -> LinkExtractor:
        return LinkExtractor(unique=True)

    def read_page(self, response: HtmlResponse) -> Iterable[object]:
        """Items (and extra requests) for one HTML page."""
        return ()

    def wants(self, url: str) -> bool:
        """Whether a URL a sitemap lists is worth requesting."""
        return True

    # crawling ---------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        for url in self.arguments.all_start_urls():
            is_sitemap = bool(_SITEMAP_PATH.search(urlsplit(url).path))
            yield Request(
                url,
                callback=self.parse_sitemap if is_sitemap else self.parse_page,
                errback=self.failed,
                priority=10,
                meta={START_META: True},
            )
        if self.arguments.limits.use_sitemaps:
            origins = dict.fromkeys(
                f"{p.scheme}://{p.netloc}" for p in map(urlsplit, self.arguments.all_start_urls())
            )
            for origin in origins:
                yield Request(
                    f"{origin}/robots.txt",
                    callback=self.parse_robots,
                    errback=self.ignored,
                    priority=20,
                )

    def parse_robots(self, response: Response) -> Iterable[Request]:
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            yield Request(url, callback=self.parse_sitemap, errback=self.failed, priority=5)

    def parse_sitemap(self, response: Response) -> Iterable[Request]:
        body = response.body
        if gzip_magic_number(response):
            body = gunzip(body, max_size=self.arguments.limits.max_page_bytes)
        sitemap = Sitemap(body)
        for entry in sitemap:
            url = entry.get("loc")
            if not url:
                continue
            if sitemap.type == "sitemapindex":
                yield Request(url, callback=self.parse_sitemap, errback=self.failed, priority=5)
            elif self.wants(url):
                yield Request(url, callback=self.parse_page, errback=self.failed)

    def parse_page(self, response: Response) -> Iterable[object]:
        if not isinstance(response, HtmlResponse):
            if isinstance(response, TextResponse) and b"<urlset" in response.body[:2000]:
                yield from self.parse_sitemap(response)  # a sitemap linked from a page
            else:
                self.crawler.stats.inc_value(f"{SKIPPED_STAT_PREFIX}page: not an HTML page")
            return
        yield from self.read_page(response)
        if not self.arguments.limits.follow_links:
            return
        for link in self.link_extractor.extract_links(response):
            yield response.follow(link.url, callback=self.parse_page, errback=self.failed)
        # <link rel="next"> in the head: the pagination of listings, which some sites
        # give only there.
        for href in response.xpath("//link[@rel='next']/@href").getall():
            yield response.follow(href, callback=self.parse_page, errback=self.failed, priority=1)

    # failures ---------------------------------------------------------------------------

    def ignored(self, failure) -> None:
        """A robots.txt that is missing or unreadable: no sitemaps from it, no failure."""

    def callback_failed(self, failure, response, spider) -> None:
        """Reading a page raised: the page counts as not read, like one that failed to
        download (the traceback is in the crawl's log)."""
        self._count_failure(
            response.url,
            f"reading the page failed: {type(failure.value).__name__}: {failure.value}",
        )

    def failed(self, failure) -> None:
        request = failure.request
        error = failure.value
        if isinstance(error, HttpError):
            status = error.response.status
            self.crawler.stats.inc_value(f"microcred/http_status/{status}")
            if status in _ANSWER_STATUSES:
                # An answer (the page is gone, or not ours to read), not a failure; still a
                # page the crawl did not read, so the report counts it.
                self.crawler.stats.inc_value(f"{SKIPPED_STAT_PREFIX}page: HTTP {status}")
                return
            reason = f"HTTP {status}"
        else:
            reason = f"{type(error).__name__}: {error}".strip().rstrip(":")
            # A link we may not follow is policy; a start URL we may not crawl means the
            # crawl cannot do what it was registered for, and the run must say why.
            refused = next((r for r in _POLICY_REFUSALS if r in str(error)), None)
            if refused and not request.meta.get(START_META):
                self.crawler.stats.inc_value(f"{SKIPPED_STAT_PREFIX}link: {refused.lower()}")
                return
        self._count_failure(request.url, reason)

    def redirect_loop(self, chain: list[str]) -> None:
        """Called by the duplicate filter when a redirect leads back into its own chain."""
        self._count_failure(chain[0], "redirect loop: " + " -> ".join(chain))

    def _count_failure(self, url: str, reason: str) -> None:
        self.crawler.stats.inc_value(FAILED_PAGES_STAT)
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append({"url": url, "error": reason[:500]})

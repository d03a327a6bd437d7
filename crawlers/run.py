"""Run one crawl in this process and say what it did.

Twisted's reactor runs once per process, so a process runs exactly one crawl: the
composition root starts a child process for each (microcred.crawl_child). Everything a
crawl is allowed to do is in its Scrapy settings, built here from the CrawlArguments.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field

from scrapy.crawler import CrawlerProcess

from crawlers.arguments import ROBOTS_NAME, CrawlArguments
from crawlers.guard import (
    ALLOW_PRIVATE_SETTING,
    PINS_SETTING,
    REFUSED_STAT,
    TRUSTED_ORIGINS_SETTING,
    AddressPins,
)
from crawlers.pipelines import FAILED_PAGES_STAT, RESULT_ATTRIBUTE, SINK_SETTING
from crawlers.sink import IngestSink, SinkResult
from crawlers.spiders import spider_for
from crawlers.spiders.site import SiteSpider

# Stats worth keeping with a run (the rest of Scrapy's are in its log).
KEPT_STATS = (
    "downloader/request_count",
    "downloader/response_count",
    "downloader/response_status_count/",
    "httpcache/",
    "robotstxt/",
    "retry/",
    "microcred/",
    "item_scraped_count",
    "item_dropped_count",
    "response_received_count",
    "request_depth_max",
    "log_count/ERROR",
    "offsite/",
    "elapsed_time_seconds",
    "finish_reason",
)


def scrapy_settings(
    arguments: CrawlArguments, *, sink: IngestSink | None, log_level: str = "INFO"
) -> dict:
    limits = arguments.limits
    settings = {
        "BOT_NAME": "microcred",
        "USER_AGENT": arguments.user_agent,
        # Politeness: robots.txt always; groups for our crawler's name apply to us.
        "ROBOTSTXT_OBEY": True,
        "ROBOTSTXT_USER_AGENT": ROBOTS_NAME,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": limits.concurrency_per_host,
        "DOWNLOAD_DELAY": limits.download_delay,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": limits.autothrottle_start_delay,
        "AUTOTHROTTLE_MAX_DELAY": limits.autothrottle_max_delay,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(limits.concurrency_per_host),
        # Bounds.
        "DEPTH_LIMIT": limits.max_depth,
        "CLOSESPIDER_PAGECOUNT": limits.max_pages,
        "CLOSESPIDER_TIMEOUT": limits.max_seconds,
        "DOWNLOAD_TIMEOUT": limits.download_timeout,
        "DOWNLOAD_MAXSIZE": limits.max_page_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "REDIRECT_MAX_TIMES": 10,
        "DUPEFILTER_CLASS": "crawlers.dupefilter.LoopAwareDupeFilter",
        "RETRY_TIMES": 2,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": log_level,
        # The SSRF guard on every request, and connections only to the addresses it checked.
        "DOWNLOADER_MIDDLEWARES": {"crawlers.guard.SsrfGuardMiddleware": 60},
        "TWISTED_DNS_RESOLVER": "crawlers.guard.PinnedResolver",
        PINS_SETTING: AddressPins(),
        ALLOW_PRIVATE_SETTING: arguments.allow_private,
        TRUSTED_ORIGINS_SETTING: list(arguments.trusted_origins),
        "ITEM_PIPELINES": {"crawlers.pipelines.IngestPipeline": 100},
        SINK_SETTING: sink,
    }
    if arguments.cache_dir:
        settings.update(
            {
                "HTTPCACHE_ENABLED": True,
                "HTTPCACHE_DIR": arguments.cache_dir,
                "HTTPCACHE_POLICY": "crawlers.cache_policy.RevalidatingPolicy",
                "HTTPCACHE_STORAGE": "scrapy.extensions.httpcache.FilesystemCacheStorage",
                "HTTPCACHE_GZIP": True,
            }
        )
    return settings


@dataclass
class CrawlResult:
    """What one crawl did, as stored in crawl_runs (catalogue.crawls.CrawlRunFinish)."""

    status: str  # finished | partial | failed
    finish_reason: str | None
    mode: str | None
    outcome: str | None
    submission_id: int | None
    pages: int
    items: int
    dropped: int
    dropped_reasons: dict[str, int]
    errors: int
    error_samples: list[dict[str, str]]
    not_modified: int
    duration_seconds: float | None
    stats: dict = field(default_factory=dict)
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def run_crawl(
    arguments: CrawlArguments,
    sink: IngestSink | None,
    *,
    spider_class: type[SiteSpider] | None = None,
    log_level: str = "INFO",
) -> CrawlResult:
    """Crawl, blocking until done. Call once per process."""
    process = CrawlerProcess(scrapy_settings(arguments, sink=sink, log_level=log_level))
    crawler = process.create_crawler(spider_class or spider_for(arguments))
    process.crawl(crawler, arguments=arguments)
    process.start()
    return _result(crawler)


def _result(crawler) -> CrawlResult:
    raw = crawler.stats.get_stats()
    stats = {
        key: _plain(value)
        for key, value in raw.items()
        if any(key.startswith(prefix) for prefix in KEPT_STATS)
    }
    outcome: SinkResult | None
    outcome, complete, dropped = getattr(crawler, RESULT_ATTRIBUTE, (None, False, {}))
    finish_reason = raw.get("finish_reason")
    spider = crawler.spider
    error = None
    if outcome is None:
        status, error = "failed", f"the crawl ended without its pipeline closing ({finish_reason})"
    elif outcome.outcome == "failed":
        status, error = "failed", outcome.error
    elif not raw.get("response_received_count") and getattr(spider, "error_samples", None):
        first = spider.error_samples[0]
        status, error = "failed", f"no page could be read: {first['url']}: {first['error']}"
    else:
        status = "finished" if complete else "partial"
    if raw.get(REFUSED_STAT):
        logging.getLogger(__name__).info("%s requests refused by the SSRF guard", raw[REFUSED_STAT])
    return CrawlResult(
        status=status,
        finish_reason=finish_reason,
        mode=outcome.mode if outcome else None,
        outcome=outcome.outcome if outcome else None,
        submission_id=outcome.submission_id if outcome else None,
        pages=raw.get("response_received_count", 0),
        items=raw.get("microcred/course_items", 0),
        dropped=sum(dropped.values()),
        dropped_reasons=dropped,
        errors=raw.get(FAILED_PAGES_STAT, 0),
        error_samples=list(getattr(spider, "error_samples", [])),
        not_modified=raw.get("httpcache/revalidate", 0),
        duration_seconds=raw.get("elapsed_time_seconds"),
        stats=stats,
        error=error,
    )


def _plain(value):
    return value if isinstance(value, (int, float, str, bool)) or value is None else str(value)

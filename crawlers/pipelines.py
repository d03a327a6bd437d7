"""The one item pipeline: gathers a crawl's records and, when the crawl ends, hands them to
the ingest sink. No mapping happens here (the normaliser does that, in the ingest path);
dropping a second copy of a course is all it decides, and crawlers.collect says how."""

from __future__ import annotations

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawlers.collect import RecordCollector
from crawlers.items import CourseRecordItem, PageIssuesItem
from crawlers.sink import IngestSink, SinkResult

SINK_SETTING = "MICROCRED_SINK"
RESULT_ATTRIBUTE = "microcred_result"
FAILED_PAGES_STAT = "microcred/failed_pages"
# Followed by the reason: every page and markup node seen and not read as a course, counted
# (the crawl report lists them, catalogue.crawls.skipped_reasons).
SKIPPED_STAT_PREFIX = "microcred/skipped/"


def crawl_is_complete(finish_reason: str | None, failed_pages: int) -> bool:
    """A crawl is a complete picture of the site when Scrapy finished on its own (no time,
    page or error limit, no shutdown) and every page it meant to read was read (a 404 or a
    robots.txt refusal is an answer; a 5xx, a timeout or a redirect loop is not)."""
    return finish_reason == "finished" and failed_pages == 0


class IngestPipeline:
    def __init__(self, crawler: Crawler, sink: IngestSink | None) -> None:
        self.crawler = crawler
        self.sink = sink
        self.collector = RecordCollector()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IngestPipeline:
        pipeline = cls(crawler, crawler.settings.get(SINK_SETTING))
        # spider_closed carries the finish reason, which close_spider does not.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def process_item(self, item):
        if isinstance(item, PageIssuesItem):
            self.collector.add_page_issues(item)
        if isinstance(item, CourseRecordItem):
            reason = self.collector.add(item)
            if reason is not None:
                self.crawler.stats.inc_value(f"microcred/dropped/{reason}")
                raise DropItem(reason)
        return item

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats
        complete = crawl_is_complete(reason, stats.get_value(FAILED_PAGES_STAT, 0))
        records = self.collector.records
        stats.set_value("microcred/courses", len(records))
        stats.set_value("microcred/pages_with_courses", len(self.collector.pages_with_courses))
        if self.sink is None:  # a crawl only measured (benchmarks), not ingested
            result = SinkResult("empty" if not records else "unchanged")
        else:
            result = self.sink.submit(
                self.collector.document(), records=len(records), complete=complete
            )
        setattr(self.crawler, RESULT_ATTRIBUTE, (result, complete, dict(self.collector.dropped)))

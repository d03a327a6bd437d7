"""The child process of one crawl: `python -m microcred.crawl_child`, with a CrawlJob as JSON
on standard input. It runs the crawl (Twisted's reactor runs once per process, hence a
process per crawl), hands the records to the ingest service as one stored submission, and
writes the result as one JSON line on standard output. Scrapy's log goes to standard
error, which the parent keeps as the run's log.

Only storing happens here: the submission is processed by the parent's worker, so a
crawl child never holds the catalogue's write lock for long.
"""

from __future__ import annotations

import json
import sys

from catalogue.crawls import CrawlStore
from catalogue.db import create_catalogue_engine
from catalogue.ingest import IngestService
from catalogue.store import Catalogue
from crawlers.run import run_crawl
from crawlers.sink import IngestSink
from microcred.crawling import RESULT_PREFIX, CrawlJob
from normaliser.readers.registry import read_feed


def main() -> int:
    job = CrawlJob.model_validate_json(sys.stdin.read())
    engine = create_catalogue_engine(job.catalogue_url)
    try:
        catalogue = Catalogue(engine)
        ingest = IngestService(catalogue, read_feed, max_feed_bytes=job.max_feed_bytes)
        arguments = job.arguments
        start_urls = arguments.all_start_urls()
        sink = IngestSink(
            ingest,
            CrawlStore(catalogue),
            provider_id=arguments.provider_id,
            source_id=arguments.source_id,
            source_url=start_urls[0] if start_urls else None,
        )
        result = run_crawl(arguments, sink, log_level=job.log_level)
    finally:
        engine.dispose()
    sys.stdout.write(RESULT_PREFIX + json.dumps(result.as_dict(), default=str) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

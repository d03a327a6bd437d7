"""Where a crawl's records go: the ingest service, as one submission of channel `crawl`.

A crawl that finished cleanly is a snapshot of the provider's crawlable offerings: what
the site no longer shows is withdrawn. A crawl that stopped early or could not read some
of its pages (a time or page limit, a 5xx, a timeout, a redirect loop) is submitted as a
delta: what it did read is applied, since it is as fresh as any, and nothing is withdrawn,
since a course on a page we could not read is not gone. A crawl that found no course at
all submits nothing: a redesign that dropped the markup should not empty a catalogue. And
the same records in the same mode as the last crawl of the source make no submission
either, as an unchanged feed makes none.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from catalogue.crawls import CRAWL_CHANNEL, CrawlStore
from catalogue.errors import CatalogueError
from catalogue.ingest import IngestMode, IngestService

CRAWL_FORMAT = "crawl-records"

Outcome = Literal["submitted", "unchanged", "empty", "failed"]


@dataclass(frozen=True)
class SinkResult:
    outcome: Outcome
    mode: str | None = None
    submission_id: int | None = None
    size: int = 0
    error: str | None = None


class IngestSink:
    """Hands one crawl's records to the ingest service for one provider (and source)."""

    def __init__(
        self,
        ingest: IngestService,
        crawls: CrawlStore,
        *,
        provider_id: str,
        source_id: int | None,
        source_url: str | None,
    ) -> None:
        self.ingest = ingest
        self.crawls = crawls
        self.provider_id = provider_id
        self.source_id = source_id
        self.source_url = source_url

    def __deepcopy__(self, memo) -> IngestSink:
        # Scrapy deep-copies settings for each crawler; a sink is a handle, not a value.
        return self

    def submit(self, document: bytes, *, records: int, complete: bool) -> SinkResult:
        if records == 0:
            return SinkResult("empty")
        mode = IngestMode.SNAPSHOT if complete else IngestMode.DELTA
        digest = hashlib.sha256(document).hexdigest()
        if self.crawls.last_crawl_submission(self.provider_id, self.source_id) == (
            digest,
            mode.value,
        ):
            return SinkResult("unchanged", mode=mode.value, size=len(document))
        try:
            submission_id = self.ingest.store_submission(
                self.provider_id,
                document,
                format=CRAWL_FORMAT,
                mode=mode,
                channel=CRAWL_CHANNEL,
                source_url=self.source_url,
                source_id=self.source_id,
                filename="crawl-records.json",
            )
        except CatalogueError as exc:  # over the size limit, provider gone
            return SinkResult("failed", mode=mode.value, size=len(document), error=str(exc))
        return SinkResult(
            "submitted", mode=mode.value, submission_id=submission_id, size=len(document)
        )

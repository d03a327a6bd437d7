"""One pull of a registered feed URL: fetch it (conditionally), and hand new bytes to the
same ingest path as a pushed feed.

An unchanged feed makes no submission: a 304 answer to the conditional GET, or a 200 whose
bytes hash the same as the last submission from this source (many servers send no
validators at all).
"""

from __future__ import annotations

import hashlib
import logging

from catalogue.errors import CatalogueError
from catalogue.ingest import IngestService
from catalogue.sources import PULL_CHANNEL, PullSource, SourceStore
from catalogue.store import utcnow
from crawlers.fetch import FeedFetcher, FetchFailed
from crawlers.harvest import CHANGES_FORMAT, harvest_changes
from crawlers.pull_runs import PullOutcome, finish_pull
from crawlers.ssrf import UnsafeFeedUrl

log = logging.getLogger(__name__)

__all__ = ["PullOutcome", "pull_source"]


def pull_source(
    source: PullSource, *, fetcher: FeedFetcher, sources: SourceStore, ingest: IngestService
) -> PullOutcome:
    """Fetch `source` and store what is new as a submission; never raises for what the
    remote end does: the pull run records it."""
    if source.format == CHANGES_FORMAT:
        return harvest_changes(source, fetcher=fetcher, sources=sources, ingest=ingest)
    started = utcnow()
    try:
        result = fetcher.fetch(source.url, etag=source.etag, last_modified=source.last_modified)
    except UnsafeFeedUrl as exc:
        return finish_pull(sources, source, started, "refused", error=str(exc))
    except FetchFailed as exc:
        return finish_pull(
            sources,
            source,
            started,
            "failed",
            error=str(exc),
            http_status=exc.status,
            attempts=exc.attempts,
        )

    if result.status == "not_modified":
        return finish_pull(
            sources, source, started, "not_modified", http_status=304, attempts=result.attempts
        )
    sources.remember_validators(source.id, result.etag, result.last_modified)
    digest = hashlib.sha256(result.content).hexdigest()
    if digest == sources.last_pulled_sha256(source.id):
        return finish_pull(
            sources,
            source,
            started,
            "unchanged",
            http_status=200,
            attempts=result.attempts,
            size=len(result.content),
        )
    try:
        submission_id = ingest.store_submission(
            source.provider_id,
            result.content,
            format=source.format,
            mode=source.mode,
            channel=PULL_CHANNEL,
            source_url=result.final_url,
            source_id=source.id,
        )
    except CatalogueError as exc:  # over the size limit, provider gone: record it
        log.warning("pull of source %s could not be stored: %s", source.id, exc)
        return finish_pull(
            sources,
            source,
            started,
            "failed",
            http_status=200,
            attempts=result.attempts,
            size=len(result.content),
            error=str(exc),
        )
    return finish_pull(
        sources,
        source,
        started,
        "fetched",
        http_status=200,
        attempts=result.attempts,
        size=len(result.content),
        submission_id=submission_id,
    )

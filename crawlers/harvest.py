"""Harvest another microcred through its changes feed (a pull source of format
`microcred-changes` whose URL is the other instance's `/v1/changes`).

One pull follows the feed from where the last applied harvest ended, page after page
(each page through the same guarded fetcher as any feed), and stores what it gathered as
one delta submission in the format's own document shape (`{"changes": [...],
"next_cursor": ...}`), which `normaliser.readers.microcred_changes` reads like any feed.
The cursor to resume from is the `next_cursor` inside the newest *applied* submission of the
source, so it lives with the bytes it came with: a harvest that failed to apply is simply
fetched again by the next pull (applying a change twice changes nothing). A pull stops at
MAX_PAGES pages or when what it gathered nears the feed size limit; the next pull goes on.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from catalogue.errors import CatalogueError
from catalogue.ingest import IngestService
from catalogue.sources import PULL_CHANNEL, PullSource, SourceStore
from catalogue.store import utcnow
from crawlers.fetch import FeedFetcher, FetchFailed
from crawlers.pull_runs import PullOutcome, finish_pull
from crawlers.ssrf import UnsafeFeedUrl

log = logging.getLogger(__name__)

CHANGES_FORMAT = "microcred-changes"
PAGE_SIZE = 500
MAX_PAGES = 200


def changes_url(base: str, since: str, limit: int) -> str:
    """`base` with `since` and `limit` set (whatever else its query holds is kept)."""
    parts = urlsplit(base)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("since", "limit")]
    query += [("since", since), ("limit", str(limit))]
    return urlunsplit(parts._replace(query=urlencode(query)))


def harvest_changes(
    source: PullSource,
    *,
    fetcher: FeedFetcher,
    sources: SourceStore,
    ingest: IngestService,
    page_size: int = PAGE_SIZE,
    max_pages: int = MAX_PAGES,
) -> PullOutcome:
    """Like crawlers.pull.pull_source, for a changes feed; returns its PullOutcome."""
    started = utcnow()
    since = sources.harvest_cursor(source.id) or "0"
    cursor, changes, size, attempts, pages, has_more = since, [], 0, 0, 0, True
    budget = ingest.max_feed_bytes // 2
    while has_more and pages < max_pages and size < budget:
        try:
            result = fetcher.fetch(changes_url(source.url, cursor, page_size))
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
                attempts=attempts + exc.attempts,
            )
        attempts += result.attempts
        pages += 1
        try:
            page = json.loads(result.content)
            changes += list(page["changes"])
            cursor, has_more = str(page["next_cursor"]), bool(page["has_more"])
        except (ValueError, KeyError, TypeError) as exc:
            return finish_pull(
                sources,
                source,
                started,
                "failed",
                http_status=200,
                attempts=attempts,
                error=f"page {pages} of {source.url} is not "
                f"a microcred changes page ({type(exc).__name__}: {exc})",
            )
        size += len(result.content)
    if not changes:
        return finish_pull(
            sources, source, started, "unchanged", http_status=200, attempts=attempts, size=0
        )
    document = json.dumps(
        {"changes": changes, "since": since, "next_cursor": cursor, "has_more": has_more},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    try:
        submission_id = ingest.store_submission(
            source.provider_id,
            document,
            format=CHANGES_FORMAT,
            mode="delta",
            channel=PULL_CHANNEL,
            source_url=source.url,
            source_id=source.id,
        )
    except CatalogueError as exc:
        log.warning("harvest of source %s could not be stored: %s", source.id, exc)
        return finish_pull(
            sources,
            source,
            started,
            "failed",
            http_status=200,
            attempts=attempts,
            size=len(document),
            error=str(exc),
        )
    return finish_pull(
        sources,
        source,
        started,
        "fetched",
        http_status=200,
        attempts=attempts,
        size=len(document),
        submission_id=submission_id,
    )

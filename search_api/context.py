"""What the web layer needs from the rest of the system, handed in by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from catalogue.accounts import KeyStore
from catalogue.indexer import Indexer
from catalogue.ingest import IngestService
from catalogue.search.base import SearchBackend
from catalogue.sources import PullSource, SourceStore
from catalogue.store import Catalogue
from catalogue.submission_worker import SubmissionWorker


@dataclass
class PublishingContext:
    """The provider-facing side: keys, the ingest service, the background worker, sources."""

    keys: KeyStore
    ingest: IngestService
    sources: SourceStore
    worker: SubmissionWorker
    # Refuses a feed URL no pull may fetch (the SSRF guard); raises InvalidRequest.
    check_feed_url: Callable[[str], None]
    # Pulls a source now, in the background; None where no scheduler runs.
    request_pull: Callable[[PullSource], None] | None = None


@dataclass
class ApiContext:
    catalogue: Catalogue
    backend: SearchBackend
    indexer: Indexer | None
    reference_currency: str
    vocabularies: Callable[[], dict]
    publishing: PublishingContext | None = None

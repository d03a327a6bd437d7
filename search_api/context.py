"""What the web layer needs from the rest of the system, handed in by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from catalogue.accounts import KeyStore
from catalogue.crawls import CrawlSource, CrawlStore
from catalogue.duplicates import DuplicateService
from catalogue.export import Exporter
from catalogue.indexer import Indexer
from catalogue.ingest import IngestService
from catalogue.profiles import ProfileStore
from catalogue.quality import QualityReporter
from catalogue.search.base import SearchBackend
from catalogue.sources import PullSource, SourceStore
from catalogue.stats.source import StatsService
from catalogue.stats.timeseries import TimeseriesService
from catalogue.store import Catalogue
from catalogue.submission_worker import SubmissionWorker
from search_api.feed_body import BodyTimeouts
from search_api.public_limit import PublicLimit
from search_api.rate_limit import RateLimiter


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
    # How slowly a pushed feed's body may arrive before it is answered 408.
    body_timeouts: BodyTimeouts = BodyTimeouts()
    # Mapping profiles providers register (format=profile:<provider>/<name>).
    profiles: ProfileStore | None = None


@dataclass
class CrawlingContext:
    """Providers' crawl sources and crawl runs."""

    crawls: CrawlStore
    # Checks a crawl source's start URLs (the SSRF guard), limits and site config the way
    # the crawler will read them; returns them normalised, or raises InvalidRequest.
    check_crawl_settings: Callable[
        [list[str], dict, dict | None], tuple[list[str], dict, dict | None]
    ]
    # Crawls a source now, in the background; None where no scheduler runs.
    request_crawl: Callable[[CrawlSource], None] | None = None


@dataclass
class AgencyContext:
    """The agency-facing side: aggregates, history, exports, data quality, duplicates."""

    keys: KeyStore
    stats: StatsService
    timeseries: TimeseriesService
    exports: Exporter
    quality: QualityReporter
    duplicates: DuplicateService
    # Requests one agency or admin key may make per minute.
    rate_per_minute: int = 60
    # Counts them: in this process, or in a store every API process shares (the
    # composition root chooses); None: a token bucket in this process.
    limiter: RateLimiter | None = None


@dataclass
class ApiContext:
    catalogue: Catalogue
    backend: SearchBackend
    indexer: Indexer | None
    reference_currency: str
    vocabularies: Callable[[], dict]
    publishing: PublishingContext | None = None
    crawling: CrawlingContext | None = None
    agency: AgencyContext | None = None
    # The site's public address (https://courses.example.org), for canonical links, the
    # sitemap and robots.txt; None: the address each request came to.
    public_url: str | None = None
    # The rate limit per client on the public routes; None: off (the embedded default).
    public_limit: PublicLimit | None = None

"""Composes the agency side: which implementation answers statistics, and the services the
agency routes and commands use."""

from __future__ import annotations

from catalogue.coordination import WindowCounters
from catalogue.duplicates import DuplicateService
from catalogue.export import Exporter
from catalogue.quality import QualityReporter
from catalogue.search.base import SearchBackend
from catalogue.stats.source import StatsService, StatsSource
from catalogue.stats.sql import CatalogueStats
from catalogue.stats.timeseries import TimeseriesService
from microcred.services import Services
from search_api.context import AgencyContext
from search_api.public_limit import PublicLimit, parse_networks
from search_api.rate_limit import RateLimiter, SlidingWindowLimiter, TokenBucketLimiter


def index_stats(backend: SearchBackend) -> StatsSource | None:
    """The stats of the search index in use, or None for a backend that has none."""
    return backend.stats_source()


def build_stats_service(services: Services) -> StatsService:
    """With MICROCRED_STATS_SOURCE=search (the default), the search index answers: its
    values are flat and indexed, where the catalogue would read every JSON document; the
    catalogue answers what the index cannot (grouping by region). With `catalogue`, the
    catalogue answers everything: always current, slower at scale."""
    catalogue = CatalogueStats(services.catalogue)
    index = index_stats(services.backend)
    if services.settings.stats_source == "catalogue" or index is None:
        return StatsService([catalogue])
    return StatsService([index, catalogue])


def build_rate_limiter(
    services: Services,
    per_minute: int | None = None,
    *,
    prefix: str = "agency-key",
    subject: str = "this key",
) -> RateLimiter:
    """On PostgreSQL, where several API processes may serve, a rate limit is counted in the
    catalogue and shared by all of them; the embedded default (SQLite, one process) counts
    in memory, without a write per request. The agency key limit by default."""
    if per_minute is None:
        per_minute = services.settings.agency_rate_per_minute
    if services.engine.dialect.name == "postgresql":
        return SlidingWindowLimiter(
            WindowCounters(services.catalogue), per_minute, prefix=prefix, subject=subject
        )
    return TokenBucketLimiter(per_minute, subject=subject)


def build_public_limit(services: Services) -> PublicLimit | None:
    """The per-client limit of the public routes, or None when it is off (0, the default)."""
    settings = services.settings
    if not settings.public_rate_per_minute:
        return None
    return PublicLimit(
        build_rate_limiter(
            services, settings.public_rate_per_minute, prefix="public-client", subject="this client"
        ),
        trusted_proxies=parse_networks(settings.trusted_proxies),
    )


def build_agency_context(services: Services) -> AgencyContext:
    duplicates = services.duplicates or DuplicateService(
        services.catalogue, drain_index=services.indexer.drain
    )
    return AgencyContext(
        keys=services.keys,
        stats=build_stats_service(services),
        timeseries=TimeseriesService(services.catalogue),
        exports=Exporter(services.catalogue, services.settings.reference_currency),
        quality=QualityReporter(
            services.catalogue, cache_seconds=services.settings.quality_cache_seconds
        ),
        duplicates=duplicates,
        rate_per_minute=services.settings.agency_rate_per_minute,
        limiter=build_rate_limiter(services),
    )

"""The composition root: builds the catalogue, search backend, ingest and indexer from settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from catalogue.db import create_catalogue_engine, migrate
from catalogue.indexer import Indexer
from catalogue.ingest import IngestReport, IngestService
from catalogue.search.base import SearchBackend
from catalogue.search.sqlite_fts import SqliteFtsBackend
from catalogue.store import Catalogue
from microcred.settings import Settings
from normaliser.rates import RateTable
from normaliser.readers.base import ReadLimits
from normaliser.readers.registry import read_feed


@dataclass
class Services:
    settings: Settings
    engine: Engine
    catalogue: Catalogue
    backend: SearchBackend
    ingest: IngestService
    indexer: Indexer

    def import_feed(self, provider_id: str, content: bytes, **options) -> IngestReport:
        """Ingest a feed and bring the search index up to date with it."""
        report = self.ingest.submit(provider_id, content, **options)
        self.indexer.drain()
        return report

    def close(self) -> None:
        self.ingest.close()
        self.engine.dispose()


def build_search_backend(settings: Settings, engine: Engine) -> SearchBackend:
    if settings.search_backend == "sqlite":
        return SqliteFtsBackend(engine)
    raise ValueError(f"unknown search backend {settings.search_backend!r}")


def build_services(settings: Settings) -> Services:
    engine = create_catalogue_engine(settings.catalogue_url)
    migrate(engine)
    catalogue = Catalogue(engine)
    backend = build_search_backend(settings, engine)
    backend.ensure_index()
    limits = ReadLimits(max_records=settings.max_feed_records,
                        max_seconds=settings.max_parse_seconds)
    ingest = IngestService(catalogue, read_feed, ref_currency=settings.reference_currency,
                           rates=RateTable.load_default(), workers=settings.normalise_workers,
                           max_feed_bytes=settings.max_feed_bytes, limits=limits,
                           withdraw_guard_share=settings.withdraw_guard_share)
    indexer = Indexer(catalogue, backend, batch_size=settings.index_batch_size)
    indexer.ensure_current_format()
    return Services(settings, engine, catalogue, backend, ingest, indexer)

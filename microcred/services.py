"""The composition root: builds the catalogue, search backend, ingest and indexer from settings."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from catalogue.accounts import KeyStore
from catalogue.db import create_catalogue_engine, migrate
from catalogue.duplicates import DuplicateService
from catalogue.indexer import Indexer
from catalogue.ingest import IngestReport, IngestService
from catalogue.profiles import ProfileStore, RegisteredProfiles
from catalogue.search.base import SearchBackend
from catalogue.search.sqlite.backend import SqliteFtsBackend
from catalogue.sources import SourceStore
from catalogue.store import Catalogue
from catalogue.submission_worker import SubmissionWorker
from microcred.profiles import ProfileLibrary
from microcred.settings import Settings
from normaliser.rates import RateTable
from normaliser.readers.base import ReadLimits

if TYPE_CHECKING:
    from catalogue.search.engine.client import EngineClient


@dataclass
class Services:
    settings: Settings
    engine: Engine
    catalogue: Catalogue
    backend: SearchBackend
    ingest: IngestService
    indexer: Indexer
    keys: KeyStore
    sources: SourceStore
    # Processes pushed and pulled submissions in the background; started by the processes
    # that serve (`up`, `serve`, `scheduler`), not by building the services.
    worker: SubmissionWorker
    # Links offerings that reached us twice, after every applied submission.
    duplicates: DuplicateService | None = None
    # Where `profile:<reference>` formats are found (the profiles folder, the catalogue).
    library: ProfileLibrary = field(default_factory=ProfileLibrary)
    profiles: ProfileStore | None = None

    def import_feed(self, provider_id: str, content: bytes, **options) -> IngestReport:
        """Ingest a feed and bring the search index up to date with it."""
        report = self.ingest.submit(provider_id, content, **options)
        self.indexer.drain()
        if self.duplicates is not None and report.status == "applied":
            self.duplicates.after_submission(report.submission_id)
        return report

    def close(self) -> None:
        self.worker.stop()
        self.indexer.close()
        self.ingest.close()
        self.backend.close()
        self.engine.dispose()


def build_search_backend(settings: Settings, engine: Engine) -> SearchBackend:
    if settings.search_backend == "sqlite":
        if engine.dialect.name != "sqlite":
            # FTS5 reads and writes only its own search_* tables, never the catalogue's, so
            # beside a PostgreSQL catalogue it keeps them in a SQLite file of its own. Like
            # every index it is rebuilt from the catalogue when missing (indexer.rebuild).
            search_url = f"sqlite:///{settings.data_dir / 'search.db'}"
            return SqliteFtsBackend(create_catalogue_engine(search_url), owns_engine=True)
        return SqliteFtsBackend(engine)
    if settings.search_backend in ("elasticsearch", "opensearch"):
        # Imported here: the engines' client libraries take half a second to import, which
        # every CLI command and process on the embedded default would pay for nothing.
        from catalogue.search.engine.backend import EngineBackend

        return EngineBackend(
            search_engine_client(settings),
            index_prefix=settings.search_index_prefix,
            analysis=settings.search_analysis,
        )
    raise ValueError(f"unknown search backend {settings.search_backend!r}")


def search_engine_client(settings: Settings) -> EngineClient:
    """The client of the configured flavour, with the credentials the settings give."""

    def secret(value) -> str | None:
        return value.get_secret_value() if value is not None else None

    options: dict[str, Any] = dict(
        username=settings.search_username,
        password=secret(settings.search_password),
        ca_cert=str(settings.search_ca_cert) if settings.search_ca_cert else None,
        verify_certs=settings.search_verify_certs,
        timeout=settings.search_timeout,
    )
    if settings.search_backend == "elasticsearch":
        from catalogue.search.engine.elasticsearch_client import connect_elasticsearch

        return connect_elasticsearch(
            settings.search_url, api_key=secret(settings.search_api_key), **options
        )
    if settings.search_api_key is not None:
        raise ValueError(
            "MICROCRED_SEARCH_API_KEY is for Elasticsearch; OpenSearch takes "
            "MICROCRED_SEARCH_USERNAME and MICROCRED_SEARCH_PASSWORD"
        )
    from catalogue.search.engine.opensearch_client import connect_opensearch

    return connect_opensearch(settings.search_url, **options)


def build_services(settings: Settings) -> Services:
    engine = create_catalogue_engine(settings.catalogue_url)
    migrate(engine)
    catalogue = Catalogue(engine)
    backend = build_search_backend(settings, engine)
    limits = ReadLimits(
        max_records=settings.max_feed_records, max_seconds=settings.max_parse_seconds
    )
    # Profiles from the profiles folder and the catalogue too; a profile file's path is
    # read (the command line stores it), but a request naming one is refused.
    library = ProfileLibrary(
        settings.profile_folder, registered=RegisteredProfiles(settings.catalogue_url)
    )
    readers = library.readers(allow_paths=True)
    ingest = IngestService(
        catalogue,
        readers,
        ref_currency=settings.reference_currency,
        rates=RateTable.load_default(),
        workers=settings.normalise_workers,
        max_feed_bytes=settings.max_feed_bytes,
        limits=limits,
        withdraw_guard_share=settings.withdraw_guard_share,
        lease_seconds=settings.submission_lease_seconds,
        check_format=functools.partial(readers.check_format, allow_paths=False),
    )
    indexer = Indexer(catalogue, backend, batch_size=settings.index_batch_size)
    # Creates the index, or rebuilds one of an older format. With the search engine
    # unreachable the services start anyway (the catalogue serves offerings by id, /healthz
    # says degraded) and the worker's catch-up tries again.
    indexer.prepare()
    duplicates = DuplicateService(catalogue, drain_index=indexer.drain)

    def after_apply(report: IngestReport) -> None:
        indexer.catch_up()
        duplicates.after_submission(report.submission_id)

    worker = SubmissionWorker(ingest, after_apply=after_apply, on_idle=indexer.catch_up)
    return Services(
        settings,
        engine,
        catalogue,
        backend,
        ingest,
        indexer,
        keys=KeyStore(catalogue),
        sources=SourceStore(catalogue),
        worker=worker,
        duplicates=duplicates,
        library=library,
        profiles=ProfileStore(catalogue),
    )

"""Shared by the indexer tests on the real OpenSearch node: services composed with the OpenSearch
backend, small feeds, and what the index and the catalogue hold."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import select

from catalogue.indexer import RetryPolicy
from catalogue.models import OfferingRow
from catalogue.search.engine.backend import EngineBackend
from microcred.services import Services, build_services
from microcred.settings import Settings
from normaliser.schema import Provider
from tests.search.engines import drop_indices, opensearch_backend, unique_prefix
from tests.search.faults import TcpProxy

PROVIDER = Provider(
    id="te-awa", name="Te Awa Institute of Technology", country="NZ", default_currency="NZD"
)
HEADER = "id,title,level,credits,mode,price,duration,start_dates\n"
TITLES = {
    "A1": "Introduction to Data Science",
    "A2": "Te Reo Māori Basics",
    "A3": "Sustainable Dairy Farming",
    "A4": "Applied Data Engineering",
    "A5": "Cloud Security Essentials",
    "A6": "Data Visualisation Workshop",
    "P1": "Poison Pill Studies",
}
# Short waits (recorded, not slept) and no cool-down, so tests run at once.
POLICY = RetryPolicy(attempts=3, base_seconds=0.5, max_seconds=4.0, cooldown_seconds=0)


def feed(*ids: str, titles: dict[str, str] | None = None) -> bytes:
    names = dict(TITLES, **(titles or {}))
    rows = [
        f'{i},{names[i]},NZQF Level 5,15 credits,Online,"NZ$1,250",6 weeks,2027-03-01\n'
        for i in ids
    ]
    return (HEADER + "".join(rows)).encode()


def engine_services(
    data_dir: Path, url: str, prefix: str, database_url: str | None = None, **settings
) -> tuple[Services, list[float]]:
    """Services as `microcred up` composes them with MICROCRED_SEARCH_BACKEND=opensearch;
    the indexer's backoff waits are recorded instead of slept."""
    services = build_services(
        Settings(
            data_dir=data_dir,
            database_url=database_url,
            reference_currency="EUR",
            search_backend="opensearch",
            search_url=url,
            search_index_prefix=prefix,
            normalise_workers=1,
            search_timeout=5,
            **settings,
        )
    )
    waits: list[float] = []
    services.indexer.retry = POLICY
    services.indexer.sleep = waits.append
    services.indexer.rng = random.Random(7)
    services.catalogue.upsert_provider(PROVIDER, default_language="en")
    return services, waits


def started_proxy(request: pytest.FixtureRequest, engine_url: str) -> TcpProxy:
    """A TcpProxy in front of the engine for this test, stopped at its end."""
    proxy = TcpProxy(engine_url).start()
    request.addfinalizer(proxy.stop)
    return proxy


def isolated_prefix(request: pytest.FixtureRequest, engine_url: str) -> str:
    """An index prefix of this test's own, whose indices are dropped at its end straight
    on the engine (not through a proxy that may be down)."""
    prefix = unique_prefix()
    request.addfinalizer(lambda: drop_indices(opensearch_backend(engine_url, prefix)))
    return prefix


def catalogue_versions(services: Services) -> dict[str, int]:
    """Every active offering and its version."""
    with services.catalogue.session() as session:
        return dict(
            session.execute(
                select(OfferingRow.id, OfferingRow.version).where(OfferingRow.status == "active")
            ).all()
        )


def indexed_versions(backend: EngineBackend) -> dict[str, int]:
    """Every document behind the alias and its (external) version."""
    found, after = {}, None
    while True:
        body = {
            "query": {"match_all": {}},
            "size": 500,
            "version": True,
            "_source": False,
            "sort": [{"_id": "asc"}],
        }
        if after:
            body["search_after"] = after
        hits = backend.client.search(backend.alias, body)["hits"]["hits"]
        if not hits:
            return found
        found.update((h["_id"], h["_version"]) for h in hits)
        after = hits[-1]["sort"]

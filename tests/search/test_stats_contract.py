"""The statistics contract: the catalogue (SQL, on SQLite and PostgreSQL), the SQLite FTS5
index and the search engines (real OpenSearch and Elasticsearch nodes) give the same numbers for the same filters and groups.

Every source hands back exact distributions and the summary numbers are computed once, in
Python (catalogue.stats.summary), so percentiles need no tolerance: the engines' own
`percentiles` aggregation (approximate, t-digest) is not used. What a source cannot answer
is declared by its `dimensions` and tested as such (region is only in the catalogue).
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from catalogue.errors import UnsupportedByBackend
from catalogue.indexer import Indexer
from catalogue.search.engine.stats import EngineStats
from catalogue.search.query import Filters
from catalogue.search.sqlite.stats import SqliteIndexStats
from catalogue.stats.query import MULTI_VALUED, Dimension, Metric, StatsQuery
from catalogue.stats.source import StatsService
from catalogue.stats.sql import CatalogueStats
from tests.agency_data import import_synthetic, store_offerings
from tests.search.corpus import corpus
from tests.search.engines import ENGINE_FACTORIES, ENGINES_FOR_DERIVED_SUITES

INDEXES = ("sqlite", *ENGINES_FOR_DERIVED_SUITES)
INDEXED_DIMENSIONS = [d for d in Dimension if d is not Dimension.REGION]
FILTERS = [
    Filters(),
    Filters(mode=("online",)),
    Filters(free=False, price_max=1500),
    Filters(country=("NZ", "IE")),
    Filters(eqf_min=4, ects_max=20),
    Filters(subject=("06", "0413")),
    Filters(language=("en",), hours_max=200),
    Filters(starts_after=date(2027, 3, 1), mode=("in_person", "blended")),
    Filters(provider=("syn-nz", "te-awa"), credential_type=("digital badge", "micro-credential")),
]
GROUPS = (
    [()]
    + [(d,) for d in INDEXED_DIMENSIONS]
    + [
        (Dimension.PROVIDER, Dimension.EQF),
        (Dimension.MODE, Dimension.LANGUAGE),
        (Dimension.LEVEL, Dimension.PRICE_BAND),
        (Dimension.SUBJECT_BROAD, Dimension.COUNTRY),
    ]
)


@pytest.fixture(params=INDEXES)
def sources(request, services, tmp_path):
    """(the catalogue's stats, the index's stats) over one catalogue: the hand-built corpus
    and synthetic feeds through the real ingest."""
    store_offerings(services, corpus())
    import_synthetic(services, per_provider=80)
    services.indexer.drain()
    if request.param == "sqlite":
        index = SqliteIndexStats(services.backend)
    else:
        backend = ENGINE_FACTORIES[request.param](request, tmp_path)
        Indexer(services.catalogue, backend).rebuild()
        index = EngineStats(backend, page_size=200)
    return CatalogueStats(services.catalogue), index


def _shape(result) -> tuple:
    return result.total, [(row.groups, row.count, row.metrics) for row in result.rows]


def test_every_source_gives_the_same_numbers(sources):
    catalogue, index = sources
    assert catalogue.answer(StatsQuery()).total == len(corpus()) + 3 * 80
    mismatches = []
    for filters, group_by in itertools.product(FILTERS, GROUPS):
        query = StatsQuery(
            filters=filters, group_by=group_by, metrics=tuple(Metric), percentiles=(10, 25, 90)
        )
        expected, got = _shape(catalogue.answer(query)), _shape(index.answer(query))
        if expected != got:
            first = next(
                (pair for pair in itertools.zip_longest(expected[1], got[1]) if pair[0] != pair[1]),
                None,
            )
            mismatches.append((filters, group_by, expected[0], got[0], first))
    assert mismatches == [], f"{len(mismatches)} differ; first: {mismatches[:3]}"


def test_grouped_counts_add_up_to_the_total(sources):
    for source in sources:
        for filters in FILTERS[:4]:
            total = source.answer(StatsQuery(filters=filters)).total
            for dimension in INDEXED_DIMENSIONS:
                result = source.answer(StatsQuery(filters=filters, group_by=(dimension,)))
                assert result.total == total
                if dimension not in MULTI_VALUED:
                    assert sum(r.count for r in result.rows) == total, (source.name, dimension)
                else:
                    assert sum(r.count for r in result.rows) >= total


def test_region_is_answered_by_the_catalogue(sources):
    catalogue, index = sources
    query = StatsQuery(group_by=(Dimension.COUNTRY, Dimension.REGION))
    assert not index.supports(query)
    with pytest.raises(UnsupportedByBackend, match="region"):
        index.answer(query)
    answered = StatsService([index, catalogue]).answer(query)
    assert answered.source == "catalogue"
    assert any(row.groups["region"] for row in answered.rows)
    assert StatsService([index, catalogue]).answer(StatsQuery()).source == index.name


@pytest.mark.parametrize("engine", ENGINES_FOR_DERIVED_SUITES)
def test_engine_pages_through_every_bucket(engine, services, request, tmp_path):
    store_offerings(services, corpus())
    backend = ENGINE_FACTORIES[engine](request, tmp_path)
    Indexer(services.catalogue, backend).rebuild()
    query = StatsQuery(
        group_by=(Dimension.PROVIDER, Dimension.MODE), metrics=(Metric.PRICE,), percentiles=(50,)
    )
    paged = EngineStats(backend, page_size=2).answer(query)  # a page of two buckets at a time
    assert _shape(paged) == _shape(CatalogueStats(services.catalogue).answer(query))

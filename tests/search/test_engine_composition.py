"""`microcred up`'s composition with MICROCRED_SEARCH_BACKEND=opensearch (on a real OpenSearch node)
against the embedded default: the same sample catalogue gives the same hits for
filter-only queries, in the same order, and the same facet counts."""

from __future__ import annotations

from datetime import date

import pytest

from catalogue.search.engine.backend import EngineBackend
from catalogue.search.query import MAX_PAGE_SIZE, Facet, Filters, SearchQuery, SortKey
from catalogue.search.sqlite.backend import SqliteFtsBackend
from microcred.sample import load_sample_data
from microcred.services import Services, build_services
from microcred.settings import Settings
from tests.search.engines import drop_indices, unique_prefix

TODAY = date(2026, 11, 23)
FILTERS = [
    {},
    {"mode": ("online",)},
    {"mode": ("in_person",), "starts_after": date(2027, 1, 1)},
    {"mode": ("blended", "in_person")},
    {"pace": ("self_paced",)},
    {"country": ("NZ",)},
    {"country": ("IE", "GB")},
    {"free": True},
    {"free": False},
    {"price_max": 500},
    {"price_min": 1000, "price_max": 3000},
    {"eqf_min": 5},
    {"eqf_min": 4, "eqf_max": 6},
    {"ects_min": 10},
    {"ects_max": 5},
    {"hours_max": 40},
    {"weeks_min": 8},
    {"language": ("mi",)},
    {"framework": ("NZQF", "AQF")},
    {"subject": ("06",)},
    {"subject": ("061", "0413")},
    {"credential_type": ("micro-credential",)},
    {"credit_system": ("ECTS",)},
    {"starts_before": date(2027, 3, 1)},
    {"starts_after": date(2027, 2, 1), "starts_before": date(2027, 6, 30), "mode": ("online",)},
    {"provider": ("teawa",), "free": False, "price_max": 2000},
]


def services_from_environment(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> Services:
    """Services as `microcred up` composes them: settings from MICROCRED_* variables."""
    with monkeypatch.context() as patched:
        for name, value in env.items():
            patched.setenv(name, value)
        settings = Settings()
    return build_services(settings)


@pytest.fixture(scope="module")
def pair(tmp_path_factory, opensearch_url):
    monkeypatch = pytest.MonkeyPatch()
    common = {"MICROCRED_NORMALISE_WORKERS": "1"}
    embedded = services_from_environment(
        monkeypatch, {**common, "MICROCRED_DATA_DIR": str(tmp_path_factory.mktemp("sqlite"))}
    )
    engine = services_from_environment(
        monkeypatch,
        {
            **common,
            "MICROCRED_DATA_DIR": str(tmp_path_factory.mktemp("opensearch")),
            "MICROCRED_SEARCH_BACKEND": "opensearch",
            "MICROCRED_SEARCH_URL": opensearch_url,
            "MICROCRED_SEARCH_INDEX_PREFIX": unique_prefix(),
        },
    )
    try:
        for services in (embedded, engine):
            load_sample_data(services)
        yield embedded, engine
    finally:
        embedded.close()
        drop_indices(engine.backend)
        engine.close()


def test_the_backends_are_the_ones_configured(pair):
    embedded, engine = pair
    assert isinstance(embedded.backend, SqliteFtsBackend)
    assert isinstance(engine.backend, EngineBackend) and engine.backend.name == "opensearch"
    assert engine.backend.count() == embedded.backend.count() >= 400


def every_hit(services: Services, filters: Filters, sort: SortKey) -> list[str]:
    """All hits of a query, page by page through the cursor."""
    found, cursor = [], None
    while True:
        page = services.backend.search(
            SearchQuery(
                filters=filters,
                sort=sort,
                cursor=cursor,
                size=MAX_PAGE_SIZE,
                facets=(),
                today=TODAY,
            )
        )
        found.extend(hit.id for hit in page.hits)
        cursor = page.next_cursor
        if cursor is None:
            return found


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(sorted(f)) or "none")
@pytest.mark.parametrize("sort", [SortKey.TITLE, SortKey.PRICE, SortKey.START_DATE])
def test_filter_only_queries_give_the_same_hits_in_the_same_order(pair, filters, sort):
    embedded, engine = pair
    query_filters = Filters(**filters)
    expected = every_hit(embedded, query_filters, sort)
    assert every_hit(engine, query_filters, sort) == expected


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(sorted(f)) or "none")
def test_facet_counts_are_the_same(pair, filters):
    embedded, engine = pair
    query = SearchQuery(
        filters=Filters(**filters), facets=tuple(Facet), facet_size=200, size=1, today=TODAY
    )
    expected, got = embedded.backend.search(query), engine.backend.search(query)
    assert got.total == expected.total
    assert got.facets == expected.facets

"""The field registry (catalogue.search.fields) is the one declaration of a search filter:
every field is mapped in the engine index with a type that serves it, and a field added to
the registry alone (plus its mapping property) works through the API, the SQLite index, a
real OpenSearch node and the catalogue's SQL stats."""

from __future__ import annotations

import copy
from collections import Counter

import pytest
from fastapi.testclient import TestClient

from catalogue.indexer import Indexer
from catalogue.search import fields as search_fields
from catalogue.search import query
from catalogue.search.documents import build_document
from catalogue.search.engine import mapping as engine_mapping
from catalogue.search.engine.mapping import mapped_field
from catalogue.search.engine.query import engine_paths
from catalogue.search.fields import FilterField, Kind
from catalogue.search.query import SearchQuery
from catalogue.stats.query import StatsQuery
from catalogue.stats.sql import CatalogueStats
from microcred.web import create_web_app
from search_api.pages.search_view import checkbox_facets
from search_api.params import LIST_FILTERS, SCALAR_FILTERS
from tests.agency_data import store_offerings
from tests.search.corpus import corpus
from tests.search.engines import opensearch_node

MAPPING_TYPES = {Kind.TERMS: {"keyword"}, Kind.FLAG: {"boolean"}}
NUMERIC = {"integer", "long", "double", "float", "scaled_float"}


def _fitting_types(spec: FilterField) -> set[str]:
    if spec.kind in MAPPING_TYPES:
        return MAPPING_TYPES[spec.kind]
    return {"date"} if spec.value_type.__name__ == "date" else NUMERIC


@pytest.mark.parametrize("spec", search_fields.FIELDS, ids=lambda f: f.name)
def test_every_registry_field_has_its_property_in_the_mapping(spec):
    for path in engine_paths(spec):
        mapping = mapped_field(path)
        assert mapping is not None, f"{spec.name} reads {path}, which mappings/ does not map"
        assert mapping["type"] in _fitting_types(spec), (spec.name, path, mapping)


def test_the_api_and_the_page_take_exactly_the_registry_fields():
    parameters = [p for f in search_fields.FIELDS for p in f.parameters]
    assert sorted(LIST_FILTERS + SCALAR_FILTERS) == sorted(parameters)
    assert sorted(query.Filters.model_fields) == sorted(parameters)
    assert {param for _facet, _label, param in checkbox_facets()} == {
        f.name for f in search_fields.FIELDS if f.label
    }


# The throwaway field: the framework's own level name ("5" of NZQF 5), which no filter
# reads today. One row, and one mapping property.
LEVEL_VALUE = FilterField(
    "level_value",
    Kind.TERMS,
    sqlite="level_value",
    engine="keywords.level_value",
    stats=lambda sql: sql.json.text(sql.doc, "level", "value"),
    case=None,
    document=lambda o: [o["level"]["value"]] if (o.get("level") or {}).get("value") else [],
    description="The level as the framework names it",
    example="5",
)


@pytest.fixture
def level_value_field(monkeypatch):
    """LEVEL_VALUE in the registry, and its property in the index mapping, for one test."""
    monkeypatch.setattr(search_fields, "FIELDS", [*search_fields.FIELDS, LEVEL_VALUE])
    query.refresh_filters()
    mapping = copy.deepcopy(engine_mapping._mapping_file())
    mapping["mappings"]["properties"]["keywords"]["properties"]["level_value"] = {"type": "keyword"}
    monkeypatch.setattr(engine_mapping, "_mapping_file", lambda: mapping)
    yield LEVEL_VALUE
    monkeypatch.undo()
    query.refresh_filters()


def _expected_counts(offerings) -> Counter:
    """What the corpus holds, read from the documents the backends index."""
    return Counter(v for o in offerings for v in build_document(o).keywords.get("level_value", []))


def test_a_field_added_to_the_registry_works_everywhere(
    level_value_field, services, request, tmp_path
):
    offerings = corpus()
    store_offerings(services, offerings)
    services.indexer.drain()
    by_value = _expected_counts(offerings)
    assert len(by_value) >= 2, "the corpus needs two level values for the test to mean something"
    value, expected = by_value.most_common(1)[0]
    filters = query.Filters(level_value=(value,))

    with TestClient(create_web_app(services, background=False)) as client:
        response = client.get("/v1/search", params={"level_value": value, "size": 100})
        assert response.status_code == 200, response.text
        assert response.json()["total"] == expected

    assert services.backend.search(SearchQuery(filters=filters)).total == expected

    engine = opensearch_node(request, tmp_path)
    Indexer(services.catalogue, engine).rebuild()
    assert engine.search(SearchQuery(filters=filters)).total == expected

    assert CatalogueStats(services.catalogue).answer(StatsQuery(filters=filters)).total == expected

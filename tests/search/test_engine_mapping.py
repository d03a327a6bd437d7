"""The versioned index body (mappings/offerings-v1.json) against what the engine backend
reads and writes: every filter, facet, sort and text field it uses is mapped, with a type
that serves it, and the file ships with the package."""

from __future__ import annotations

import tomllib
from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest

from catalogue.search.documents import IndexDocument
from catalogue.search.engine.mapping import (
    IndexNames,
    document_source,
    index_body,
    mapped_field,
)
from catalogue.search.engine.query import (
    FILTER_FIELDS,
    INSTANCE_PATH,
    TEXT_FIELDS,
    sort_clause,
)
from catalogue.search.fts_text import MIN_PREFIX_LENGTH
from catalogue.search.query import Facet, Filters, SortKey
from tests.search.corpus import documents

REPO = Path(__file__).resolve().parents[2]
NUMERIC = {"integer", "long", "double", "float", "scaled_float"}


def expected_types(filter_name: str) -> set[str]:
    annotation = str(Filters.model_fields[filter_name].annotation)
    if "date" in annotation:
        return {"date"}
    if "bool" in annotation:
        return {"boolean"}
    if "tuple" in annotation:
        return {"keyword"}
    return NUMERIC


@pytest.mark.parametrize("filter_name", sorted(Filters.model_fields))
def test_every_filter_reads_a_mapped_field_of_a_fitting_type(filter_name):
    paths = FILTER_FIELDS[filter_name]
    for path in paths:
        mapping = mapped_field(path)
        assert mapping is not None, f"{filter_name} reads {path}, which is not mapped"
        assert mapping["type"] in expected_types(filter_name), (filter_name, path, mapping)


def test_instance_fields_are_nested():
    assert mapped_field(INSTANCE_PATH)["type"] == "nested"
    for name in ("mode", "pace", "country", "price_min", "free", "starts_after"):
        assert FILTER_FIELDS[name][0].startswith(f"{INSTANCE_PATH}.")


@pytest.mark.parametrize("facet", list(Facet))
def test_every_facet_has_a_keyword_field(facet):
    assert mapped_field(f"keywords.{facet.value}") == {"type": "keyword"}


@pytest.mark.parametrize("sort", list(SortKey))
def test_every_sort_field_is_mapped(sort):
    for spec in sort_clause(sort, date(2026, 1, 1)):
        (field,) = spec
        assert field == "_score" or mapped_field(field) is not None


def test_text_fields_have_folded_sub_fields_and_the_title_edge_ngrams():
    analyzers = index_body()["settings"]["analysis"]["analyzer"]
    for name in TEXT_FIELDS:
        text = mapped_field(name)
        assert text["type"] == "text" and text["analyzer"] in analyzers
        assert text["search_analyzer"] in analyzers
        assert mapped_field(f"{name}.folded")["analyzer"] in analyzers
    assert mapped_field("title.suggest")["analyzer"] == "folded_edge"
    edge = index_body()["settings"]["analysis"]["filter"]["suggest_edge"]
    assert edge["min_gram"] <= MIN_PREFIX_LENGTH  # every prefix suggest looks up is indexed


def test_every_document_field_is_mapped():
    """The index is `dynamic: strict`: an unmapped field would refuse every document."""
    source = document_source(documents()[0])
    unmapped = [key for key in source if mapped_field(key) is None]
    assert unmapped == []
    stored = {f.name for f in fields(IndexDocument)} - {"keywords"}
    assert stored <= set(source)


def test_the_analyzers_fold_and_stem_and_the_synonyms_are_there():
    analysis = index_body()["settings"]["analysis"]
    chain = analysis["analyzer"]["folded_english"]["filter"]
    assert {"lowercase", "asciifolding", "english_stemmer"} <= set(chain)
    synonyms = analysis["filter"]["offering_synonyms"]["synonyms"]
    assert "ai, artificial intelligence" in synonyms and len(synonyms) >= 12
    assert "offering_synonyms" in analysis["analyzer"]["folded_english_search"]["filter"]


def test_the_mapping_files_ship_with_the_package():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    assert "mappings" in setuptools["packages"]["find"]["include"]
    assert "*.json" in setuptools["package-data"]["mappings"]
    assert (REPO / "mappings" / "__init__.py").exists()


@pytest.mark.parametrize("prefix", ["Upper_", "has space", "_leading", "a/b"])
def test_an_index_prefix_that_cannot_name_an_index_is_refused(prefix):
    with pytest.raises(ValueError, match="prefix"):
        IndexNames(prefix)


def test_index_names():
    names = IndexNames("test_1_")
    assert names.alias == "test_1_offerings"
    assert names.versioned(3) == "test_1_offerings-v3"
    assert names.generation("test_1_offerings-v12") == 12
    assert names.generation("test_1_offerings-v1-old") is None

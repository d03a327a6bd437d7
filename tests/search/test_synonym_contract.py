"""One synonym list (catalogue/search/synonyms.txt) for every backend: each pair of the list
finds the same courses on SQLite (expanded at query time) and on the engines (compiled into
their search analyzer; expanded in the query where the index has core analysis, as the
Elasticsearch test node has), over a hand-made corpus that holds each spelling."""

from __future__ import annotations

import pytest

from catalogue.search.documents import build_document
from catalogue.search.engine.mapping import index_body
from catalogue.search.fts_text import fts_match_expression
from catalogue.search.query import SearchQuery
from catalogue.search.synonyms import SynonymFileError, parse, synonyms
from tests.search.corpus import CLIODHNA, OPENLEARN, TE_AWA, documents, offering
from tests.search.test_backend_contract import BACKEND_FACTORIES, TODAY

# (id, provider, title): each spelling of the pairs below in a title of its own.
TITLES = [
    (40, OPENLEARN, "Practical AI for Small Business"),
    (41, CLIODHNA, "Artificial Intelligence Foundations"),
    (42, OPENLEARN, "ML Ops Foundations"),  # doc007 is Machine Learning with Python
    (43, TE_AWA, "Cybersecurity Essentials"),
    (44, CLIODHNA, "Cyber Security for Managers"),
    (45, OPENLEARN, "IT Support Fundamentals"),
    (46, CLIODHNA, "Information Technology Service Desk"),
    (47, TE_AWA, "Māori Language Revitalisation"),  # doc002 is Te Reo Māori for the Workplace
    (48, TE_AWA, "Kōrero: Reo Māori Conversation"),
    (49, OPENLEARN, "E-commerce Storefronts"),
    (50, CLIODHNA, "Ecommerce Analytics"),
    (51, CLIODHNA, "Healthcare Administration"),
    (52, OPENLEARN, "Health Care Ethics"),
]
# query -> the courses each spelling of its group must find (more may match).
PAIRS = {
    ("AI", "artificial intelligence"): {"doc040", "doc041"},
    ("ML", "machine learning"): {"doc007", "doc042"},
    ("cyber security", "cybersecurity"): {"doc043", "doc044"},
    ("IT", "information technology"): {"doc045", "doc046"},
    ("te reo", "Māori language", "reo maori", "te reo Māori"): {"doc002", "doc047", "doc048"},
    ("e-commerce", "ecommerce", "e commerce"): {"doc049", "doc050"},
    ("health care", "healthcare"): {"doc051", "doc052"},
}


@pytest.fixture(params=sorted(BACKEND_FACTORIES))
def backend(request, tmp_path):
    built = BACKEND_FACTORIES[request.param](request, tmp_path)
    built.ensure_index()
    built.upsert(
        documents()
        + [build_document(offering(n, provider, title)) for n, provider, title in TITLES]
    )
    return built


def found(backend, text) -> set[str]:
    result = backend.search(SearchQuery(text=text, today=TODAY, size=100, facets=()))
    return {h.id for h in result.hits}


@pytest.mark.parametrize("spellings", list(PAIRS), ids=lambda s: " / ".join(s))
def test_each_synonym_finds_the_same_courses(backend, spellings):
    results = {text: found(backend, text) for text in spellings}
    first = results[spellings[0]]
    assert PAIRS[spellings] <= first, results
    assert all(r == first for r in results.values()), results


def test_every_group_of_the_file_means_one_expression_on_sqlite():
    """Every phrase of a group compiles to the same FTS5 alternatives."""
    for group in synonyms().groups:
        expressions = {fts_match_expression(phrase, synonyms()) for phrase in group}
        assert len(expressions) == 1, (group, expressions)
        assert " OR " in expressions.pop()


def test_the_engines_are_given_the_same_list():
    rules = index_body()["settings"]["analysis"]["filter"]["offering_synonyms"]["synonyms"]
    assert rules == [", ".join(group) for group in synonyms().groups]
    assert "ai, artificial intelligence" in rules
    # Core analysis (no analysis-common module) has no synonym filter at all.
    assert "filter" not in index_body("core")["settings"]["analysis"]


def test_the_file_is_versioned_and_one_way_rules_are_refused():
    assert synonyms().version >= 1
    with pytest.raises(SynonymFileError, match="line 2: one-way"):
        parse("# version: 1\nai => artificial intelligence\n")
    with pytest.raises(SynonymFileError, match="version"):
        parse("ai, artificial intelligence\n")
    with pytest.raises(SynonymFileError, match="two or more"):
        parse("# version: 1\nai\n")


def test_a_synonym_keeps_the_other_words_required():
    expression = fts_match_expression("intro to AI", synonyms())
    # AND said outright: FTS5 refuses an implicit AND beside a parenthesised group.
    assert expression == '"intro" AND "to" AND ("ai" OR "artificial"+"intelligence")'
    assert fts_match_expression("ai", None) == '"ai"'


def test_core_analysis_carries_the_synonyms_in_the_query():
    from catalogue.search.engine.query import compile_search

    query = SearchQuery(text="intro AI")
    assert "artificial intelligence" not in str(compile_search(query))
    expanded = compile_search(query, synonyms=synonyms())["query"]["bool"]["must"][0]
    intro, alternatives = expanded["bool"]["must"]
    assert intro["multi_match"]["query"] == "intro"
    assert [a["multi_match"]["query"] for a in alternatives["bool"]["should"]] == [
        "ai",
        "artificial intelligence",
    ]

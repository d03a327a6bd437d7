"""SearchQuery to Elasticsearch/OpenSearch request bodies, checked without an engine."""

from __future__ import annotations

from datetime import date

import pytest

from catalogue.errors import InvalidRequest
from catalogue.search.engine.query import (
    FILTER_FIELDS,
    compile_search,
    compile_suggest,
    cursor_for,
    filter_clauses,
    sort_clause,
    text_clause,
)
from catalogue.search.query import Facet, Filters, SearchQuery, SortKey

TODAY = date(2026, 11, 23)


def clauses_of(tree, kind: str) -> list[dict]:
    """Every clause of one kind (`multi_match`, `nested`, ...) anywhere in a query tree."""
    found = []
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key == kind:
                found.append(value)
            found.extend(clauses_of(value, kind))
    elif isinstance(tree, list):
        for item in tree:
            found.extend(clauses_of(item, kind))
    return found


def test_no_words_means_no_text_query_and_the_mixed_order():
    """Text without a word builds no text query from the user's input; since issue 16
    (finding 8) it matches nothing rather than everything. Blank text is no query at all."""
    body = compile_search(SearchQuery(text=" - * ", today=TODAY))
    assert body["query"]["bool"]["must"] == [{"match_none": {}}]
    assert body["sort"][0] == {"id": {"order": "asc"}}
    assert "highlight" not in body
    assert "must" not in compile_search(SearchQuery(text="   ", today=TODAY))["query"]["bool"]


@pytest.mark.parametrize(
    "hostile",
    [
        "title:data",
        "data AND cloud",
        "(data",
        'data "',
        "NEAR(data cloud, 3)",
        "^data~2",
        "data* OR NOT x",
        "{col1 col2}: data",
        "'; DROP TABLE x; --",
        "/regex.*/",
    ],
)
def test_user_text_only_ever_becomes_match_values(hostile):
    """No query_string, no wildcards or regexps built from user text: every word goes into a
    match query as a plain value, where the engine's analyzer reads it as words."""
    clause = text_clause(hostile)
    for syntax in (
        "query_string",
        "simple_query_string",
        "wildcard",
        "regexp",
        "fuzzy",
        "prefix",
        "script",
    ):
        assert clauses_of(clause, syntax) == []
    values = [m["query"] for m in clauses_of(clause, "multi_match")]
    assert all(ch not in "".join(values) for ch in ":*()\"^~{}/;'")


def test_every_word_is_required_with_typos_allowed():
    clause = text_clause("data science")
    every_word = clause["bool"]["should"][0]["bool"]["must"]
    assert len(every_word) == 2
    first = every_word[0]["multi_match"]
    assert first["query"] == "data" and first["fuzziness"] == "AUTO"
    assert first["fields"][0] == "title^10"


def test_last_word_also_matches_as_a_prefix_on_unstemmed_fields():
    clause = text_clause("sustainable dai")
    prefixes = [m for m in clauses_of(clause, "multi_match") if m["type"] == "phrase_prefix"]
    assert [p["query"] for p in prefixes] == ["dai"]
    assert all(field.split("^")[0].endswith(".folded") for field in prefixes[0]["fields"])


def test_a_short_last_word_is_no_prefix():
    clause = text_clause("te")
    assert not [m for m in clauses_of(clause, "multi_match") if m["type"] == "phrase_prefix"]


def test_quoted_words_are_a_phrase_without_typos():
    clause = text_clause('"financial statements"')
    (match,) = clauses_of(clause, "multi_match")
    assert match["type"] == "phrase" and match["query"] == "financial statements"
    assert "fuzziness" not in match


def test_two_bare_words_may_also_match_together_for_multi_word_synonyms():
    clause = text_clause("machine learning")
    together = clause["bool"]["should"][1]["bool"]["must"][0]["multi_match"]
    assert together["query"] == "machine learning" and together["operator"] == "and"
    assert "fuzziness" not in together


def test_instance_filters_share_one_nested_clause():
    clauses = filter_clauses(
        Filters(
            mode=("online",),
            starts_after=date(2027, 6, 1),
            price_max=500,
            free=False,
            provider=("te-awa",),
        )
    )
    (nested,) = clauses_of(clauses, "nested")
    assert nested["path"] == "instances"
    run = nested["query"]["bool"]["filter"]
    assert {"terms": {"instances.mode": ["online"]}} in run
    assert {"range": {"instances.start_date": {"gte": "2027-06-01"}}} in run
    assert {"range": {"instances.price_ref": {"lte": 500.0}}} in run
    assert {"term": {"instances.is_free": False}} in run
    assert {"terms": {"keywords.provider": ["te-awa"]}} in clauses


def test_subject_codes_go_to_the_field_of_their_length():
    (clause,) = filter_clauses(Filters(subject=("06", "0811", "061")))
    assert clause["bool"]["should"] == [
        {"terms": {"keywords.subject_broad": ["06"]}},
        {"terms": {"keywords.subject": ["0811"]}},
        {"terms": {"keywords.subject_narrow": ["061"]}},
    ]


def test_ranges_are_inclusive():
    clauses = filter_clauses(Filters(eqf_min=4, eqf_max=6, weeks_min=2))
    assert {"range": {"eqf": {"gte": 4, "lte": 6}}} in clauses
    assert {"range": {"weeks": {"gte": 2.0}}} in clauses


def test_every_filter_has_a_field():
    assert set(FILTER_FIELDS) == set(Filters.model_fields)


@pytest.mark.parametrize("sort", list(SortKey))
def test_every_sort_ends_with_the_id(sort):
    assert sort_clause(sort, TODAY)[-1] == {"id": {"order": "asc"}}


def test_start_date_sort_reads_upcoming_runs_only():
    (primary, _id) = sort_clause(SortKey.START_DATE, TODAY)
    spec = primary["instances.start_date"]
    assert spec["mode"] == "min" and spec["missing"] == "_last"
    assert spec["nested"]["filter"] == {"range": {"instances.start_date": {"gte": "2026-11-23"}}}


def test_cursor_becomes_search_after():
    cursor = cursor_for(SortKey.PRICE, [450.0, "doc004"])
    body = compile_search(SearchQuery(sort=SortKey.PRICE, cursor=cursor, today=TODAY))
    assert body["search_after"] == [450.0, "doc004"]
    with pytest.raises(InvalidRequest, match="cursor"):
        compile_search(SearchQuery(sort=SortKey.TITLE, cursor=cursor))


def test_one_more_hit_than_the_page_and_an_exact_total():
    body = compile_search(SearchQuery(size=7))
    assert body["size"] == 8 and body["track_total_hits"] is True


def test_facets_are_terms_aggregations_on_keyword_values():
    body = compile_search(SearchQuery(facets=(Facet.MODE, Facet.EQF), facet_size=5))
    assert body["aggs"] == {
        f"facet_{name}": {
            "terms": {
                "field": f"keywords.{name}",
                "size": 5,
                "order": [{"_count": "desc"}, {"_key": "asc"}],
            }
        }
        for name in ("mode", "eqf")
    }
    assert "aggs" not in compile_search(SearchQuery(facets=()))


def test_highlights_only_for_text_and_when_asked():
    body = compile_search(SearchQuery(text="security"))
    assert body["highlight"]["pre_tags"] == ["\ue000"]
    assert body["highlight"]["highlight_query"] == body["query"]["bool"]["must"][0]
    assert "highlight" not in compile_search(SearchQuery(text="security", highlight=False))


def test_suggest_looks_the_last_word_up_in_edge_ngrams():
    body = compile_suggest("data sci", 5)
    must = body["query"]["bool"]["must"]
    assert must == [
        {"match": {"title.folded": {"query": "data", "operator": "and"}}},
        {"match": {"title.suggest": {"query": "sci"}}},
    ]
    assert compile_suggest('"', 5) is None
    assert compile_suggest("te", 5)["query"]["bool"]["must"] == [
        {"match": {"title.folded": {"query": "te"}}}
    ]

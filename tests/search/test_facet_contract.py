"""Multi-select facets, on every backend (the contract suite's factories): values of one
field combine with OR, fields with AND, and each facet is counted with every selected filter
applied but its own (disjunctive counts), over the hand-made corpus of tests/search/corpus.py.
"""

from __future__ import annotations

import pytest

from catalogue.search.query import Facet, Filters, SearchQuery
from tests.search.test_backend_contract import BACKEND_FACTORIES, TODAY


@pytest.fixture(params=sorted(BACKEND_FACTORIES))
def backend(request, tmp_path):
    from tests.search.corpus import documents

    built = BACKEND_FACTORIES[request.param](request, tmp_path)
    built.ensure_index()
    built.upsert(documents())
    return built


def search(backend, text=None, **filters):
    return backend.search(
        SearchQuery(
            text=text,
            filters=Filters(**filters),
            today=TODAY,
            facets=tuple(Facet),
            facet_size=50,
            size=100,
        )
    )


def ids(result) -> set[str]:
    return {h.id for h in result.hits}


def facet(result, name) -> dict[str, int]:
    return {b.value: b.count for b in result.facets[name]}


ALL_MODES = {"online": 7, "in_person": 3, "blended": 2}
ALL_PROVIDERS = {"te-awa": 4, "cliodhna": 3, "openlearn": 3}


@pytest.mark.parametrize(
    ("field", "one", "other"),
    [
        ("mode", "blended", "in_person"),
        ("provider", "openlearn", "cliodhna"),
        ("language", "mi", "ga"),
        ("subject", "02", "0811"),
        ("country", "IE", "US"),
    ],
)
def test_two_values_of_one_facet_widen_the_result(backend, field, one, other):
    first, second = search(backend, **{field: (one,)}), search(backend, **{field: (other,)})
    both = search(backend, **{field: (one, other)})
    assert ids(both) == ids(first) | ids(second)
    assert both.total == len(ids(both)) > max(first.total, second.total)


def test_a_facet_counts_without_its_own_selection(backend):
    result = search(backend, mode=("blended",))
    assert ids(result) == {"doc003", "doc005"}
    # Every mode as if none were ticked: what ticking one more would add.
    assert facet(result, "mode") == ALL_MODES
    # Other facets count the result itself.
    assert facet(result, "provider") == {"te-awa": 1, "cliodhna": 1}
    assert facet(result, "framework") == {"NZQF": 1, "NFQ": 1}


def test_each_facet_counts_with_every_other_selection(backend):
    result = search(backend, mode=("blended", "in_person"), provider=("te-awa",))
    assert ids(result) == {"doc001", "doc002", "doc003", "doc010"}
    # mode: under provider=te-awa only; provider: under the two modes only.
    assert facet(result, "mode") == {"online": 1, "in_person": 3, "blended": 1}
    assert facet(result, "provider") == {"te-awa": 4, "cliodhna": 1}
    # A facet of no selected field counts the result.
    assert facet(result, "language") == {"en": 4, "mi": 1}


def test_hierarchical_subject_facets_ignore_the_subject_selection(backend):
    result = search(backend, subject=("06",), provider=("openlearn",))
    assert ids(result) == {"doc007", "doc009"}
    assert facet(result, "subject_broad") == {"06": 2, "04": 1}
    assert facet(result, "subject") == {"0613": 2, "0411": 1}
    assert facet(result, "provider") == {"te-awa": 1, "cliodhna": 1, "openlearn": 2}


def test_flag_and_range_facets_ignore_their_own_selection(backend):
    result = search(backend, free=True, eqf_min=4, eqf_max=4)
    assert ids(result) == {"doc002"}
    assert facet(result, "free") == {"true": 1, "false": 1}  # eqf 4: doc002 free, doc003 not
    assert facet(result, "eqf") == {"4": 1}  # the free ones with a level: doc002 only
    assert facet(result, "provider") == {"te-awa": 1}


@pytest.mark.parametrize(
    "filters",
    [
        {"provider": ("openlearn",)},
        {"provider": ("openlearn", "te-awa"), "mode": ("online",)},
        {"mode": ("in_person",), "language": ("en",)},
    ],
)
def test_disjunctive_counts_with_text_follow_the_rule(backend, filters):
    """With words too: facet F of a filtered search counts what the search without F's own
    selection finds (a backend-neutral statement, whatever its text matching)."""
    result = search(backend, "data", **filters)
    for name in filters:
        rest = {k: v for k, v in filters.items() if k != name}
        assert facet(result, name) == facet(search(backend, "data", **rest), name), name
    # The hits are the AND of every selection.
    everything = ids(search(backend, "data"))
    for name, values in filters.items():
        everything &= ids(search(backend, "data", **{name: values}))
    assert ids(result) == everything


def test_engine_request_applies_a_faceted_selection_after_the_aggregations():
    from catalogue.search.engine.query import compile_search

    plain = compile_search(SearchQuery(filters=Filters(eqf_min=4), facets=(Facet.MODE,)))
    assert "post_filter" not in plain and "terms" in plain["aggs"]["facet_mode"]
    body = compile_search(
        SearchQuery(
            filters=Filters(mode=("online",), provider=("te-awa",)),
            facets=(Facet.MODE, Facet.LANGUAGE),
        )
    )
    # The query narrows by the fields no asked-for facet counts (provider here); the
    # post_filter by all of them.
    assert body["query"]["bool"]["filter"] == [{"terms": {"keywords.provider": ["te-awa"]}}]
    assert len(body["post_filter"]["bool"]["filter"]) == 2
    mode = body["aggs"]["facet_mode"]["filter"]["bool"]["filter"]
    assert mode == [{"terms": {"keywords.provider": ["te-awa"]}}]
    assert len(body["aggs"]["facet_language"]["filter"]["bool"]["filter"]) == 2

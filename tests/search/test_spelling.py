"""Typo tolerance and "did you mean" (issue 14 item 1): on SQLite a word that matches
nothing, or far fewer offerings than a close variant in the index's own vocabulary, is
corrected (one edit for 4-7 letters, two above), and the result says so; on every backend a
one-letter typo of a course word finds the course and names the correction."""

from __future__ import annotations

import pytest

from catalogue.db import create_catalogue_engine
from catalogue.search.documents import build_document
from catalogue.search.query import SearchQuery
from catalogue.search.spelling import best_variant, corrected_text, max_edits
from catalogue.search.sqlite.backend import SqliteFtsBackend
from tests.search.corpus import CLIODHNA, OPENLEARN, TE_AWA, documents, offering
from tests.search.test_backend_contract import BACKEND_FACTORIES


@pytest.fixture
def backend(tmp_path) -> SqliteFtsBackend:
    built = SqliteFtsBackend(create_catalogue_engine(f"sqlite:///{tmp_path / 'search.db'}"))
    built.ensure_index()
    built.upsert(
        documents()
        + [
            build_document(offering(43, TE_AWA, "Cybersecurity Essentials")),
            build_document(offering(44, CLIODHNA, "Cybersecurity for Managers")),
            build_document(offering(45, OPENLEARN, "Cyber Security Basics")),
        ]
    )
    return built


def search(backend, text, **kwargs):
    return backend.search(SearchQuery(text=text, size=100, **kwargs))


def test_edits_allowed_grow_with_the_word():
    assert [
        max_edits(w) for w in ("ai", "dat", "data", "science", "security", "cybersecurity")
    ] == [0, 0, 1, 1, 2, 2]


def test_the_closest_and_commonest_variant_wins():
    vocabulary = [("science", 5), ("silence", 9), ("sciences", 2)]
    assert best_variant("scienc", 0, vocabulary) == "science"  # 1 edit beats 2
    assert best_variant("scxence", 0, [("science", 5), ("scyence", 1)]) == "science"
    assert best_variant("scienc", 3, vocabulary) is None  # 5 is not 10 times 3
    assert best_variant("scienc", 0, [("sconce", 50)]) is None  # 2 edits for 6 letters
    assert best_variant("dta", 0, [("data", 50)]) is None  # too short to correct


def test_only_the_misspelt_word_changes():
    counts = {"cloud": 4, "secrity": 0}
    text = corrected_text(
        "Cloud secrity",
        lambda w, _last: counts.get(w.lower(), 0),
        lambda _w: [("security", 3), ("cloud", 4)],
    )
    assert text == "Cloud security"
    assert corrected_text('"secrity"', lambda *_: 0, lambda _w: [("security", 3)]) is None


def test_a_misspelt_course_word_finds_the_course_and_says_so(backend):
    result = search(backend, "cybersecurty")
    assert result.corrected_query == "cybersecurity"
    # The corrected word goes through the synonyms too: `cyber security` is the same.
    assert {h.id for h in result.hits} == {"doc043", "doc044", "doc045"}
    titles = {h.id: h.highlights["title"] for h in result.hits}
    assert titles["doc043"] == "<mark>Cybersecurity</mark> Essentials"


@pytest.mark.parametrize(
    ("typed", "meant", "expected"),
    [
        ("sustainabel dairy", "sustainable dairy", "doc003"),
        ("machne learning", "machine learning", "doc007"),
        ("gaelige", "gaeilge", "doc004"),
        ("cloud secrity", "cloud security", "doc006"),
        ("financal accounting", "financial accounting", "doc008"),
    ],
)
def test_one_letter_typos_are_corrected(backend, typed, meant, expected):
    result = search(backend, typed)
    assert result.corrected_query == meant
    assert expected in {h.id for h in result.hits}


def test_words_that_match_are_left_alone(backend):
    for text in ("cybersecurity", "data protection", "farms", "maori", "regression", "data sci"):
        assert search(backend, text).corrected_query is None, text


def test_far_fewer_than_a_close_variant_is_corrected(backend):
    backend.upsert(
        [build_document(offering(60 + n, TE_AWA, f"Welding Level {n}")) for n in range(10)]
    )
    backend.upsert([build_document(offering(70, TE_AWA, "Welting for Shoemakers"))])
    result = search(backend, "welting")
    assert result.corrected_query == "welding" and result.total == 10
    as_typed = search(backend, "welting", correct=False)
    assert as_typed.corrected_query is None and [h.id for h in as_typed.hits] == ["doc070"]


def test_correct_false_searches_the_words_as_typed(backend):
    result = search(backend, "cybersecurty", correct=False)
    assert result.total == 0 and result.corrected_query is None


def test_the_vocabulary_follows_deletes_and_updates(backend):
    backend.delete(["doc043", "doc044"])
    assert search(backend, "cybersecurty").corrected_query is None
    backend.upsert([build_document(offering(46, TE_AWA, "Cybersecurity Again"))])
    assert search(backend, "cybersecurty").corrected_query == "cybersecurity"


def test_an_index_made_before_the_vocabulary_gets_one(backend):
    with backend.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE search_words_vocab")
        conn.exec_driver_sql("DROP TABLE search_words")
    backend.ensure_index()
    assert search(backend, "cybersecurty").corrected_query == "cybersecurity"


# --- on every backend ------------------------------------------------------------------------
TYPOS = [
    ("cybersecurty", "cybersecurity", "doc043"),
    ("sustainabel dairy", "sustainable dairy", "doc003"),
    ("machne learning", "machine learning", "doc007"),
    ("gaelige", "gaeilge", "doc004"),
    ("cloud secrity", "cloud security", "doc006"),
    ("financal accounting", "financial accounting", "doc008"),
]


@pytest.fixture(params=sorted(BACKEND_FACTORIES))
def any_backend(request, tmp_path):
    built = BACKEND_FACTORIES[request.param](request, tmp_path)
    built.ensure_index()
    built.upsert(documents() + [build_document(offering(43, TE_AWA, "Cybersecurity Essentials"))])
    return built


def test_a_one_letter_typo_finds_the_course_and_says_so_on_every_backend(any_backend):
    """SQLite by correcting the word from its vocabulary and searching again; the engines
    by matching within fuzziness AUTO, and naming the correction from the words their
    highlights mark (engine.results.correction_from_highlights)."""
    for typed, meant, expected in TYPOS:
        result = any_backend.search(SearchQuery(text=typed, size=100, facets=()))
        assert expected in {h.id for h in result.hits}, typed
        assert result.corrected_query == meant, typed
    for text in ("cybersecurity", "data protection", "financial accounting", "data sci"):
        result = any_backend.search(SearchQuery(text=text, size=100, facets=()))
        assert result.corrected_query is None, text

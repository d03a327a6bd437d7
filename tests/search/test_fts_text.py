"""User text to FTS5 syntax: every word quoted, nothing the user types is an operator."""

from __future__ import annotations

import pytest

from catalogue.search.fts_text import fts_match_expression, render_highlight


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        ("data", '"data"*'),
        ("data science", '"data" "science"*'),
        ("te", '"te"'),  # too short to expand
        ("te reo", '"te" "reo"*'),
        ("Māori", '"Māori"*'),
        ('"machine learning"', '"machine"+"learning"'),
        ('"machine learning" python', '"machine"+"learning" "python"*'),
        ('data "', '"data"*'),  # a lone quote is dropped
        ("AND", '"AND"*'),
        ("NOT cloud", '"NOT" "cloud"*'),
        ("title:data", '"title" "data"*'),
        ("-data", '"data"*'),
        ("data*", '"data"*'),
        ("(a OR b)", '"a" "OR" "b"'),
        ("NEAR(data cloud, 3)", '"NEAR" "data" "cloud" "3"'),
        ("", ""),
        ("   ", ""),
        ('"', ""),
        ("*-^", ""),
        ("🙂", ""),
        ("e-commerce", '"e" "commerce"*'),
    ],
)
def test_expressions(text, expression):
    assert fts_match_expression(text) == expression


def test_terms_are_capped():
    assert fts_match_expression(" ".join(f"w{i}" for i in range(100))).count('"') == 64


def test_highlight_escapes_then_marks():
    assert (
        render_highlight("<b>\ue000Data\ue001</b> & more")
        == "&lt;b&gt;<mark>Data</mark>&lt;/b&gt; &amp; more"
    )
    assert render_highlight(None) == ""


def test_a_synonym_group_among_other_words_is_a_valid_fts5_query(tmp_path):
    """Before: `("te"+"reo" OR ...) "mō"` was an FTS5 syntax error, and the search page
    answered 500 for a title a suggestion had offered."""
    import sqlite3

    from catalogue.search.synonyms import synonyms

    expression = fts_match_expression("Te Reo Māori mō te Mahi", synonyms())
    assert expression.startswith("(") and " AND " in expression
    connection = sqlite3.connect(tmp_path / "fts.db")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    connection.execute("INSERT INTO t VALUES ('te reo māori mō te mahi'), ('te reo')")
    assert connection.execute(
        "SELECT count(*) FROM t WHERE t MATCH ?", (expression,)
    ).fetchone() == (1,)

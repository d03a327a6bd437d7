"""The speed-ups must not change results: memoised parsers, the simple-HTML path, keyword matching."""

from __future__ import annotations

import functools
import random
import re
from collections import defaultdict

import pytest

from normaliser.issues import IssueCode
from normaliser.normalise import NormaliseContext, normalise_record
from normaliser.parsers.html_text import _simple_html_text, _TextCollector, html_to_text
from normaliser.parsers.memo import MAX_CACHED_TEXT, clear_caches
from normaliser.parsers.place import parse_place
from normaliser.parsers.price import parse_price
from normaliser.parsers.subject import _normalise, match_keywords
from normaliser.rates import RateTable
from normaliser.vocab.isced_keywords import ISCED_KEYWORDS

TABLE = RateTable.from_dict(
    {
        "base": "EUR",
        "date": "2026-01-02",
        "source": "test",
        "rates": {"EUR": 1, "NZD": 2, "GBP": 0.8},
    }
)
NZ = NormaliseContext(
    provider_id="kotuku",
    default_currency="NZD",
    default_country="NZ",
    default_language="en",
    rates=TABLE,
)


@pytest.fixture(autouse=True)
def _cold_caches():
    clear_caches()
    yield
    clear_caches()


def dump(result):
    offering, issues = result
    return (
        offering.model_dump(mode="json") if offering else None,
        [i.model_dump(mode="json") for i in issues],
    )


# --- memoised parsers ----------------------------------------------------------------------


def test_editing_a_result_does_not_change_the_next_one() -> None:
    first = parse_price("$450", default_currency="NZD", rates=TABLE, ref_currency="EUR")
    assert [i.code for i in first.issues] == [IssueCode.DEFAULTED]
    first.issues.clear()
    first.issues = []
    again = parse_price("$450", default_currency="NZD", rates=TABLE, ref_currency="EUR")
    assert [i.code for i in again.issues] == [IssueCode.DEFAULTED]

    places = parse_place("Auckland; Online", "NZ")
    places.value.append(places.value[0])
    places.issues.append("not an issue")
    again = parse_place("Auckland; Online", "NZ")
    assert len(again.value) == 2 and again.issues == []


def test_unhashable_and_long_values_are_parsed_without_the_cache() -> None:
    assert (
        parse_place(["Dublin, Ireland", "Online"]).value
        == parse_place("Dublin, Ireland; Online").value
    )
    long_text = "Wellington, New Zealand" + " " * MAX_CACHED_TEXT
    assert parse_place(long_text).value[0].city == "Wellington"


def test_a_record_normalises_the_same_cold_and_warm() -> None:
    records = [
        {
            "id": "A",
            "title": "Data science",
            "price": "450",
            "currency": "GBP",
            "location": "Perth",
            "start_dates": "2027-03-01; 1 March 2027",
            "credits": "15 credits",
        },
        {
            "id": "B",
            "title": "Data science",
            "price": "450",
            "location": "Perth",
            "start_dates": "03/04/2027",
            "credits": "15 credits",
            "level": "Level 5",
        },
        {
            "id": "C",
            "title": "<p>Welding</p>",
            "price": "$450",
            "language": "Gaelic",
            "description": "<ul><li>Arc</li><li>MIG &amp; TIG</li></ul>",
            "subject": "0699",
        },
    ]
    cold = [dump(normalise_record(r, NZ)) for r in records]
    warm = [dump(normalise_record(r, NZ)) for r in records + records]
    assert warm == cold + cold
    # The stated currency drops the DEFAULTED note for A only, never for B after it.
    assert [i["code"] for i in cold[1][1] if i["field"] == "price"] == ["defaulted"]


# --- simple HTML without html.parser --------------------------------------------------------


def collector_text(source: str) -> str:
    collector = _TextCollector()
    collector.feed(source)
    collector.close()
    return "".join(collector.chunks)


FRAGMENTS = [
    "<p>",
    "</p>",
    "<li>",
    "</li>",
    "<ul>",
    "</UL>",
    "<br>",
    "<br/>",
    "<br />",
    "<li/>",
    "<P >",
    '<a href="https://x.example/?a=1&amp;b=2">',
    "</a>",
    "<a href='x'>",
    "<a href=x/>",
    '<a b="c"d="e">',
    '<a title="a>b<c">',
    "<!-- note -->",
    "< p>",
    "<p",
    "</>",
    "<",
    ">",
    "&amp;",
    "&",
    "&nbsp;",
    "&#39;",
    "&gt",
    "word",
    "Māori",
    " ",
    "\n",
    "\t",
    "\xa0",
    "\u3000",
    "<script>",
    "</script>",
    "<iframe>",
    "<svg/>",
    "<h2>",
    "</h2>",
    "<td>",
    "<b>",
    "</b>",
    "<p\x0b>",
    "</p\n>",
    "<x:y>",
    "<?pi?>",
    "<!DOCTYPE html>",
    "</p x>",
    '<img src="a.png"/>',
]


def test_the_simple_html_path_agrees_with_html_parser() -> None:
    rng = random.Random(3)
    taken = 0
    for _ in range(4000):
        source = "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 12)))
        fast = _simple_html_text(source)
        if fast is not None:
            taken += 1
            assert fast == collector_text(source), source
    assert taken > 500


def test_html_to_text_reads_simple_and_other_html() -> None:
    assert (
        html_to_text("<p>One</p>\n<ul>\n  <li>two</li>\n  <li>three &amp; four</li>\n</ul>")
        == "One\n\n- two\n- three & four"
    )
    assert html_to_text("<p>Kept</p><script>dropped()</script><!-- x -->") == "Kept"


# --- keyword matching -----------------------------------------------------------------------


@functools.cache
def reference_index() -> tuple[re.Pattern[str], dict[str, list[str]]]:
    codes_of: dict[str, list[str]] = defaultdict(list)
    for code, keywords in ISCED_KEYWORDS.items():
        for keyword in keywords:
            codes_of[_normalise(keyword)].append(code)
    body = "|".join(re.escape(k) for k in sorted(codes_of, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])({body})(?:e?s)?(?![a-z0-9])"), codes_of


def reference_match_keywords(text: str) -> list[str]:
    """The regex formulation word matching replaced: leftmost, longest keyword first."""
    pattern, codes_of = reference_index()
    scores: dict[str, int] = defaultdict(int)
    for match in pattern.finditer(_normalise(text)):
        for code in codes_of[match.group(1)]:
            scores[code] += len(match.group(1).split())
    if not scores:
        return []
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [code for code, score in ranked if score * 2 >= ranked[0][1]][:3]


def test_keyword_matching_agrees_with_the_regex_formulation() -> None:
    keywords = [k for ks in ISCED_KEYWORDS.values() for k in ks]
    words = sorted({w for k in keywords for w in k.replace("-", " ").split()})
    rng = random.Random(5)
    texts = [k + suffix for k in keywords for suffix in ("", "s", "es", " and more")]
    for _ in range(3000):
        texts.append(
            " ".join(
                rng.choice(words) + rng.choice(["", "", "s", "es", "e", "-"])
                for _ in range(rng.randint(1, 8))
            )
        )
    for text in texts:
        assert match_keywords(text) == reference_match_keywords(text), text

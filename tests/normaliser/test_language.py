"""parse_languages: names, endonyms and codes to ISO 639-1, lists, tags, sign languages."""

from __future__ import annotations

import pytest

from normaliser.issues import IssueCode
from normaliser.parsers.language import language_code, parse_languages

AMB, NOX, UNP = IssueCode.AMBIGUOUS, IssueCode.NO_CROSSWALK, IssueCode.UNPARSED

# raw, expected codes, issue codes
CASES = [
    ("English", ["en"], []),
    ("english", ["en"], []),
    ("ENGLISH", ["en"], []),
    ("en", ["en"], []),
    ("EN", ["en"], []),
    ("eng", ["en"], []),
    ("en-NZ", ["en"], []),
    ("en_GB", ["en"], []),
    ("en-US", ["en"], []),
    ("English (New Zealand)", ["en"], []),
    ("English only", ["en"], []),
    ("Taught in English", ["en"], []),
    ("English language", ["en"], []),
    ("Te Reo Māori", ["mi"], []),
    ("te reo maori", ["mi"], []),
    ("Te Reo", ["mi"], []),
    ("Maori", ["mi"], []),
    ("Māori", ["mi"], []),
    ("mi", ["mi"], []),
    ("mri", ["mi"], []),
    ("mao", ["mi"], []),
    ("Irish", ["ga"], []),
    ("Gaeilge", ["ga"], []),
    ("Irish Gaelic", ["ga"], []),
    ("ga", ["ga"], []),
    ("Welsh", ["cy"], []),
    ("Cymraeg", ["cy"], []),
    ("cym", ["cy"], []),
    ("Scottish Gaelic", ["gd"], []),
    ("Gàidhlig", ["gd"], []),
    ("Gaidhlig", ["gd"], []),
    ("French", ["fr"], []),
    ("Français", ["fr"], []),
    ("fre", ["fr"], []),
    ("German", ["de"], []),
    ("Deutsch", ["de"], []),
    ("ger", ["de"], []),
    ("Spanish", ["es"], []),
    ("Español", ["es"], []),
    ("Castellano", ["es"], []),
    ("Italiano", ["it"], []),
    ("Portuguese", ["pt"], []),
    ("Dutch", ["nl"], []),
    ("Mandarin", ["zh"], []),
    ("Chinese", ["zh"], []),
    ("Cantonese", ["zh"], []),
    ("zh-Hant-TW", ["zh"], []),
    ("Japanese", ["ja"], []),
    ("Korean", ["ko"], []),
    ("Hindi", ["hi"], []),
    ("Punjabi", ["pa"], []),
    ("Arabic", ["ar"], []),
    ("Samoan", ["sm"], []),
    ("Tongan", ["to"], []),
    ("Greek", ["el"], []),
    ("Farsi", ["fa"], []),
    ("Swahili", ["sw"], []),
    ("Malay", ["ms"], []),
    ("Bahasa Indonesia", ["id"], []),
    ("Vietnamese", ["vi"], []),
    ("Hebrew", ["he"], []),
    # lists in every separator
    ("English and Māori", ["en", "mi"], []),
    ("English and Te Reo Māori", ["en", "mi"], []),
    ("English; French", ["en", "fr"], []),
    ("English, French", ["en", "fr"], []),
    ("English / Irish", ["en", "ga"], []),
    ("English & Welsh", ["en", "cy"], []),
    ("English + Cymraeg", ["en", "cy"], []),
    ("English or French", ["en", "fr"], []),
    ("English with some Te Reo Māori", ["en", "mi"], []),
    ("Bilingual: English and Gaeilge", ["en", "ga"], []),
    ("en, mi, sm, to", ["en", "mi", "sm", "to"], []),
    ("English; english; EN", ["en"], []),
    ("English\nMāori", ["en", "mi"], []),
    (["English", "Māori"], ["en", "mi"], []),
    (["en", "fr", "en"], ["en", "fr"], []),
    # cannot be a two-letter code, or not a language
    ("Gaelic", [], [AMB]),
    ("English and Gaelic", ["en"], [AMB]),
    ("NZ Sign Language", [], [NOX]),
    ("New Zealand Sign Language", [], [NOX]),
    ("Auslan", [], [NOX]),
    ("BSL", [], [NOX]),
    ("Hawaiian", [], [NOX]),
    ("English and NZSL", ["en"], [NOX]),
    ("Elvish", [], [UNP]),
    ("English and Elvish", ["en"], [UNP]),
    ("xx", [], [UNP]),
    ("🙂", [], [UNP]),
    ("12345", [], [UNP]),
    ("lang" * 1000, [], [UNP]),
    ("English\u00a0and\u00a0Māori", ["en", "mi"], []),
]


@pytest.mark.parametrize(("raw", "expected", "codes"), CASES)
def test_parse_languages(raw, expected, codes) -> None:
    parsed = parse_languages(raw)
    assert parsed.value == expected
    assert [i.code for i in parsed.issues] == codes


@pytest.mark.parametrize("raw", ["", "   ", None, ";;", " , "])
def test_empty_language(raw) -> None:
    assert (parse_languages(raw).value, parse_languages(raw).issues) == ([], [])


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("English", "en"),
        ("Te Reo Māori", "mi"),
        ("en-NZ", "en"),
        ("", None),
        ("Elvish", None),
        ("Hawaiian", None),
    ],
)
def test_language_code(raw, code) -> None:
    assert language_code(raw) == code


def test_unparsed_message_says_what_to_write() -> None:
    message = parse_languages("Elvish").issues[0].message
    assert "ISO 639-1" in message and "'en'" in message

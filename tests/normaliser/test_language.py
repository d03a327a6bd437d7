"""parse_languages: names, endonyms and codes to BCP 47 language subtags (ISO 639-1, else
ISO 639-3), lists, tags, sign languages, words that name two languages."""

from __future__ import annotations

import pytest

from normaliser.issues import IssueCode
from normaliser.parsers.language import language_code, parse_languages

AMB, UNP = IssueCode.AMBIGUOUS, IssueCode.UNPARSED

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
    # no two-letter code: the ISO 639-3 code, as BCP 47 has it (sign languages, Hawaiian)
    ("NZ Sign Language", ["nzs"], []),
    ("New Zealand Sign Language", ["nzs"], []),
    ("Auslan", ["asf"], []),
    ("BSL", ["bfi"], []),
    ("Irish Sign Language", ["isg"], []),
    ("Hawaiian", ["haw"], []),
    ("English and NZSL", ["en", "nzs"], []),
    ("nzs", ["nzs"], []),
    ("en-NZ, nzs", ["en", "nzs"], []),
    # ISL: Irish Sign Language or Icelandic; without a country, neither is guessed
    ("ISL", [], [AMB]),
    ("English and ISL", ["en"], [AMB]),
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
        ("Hawaiian", "haw"),
        ("Auslan", "asf"),
    ],
)
def test_language_code(raw, code) -> None:
    assert language_code(raw) == code


def test_unparsed_message_says_what_to_write() -> None:
    message = parse_languages("Elvish").issues[0].message
    assert "ISO 639-1" in message and "'en'" in message


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("ISL", "IE", ["isg"]),  # Irish Sign Language, in Ireland
        ("English and ISL", "IE", ["en", "isg"]),
        ("ISL", "IS", ["is"]),  # Icelandic, in Iceland
        ("Gaelic", "IE", ["ga"]),
    ],
)
def test_a_word_naming_two_languages_is_settled_by_the_providers_country(raw, country, expected):
    parsed = parse_languages(raw, country=country)
    assert parsed.value == expected
    assert [i.code for i in parsed.issues] == [IssueCode.DEFAULTED]
    assert country in parsed.issues[0].message


def test_without_a_settling_country_the_word_stays_ambiguous():
    for country in (None, "GB", "NZ"):
        parsed = parse_languages("ISL", country=country)
        assert parsed.value == [] and [i.code for i in parsed.issues] == [IssueCode.AMBIGUOUS]

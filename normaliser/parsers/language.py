"""Languages of instruction: 'English', 'en', 'eng', 'Te Reo Māori', 'English and Māori', 'en-NZ'.

Each becomes the primary language subtag of a BCP 47 tag (RFC 5646, section 2.2.1): the
ISO 639-1 code where the language has one, else its ISO 639-3 code, so languages without a
two-letter code are kept and can be filtered on: New Zealand Sign Language `nzs`, Irish Sign
Language `isg`, Auslan `asf`, British Sign Language `bfi`, Hawaiian `haw`.
"""

from __future__ import annotations

import functools
import re

import pycountry

from normaliser.issues import Issue, IssueCode, Parsed
from normaliser.parsers.memo import memoised, memoised_parser
from normaliser.text import clean, fold, shorten

# Names pycountry (ISO 639-3 names) does not know as written, and endonyms providers use.
# Folded: lower case, no accents.
_ALIASES: dict[str, str] = {
    "te reo maori": "mi",
    "te reo": "mi",
    "reo maori": "mi",
    "maori": "mi",
    "gaeilge": "ga",
    "irish gaelic": "ga",
    "cymraeg": "cy",
    "gaidhlig": "gd",
    "scots gaelic": "gd",
    "deutsch": "de",
    "francais": "fr",
    "espanol": "es",
    "castellano": "es",
    "castilian": "es",
    "italiano": "it",
    "portugues": "pt",
    "nederlands": "nl",
    "dutch": "nl",
    "flemish": "nl",
    "mandarin": "zh",
    "mandarin chinese": "zh",
    "cantonese": "zh",
    "putonghua": "zh",
    "tongan": "to",
    "lea faka tonga": "to",
    "gagana samoa": "sm",
    "greek": "el",
    "punjabi": "pa",
    "farsi": "fa",
    "swahili": "sw",
    "kiswahili": "sw",
    "malay": "ms",
    "bahasa melayu": "ms",
    "bahasa indonesia": "id",
    "bahasa": "id",
    "filipino": "tl",
    "nepali": "ne",
    "cook islands maori": "rar",
    "te reo maori kuki airani": "rar",
    "hebrew": "he",
    "persian": "fa",
    "ukrainian": "uk",
    "norwegian": "no",
    "bokmal": "nb",
    "nynorsk": "nn",
    # Sign languages have ISO 639-3 codes only ('language' is dropped before lookup).
    "new zealand sign": "nzs",
    "nz sign": "nzs",
    "nzsl": "nzs",
    "auslan": "asf",
    "british sign": "bfi",
    "bsl": "bfi",
    "irish sign": "isg",
    "american sign": "ase",
    "asl": "ase",
}
# The languages without a two-letter code that providers name most (the sign languages of
# the markets we serve, and others above): listed with the two-letter ones in the vocabulary.
COMMON_THREE_LETTER_CODES: tuple[str, ...] = tuple(
    sorted({code for code in _ALIASES.values() if len(code) == 3})
)
# Words that name two languages, with what to write instead. 'Gaelic' alone is Irish in
# Ireland and Scottish Gaelic in Scotland; 'ISL' is Irish Sign Language in Ireland (the Irish
# Deaf Society's own abbreviation) and Icelandic's ISO 639-2 code elsewhere.
# In a country where one reading is the only sensible one, that reading is taken, and said.
_AMBIGUOUS: dict[str, tuple[tuple[str, ...], str]] = {
    "gaelic": (("ga", "gd"), "write 'Irish' or 'Scottish Gaelic'"),
    "isl": (("isg", "is"), "write 'Irish Sign Language' (isg) or 'Icelandic' (is)"),
}
_AMBIGUOUS_IN_COUNTRY: dict[tuple[str, str], str] = {
    ("gaelic", "IE"): "ga",
    ("isl", "IE"): "isg",
    ("isl", "IS"): "is",
}
_SPLIT_RE = re.compile(r"\s*(?:[,;/&+|\n]|\band\b|\bor\b|\bwith\b|\bplus\b)\s*")
_FILLER_RE = re.compile(
    r"\b(?:taught|delivered|presented|conducted|available|offered|instruction|in|the|language|"
    r"languages|only|mainly|mostly|medium|spoken|bilingual|primarily|also|some|both|fluent)\b"
)
_BRACKETS_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_PUNCTUATION_RE = re.compile(r"[^\w\s-]|_(?![a-z])")
_TAG_RE = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]{2,8})+$")
_SYMBOLS_RE = re.compile(r"[\s:.,;!?()\[\]'\"-]+")


@memoised_parser
def parse_languages(
    raw: str | list[str] | None, field: str = "language", country: str | None = None
) -> Parsed[list[str]]:
    """Map language names and codes to BCP 47 primary language subtags (ISO 639-1, else
    ISO 639-3), in the order given, each once. `country` (ISO 3166-1 alpha-2, the
    provider's) settles a word that names one language there and another elsewhere."""
    parts = raw if isinstance(raw, list) else [raw]
    codes: list[str] = []
    issues: list[Issue] = []
    for part in parts:
        for line in str(part or "").splitlines():
            for item in _SPLIT_RE.split(fold(line)):
                _add_language(item, field, codes, issues, country)
    return Parsed(codes, issues)


@memoised
def language_code(raw: object) -> str | None:
    """The language subtag (ISO 639-1, else ISO 639-3) of one language name or code, or
    None."""
    item = _bare(fold(raw))
    if not item:
        return None
    return _lookup(item)


def _bare(item: str) -> str:
    """The language words of one item: no brackets, filler words or punctuation."""
    text = _FILLER_RE.sub(" ", _BRACKETS_RE.sub(" ", item))
    return clean(_PUNCTUATION_RE.sub(" ", text))


def _add_language(
    item: str, field: str, codes: list[str], issues: list[Issue], country: str | None = None
) -> None:
    bare = _bare(item)
    if not bare:
        leftover = _SYMBOLS_RE.sub("", _FILLER_RE.sub(" ", item))
        if leftover:  # symbols or emoji only: say so rather than drop them silently
            issues.append(
                Issue.warning(
                    field,
                    IssueCode.UNPARSED,
                    "Not a language; write its English name (e.g. 'English') or ISO 639-1 code.",
                    shorten(item),
                )
            )
        return
    settled = _AMBIGUOUS_IN_COUNTRY.get((bare, (country or "").upper()))
    if settled:
        issues.append(
            Issue.info(
                field,
                IssueCode.DEFAULTED,
                f"'{item.strip()}' read as {language_name(settled)} ({settled}), as the provider is "
                f"in {country}; {_AMBIGUOUS[bare][1]} to be explicit.",
                shorten(item),
            )
        )
        if settled not in codes:
            codes.append(settled)
        return
    if bare in _AMBIGUOUS:
        choices, instead = _AMBIGUOUS[bare]
        issues.append(
            Issue.warning(
                field,
                IssueCode.AMBIGUOUS,
                f"'{item.strip()}' could be {' or '.join(choices)}; {instead}.",
                shorten(item),
            )
        )
        return
    code = _lookup(bare)
    if code is None:
        issues.append(
            Issue.warning(
                field,
                IssueCode.UNPARSED,
                f"'{shorten(bare, 60)}' is not a language we recognise; write its English name "
                "(e.g. 'English', 'Māori') or its ISO 639-1 code (e.g. 'en', 'mi').",
                shorten(item),
            )
        )
        return
    if code not in codes:
        codes.append(code)


def _lookup(item: str) -> str | None:
    tag = _TAG_RE.match(item)
    if tag:  # BCP 47 tags such as 'en-NZ' or 'zh-Hant-TW': the primary subtag names the language
        item = tag.group(1)
    if item in _ALIASES:
        return _ALIASES[item]
    if len(item) == 2:
        found = pycountry.languages.get(alpha_2=item)
        return found.alpha_2 if found else None
    language = _find_639_3(item)
    if language is None:
        return None
    # BCP 47: the shortest ISO 639 code (RFC 5646, section 2.2.1).
    return getattr(language, "alpha_2", None) or language.alpha_3


def iso_639_language(code: str):  # -> pycountry language record or None
    """The ISO 639 record of a language subtag (two letters: ISO 639-1; three: ISO 639-3)."""
    if len(code) == 2:
        return pycountry.languages.get(alpha_2=code)
    if len(code) == 3:
        return pycountry.languages.get(alpha_3=code)
    return None


def language_name(code: str) -> str | None:
    """The English name ISO 639 gives a language subtag ('nzs': New Zealand Sign Language)."""
    found = iso_639_language(code)
    return found.name if found else None


@functools.cache
def _languages_by_name() -> dict[str, object]:
    """Folded ISO 639-3 name -> pycountry record, built once."""
    index: dict[str, object] = {}
    for language in pycountry.languages:
        for name in (getattr(language, "common_name", None), language.name):
            if name:
                index.setdefault(fold(name), language)
    return index


def _find_639_3(item: str):  # -> pycountry language record or None
    if len(item) == 3:
        found = pycountry.languages.get(alpha_3=item) or pycountry.languages.get(bibliographic=item)
        if found:
            return found
    return _languages_by_name().get(item)

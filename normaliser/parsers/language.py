"""Languages of instruction: 'English', 'en', 'eng', 'Te Reo Māori', 'English and Māori', 'en-NZ'."""

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
# 'Gaelic' alone is Irish in Ireland and Scottish Gaelic in Scotland.
_AMBIGUOUS = {"gaelic": ("ga", "gd")}
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
def parse_languages(raw: str | list[str] | None, field: str = "language") -> Parsed[list[str]]:
    """Map language names and codes to ISO 639-1 codes, in the order given, each once."""
    parts = raw if isinstance(raw, list) else [raw]
    codes: list[str] = []
    issues: list[Issue] = []
    for part in parts:
        for line in str(part or "").splitlines():
            for item in _SPLIT_RE.split(fold(line)):
                _add_language(item, field, codes, issues)
    return Parsed(codes, issues)


@memoised
def language_code(raw: object) -> str | None:
    """The ISO 639-1 code of one language name or code, or None."""
    item = _bare(fold(raw))
    if not item:
        return None
    return _lookup(item)


def _bare(item: str) -> str:
    """The language words of one item: no brackets, filler words or punctuation."""
    text = _FILLER_RE.sub(" ", _BRACKETS_RE.sub(" ", item))
    return clean(_PUNCTUATION_RE.sub(" ", text))


def _add_language(item: str, field: str, codes: list[str], issues: list[Issue]) -> None:
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
    if bare in _AMBIGUOUS:
        choices = _AMBIGUOUS[bare]
        issues.append(
            Issue.warning(
                field,
                IssueCode.AMBIGUOUS,
                f"'{bare}' could be {' or '.join(choices)}; write 'Irish' or 'Scottish Gaelic'.",
                shorten(item),
            )
        )
        return
    code = _lookup(bare)
    if code is None:
        known_without_two_letters = _iso639_3(bare)
        if known_without_two_letters:
            issues.append(
                Issue.warning(
                    field,
                    IssueCode.NO_CROSSWALK,
                    f"'{bare}' is a language ({known_without_two_letters}) with no two-letter ISO 639-1 "
                    "code, so it cannot be filtered on; it is kept in the raw record.",
                    shorten(item),
                )
            )
        else:
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
        code = _ALIASES[item]
        return code if len(code) == 2 else None
    if len(item) == 2:
        found = pycountry.languages.get(alpha_2=item)
        return found.alpha_2 if found else None
    language = _find_639_3(item)
    return getattr(language, "alpha_2", None) if language else None


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


def _iso639_3(item: str) -> str | None:
    if item in _ALIASES and len(_ALIASES[item]) == 3:
        return _ALIASES[item]
    language = _find_639_3(item)
    return language.alpha_3 if language else None

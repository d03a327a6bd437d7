"""Text clean-up shared by the value parsers.

Providers paste values from word processors and web pages, so the same word
arrives with non-breaking spaces, typographic dashes, zero-width characters or
accents. Parsers match on a cleaned, folded copy and keep the original as `raw`.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Every dash-like code point we have seen stand in for a hyphen or a range sign.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d"
_DASH_RE = re.compile(f"[{_DASHES}]")
# Characters that carry no meaning in a value but break matching.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")

# Short values (a level, a price, a place) are read from their first this many characters.
# Anything longer is pasted prose or garbage, and bounding it keeps every parser linear.
VALUE_LIMIT = 1000

NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_NUMBER_WORD_RE = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)


def clean(raw: object, limit: int = VALUE_LIMIT) -> str:
    """One line of text: NFKC-normalised, dashes as '-', all whitespace runs as one space.

    Only the first `limit` characters are read (see VALUE_LIMIT).
    """
    if raw is None:
        return ""
    text = str(raw)[: limit * 2]
    if not text.isascii():  # ASCII is its own NFKC form and has no invisible or dash characters
        text = unicodedata.normalize("NFKC", text)
        text = _INVISIBLE_RE.sub("", text)
        text = _DASH_RE.sub("-", text)
    # str.split() and re's \s agree on what whitespace is (str.isspace).
    return " ".join(text.split())[:limit]


def strip_accents(text: str) -> str:
    """'Māori' -> 'Maori', 'Gàidhlig' -> 'Gaidhlig'."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(raw: object) -> str:
    """Cleaned, lower-case and without accents: the form keyword tables are matched against."""
    if type(raw) is str and len(raw) <= _FOLD_CACHE_TEXT:
        return _fold_short(raw)
    return strip_accents(clean(raw)).casefold()


# Parsers fold the same short values again and again; longer texts are not worth keeping.
_FOLD_CACHE_TEXT = 256


@functools.lru_cache(maxsize=4096)
def _fold_short(raw: str) -> str:
    return strip_accents(clean(raw)).casefold()


def clear_caches() -> None:
    """Forget the folded forms kept so far (see normaliser.parsers.memo.clear_caches)."""
    _fold_short.cache_clear()


def words_to_digits(text: str) -> str:
    """'level five' -> 'level 5'. Only one to twelve: larger numbers are written in digits."""
    return _NUMBER_WORD_RE.sub(lambda m: str(NUMBER_WORDS[m.group(1).lower()]), text)


def shorten(raw: object, limit: int = 200) -> str | None:
    """The raw value as it goes into an Issue: text, cut so a hostile value cannot bloat a report."""
    if raw is None:
        return None
    text = str(raw)
    return text if len(text) <= limit else text[: limit - 1] + "…"

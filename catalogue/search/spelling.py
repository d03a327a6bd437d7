"""Did-you-mean from an index's own vocabulary: which word of a query to correct, and to
what. Pure: the backend supplies the vocabulary and the counts (sqlite.backend reads them from
an fts5vocab table)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from rapidfuzz.distance import OSA

from catalogue.search.fts_text import user_terms
from catalogue.search.synonyms import fold

# Words shorter than this are never corrected: too many short words are one edit apart.
MIN_LENGTH = 4
# From this length on, two edits (a transposition is one, as in the engines' fuzziness).
TWO_EDITS_FROM = 8
# A word that matches something is still corrected when a close variant matches this many
# times as many offerings ("far fewer than a close variant").
RATIO = 10
# Only a result this small is looked at for corrections: a word that matches nothing, or
# far fewer than a variant, leaves at most a few results.
FEW_RESULTS = 3


def max_edits(word: str) -> int:
    """One edit for 4-7 letters, two above; none below."""
    if len(word) < MIN_LENGTH:
        return 0
    return 1 if len(word) < TWO_EDITS_FROM else 2


def best_variant(word: str, matches: int, vocabulary: Iterable[tuple[str, int]]) -> str | None:
    """The vocabulary term (with the number of offerings holding it) `word` should become,
    or None. Closest first, then the most offerings, then alphabetical."""
    edits = max_edits(word)
    if not edits:
        return None
    folded = fold(word)
    best: tuple[int, int, str] | None = None
    for term, documents in vocabulary:
        candidate = fold(term)
        if candidate == folded or documents < max(1, matches * RATIO):
            continue
        distance = OSA.distance(folded, candidate, score_cutoff=edits)
        if distance > edits:
            continue
        key = (distance, -documents, term)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def corrected_text(
    text: str,
    matches: Callable[[str, bool], int],
    vocabulary: Callable[[str], Iterable[tuple[str, int]]],
) -> str | None:
    """`text` with each bare word that matches nothing (or far fewer than a close variant)
    replaced by that variant; None when no word changes. `matches(word, is_prefix)` counts
    the offerings a word finds; `vocabulary(word)` gives the candidate terms near it."""
    terms = user_terms(text)
    replacements: dict[str, str] = {}
    for position, term in enumerate(terms):
        if term.quoted:
            continue
        word = term.words[0]
        if not max_edits(word) or word in replacements:
            continue
        is_last = position == len(terms) - 1
        found = matches(word, is_last)
        variant = best_variant(word, found, vocabulary(word))
        if variant is not None:
            replacements[word] = variant
    if not replacements:
        return None
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in replacements) + r")\b")
    return pattern.sub(lambda m: replacements[m.group(1)], text)

"""Turning user text into a safe FTS5 query, and FTS5 highlights into safe HTML.

User text is never passed to MATCH as syntax: every word becomes a quoted string, so
`AND`, `NEAR`, a lone `"`, `-` or `*` are just words (or nothing).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from catalogue.search.synonyms import SynonymList, phrase_words

# Private-use code points mark matches inside FTS5 output. They cannot come from
# escaped user text, so the output can be HTML-escaped first and marked up after.
HIGHLIGHT_OPEN = "\ue000"
HIGHLIGHT_CLOSE = "\ue001"

_WORD = re.compile(r"\w+", re.UNICODE)
_PHRASE_OR_WORD = re.compile(r'"([^"]*)"|(\w+)', re.UNICODE)
MAX_TERMS = 32
# A last word this short stays a whole word: "te" (as in te reo) must not expand to every
# word that starts with te-, which would match most of a catalogue.
MIN_PREFIX_LENGTH = 3


@dataclass(frozen=True)
class UserTerm:
    """One bare word of user text, or the words of one quoted phrase."""

    words: tuple[str, ...]
    quoted: bool


def user_terms(text: str) -> list[UserTerm]:
    """The words and quoted phrases of user text, at most MAX_TERMS. Everything that is not a
    word (operators' punctuation, a lone quote) is dropped; backends share this reading."""
    terms: list[UserTerm] = []
    for phrase, word in _PHRASE_OR_WORD.findall(text or ""):
        if phrase:
            words = _WORD.findall(phrase)
            if words:
                terms.append(UserTerm(tuple(words), quoted=True))
        elif word:
            terms.append(UserTerm((word,), quoted=False))
    return terms[:MAX_TERMS]


def last_term_is_prefix(terms: list[UserTerm]) -> bool:
    """Whether the last term also matches as a prefix: a bare word of MIN_PREFIX_LENGTH or more."""
    return bool(terms) and not terms[-1].quoted and len(terms[-1].words[0]) >= MIN_PREFIX_LENGTH


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _phrase(words: tuple[str, ...] | list[str]) -> str:
    return "+".join(_quoted(w) for w in words)


def fts_match_expression(text: str, synonyms: SynonymList | None = None) -> str:
    """An FTS5 expression that requires every word of `text`; balanced double quotes
    make a phrase; the last bare word, from three letters on, also matches as a prefix
    (search as you type). With `synonyms`, bare words that form a phrase of the list match
    any phrase of its group instead (`ai` -> `("ai" OR "artificial"+"intelligence")`).
    Returns "" when the text holds no words."""
    terms = user_terms(text)
    parts: list[str] = []
    position = 0
    expanded_last = False
    while position < len(terms):
        term = terms[position]
        found = None
        if synonyms is not None and not term.quoted:
            bare: list[str] = []
            for later in terms[position:]:
                if later.quoted:
                    break
                bare.append(later.words[0])
            found = synonyms.match(bare, 0)
        if found is None:
            parts.append(_phrase(term.words))
            position += 1
            expanded_last = False
            continue
        length, group = found
        parts.append("(" + " OR ".join(_phrase(phrase_words(p)) for p in group) + ")")
        position += length
        expanded_last = True
    if last_term_is_prefix(terms) and not expanded_last:
        parts[-1] += "*"
    # FTS5 reads "a b" as a AND b, but not beside a parenthesised group: "(a OR b) c" is a
    # syntax error there, so a query with a synonym group says AND.
    joiner = " AND " if any(part.startswith("(") for part in parts) else " "
    return joiner.join(parts)


def render_highlight(fragment: str | None) -> str:
    """FTS5 highlight()/snippet() output as HTML: text escaped, matches in <mark>."""
    if not fragment:
        return ""
    escaped = html.escape(fragment, quote=False)
    return escaped.replace(HIGHLIGHT_OPEN, "<mark>").replace(HIGHLIGHT_CLOSE, "</mark>")

"""Turning user text into a safe FTS5 query, and FTS5 highlights into safe HTML.

User text is never passed to MATCH as syntax: every word becomes a quoted string, so
`AND`, `NEAR`, a lone `"`, `-` or `*` are just words (or nothing).
"""

from __future__ import annotations

import html
import re

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


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def fts_match_expression(text: str) -> str:
    """An FTS5 expression that requires every word of `text`; balanced double quotes
    make a phrase; the last bare word, from three letters on, also matches as a prefix
    (search as you type).
    Returns "" when the text holds no words."""
    parts: list[tuple[str, bool]] = []  # (expression, is a bare word)
    for phrase, word in _PHRASE_OR_WORD.findall(text or ""):
        if phrase:
            words = _WORD.findall(phrase)
            if words:
                parts.append(("+".join(_quoted(w) for w in words) if len(words) > 1
                              else _quoted(words[0]), False))
        elif word:
            parts.append((_quoted(word), True))
    parts = parts[:MAX_TERMS]
    if not parts:
        return ""
    last, is_word = parts[-1]
    if is_word and len(last) - 2 >= MIN_PREFIX_LENGTH:  # minus the two quotes
        parts[-1] = (f"{last}*", True)
    return " ".join(expression for expression, _ in parts)


def render_highlight(fragment: str | None) -> str:
    """FTS5 highlight()/snippet() output as HTML: text escaped, matches in <mark>."""
    if not fragment:
        return ""
    escaped = html.escape(fragment, quote=False)
    return escaped.replace(HIGHLIGHT_OPEN, "<mark>").replace(HIGHLIGHT_CLOSE, "</mark>")

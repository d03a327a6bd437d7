"""Credential type: 'Micro-credential', 'Digital badge', 'Certificate of completion' -> a small vocabulary."""

from __future__ import annotations

import functools
import re

from normaliser.issues import Issue, IssueCode, Parsed
from normaliser.parsers.memo import memoised_parser
from normaliser.text import clean, fold, shorten
from normaliser.vocab.credential_types import CREDENTIAL_PHRASES, CREDENTIAL_TYPES

_NOT_WORD_RE = re.compile(r"[^a-z0-9]+")


@memoised_parser
def parse_credential_type(raw: str | None, field: str = "credential_type") -> Parsed[str]:
    """One of CREDENTIAL_TYPES, or None with a warning naming the vocabulary."""
    text = clean(raw)
    if not text:
        return Parsed(None)
    folded = _NOT_WORD_RE.sub(" ", fold(text)).strip()
    for credential_type in CREDENTIAL_TYPES:
        if _phrase_re(credential_type).search(folded):
            return Parsed(credential_type)
    return Parsed(
        None,
        [
            Issue.warning(
                field,
                IssueCode.UNPARSED,
                f"Unknown credential type; use one of: {', '.join(CREDENTIAL_TYPES)}.",
                shorten(raw),
            )
        ],
    )


@functools.cache
def _phrase_re(credential_type: str) -> re.Pattern[str]:
    phrases = sorted(CREDENTIAL_PHRASES[credential_type], key=len, reverse=True)
    body = "|".join(re.escape(p).replace(r"\ ", r"\s*") for p in phrases)
    return re.compile(rf"(?<![a-z0-9])(?:{body})s?(?![a-z0-9])")

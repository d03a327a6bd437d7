"""Offering URLs: absolute http(s) links only; 'www.example.ac.nz/x' gets https:// added."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from normaliser.issues import Issue, IssueCode, Parsed
from normaliser.text import shorten

_BARE_HOST_RE = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:[/?#]\S*)?$", re.IGNORECASE)
_SPACE_RE = re.compile(r"\s")  # what str.isspace() calls whitespace


def parse_url(raw: str | None, field: str = "url") -> Parsed[str]:
    """A usable absolute URL, or None with a warning."""
    text = (raw or "").strip()
    if not text:
        return Parsed(None)
    issues: list[Issue] = []
    if "://" not in text and _BARE_HOST_RE.match(text):
        text = "https://" + text
        issues.append(
            Issue.info(
                field,
                IssueCode.DEFAULTED,
                "The URL had no scheme; https:// was added. Write the full address.",
                shorten(raw),
            )
        )
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or _SPACE_RE.search(text)
    ):
        return Parsed(
            None,
            [
                Issue.warning(
                    field,
                    IssueCode.INVALID,
                    "Not a usable web address; give a full http(s) URL such as "
                    "'https://provider.example/courses/ds101'.",
                    shorten(raw),
                )
            ],
        )
    return Parsed(text, issues)

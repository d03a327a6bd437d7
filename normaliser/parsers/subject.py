"""Subjects: an ISCED-F 2013 code ('0613', '061', '06') or free text mapped by keywords."""

from __future__ import annotations

import functools
import re
from collections import defaultdict

from normaliser.issues import Issue, IssueCode, Parsed
from normaliser.parsers.memo import memoised_parser
from normaliser.schema import Subject
from normaliser.text import clean, fold, shorten
from normaliser.vocab.isced import isced_name
from normaliser.vocab.isced_keywords import ISCED_KEYWORDS

# ISCED-F codes start with 0 (fields 00-09), 10 (services) or 99 (unknown).
_CODE_RE = re.compile(r"(?<![\d.,])(0\d{1,3}|10\d{0,2}|99\d{0,2})(?![\d.,]?\d)")
_ISCED_WORD_RE = re.compile(r"\bisced(?:[\s-]*f)?(?:[\s-]*2013)?\b")
_ONLY_CODES_RE = re.compile(r"^[\d\s,;/|]+$")
_NOT_WORD_RE = re.compile(r"[^a-z0-9]+")
# At most this many fields per offering, and only those scoring at least half the best.
_MAX_CODES = 3


def parse_subject(
    raw: str | None,
    title: str | None = None,
    description: str | None = None,
    field: str = "subject",
) -> Parsed[Subject]:
    """ISCED-F codes for an offering, from the provider's subject, else its title or description."""
    own = _subject_codes(raw, field)
    if own.value is not None:
        return own
    text = clean(raw)
    value = shorten(raw)
    issues = own.issues

    for source_name, source in (("title", title), ("description", description)):
        codes = match_keywords(clean(source)) if source else []
        if codes:
            issues.append(
                Issue.info(
                    field,
                    IssueCode.APPROXIMATE,
                    f"ISCED-F field inferred from the {source_name} ({', '.join(codes)}); give a "
                    "subject or an ISCED-F code to be sure.",
                    value or shorten(source),
                )
            )
            return Parsed(Subject(isced=codes, raw=str(raw) if text else None), issues)

    if (text or clean(title) or clean(description)) and not issues:
        issues.append(
            Issue.warning(
                field,
                IssueCode.UNPARSED,
                "No ISCED-F 2013 field matched; give an ISCED-F code such as '0613' (software "
                "development) or a plainer subject name.",
                value or shorten(title),
            )
        )
    if text:
        return Parsed(Subject(isced=[], raw=str(raw)), issues)
    return Parsed(None, issues)


@memoised_parser
def _subject_codes(raw: str | None, field: str) -> Parsed[Subject]:
    """What the subject value alone gives: the codes it writes, else its keywords' fields.

    The value is None when it gives no field; the issues found on the way still count.
    """
    text = clean(raw)
    value = shorten(raw)
    issues: list[Issue] = []
    if text:
        codes = _codes_written(text, field, value, issues)
        if codes:
            return Parsed(Subject(isced=codes, raw=str(raw)), issues)
        codes = match_keywords(text)
        if codes:
            return Parsed(Subject(isced=codes, raw=str(raw)), issues)
    return Parsed(None, issues)


def match_keywords(text: str) -> list[str]:
    """Detailed ISCED-F codes whose keywords occur in `text`, best match first.

    A keyword matches whole words, its last word also with a plural 's' or 'es'. Words are
    read left to right; where several keywords start at a word, the longest is taken and
    reading goes on after it.
    """
    words = _normalise(text).split()
    if not words:
        return []
    starting_with = _keyword_index()
    scores: dict[str, int] = defaultdict(int)
    count = len(words)
    i = 0
    while i < count:
        for rest, plural_last, size, codes in starting_with.get(words[i], ()):
            end = i + len(rest)
            if rest and not (
                end < count
                and words[end] in plural_last
                and all(words[i + 1 + j] == w for j, w in enumerate(rest[:-1]))
            ):
                continue
            for code in codes:
                scores[code] += size
            i = end
            break
        i += 1
    if not scores:
        return []
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    best = ranked[0][1]
    return [code for code, score in ranked if score * 2 >= best][:_MAX_CODES]


def _codes_written(text: str, field: str, value: str | None, issues: list[Issue]) -> list[str]:
    folded = fold(text)
    marked = _ISCED_WORD_RE.search(folded)
    found = list(_CODE_RE.finditer(folded))
    if not found:
        return []
    # A number only counts as a code when the text is made of codes, starts with one, or says ISCED.
    leading = found[0].start() == 0 and (len(found[0].group(1)) == 4 or folded.startswith("0"))
    if not (marked or _ONLY_CODES_RE.match(folded) or leading):
        return []
    codes: list[str] = []
    for match in found:
        code = match.group(1)
        if isced_name(code) is None:
            issues.append(
                Issue.error(
                    field,
                    IssueCode.INVALID,
                    f"'{code}' is not an ISCED-F 2013 code; codes have 2-4 digits with a leading "
                    "zero, e.g. '06' (ICT), '061', '0613'.",
                    value,
                )
            )
        elif code not in codes:
            codes.append(code)
    return codes


def _normalise(text: str) -> str:
    return _NOT_WORD_RE.sub(" ", fold(text)).strip()


_KeywordTail = tuple[tuple[str, ...], frozenset[str], int, tuple[str, ...]]


@functools.cache
def _keyword_index() -> dict[str, tuple[_KeywordTail, ...]]:
    """First word (or, for one-word keywords, the word and its plurals) -> the keywords there.

    Each entry: the keyword's other words, the forms its last word may take (with a plural
    's' or 'es') when it has more than one, its number of words (its score), its codes.
    Longest keyword first, as the leftmost-longest match takes it.
    """
    codes_of: dict[str, list[str]] = defaultdict(list)
    for code, keywords in ISCED_KEYWORDS.items():
        for keyword in keywords:
            codes_of[_normalise(keyword)].append(code)
    starting_with: dict[str, list[tuple[str, _KeywordTail]]] = defaultdict(list)
    for keyword, codes in codes_of.items():
        words = keyword.split()
        if not words:
            continue
        last = words[-1]
        plurals = (last, last + "s", last + "es")
        entry = (tuple(words[1:]), frozenset(plurals), len(words), tuple(codes))
        for first in plurals if len(words) == 1 else (words[0],):
            starting_with[first].append((keyword, entry))
    return {
        first: tuple(entry for _, entry in sorted(entries, key=lambda e: -len(e[0])))
        for first, entries in starting_with.items()
    }

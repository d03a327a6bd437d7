"""Qualification levels: 'NZQF Level 5', 'Level 7 (NFQ)', 'SCQF level 8', 'EQF 4', bare '5'."""

from __future__ import annotations

import re

from normaliser.issues import Issue, IssueCode, Parsed
from normaliser.parsers.memo import memoised, memoised_parser
from normaliser.schema import Framework, Level
from normaliser.text import clean, fold, shorten, words_to_digits
from normaliser.vocab.frameworks import ENTRY, FRAMEWORKS, framework_aliases

# (alias, its pattern, framework); a pattern only matches where the alias itself occurs.
_ALIAS_RES = [
    (alias, re.compile(rf"(?<![a-z0-9]){re.escape(alias)}(?![a-z])"), fw)
    for alias, fw in framework_aliases()
]
# 'Level 5', 'level: 5', 'lvl 5', 'L5'. A following range ('5-6', '5 to 6') is caught apart.
_LEVEL_NUMBER_RE = re.compile(r"\b(?:level|lvl|lv|l)\s*[:.#]?\s*(\d{1,3})(?![\d.,]\d)")
# What may follow the chosen number to make it a range: '5-6', '5 to 6', '5/6', '5 or 6'.
_RANGE_TAIL_RE = re.compile(r"\s*(?:-|to|/|or)\s*(?:level\s*)?(\d{1,3})\b")
_BARE_NUMBER_RE = re.compile(r"(?<![\d.,])(\d{1,3})(?![\d]|[.,]\d)")
# RQF's entry level: 'Entry level', 'Entry 3', 'Entry Level 2', and the short form 'E3'.
_ENTRY_RE = re.compile(r"\bentry(?:\s*-?\s*level)?(?:\s*([1-3]))?\b")
_ENTRY_SHORT_RE = re.compile(r"(?:rqf\s*)?e([1-3])")


@memoised
def framework_from_text(raw: object) -> Framework | None:
    """The framework a short text names ('NZQF', 'nzqcf', 'QQI', 'FHEQ'), or None."""
    folded = fold(raw)
    if not folded:
        return None
    for alias, pattern, framework in _ALIAS_RES:
        if alias in folded and pattern.search(folded):
            return framework
    return None


# QQI's award classes (https://www.qqi.ie, "Award classes": major, minor, special purpose,
# supplemental): an award so named is an award on the Irish NFQ.
_IRISH_AWARD_RE = re.compile(
    r"(?<![a-z])(?:special[\s-]+purpose|minor|supplemental|major)"
    r"[\s-]+awards?(?![a-z])"
)
_DIGIT_RE = re.compile(r"\d")
# AQF qualification types and their levels (Australian Qualifications Framework, 2nd ed.,
# January 2013, "AQF levels" and "AQF qualification type descriptors"). Certificates I-IV
# are written only so in Australia, so they name the AQF themselves; the others ("Diploma",
# "Graduate Certificate") exist elsewhere too and are read only when the AQF is named.
_AQF_CERTIFICATE_RE = re.compile(r"(?<![a-z])certificate\s+(iv|iii|ii|i)(?![a-z])")
_AQF_TYPES = (
    ("advanced diploma", "6"),
    ("associate degree", "6"),
    ("graduate certificate", "8"),
    ("graduate diploma", "8"),
    ("bachelor honours", "8"),
    ("honours degree", "8"),
    ("diploma", "5"),
    ("bachelor", "7"),
    ("masters", "9"),
    ("master", "9"),
    ("doctoral", "10"),
    ("doctorate", "10"),
)
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}


def _aqf_qualification(folded: str, *, named_aqf: bool) -> tuple[str, str] | None:
    """(AQF level, the words that say it) for an AQF qualification type, or None."""
    certificate = _AQF_CERTIFICATE_RE.search(folded)
    if certificate:
        return _ROMAN[certificate.group(1)], certificate.group(0)
    if named_aqf:
        for words, level in _AQF_TYPES:
            if re.search(rf"(?<![a-z]){words}(?![a-z])", folded):
                return level, words
    return None


@memoised_parser
def parse_level(
    raw: str | None, framework_hint: str | Framework | None = None, field: str = "level"
) -> Parsed[Level]:
    """Read a level and its framework; fill `eqf` only from official referencing."""
    text = clean(raw)
    if not text:
        return Parsed(None)
    value = shorten(raw)
    folded = words_to_digits(fold(text))
    issues: list[Issue] = []

    mentions = _framework_mentions(folded)
    named = [fw for _, fw in mentions]
    national = [fw for fw in dict.fromkeys(named) if fw is not Framework.EQF]
    framework = national[0] if national else (Framework.EQF if named else None)
    if len(national) > 1:
        issues.append(
            Issue.warning(
                field,
                IssueCode.AMBIGUOUS,
                f"Several frameworks are named ({', '.join(national)}); used {framework}. "
                "Give one level in one framework.",
                value,
            )
        )

    hint = framework_from_text(framework_hint) if framework_hint else None
    if framework_hint and hint is None:
        issues.append(
            Issue.warning(
                field,
                IssueCode.UNPARSED,
                f"level_framework '{shorten(framework_hint, 60)}' is not a framework we know; "
                f"use one of {', '.join(FRAMEWORKS)}.",
                shorten(framework_hint),
            )
        )
    if framework and hint and hint is not framework:
        issues.append(
            Issue.warning(
                field,
                IssueCode.AMBIGUOUS,
                f"The level names {framework} but level_framework says {hint}; used {framework}. "
                "Make the two agree.",
                value,
            )
        )
    framework = framework or hint

    irish_award = _IRISH_AWARD_RE.search(folded) if framework is None else None
    if irish_award is not None:
        framework = Framework.NFQ
        issues.append(
            Issue.info(
                field,
                IssueCode.DEFAULTED,
                f"'{irish_award.group(0)}' is an Irish award class (QQI), so the level is read on "
                "the NFQ; write 'NFQ Level N' to be sure",
                value,
            )
        )
    native = _entry_level(folded, framework)
    if native is not None:
        framework = framework or Framework.RQF
    elif (
        framework in (None, Framework.AQF)
        and not _DIGIT_RE.search(folded)
        and (aqf := _aqf_qualification(folded, named_aqf=framework is Framework.AQF))
    ):
        native, written = aqf
        if framework is None:
            issues.append(
                Issue.info(
                    field,
                    IssueCode.DEFAULTED,
                    f"'{written}' is an Australian qualification type, at AQF level {native}",
                    value,
                )
            )
        framework = Framework.AQF
    else:
        native = _level_number(folded, mentions, framework, field, value, issues)
    if native is None:
        issues.append(
            Issue.warning(
                field,
                IssueCode.UNPARSED,
                "No level number found; write the framework and its level, e.g. 'NZQF Level 5'.",
                value,
            )
        )
        return Parsed(None, issues)

    if framework is None:
        issues.append(
            Issue.warning(
                field,
                IssueCode.AMBIGUOUS,
                f"Level {native} does not say which framework it belongs to; write e.g. "
                f"'NZQF Level {native}' or fill level_framework.",
                value,
            )
        )
        return Parsed(Level(framework=None, value=native, eqf=None, raw=str(raw)), issues)

    info = FRAMEWORKS[framework]
    base = ENTRY if native.startswith(ENTRY) else native
    if base not in info.levels:
        issues.append(
            Issue.error(
                field,
                IssueCode.INVALID,
                f"{framework} has no level {native}; its levels are "
                f"{info.levels[0]} to {info.levels[-1]}. Check the level or the framework.",
                value,
            )
        )
        return Parsed(None, issues)

    eqf = info.to_eqf.get(base)
    if eqf is None:
        issues.append(
            Issue.warning(
                field,
                IssueCode.NO_CROSSWALK,
                f"{framework} level {native} has no official EQF referencing, so no EQF level "
                "is given. Nothing to fix unless you know a published referencing.",
                value,
            )
        )
    return Parsed(Level(framework=framework, value=native, eqf=eqf, raw=str(raw)), issues)


def _framework_mentions(folded: str) -> list[tuple[int, Framework]]:
    found: dict[int, Framework] = {}
    taken: list[range] = []
    for alias, pattern, framework in _ALIAS_RES:  # longest aliases first
        if alias not in folded:
            continue
        for match in pattern.finditer(folded):
            span = range(match.start(), match.end())
            if any(span.start in t or span.stop - 1 in t for t in taken):
                continue
            taken.append(span)
            found[match.start()] = framework
    return sorted(found.items())


def _entry_level(folded: str, framework: Framework | None) -> str | None:
    if framework not in (None, Framework.RQF):
        return None
    match = _ENTRY_RE.search(folded) or _ENTRY_SHORT_RE.fullmatch(folded)
    if not match:
        return None
    return f"{ENTRY} {match.group(1)}" if match.group(1) else ENTRY


def _level_number(
    folded: str,
    mentions: list[tuple[int, Framework]],
    framework: Framework | None,
    field: str,
    value: str | None,
    issues: list[Issue],
) -> str | None:
    candidates = [(m.start(1), m.group(1)) for m in _LEVEL_NUMBER_RE.finditer(folded)]
    if not candidates:
        # Only numbers right after a framework name or alone: 'EQF 4', '5'.
        spans = [(m.start(1), m.group(1)) for m in _BARE_NUMBER_RE.finditer(folded)]
        candidates = spans if mentions or len(spans) == 1 else spans[:1]
    if not candidates:
        return None
    anchor = next((pos for pos, fw in mentions if fw is framework), None)
    if anchor is None:
        chosen = candidates[0]
    else:
        chosen = min(candidates, key=lambda c: (abs(c[0] - anchor), c[0]))
    number = str(int(chosen[1]))
    tail = _RANGE_TAIL_RE.match(folded, chosen[0] + len(chosen[1]))
    if tail and int(tail.group(1)) != int(number):
        low, high = sorted((int(number), int(tail.group(1))))
        issues.append(
            Issue.warning(
                field,
                IssueCode.AMBIGUOUS,
                f"A range of levels ({low} to {high}) was given; kept the lower, {low}. "
                "Give one level per offering.",
                value,
            )
        )
        return str(low)
    return number

"""Durations: '6 weeks', '3 months part-time', 'PT40H', '2–3 hours per week', '6 weeks, 5 hours per week'.

Conventions (other engineers rely on these):
- a month is 52/12 weeks (4.33), a year 52 weeks, a day 1/7 week (calendar days);
- a range ('2-3 hours per week', '8 to 10 weeks') is read as its midpoint, with an
  APPROXIMATE note, so that one number stands for the offering in filters and sorts;
- total hours are derived as weeks x hours per week only when no total is written;
- 'semester', 'term' and 'trimester' differ between institutions, so they give no number.
"""

from __future__ import annotations

import re

import isodate

from normaliser.issues import Issue, IssueCode, Parsed
from normaliser.parsers.memo import memoised_parser
from normaliser.parsers.numeric import NUMBER_PATTERN, RANGE_JOIN_PATTERN, parse_number, tidy
from normaliser.schema import Duration
from normaliser.text import clean, fold, shorten, words_to_digits

WEEKS_PER_MONTH = 52 / 12
WEEKS_PER_YEAR = 52.0
WEEKS_PER_DAY = 1 / 7

# English first, then (folded: no accents) German, French, Spanish, Swedish, Dutch, Maori
# (haora, wiki, marama: Te Aka Maori Dictionary) and Irish (seachtain, bliain: focloir.ie).
# Words of two letters or fewer in other languages ('ar', 'mi', 'la') are left out: too
# easily something else.
_UNITS = {
    "hour": r"hours?|hrs?|h|stunden?|std|heures?|horas?|timmar|timme|tim|uur|uren|haora",
    "minute": r"minutes?|mins?|minuten?|minutos?|minuter",
    "day": r"days?|tage?n?|jours?|dias?|dagar|dagen|dag",
    "week": r"weeks?|wks?|wk|wochen?|semaines?|semanas?|veckor|vecka|weken|wiki"
    r"|seachtaini|seachtaine|seachtain",
    "month": r"months?|mths?|mos?|monate?n?|mois|meses|mes|manader|manad|maanden|maand"
    r"|marama",
    "year": r"years?|yrs?|jahre?n?|annees?|ans?|anos?|jaren|jaar|bliana|bliain",
}
_UNIT_GROUP = "|".join(f"(?P<{name}>{pattern})" for name, pattern in _UNITS.items())
_PER_WEEK = (
    r"(?:per|each|every|/|p/?)\s*(?:week|wk|w)|weekly"
    r"|(?:pro|je|in der)\s*woche|wochentlich|par\s*semaine|(?:por|a la)\s*semana"
    r"|(?:per|i)\s*veck(?:a|an)|ia\s*wiki|in\s*de\s*week"
)
_PER_DAY = r"(?:per|each|every|/)\s*day|daily"
# '5 hours a week': the article after an hours figure means 'per', not 'one'.
_ARTICLE_PER_RE = re.compile(
    r"((?:hours?|hrs?|h|minutes?|mins?)\s*)(?:a|an)\s+(week|wk|day)(?![a-z])"
)
_QUANTITY_RE = re.compile(
    rf"(?<![\d.,])(?P<n>{NUMBER_PATTERN})(?:{RANGE_JOIN_PATTERN}(?P<n2>{NUMBER_PATTERN}))?"
    rf"\s*-?\s*(?:{_UNIT_GROUP})(?![a-z])"
    rf"(?:\s*(?P<perweek>{_PER_WEEK})(?![a-z])|\s*(?P<perday>{_PER_DAY})(?![a-z]))?"
)
# 'a year', 'an hour a week': the article stands for one when a unit follows.
_ARTICLE_RE = re.compile(rf"(?<![a-z])(?:a|an)\s+(?=(?:{'|'.join(_UNITS.values())})(?![a-z]))")
_HALF_RE = re.compile(r"(?<![a-z])half(?:\s*a|\s*an)?\s+(?=(?:day|year|hour))")
_PART_TIME_RE = re.compile(
    r"(?<![a-z])(?:part[\s-]*time|pt|teilzeit|temps partiel"
    r"|tiempo parcial|deltid|deeltijd)(?![a-z])"
)
_FULL_TIME_RE = re.compile(r"(?<![a-z])full[\s-]*time(?![a-z])|(?<![a-z])ft(?![a-z])")
_TERM_RE = re.compile(r"(?<![a-z])(?:semesters?|terms?|trimesters?|quarters?)(?![a-z])")
_ISO_RE = re.compile(
    r"^P(?!$)(?:\d+(?:[.,]\d+)?[YMWD])*(?:T(?:\d+(?:[.,]\d+)?[HMS])+)?$", re.IGNORECASE
)


@memoised_parser
def parse_duration(raw: str | None, field: str = "duration") -> Parsed[Duration]:
    """Read a length of study into total hours, weeks and hours per week."""
    text = clean(raw)
    if not text:
        return Parsed(None)
    value = shorten(raw)
    if _ISO_RE.match(text.replace(" ", "")):
        return _parse_iso(text.replace(" ", "").upper(), str(raw), field, value)

    folded = words_to_digits(fold(text))
    folded = _ARTICLE_PER_RE.sub(r"\1per \2", folded)
    folded = _ARTICLE_RE.sub("1 ", _HALF_RE.sub("0.5 ", folded))
    issues: list[Issue] = []
    part_time = (
        True if _PART_TIME_RE.search(folded) else False if _FULL_TIME_RE.search(folded) else None
    )

    hours = weeks = hours_per_week = hours_per_day = days = None
    ranged = False
    for match in _QUANTITY_RE.finditer(folded):
        amount, is_range = _amount(match)
        if amount is None:
            continue
        ranged = ranged or is_range
        unit = next(name for name in _UNITS if match.group(name))
        if unit in ("hour", "minute"):
            amount = amount / 60 if unit == "minute" else amount
            if match.group("perweek"):
                hours_per_week = hours_per_week if hours_per_week is not None else amount
            elif match.group("perday"):
                hours_per_day = hours_per_day if hours_per_day is not None else amount
            elif hours is None:
                hours = amount
        elif weeks is None:
            if unit == "day":
                days = amount
            weeks = (
                amount
                * {
                    "day": WEEKS_PER_DAY,
                    "week": 1.0,
                    "month": WEEKS_PER_MONTH,
                    "year": WEEKS_PER_YEAR,
                }[unit]
            )

    if hours is None and hours_per_week is not None and weeks is not None:
        hours = hours_per_week * weeks
    if hours is None and hours_per_day is not None and days is not None:
        hours = hours_per_day * days

    if _TERM_RE.search(folded):
        issues.append(
            Issue.warning(
                field,
                IssueCode.AMBIGUOUS,
                "A semester or term differs in length between institutions; give the length in "
                "weeks, e.g. '15 weeks'.",
                value,
            )
        )
    if hours is None and weeks is None and hours_per_week is None:
        if not issues:
            issues.append(
                Issue.warning(
                    field,
                    IssueCode.UNPARSED,
                    "No length found; write it as hours or weeks, e.g. '6 weeks' or '40 hours'.",
                    value,
                )
            )
        return Parsed(None, issues)
    if ranged:
        issues.append(
            Issue.info(
                field,
                IssueCode.APPROXIMATE,
                "A range was given; the midpoint is used. Give one figure if you can.",
                value,
            )
        )
    return Parsed(
        Duration(
            hours=_round(hours),
            weeks=_round(weeks),
            hours_per_week=_round(hours_per_week),
            part_time=part_time,
            raw=str(raw),
        ),
        issues,
    )


def _amount(match: re.Match[str]) -> tuple[float | None, bool]:
    low = parse_number(match.group("n"))
    if low is None or not match.group("n2"):
        return low, False
    high = parse_number(match.group("n2"))
    if high is None or high <= low:
        return low, False
    return (low + high) / 2, True


def _parse_iso(text: str, raw: str, field: str, value: str | None) -> Parsed[Duration]:
    """ISO 8601: date part (Y, M, W, D) gives weeks, time part (H, M, S) gives hours."""
    date_part, _, time_part = text[1:].partition("T")
    weeks = hours = None
    try:
        if date_part:
            parsed = isodate.parse_duration("P" + date_part)
            if isinstance(parsed, isodate.Duration):
                weeks = (
                    float(parsed.years) * WEEKS_PER_YEAR
                    + float(parsed.months) * WEEKS_PER_MONTH
                    + parsed.tdelta.total_seconds() / 86400 / 7
                )
            else:
                weeks = parsed.total_seconds() / 86400 / 7
        if time_part:
            hours = isodate.parse_duration("PT" + time_part).total_seconds() / 3600
    except (isodate.ISO8601Error, ValueError):
        return Parsed(
            None,
            [
                Issue.warning(
                    field,
                    IssueCode.UNPARSED,
                    "Not a valid ISO 8601 duration; write e.g. 'PT40H' (40 hours) or 'P6W' (6 weeks).",
                    value,
                )
            ],
        )
    if not weeks and not hours:
        return Parsed(
            None,
            [
                Issue.warning(
                    field, IssueCode.INVALID, "The duration is zero; give the real length.", value
                )
            ],
        )
    return Parsed(Duration(hours=_round(hours), weeks=_round(weeks or None), raw=raw))


def _round(number: float | None) -> float | None:
    return None if number is None else tidy(number)

"""Dates: '2027-03-01', '1 March 2027', 'March 1, 2027', '1st Mar 2027', '01/03/2027', '2027-03'.

Numeric dates are read day first (the order used in NZ, AU, IE and GB); when both
readings are valid dates a warning says so. python-dateutil is used only as a last
resort and only when it had no component to invent.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from dateutil import parser as dateutil_parser

from normaliser.issues import Issue, IssueCode, Parsed
from normaliser.parsers.memo import memoised_parser
from normaliser.text import clean, fold, shorten

_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY_RE = re.compile(
    r"(?<![a-z])(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday|rsday)?(?![a-z])\.?,?\s*"
)
_ORDINAL_RE = re.compile(r"(?<=\d)(?:st|nd|rd|th)(?![a-z])")

_ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ][\d:.]+(?:z|[+-]\d{2}:?\d{2})?)?$")
_YMD_SLASH_RE = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_YEAR_MONTH_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_NUMERIC_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$")
_DAY_MONTH_YEAR_RE = re.compile(rf"^(\d{{1,2}})(?:\s+of)?[\s.-]*({_MONTH})\.?[\s,.-]*(\d{{4}})$")
_MONTH_DAY_YEAR_RE = re.compile(rf"^({_MONTH})\.?[\s.-]*(\d{{1,2}})[\s,.-]+(\d{{4}})$")
_MONTH_YEAR_RE = re.compile(rf"^({_MONTH})\.?[\s,.-]*(\d{{4}})$")
_NO_DATE_RE = re.compile(
    r"(?<![a-z])(?:tbc|tba|tbd|rolling|anytime|any time|ongoing|on demand|flexible|enrol any ?time"
    r"|start any ?time|self[\s-]*paced|to be (?:confirmed|advised|announced)|various|monthly|weekly)(?![a-z])"
)
_SPLIT_RE = re.compile(r"[;\n\r|]+")
_YEAR_RE = re.compile(r"\d{4}")

# A start date outside these years is a typing error, not a course run.
_FIRST_YEAR, _LAST_YEAR = 1990, 2100


@memoised_parser
def parse_date(raw: str | None, field: str = "start_dates") -> Parsed[date]:
    """Read one calendar date."""
    text = clean(raw)
    if not text:
        return Parsed(None)
    value = shorten(raw)
    folded = _ORDINAL_RE.sub("", _WEEKDAY_RE.sub("", fold(text))).strip(" ,.")

    for reader in (_read_iso, _read_textual, _read_numeric, _read_month_only):
        result = reader(folded, field, value)
        if result is not None:
            return result
    if _NO_DATE_RE.search(folded):
        return Parsed(
            None,
            [
                Issue.info(
                    field,
                    IssueCode.UNPARSED,
                    "No fixed date given (rolling or to be confirmed); leave the date empty until "
                    "there is one.",
                    value,
                )
            ],
        )
    guessed = _read_with_dateutil(folded)
    if guessed is not None:
        return _checked(guessed.year, guessed.month, guessed.day, field, value)
    return Parsed(
        None,
        [
            Issue.warning(
                field,
                IssueCode.UNPARSED,
                "Not a date we can read; write it as YYYY-MM-DD (e.g. 2027-03-01) or '1 March 2027'.",
                value,
            )
        ],
    )


def parse_dates(raw: str | list[str] | None, field: str = "start_dates") -> Parsed[list[date]]:
    """Read several dates separated by ';', '|' or new lines; keep the good ones, sorted, once each."""
    parts = raw if isinstance(raw, list) else _SPLIT_RE.split(str(raw or ""))
    dates: set[date] = set()
    issues: list[Issue] = []
    for part in parts:
        parsed = parse_date(part, field)
        issues.extend(parsed.issues)
        if parsed.value is not None:
            dates.add(parsed.value)
    return Parsed(sorted(dates), issues)


def _read_iso(text: str, field: str, value: str | None) -> Parsed[date] | None:
    match = _ISO_RE.match(text) or _YMD_SLASH_RE.match(text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    return _checked(year, month, day, field, value)


def _read_textual(text: str, field: str, value: str | None) -> Parsed[date] | None:
    match = _DAY_MONTH_YEAR_RE.match(text)
    if match:
        day, month, year = int(match.group(1)), _MONTHS[match.group(2)], int(match.group(3))
        return _checked(year, month, day, field, value)
    match = _MONTH_DAY_YEAR_RE.match(text)
    if match:
        month, day, year = _MONTHS[match.group(1)], int(match.group(2)), int(match.group(3))
        return _checked(year, month, day, field, value)
    return None


def _read_numeric(text: str, field: str, value: str | None) -> Parsed[date] | None:
    match = _NUMERIC_RE.match(text)
    if not match:
        return None
    first, second, year_text = int(match.group(1)), int(match.group(2)), match.group(3)
    issues: list[Issue] = []
    year = int(year_text)
    if len(year_text) == 2:
        year += 2000
        issues.append(
            Issue.warning(
                field,
                IssueCode.AMBIGUOUS,
                f"Two-digit year read as {year}; write four digits.",
                value,
            )
        )
    if first > 12 >= second:
        day, month = first, second
    elif second > 12 >= first:
        day, month = second, first  # only the US month-first reading is a real date
    else:
        day, month = first, second
        if first != second:
            issues.append(
                Issue.warning(
                    field,
                    IssueCode.AMBIGUOUS,
                    f"Could be {first} {_month_name(second)} or {second} {_month_name(first)}; read "
                    "day first. Write dates as YYYY-MM-DD to avoid this.",
                    value,
                )
            )
    result = _checked(year, month, day, field, value)
    return Parsed(result.value, issues + result.issues)


def _read_month_only(text: str, field: str, value: str | None) -> Parsed[date] | None:
    match = _YEAR_MONTH_RE.match(text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
    else:
        match = _MONTH_YEAR_RE.match(text)
        if not match:
            return None
        year, month = int(match.group(2)), _MONTHS[match.group(1)]
    result = _checked(year, month, 1, field, value)
    if result.value is None:
        return result
    return Parsed(
        result.value,
        [
            Issue.warning(
                field,
                IssueCode.AMBIGUOUS,
                f"Only a month was given; used the first day, {result.value.isoformat()}. Give the "
                "exact start date.",
                value,
            )
        ],
    )


def _read_with_dateutil(text: str) -> datetime | None:
    """dateutil for leftovers, only when year, month and day all come from the text."""
    if not _YEAR_RE.search(text) or len(text) > 40:
        return None
    readings = []
    for default in (datetime(2001, 1, 1), datetime(2002, 2, 2)):
        try:
            readings.append(
                dateutil_parser.parse(text, dayfirst=True, fuzzy=False, default=default)
            )
        except (ValueError, OverflowError, dateutil_parser.ParserError):
            return None
    first, second = readings
    return first if first.date() == second.date() else None


def _checked(year: int, month: int, day: int, field: str, value: str | None) -> Parsed[date]:
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        return Parsed(
            None,
            [
                Issue.error(
                    field,
                    IssueCode.INVALID,
                    f"Year {year} is outside {_FIRST_YEAR}-{_LAST_YEAR}; check the date.",
                    value,
                )
            ],
        )
    try:
        return Parsed(date(year, month, day))
    except ValueError:
        return Parsed(
            None,
            [
                Issue.error(
                    field,
                    IssueCode.INVALID,
                    f"There is no day {day} in month {month} of {year}; check the date.",
                    value,
                )
            ],
        )


def _month_name(month: int) -> str:
    return date(2000, month, 1).strftime("%B") if 1 <= month <= 12 else str(month)

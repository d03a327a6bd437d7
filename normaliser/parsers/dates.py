"""Dates: '2027-03-01', '1 March 2027', 'March 1, 2027', '1st Mar 2027', '01/03/2027', '2027-03',
and approximate ones: 'September 2027' (a month), 'Semester 2, 2027' or '2027' (a year), read as
their first day and kept with their precision and wording, so pages can show them as written.

Numeric dates are read day first (the order used in NZ, AU, IE and GB); when both
readings are valid dates a warning says so. python-dateutil is used only as a last
resort and only when it had no component to invent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from dateutil import parser as dateutil_parser

from normaliser.issues import Issue, IssueCode, Parsed
from normaliser.parsers.memo import memoised_parser
from normaliser.schema import DatePrecision
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
# Month names in the other languages of the markets we serve and their neighbours, folded
# (lower case, no accents), from the Unicode CLDR's month names for French, German, Spanish,
# Dutch, Swedish and Irish; te reo Māori's from Te Taura Whiri i te Reo Māori (the Māori
# Language Commission), with the transliterated names also in use. A month name is only ever
# read inside a date with its day or year, so a name shared by two languages ('mars', 'juni')
# means the same month in both.
_OTHER_LANGUAGE_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("janvier", "januar", "janner", "enero", "januari", "eanair", "kohi-tatea", "hanuere"),
    2: ("fevrier", "februar", "febrero", "februari", "feabhra", "hui-tanguru", "pepuere"),
    3: ("mars", "marz", "marzo", "maart", "marta", "poutu-te-rangi", "maehe"),
    4: ("avril", "abril", "aibrean", "paenga-whawha", "aperira"),
    5: ("mai", "mayo", "mei", "maj", "bealtaine", "haratua"),
    6: ("juin", "juni", "junio", "meitheamh", "pipiri", "hune"),
    7: ("juillet", "juli", "julio", "iuil", "hongongoi", "hurae"),
    8: ("aout", "agosto", "augustus", "augusti", "lunasa", "here-turi-koka", "akuhata"),
    9: ("septembre", "septiembre", "setiembre", "mean fomhair", "mahuru", "hepetema"),
    10: ("octobre", "oktober", "octubre", "deireadh fomhair", "whiringa-a-nuku", "oketopa"),
    11: ("novembre", "noviembre", "samhain", "whiringa-a-rangi", "noema"),
    12: ("decembre", "dezember", "diciembre", "nollaig", "hakihea", "tihema"),
}
for _number, _names in _OTHER_LANGUAGE_MONTHS.items():
    for _name in _names:
        _MONTHS.setdefault(_name, _number)
        _MONTHS.setdefault(_name.replace("-", " "), _number)  # Māori names written unhyphenated
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY_RE = re.compile(
    r"(?<![a-z])(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday|rsday)?(?![a-z])\.?,?\s*"
)
# English ordinals and French "1er" (le premier).
_ORDINAL_RE = re.compile(r"(?<=\d)(?:st|nd|rd|th|er)(?![a-z])")

_ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ][\d:.]+(?:z|[+-]\d{2}:?\d{2})?)?$")
_YMD_SLASH_RE = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_YEAR_MONTH_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_NUMERIC_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$")
# "3 of March", Spanish "1 de septiembre de 2027", Irish "12 Meán Fómhair 2027".
_DAY_MONTH_YEAR_RE = re.compile(
    rf"^(\d{{1,2}})(?:\s+of|\s+de)?[\s.-]*({_MONTH})\.?(?:\s+de)?[\s,.-]*(\d{{4}})$"
)
_MONTH_DAY_YEAR_RE = re.compile(rf"^({_MONTH})\.?[\s.-]*(\d{{1,2}})[\s,.-]+(\d{{4}})$")
_MONTH_YEAR_RE = re.compile(rf"^({_MONTH})\.?(?:\s+de)?[\s,.-]*(\d{{4}})$")
_NO_DATE_RE = re.compile(
    r"(?<![a-z])(?:tbc|tba|tbd|rolling|anytime|any time|ongoing|on demand|flexible|enrol any ?time"
    r"|start any ?time|self[\s-]*paced|to be (?:confirmed|advised|announced)|various|monthly|weekly)(?![a-z])"
)
# A year with a season or a part of the academic year: "Spring 2027", "Semester 2, 2027",
# "Study Period 3, 2027", "Term 1 2027", "2027".
_YEAR_ONLY_RE = re.compile(
    r"^(?:(?:spring|summer|autumn|fall|winter|early|mid|late|semester|trimester|term|quarter"
    r"|study period|teaching period|intake|block|session)[\s\w.-]{0,12}?[\s,.-]*)?(\d{4})$"
)
_SPLIT_RE = re.compile(r"[;\n\r|]+")
_YEAR_RE = re.compile(r"\d{4}")

# A start date outside these years is a typing error, not a course run.
_FIRST_YEAR, _LAST_YEAR = 1990, 2100


@dataclass(frozen=True)
class DateReading:
    """A date as read: the day, how much of it was given, and the words when it was not all."""

    day: date
    precision: DatePrecision | None = None  # None: a full date
    written: str | None = None  # what the provider wrote, kept for an approximate date


def parse_date(raw: str | None, field: str = "start_dates") -> Parsed[date]:
    """Read one calendar date (a month or a year alone gives its first day)."""
    reading = parse_date_reading(raw, field)
    return Parsed(reading.value.day if reading.value else None, reading.issues)


@memoised_parser
def parse_date_reading(raw: str | None, field: str = "start_dates") -> Parsed[DateReading]:
    """Read one calendar date, saying how much of it was given."""
    text = clean(raw)
    if not text:
        return Parsed(None)
    value = shorten(raw)
    folded = _ORDINAL_RE.sub("", _WEEKDAY_RE.sub("", fold(text))).strip(" ,.")

    for reader, precision in (
        (_read_iso, None),
        (_read_textual, None),
        (_read_numeric, None),
        (_read_month_only, DatePrecision.MONTH),
        (_read_year_only, DatePrecision.YEAR),
    ):
        result = reader(folded, field, value)
        if result is not None:
            return _reading(result, precision, text)
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
        return _reading(
            _checked(guessed.year, guessed.month, guessed.day, field, value), None, text
        )
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


def _reading(
    parsed: Parsed[date], precision: DatePrecision | None, text: str
) -> Parsed[DateReading]:
    if parsed.value is None:
        return Parsed(None, parsed.issues)
    written = text[:80] if precision else None
    return Parsed(DateReading(parsed.value, precision, written), parsed.issues)


def parse_dates(raw: str | list[str] | None, field: str = "start_dates") -> Parsed[list[date]]:
    """Read several dates separated by ';', '|' or new lines; keep the good ones, sorted, once each."""
    readings = parse_date_readings(raw, field)
    return Parsed([r.day for r in readings.value or []], readings.issues)


def parse_date_readings(
    raw: str | list[str] | None, field: str = "start_dates"
) -> Parsed[list[DateReading]]:
    """As parse_dates, keeping how much of each date was given; of two readings of one day
    the fuller is kept ("2027-09-01" over "September 2027")."""
    parts = raw if isinstance(raw, list) else _SPLIT_RE.split(str(raw or ""))
    by_day: dict[date, DateReading] = {}
    issues: list[Issue] = []
    for part in parts:
        parsed = parse_date_reading(part, field)
        issues.extend(parsed.issues)
        reading = parsed.value
        if reading is None:
            continue
        kept = by_day.get(reading.day)
        if kept is None or _fullness(reading) > _fullness(kept):
            by_day[reading.day] = reading
    return Parsed([by_day[d] for d in sorted(by_day)], issues)


def _fullness(reading: DateReading) -> int:
    return {None: 2, DatePrecision.MONTH: 1, DatePrecision.YEAR: 0}[reading.precision]


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
                f"Only a month was given; learners see the month and it sorts as "
                f"{result.value.isoformat()}. Give the exact start date.",
                value,
            )
        ],
    )


def _read_year_only(text: str, field: str, value: str | None) -> Parsed[date] | None:
    match = _YEAR_ONLY_RE.match(text)
    if not match:
        return None
    result = _checked(int(match.group(1)), 1, 1, field, value)
    if result.value is None:
        return result
    return Parsed(
        result.value,
        [
            Issue.warning(
                field,
                IssueCode.AMBIGUOUS,
                f"Only the year was given; learners see it as written and it sorts as "
                f"{result.value.isoformat()}. Give the exact start date.",
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

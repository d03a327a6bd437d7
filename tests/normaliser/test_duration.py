"""parse_duration: weeks, months (52/12 weeks), days, hours, ISO 8601, workloads, ranges (midpoint)."""

from __future__ import annotations

import pytest

from normaliser.issues import IssueCode
from normaliser.parsers.duration import WEEKS_PER_MONTH, parse_duration

AMB, APX, INV, UNP = (
    IssueCode.AMBIGUOUS,
    IssueCode.APPROXIMATE,
    IssueCode.INVALID,
    IssueCode.UNPARSED,
)

# raw, expected (hours, weeks, hours_per_week, part_time) or None, issue codes
CASES = [
    # weeks
    ("6 weeks", (None, 6, None, None), []),
    ("6 Weeks", (None, 6, None, None), []),
    ("6 wks", (None, 6, None, None), []),
    ("6wk", (None, 6, None, None), []),
    ("six weeks", (None, 6, None, None), []),
    ("twelve weeks", (None, 12, None, None), []),
    ("a week", (None, 1, None, None), []),
    ("1 week", (None, 1, None, None), []),
    ("10-week course", (None, 10, None, None), []),
    ("Up to 12 weeks", (None, 12, None, None), []),
    ("8-10 weeks", (None, 9, None, None), [APX]),
    ("8–10 weeks", (None, 9, None, None), [APX]),
    ("8 to 10 weeks", (None, 9, None, None), [APX]),
    ("8\u00a0weeks", (None, 8, None, None), []),
    # months and years: 52/12 weeks a month, 52 a year
    ("3 months", (None, 13, None, None), []),
    ("3 months part-time", (None, 13, None, True), []),
    ("3 months part time", (None, 13, None, True), []),
    ("1 month", (None, 4.33, None, None), []),
    ("6 months", (None, 26, None, None), []),
    ("12 months", (None, 52, None, None), []),
    ("one month", (None, 4.33, None, None), []),
    ("18 months part-time", (None, 78, None, True), []),
    ("1 year full-time", (None, 52, None, False), []),
    ("1 year full time", (None, 52, None, False), []),
    ("a year", (None, 52, None, None), []),
    ("2 years part-time", (None, 104, None, True), []),
    ("half a year", (None, 26, None, None), []),
    ("6 mths", (None, 26, None, None), []),
    # days: calendar days, 1/7 week
    ("2 days", (None, 0.29, None, None), []),
    ("5 days", (None, 0.71, None, None), []),
    ("14 days", (None, 2, None, None), []),
    ("3 days, 6 hours per day", (18, 0.43, None, None), []),
    ("2 days (7 hours a day)", (14, 0.29, None, None), []),
    # hours
    ("40 hours", (40, None, None, None), []),
    ("40 hrs", (40, None, None, None), []),
    ("40h", (40, None, None, None), []),
    ("40 h", (40, None, None, None), []),
    ("forty hours", None, [UNP]),
    ("1 hour", (1, None, None, None), []),
    ("an hour", (1, None, None, None), []),
    ("90 minutes", (1.5, None, None, None), []),
    ("45 mins", (0.75, None, None, None), []),
    ("Self-paced, approx. 20 hours", (20, None, None, None), []),
    ("Approximately 150 hours of learning", (150, None, None, None), []),
    ("1,200 hours", (1200, None, None, None), []),
    ("7,5 hours", (7.5, None, None, None), []),
    ("24 hours", (24, None, None, None), []),
    # workload per week
    ("2–3 hours per week", (None, None, 2.5, None), [APX]),
    ("2-3 hours per week", (None, None, 2.5, None), [APX]),
    ("2 to 3 hours a week", (None, None, 2.5, None), [APX]),
    ("5 hours per week", (None, None, 5, None), []),
    ("5 hours a week", (None, None, 5, None), []),
    ("5 hrs/week", (None, None, 5, None), []),
    ("5 hrs/wk", (None, None, 5, None), []),
    ("5h/week", (None, None, 5, None), []),
    ("5 hours weekly", (None, None, 5, None), []),
    ("5 hours pw", (None, None, 5, None), []),
    ("5 hours p/w", (None, None, 5, None), []),
    ("6 weeks, 5 hours per week", (30, 6, 5, None), []),
    ("6 weeks at 5 hours per week", (30, 6, 5, None), []),
    ("5 hours per week for 6 weeks", (30, 6, 5, None), []),
    ("10 hrs/week over 12 weeks, part-time", (120, 12, 10, True), []),
    ("8 weeks, 3-4 hours per week", (28, 8, 3.5, None), [APX]),
    ("12 weeks (5h/week)", (60, 12, 5, None), []),
    ("40 hours over 8 weeks", (40, 8, None, None), []),
    ("40 hours (approx. 5 hours per week over 8 weeks)", (40, 8, 5, None), []),
    ("3 months, 10 hours a week", (130, 13, 10, None), []),
    ("Six weeks, four hours per week", (24, 6, 4, None), []),
    # ISO 8601
    ("PT40H", (40, None, None, None), []),
    ("pt40h", (40, None, None, None), []),
    ("PT7H30M", (7.5, None, None, None), []),
    ("PT90M", (1.5, None, None, None), []),
    ("P6W", (None, 6, None, None), []),
    ("P3M", (None, 13, None, None), []),
    ("P1Y", (None, 52, None, None), []),
    ("P14D", (None, 2, None, None), []),
    ("P10D", (None, 1.43, None, None), []),
    ("P1DT2H", (2, 0.14, None, None), []),
    ("P1Y6M", (None, 78, None, None), []),
    ("P0D", None, [INV]),
    ("PT0H", None, [INV]),
    ("P", None, [UNP]),
    ("PT", None, [UNP]),
    # terms, semesters and no length at all
    ("one semester", None, [AMB]),
    ("1 semester", None, [AMB]),
    ("One term", None, [AMB]),
    ("a trimester", None, [AMB]),
    ("One semester (150 hours)", (150, None, None, None), [AMB]),
    ("Self-paced", None, [UNP]),
    ("Flexible", None, [UNP]),
    ("Ongoing", None, [UNP]),
    ("TBC", None, [UNP]),
    ("part-time", None, [UNP]),
    ("⏰⏰", None, [UNP]),
    ("weeks", None, [UNP]),
    ("long " * 1000, None, [UNP]),
]


@pytest.mark.parametrize(("raw", "expected", "codes"), CASES)
def test_parse_duration(raw, expected, codes) -> None:
    parsed = parse_duration(raw)
    if expected is None:
        assert parsed.value is None
    else:
        d = parsed.value
        assert (d.hours, d.weeks, d.hours_per_week, d.part_time) == expected
        assert d.raw == raw
    assert [i.code for i in parsed.issues] == codes


@pytest.mark.parametrize("raw", ["", " ", None, "\n"])
def test_empty_duration(raw) -> None:
    assert (parse_duration(raw).value, parse_duration(raw).issues) == (None, [])


def test_month_convention_is_52_over_12_weeks() -> None:
    assert WEEKS_PER_MONTH == pytest.approx(4.3333, abs=1e-4)


def test_semester_message_asks_for_weeks() -> None:
    assert "weeks" in parse_duration("one semester").issues[0].message

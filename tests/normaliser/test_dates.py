"""parse_date / parse_dates: ISO, written-out and numeric dates (day first), month-only, lists."""

from __future__ import annotations

from datetime import date

import pytest

from normaliser.issues import IssueCode, Severity
from normaliser.parsers.dates import parse_date, parse_date_readings, parse_dates
from normaliser.schema import DatePrecision

AMB, INV, UNP = IssueCode.AMBIGUOUS, IssueCode.INVALID, IssueCode.UNPARSED
D = date

# raw, expected date or None, issue codes
CASES = [
    ("2027-03-01", D(2027, 3, 1), []),
    ("2027-3-1", D(2027, 3, 1), []),
    ("2027/03/01", D(2027, 3, 1), []),
    ("2027.03.01", D(2027, 3, 1), []),
    ("2027-03-01T09:00:00", D(2027, 3, 1), []),
    ("2027-03-01T09:00:00Z", D(2027, 3, 1), []),
    ("2027-03-01T09:00:00+13:00", D(2027, 3, 1), []),
    ("2027-03-01 09:30", D(2027, 3, 1), []),
    ("1 March 2027", D(2027, 3, 1), []),
    ("01 March 2027", D(2027, 3, 1), []),
    ("1 march 2027", D(2027, 3, 1), []),
    ("1 MARCH 2027", D(2027, 3, 1), []),
    ("1st March 2027", D(2027, 3, 1), []),
    ("1st Mar 2027", D(2027, 3, 1), []),
    ("1st of March 2027", D(2027, 3, 1), []),
    ("2nd Feb 2027", D(2027, 2, 2), []),
    ("3rd Sept 2027", D(2027, 9, 3), []),
    ("22nd September, 2027", D(2027, 9, 22), []),
    ("13 Sep 2027", D(2027, 9, 13), []),
    ("13-Sep-2027", D(2027, 9, 13), []),
    ("13.Sep.2027", D(2027, 9, 13), []),
    ("Mon 1 March 2027", D(2027, 3, 1), []),
    ("Monday, 1 March 2027", D(2027, 3, 1), []),
    ("Wednesday 3 March 2027", D(2027, 3, 3), []),
    ("March 1, 2027", D(2027, 3, 1), []),
    ("March 1 2027", D(2027, 3, 1), []),
    ("Mar. 1st, 2027", D(2027, 3, 1), []),
    ("Monday, March 1, 2027", D(2027, 3, 1), []),
    ("December 31, 2027", D(2027, 12, 31), []),
    ("1\u00a0March\u00a02027", D(2027, 3, 1), []),
    ("  1 March 2027  ", D(2027, 3, 1), []),
    ("29 February 2028", D(2028, 2, 29), []),
    # numeric: day first; both readings valid -> warning
    ("13/09/2027", D(2027, 9, 13), []),
    ("31/12/2027", D(2027, 12, 31), []),
    ("01/03/2027", D(2027, 3, 1), [AMB]),
    ("1/3/2027", D(2027, 3, 1), [AMB]),
    ("01.03.2027", D(2027, 3, 1), [AMB]),
    ("01-03-2027", D(2027, 3, 1), [AMB]),
    ("05/05/2027", D(2027, 5, 5), []),
    ("03/25/2027", D(2027, 3, 25), []),
    ("13/09/27", D(2027, 9, 13), [AMB]),
    ("01/03/27", D(2027, 3, 1), [AMB, AMB]),
    # month only -> first of the month, with a warning
    ("2027-03", D(2027, 3, 1), [AMB]),
    ("2027/03", D(2027, 3, 1), [AMB]),
    ("March 2027", D(2027, 3, 1), [AMB]),
    ("Sept 2027", D(2027, 9, 1), [AMB]),
    ("Feb, 2027", D(2027, 2, 1), [AMB]),
    # impossible dates are errors
    ("31 February 2027", None, [INV]),
    ("2027-02-30", None, [INV]),
    ("29 February 2027", None, [INV]),
    ("32/01/2027", None, [INV]),
    ("2027-13-01", None, [INV]),
    ("2027-13", None, [INV]),
    ("13/13/2027", None, [INV]),
    ("1 March 1027", None, [INV]),
    ("1 March 2999", None, [INV]),
    # not dates; dateutil must not invent the missing parts
    ("March", None, [UNP]),
    ("1 March", None, [UNP]),
    # a year alone, or with a season or a part of the academic year: its first day, with
    # the precision kept (test_precision_and_wording_are_kept)
    ("2027", D(2027, 1, 1), [AMB]),
    ("Term 1 2027", D(2027, 1, 1), [AMB]),
    ("Semester 2", None, [UNP]),
    ("Next Monday", None, [UNP]),
    ("Tomorrow", None, [UNP]),
    ("soon", None, [UNP]),
    ("🗓️", None, [UNP]),
    ("2027-03-01 or thereabouts", None, [UNP]),
    ("x" * 4000, None, [UNP]),
    # no fixed date: an info note, not a warning
    ("TBC", None, [UNP]),
    ("Rolling intake", None, [UNP]),
    ("Start anytime", None, [UNP]),
    ("Ongoing", None, [UNP]),
    ("Self-paced, enrol any time", None, [UNP]),
]


@pytest.mark.parametrize(("raw", "expected", "codes"), CASES)
def test_parse_date(raw, expected, codes) -> None:
    parsed = parse_date(raw)
    assert parsed.value == expected
    assert [i.code for i in parsed.issues] == codes


@pytest.mark.parametrize(
    ("raw", "severity"),
    [
        ("TBC", Severity.INFO),
        ("Rolling intake", Severity.INFO),
        ("soon", Severity.WARNING),
        ("31 February 2027", Severity.ERROR),
        ("01/03/2027", Severity.WARNING),
    ],
)
def test_date_issue_severity(raw, severity) -> None:
    assert parse_date(raw).issues[0].severity is severity


@pytest.mark.parametrize("raw", ["", " ", None, "\t"])
def test_empty_date(raw) -> None:
    assert (parse_date(raw).value, parse_date(raw).issues) == (None, [])


# raw, expected dates, issue codes
LIST_CASES = [
    ("2027-01-18; 2027-09-13", [D(2027, 1, 18), D(2027, 9, 13)], []),
    ("15 March 2027; 2027-07-19", [D(2027, 3, 15), D(2027, 7, 19)], []),
    ("2027-09-13;2027-01-18", [D(2027, 1, 18), D(2027, 9, 13)], []),
    ("2027-01-18\n2027-09-13", [D(2027, 1, 18), D(2027, 9, 13)], []),
    ("2027-01-18\r\n2027-09-13\r\n", [D(2027, 1, 18), D(2027, 9, 13)], []),
    ("2027-01-18 | 2027-09-13", [D(2027, 1, 18), D(2027, 9, 13)], []),
    ("2027-01-18; 2027-01-18", [D(2027, 1, 18)], []),
    ("2027-01-18; ; ;", [D(2027, 1, 18)], []),
    ("2027-01-18; soon; 1 July 2027", [D(2027, 1, 18), D(2027, 7, 1)], [UNP]),
    ("31 February 2027; 1 March 2027", [D(2027, 3, 1)], [INV]),
    ("TBC", [], [UNP]),
    ("", [], []),
    (None, [], []),
    (["2027-01-18", "1 March 2027"], [D(2027, 1, 18), D(2027, 3, 1)], []),
    (["2027-01-18", "", "nope"], [D(2027, 1, 18)], [UNP]),
    ([], [], []),
]


@pytest.mark.parametrize(("raw", "expected", "codes"), LIST_CASES)
def test_parse_dates(raw, expected, codes) -> None:
    parsed = parse_dates(raw)
    assert parsed.value == expected
    assert [i.code for i in parsed.issues] == codes


def test_ambiguous_date_message_gives_both_readings() -> None:
    message = parse_date("01/03/2027").issues[0].message
    assert "March" in message and "January" in message and "YYYY-MM-DD" in message


def test_issue_field_is_passed_through() -> None:
    assert parse_dates("soon", field="start").issues[0].field == "start"


@pytest.mark.parametrize(
    ("raw", "precision", "written"),
    [
        ("September 2027", DatePrecision.MONTH, "September 2027"),
        ("Sept. 2027", DatePrecision.MONTH, "Sept. 2027"),
        ("2027-09", DatePrecision.MONTH, "2027-09"),
        ("Semester 2, 2027", DatePrecision.YEAR, "Semester 2, 2027"),
        ("Study Period 3, 2027", DatePrecision.YEAR, "Study Period 3, 2027"),
        ("Spring 2027", DatePrecision.YEAR, "Spring 2027"),
        ("1 September 2027", None, None),
    ],
)
def test_precision_and_wording_are_kept(raw, precision, written) -> None:
    (reading,) = parse_date_readings(raw).value
    assert (reading.precision, reading.written) == (precision, written)


def test_of_two_readings_of_one_day_the_fuller_is_kept() -> None:
    readings = parse_date_readings("September 2027; 2027-09-01; 2028").value
    assert [(r.day, r.precision) for r in readings] == [
        (D(2027, 9, 1), None),
        (D(2028, 1, 1), DatePrecision.YEAR),
    ]

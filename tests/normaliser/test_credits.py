"""parse_credits: credit systems, decimal commas, hints, conversions by one stated convention."""

from __future__ import annotations

import pytest

from normaliser.issues import IssueCode, Severity
from normaliser.parsers.credits import credit_system_from_text, parse_credits
from normaliser.schema import CreditSystem

ECTS, NZ, CATS, SCQF, US, HOURS = (
    CreditSystem.ECTS,
    CreditSystem.NZ_CREDITS,
    CreditSystem.CATS,
    CreditSystem.SCQF,
    CreditSystem.US_SCH,
    CreditSystem.HOURS,
)
AMB, APX, DEF, INV, UNP = (
    IssueCode.AMBIGUOUS,
    IssueCode.APPROXIMATE,
    IssueCode.DEFAULTED,
    IssueCode.INVALID,
    IssueCode.UNPARSED,
)

# raw, hint, expected (value, system, ects, hours, approximate) or None, issue codes
CASES = [
    # ECTS: 25 hours per credit (lower bound of the ECTS Users' Guide range)
    ("5 ECTS", None, (5, ECTS, 5, 125, False), []),
    ("7.5 ECTS credits", None, (7.5, ECTS, 7.5, 187.5, False), []),
    ("2,5 ECTS", None, (2.5, ECTS, 2.5, 62.5, False), []),
    ("10 ECTS points", None, (10, ECTS, 10, 250, False), []),
    ("ECTS: 6", None, (6, ECTS, 6, 150, False), []),
    ("ECTS 3", None, (3, ECTS, 3, 75, False), []),
    ("6 European credits", None, (6, ECTS, 6, 150, False), []),
    ("4 ects", None, (4, ECTS, 4, 100, False), []),
    ("1,5 ECTS-credits", None, (1.5, ECTS, 1.5, 37.5, False), []),
    ("five ECTS", None, (5, ECTS, 5, 125, False), []),
    ("15 credits (7.5 ECTS)", "NZ", (7.5, ECTS, 7.5, 187.5, False), []),
    ("15 credits (150 hours)", "NZ", (15, NZ, 7.5, 150, False), [DEF]),
    ("15 NZ credits, 150 learning hours", None, (15, NZ, 7.5, 150, False), []),
    ("150 hours / 6 ECTS", None, (6, ECTS, 6, 150, False), []),
    ("5\u00a0ECTS", None, (5, ECTS, 5, 125, False), []),
    ("5ECTS", None, (5, ECTS, 5, 125, False), []),
    # New Zealand: 10 hours per credit, 2 credits per ECTS
    ("15 NZ credits", None, (15, NZ, 7.5, 150, False), []),
    ("15 NZQA credits", None, (15, NZ, 7.5, 150, False), []),
    ("10 NZQF credits", None, (10, NZ, 5, 100, False), []),
    ("60 New Zealand credits", None, (60, NZ, 30, 600, False), []),
    ("15 credits", "NZ_CREDITS", (15, NZ, 7.5, 150, False), []),
    ("15 credits", NZ, (15, NZ, 7.5, 150, False), []),
    ("15 credits", "NZ credits", (15, NZ, 7.5, 150, False), []),
    ("15 credits", "NZ", (15, NZ, 7.5, 150, False), [DEF]),
    ("5 credits", "nz", (5, NZ, 2.5, 50, False), [DEF]),
    ("10", "NZ credits", (10, NZ, 5, 100, False), []),
    ("40 credits", "NZQA", (40, NZ, 20, 400, False), []),
    # UK CATS and SCQF: 10 hours, 2 per ECTS
    ("10 CATS points", None, (10, CATS, 5, 100, False), []),
    ("20 CATS credits", None, (20, CATS, 10, 200, False), []),
    ("15 UK credits", None, (15, CATS, 7.5, 150, False), []),
    ("12 cats", None, (12, CATS, 6, 120, False), []),
    ("20 credits", "GB", (20, CATS, 10, 200, False), [DEF]),
    ("20 credits", "UK", (20, CATS, 10, 200, False), [DEF]),
    ("8", "SCQF", (8, SCQF, 4, 80, False), []),
    ("6 SCQF credit points", None, (6, SCQF, 3, 60, False), []),
    ("30 SCQF points", None, (30, SCQF, 15, 300, False), []),
    ("24 SCQF credits", None, (24, SCQF, 12, 240, False), []),
    # US semester credit hours: approximate
    ("3 US credit hours", None, (3, US, 6, 135, True), [APX]),
    ("3 credit hours", None, (3, US, 6, 135, True), [APX]),
    ("4 semester credit hours", None, (4, US, 8, 180, True), [APX]),
    ("3 semester hours", None, (3, US, 6, 135, True), [APX]),
    ("1 SCH", None, (1, US, 2, 45, True), [APX]),
    ("3 credits", "US", (3, US, 6, 135, True), [DEF, APX]),
    ("3", "US_SCH", (3, US, 6, 135, True), [APX]),
    # plain hours: hours -> ECTS at 25 h, approximate
    ("40 notional hours", None, (40, HOURS, 1.6, 40, True), [APX]),
    ("40 hours", None, (40, HOURS, 1.6, 40, True), [APX]),
    ("100 learning hours", None, (100, HOURS, 4, 100, True), [APX]),
    ("50 hrs", None, (50, HOURS, 2, 50, True), [APX]),
    ("25 h", None, (25, HOURS, 1, 25, True), [APX]),
    ("120 guided learning hours", None, (120, HOURS, 4.8, 120, True), [APX]),
    ("30 GLH", None, (30, HOURS, 1.2, 30, True), [APX]),
    ("75 hours of study", None, (75, HOURS, 3, 75, True), [APX]),
    ("1,000 hours", None, (1000, HOURS, 40, 1000, True), [APX]),
    ("60", "hours", (60, HOURS, 2.4, 60, True), [APX]),
    # the system is the default of the provider's country
    ("10 credits", "IE", (10, ECTS, 10, 250, False), [DEF]),
    ("6 credits", "DE", (6, ECTS, 6, 150, False), [DEF]),
    ("5", "FR", (5, ECTS, 5, 125, False), [DEF]),
    # no system known: value kept, ambiguous
    ("15 credits", None, (15, None, None, None, False), [AMB]),
    ("15", None, (15, None, None, None, False), [AMB]),
    ("15 credit points", "AU", (15, None, None, None, False), [AMB]),
    ("12.5 points", None, (12.5, None, None, None, False), [AMB]),
    ("15 credits", "Galactic credits", (15, None, None, None, False), [UNP, AMB]),
    ("10 cr", None, (10, None, None, None, False), [AMB]),
    # ranges keep the lower bound
    ("5-10 ECTS", None, (5, ECTS, 5, 125, False), [AMB]),
    ("5\u201310 ECTS", None, (5, ECTS, 5, 125, False), [AMB]),
    ("15 to 30 NZ credits", None, (15, NZ, 7.5, 150, False), [AMB]),
    # no credit, or nothing readable
    ("Non-credit", None, (0, None, 0, None, False), []),
    ("Not credit-bearing", None, (0, None, 0, None, False), []),
    ("0 ECTS", None, (0, ECTS, 0, 0, False), []),
    ("lots", None, None, [UNP]),
    ("TBC", None, None, [UNP]),
    ("credits", None, None, [UNP]),
    ("ECTS", None, None, [UNP]),
    ("🎓🎓🎓", None, None, [UNP]),
    ("5000 ECTS", None, None, [INV]),
    ("99999 hours", None, None, [INV]),
    ("z" * 3000, None, None, [UNP]),
]


@pytest.mark.parametrize(("raw", "hint", "expected", "codes"), CASES)
def test_parse_credits(raw, hint, expected, codes) -> None:
    parsed = parse_credits(raw, system_hint=hint)
    if expected is None:
        assert parsed.value is None
    else:
        value = parsed.value
        assert (value.value, value.system, value.ects, value.hours, value.approximate) == expected
        assert value.raw == raw
    assert [i.code for i in parsed.issues] == codes


@pytest.mark.parametrize("raw", ["", "  ", None, "\u200b"])
def test_empty_credits(raw) -> None:
    assert parse_credits(raw).value is None
    assert parse_credits(raw).issues == []


def test_approximate_note_is_info_and_names_the_convention() -> None:
    issue = parse_credits("3 US credit hours").issues[0]
    assert issue.severity is Severity.INFO
    assert "1.8-2.3" in issue.message


def test_ambiguous_message_tells_how_to_fix() -> None:
    issue = parse_credits("15 credits", field="credits").issues[0]
    assert issue.field == "credits"
    assert "credit_system" in issue.message


@pytest.mark.parametrize(
    ("text", "system"),
    [
        ("ECTS", ECTS),
        ("ects", ECTS),
        ("NZ credits", NZ),
        ("NZQA", NZ),
        ("NZ_CREDITS", NZ),
        ("CATS", CATS),
        ("CATS points", CATS),
        ("SCQF", SCQF),
        ("US_SCH", US),
        ("semester credit hours", US),
        ("hours", HOURS),
        ("HOURS", HOURS),
        ("credits", None),
        ("", None),
        ("bananas", None),
    ],
)
def test_credit_system_from_text(text, system) -> None:
    assert credit_system_from_text(text) is system

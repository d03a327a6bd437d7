"""parse_level: frameworks written many ways, EQF only from official referencing."""

from __future__ import annotations

import pytest

from normaliser.issues import IssueCode, Severity
from normaliser.parsers.level import framework_from_text, parse_level
from normaliser.schema import Framework

NZQF, NFQ, SCQF, RQF, AQF, EQF = (
    Framework.NZQF,
    Framework.NFQ,
    Framework.SCQF,
    Framework.RQF,
    Framework.AQF,
    Framework.EQF,
)
AMB, NOX, INV, UNP = (
    IssueCode.AMBIGUOUS,
    IssueCode.NO_CROSSWALK,
    IssueCode.INVALID,
    IssueCode.UNPARSED,
)

# raw, framework_hint, expected (framework, value, eqf) or None, expected issue codes
CASES = [
    # New Zealand, written every way we have seen
    ("NZQF Level 5", None, (NZQF, "5", 5), []),
    ("NZQF level 5", None, (NZQF, "5", 5), []),
    ("NZQF L5", None, (NZQF, "5", 5), []),
    ("NZQCF L5", None, (NZQF, "5", 5), []),
    ("NZQCF Level 7", None, (NZQF, "7", 6), []),
    ("Level 10, NZQF", None, (NZQF, "10", 8), []),
    ("Level 4 (NZQF)", None, (NZQF, "4", 4), []),
    ("NZQA Level 3", None, (NZQF, "3", 4), []),
    ("New Zealand Qualifications Framework level 6", None, (NZQF, "6", 5), []),
    ("New Zealand Qualifications and Credentials Framework Level 2", None, (NZQF, "2", 3), []),
    ("nzqf level five", None, (NZQF, "5", 5), []),
    ("NZQF Level 1", None, (NZQF, "1", 2), []),
    ("NZQF Level 9", None, (NZQF, "9", 7), []),
    ("NZQF Level 8", None, (NZQF, "8", None), [NOX]),
    ("NZQF Level 11", None, None, [INV]),
    ("NZQF Level 0", None, None, [INV]),
    ("NZQF-Level-6", None, (NZQF, "6", 5), []),
    ("NZQF\u00a0Level\u00a05", None, (NZQF, "5", 5), []),
    ("  NZQF   Level   5  ", None, (NZQF, "5", 5), []),
    ("Level 5 NZQF, 60 credits", None, (NZQF, "5", 5), []),
    # Ireland
    ("Level 7 (NFQ)", None, (NFQ, "7", 6), []),
    ("NFQ Level 6", None, (NFQ, "6", 5), []),
    ("QQI Level 5", None, (NFQ, "5", 4), []),
    ("QQI level 6 Special Purpose Award", None, (NFQ, "6", 5), []),
    ("NFQ 8", None, (NFQ, "8", 6), []),
    ("Level 9 on the National Framework of Qualifications", None, (NFQ, "9", 7), []),
    ("NFQ Level 10", None, (NFQ, "10", 8), []),
    ("NFQ Level 1", None, (NFQ, "1", 1), []),
    ("NFQ Level 2", None, (NFQ, "2", 1), []),
    ("NFQ Level 8 (EQF 6)", None, (NFQ, "8", 6), []),
    ("Level 11 (NFQ)", None, None, [INV]),
    # Scotland
    ("SCQF level 8", None, (SCQF, "8", 5), []),
    ("SCQF Level 7", None, (SCQF, "7", 5), []),
    ("SCQF level 11", None, (SCQF, "11", 7), []),
    ("SCQF level 12", None, (SCQF, "12", 8), []),
    ("SCQF level 3", None, (SCQF, "3", 1), []),
    ("SCQF level 2", None, (SCQF, "2", None), [NOX]),
    ("SCQF level 13", None, None, [INV]),
    ("SCQF level 8 (EQF level 5)", None, (SCQF, "8", 5), []),
    ("Scottish Credit and Qualifications Framework level 9", None, (SCQF, "9", 6), []),
    # England, Northern Ireland, Wales; FHEQ and QCF are read as RQF
    ("RQF Level 3", None, (RQF, "3", 4), []),
    ("RQF Level 6", None, (RQF, "6", 6), []),
    ("RQF Level 4", None, (RQF, "4", 5), []),
    ("RQF Level 5", None, (RQF, "5", 5), []),
    ("RQF Level 7", None, (RQF, "7", 7), []),
    ("RQF Level 8", None, (RQF, "8", 8), []),
    ("RQF level 1", None, (RQF, "1", 2), []),
    ("FHEQ Level 7", None, (RQF, "7", 7), []),
    ("QCF Level 2", None, (RQF, "2", 3), []),
    ("CQFW Level 4", None, (RQF, "4", 5), []),
    ("Entry level", None, (RQF, "Entry", 1), []),
    ("Entry Level 3", None, (RQF, "Entry 3", 1), []),
    ("RQF Entry 2", None, (RQF, "Entry 2", 1), []),
    ("E3", None, (RQF, "Entry 3", 1), []),
    ("RQF Level 9", None, None, [INV]),
    # Australia: no referencing, so never an EQF level
    ("AQF 6", None, (AQF, "6", None), [NOX]),
    ("AQF Level 8", None, (AQF, "8", None), [NOX]),
    ("Australian Qualifications Framework Level 5", None, (AQF, "5", None), [NOX]),
    ("AQF 11", None, None, [INV]),
    # EQF itself
    ("EQF 4", None, (EQF, "4", 4), []),
    ("EQF Level 6", None, (EQF, "6", 6), []),
    ("EQF level 8", None, (EQF, "8", 8), []),
    ("EQF 9", None, None, [INV]),
    ("European Qualifications Framework level 5", None, (EQF, "5", 5), []),
    # a bare number with and without a framework hint
    ("5", "NZQF", (NZQF, "5", 5), []),
    ("4", "NZQF", (NZQF, "4", 4), []),
    ("5", "NFQ", (NFQ, "5", 4), []),
    ("5", Framework.SCQF, (SCQF, "5", 3), []),
    ("level five", "NZQCF", (NZQF, "5", 5), []),
    ("Level 6", "AQF", (AQF, "6", None), [NOX]),
    ("L7", "nfq", (NFQ, "7", 6), []),
    ("5", None, (None, "5", None), [AMB]),
    ("Level 5", None, (None, "5", None), [AMB]),
    ("level 7", None, (None, "7", None), [AMB]),
    ("Level five", None, (None, "5", None), [AMB]),
    ("5", "Klingon framework", (None, "5", None), [UNP, AMB]),
    ("SCQF level 6", "NZQF", (SCQF, "6", 4), [AMB]),
    # ranges, several frameworks, no level at all
    ("Level 5-6", "NZQF", (NZQF, "5", 5), [AMB]),
    ("NZQF Level 5 to 6", None, (NZQF, "5", 5), [AMB]),
    ("NZQF Level 6 and NFQ Level 7", None, (NZQF, "6", 5), [AMB]),
    ("Advanced", None, None, [UNP]),
    ("Beginner", "NZQF", None, [UNP]),
    ("NZQF", None, None, [UNP]),
    ("Postgraduate", None, None, [UNP]),
    ("N/A", None, None, [UNP]),
    ("🎓 NZQF Level 5 🎓", None, (NZQF, "5", 5), []),
    ("Level ５", "NZQF", (NZQF, "5", 5), []),
    ("x" * 5000, None, None, [UNP]),
]


@pytest.mark.parametrize(("raw", "hint", "expected", "codes"), CASES)
def test_parse_level(raw, hint, expected, codes) -> None:
    parsed = parse_level(raw, framework_hint=hint)
    if expected is None:
        assert parsed.value is None
    else:
        framework, value, eqf = expected
        assert (parsed.value.framework, parsed.value.value, parsed.value.eqf) == (
            framework,
            value,
            eqf,
        )
        assert parsed.value.raw == raw
    assert [i.code for i in parsed.issues] == codes


@pytest.mark.parametrize("raw", ["", "   ", "\u00a0", "\n\t", None])
def test_empty_level_is_no_value_and_no_issue(raw) -> None:
    parsed = parse_level(raw)
    assert parsed.value is None
    assert parsed.issues == []


def test_out_of_range_is_an_error_that_says_the_range() -> None:
    issue = parse_level("NZQF Level 11").issues[0]
    assert issue.severity is Severity.ERROR
    assert issue.field == "level"
    assert "1 to 10" in issue.message
    assert issue.value == "NZQF Level 11"


def test_no_crosswalk_is_a_warning_on_the_named_field() -> None:
    issue = parse_level("AQF 6", field="lvl").issues[0]
    assert (issue.severity, issue.field) == (Severity.WARNING, "lvl")


def test_long_value_is_shortened_in_the_issue() -> None:
    issue = parse_level("y" * 5000).issues[0]
    assert len(issue.value) <= 200


@pytest.mark.parametrize(
    ("text", "framework"),
    [
        ("NZQF", NZQF),
        ("nzqcf", NZQF),
        ("NZQA", NZQF),
        ("NFQ", NFQ),
        ("QQI", NFQ),
        ("SCQF", SCQF),
        ("RQF", RQF),
        ("FHEQ", RQF),
        ("QCF", RQF),
        ("AQF", AQF),
        ("EQF", EQF),
        ("Irish NFQ", NFQ),
        ("", None),
        ("ISCED", None),
        ("Level", None),
    ],
)
def test_framework_from_text(text, framework) -> None:
    assert framework_from_text(text) is framework

"""National award types that carry their framework or level (issue 12, item 5): Irish QQI
award classes (major, minor, special purpose, supplemental; qqi.ie) are NFQ awards;
Australian Certificates I-IV are AQF levels 1-4, and with the AQF named, Diploma (5),
Advanced Diploma and Associate Degree (6), Graduate Certificate and Diploma (8) (AQF 2nd
ed., January 2013). Words that other frameworks use too ('Diploma') decide nothing alone."""

from __future__ import annotations

import pytest

from normaliser.issues import IssueCode
from normaliser.parsers.level import parse_level
from normaliser.schema import Framework


@pytest.mark.parametrize(
    ("written", "hint", "framework", "level", "eqf"),
    [
        ("Special Purpose Award (Level 8)", None, Framework.NFQ, "8", 6),
        ("Minor Award at Level 5", None, Framework.NFQ, "5", 4),
        ("QQI Special Purpose Award, NFQ Level 6", None, Framework.NFQ, "6", 5),
        ("Certificate III in Carpentry", None, Framework.AQF, "3", None),
        ("Certificate IV in Training and Assessment", None, Framework.AQF, "4", None),
        ("Certificate I in Construction", None, Framework.AQF, "1", None),
        ("Diploma of Nursing", "AQF", Framework.AQF, "5", None),
        ("Advanced Diploma of Engineering", "AQF", Framework.AQF, "6", None),
        ("Graduate Certificate in Data Science", "AQF", Framework.AQF, "8", None),
    ],
)
def test_award_types_that_say_their_level(written, hint, framework, level, eqf):
    parsed = parse_level(written, hint)
    assert parsed.value is not None, parsed.issues
    assert (parsed.value.framework, parsed.value.value, parsed.value.eqf) == (framework, level, eqf)


def test_an_implied_framework_is_said():
    parsed = parse_level("Certificate III in Carpentry")
    assert IssueCode.DEFAULTED in [i.code for i in parsed.issues]


@pytest.mark.parametrize(
    ("written", "hint"), [("Diploma of Nursing", None), ("Certificate II", "NZQF")]
)
def test_words_other_frameworks_use_decide_nothing(written, hint):
    assert parse_level(written, hint).value is None

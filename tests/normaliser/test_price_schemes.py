"""Funding schemes are not prices: 'FEE-HELP eligible', 'Fees Free eligible', 'free to
eligible participants' say who may not pay, not that the course is free (issue 12, item 5).

The schemes: New Zealand's Fees Free for first-time tertiary learners (feesfree.govt.nz),
Australia's FEE-HELP / HECS-HELP loans and VET Student Loans (studyassist.gov.au), NZ
StudyLink student loans, Ireland's Springboard+ (springboardcourses.ie, free to eligible
participants). 'Fees free' written alone is the NZ scheme too: free to those who qualify,
not to everyone.
"""

from __future__ import annotations

import pytest

from normaliser.issues import IssueCode
from normaliser.parsers.price import parse_price


@pytest.mark.parametrize(
    "written",
    [
        "FEE-HELP eligible",
        "VET Student Loan eligible",
        "Fees Free eligible",
        "Eligible for Fees Free",
        "Fees free",
        "Fees-free",
        "Springboard+ funded (free to eligible participants)",
        "Free to eligible learners",
    ],
)
def test_a_scheme_alone_is_no_price_and_never_free(written):
    parsed = parse_price(written, "NZD")
    assert parsed.value is None
    assert [i.code for i in parsed.issues] == [IssueCode.AMBIGUOUS]
    assert "funding scheme" in parsed.issues[0].message


@pytest.mark.parametrize(
    ("written", "amount", "currency"),
    [
        ("$450 (fees free eligible)", 450, "NZD"),
        ("A$3,500 (FEE-HELP available)", 3500, "AUD"),
        ("NZ$1,250 incl. GST; StudyLink student loans available", 1250, "NZD"),
    ],
)
def test_a_price_beside_a_scheme_is_the_price(written, amount, currency):
    parsed = parse_price(written, "NZD")
    assert parsed.value is not None
    assert (parsed.value.amount, parsed.value.currency, parsed.value.is_free) == (
        amount,
        currency,
        False,
    )
    assert any("funding scheme" in i.message for i in parsed.issues)


@pytest.mark.parametrize("written", ["Free", "No fees", "Free of charge", "$0"])
def test_free_still_means_free(written):
    parsed = parse_price(written, "NZD")
    assert parsed.value is not None and parsed.value.is_free

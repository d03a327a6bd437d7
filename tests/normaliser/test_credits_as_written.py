"""Credits as the world writes them: national units that are ECTS by definition, a
framework's name in place of the credit system, and totals in words.

Where the forms come from (each row says which):
- Sweden: Mid Sweden University's admissions FAQ writes "30hp", "15hp", "22,5 hp" and
  "7,5 hp" (https://www.miun.se/utbildning/antagning/Vanliga-fragor-och-svar/faq/
  Hur-manga-poang-kan-jag-bli-antagen-till-per-termin/); Umeå University's "högskolepoäng
  (hp)", "1,5 högskolepoäng = 1 veckas heltidsstudier" (https://www.umu.se/utbildning/
  universitetsstudier---sa-funkar-det/). 60 hp is a year of full-time study, as 60 ECTS is
  (Higher Education Ordinance SFS 1993:100, ch. 6; SFS wiki "Högskolepoäng").
- Norway (studiepoeng), Finland (opintopiste, op), the Netherlands (EC), Germany (LP/KP):
  their laws define these as ECTS credits, one for one (see normaliser/parsers/credits.py);
  the forms are the abbreviations those laws and institutions use.
- "15 credits (NZQF)": the form issue 12 reports from NZ providers' pages.
"""

from __future__ import annotations

import pytest

from normaliser.issues import IssueCode
from normaliser.parsers.credits import parse_credits
from normaliser.schema import CreditSystem

ECTS, NZ, CATS, SCQF = (
    CreditSystem.ECTS,
    CreditSystem.NZ_CREDITS,
    CreditSystem.CATS,
    CreditSystem.SCQF,
)


@pytest.mark.parametrize(
    ("written", "value", "system", "ects"),
    [
        # Sweden (miun.se, umu.se)
        ("30hp", 30, ECTS, 30),
        ("15hp", 15, ECTS, 15),
        ("22,5 hp", 22.5, ECTS, 22.5),
        ("7,5 hp", 7.5, ECTS, 7.5),
        ("1,5 högskolepoäng", 1.5, ECTS, 1.5),
        ("60 högskolepoäng (hp)", 60, ECTS, 60),
        # Norway, Finland, the Netherlands, Germany, Spain
        ("10 studiepoeng", 10, ECTS, 10),
        ("7,5 stp", 7.5, ECTS, 7.5),
        ("10 sp", 10, ECTS, 10),
        ("5 op", 5, ECTS, 5),
        ("5 opintopistettä", 5, ECTS, 5),
        ("5 EC", 5, ECTS, 5),
        ("6 studiepunten", 6, ECTS, 6),
        ("6 LP", 6, ECTS, 6),
        ("5 Leistungspunkte", 5, ECTS, 5),
        ("6 créditos ECTS", 6, ECTS, 6),
    ],
)
def test_national_units_that_are_ects(written, value, system, ects):
    parsed = parse_credits(written)
    assert parsed.value is not None, parsed.issues
    assert (parsed.value.value, parsed.value.system, parsed.value.ects) == (value, system, ects)
    assert not parsed.issues


@pytest.mark.parametrize(
    ("written", "value", "system"),
    [
        ("15 credits (NZQF)", 15, NZ),
        ("60 credits (NZQF Level 5)", 60, NZ),
        ("a 15 credit module at NZQF level 5", 15, NZ),
        ("30 credits (SCQF)", 30, SCQF),
        ("20 credits (FHEQ Level 6)", 20, CATS),
        ("15 credits, RQF Level 3", 15, CATS),
    ],
)
def test_a_framework_named_beside_credits_says_whose_they_are(written, value, system):
    parsed = parse_credits(written)
    assert parsed.value is not None
    assert (parsed.value.value, parsed.value.system) == (value, system)
    assert [i.code for i in parsed.issues if i.field == "credits"][:1] == [IssueCode.DEFAULTED]


@pytest.mark.parametrize(
    "written", ["10 credits (AQF)", "5 credits (EQF Level 5)", "10 credits (NFQ Level 6)"]
)
def test_frameworks_without_one_credit_system_settle_nothing(written):
    parsed = parse_credits(written)
    assert parsed.value is not None and parsed.value.system is None
    assert IssueCode.AMBIGUOUS in [i.code for i in parsed.issues]


@pytest.mark.parametrize(
    ("written", "value", "system"),
    [
        ("fifteen credits (NZQF)", 15, NZ),
        ("Sixty ECTS", 60, ECTS),
        ("twenty-five ECTS", 25, ECTS),
        ("Seven and a half ECTS", 7.5, ECTS),
        ("one hundred and twenty SCQF credit points", 120, SCQF),
        ("two hundred and forty ECTS", 240, ECTS),
    ],
)
def test_credit_totals_in_words(written, value, system):
    parsed = parse_credits(written)
    assert parsed.value is not None, parsed.issues
    assert (parsed.value.value, parsed.value.system) == (value, system)


def test_words_that_are_not_one_number_are_not_added_up():
    parsed = parse_credits("ten and twenty credits")
    assert parsed.value is not None and parsed.value.value != 30

"""Credit systems and the one conversion convention we use for each.

The published conventions disagree: a 10-hour credit gives 20 hours per ECTS by
hours, but two such credits make one ECTS by full-time year (120 credits = 60
ECTS). We pick one convention per conversion, named in `ects_source` and
`hours_source`, and flag the loose ones as approximate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from normaliser.schema import CreditSystem

# ECTS Users' Guide (2015): 60 ECTS = one full-time year of 1,500-1,800 hours, i.e.
# 25-30 hours per credit. We use the lower bound, 25, in both directions (ECTS ->
# hours and hours -> ECTS) so that a round trip gives back the same number.
HOURS_PER_ECTS = 25.0


@dataclass(frozen=True)
class CreditSystemInfo:
    system: CreditSystem
    name: str
    hours_per_credit: float
    ects_per_credit: float
    approximate: bool  # True when the conversion rests on a loose convention
    hours_source: str
    ects_source: str


CREDIT_SYSTEMS: Mapping[CreditSystem, CreditSystemInfo] = MappingProxyType(
    {
        CreditSystem.ECTS: CreditSystemInfo(
            CreditSystem.ECTS,
            "European Credit Transfer and Accumulation System",
            hours_per_credit=HOURS_PER_ECTS,
            ects_per_credit=1.0,
            approximate=False,
            hours_source="ECTS Users' Guide 2015: 25-30 h per credit; lower bound 25 h used.",
            ects_source="identity",
        ),
        CreditSystem.NZ_CREDITS: CreditSystemInfo(
            CreditSystem.NZ_CREDITS,
            "New Zealand credits (NZQCF)",
            hours_per_credit=10.0,
            ects_per_credit=0.5,
            approximate=False,
            hours_source="NZQA: one credit = 10 notional learning hours.",
            ects_source="NZQA: 120 credits = one full-time year = 60 ECTS, so 2 credits = 1 ECTS.",
        ),
        CreditSystem.CATS: CreditSystemInfo(
            CreditSystem.CATS,
            "UK Credit Accumulation and Transfer Scheme",
            hours_per_credit=10.0,
            ects_per_credit=0.5,
            approximate=False,
            hours_source="UK higher education credit framework: one credit = 10 notional hours.",
            ects_source="UK credit framework guidance: 2 UK credits = 1 ECTS (120 = 60 per year).",
        ),
        CreditSystem.SCQF: CreditSystemInfo(
            CreditSystem.SCQF,
            "SCQF credit points",
            hours_per_credit=10.0,
            ects_per_credit=0.5,
            approximate=False,
            hours_source="scqf.org.uk: one SCQF credit point = 10 notional hours.",
            ects_source="scqf.org.uk: 2 SCQF credit points = 1 ECTS.",
        ),
        CreditSystem.US_SCH: CreditSystemInfo(
            CreditSystem.US_SCH,
            "US semester credit hours",
            hours_per_credit=45.0,
            ects_per_credit=2.0,
            approximate=True,
            hours_source="Carnegie-unit convention: about 45 hours of student work per semester credit hour (secondary sources).",
            ects_source="Common practice: about 2 ECTS per semester credit hour; institutions use 1.8-2.3 (secondary sources).",
        ),
        CreditSystem.HOURS: CreditSystemInfo(
            CreditSystem.HOURS,
            "Notional learning hours",
            hours_per_credit=1.0,
            ects_per_credit=1.0 / HOURS_PER_ECTS,
            approximate=True,
            hours_source="identity",
            ects_source="ECTS Users' Guide 2015: 25 h per ECTS (lower bound of 25-30 h).",
        ),
    }
)

# Which credit system a provider's country uses when it just writes 'credits'.
# Australia has no national credit-point standard, so it maps to nothing.
COUNTRY_DEFAULT_SYSTEM: Mapping[str, CreditSystem] = MappingProxyType(
    {
        "NZ": CreditSystem.NZ_CREDITS,
        "GB": CreditSystem.CATS,
        "UK": CreditSystem.CATS,
        "US": CreditSystem.US_SCH,
        # EU and EEA members, where ECTS is the higher-education credit system (Bologna Process).
        **{
            code: CreditSystem.ECTS
            for code in (
                "AT",
                "BE",
                "BG",
                "CY",
                "CZ",
                "DE",
                "DK",
                "EE",
                "ES",
                "FI",
                "FR",
                "GR",
                "HR",
                "HU",
                "IE",
                "IS",
                "IT",
                "LI",
                "LT",
                "LU",
                "LV",
                "MT",
                "NL",
                "NO",
                "PL",
                "PT",
                "RO",
                "SE",
                "SI",
                "SK",
                "CH",
            )
        },
    }
)

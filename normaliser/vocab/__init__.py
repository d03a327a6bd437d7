"""Every controlled vocabulary of the common schema, as one JSON-able document (GET /v1/vocabularies)."""

from __future__ import annotations

from functools import cache
from typing import Any

import pycountry

from normaliser.parsers.language import COMMON_THREE_LETTER_CODES, language_name
from normaliser.rates import RateTable
from normaliser.schema import Audience, CreditSystem, Mode, Pace
from normaliser.vocab.credential_types import CREDENTIAL_TYPES
from normaliser.vocab.credit_systems import CREDIT_SYSTEMS, HOURS_PER_ECTS
from normaliser.vocab.frameworks import FRAMEWORKS
from normaliser.vocab.isced import ISCED_F, isced_level

ISCED_SOURCE = (
    "UNESCO Institute for Statistics, ISCED Fields of Education and Training 2013 (ISCED-F 2013)"
)


def vocabularies(rates: RateTable | None = None) -> dict[str, Any]:
    """Frameworks and levels with EQF referencing, credit systems with conversion factors,
    modes, paces, audiences, ISCED-F codes, credential types and the currencies of the rate table."""
    table = rates or RateTable.load_default()
    return {
        "frameworks": [
            {
                "code": info.framework.value,
                "name": info.name,
                "levels": list(info.levels),
                "eqf": dict(info.to_eqf),
                "eqf_confidence": info.confidence,
                "source": info.source,
            }
            for info in FRAMEWORKS.values()
        ],
        "credit_systems": [
            {
                "code": info.system.value,
                "name": info.name,
                "hours_per_credit": info.hours_per_credit,
                "ects_per_credit": round(info.ects_per_credit, 4),
                "approximate": info.approximate,
                "hours_source": info.hours_source,
                "ects_source": info.ects_source,
            }
            for info in (CREDIT_SYSTEMS[s] for s in CreditSystem)
        ],
        "hours_per_ects": HOURS_PER_ECTS,
        "modes": [m.value for m in Mode],
        "paces": [p.value for p in Pace],
        "audiences": [a.value for a in Audience],
        "isced_f": {
            "source": ISCED_SOURCE,
            "codes": [
                {"code": code, "name": name, "level": isced_level(code)}
                for code, name in ISCED_F.items()
            ],
        },
        "credential_types": list(CREDENTIAL_TYPES),
        "currencies": {
            "base": table.base,
            "date": table.date.isoformat(),
            "source": table.source,
            "indicative": table.indicative,
            "codes": table.currencies(),
        },
        "languages": {
            "source": "BCP 47 language subtags: ISO 639-1, else ISO 639-3, from pycountry",
            "codes": _languages(),
        },
        "countries": {"source": "ISO 3166-1 alpha-2, from pycountry", "codes": _countries()},
    }


@cache
def _languages() -> list[dict[str, str]]:
    """Every language with an ISO 639-1 code, and the ISO 639-3 ones providers name most
    (sign languages): any other ISO 639-3 code is accepted too, as BCP 47 allows."""
    two_letter = [
        {"code": lang.alpha_2, "name": lang.name}
        for lang in pycountry.languages
        if hasattr(lang, "alpha_2")
    ]
    three_letter = [
        {"code": code, "name": name}
        for code in COMMON_THREE_LETTER_CODES
        if (name := language_name(code))
    ]
    return sorted(two_letter + three_letter, key=lambda entry: entry["code"])


@cache
def _countries() -> list[dict[str, str]]:
    return sorted(
        (
            {"code": c.alpha_2, "name": getattr(c, "common_name", c.name)}
            for c in pycountry.countries
        ),
        key=lambda entry: entry["code"],
    )

"""One offering as ELM v3 JSON-LD: an `elm:LearningOpportunity` with the
`elm:LearningAchievementSpecification` it leads to, in the shape of the Europass
Qualifications Dataset Register's LOQ application profile (the SHACL shapes in
../shared/reference/elm-v3-loq/ap/loq/, which the tests run pyshacl with).

The context is inline (prefixes only), so the document expands without fetching anything.
Our values map to the EU's vocabularies where one exists (sources: the LOQ controlled
vocabularies, loq/cv/*.xsd, as normaliser.readers.elm_vocab records them; every scheme IRI
ends in `25831c2` there, and the Publications Office authorities are their own schemes):
EQF levels, ISCED-F 2013 codes, languages (ISO 639-3 codes of the language authority),
countries (ISO 3166-1 alpha-3), currencies (ISO 4217), ECTS credit points and the three
delivery modes. A value with no EU counterpart (NZ credits, a national level with no EQF
referencing) is left out and named in `omitted`, never invented; ECTS converted only
approximately are left out too.

The profile requires a title, a homepage, the provider (with its country), a language, at
least one ISCED-F code and one learning outcome; an offering lacking one has no ELM form,
and `elm_learning_opportunity` says which.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pycountry

from normaliser.parsers.language import iso_639_language
from normaliser.readers.elm_vocab import (
    COUNTRY_PREFIX,
    CREDIT_PREFIX,
    CURRENCY_PREFIX,
    EQF_LEVEL_PREFIX,
    ISCED_F_PREFIX,
    LANGUAGE_PREFIX,
    MODE_PREFIX,
    OPPORTUNITY_TYPE_PREFIX,
)
from normaliser.schema import Price, StoredOffering
from normaliser.vocab.isced import isced_name

ELM = "http://data.europa.eu/snb/model/elm/"
CONTEXT = {
    "elm": ELM,
    "dc": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "rov": "http://www.w3.org/ns/regorg#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}
SCHEMES = {
    "eqf": EQF_LEVEL_PREFIX + "25831c2",
    "isced": ISCED_F_PREFIX + "25831c2",
    "opportunity": OPPORTUNITY_TYPE_PREFIX + "25831c2",
    "credit": CREDIT_PREFIX + "25831c2",
    "mode": MODE_PREFIX + "25831c2",
    # The Publications Office authority tables (LOQ-constraints-mdr.ttl's restrictions).
    "language": LANGUAGE_PREFIX.rstrip("/"),
    "country": COUNTRY_PREFIX.rstrip("/"),
    "currency": CURRENCY_PREFIX.rstrip("/"),
}
ECTS = CREDIT_PREFIX + "6fcec5c5af"  # loq/cv/credit-points.xsd: ECTS
COURSE = OPPORTUNITY_TYPE_PREFIX + "05053c1cbe"  # europass-learning-opportunity-types: Course
MODES = {
    "online": ("920fbb3cbe", "Online"),
    "in_person": ("9191af2ed9", "Presential"),
    "blended": ("e92d221e4d", "Blended"),
}  # loq/cv/europass-modes.xsd


def _text(value: str, language: str) -> dict:
    return {"@value": value, "@language": language}


def _concept(
    iri: str, scheme: str, label: str, language: str = "en", notation: str | None = None
) -> dict:
    node: dict[str, Any] = {
        "@id": iri,
        "@type": "skos:Concept",
        "skos:inScheme": {"@id": SCHEMES[scheme]},
        "skos:prefLabel": _text(label, language),
    }
    if notation:
        node["skos:notation"] = notation
    return node


def _language(code: str) -> dict | None:
    found = iso_639_language(code)
    if found is None:
        return None
    return _concept(
        LANGUAGE_PREFIX + found.alpha_3.upper(),
        "language",
        found.name,
        notation=found.alpha_3.upper(),
    )


def _country(code: str | None) -> dict | None:
    found = pycountry.countries.get(alpha_2=code) if code else None
    if found is None:
        return None
    return _concept(COUNTRY_PREFIX + found.alpha_3, "country", found.name, notation=found.alpha_3)


def _web_url(url: str | None) -> str | None:
    if url and urlsplit(url.strip()).scheme.lower() in ("http", "https"):
        return url.strip()
    return None


def _iso_duration(hours: float | None, weeks: float | None) -> str | None:
    if hours:
        return f"PT{int(hours)}H" if float(hours).is_integer() else f"PT{round(hours * 60)}M"
    if weeks:
        return f"P{int(weeks)}W" if float(weeks).is_integer() else f"P{round(weeks * 7)}D"
    return None


def _price(node_id: str, price: Price, language: str) -> dict | None:
    if not price.currency or (price.amount is None and not price.is_free):
        return None
    amount = 0 if price.is_free else price.amount
    found = pycountry.currencies.get(alpha_3=price.currency)
    return {
        "@id": node_id,
        "@type": "elm:PriceDetail",
        "skos:prefLabel": _text("Free" if price.is_free else "Fee", language),
        "elm:amount": {
            "@id": node_id + "-amount",
            "@type": "elm:Amount",
            "rdf:value": {"@value": f"{amount:.2f}", "@type": "xsd:decimal"},
            "elm:unit": _concept(
                CURRENCY_PREFIX + price.currency,
                "currency",
                found.name if found else price.currency,
                notation=price.currency,
            ),
        },
    }


def elm_learning_opportunity(
    offering: StoredOffering, page_url: str
) -> tuple[dict | None, list[str], list[str]]:
    """(the JSON-LD document or None, the required values missing, the values left out for
    want of an EU counterpart)."""
    language = offering.languages[0] if offering.languages else "en"
    base = f"urn:microcred:offering:{offering.id}"
    missing: list[str] = []
    omitted: list[str] = []
    languages = [c for c in (_language(code) for code in offering.languages) if c]
    omitted += [f"language {code}" for code in offering.languages if not _language(code)]
    codes = offering.subject.isced if offering.subject else []
    country = _country(offering.provider.country) or next(
        (c for c in (_country(p.country) for p in offering.places) if c), None
    )
    homepage = _web_url(offering.url) or page_url
    for name, present in (
        ("language", languages),
        ("subject (ISCED-F)", codes),
        ("learning outcomes", offering.learning_outcomes),
        ("provider country", country),
    ):
        if not present:
            missing.append(name)
    if missing:
        return None, missing, omitted

    spec: dict[str, Any] = {
        "@id": base + ":achievement",
        "@type": "elm:LearningAchievementSpecification",
        "dc:title": _text(offering.title, language),
        "elm:ISCEDFCode": [
            _concept(ISCED_F_PREFIX + code, "isced", isced_name(code) or code, notation=code)
            for code in codes
        ],
        "dc:language": languages,
        "elm:learningOutcome": [
            {
                "@id": f"{base}:outcome:{n}",
                "@type": "elm:LearningOutcome",
                "dc:title": _text(text, language),
            }
            for n, text in enumerate(offering.learning_outcomes, start=1)
        ],
    }
    if offering.description:
        spec["dc:description"] = _text(offering.description, language)
    level = offering.level
    if level and level.eqf:
        spec["elm:educationLevel"] = _concept(
            EQF_LEVEL_PREFIX + str(level.eqf), "eqf", f"Level {level.eqf}", notation=str(level.eqf)
        )
    elif level and level.framework:
        omitted.append(
            f"level {level.framework.value} {level.value or ''}".strip() + " (no EQF referencing)"
        )
    credits = offering.credits
    if credits and credits.ects is not None and not credits.approximate:
        spec["elm:creditPoint"] = {
            "@id": base + ":credits",
            "@type": "elm:CreditPoint",
            "elm:framework": _concept(ECTS, "credit", "ECTS"),
            "elm:point": f"{credits.ects:g}",
        }
    elif credits and credits.value is not None:
        omitted.append(
            f"credits ({credits.system.value if credits.system else 'no system'}"
            f"{', approximate ECTS' if credits.approximate else ''})"
        )
    if credits and credits.hours:
        spec["elm:volumeOfLearning"] = {
            "@value": _iso_duration(credits.hours, None),
            "@type": "xsd:duration",
        }
    modes = {r.mode.value for r in offering.instances if r.mode} | (
        {offering.mode.value} if offering.mode else set()
    )
    mode_concepts = [
        _concept(MODE_PREFIX + MODES[m][0], "mode", MODES[m][1]) for m in sorted(modes)
    ]
    if mode_concepts:
        spec["elm:mode"] = mode_concepts
    if offering.prerequisites:
        spec["elm:entryRequirement"] = {
            "@id": base + ":entry",
            "@type": "elm:Note",
            "elm:noteLiteral": _text(offering.prerequisites, language),
        }

    provider = {
        "@id": f"urn:microcred:provider:{offering.provider.id}",
        "@type": "elm:Organisation",
        "rov:legalName": _text(offering.provider.name, language),
        "elm:location": {
            "@id": f"urn:microcred:provider:{offering.provider.id}:location",
            "@type": "dc:Location",
            "elm:address": {
                "@id": f"urn:microcred:provider:{offering.provider.id}:address",
                "@type": "elm:Address",
                "elm:countryCode": country,
            },
        },
    }
    if _web_url(offering.provider.url):
        provider["foaf:homepage"] = {
            "@id": f"urn:microcred:provider:{offering.provider.id}:web",
            "@type": "elm:WebResource",
            "elm:contentUrl": {"@value": _web_url(offering.provider.url), "@type": "xsd:anyURI"},
        }
    opportunity: dict[str, Any] = {
        "@id": base,
        "@type": "elm:LearningOpportunity",
        "dc:title": _text(offering.title, language),
        "dc:type": _concept(COURSE, "opportunity", "Course"),
        "foaf:homepage": {
            "@id": base + ":homepage",
            "@type": "elm:WebResource",
            "elm:contentUrl": {"@value": homepage, "@type": "xsd:anyURI"},
        },
        "elm:providedBy": provider,
        "elm:learningAchievementSpecification": spec,
        "elm:defaultLanguage": languages[0],
    }
    if offering.description:
        opportunity["dc:description"] = _text(offering.description, language)
    duration = offering.duration
    iso = _iso_duration(duration.hours, duration.weeks) if duration else None
    if iso:
        opportunity["elm:duration"] = {"@value": iso, "@type": "xsd:duration"}
    if mode_concepts:
        opportunity["elm:mode"] = mode_concepts
    prices = [p for p in [offering.price] + [r.price for r in offering.instances] if p]
    details: list[dict[str, Any]] = []
    for number, price in enumerate(prices, start=1):
        detail = _price(f"{base}:price:{number}", price, language)
        if detail and all(
            detail["elm:amount"]["rdf:value"] != d["elm:amount"]["rdf:value"] for d in details
        ):
            details.append(detail)
    if details:
        opportunity["elm:priceDetail"] = details
    schemes = [{"@id": iri, "@type": "skos:ConceptScheme"} for iri in SCHEMES.values()]
    return {"@context": CONTEXT, "@graph": [opportunity, *schemes]}, [], omitted

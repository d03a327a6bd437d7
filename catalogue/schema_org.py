"""An offering as schema.org `Course` JSON-LD, the markup search engines read from a page.

What Google's course-info guidelines require is checked here, once, for both the page and
the quality report (catalogue.quality): `name`, `description`, `provider`, `offers` (with
`category`, and `price` with `priceCurrency` unless it is free), and `hasCourseInstance`,
each instance with `courseMode` and `courseSchedule` or `courseWorkload`
(https://developers.google.com/search/docs/appearance/structured-data/course-info, read
2026-12). An offering missing one of them gets no block at all: markup that breaks the
guidelines can cost the whole site its rich results, while a missing block costs that page
only. `missing_requirements` says which; the quality report counts them per provider.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from normaliser.schema import Duration, Instance, Mode, Place, Price, StoredOffering
from normaliser.vocab.isced import isced_name

SCHEMA_ORG = "https://schema.org"
# The EU's ISCED-F 2013 vocabulary (Europass / ELM controlled lists), one IRI per code; the
# scheme's IRI as ../shared/reference/elm-v3-loq uses it.
ISCED_F_SCHEME = "http://data.europa.eu/snb/isced-f/25831c2"
ISCED_F_PREFIX = "http://data.europa.eu/snb/isced-f/"
# schema.org's courseMode is free text; these are the words its own definition uses.
COURSE_MODES = {Mode.ONLINE: "Online", Mode.IN_PERSON: "Onsite", Mode.BLENDED: "Blended"}
CREDIT_UNITS = {
    "NZ_CREDITS": "NZ credits",
    "US_SCH": "US semester credit hours",
    "HOURS": "hours",
    "CATS": "CATS credits",
    "SCQF": "SCQF credits",
    "ECTS": "ECTS",
}

REQUIREMENTS = {
    "name": "a title",
    "description": "a description",
    "provider": "the provider's name",
    "offers": "a price (an amount with its currency), or 'free'",
    "hasCourseInstance.courseMode": "how it is taught (online, in person or blended), "
    "for the course or for each run",
    "hasCourseInstance.courseSchedule_or_courseWorkload": "its duration (hours, or weeks "
    "with hours a week)",
}


def _web_url(url: str | None) -> str | None:
    if not url or urlsplit(url.strip()).scheme.lower() not in ("http", "https"):
        return None
    return url.strip()


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _iso_hours(hours: float) -> str:
    minutes = round(hours * 60)
    whole, rest = divmod(minutes, 60)
    return (
        "PT" + (f"{whole}H" if whole else "") + (f"{rest}M" if rest else "") if minutes else "PT0H"
    )


def _timing(duration: Duration | None) -> dict[str, Any]:
    """courseSchedule when the pace is known (hours a week for so many weeks), else
    courseWorkload: the total time, as ISO 8601 the guidelines ask for."""
    if duration is None:
        return {}
    if duration.hours_per_week and duration.weeks:
        return {
            "courseSchedule": {
                "@type": "Schedule",
                "duration": _iso_hours(duration.hours_per_week),
                "repeatFrequency": "Weekly",
                "repeatCount": max(1, round(duration.weeks)),
            }
        }
    if duration.hours:
        return {"courseWorkload": _iso_hours(duration.hours)}
    if duration.weeks:
        return {"courseWorkload": f"P{_number(duration.weeks)}W"}
    return {}


def _location(place: Place | None) -> dict[str, Any] | None:
    if place is None:
        return None
    if place.online and not (place.city or place.region or place.country):
        return {"@type": "VirtualLocation", "name": "Online"}
    address = {
        key: value
        for key, value in (
            ("addressLocality", place.city),
            ("addressRegion", place.region),
            ("addressCountry", place.country),
        )
        if value
    }
    if not address:
        return None
    out: dict[str, Any] = {"@type": "Place", "address": {"@type": "PostalAddress", **address}}
    if place.lat is not None and place.lon is not None:
        out["geo"] = {"@type": "GeoCoordinates", "latitude": place.lat, "longitude": place.lon}
    name = ", ".join(dict.fromkeys(x for x in (place.city, place.region) if x))
    if name:
        out["name"] = name
    return out


def _offer(price: Price | None) -> dict[str, Any] | None:
    if price is None:
        return None
    if price.is_free:
        return {
            "@type": "Offer",
            "category": "Free",
            "price": 0,
            **({"priceCurrency": price.currency} if price.currency else {}),
        }
    if price.amount is None or not price.currency:
        return None
    offer: dict[str, Any] = {
        "@type": "Offer",
        "category": "Paid",
        "price": _number(price.amount),
        "priceCurrency": price.currency,
    }
    if price.audience.value != "any":
        offer["eligibleCustomerType"] = price.audience.value
    return offer


def _instance(offering: StoredOffering, run: Instance | None) -> dict[str, Any]:
    mode = (run.mode if run else None) or offering.mode
    out: dict[str, Any] = {"@type": "CourseInstance"}
    if mode is not None:
        out["courseMode"] = COURSE_MODES[mode]
    out.update(_timing(offering.duration))
    if run is not None:
        if run.start_date:
            out["startDate"] = run.start_date.isoformat()
        if run.end_date:
            out["endDate"] = run.end_date.isoformat()
        place = run.place or (offering.places[0] if len(offering.places) == 1 else None)
        location = _location(place)
        if location is None and mode == Mode.ONLINE:
            location = {"@type": "VirtualLocation", "name": "Online"}
        if location:
            out["location"] = location
        offer = _offer(run.price)
        if offer:
            out["offers"] = offer
    return out


def _level_text(offering: StoredOffering) -> str | None:
    level = offering.level
    if level is None or (level.framework is None and level.eqf is None):
        return None
    native = " ".join(
        x
        for x in (
            level.framework.value if level.framework else None,
            f"level {level.value}" if level.value else None,
        )
        if x
    )
    if level.eqf and not (level.framework and level.framework.value == "EQF"):
        return f"{native} (EQF level {level.eqf})" if native else f"EQF level {level.eqf}"
    return native or None


def course(offering: StoredOffering, page_url: str) -> dict[str, Any]:
    """Everything we can say about `offering` as a schema.org Course, the page at
    `page_url` being its canonical home. May lack required fields: see `course_markup`."""
    out: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@type": "Course",
        "@id": page_url + "#course",
        "url": page_url,
        "name": offering.title,
    }
    if offering.description and offering.description.strip():
        out["description"] = offering.description.strip()
    if _web_url(offering.url):
        out["sameAs"] = _web_url(offering.url)
    out["courseCode"] = offering.provider_offering_id
    if offering.provider.name:
        provider: dict[str, Any] = {"@type": "Organization", "name": offering.provider.name}
        if _web_url(offering.provider.url):
            provider["sameAs"] = _web_url(offering.provider.url)
        if offering.provider.country:
            provider["address"] = {
                "@type": "PostalAddress",
                "addressCountry": offering.provider.country,
            }
        out["provider"] = provider
    if offering.credential_type:
        out["educationalCredentialAwarded"] = {
            "@type": "EducationalOccupationalCredential",
            "name": offering.credential_type,
            "credentialCategory": offering.credential_type,
        }
    credits = offering.credits
    if credits is not None and credits.value is not None:
        system = credits.system.value if credits.system else None
        out["numberOfCredits"] = {
            "@type": "StructuredValue",
            "value": _number(credits.value),
            "unitText": CREDIT_UNITS.get(system, system) if system else "credits",
        }
    level = _level_text(offering)
    if level:
        out["educationalLevel"] = level
    if offering.languages:
        out["inLanguage"] = offering.languages
    codes = offering.subject.isced if offering.subject else []
    if codes:
        out["about"] = [
            {
                "@type": "DefinedTerm",
                "@id": ISCED_F_PREFIX + code,
                "termCode": code,
                "name": isced_name(code) or code,
                "inDefinedTermSet": ISCED_F_SCHEME,
            }
            for code in codes
        ]
    if offering.learning_outcomes:
        out["teaches"] = offering.learning_outcomes
    if offering.prerequisites:
        out["coursePrerequisites"] = offering.prerequisites
    if offering.duration and offering.duration.hours:
        out["timeRequired"] = _iso_hours(offering.duration.hours)
    offers = [
        o for o in [_offer(offering.price)] + [_offer(r.price) for r in offering.instances] if o
    ]
    unique = []
    for offer in offers:
        if offer not in unique:
            unique.append(offer)
    if unique:
        out["offers"] = unique
    runs: list[Instance | None] = list(offering.instances) or [None]
    out["hasCourseInstance"] = [_instance(offering, run) for run in runs]
    return out


def missing_requirements(markup: dict[str, Any]) -> list[str]:
    """The required course-info fields `markup` lacks, as keys of REQUIREMENTS."""
    missing = [key for key in ("name", "description", "provider", "offers") if not markup.get(key)]
    instances = markup.get("hasCourseInstance") or []
    if not instances or any("courseMode" not in i for i in instances):
        missing.append("hasCourseInstance.courseMode")
    if not instances or any(
        "courseSchedule" not in i and "courseWorkload" not in i for i in instances
    ):
        missing.append("hasCourseInstance.courseSchedule_or_courseWorkload")
    return missing


def course_markup(offering: StoredOffering, page_url: str) -> tuple[dict | None, list[str]]:
    """The Course markup for the page, or None and the required fields it would lack.
    A withdrawn offering gets none: it is not offered."""
    if offering.provenance.status.value != "active":
        return None, ["withdrawn"]
    markup = course(offering, page_url)
    missing = missing_requirements(markup)
    return (None, missing) if missing else (markup, [])


def script_json(markup: dict[str, Any]) -> str:
    """JSON for inside a `<script>` element: `<`, `>` and `&` escaped as JSON escapes, so no
    value (a title with `</script>` or `<!--` in it) can end the element early, and the line
    separators JavaScript once treated as line ends escaped too."""
    text = json.dumps(markup, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )

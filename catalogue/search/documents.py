"""The flat index document every backend stores, built from a catalogue offering.

Backends share this so they index the same values and agree on facets and filters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from catalogue.search import fields as search_fields
from normaliser.schema import StoredOffering

# Bump when build_document changes what it stores: indexes built by an older format are
# rebuilt from the catalogue on start.
DOCUMENT_FORMAT = 9  # 9: approximate_starts in the summary

# Bands in the deployment's reference currency: (label, lower bound inclusive, upper exclusive).
PRICE_BANDS: tuple[tuple[str, float, float | None], ...] = (
    ("under_100", 0.0, 100.0),
    ("100_500", 100.0, 500.0),
    ("500_1000", 500.0, 1000.0),
    ("1000_2500", 1000.0, 2500.0),
    ("2500_plus", 2500.0, None),
)
# Bands in ECTS. NZQA micro-credentials run 5-40 NZ credits, i.e. 2.5-20 ECTS (crosswalks.md).
CREDIT_BANDS: tuple[tuple[str, float, float | None], ...] = (
    ("under_1", 0.0, 1.0),
    ("1_5", 1.0, 5.0),
    ("5_10", 5.0, 10.0),
    ("10_20", 10.0, 20.0),
    ("20_plus", 20.0, None),
)


def band(value: float | None, bands) -> str | None:
    if value is None:
        return None
    for label, low, high in bands:
        if value >= low and (high is None or value < high):
            return label
    return None


def price_band(price_ref: float | None, is_free: bool) -> str | None:
    return "free" if is_free else band(price_ref, PRICE_BANDS)


@dataclass
class IndexedInstance:
    start_date: str | None
    mode: str | None
    pace: str | None
    country: str | None
    price_ref: float | None
    is_free: bool | None


@dataclass
class IndexDocument:
    id: str
    version: int
    provider_id: str
    provider_name: str
    title: str
    description: str
    outcomes: str
    framework: str | None
    level_value: str | None
    eqf: int | None
    ects: float | None
    credit_system: str | None
    hours: float | None
    weeks: float | None
    price_ref: float | None
    is_free: bool
    credential_type: str | None
    first_seen: str
    keywords: dict[str, list[str]] = field(default_factory=dict)  # facet field -> values
    instances: list[IndexedInstance] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    # (lat, lon) of every place and run that gives them, for distance filters in the engines.
    locations: list[tuple[float, float]] = field(default_factory=list)


def _price_ref(price: dict | None) -> float | None:
    if not price:
        return None
    if price.get("is_free"):
        return 0.0
    return price.get("amount_ref")


# The result-card shape of each value object: every key present, so clients and
# templates need not guess whether a missing key means "unknown".
CARD_KEYS = {
    "level": ("framework", "value", "eqf"),
    "credits": ("value", "system", "ects", "hours", "approximate"),
    "price": (
        "amount",
        "amount_max",
        "currency",
        "is_free",
        "includes_tax",
        "audience",
        "amount_ref",
        "ref_currency",
    ),
    "duration": ("hours", "weeks", "hours_per_week", "part_time"),
}


def _card_value(o: dict, name: str) -> dict | None:
    value = o.get(name)
    return {key: value.get(key) for key in CARD_KEYS[name]} if value else None


def build_document(offering: StoredOffering | dict[str, Any]) -> IndexDocument:
    """The index document of a stored offering, given as the model or as its JSON form
    (what the catalogue stores, plus id, version, provider and provenance)."""
    o = offering.model_dump(mode="json") if isinstance(offering, StoredOffering) else offering
    places = o.get("places") or []
    first_place = places[0] if places else None
    # Offerings without explicit runs still have one implicit run carrying the
    # offering-level mode, place and price, so instance filters can match them.
    runs = o.get("instances") or [{}]
    instances = []
    for run in runs:
        price = run.get("price") or o.get("price")
        place = run.get("place") or first_place
        instances.append(
            IndexedInstance(
                start_date=run.get("start_date"),
                mode=run.get("mode") or o.get("mode"),
                pace=run.get("pace") or o.get("pace"),
                country=place.get("country") if place else None,
                price_ref=_price_ref(price),
                is_free=price.get("is_free", False) if price else None,
            )
        )
    located = places + [run["place"] for run in runs if run.get("place")]
    locations = list(
        dict.fromkeys(
            (p["lat"], p["lon"])
            for p in located
            if p.get("lat") is not None and p.get("lon") is not None
        )
    )
    known_prices = [i.price_ref for i in instances if i.price_ref is not None]
    price_ref = min(known_prices) if known_prices else None
    is_free = any(i.is_free for i in instances)

    level, credits, duration = o.get("level") or {}, o.get("credits") or {}, o.get("duration") or {}
    subjects = (o.get("subject") or {}).get("isced") or []
    countries = {p["country"] for p in places if p.get("country")} | {
        i.country for i in instances if i.country
    }
    hours = credits.get("hours") if credits.get("hours") is not None else duration.get("hours")
    provider = o["provider"]
    languages = o.get("languages") or []
    credential_type = o.get("credential_type")
    keywords: dict[str, list[str]] = {
        "provider": [provider["id"]],
        "mode": sorted({i.mode for i in instances if i.mode}),
        "pace": sorted({i.pace for i in instances if i.pace}),
        "framework": [level["framework"]] if level.get("framework") else [],
        "eqf": [str(level["eqf"])] if level.get("eqf") else [],
        "subject": sorted({c for c in subjects if len(c) == 4}),
        "subject_narrow": sorted({c[:3] for c in subjects if len(c) >= 3}),
        "subject_broad": sorted({c[:2] for c in subjects}),
        "credential_type": [credential_type] if credential_type else [],
        "language": sorted(set(languages)),
        "country": sorted(countries),
        "credit_system": [credits["system"]] if credits.get("system") else [],
        "free": ["true" if is_free else "false"] if (is_free or price_ref is not None) else [],
        "price_band": [b] if (b := price_band(price_ref, is_free)) else [],
        "credits_band": [b] if (b := band(credits.get("ects"), CREDIT_BANDS)) else [],
    }
    for spec in search_fields.FIELDS:
        if spec.document is not None:
            keywords[spec.name] = spec.document(o)
    summary = {
        "id": o["id"],
        "provider_offering_id": o["provider_offering_id"],
        "title": o["title"],
        "provider": {"id": provider["id"], "name": provider["name"]},
        "url": o.get("url"),
        "level": _card_value(o, "level"),
        "credits": _card_value(o, "credits"),
        "mode": o.get("mode"),
        "modes": keywords["mode"],
        "pace": o.get("pace"),
        "price": _card_value(o, "price"),
        "duration": _card_value(o, "duration"),
        "subject": subjects,
        "languages": languages,
        "credential_type": credential_type,
        "countries": keywords["country"],
        "start_dates": sorted({i.start_date for i in instances if i.start_date}),
        # Starts given as a month or a year alone, by the day they sort as, so cards can
        # show them as the provider gave them.
        "approximate_starts": {
            run["start_date"]: {
                "precision": run["start_precision"],
                "written": run.get("start_written"),
            }
            for run in runs
            if run.get("start_date") and run.get("start_precision")
        },
    }
    return IndexDocument(
        id=o["id"],
        version=o["version"],
        provider_id=provider["id"],
        provider_name=provider["name"],
        title=o["title"],
        description=o.get("description") or "",
        outcomes="\n".join(o.get("learning_outcomes") or []),
        framework=level.get("framework"),
        level_value=level.get("value"),
        eqf=level.get("eqf"),
        ects=credits.get("ects"),
        credit_system=credits.get("system"),
        hours=hours,
        weeks=duration.get("weeks"),
        price_ref=price_ref,
        is_free=is_free,
        credential_type=credential_type,
        first_seen=(o.get("provenance") or {}).get("first_seen") or "",
        keywords=keywords,
        instances=instances,
        summary=summary,
        locations=locations,
    )

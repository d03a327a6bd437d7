"""The flat index document every backend stores, built from a catalogue offering.

Backends share this so they index the same values and agree on facets and filters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from normaliser.schema import Instance, Price, StoredOffering

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


def _price_ref(price: Price | None) -> float | None:
    if price is None:
        return None
    if price.is_free:
        return 0.0
    return price.amount_ref


def _instances(offering: StoredOffering) -> list[Instance]:
    # Offerings without explicit runs still have one implicit run carrying the
    # offering-level mode, place and price, so instance filters can match them.
    if offering.instances:
        return offering.instances
    return [Instance(mode=offering.mode, pace=offering.pace,
                     place=offering.places[0] if offering.places else None, price=offering.price)]


def build_document(offering: StoredOffering) -> IndexDocument:
    instances = []
    for run in _instances(offering):
        price = run.price or offering.price
        place = run.place or (offering.places[0] if offering.places else None)
        instances.append(IndexedInstance(
            start_date=run.start_date.isoformat() if run.start_date else None,
            mode=(run.mode or offering.mode),
            pace=(run.pace or offering.pace),
            country=place.country if place else None,
            price_ref=_price_ref(price),
            is_free=price.is_free if price else None,
        ))
    known_prices = [i.price_ref for i in instances if i.price_ref is not None]
    price_ref = min(known_prices) if known_prices else None
    is_free = any(i.is_free for i in instances)

    level, credits, duration = offering.level, offering.credits, offering.duration
    subjects = offering.subject.isced if offering.subject else []
    countries = {p.country for p in offering.places if p.country} | {
        i.country for i in instances if i.country}
    hours = (credits.hours if credits and credits.hours is not None
             else duration.hours if duration else None)
    keywords: dict[str, list[str]] = {
        "provider": [offering.provider.id],
        "mode": sorted({str(i.mode) for i in instances if i.mode}),
        "pace": sorted({str(i.pace) for i in instances if i.pace}),
        "framework": [str(level.framework)] if level and level.framework else [],
        "eqf": [str(level.eqf)] if level and level.eqf else [],
        "subject": sorted({c for c in subjects if len(c) == 4}),
        "subject_narrow": sorted({c[:3] for c in subjects if len(c) >= 3}),
        "subject_broad": sorted({c[:2] for c in subjects}),
        "credential_type": [offering.credential_type] if offering.credential_type else [],
        "language": sorted(set(offering.languages)),
        "country": sorted(countries),
        "credit_system": [str(credits.system)] if credits and credits.system else [],
        "free": ["true" if is_free else "false"] if (is_free or price_ref is not None) else [],
        "price_band": [b] if (b := price_band(price_ref, is_free)) else [],
        "credits_band": [b] if (b := band(credits.ects if credits else None, CREDIT_BANDS)) else [],
    }
    start_dates = sorted({i.start_date for i in instances if i.start_date})
    summary = {
        "id": offering.id,
        "provider_offering_id": offering.provider_offering_id,
        "title": offering.title,
        "provider": {"id": offering.provider.id, "name": offering.provider.name},
        "url": offering.url,
        "level": level.model_dump(exclude={"raw"}) if level else None,
        "credits": credits.model_dump(exclude={"raw"}) if credits else None,
        "mode": offering.mode,
        "modes": keywords["mode"],
        "pace": offering.pace,
        "price": offering.price.model_dump(mode="json", exclude={"raw"}) if offering.price else None,
        "duration": duration.model_dump(exclude={"raw"}) if duration else None,
        "subject": subjects,
        "languages": offering.languages,
        "credential_type": offering.credential_type,
        "countries": keywords["country"],
        "start_dates": start_dates,
    }
    first_seen = offering.provenance.first_seen or datetime.min
    return IndexDocument(
        id=offering.id, version=offering.version, provider_id=offering.provider.id,
        provider_name=offering.provider.name, title=offering.title,
        description=offering.description or "", outcomes="\n".join(offering.learning_outcomes),
        framework=str(level.framework) if level and level.framework else None,
        level_value=level.value if level else None, eqf=level.eqf if level else None,
        ects=credits.ects if credits else None,
        credit_system=str(credits.system) if credits and credits.system else None,
        hours=hours, weeks=duration.weeks if duration else None,
        price_ref=price_ref, is_free=is_free, credential_type=offering.credential_type,
        first_seen=first_seen.isoformat(), keywords=keywords, instances=instances,
        summary=summary)

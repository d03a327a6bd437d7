"""A dry run's preview in words: for each of the first rows, every value as the provider
wrote it beside what we made of it (the value texts the offering page shows) and that
field's problems; built for the validate route from catalogue.preview's rows."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from normaliser.readers.base import RECORD_FIELD
from normaliser.readers.feed_v1 import FEED_V1_FIELDS
from normaliser.schema import Offering
from search_api.models.publishing import PreviewRowOut, PreviewValueOut
from search_api.pages.render import Labels
from search_api.pages.value_text import (
    credits_text,
    duration_text,
    level_text,
    place_text,
    price_text,
)

LONG_TEXT = 120  # a description is shown up to here: enough to see it was read


def _cut(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= LONG_TEXT else text[: LONG_TEXT - 1].rstrip() + "…"


def _made(labels: Labels, currency: str) -> dict[str, Callable[[Offering], str]]:
    """What we made of each feed field, in words."""
    return {
        "id": lambda o: o.provider_offering_id,
        "title": lambda o: o.title,
        "description": lambda o: _cut(o.description),
        "url": lambda o: o.url or "",
        "level": lambda o: level_text(o.level),
        "level_framework": lambda o: level_text(o.level),
        "credits": lambda o: credits_text(o.credits),
        "credit_system": lambda o: credits_text(o.credits),
        "mode": lambda o: " · ".join(
            labels.value(kind, v.value) for kind, v in (("mode", o.mode), ("pace", o.pace)) if v
        ),
        "price": lambda o: price_text(o.price, currency),
        "currency": lambda o: price_text(o.price, currency),
        "duration": lambda o: duration_text(o.duration),
        "start_dates": lambda o: "; ".join(
            r.start_date.isoformat() for r in o.instances if r.start_date
        ),
        "location": lambda o: "; ".join(t for t in (place_text(p, labels) for p in o.places) if t),
        "language": lambda o: ", ".join(labels.value("language", c) for c in o.languages),
        "subject": lambda o: "; ".join(
            f"{c} {labels.value('subject', c)}" for c in (o.subject.isced if o.subject else [])
        ),
        "learning_outcomes": lambda o: " | ".join(o.learning_outcomes),
        "assessment": lambda o: o.assessment or "",
        "prerequisites": lambda o: _cut(o.prerequisites),
        "credential_type": lambda o: (
            labels.value("credential_type", o.credential_type) if o.credential_type else ""
        ),
        "quality_assurance": lambda o: o.quality_assurance or "",
        "stackable_into": lambda o: "; ".join(o.stackable_into),
    }


def _offering(document: dict | None) -> Offering | None:
    if not document:
        return None
    try:
        return Offering.model_validate(document)
    except ValidationError:  # a stored form we cannot read back is shown as not made
        return None


def preview_in_words(rows: list[dict], labels: Labels, currency: str) -> list[PreviewRowOut]:
    made = _made(labels, currency)
    out = []
    for row in rows:
        offering = _offering(row.get("document"))
        problems: dict[str, list[str]] = {}
        for issue in row.get("issues", []):
            problems.setdefault(issue["field"], []).append(
                f"{issue['severity'].capitalize()}: {issue['message']}"
            )
        written: dict[str, str] = row.get("written", {})
        names = [f for f in FEED_V1_FIELDS if f in written or f in problems]
        values = [
            PreviewValueOut(
                field=name,
                written=written.get(name, ""),
                made=made[name](offering) if offering is not None else "",
                problems=problems.get(name, []),
            )
            for name in names
        ]
        out.append(
            PreviewRowOut(
                locator=row["locator"],
                record_id=row.get("record_id"),
                accepted=bool(row.get("accepted")),
                values=values,
                problems=[
                    p
                    for name, texts in problems.items()
                    if name not in FEED_V1_FIELDS or name == RECORD_FIELD
                    for p in texts
                ],
            )
        )
    return out

"""Offerings as people read them: each normalised value in words, beside what the provider
wrote, for the offering page and the compare table."""

from __future__ import annotations

from datetime import date
from typing import Any

from normaliser.schema import StoredOffering
from search_api.pages.learner_notes import STARTS, learner_notes
from search_api.pages.render import Labels
from search_api.pages.value_text import (
    NOT_STATED,
    credits_text,
    duration_text,
    ects_text,
    level_text,
    mode_text,
    next_start,
    place_text,
    price_details,
    price_text,
    run_start,
    start_text,
)


def _raw(offering: StoredOffering, value: Any, *keys: str) -> str:
    """What the provider wrote for a field: the value object's own `raw`, else the
    record's column of that name."""
    raw = getattr(value, "raw", None) if value is not None else None
    if raw:
        return raw
    for key in keys:
        for name, text in offering.raw.items():
            if name.lower() == key and text:
                return text
    return ""


def _row(label: str, made: str, wrote: str = "", note: str = "") -> dict:
    return {
        "label": label,
        "made": made or NOT_STATED,
        "wrote": wrote,
        "note": note,
        "missing": not made,
    }


def offering_sections(offering: StoredOffering, labels: Labels, currency: str) -> dict:
    o = offering
    subjects = [f"{c} {labels.value('subject', c)}" for c in (o.subject.isced if o.subject else [])]
    notes = learner_notes(o)
    values = [
        _row("Level", level_text(o.level), _raw(o, o.level, "level")),
        _row("Credits", credits_text(o.credits), _raw(o, o.credits, "credits")),
        _row("How it is taught", mode_text(o, labels), _raw(o, None, "mode", "delivery")),
        _row(
            "Price",
            price_text(o.price, currency),
            _raw(o, o.price, "price", "fee", "cost"),
            price_details(o.price),
        ),
        _row("Duration", duration_text(o.duration), _raw(o, o.duration, "duration")),
        _row("Field of study (ISCED-F 2013)", "; ".join(subjects), _raw(o, o.subject, "subject")),
        _row(
            "Language",
            ", ".join(labels.value("language", code) for code in o.languages),
            _raw(o, None, "language", "languages"),
        ),
        _row(
            "Where",
            "; ".join(t for t in (place_text(p, labels) for p in o.places) if t),
            "; ".join(p.raw for p in o.places if p.raw) or _raw(o, None, "location", "place"),
        ),
        _row("Credential", o.credential_type or "", _raw(o, None, "credential_type", "credential")),
        _row("Assessment", o.assessment or "", ""),
        _row("Quality assurance", o.quality_assurance or "", ""),
        _row("Entry requirements", o.prerequisites or "", ""),
        _row("Counts towards", "; ".join(o.stackable_into), ""),
        _row("Provider's course code", o.provider_offering_id, ""),
    ]
    runs = [
        {
            "start": run_start(r) or "Any time",
            "end": r.end_date.isoformat() if r.end_date else "",
            "mode": " · ".join(
                x
                for x in (
                    labels.value("mode", r.mode.value) if r.mode else "",
                    labels.value("pace", r.pace.value) if r.pace else "",
                )
                if x
            ),
            "place": place_text(r.place, labels),
            "price": price_text(r.price, currency),
        }
        for r in o.instances
    ]
    p = o.provenance
    provenance = [
        ("Provider", o.provider.name),
        (
            "How it reached us",
            {
                "push": "Pushed by the provider",
                "pull": "Pulled from the provider's feed",
                "crawl": "Read from the provider's website",
                "cli": "Imported from a file",
            }.get(p.channel.value, p.channel.value),
        ),
        ("Source", p.source_url or ""),
        ("First seen", p.first_seen.date().isoformat() if p.first_seen else ""),
        ("Last seen", p.last_seen.date().isoformat() if p.last_seen else ""),
        ("Status", "Active" if p.status.value == "active" else "Withdrawn by the provider"),
        ("Version", str(o.version)),
    ]
    for row in values:
        row["said"] = notes.get(row["label"], [])
    return {
        "facts": _facts(o, labels, currency),
        "values": values,
        "start_notes": notes.get(STARTS, []),
        "runs": runs,
        "provenance": [(k, v) for k, v in provenance if v],
        "raw": sorted(o.raw.items(), key=lambda kv: kv[0].lower()),
    }


META_DESCRIPTION_CHARS = 160  # about what search engines show under a result


def offering_description(o: StoredOffering, labels: Labels) -> str:
    """The page's meta description: who offers it and its key facts, then the start of its
    description, cut at a word within META_DESCRIPTION_CHARS."""
    facts = ", ".join(
        x for x in (level_text(o.level), ects_text(o.credits), mode_text(o, labels)) if x
    )
    text = f"{o.title} from {o.provider.name}" + (f": {facts}." if facts else ".")
    if o.description:
        text += " " + " ".join(o.description.split())
    if len(text) <= META_DESCRIPTION_CHARS:
        return text
    cut = text[: META_DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"


def _facts(o: StoredOffering, labels: Labels, currency: str) -> list[tuple[str, str]]:
    facts = [
        ("Level", level_text(o.level)),
        ("Credits", ects_text(o.credits)),
        ("How it is taught", mode_text(o, labels)),
        ("Price", price_text(o.price, currency)),
        ("Duration", duration_text(o.duration)),
        ("Next start", next_start(o)),
    ]
    return [(k, v or NOT_STATED) for k, v in facts]


def card_view(summary: dict, labels: Labels, currency: str, today: date | None = None) -> dict:
    """The result card's facts from an index summary."""
    level = summary.get("level") or {}
    level_bits = " ".join(
        x
        for x in (level.get("framework"), f"level {level['value']}" if level.get("value") else None)
        if x
    )
    if level.get("eqf") and level.get("framework") != "EQF":
        level_bits += f" · EQF {level['eqf']}"
    modes = summary.get("modes") or ([summary["mode"]] if summary.get("mode") else [])
    mode = ", ".join(labels.value("mode", m) for m in modes)
    if summary.get("pace"):
        mode += f" · {labels.value('pace', summary['pace'])}"
    start = _card_start(summary, today or date.today())
    return {
        "level": level_bits,
        "credits": ects_text(summary.get("credits")),
        "mode": mode,
        "price": price_text(summary.get("price"), currency),
        "duration": duration_text(summary.get("duration")),
        "start": start,
    }


def _card_start(summary: dict, today: date) -> str:
    """The next start on a card; a month or a year given alone shown as given (the index
    summary keeps them in `approximate_starts`, by the day they sort as)."""
    approximate = summary.get("approximate_starts") or {}
    for iso in summary.get("start_dates") or []:
        given = approximate.get(iso) or {}
        day = date.fromisoformat(iso)
        precision = given.get("precision")
        if precision == "year":
            to_come = day.year >= today.year
        elif precision == "month":
            to_come = (day.year, day.month) >= (today.year, today.month)
        else:
            to_come = day >= today
        if to_come:
            return start_text(day, precision, given.get("written"))
    return "Any time" if summary.get("pace") == "self_paced" else ""

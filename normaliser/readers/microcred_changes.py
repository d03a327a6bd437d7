"""Another microcred's changes feed (`GET /v1/changes`), read as a provider feed: how one
marketplace harvests another (format `microcred-changes`).

The document is a changes page, or several merged by the harvester: `{"changes": [...],
"next_cursor": ..., "has_more": ...}`. Each item carries the other catalogue's normalised
offering; it becomes a record in feed-format-v1 terms, each value written in the canonical
words our own parsers read back to the same value (`NZQF Level 5`, `15` with credit system
`NZ_CREDITS`, `1250 NZD`, `40 hours`, ISCED-F codes, ISO language codes), so the harvested
offering normalises to what the other catalogue holds without the origin provider's
defaults. The record id is the other catalogue's offering id, stable across its re-imports.
A `withdrawn` item withdraws that id (`FeedReadResult.withdrawn_ids`); when an id comes
more than once, its last item counts.
"""

from __future__ import annotations

from typing import Any

from normaliser.issues import Issue, IssueCode
from normaliser.readers.base import (
    RECORD_FIELD,
    FeedFormatError,
    FeedReadResult,
    RawRecord,
    ReadLimits,
)
from normaliser.readers.jsonld import load_json_document

MODE_WORDS = {"online": "Online", "in_person": "Face to face", "blended": "Blended"}
PACE_WORDS = {"self_paced": "Self-paced", "scheduled": "Scheduled"}


def looks_like_microcred_changes(data: bytes) -> bool:
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b'{"changes"')


def _number(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def _level(level: dict | None) -> dict[str, str]:
    if not level:
        return {}
    if level.get("framework") and level.get("value"):
        return {"level": f"{level['framework']} Level {level['value']}"}
    if level.get("eqf"):
        return {"level": f"EQF {level['eqf']}"}
    return {}


def _credits(credits: dict | None) -> dict[str, str]:
    if not credits:
        return {}
    if credits.get("value") is not None:
        if credits.get("system"):
            return {"credits": _number(credits["value"]), "credit_system": credits["system"]}
        return {"credits": f"{_number(credits['value'])} credits"}
    if credits.get("ects") is not None:
        return {"credits": f"{_number(credits['ects'])} ECTS"}
    return {}


def _mode(mode: str | None, pace: str | None) -> str | None:
    words = MODE_WORDS.get(mode or "")
    pace_words = PACE_WORDS.get(pace or "")
    if words and pace_words:
        return f"{words} ({pace_words.lower()})"
    return words or pace_words


def _price(price: dict | None) -> dict[str, str]:
    if not price:
        return {}
    if price.get("is_free"):
        return {
            "price": "Free",
            **({"currency": price["currency"]} if price.get("currency") else {}),
        }
    if price.get("amount") is None or not price.get("currency"):
        return {}
    text = _number(price["amount"])
    if price.get("amount_max"):
        text += f" - {_number(price['amount_max'])}"
    if price.get("includes_tax") is not None:
        text += " incl. tax" if price["includes_tax"] else " excl. tax"
    if price.get("audience") in ("domestic", "international"):
        text += f" {price['audience']}"
    return {"price": text, "currency": price["currency"]}


def _duration(duration: dict | None) -> str | None:
    if not duration:
        return None
    hours, weeks = duration.get("hours"), duration.get("weeks")
    per_week = duration.get("hours_per_week")
    if weeks and per_week:
        text = f"{_number(weeks)} weeks, {_number(per_week)} hours per week"
    elif weeks and hours:
        text = f"{_number(hours)} hours over {_number(weeks)} weeks"
    elif hours or weeks:
        text = f"{_number(hours)} hours" if hours else f"{_number(weeks)} weeks"
    elif per_week:
        text = f"{_number(per_week)} hours per week"
    else:
        return None
    if duration.get("part_time") is not None:
        text += " part-time" if duration["part_time"] else " full-time"
    return text


def _place(place: dict | None) -> str | None:
    if not place:
        return None
    if place.get("online") and not place.get("city"):
        return "Online"
    parts = [p for p in (place.get("city"), place.get("region"), place.get("country")) if p]
    return ", ".join(dict.fromkeys(parts)) or None


def _instance(run: dict) -> dict[str, str]:
    out = {key: run[key] for key in ("start_date", "end_date") if run.get(key)}
    if run.get("start_precision") and run.get("start_written"):
        # An approximate start ("Study Period 3, 2027") is read again from the words the
        # provider wrote, so it keeps its precision rather than becoming a firm 1 January.
        out["start_date"] = run["start_written"]
    mode = _mode(run.get("mode"), run.get("pace"))
    if mode:
        out["mode"] = mode
    out.update(_price(run.get("price")))
    location = _place(run.get("place"))
    if location:
        out["location"] = location
    return out


def offering_record(offering_id: str, offering: dict) -> tuple[dict, dict, list[dict]]:
    """feed-format-v1 fields, extra values and runs for one harvested offering."""
    fields: dict[str, Any] = {"id": offering_id, "title": offering.get("title") or ""}
    for name in (
        "description",
        "url",
        "assessment",
        "prerequisites",
        "credential_type",
        "quality_assurance",
    ):
        if offering.get(name):
            fields[name] = offering[name]
    fields.update(_level(offering.get("level")))
    fields.update(_credits(offering.get("credits")))
    mode = _mode(offering.get("mode"), offering.get("pace"))
    if mode:
        fields["mode"] = mode
    fields.update(_price(offering.get("price")))
    duration = _duration(offering.get("duration"))
    if duration:
        fields["duration"] = duration
    places = [p for p in (_place(p) for p in offering.get("places") or []) if p]
    if places:
        fields["location"] = "; ".join(places)
    if offering.get("languages"):
        fields["language"] = "; ".join(offering["languages"])
    subject = offering.get("subject") or {}
    if subject.get("isced"):
        fields["subject"] = "; ".join(subject["isced"])
    elif subject.get("raw"):  # words no ISCED-F code was found for: they may find none again
        fields["subject"] = subject["raw"]
    for name in ("learning_outcomes", "stackable_into"):
        if offering.get(name):
            fields[name] = list(offering[name])
    provider = offering.get("provider") or {}
    extra = {
        key: value
        for key, value in (
            ("origin_provider", provider.get("name")),
            ("origin_provider_id", provider.get("id")),
            ("origin_offering_id", offering.get("provider_offering_id")),
        )
        if value
    }
    runs = [_instance(run) for run in offering.get("instances") or []]
    return fields, extra, runs


def read_microcred_changes(data: bytes, limits: ReadLimits) -> FeedReadResult:
    document = load_json_document(data, limits, "microcred changes").value
    if not isinstance(document, dict) or not isinstance(document.get("changes"), list):
        raise FeedFormatError(
            "a microcred changes feed is a JSON object with a `changes` "
            "list (GET /v1/changes of another microcred)"
        )
    deadline = limits.deadline()
    latest: dict[str, tuple[int, dict]] = {}
    issues: list[Issue] = []
    for position, item in enumerate(document["changes"], start=1):
        limits.check_count(position)
        limits.check_deadline(deadline)
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("id"), str)
            or not isinstance(item.get("offering"), dict)
        ):
            issues.append(
                Issue.error(
                    RECORD_FIELD,
                    IssueCode.INVALID,
                    f"change {position} has no `id` and `offering`; it is left out",
                    None,
                )
            )
            continue
        latest.pop(item["id"], None)  # the last item of an id counts, in its place
        latest[item["id"]] = (position, item)
    records, withdrawn = [], []
    for offering_id, (position, item) in latest.items():
        if item.get("change") == "withdrawn":
            withdrawn.append(offering_id)
            continue
        fields, extra, runs = offering_record(offering_id, item["offering"])
        records.append(
            RawRecord(locator=f"change {position}", fields=fields, extra=extra, instances=runs)
        )
    return FeedReadResult(records=records, issues=issues, withdrawn_ids=withdrawn)

"""`microcred profiles check`: a profile applied to a source's first rows, shown field by
field (the columns read, the value they give, what the normaliser makes of it) with every
issue, so a profile's author sees what is wrong before a feed is submitted."""

from __future__ import annotations

import json
from typing import TextIO

from microcred.profiles import ProfileLibrary
from normaliser.issues import Issue
from normaliser.normalise import NormaliseContext, normalise_record
from normaliser.readers.base import FeedFormatError, ReadLimits, with_context_defaults
from normaliser.readers.profiles import MappingProfileError, read_with_profile
from normaliser.text import shorten


def check_profile(
    library: ProfileLibrary, reference: str, data: bytes, *, rows: int, out: TextIO
) -> bool:
    """Print the check; False when the profile or the file cannot be used, or a shown
    record has an error."""
    try:
        profile = library.find(reference)
    except (MappingProfileError, FeedFormatError) as exc:
        print(f"error: {exc}", file=out)
        return False
    print(
        f"profile {profile.name!r}: valid"
        + (f" ({profile.description})" if profile.description else ""),
        file=out,
    )
    try:
        result = read_with_profile(data, profile, ReadLimits())
    except FeedFormatError as exc:
        print(f"error: the file cannot be read with it: {exc}", file=out)
        return False
    for issue in result.issues:
        print(f"  feed: {_issue(issue)}", file=out)
    context = with_context_defaults(
        NormaliseContext(provider_id="check"), profile.context_defaults()
    )
    ok = True
    shown = result.records[: max(rows, 0)]
    print(f"{len(result.records)} record(s); the first {len(shown)}:", file=out)
    for record in shown:
        print(
            f"\n{record.locator}" + (f" (id {record.record_id})" if record.record_id else ""),
            file=out,
        )
        offering, issues = (
            normalise_record(record.fields, context, record.instances or None)
            if record.fields
            else (None, [])
        )
        normalised = offering.model_dump(mode="json", exclude_none=True) if offering else {}
        id_from = profile.id.column or ", ".join(profile.id.hash_columns)
        print(f"  id <- {id_from}: {record.record_id!r}", file=out)
        for field_name, rule in profile.fields.items():
            value = record.fields.get(field_name)
            columns = ", ".join(rule.source_columns()) or "(default)"
            print(
                f"  {field_name} <- {columns}: "
                f"{shorten(json.dumps(value, ensure_ascii=False), 120) if value else '(empty)'}",
                file=out,
            )
            got = _normalised(normalised, field_name)
            if got is not None:
                print(f"      = {shorten(json.dumps(got, ensure_ascii=False), 160)}", file=out)
        for name, value in record.extra.items():
            print(f"  (extra) {name}: {shorten(str(value), 80)!r}", file=out)
        for issue in [*record.issues, *issues]:
            ok = ok and issue.severity != "error"
            print(f"  {_issue(issue)}", file=out)
        if offering is None and record.fields:
            ok = False
            print("  -> REJECTED: not an offering", file=out)
    return ok


# Feed-format-v1 fields whose normalised value lives under another name.
_NORMALISED_KEY = {
    "id": "provider_offering_id",
    "start_dates": "instances",
    "end_dates": "instances",
    "language": "languages",
    "country": "places",
    "region": "places",
    "city": "places",
    "level_framework": "level",
    "credit_system": "credits",
    "currency": "price",
    "pace": "pace",
}


def _normalised(document: dict, field_name: str) -> object | None:
    key = _NORMALISED_KEY.get(field_name, field_name)
    return document.get(key)


def _issue(issue: Issue) -> str:
    value = f" (value: {shorten(issue.value, 60)!r})" if issue.value else ""
    return f"{issue.severity.upper()} {issue.field}: {issue.message}{value}"

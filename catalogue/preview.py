"""A dry run's preview: for the first rows of a feed, each value as the provider wrote it,
the offering the normaliser made of the row (its stored JSON form; None for a rejected
row) and the row's issues, so the provider page can show them side by side before the
feed is submitted. Pure: built from what the check already holds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from normaliser.readers.base import RawRecord

# Enough rows to see how each kind of value is read; a report stays small for any feed.
PREVIEW_ROWS = 25


class _Issue(Protocol):
    locator: str | None
    field: str
    severity: str
    message: str


def preview_rows(
    records: Sequence[RawRecord],
    documents: dict[str, dict],
    issues: Iterable[_Issue],
    rows: int = PREVIEW_ROWS,
) -> list[dict[str, Any]]:
    """The first `rows` records: `documents` maps a locator to its accepted offering."""
    by_locator: dict[str | None, list[dict]] = defaultdict(list)
    for issue in issues:
        by_locator[issue.locator].append(
            {"field": issue.field, "severity": issue.severity, "message": issue.message}
        )
    return [
        {
            "locator": record.locator,
            "record_id": record.record_id,
            "accepted": record.locator in documents,
            "written": {
                name: "; ".join(value) if isinstance(value, list) else value
                for name, value in record.fields.items()
            },
            "document": documents.get(record.locator),
            "issues": by_locator.get(record.locator, []),
        }
        for record in records[:rows]
    ]

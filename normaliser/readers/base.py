"""What every format reader returns: raw records with their position, and feed-level issues."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from normaliser.issues import Issue

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_Context = TypeVar("_Context", bound="DataclassInstance")

# `Issue.field` for a record-level problem that belongs to no single field, such as a JSON
# item that is not an object or a CSV row with more cells than the header has columns.
RECORD_FIELD = "_record"


class FeedFormatError(ValueError):
    """The feed as a whole cannot be read. Nothing from it is applied.

    `position` says where: a line and column for text formats, a byte offset otherwise.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        offset: int | None = None,
    ) -> None:
        self.line = line
        self.column = column
        self.offset = offset
        where = []
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}")
        if offset is not None:
            where.append(f"byte {offset}")
        self.position = ", ".join(where)
        super().__init__(f"{message} (at {self.position})" if where else message)


@dataclass
class RawRecord:
    """One record as the provider wrote it, before normalisation.

    `fields` maps feed-format-v1 field names to text, or to a list of texts where the
    source gave a list. `locator` names the record for reports: 'line 12' or 'item 3'.
    `extra` holds values of columns or keys the format does not know, under the name the
    provider wrote, so a mapping profile or the raw view can still see them; they are never
    normalised. `instances` are the record's runs (an XCRI-CAP presentation, a schema.org
    CourseInstance), each keyed by `normaliser.normalise.INSTANCE_FIELDS`; readers of flat
    formats leave it empty and the runs come from `start_dates`.
    """

    locator: str
    fields: dict[str, str | list[str]]
    line: int | None = None
    issues: list[Issue] = field(default_factory=list)
    extra: dict[str, str | list[str]] = field(default_factory=dict)
    instances: list[dict[str, str | list[str]]] = field(default_factory=list)

    @property
    def record_id(self) -> str | None:
        value = self.fields.get("id")
        if isinstance(value, list):
            value = value[0] if value else None
        return value.strip() if value and value.strip() else None


# What a format (a mapping profile, say) may tell the normaliser about all its records.
CONTEXT_DEFAULTS = (
    "default_currency",
    "default_language",
    "default_country",
    "credit_system",
    "level_framework",
)


def with_context_defaults(context: _Context, defaults: Mapping[str, str | None]) -> _Context:
    """`context` (a NormaliseContext) with `defaults`, keyed by CONTEXT_DEFAULTS, where it
    has no value of its own: the provider's own settings win over what its format implies."""
    return dataclasses.replace(
        context,
        **{
            key: value
            for key, value in defaults.items()
            if key in CONTEXT_DEFAULTS and value and not getattr(context, key)
        },
    )


@dataclass
class FeedReadResult:
    records: list[RawRecord]
    issues: list[Issue] = field(default_factory=list)  # feed-level, e.g. unknown columns
    # Defaults the source implies, keyed by CONTEXT_DEFAULTS; a provider's own settings win.
    defaults: dict[str, str] = field(default_factory=dict)
    # Record ids the feed itself says are withdrawn (a changes feed's withdrawals): a delta
    # applies them; a snapshot withdraws whatever it leaves out anyway.
    withdrawn_ids: list[str] = field(default_factory=list)
    # Nodes the reader saw and did not read as records, by what they are ('Event', 'not a
    # JSON object'), so a crawl can count what it skipped.
    skipped: dict[str, int] = field(default_factory=dict)


class FeedLimitExceeded(FeedFormatError):
    """The feed is over one of the reader limits: too many records, too deep, too slow."""


@dataclass(frozen=True)
class ReadLimits:
    """Bounds every reader enforces, so no feed can take the service down.

    `max_seconds` is wall-clock time for reading one feed; readers check it between records
    (and, for tree formats, between elements), so one record is never cut in half.
    """

    max_records: int = 100_000
    max_depth: int = 64  # nesting of XML elements or JSON containers
    max_seconds: float = 60.0

    def deadline(self) -> float:
        return time.monotonic() + self.max_seconds

    def check_count(self, count: int) -> None:
        if count > self.max_records:
            raise FeedLimitExceeded(
                f"the feed has more than {self.max_records:,} records; split it into several "
                f"delta feeds or ask the operator to raise MICROCRED_MAX_FEED_RECORDS"
            )

    def check_deadline(self, deadline: float) -> None:
        if time.monotonic() > deadline:
            raise FeedLimitExceeded(
                f"reading the feed took longer than {self.max_seconds:g} s and was stopped; "
                f"split it into smaller feeds"
            )


DEFAULT_LIMITS = ReadLimits()

"""What every format reader returns: raw records with their position, and feed-level issues."""

from __future__ import annotations

from dataclasses import dataclass, field

from normaliser.issues import Issue

# `Issue.field` for a record-level problem that belongs to no single field, such as a JSON
# item that is not an object or a CSV row with more cells than the header has columns.
RECORD_FIELD = "_record"


class FeedFormatError(ValueError):
    """The feed as a whole cannot be read. Nothing from it is applied.

    `position` says where: a line and column for text formats, a byte offset otherwise.
    """

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None,
                 offset: int | None = None) -> None:
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
    normalised.
    """

    locator: str
    fields: dict[str, str | list[str]]
    line: int | None = None
    issues: list[Issue] = field(default_factory=list)
    extra: dict[str, str | list[str]] = field(default_factory=dict)

    @property
    def record_id(self) -> str | None:
        value = self.fields.get("id")
        if isinstance(value, list):
            value = value[0] if value else None
        return value.strip() if value and value.strip() else None


@dataclass
class FeedReadResult:
    records: list[RawRecord]
    issues: list[Issue] = field(default_factory=list)  # feed-level, e.g. unknown columns

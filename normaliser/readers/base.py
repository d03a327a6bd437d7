"""What every format reader returns: raw records with their position, and feed-level issues."""

from __future__ import annotations

from dataclasses import dataclass, field

from normaliser.issues import Issue


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
    """

    locator: str
    fields: dict[str, str | list[str]]
    line: int | None = None
    issues: list[Issue] = field(default_factory=list)

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

"""Issues found while reading or normalising one record, and the parser result type."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict


class Severity(StrEnum):
    ERROR = "error"  # the record (or the field) cannot be accepted as written
    WARNING = "warning"  # accepted, but something was dropped, guessed or is ambiguous
    INFO = "info"  # accepted; a note such as "approximate conversion"


class IssueCode(StrEnum):
    MISSING = "missing"  # a required field is empty
    UNPARSED = "unparsed"  # we could not read the value at all
    AMBIGUOUS = "ambiguous"  # several readings were possible; we picked one or none
    APPROXIMATE = "approximate"  # a conversion by a loose convention
    NO_CROSSWALK = "no_crosswalk"  # e.g. a framework level with no official EQF referencing
    UNKNOWN_FIELD = "unknown_field"  # a column or key we do not know
    INVALID = "invalid"  # syntactically read, but out of range or contradictory
    DEFAULTED = "defaulted"  # a value was filled from a provider default


class Issue(BaseModel):
    """One problem with one field of one record."""

    model_config = ConfigDict(frozen=True)

    field: str
    code: IssueCode
    severity: Severity
    message: str
    value: str | None = None

    @classmethod
    def error(cls, field: str, code: IssueCode, message: str, value: str | None = None) -> Issue:
        return cls(field=field, code=code, severity=Severity.ERROR, message=message, value=value)

    @classmethod
    def warning(cls, field: str, code: IssueCode, message: str, value: str | None = None) -> Issue:
        return cls(field=field, code=code, severity=Severity.WARNING, message=message, value=value)

    @classmethod
    def info(cls, field: str, code: IssueCode, message: str, value: str | None = None) -> Issue:
        return cls(field=field, code=code, severity=Severity.INFO, message=message, value=value)


T = TypeVar("T")


@dataclass
class Parsed(Generic[T]):
    """What a value parser made of one raw value: the value (or None) and its issues."""

    value: T | None
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.value is not None and not any(i.severity == Severity.ERROR for i in self.issues)

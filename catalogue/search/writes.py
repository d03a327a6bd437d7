"""What a write to a search index did, item by item: the shape every backend's `write`
returns and the indexer reads (catalogue.indexer), whatever the backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Make the write visible to searches before returning: yes, no, or wait for the next refresh.
Refresh = bool | Literal["wait_for"]

Outcome = Literal["applied", "stale", "missing", "failed"]


@dataclass(frozen=True)
class BulkItemResult:
    offering_id: str
    action: str  # index or delete
    status: int
    outcome: Outcome
    error: str | None = None  # the engine's error type and reason, for failed items
    error_type: str | None = None  # the engine's error type alone (mapper_parsing_exception)


@dataclass
class BulkReport:
    """Per item, what the engine did. A version conflict is `stale`: the index already holds
    that version or a newer one, so a replayed or late write changes nothing, as intended."""

    items: list[BulkItemResult] = field(default_factory=list)

    @property
    def failed(self) -> list[BulkItemResult]:
        return [i for i in self.items if i.outcome == "failed"]

    def count(self, outcome: Outcome) -> int:
        return sum(1 for i in self.items if i.outcome == outcome)

    def describe_failures(self, limit: int = 5) -> str:
        failed = self.failed
        lines = [
            f"offering {i.offering_id} ({i.action}): HTTP {i.status} {i.error}"
            for i in failed[:limit]
        ]
        more = f"; and {len(failed) - limit} more" if len(failed) > limit else ""
        return "; ".join(lines) + more


def retryable_status(status: int | None) -> bool:
    """429 (too many requests: the engine sheds load) and 5xx are worth trying again later."""
    return status is not None and (status == 429 or status >= 500)

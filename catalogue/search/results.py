"""Typed search results, the same from every backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FacetBucket:
    value: str
    count: int


@dataclass
class Hit:
    id: str
    score: float | None
    summary: dict[str, Any]  # the result-card fields of the index document
    highlights: dict[str, str] = field(default_factory=dict)  # HTML-safe, <mark> around matches


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetBucket]]
    next_cursor: str | None
    # The text these results are for when the backend corrected the words asked for.
    corrected_query: str | None = None


@dataclass
class BackendHealth:
    ok: bool
    backend: str
    documents: int | None = None
    detail: str | None = None

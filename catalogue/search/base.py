"""The search backend interface. One module per engine implements it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

from catalogue.errors import UnsupportedByBackend
from catalogue.search.documents import IndexDocument
from catalogue.search.query import SearchQuery
from catalogue.search.results import BackendHealth, SearchResult

if TYPE_CHECKING:
    from catalogue.stats.source import StatsSource


class Capability(StrEnum):
    TEXT = "text"  # full-text relevance
    PREFIX = "prefix"  # the last word matches as a prefix
    HIGHLIGHT = "highlight"
    FACETS = "facets"
    CURSOR = "cursor"
    TYPO_TOLERANCE = "typo_tolerance"
    SYNONYMS = "synonyms"
    SUGGEST = "suggest"


class SearchBackend(ABC):
    """Stores index documents and answers typed queries.

    Upserts carry the catalogue version: a backend ignores a document older than the
    one it holds, so replaying the outbox is harmless.
    """

    name: str
    capabilities: frozenset[Capability]

    def require(self, capability: Capability) -> None:
        if capability not in self.capabilities:
            raise UnsupportedByBackend(
                f"The {self.name} search backend cannot do {capability.value}; "
                f"set MICROCRED_SEARCH_BACKEND to one that can.")

    @abstractmethod
    def ensure_index(self) -> None:
        """Create what the backend needs if it is missing. Safe to call repeatedly."""

    @abstractmethod
    def document_format(self) -> int | None:
        """The DOCUMENT_FORMAT the index was built with (None: empty or unknown)."""

    @abstractmethod
    def set_document_format(self, version: int) -> None: ...

    @abstractmethod
    def upsert(self, documents: Sequence[IndexDocument]) -> None: ...

    @abstractmethod
    def delete(self, offering_ids: Sequence[str], versions: Sequence[int] | None = None) -> None: ...

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResult: ...

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def clear(self) -> None:
        """Remove every document (before a rebuild)."""

    @abstractmethod
    def health(self) -> BackendHealth: ...

    def stats_source(self) -> StatsSource | None:
        """The agency statistics this index can answer itself, or None (the catalogue's
        SQL answers then). Default: none."""
        return None

    def close(self) -> None:
        """Release what the backend opened itself (connections, clients). Default: nothing."""
        return None

    def suggest(self, prefix: str, size: int = 8) -> list[str]:
        self.require(Capability.SUGGEST)
        raise NotImplementedError

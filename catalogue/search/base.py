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
from catalogue.search.writes import BulkItemResult, BulkReport, Refresh

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
                f"set MICROCRED_SEARCH_BACKEND to one that can."
            )

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
    def delete(
        self, offering_ids: Sequence[str], versions: Sequence[int] | None = None
    ) -> None: ...

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResult: ...

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def clear(self) -> None:
        """Remove every document (before a rebuild)."""

    @abstractmethod
    def health(self) -> BackendHealth: ...

    def write(
        self,
        documents: Sequence[IndexDocument],
        deletes: Sequence[tuple[str, int]],
        *,
        target: str | None = None,
        refresh: Refresh | None = None,
    ) -> BulkReport:
        """Index `documents` and delete `deletes` ((offering id, version) pairs) in `target`
        (an index a rebuild is filling; None: the live index). The report says what became of
        each item; an item worth another try is failed with a retryable status, and
        SearchUnavailable means nothing could be written now.

        Default: all or nothing through upsert and delete (a backend in the catalogue's own
        kind of database); its errors propagate. `refresh` is for backends that have one."""
        self.upsert(documents)
        if deletes:
            self.delete(
                [offering_id for offering_id, _ in deletes], [version for _, version in deletes]
            )
        return BulkReport(
            [BulkItemResult(d.id, "index", 200, "applied") for d in documents]
            + [BulkItemResult(offering_id, "delete", 200, "applied") for offering_id, _ in deletes]
        )

    def begin_rebuild(self) -> RebuildTarget:
        """Start filling the index again from nothing. Default: in place (the live index is
        emptied first; searches see it fill)."""
        self.ensure_index()
        self.clear()
        return InPlaceRebuild(self)

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


class RebuildTarget(ABC):
    """Where a rebuild writes, and how the result takes the place of the live index
    (catalogue.indexer.Indexer.rebuild drives it; each backend says how)."""

    index: str | None = None  # what the fill writes to (None: the live index)
    fill_refresh: Refresh | None = None  # refresh while filling (None: the backend's own)
    # True when the fill goes to an index beside the live one: what drains write to the live
    # index meanwhile must be written again into the new one, before and after it goes live.
    beside_live_index: bool = False

    @abstractmethod
    def finish(self, document_format: int) -> None:
        """The fill is complete: record its format and make it readable."""

    def go_live(self) -> list[str]:
        """Put the new index in place of the live one; returns the indices no longer used,
        for the caller to drop once running searches are done with them."""
        return []

    def drop(self, index: str) -> None:
        """Drop an index no longer used (`go_live`'s, or the new one when the rebuild
        failed). Default: nothing (an in-place rebuild makes no other index)."""
        return None

    def discard(self) -> None:
        """The rebuild failed before going live: drop what it made. Default: nothing."""
        return None


class InPlaceRebuild(RebuildTarget):
    def __init__(self, backend: SearchBackend) -> None:
        self.backend = backend

    def finish(self, document_format: int) -> None:
        self.backend.set_document_format(document_format)

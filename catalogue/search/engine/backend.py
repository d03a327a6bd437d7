"""Search on Elasticsearch 8/9 or OpenSearch 2/3 (the scale backend).

One backend for both: the request bodies come from engine.query (pure), the responses are
read by engine.results (pure), and the engine is reached through an EngineClient of either
flavour. Documents live in `<prefix>offerings-v<N>`; reads and writes go through the alias
`<prefix>offerings`. A rebuild creates the next N, fills it and moves the alias in one
request (create_versioned_index, bulk_into, swap_alias).

Writes carry the catalogue version as an external version: the engine refuses one older
than (or as old as) what it holds, so replaying the outbox, or a late update arriving after
a newer one, changes nothing. Deletes carry the version of the withdrawal the same way. (An
engine remembers a deleted version only for `index.gc_deletes`, 60 s by default; the indexer
never sends an upsert for a withdrawn offering, so a late one cannot bring it back.)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from catalogue.errors import InvalidRequest
from catalogue.search.base import Capability, RebuildTarget, SearchBackend
from catalogue.search.documents import IndexDocument
from catalogue.search.engine.client import (
    EngineClient,
    IndexAlreadyExists,
    IndexWriteFailed,
    bulk_report,
)
from catalogue.search.engine.mapping import (
    Analysis,
    IndexNames,
    document_source,
    index_body,
    mapping_version,
)
from catalogue.search.engine.query import compile_search, compile_suggest
from catalogue.search.engine.results import search_result, suggested_titles
from catalogue.search.query import SearchQuery
from catalogue.search.results import BackendHealth, SearchResult
from catalogue.search.synonyms import synonyms
from catalogue.search.writes import BulkItemResult, BulkReport, Refresh

if TYPE_CHECKING:
    from catalogue.stats.source import StatsSource

META_DOCUMENT_FORMAT = "document_format"
META_MAPPING_VERSION = "mapping_version"
META_ANALYSIS = "analysis"

log = logging.getLogger(__name__)


class MissingAnalysisModule(InvalidRequest):
    """The cluster lacks the analysis the mappings declare."""

    def __init__(self, flavour: str, cause: Exception) -> None:
        super().__init__(
            f"the {flavour} cluster cannot create the offerings index: it lacks the "
            f"analysis-common module (ASCII folding, stemming, synonyms, edge n-grams) "
            f"({str(cause)[:200]}). Install the module on every node, or set "
            f"MICROCRED_SEARCH_ANALYSIS=core to index with plain lower-casing only "
            f"(no folding, stemming or prefix suggestions; synonyms are expanded in the "
            f"query instead)"
        )


class EngineBackend(SearchBackend):
    capabilities = frozenset(Capability)

    def __init__(
        self,
        client: EngineClient,
        *,
        index_prefix: str = "",
        refresh: Refresh = True,
        analysis: Analysis = "full",
    ) -> None:
        """`refresh`: make each upsert and delete visible to searches before returning (what
        the contract and the API's read-your-writes need); False leaves it to the engine's
        refresh interval, for bulk loads."""
        self.client = client
        self.name = client.flavour
        self.names = IndexNames(index_prefix)
        self.refresh = refresh
        self.analysis = analysis

    @property
    def alias(self) -> str:
        return self.names.alias

    # the index and its alias ---------------------------------------------------------
    def ensure_index(self) -> None:
        if self.client.alias_targets(self.alias):
            return
        try:
            new = self.create_versioned_index()
        except IndexAlreadyExists:
            # Another process starting at the same time got there first; use its index.
            if self.client.alias_targets(self.alias):
                return
            new = max(self.client.index_names(self.names.pattern), key=self._generation)
        self.swap_alias(new)

    def _generation(self, index: str) -> int:
        return self.names.generation(index) or 0

    def create_versioned_index(self) -> str:
        """Create the next `<alias>-v<N>` from the current mapping file; returns its name.
        It is empty and not behind the alias yet."""
        existing = [self._generation(i) for i in self.client.index_names(self.names.pattern)]
        name = self.names.versioned(max(existing, default=0) + 1)
        body = index_body(self.analysis)
        body["mappings"]["_meta"] = {
            META_MAPPING_VERSION: mapping_version(),
            META_ANALYSIS: self.analysis,
        }
        try:
            self.client.create_index(name, body)
        except IndexAlreadyExists:
            raise
        except Exception as exc:
            if "failed to find" in str(exc) and self.analysis == "full":
                raise MissingAnalysisModule(self.name, exc) from exc
            raise
        return name

    def swap_alias(self, new_index: str) -> list[str]:
        """Point the alias (reads and writes) at `new_index` alone, atomically. Returns the
        indices it pointed at before; they are left in place for the caller to drop."""
        old = [i for i in self.client.alias_targets(self.alias) if i != new_index]
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": new_index, "alias": self.alias, "is_write_index": True}})
        self.client.update_aliases(actions)
        return old

    def drop_index(self, index: str) -> None:
        self.client.delete_index(index)

    def refresh_index(self, index: str) -> None:
        self.client.refresh(index)

    # writing ---------------------------------------------------------------------------
    def bulk_into(
        self, index: str, documents: Sequence[IndexDocument], *, refresh: Refresh = False
    ) -> BulkReport:
        """Index documents into `index` (a versioned index or the alias) with their catalogue
        versions; never raises for single items, the report says what happened to each."""
        if not documents:
            return BulkReport()
        operations: list[dict[str, Any]] = []
        # Through the alias, the alias must exist: without it the engine would create an
        # index of that name with guessed (dynamic) mappings, and the alias could never be
        # made again. With it, each item fails with index_not_found_exception instead.
        # (`require_alias` in a bulk index action: Elasticsearch 7.10+, OpenSearch.)
        through_alias = {"require_alias": True} if index == self.alias else {}
        for doc in documents:
            operations.append(
                {
                    "index": {
                        "_index": index,
                        "_id": doc.id,
                        "version": doc.version,
                        "version_type": "external",
                        **through_alias,
                    }
                }
            )
            operations.append(document_source(doc))
        return bulk_report(self.client.bulk(operations, refresh=refresh))

    def delete_from(
        self,
        index: str,
        offering_ids: Sequence[str],
        versions: Sequence[int] | None = None,
        *,
        refresh: Refresh = False,
    ) -> BulkReport:
        """Delete offerings; with `versions`, only where the index holds an older version."""
        if not offering_ids:
            return BulkReport()
        operations = []
        for position, offering_id in enumerate(offering_ids):
            action: dict[str, Any] = {"_index": index, "_id": offering_id}
            if versions is not None:
                action.update(version=versions[position], version_type="external")
            operations.append({"delete": action})
        return bulk_report(self.client.bulk(operations, refresh=refresh))

    def write(
        self,
        documents: Sequence[IndexDocument],
        deletes: Sequence[tuple[str, int]],
        *,
        target: str | None = None,
        refresh: Refresh | None = None,
    ) -> BulkReport:
        """One bulk request for the documents, one for the deletes; single items never raise.
        A delete has no `require_alias`: through a missing alias it would make an index of
        that name, so the alias is looked up first unless the documents just showed it is
        there; without it the deletes fail as index_not_found_exception."""
        index = target or self.alias
        refresh = self.refresh if refresh is None else refresh
        report = self.bulk_into(index, documents, refresh=refresh)
        if not deletes:
            return report
        index_seen = index != self.alias or any(
            i.outcome in ("applied", "stale") for i in report.items
        )
        if not index_seen and not self.client.alias_targets(index):
            report.items += [
                BulkItemResult(
                    offering_id,
                    "delete",
                    404,
                    "failed",
                    error=f"no alias {index}",
                    error_type="index_not_found_exception",
                )
                for offering_id, _ in deletes
            ]
            return report
        deleted = self.delete_from(
            index, [d[0] for d in deletes], [d[1] for d in deletes], refresh=refresh
        )
        report.items += deleted.items
        return report

    def begin_rebuild(self) -> RebuildTarget:
        """Into a new versioned index beside the live one: searches and drains keep using the
        alias meanwhile, and the alias moves in one step at the end."""
        return VersionedRebuild(self, self.create_versioned_index())

    def upsert(self, documents: Sequence[IndexDocument]) -> None:
        report = self.bulk_into(self.alias, documents, refresh=self.refresh)
        if report.failed:
            raise IndexWriteFailed(report)

    def delete(self, offering_ids: Sequence[str], versions: Sequence[int] | None = None) -> None:
        report = self.delete_from(self.alias, offering_ids, versions, refresh=self.refresh)
        if report.failed:
            raise IndexWriteFailed(report)

    def clear(self) -> None:
        """Move the alias to a new empty index (from the current mapping file) and drop the
        old one, so a rebuild also picks up a new layout."""
        new = self.create_versioned_index()
        for old in self.swap_alias(new):
            self.client.delete_index(old)

    def document_format(self) -> int | None:
        """None also when the index was made from another mapping file: its documents must be
        rebuilt into the current layout."""
        if not self.client.alias_targets(self.alias):
            return None
        meta = self.client.mapping_meta(self.alias)
        if meta.get(META_MAPPING_VERSION) != mapping_version():
            return None
        return meta.get(META_DOCUMENT_FORMAT)

    def set_document_format(self, version: int, index: str | None = None) -> None:
        """On the index behind the alias, or on `index` (a new one, before the alias moves)."""
        self.client.put_mapping_meta(
            index or self.alias,
            {META_MAPPING_VERSION: mapping_version(), META_DOCUMENT_FORMAT: version},
        )

    # reading ---------------------------------------------------------------------------
    def count(self) -> int:
        return self.client.count(self.alias)

    def health(self) -> BackendHealth:
        """Ok when the alias leads to an index that answers a count: what searches need.
        (Cluster health is not asked: a key allowed to search may not be allowed that.)"""
        try:
            targets = self.client.alias_targets(self.alias)
            if not targets:
                return BackendHealth(
                    ok=False,
                    backend=self.name,
                    detail=f"no index behind the alias {self.alias}; `microcred reindex` builds it",
                )
            documents = self.count()
        except Exception as exc:  # noqa: BLE001 - health reports any failure as not ok
            return BackendHealth(ok=False, backend=self.name, detail=str(exc))
        return BackendHealth(
            ok=True,
            backend=self.name,
            documents=documents,
            detail=f"{self.alias} -> {', '.join(targets)}",
        )

    def search(self, query: SearchQuery) -> SearchResult:
        # Core analysis has no synonym filter: the query carries the synonyms instead.
        body = compile_search(query, synonyms=synonyms() if self.analysis == "core" else None)
        response = self.client.search(self.alias, body)
        return search_result(query, response, highlighted="highlight" in body)

    def suggest(self, prefix: str, size: int = 8) -> list[str]:
        """Titles with words starting as typed, best match first."""
        body = compile_suggest(prefix, size)
        if body is None:
            return []
        return suggested_titles(self.client.search(self.alias, body), size)

    def stats_source(self) -> StatsSource:
        # Imported here: the stats module builds on this one.
        from catalogue.search.engine.stats import EngineStats

        return EngineStats(self)

    def close(self) -> None:
        self.client.close()


class VersionedRebuild(RebuildTarget):
    fill_refresh: Refresh | None = False
    beside_live_index = True

    def __init__(self, backend: EngineBackend, index: str) -> None:
        self.backend = backend
        self.index = index
        self.new_index = index

    def finish(self, document_format: int) -> None:
        self.backend.set_document_format(document_format, index=self.new_index)
        self.backend.refresh_index(self.new_index)

    def go_live(self) -> list[str]:
        """Also what an earlier rebuild left when it failed with the engine gone (it could not
        drop its half-filled index then). Only older generations: a newer one would belong to
        a rebuild running now in another process."""
        names = self.backend.names
        dropped = self.backend.swap_alias(self.new_index)
        generation = names.generation(self.new_index) or 0
        dropped += [
            i
            for i in self.backend.client.index_names(names.pattern)
            if i != self.new_index and i not in dropped and (names.generation(i) or 0) < generation
        ]
        return dropped

    def drop(self, index: str) -> None:
        try:
            self.backend.drop_index(index)
        except Exception:  # noqa: BLE001 - a leftover index costs space, not correctness
            log.exception("could not drop the index %s; drop it by hand", index)

    def discard(self) -> None:
        self.drop(self.new_index)

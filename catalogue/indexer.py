"""Moves catalogue changes into the search index, from the outbox, in order."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from catalogue.search.base import SearchBackend
from catalogue.search.documents import DOCUMENT_FORMAT, build_document
from catalogue.store import Catalogue

log = logging.getLogger(__name__)


@dataclass
class DrainStats:
    upserted: int = 0
    deleted: int = 0
    batches: int = 0


class Indexer:
    def __init__(self, catalogue: Catalogue, backend: SearchBackend, batch_size: int = 1000) -> None:
        self.catalogue = catalogue
        self.backend = backend
        self.batch_size = batch_size

    def drain(self, max_batches: int | None = None) -> DrainStats:
        """Apply pending outbox entries until none are left (or `max_batches` ran).

        Each entry is only marked done after the backend accepted it, so a crash
        in between replays it, which is harmless: backends ignore older versions.
        """
        stats = DrainStats()
        while max_batches is None or stats.batches < max_batches:
            work = self.catalogue.pending_index_work(self.batch_size)
            if not work:
                break
            stats.batches += 1
            # Only the newest entry per offering matters; the catalogue row is its current state.
            latest = {}
            for item in work:
                latest[item.offering_id] = item
            upserts = [i for i in latest.values() if i.op == "upsert"]
            deletes = [i for i in latest.values() if i.op == "delete"]
            current = self.catalogue.offering_documents([i.offering_id for i in upserts])
            documents = [build_document(current[i.offering_id]) for i in upserts
                         if i.offering_id in current
                         and current[i.offering_id]["provenance"]["status"] == "active"]
            self.backend.upsert(documents)
            if deletes:
                self.backend.delete([i.offering_id for i in deletes], [i.version for i in deletes])
            self.catalogue.mark_index_work_done([i.id for i in work])
            stats.upserted += len(documents)
            stats.deleted += len(deletes)
        return stats

    def ensure_current_format(self) -> bool:
        """Rebuild the index if an older build_document wrote it. True if it rebuilt."""
        if self.backend.document_format() == DOCUMENT_FORMAT:
            return False
        log.info("search index format differs from %s: rebuilding", DOCUMENT_FORMAT)
        self.rebuild()
        return True

    def rebuild(self) -> int:
        """Empty the index and fill it again from the catalogue's active offerings."""
        self.backend.ensure_index()
        self.backend.clear()
        batch, total = [], 0
        for offering in self.catalogue.iter_active_offering_documents(self.batch_size):
            batch.append(build_document(offering))
            if len(batch) >= self.batch_size:
                self.backend.upsert(batch)
                total += len(batch)
                batch = []
        if batch:
            self.backend.upsert(batch)
            total += len(batch)
        self.backend.set_document_format(DOCUMENT_FORMAT)
        return total

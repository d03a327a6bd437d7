"""What the web layer needs from the rest of the system, handed in by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from catalogue.indexer import Indexer
from catalogue.search.base import SearchBackend
from catalogue.store import Catalogue


@dataclass
class ApiContext:
    catalogue: Catalogue
    backend: SearchBackend
    indexer: Indexer | None
    reference_currency: str
    vocabularies: Callable[[], dict]

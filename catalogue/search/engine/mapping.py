"""The offerings index of Elasticsearch and OpenSearch: its versioned body (mappings/*.json),
its names, and the JSON document stored for an IndexDocument."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from catalogue.search.documents import IndexDocument
from catalogue.search.synonyms import synonyms

# The index body in use. A new file (offerings-v2.json) means a reindex into a new index.
MAPPING_FILE = "offerings-v1.json"
_INDEX_PREFIX = re.compile(r"^([a-z0-9][a-z0-9_.+-]*)?$")


@lru_cache
def _mapping_file() -> dict[str, Any]:
    text = resources.files("mappings").joinpath(MAPPING_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def mapping_version() -> int:
    return _mapping_file()["mapping_version"]


# "full": the analysis the mapping file declares, which needs the engine's analysis-common
# module (ASCII folding, stemmer, pattern_replace, synonym_graph, edge_ngram).
# "core": only what an Elasticsearch node has without that module (the standard tokenizer and
# the lowercase filter): the same analyzer names, so every field and query stays valid, but
# no folding of macrons and accents, no stemming, no synonyms and no prefix n-grams.
Analysis = Literal["full", "core"]
CORE_FILTERS = ("lowercase",)


SYNONYM_FILTER = "offering_synonyms"


def index_body(analysis: Analysis = "full") -> dict[str, Any]:
    """Settings and mappings to create an index with (a fresh copy: callers may add _meta).
    The synonym filter gets its rules from the one list of every backend
    (catalogue/search/synonyms.txt)."""
    data = _mapping_file()
    body = {
        "settings": copy.deepcopy(data["settings"]),
        "mappings": copy.deepcopy(data["mappings"]),
    }
    body["settings"]["analysis"]["filter"][SYNONYM_FILTER]["synonyms"] = synonyms().lines()
    if analysis == "core":
        chain = body["settings"]["analysis"]
        chain.pop("filter", None)
        for analyzer in chain["analyzer"].values():
            analyzer["filter"] = [f for f in analyzer.get("filter", []) if f in CORE_FILTERS]
    return body


def mapped_field(path: str) -> dict[str, Any] | None:
    """The mapping of a dotted field path (`instances.mode`, `title.folded`), or None."""
    properties = _mapping_file()["mappings"]["properties"]
    node: dict[str, Any] | None = None
    for part in path.split("."):
        if properties is None or part not in properties:
            return None
        node = properties[part]
        properties = node.get("properties") or node.get("fields")
    return node


@dataclass(frozen=True)
class IndexNames:
    """Writes and reads go through the alias `<prefix>offerings`; the data lives in
    `<prefix>offerings-v<N>`, N counting up with every rebuild, so a rebuild fills a new index
    and moves the alias in one step."""

    prefix: str = ""

    def __post_init__(self) -> None:
        if not _INDEX_PREFIX.match(self.prefix):
            raise ValueError(
                f"search index prefix {self.prefix!r} is not usable in an index "
                f"name: use lower-case letters, digits, '_', '-' or '.', e.g. "
                f"'microcred_'"
            )

    @property
    def alias(self) -> str:
        return f"{self.prefix}offerings"

    @property
    def pattern(self) -> str:
        return f"{self.alias}-v*"

    def versioned(self, generation: int) -> str:
        return f"{self.alias}-v{generation}"

    def generation(self, index: str) -> int | None:
        """N of `<alias>-v<N>`; None for any other name."""
        head = f"{self.alias}-v"
        rest = index[len(head) :] if index.startswith(head) else ""
        return int(rest) if rest.isdigit() else None


def document_source(doc: IndexDocument) -> dict[str, Any]:
    """The stored JSON of one offering, field for field as offerings-v1.json maps it."""
    return {
        "id": doc.id,
        "version": doc.version,
        "provider_id": doc.provider_id,
        "provider_name": doc.provider_name,
        "title": doc.title,
        # The SQLite backend sorts titles by their case-folded form too.
        "title_sort": doc.title.casefold(),
        "description": doc.description,
        "outcomes": doc.outcomes,
        "framework": doc.framework,
        "level_value": doc.level_value,
        "eqf": doc.eqf,
        "ects": doc.ects,
        "credit_system": doc.credit_system,
        "hours": doc.hours,
        "weeks": doc.weeks,
        "price_ref": doc.price_ref,
        "is_free": doc.is_free,
        "credential_type": doc.credential_type,
        "first_seen": doc.first_seen,
        "locations": [{"lat": lat, "lon": lon} for lat, lon in doc.locations],
        "keywords": doc.keywords,
        "instances": [asdict(instance) for instance in doc.instances],
        "summary": doc.summary,
    }

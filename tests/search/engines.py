"""Engine backends for tests: clients of both flavours on the real nodes the session starts
(tests/search/conftest.py), each test in indices of its own."""

from __future__ import annotations

import uuid

from elasticsearch import Elasticsearch
from opensearchpy import OpenSearch

from catalogue.search.engine.backend import EngineBackend
from catalogue.search.engine.elasticsearch_client import ElasticsearchClient
from catalogue.search.engine.mapping import Analysis
from catalogue.search.engine.opensearch_client import OpenSearchClient

# Elasticsearch's analysis-common module is not published on Maven Central, so the test node
# indexes with core analysis only (catalogue.search.engine.mapping.Analysis).
ELASTICSEARCH_ANALYSIS: Analysis = "core"
NO_ANALYSIS_COMMON = (
    "the Elasticsearch 9 node has no analysis-common module (not published on Maven Central "
    "for any 7.x-9.x version), so it indexes with MICROCRED_SEARCH_ANALYSIS=core: no ASCII "
    "folding, stemming, synonyms or edge n-grams"
)


def unique_prefix() -> str:
    return f"test_{uuid.uuid4().hex[:12]}_"


def opensearch_backend(url: str, prefix: str) -> EngineBackend:
    return EngineBackend(OpenSearchClient(OpenSearch(hosts=[url])), index_prefix=prefix)


def elasticsearch_backend(url: str, prefix: str) -> EngineBackend:
    return EngineBackend(
        ElasticsearchClient(Elasticsearch(url)),
        index_prefix=prefix,
        analysis=ELASTICSEARCH_ANALYSIS,
    )


def drop_indices(backend: EngineBackend) -> None:
    """Remove every index of the backend's prefix (tests leave nothing in a shared cluster)."""
    for index in backend.client.index_names(backend.names.pattern):
        backend.client.delete_index(index)
    backend.close()


def _isolated(request, backend: EngineBackend) -> EngineBackend:
    """Each test writes to indices of its own prefix, dropped when it ends."""
    request.addfinalizer(lambda: drop_indices(backend))
    return backend


def opensearch_node(request, tmp_path) -> EngineBackend:
    url = request.getfixturevalue("opensearch_url")
    return _isolated(request, opensearch_backend(url, unique_prefix()))


def elasticsearch_node(request, tmp_path) -> EngineBackend:
    url = request.getfixturevalue("elasticsearch_url")
    return _isolated(request, elasticsearch_backend(url, unique_prefix()))


def opensearch3_node(request, tmp_path) -> EngineBackend:
    url = request.getfixturevalue("opensearch3_url")
    return _isolated(request, opensearch_backend(url, unique_prefix()))


# name -> factory(request, tmp_path): a real node of each engine.
ENGINE_FACTORIES = {
    "opensearch": opensearch_node,
    "opensearch3": opensearch3_node,
    "elasticsearch": elasticsearch_node,
}
# The backends that index without analysis-common (see NO_ANALYSIS_COMMON).
CORE_ANALYSIS_ONLY = frozenset({"elasticsearch"})

# Where every engine flavour is not needed: the stats and duplicates suites go through the
# same client module and query compiler for OpenSearch 2 and 3, so they run on 2.19 and
# Elasticsearch only. OpenSearch 3 runs the backend contract and the engine backend suite,
# which is where a server of another major version could answer differently; the CI time
# this saves (about 90 s) keeps `.ci/run` under its 20 minutes.
ENGINES_FOR_DERIVED_SUITES = tuple(sorted(set(ENGINE_FACTORIES) - {"opensearch3"}))

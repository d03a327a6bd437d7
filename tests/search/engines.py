"""Engine backends for tests: osmem-server as a child process, and clients of both flavours
for it or for a real cluster, each test in indices of its own."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import uuid
from dataclasses import dataclass

import httpx
from elastic_transport import HttpHeaders, Urllib3HttpNode
from elasticsearch import Elasticsearch
from opensearchpy import OpenSearch

from catalogue.search.elasticsearch_client import ElasticsearchClient
from catalogue.search.engine import EngineBackend
from catalogue.search.opensearch_client import OpenSearchClient

STARTUP_SECONDS = 30
_COMPATIBLE_MEDIA_TYPE = re.compile(
    r"application/vnd\.elasticsearch\+([\w-]+);\s*compatible-with=\d+")


class PlainJsonNode(Urllib3HttpNode):
    """Sends `application/json` where the Elasticsearch client sends its versioned media type
    (`application/vnd.elasticsearch+json; compatible-with=9`). osmem-server answers those with
    406; Elasticsearch itself accepts both. Tests only: it lets the Elasticsearch flavour run
    against osmem, and must never be used with a real cluster, whose compatibility header the
    production client should keep sending."""

    def perform_request(self, method, target, body=None, headers=None, **options):
        plain = HttpHeaders(headers or {})
        for name in ("accept", "content-type"):
            if name in plain:
                plain[name] = _COMPATIBLE_MEDIA_TYPE.sub(r"application/\1", plain[name])
        return super().perform_request(method, target, body=body, headers=plain, **options)


@dataclass
class OsmemProcess:
    process: subprocess.Popen
    url: str

    @classmethod
    def start(cls, binary: str) -> OsmemProcess:
        """Start on a free loopback port (port 0: the server picks one and prints its URL as
        the first line of JSON), and wait until the cluster answers healthy."""
        process = subprocess.Popen(
            [binary, "--addr", "127.0.0.1:0", "--no-ja"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            url = json.loads(process.stdout.readline())["url"]
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                try:
                    if httpx.get(f"{url}/_cluster/health", timeout=1).status_code == 200:
                        return cls(process, url)
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"osmem-server at {url} did not become healthy")
                time.sleep(0.05)
        except Exception:
            process.kill()
            process.wait()
            raise

    def stop(self) -> None:
        """osmem-server exits when its stdin closes; kill it if it does not."""
        self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def unique_prefix() -> str:
    return f"test_{uuid.uuid4().hex[:12]}_"


def opensearch_backend(url: str, prefix: str) -> EngineBackend:
    return EngineBackend(OpenSearchClient(OpenSearch(hosts=[url])), index_prefix=prefix)


def elasticsearch_backend(url: str, prefix: str, *, osmem: bool) -> EngineBackend:
    options = {"node_class": PlainJsonNode} if osmem else {}
    return EngineBackend(ElasticsearchClient(Elasticsearch(url, **options)),
                         index_prefix=prefix)


def drop_indices(backend: EngineBackend) -> None:
    """Remove every index of the backend's prefix (tests leave nothing in a shared cluster)."""
    for index in backend.client.index_names(backend.names.pattern):
        backend.client.delete_index(index)
    backend.close()


def _isolated(request, backend: EngineBackend) -> EngineBackend:
    """Each test writes to indices of its own prefix, dropped when it ends."""
    request.addfinalizer(lambda: drop_indices(backend))
    return backend


def opensearch_on_osmem(request, tmp_path) -> EngineBackend:
    url = request.getfixturevalue("osmem_search_url")
    return _isolated(request, opensearch_backend(url, unique_prefix()))


def elasticsearch_on_osmem(request, tmp_path) -> EngineBackend:
    url = request.getfixturevalue("osmem_search_url")
    return _isolated(request, elasticsearch_backend(url, unique_prefix(), osmem=True))


def elasticsearch_cluster(request, tmp_path) -> EngineBackend:
    url = os.environ["MICROCRED_TEST_ES_URL"]
    return _isolated(request, elasticsearch_backend(url, unique_prefix(), osmem=False))


def opensearch_cluster(request, tmp_path) -> EngineBackend:
    url = os.environ["MICROCRED_TEST_OPENSEARCH_URL"]
    return _isolated(request, opensearch_backend(url, unique_prefix()))


# name -> factory(request, tmp_path). Both flavours always run on osmem-server; a real
# cluster joins when its URL is set (otherwise its parameters do not exist at all).
ENGINE_FACTORIES = {"opensearch": opensearch_on_osmem, "elasticsearch": elasticsearch_on_osmem}
if os.environ.get("MICROCRED_TEST_ES_URL"):
    ENGINE_FACTORIES["elasticsearch-cluster"] = elasticsearch_cluster
if os.environ.get("MICROCRED_TEST_OPENSEARCH_URL"):
    ENGINE_FACTORIES["opensearch-cluster"] = opensearch_cluster
# The backends running on osmem-server, for differences of osmem rather than of the engines.
ON_OSMEM = frozenset({"opensearch", "elasticsearch"})

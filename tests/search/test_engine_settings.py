"""MICROCRED_SEARCH_* settings to the engine client of the right flavour (no cluster needed:
building a client does not connect)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from catalogue.search.engine.backend import EngineBackend
from catalogue.search.engine.elasticsearch_client import ElasticsearchClient
from catalogue.search.engine.opensearch_client import OpenSearchClient
from microcred.services import build_search_backend, search_engine_client
from microcred.settings import Settings


def test_elasticsearch_with_an_api_key(tmp_path):
    settings = Settings(
        data_dir=tmp_path,
        search_backend="elasticsearch",
        search_url="https://search.example:9200",
        search_api_key="a2V5",
        search_index_prefix="prod_",
    )
    backend = build_search_backend(settings, engine=None)
    assert isinstance(backend, EngineBackend) and backend.name == "elasticsearch"
    assert isinstance(backend.client, ElasticsearchClient)
    assert backend.alias == "prod_offerings"
    assert backend.client.client._headers["authorization"] == "ApiKey a2V5"
    assert "a2V5" not in repr(settings)  # secrets stay out of logs


def test_opensearch_with_a_user_and_password(tmp_path):
    settings = Settings(
        data_dir=tmp_path,
        search_backend="opensearch",
        search_username="microcred",
        search_password="s3cret",
        search_timeout=3,
    )
    client = search_engine_client(settings)
    assert isinstance(client, OpenSearchClient)
    (connection,) = client.client.transport.connection_pool.connections
    assert connection.headers["authorization"].startswith("Basic ")
    assert connection.timeout == 3


def test_an_api_key_is_refused_for_opensearch(tmp_path):
    settings = Settings(data_dir=tmp_path, search_backend="opensearch", search_api_key="k")
    with pytest.raises(ValueError, match="USERNAME"):
        search_engine_client(settings)


def test_an_unusable_index_prefix_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="search_index_prefix"):
        Settings(data_dir=tmp_path, search_index_prefix="Has Space")

"""The Elasticsearch 8/9 flavour of EngineClient, on the official `elasticsearch` client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from elasticsearch import (
    ApiError,
    ConnectionError,
    ConnectionTimeout,
    Elasticsearch,
    NotFoundError,
)

from catalogue.search.engine_client import (
    IndexAlreadyExists,
    Refresh,
    engine_unavailable,
    unavailable_for_status,
)

FLAVOUR = "elasticsearch"


@contextmanager
def _translated() -> Iterator[None]:
    """The client's errors for an engine that cannot be used now, as SearchUnavailable;
    anything else (a 400, a 404 the caller reads, a serialisation bug) as it was."""
    try:
        yield
    except ConnectionTimeout as exc:
        raise engine_unavailable(FLAVOUR, "did not answer in time", exc) from exc
    except ConnectionError as exc:  # refused, reset, DNS, TLS (TlsError is one)
        raise engine_unavailable(FLAVOUR, "cannot be reached", exc) from exc
    except ApiError as exc:
        error = unavailable_for_status(FLAVOUR, exc.status_code, exc)
        if error is None:
            raise
        raise error from exc


class ElasticsearchClient:
    flavour = FLAVOUR

    def __init__(self, client: Elasticsearch) -> None:
        self.client = client

    def create_index(self, name: str, body: dict[str, Any]) -> None:
        with _translated():
            try:
                self.client.indices.create(index=name, settings=body["settings"],
                                           mappings=body["mappings"])
            except ApiError as exc:
                if exc.error == "resource_already_exists_exception":
                    raise IndexAlreadyExists(name) from exc
                raise

    def delete_index(self, name: str) -> None:
        with _translated():
            self.client.indices.delete(index=name)

    def index_names(self, pattern: str) -> list[str]:
        with _translated():
            return sorted(self.client.indices.get(index=pattern, allow_no_indices=True).body)

    def alias_targets(self, alias: str) -> list[str]:
        with _translated():
            try:
                return sorted(self.client.indices.get_alias(name=alias).body)
            except NotFoundError:
                return []

    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        with _translated():
            self.client.indices.update_aliases(actions=actions)

    def bulk(self, operations: list[dict[str, Any]], refresh: Refresh) -> dict[str, Any]:
        with _translated():
            return self.client.bulk(operations=operations, refresh=refresh).body

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        with _translated():
            return self.client.search(index=index, body=body).body

    def count(self, index: str) -> int:
        with _translated():
            return self.client.count(index=index).body["count"]

    def refresh(self, index: str) -> None:
        with _translated():
            self.client.indices.refresh(index=index)

    def mapping_meta(self, index: str) -> dict[str, Any]:
        with _translated():
            mappings = self.client.indices.get_mapping(index=index).body
            first: dict[str, Any] = next(iter(mappings.values()), {})
            return first.get("mappings", {}).get("_meta", {})

    def put_mapping_meta(self, index: str, meta: dict[str, Any]) -> None:
        with _translated():
            self.client.indices.put_mapping(index=index, meta=meta)

    def close(self) -> None:
        self.client.close()


def connect_elasticsearch(url: str, *, api_key: str | None = None, username: str | None = None,
                          password: str | None = None, ca_cert: str | None = None,
                          verify_certs: bool = True, timeout: float = 10.0) -> ElasticsearchClient:
    """A client for one cluster URL; an API key, or a user name and password, if given."""
    options: dict[str, Any] = {"request_timeout": timeout, "verify_certs": verify_certs,
                               "retry_on_timeout": True, "max_retries": 3}
    if api_key:
        options["api_key"] = api_key
    elif username:
        options["basic_auth"] = (username, password or "")
    if ca_cert:
        options["ca_certs"] = ca_cert
    return ElasticsearchClient(Elasticsearch(url, **options))

"""The Elasticsearch 8/9 flavour of EngineClient, on the official `elasticsearch` client:
how a request is sent (media types with its compatibility version) and its errors read, and
how it authenticates (API key or user name and password)."""

from __future__ import annotations

from typing import Any

from elasticsearch import ApiError, ConnectionError, ConnectionTimeout, Elasticsearch

from catalogue.search.engine.client import (
    RestEngineClient,
    engine_unavailable,
    unavailable_for_status,
)

FLAVOUR = "elasticsearch"
# The client turns these into Elasticsearch's versioned media types
# (application/vnd.elasticsearch+json; compatible-with=9) itself.
_JSON = {"accept": "application/json", "content-type": "application/json"}
_NDJSON = {"accept": "application/json", "content-type": "application/x-ndjson"}


class ElasticsearchClient(RestEngineClient):
    flavour = FLAVOUR

    def __init__(self, client: Elasticsearch) -> None:
        self.client = client

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        ndjson: bool = False,
    ) -> Any:
        headers = _NDJSON if ndjson else _JSON
        try:
            return self.client.perform_request(
                method, path, params=params, headers=headers, body=body
            ).body
        except ConnectionTimeout as exc:
            raise engine_unavailable(FLAVOUR, "did not answer in time", exc) from exc
        except ConnectionError as exc:  # refused, reset, DNS, TLS (TlsError is one)
            raise engine_unavailable(FLAVOUR, "cannot be reached", exc) from exc
        except ApiError as exc:
            error = unavailable_for_status(FLAVOUR, exc.status_code, exc)
            if error is None:
                raise
            raise error from exc

    def _error_of(self, exc: Exception) -> tuple[int | None, str | None] | None:
        if isinstance(exc, ApiError):
            return exc.status_code, exc.error
        return None

    def close(self) -> None:
        self.client.close()


def connect_elasticsearch(
    url: str,
    *,
    api_key: str | None = None,
    username: str | None = None,
    password: str | None = None,
    ca_cert: str | None = None,
    verify_certs: bool = True,
    timeout: float = 10.0,
) -> ElasticsearchClient:
    """A client for one cluster URL; an API key, or a user name and password, if given."""
    options: dict[str, Any] = {
        "request_timeout": timeout,
        "verify_certs": verify_certs,
        "retry_on_timeout": True,
        "max_retries": 3,
    }
    if api_key:
        options["api_key"] = api_key
    elif username:
        options["basic_auth"] = (username, password or "")
    if ca_cert:
        options["ca_certs"] = ca_cert
    return ElasticsearchClient(Elasticsearch(url, **options))

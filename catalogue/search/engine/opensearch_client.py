"""The OpenSearch 2/3 flavour of EngineClient, on `opensearch-py`: how a request is sent and
its errors read, and how it authenticates (user name and password: OpenSearch's security
plugin has no API keys)."""

from __future__ import annotations

from typing import Any

from opensearchpy import ConnectionError, ConnectionTimeout, OpenSearch, TransportError

from catalogue.search.engine.client import (
    RestEngineClient,
    engine_unavailable,
    unavailable_for_status,
)

FLAVOUR = "opensearch"
_NDJSON = {"content-type": "application/x-ndjson"}


class OpenSearchClient(RestEngineClient):
    flavour = FLAVOUR

    def __init__(self, client: OpenSearch) -> None:
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
        try:
            return self.client.transport.perform_request(
                method, path, params=params, body=body, headers=_NDJSON if ndjson else None
            )
        except ConnectionTimeout as exc:  # before ConnectionError: it is one
            raise engine_unavailable(FLAVOUR, "did not answer in time", exc) from exc
        except ConnectionError as exc:  # refused, reset, DNS, TLS handshake (SSLError)
            raise engine_unavailable(FLAVOUR, "cannot be reached", exc) from exc
        except TransportError as exc:
            error = unavailable_for_status(FLAVOUR, _status(exc), exc)
            if error is None:
                raise
            raise error from exc

    def _error_of(self, exc: Exception) -> tuple[int | None, str | None] | None:
        if isinstance(exc, TransportError):
            return _status(exc), exc.error if isinstance(exc.error, str) else None
        return None

    def close(self) -> None:
        self.client.close()


def _status(exc: TransportError) -> int | None:
    """status_code is the HTTP status, or the string "N/A" when there was no response."""
    return exc.status_code if isinstance(exc.status_code, int) else None


def connect_opensearch(
    url: str,
    *,
    username: str | None = None,
    password: str | None = None,
    ca_cert: str | None = None,
    verify_certs: bool = True,
    timeout: float = 10.0,
) -> OpenSearchClient:
    """A client for one cluster URL; a user name and password, if given (OpenSearch's
    security plugin has no API keys)."""
    options: dict[str, Any] = {
        "timeout": timeout,
        "verify_certs": verify_certs,
        "retry_on_timeout": True,
        "max_retries": 3,
    }
    if username:
        options["http_auth"] = (username, password or "")
    if ca_cert:
        options["ca_certs"] = ca_cert
    return OpenSearchClient(OpenSearch(hosts=[url], **options))

"""What the engine backend needs from an Elasticsearch or OpenSearch client (EngineClient),
one implementation of it for both (RestEngineClient), and the errors of an engine that cannot
be used. The flavour modules (elasticsearch_client, opensearch_client) add only how a request
is sent and its errors read; catalogue.search.engine.backend uses nothing else."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import Any, Protocol
from urllib.parse import quote

from catalogue.errors import SearchUnavailable
from catalogue.search.writes import BulkItemResult, BulkReport, Outcome, Refresh


class IndexAlreadyExists(Exception):
    """Another process created the index first."""


class EngineClient(Protocol):
    flavour: str  # the backend name: "elasticsearch" or "opensearch"

    def create_index(self, name: str, body: dict[str, Any]) -> None:
        """Raises IndexAlreadyExists if it exists."""

    def delete_index(self, name: str) -> None: ...

    def index_names(self, pattern: str) -> list[str]:
        """Concrete indices matching a wildcard pattern; [] when none."""

    def alias_targets(self, alias: str) -> list[str]:
        """The indices behind an alias; [] when there is no such alias."""

    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        """Apply alias actions atomically, as one request."""

    def bulk(self, operations: list[dict[str, Any]], refresh: Refresh) -> dict[str, Any]: ...

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]: ...

    def count(self, index: str) -> int: ...

    def refresh(self, index: str) -> None: ...

    def mapping_meta(self, index: str) -> dict[str, Any]:
        """The `_meta` of the index (or of the one index behind an alias); {} if none."""

    def put_mapping_meta(self, index: str, meta: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class RestEngineClient(ABC):
    """EngineClient for both engines, as the REST calls they answer alike (their Python
    clients differ in every method's arguments, not in the requests). A flavour supplies only
    what truly differs: how one request is sent and its errors read, and how it connects."""

    flavour: str

    @abstractmethod
    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        ndjson: bool = False,
    ) -> Any:
        """Send one request and return its decoded JSON answer. An engine that cannot be used
        now raises SearchUnavailable; any other error is the client library's own."""

    @abstractmethod
    def _error_of(self, exc: Exception) -> tuple[int | None, str | None] | None:
        """(HTTP status, the engine's error type) of the client library's API error; None for
        any other exception."""

    def _is(
        self, exc: Exception, *, status: int | None = None, error_type: str | None = None
    ) -> bool:
        error = self._error_of(exc)
        return (
            error is not None
            and (status is None or error[0] == status)
            and (error_type is None or error[1] == error_type)
        )

    def create_index(self, name: str, body: dict[str, Any]) -> None:
        try:
            self._request("PUT", f"/{_part(name)}", body=body)
        except SearchUnavailable:
            raise
        except Exception as exc:
            if self._is(exc, error_type="resource_already_exists_exception"):
                raise IndexAlreadyExists(name) from exc
            raise

    def delete_index(self, name: str) -> None:
        self._request("DELETE", f"/{_part(name)}")

    def index_names(self, pattern: str) -> list[str]:
        return sorted(
            self._request("GET", f"/{_part(pattern)}", params={"allow_no_indices": "true"})
        )

    def alias_targets(self, alias: str) -> list[str]:
        try:
            return sorted(self._request("GET", f"/_alias/{_part(alias)}"))
        except SearchUnavailable:
            raise
        except Exception as exc:
            if self._is(exc, status=404):
                return []
            raise

    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        self._request("POST", "/_aliases", body={"actions": actions})

    def bulk(self, operations: list[dict[str, Any]], refresh: Refresh) -> dict[str, Any]:
        lines = "".join(
            json.dumps(operation, ensure_ascii=False) + "\n" for operation in operations
        )
        return self._request(
            "POST", "/_bulk", params={"refresh": _refresh_value(refresh)}, body=lines, ndjson=True
        )

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._request("POST", f"/{_part(index)}/_search", body=body)

    def count(self, index: str) -> int:
        return int(self._request("GET", f"/{_part(index)}/_count")["count"])

    def refresh(self, index: str) -> None:
        self._request("POST", f"/{_part(index)}/_refresh")

    def mapping_meta(self, index: str) -> dict[str, Any]:
        mappings: dict[str, Any] = self._request("GET", f"/{_part(index)}/_mapping")
        first: dict[str, Any] = next(iter(mappings.values()), {})
        return first.get("mappings", {}).get("_meta", {})

    def put_mapping_meta(self, index: str, meta: dict[str, Any]) -> None:
        self._request("PUT", f"/{_part(index)}/_mapping", body={"_meta": meta})


def _part(name: str) -> str:
    """An index, alias or pattern as one path segment (`*` and `,` keep their meaning)."""
    return quote(name, safe="*,")


def _refresh_value(refresh: Refresh) -> str:
    return refresh if isinstance(refresh, str) else ("true" if refresh else "false")


class IndexWriteFailed(RuntimeError):
    """Some items of a bulk write were refused; `report` says which and why. The catalogue
    still holds them: the outbox entries stay pending and are retried."""

    def __init__(self, report: BulkReport) -> None:
        super().__init__(
            f"the search engine refused {len(report.failed)} of "
            f"{len(report.items)} writes: {report.describe_failures()}"
        )
        self.report = report


def _outcome(action: str, status: int, error: dict[str, Any] | None) -> Outcome:
    if 200 <= status < 300:
        return "applied"
    if status == 409 and (error or {}).get("type") == "version_conflict_engine_exception":
        return "stale"
    if action == "delete" and status == 404:
        return "missing"
    return "failed"


def bulk_report(response: dict[str, Any]) -> BulkReport:
    """The per-item results of a _bulk response, in request order."""
    report = BulkReport()
    for entry in response.get("items", []):
        ((action, item),) = entry.items()
        error = item.get("error")
        status = int(item.get("status", 500))
        detail = None
        if error:
            detail = (
                f"{error.get('type')}: {error.get('reason')}"
                if isinstance(error, dict)
                else str(error)
            )
        report.items.append(
            BulkItemResult(
                offering_id=str(item.get("_id")),
                action=action,
                status=status,
                outcome=_outcome(action, status, error),
                error=detail,
                error_type=error.get("type") if isinstance(error, dict) else None,
            )
        )
    return report


# --- the engine not answering ----------------------------------------------------------------
def engine_unavailable(
    flavour: str,
    cause: str,
    exc: BaseException,
    *,
    status: int | None = None,
    retryable: bool = True,
) -> SearchUnavailable:
    """The domain error for an engine that cannot be used now. Its message is fit for API
    callers (no addresses); the client's own error is chained to it and in `detail`."""
    return SearchUnavailable(
        f"Search is unavailable for now: the {flavour} search engine {cause}. Offerings can "
        f"still be read one by one (/v1/offerings/{{id}}); index updates wait in the "
        f"catalogue's outbox and are applied when the engine is back.",
        status=status,
        retryable=retryable,
        detail=f"{type(exc).__name__}: {exc}",
    )


def unavailable_for_status(
    flavour: str, status: int | None, exc: BaseException
) -> SearchUnavailable | None:
    """The SearchUnavailable for an HTTP error status of a whole request, or None where the
    status means something else (a 400 is our mistake, a 404 is for the caller to read)."""
    if status == 429:
        return engine_unavailable(flavour, "is overloaded (HTTP 429)", exc, status=status)
    if status is not None and status >= 500:
        return engine_unavailable(flavour, f"failed (HTTP {status})", exc, status=status)
    if status in (401, 403):
        return engine_unavailable(
            flavour,
            f"refused our credentials (HTTP {status}); check MICROCRED_SEARCH_API_KEY "
            f"or MICROCRED_SEARCH_USERNAME/PASSWORD",
            exc,
            status=status,
            retryable=False,
        )
    return None

"""What the engine backend needs from an Elasticsearch or OpenSearch client, and the typed
result of a bulk request. The two client flavours (elasticsearch_client, opensearch_client)
implement EngineClient; catalogue.search.engine uses nothing else."""

from __future__ import annotations

from typing import Any, Protocol

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


class IndexWriteFailed(RuntimeError):
    """Some items of a bulk write were refused; `report` says which and why. The catalogue
    still holds them: the outbox entries stay pending and are retried."""

    def __init__(self, report: BulkReport) -> None:
        super().__init__(f"the search engine refused {len(report.failed)} of "
                         f"{len(report.items)} writes: {report.describe_failures()}")
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
        (action, item), = entry.items()
        error = item.get("error")
        status = int(item.get("status", 500))
        detail = None
        if error:
            detail = (f"{error.get('type')}: {error.get('reason')}" if isinstance(error, dict)
                      else str(error))
        report.items.append(BulkItemResult(offering_id=str(item.get("_id")), action=action,
                                           status=status, outcome=_outcome(action, status, error),
                                           error=detail,
                                           error_type=error.get("type")
                                           if isinstance(error, dict) else None))
    return report


# --- the engine not answering ----------------------------------------------------------------
def engine_unavailable(flavour: str, cause: str, exc: BaseException, *,
                       status: int | None = None, retryable: bool = True) -> SearchUnavailable:
    """The domain error for an engine that cannot be used now. Its message is fit for API
    callers (no addresses); the client's own error is chained to it and in `detail`."""
    return SearchUnavailable(
        f"Search is unavailable for now: the {flavour} search engine {cause}. Offerings can "
        f"still be read one by one (/v1/offerings/{{id}}); index updates wait in the "
        f"catalogue's outbox and are applied when the engine is back.",
        status=status, retryable=retryable, detail=f"{type(exc).__name__}: {exc}")


def unavailable_for_status(flavour: str, status: int | None,
                           exc: BaseException) -> SearchUnavailable | None:
    """The SearchUnavailable for an HTTP error status of a whole request, or None where the
    status means something else (a 400 is our mistake, a 404 is for the caller to read)."""
    if status == 429:
        return engine_unavailable(flavour, "is overloaded (HTTP 429)", exc, status=status)
    if status is not None and status >= 500:
        return engine_unavailable(flavour, f"failed (HTTP {status})", exc, status=status)
    if status in (401, 403):
        return engine_unavailable(
            flavour, f"refused our credentials (HTTP {status}); check MICROCRED_SEARCH_API_KEY "
                     f"or MICROCRED_SEARCH_USERNAME/PASSWORD", exc, status=status,
            retryable=False)
    return None

"""Run a provider's pull or crawl now: the one implementation behind `.../pull` and
`.../crawl`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from catalogue.errors import InvalidRequest
from search_api.models.common import RunRequestedOut

Source = TypeVar("Source")


def request_run_now(
    source: Source, source_id: str, request_run: Callable[[Source], None] | None, what: str
) -> RunRequestedOut:
    """Hand `source` to the scheduler's `request_run`; where no scheduler runs in this
    deployment, say so (400) rather than accept work nobody will do."""
    if request_run is None:
        raise InvalidRequest(f"no scheduler runs in this deployment to {what}")
    request_run(source)
    return RunRequestedOut(id=source_id, requested=True)

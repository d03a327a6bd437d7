"""What a pull (of a feed, or of another microcred's changes) came to, recorded as its
pull run."""

from __future__ import annotations

from dataclasses import dataclass

from catalogue.sources import PullSource, SourceStore


@dataclass(frozen=True)
class PullOutcome:
    run_id: int
    outcome: str  # fetched | not_modified | unchanged | failed | refused
    submission_id: int | None = None
    error: str | None = None


def finish_pull(
    sources: SourceStore,
    source: PullSource,
    started,
    outcome: str,
    *,
    error: str | None = None,
    http_status: int | None = None,
    attempts: int = 0,
    size: int | None = None,
    submission_id: int | None = None,
) -> PullOutcome:
    run_id = sources.record_pull_run(
        source,
        started_at=started,
        outcome=outcome,
        http_status=http_status,
        attempts=attempts,
        size=size,
        submission_id=submission_id,
        error=error,
    )
    return PullOutcome(run_id=run_id, outcome=outcome, submission_id=submission_id, error=error)

"""One process of the several-processes tests (tests/test_several_processes.py), started as
`python -m tests.several_processes_child ROLE JOB`, JOB a JSON description of its job.
It composes the services as `microcred serve` or `microcred scheduler` would, against the
catalogue URL it is given, and prints a JSON line of what it did. Every loop has a deadline.

Roles:
- worker: once the `go` file exists, apply submissions until none is waiting or being
  processed anywhere;
- stuck-worker: claim one submission and start applying it, then stop for good inside the
  apply transaction (at the insert of its run report) after creating the `marker` file:
  the test kills it there;
- scheduler: run a PullScheduler until the `stop` file exists.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

from sqlalchemy import event, func, select

from catalogue.models import SubmissionRow
from microcred.services import build_services
from microcred.settings import Settings


def _services(job: dict):
    return build_services(
        Settings(
            data_dir=Path(job["data_dir"]),
            database_url=job["database_url"],
            reference_currency="EUR",
            normalise_workers=1,
            submission_lease_seconds=job.get("lease_seconds", 60.0),
        )
    )


def _wait_for(path: Path, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.02)
    return False


def _unfinished(services) -> int:
    with services.engine.connect() as conn:
        return conn.execute(
            select(func.count())
            .select_from(SubmissionRow)
            .where(SubmissionRow.status.in_(("received", "processing")))
        ).scalar_one()


def worker(job: dict) -> dict:
    services = _services(job)
    deadline = time.monotonic() + job["timeout"]
    applied = []
    try:
        if not _wait_for(Path(job["go"]), deadline):
            return {"error": "no go signal"}
        while time.monotonic() < deadline:
            applied += [r.submission_id for r in services.worker.run_pending()]
            if not _unfinished(services):
                break
            time.sleep(0.01)
        return {
            "worker": services.ingest.worker_id,
            "processed": applied,
            "finished": not _unfinished(services),
        }
    finally:
        services.close()


def stuck_worker(job: dict) -> dict:
    services = _services(job)
    marker = Path(job["marker"])

    def stop_in_apply(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO INGEST_RUNS"):
            marker.write_text("in the apply transaction")
            time.sleep(job["timeout"])  # killed here by the test

    event.listen(services.engine, "before_cursor_execute", stop_in_apply)
    claim = services.ingest.claim_next()
    if claim is None:
        return {"error": "nothing to claim"}
    services.ingest.process_claim(claim)
    return {"error": "the apply finished; it should have been killed first"}


def scheduler(job: dict) -> dict:
    from crawlers.fetch import FeedFetcher
    from microcred.scheduler import PullScheduler

    services = _services(job)
    deadline = time.monotonic() + job["timeout"]
    fetcher = FeedFetcher(allow_private=True, timeout=5, max_bytes=1_000_000, user_agent="test")
    pulls = PullScheduler(services, fetcher=fetcher, reconcile_seconds=0.2)
    pulls.start()
    Path(job["ready"]).write_text(pulls.name)
    try:
        _wait_for(Path(job["stop"]), deadline)
    finally:
        pulls.shutdown()
        services.close()
    return {"scheduler": pulls.name}


def main() -> None:
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(process)d %(name)s %(levelname)s %(message)s",
    )
    role, job = sys.argv[1], json.loads(sys.argv[2])
    roles = {"worker": worker, "stuck-worker": stuck_worker, "scheduler": scheduler}
    print(json.dumps(roles[role](job)), flush=True)


if __name__ == "__main__":
    main()

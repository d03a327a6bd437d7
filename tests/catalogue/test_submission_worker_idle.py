"""`wait_until_idle` never says idle while a submission waits: the race behind a flaky
ownership-matrix test (a push answered 202, the test saw the worker idle, and the feed was
applied while the test counted offerings). The ingest here is a stand-in that stores work
in a list: what is under test is the worker's thread logic, not the catalogue."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from catalogue.submission_worker import SubmissionWorker

pytestmark = pytest.mark.sqlite_only("the worker's threading only; no catalogue involved")


class ListIngest:
    def __init__(self) -> None:
        self.waiting: list[int] = []
        self.processed: list[int] = []
        self.lock = threading.Lock()
        self.between_pass_and_check = None  # called once, where the race window is
        self.release = threading.Event()  # holds processing, so the test can look meanwhile

    def claim_next(self):
        with self.lock:
            return SimpleNamespace(submission_id=self.waiting.pop(0)) if self.waiting else None

    def process_claim(self, claim):
        self.release.wait(10)
        self.processed.append(claim.submission_id)
        return SimpleNamespace(status="failed")

    def waiting_submissions(self):
        hook, self.between_pass_and_check = self.between_pass_and_check, None
        with self.lock:
            answer = list(self.waiting)
        if hook is not None:
            hook()  # a push stores and notifies after the worker looked
        return answer


def test_a_submission_stored_while_the_worker_checks_is_never_reported_idle():
    ingest = ListIngest()
    worker = SubmissionWorker(ingest)  # type: ignore[arg-type]
    worker.POLL_SECONDS = 30  # only a notify may wake it: the test must not pass by polling

    def push_during_the_check() -> None:
        with ingest.lock:
            ingest.waiting.append(7)
        worker.notify()

    worker.start()
    try:
        assert worker.wait_until_idle(10)  # nothing waits yet
        ingest.between_pass_and_check = push_during_the_check
        worker.notify()  # a pass begins, and the push lands between its work and its check
        reported_idle = worker.wait_until_idle(0.5)  # submission 7 waits (held by `release`)
        ingest.release.set()
        assert not reported_idle, "idle was reported while submission 7 waited"
        assert worker.wait_until_idle(10)
        assert ingest.processed == [7]
    finally:
        ingest.release.set()
        worker.stop(10)

"""Processes stored submissions in the background, one at a time, in the order received.

The API stores a pushed feed and answers 202 at once; this worker picks it up. Work is found
in the catalogue (submissions with status `received`), not in memory, so a submission that
arrived while no worker ran (or before a crash) is processed when one starts. Any number of
workers may run, in any number of processes: each claims a submission with a lease before
processing it (catalogue.ingest), so none is applied twice, one whose worker died is taken
up once its lease runs out, and one provider's feeds are applied in the order sent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from catalogue.ingest import IngestReport, IngestService

log = logging.getLogger(__name__)


class SubmissionWorker:
    # A safety net: the worker looks for work this often even when nobody notifies it
    # (a submission stored by another process, say the CLI or a second API worker).
    POLL_SECONDS = 5.0

    def __init__(
        self,
        ingest: IngestService,
        after_apply: Callable[[IngestReport], None] | None = None,
        on_idle: Callable[[], object] | None = None,
    ) -> None:
        """`on_idle`: called on every pass of the background thread once nothing waits (the
        indexer's catch-up, so index work left by an engine outage is picked up)."""
        self.ingest = ingest
        self.after_apply = after_apply
        self.on_idle = on_idle
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        # Counts notify() calls, so a pass that began before a notify never reports idle:
        # checking "nothing waits" and then setting idle is two steps, and a submission
        # stored between them was reported idle before it was processed.
        self._notifications = 0
        self._notify_lock = threading.Lock()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="submission-worker", daemon=True)
        self._thread.start()
        self.notify()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def notify(self) -> None:
        """Say there is new work; returns at once."""
        with self._notify_lock:
            self._notifications += 1
            self._idle.clear()
        self._wake.set()

    def wait_until_idle(self, timeout: float = 30.0) -> bool:
        """For tests and the CLI: block until every waiting submission is processed."""
        return self._idle.wait(timeout)

    def run_pending(self) -> list[IngestReport]:
        """Process everything this worker can claim now, in this thread (what other workers
        hold, or what waits behind another worker's feed of the same provider, is left)."""
        reports = []
        while not self._stop.is_set():
            claim = self.ingest.claim_next()
            if claim is None:
                break
            submission_id = claim.submission_id
            report = self.ingest.process_claim(claim)
            reports.append(report)
            if self.after_apply is not None and report.status == "applied":
                try:
                    self.after_apply(report)
                except Exception:  # the index catches up later from the outbox
                    log.exception("after-apply step failed for submission %s", submission_id)
        return reports

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._notify_lock:
                seen = self._notifications
            self._wake.clear()
            try:
                self.run_pending()
            except Exception:  # keep the worker alive; the submission stays for the next pass
                log.exception("processing submissions failed")
            if self.on_idle is not None and not self._stop.is_set():
                try:
                    self.on_idle()
                except Exception:  # the index catches up on a later pass
                    log.exception("idle step failed")
            if not self.ingest.waiting_submissions():
                with self._notify_lock:
                    if self._notifications == seen:  # else a notify came in: go round again
                        self._idle.set()
            self._wake.wait(self.POLL_SECONDS)

"""Scheduled pulls: APScheduler with its job store in the catalogue database.

The sources table is the truth about what is pulled when; the scheduler's jobs follow it.
A reconcile pass (at start and every RECONCILE_SECONDS) adds a job for each enabled pull
source, replaces jobs whose schedule changed and removes jobs of disabled sources. So an API
process that registers a source never needs to reach the scheduler, which may run in another
process (`microcred scheduler`) or inside `microcred up`. The job store being in the catalogue
means next-run times survive a restart: a pull that was due while the scheduler was down
runs once when it comes back (coalesced), within the misfire grace time. Crawl sources with
a schedule get jobs the same way (`crawl-source-<id>`); each crawl runs in a child process.

Several scheduler processes may share one catalogue. APScheduler 3 does not coordinate
schedulers sharing a job store: two can both find one job due. So a scheduled run first
claims its due time (the run time APScheduler scheduled it for, read from the shared job
store, so the same in every scheduler) in the catalogue
(catalogue.coordination.ScheduledRunClaims): the first claim wins, any other scheduler
skips that run. APScheduler does not hand a job its run time, so the jobs run on an
executor of ours that does. Pulls and crawls requested now (the API's "pull now") are not
claimed: each request is its own run.

Shutdown is bounded (`shutdown(timeout=...)`). APScheduler 3's own `shutdown(wait=True)`
holds the job store lock while it waits for running jobs, so a reconcile job that reaches
`get_jobs()` meanwhile waits for that lock forever (issue 11). Here the jobs are told to stop
first, APScheduler is shut down without waiting, and the running jobs are waited for with no
lock held and a deadline: a reconcile pass returns at its next step, a pull waiting its turn
gives up, a running crawl child is stopped, and a pull under way ends within its fetch timeout.

Liveness: each reconcile pass that completes (it reads the sources from the catalogue and
the jobs from the job store, in one of the scheduler's worker threads) writes a heartbeat
file; `microcred scheduler --check` fails when it is older than a few passes, which is the
scheduler service's health check in docker-compose.yml.
"""

from __future__ import annotations

import concurrent.futures
import logging
import math
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from apscheduler.executors.base import BaseExecutor, run_job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from catalogue.coordination import ScheduledRunClaims, process_name
from catalogue.crawls import CrawlSource, CrawlStore
from catalogue.errors import NotFound
from catalogue.sources import PullSource, Schedule, SourceStore
from crawlers.fetch import FeedFetcher
from crawlers.pull import PullOutcome, pull_source
from microcred.crawling import STOP_SECONDS, CrawlOutcome, CrawlRunner
from microcred.services import Services

log = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"
RECONCILE_SECONDS = 30
MISFIRE_GRACE_SECONDS = 3600
# How long shutdown() waits for running jobs: a pull under way ends within pull_timeout (30 s
# by default). Docker kills a container 10 s after SIGTERM unless told otherwise, so
# docker-compose.yml gives the scheduler a stop_grace_period above this.
SHUTDOWN_SECONDS = 30.0
# A heartbeat older than this many reconcile intervals means the scheduler is not working.
HEARTBEAT_INTERVALS = 4
_JOB_PREFIX = "pull-source-"
_CRAWL_JOB_PREFIX = "crawl-source-"  # crawl sources with a schedule, beside the pulls
USER_AGENT = "microcred-feed-fetcher/1.0 (+https://github.com/microcred/microcred)"

# APScheduler stores a job as a reference to a module-level function plus arguments; the
# function finds the running services here.
_runtime: PullScheduler | None = None


def run_scheduled_pull(source_id: int) -> None:
    if _runtime is not None:
        _runtime.scheduled_pull(source_id, scheduled_run_time())


def run_scheduled_crawl(source_id: int) -> None:
    if _runtime is not None:
        _runtime.scheduled_crawl(source_id, scheduled_run_time())


def run_requested_pull(source_id: int) -> None:
    if _runtime is not None:
        _runtime.pull(source_id)


def run_requested_crawl(source_id: int) -> None:
    if _runtime is not None:
        _runtime.crawl(source_id)


_run_time = threading.local()


def scheduled_run_time() -> datetime | None:
    """In a job run by RunTimeExecutor: the time APScheduler scheduled this run for."""
    return getattr(_run_time, "value", None)


def _run_with_time(job, jobstore_alias, run_times, logger_name) -> list:
    events = []
    for run_time in run_times:
        _run_time.value = run_time
        try:
            events.extend(run_job(job, jobstore_alias, [run_time], logger_name))
        finally:
            _run_time.value = None
    return events


class RunTimeExecutor(BaseExecutor):
    """APScheduler's thread pool executor, except that the job function can read the time
    its run was scheduled for (scheduled_run_time()). A custom executor is BaseExecutor
    with _do_submit_job, as APScheduler's own pool executors are."""

    def __init__(self, max_workers: int = 10) -> None:
        super().__init__()
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers)

    def _do_submit_job(self, job, run_times) -> None:
        def done(future: concurrent.futures.Future) -> None:
            exc = future.exception()
            if exc is not None:
                self._run_job_error(job.id, exc, exc.__traceback__)
            else:
                self._run_job_success(job.id, future.result())

        self._pool.submit(
            _run_with_time, job, job._jobstore_alias, run_times, self._logger.name
        ).add_done_callback(done)

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait)


def heartbeat_path(data_dir: Path) -> Path:
    """Where this host's scheduler writes its heartbeat. Per host name (in a container: the
    container's), so schedulers sharing a data volume each have their own."""
    return data_dir / "heartbeats" / f"scheduler-{socket.gethostname()}"


def write_heartbeat(path: Path) -> None:
    """Replace the heartbeat atomically, so a check never reads half a file. Each write has
    a temporary file of its own: the background beat and a reconcile can write at once from
    two threads of one process, and a name shared between them let one thread's replace()
    take the other's file away."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f"{path.name}.", suffix=".tmp", delete=False
    ) as partial:
        # Milliseconds rounded down: rounded to nearest, a beat read at once was up to half a
        # millisecond in the future, a negative age.
        partial.write(f"{math.floor(time.time() * 1000) / 1000:.3f}\n")
    try:
        os.replace(partial.name, path)
    except OSError:
        Path(partial.name).unlink(missing_ok=True)
        raise


def heartbeat_age(path: Path, now: float | None = None) -> float | None:
    """Seconds since the heartbeat at `path`; None when there is none (or it is unreadable)."""
    try:
        beat = float(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
    return (time.time() if now is None else now) - beat


def check_heartbeat(data_dir: Path, max_age: float) -> tuple[bool, str]:
    """(healthy, what to print) for `microcred scheduler --check`."""
    path = heartbeat_path(data_dir)
    age = heartbeat_age(path)
    if age is None:
        return False, f"scheduler: no heartbeat at {path} (not started, or stopped)"
    if age > max_age:
        return False, (
            f"scheduler: last heartbeat {age:.0f} s ago at {path}, more than "
            f"{max_age:g} s: no reconcile pass has completed since (is the "
            f"catalogue reachable? see the scheduler's log)"
        )
    return True, f"scheduler: alive, last heartbeat {age:.0f} s ago"


def build_fetcher(services: Services) -> FeedFetcher:
    settings = services.settings
    return FeedFetcher(
        allow_private=settings.allow_private_feeds,
        timeout=settings.pull_timeout,
        max_bytes=settings.max_feed_bytes,
        user_agent=USER_AGENT,
    )


def trigger_for(schedule: Schedule):
    if schedule.cron:
        return CronTrigger.from_crontab(schedule.cron, timezone="UTC")
    return IntervalTrigger(minutes=schedule.interval_minutes, timezone="UTC")


class PullScheduler:
    def __init__(
        self,
        services: Services,
        *,
        fetcher: FeedFetcher | None = None,
        reconcile_seconds: float = RECONCILE_SECONDS,
        crawler: CrawlRunner | None = None,
    ) -> None:
        self.services = services
        self.sources = SourceStore(services.catalogue)
        self.crawls = CrawlStore(services.catalogue)
        self.crawler = crawler or CrawlRunner(services)
        self.fetcher = fetcher or build_fetcher(services)
        self.reconcile_seconds = reconcile_seconds
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=services.engine, tablename=JOBS_TABLE)},
            executors={"default": RunTimeExecutor()},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            },
            timezone="UTC",
        )
        # One pull at a time per process: pulls are I/O-light and the ingest after them is
        # serialised anyway.
        self._lock = threading.Lock()
        self.claims = ScheduledRunClaims(services.catalogue)
        self.name = process_name()
        self._stopping = threading.Event()
        self._running: dict[int, str] = {}  # thread id -> what it runs, while it runs
        self._running_changed = threading.Condition()
        self.heartbeat = heartbeat_path(services.settings.data_dir)

    def start(self) -> None:
        global _runtime
        self._stopping.clear()
        self.crawler.resume()
        _runtime = self
        self.scheduler.start()
        self.reconcile()
        self.scheduler.add_job(
            self.reconcile,
            "interval",
            seconds=self.reconcile_seconds,
            id="reconcile-pull-sources",
            replace_existing=True,
            jobstore=self._memory_store(),
        )

    def _memory_store(self) -> str:
        # The reconcile job holds a bound method, which cannot be stored in the database.
        if "memory" not in self.scheduler._jobstores:
            self.scheduler.add_jobstore("memory", alias="memory")
        return "memory"

    def shutdown(self, timeout: float = SHUTDOWN_SECONDS) -> bool:
        """Stop scheduling, and wait up to `timeout` seconds for the jobs running now.
        True when every job ended in time; otherwise the ones still running are logged and
        left to end by themselves (their thread does no further scheduler work)."""
        global _runtime
        self._stopping.set()
        if _runtime is self:
            _runtime = None  # jobs queued but not started find no runtime and do nothing
        self.heartbeat.unlink(missing_ok=True)  # stopping: the health check says so at once
        started = time.monotonic()
        self.crawler.stop(wait=min(timeout, STOP_SECONDS))
        if self.scheduler.running:
            # Not wait=True: APScheduler would wait holding the job store lock (see above).
            self.scheduler.shutdown(wait=False)
        deadline = started + timeout
        with self._running_changed:
            while self._running:
                left = deadline - time.monotonic()
                if left <= 0:
                    log.warning(
                        "scheduler shut down with jobs still running after %g s: %s",
                        timeout,
                        ", ".join(sorted(self._running.values())),
                    )
                    return False
                self._running_changed.wait(left)
        return True

    @contextmanager
    def _job(self, what: str) -> Iterator[None]:
        """Count a job as running while the block runs, for shutdown() to wait for."""
        ident = threading.get_ident()
        with self._running_changed:
            self._running[ident] = what
        try:
            yield
        finally:
            with self._running_changed:
                self._running.pop(ident, None)
                self._running_changed.notify_all()

    def reconcile(self) -> None:
        if self._stopping.is_set():
            return
        with self._job("reconcile"):
            self._reconcile()
            if not self._stopping.is_set():
                write_heartbeat(self.heartbeat)

    def _reconcile(self) -> None:
        wanted: dict[str, PullSource | CrawlSource] = {
            f"{_JOB_PREFIX}{s.id}": s for s in self.sources.list_pull_sources(enabled_only=True)
        }
        wanted.update(
            {
                f"{_CRAWL_JOB_PREFIX}{s.id}": s
                for s in self.crawls.list_crawl_sources(enabled_only=True)
                if s.schedule
            }
        )
        # Checked before each use of the scheduler: after shutdown() it must not be touched
        # (its job store is closed), and this pass may have been waiting on the database.
        if self._stopping.is_set():
            return
        for job in self.scheduler.get_jobs(jobstore="default"):
            if job.id.startswith((_JOB_PREFIX, _CRAWL_JOB_PREFIX)) and job.id not in wanted:
                try:
                    job.remove()
                except JobLookupError:
                    log.info("job %s was removed by another scheduler first", job.id)
        for job_id, source in wanted.items():
            if self._stopping.is_set():
                return
            if source.schedule is None:  # crawl sources without one are left out above
                continue
            trigger = trigger_for(source.schedule)
            job = self.scheduler.get_job(job_id, jobstore="default")
            if job is not None and str(job.trigger) == str(trigger):
                continue
            crawl = job_id.startswith(_CRAWL_JOB_PREFIX)
            self.scheduler.add_job(
                run_scheduled_crawl if crawl else run_scheduled_pull,
                trigger,
                args=[source.id],
                id=job_id,
                jobstore="default",
                replace_existing=True,
                name=f"{'crawl' if crawl else 'pull'} {source.provider_id}/{source.name}",
            )

    def request_pull(self, source: PullSource) -> None:
        """Pull now, in the scheduler's threads."""
        self.scheduler.add_job(
            run_requested_pull,
            args=[source.id],
            jobstore=self._memory_store(),
            name=f"pull now {source.provider_id}/{source.name}",
        )

    def claim_run(self, kind: str, source_id: int, due: datetime | None) -> bool:
        """Claim the scheduled run of a source due at `due`; False when another scheduler
        has it (or, which our executor prevents, the run time is unknown)."""
        if due is None:
            log.error(
                "scheduled %s of source %s has no run time to claim; skipped (the job "
                "must run on RunTimeExecutor)",
                kind,
                source_id,
            )
            return False
        if not self.claims.claim(kind, source_id, due, self.name):
            log.info(
                "scheduled %s of source %s due %s: another scheduler took it",
                kind,
                source_id,
                due.isoformat(),
            )
            return False
        return True

    def scheduled_pull(self, source_id: int, due: datetime | None) -> PullOutcome | None:
        """What the stored job runs: the pull, if this scheduler claims its run time."""
        if self._stopping.is_set() or not self.claim_run("pull", source_id, due):
            return None
        return self.pull(source_id)

    def scheduled_crawl(self, source_id: int, due: datetime | None) -> CrawlOutcome | None:
        if self._stopping.is_set() or not self.claim_run("crawl", source_id, due):
            return None
        return self.crawl(source_id)

    def pull(self, source_id: int) -> PullOutcome | None:
        if self._stopping.is_set():
            return None
        with self._job(f"pull of source {source_id}"):
            return self._pull(source_id)

    def _pull(self, source_id: int) -> PullOutcome | None:
        try:
            source = self.sources.pull_source_by_id(source_id)
        except NotFound:
            log.warning("scheduled pull of source %s: the source is gone", source_id)
            return None
        if not source.enabled:
            return None
        # Waiting for the pull before this one, in steps, so a shutdown meanwhile ends the wait.
        while not self._lock.acquire(timeout=0.5):
            if self._stopping.is_set():
                return None
        try:
            if self._stopping.is_set():
                return None
            outcome = pull_source(
                source, fetcher=self.fetcher, sources=self.sources, ingest=self.services.ingest
            )
        finally:
            self._lock.release()
        log.info("pulled %s/%s: %s", source.provider_id, source.name, outcome.outcome)
        if outcome.submission_id is not None:
            self.services.worker.notify()
        return outcome

    def request_crawl(self, source: CrawlSource) -> None:
        """Crawl now, in the scheduler's threads."""
        self.scheduler.add_job(
            run_requested_crawl,
            args=[source.id],
            jobstore=self._memory_store(),
            name=f"crawl now {source.provider_id}/{source.name}",
        )

    def crawl(self, source_id: int) -> CrawlOutcome | None:
        if self._stopping.is_set():
            return None
        with self._job(f"crawl of source {source_id}"):
            return self._crawl(source_id)

    def _crawl(self, source_id: int) -> CrawlOutcome | None:
        try:
            source = self.crawls.crawl_source_by_id(source_id)
        except NotFound:
            log.warning("scheduled crawl of source %s: the source is gone", source_id)
            return None
        if not source.enabled:
            return None
        # The crawl runs in a child process; this thread only waits for it (the runner
        # allows one crawl at a time).
        return self.crawler.crawl_source(source)

"""Running crawls from the composition root: one child process per crawl, a crawl_runs row
per run, the child's log kept in the data directory.

The parent opens the run, starts `python -m microcred.crawl_child` with the job on its
standard input, waits (bounded by the crawl's own time limit plus a grace period, after
which the child is killed), and closes the run with the stats the child reports, or as
failed with the tail of its log when it reports none. The submission the child stored is
then processed by the submission worker like any pushed or pulled feed.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from catalogue.crawls import CrawlRunFinish, CrawlSource, CrawlStore
from catalogue.errors import InvalidRequest
from crawlers.arguments import CrawlArguments, CrawlLimits, origin_of
from crawlers.site_config import SiteConfigError, parse_site_config
from crawlers.ssrf import UnsafeFeedUrl, check_url
from microcred.services import Services

log = logging.getLogger(__name__)

# Seconds a child may run past its crawl's own time limit (starting up, the last requests,
# storing the submission) before it is killed.
GRACE_SECONDS = 120
# Seconds a stopped crawl child has to close its spider before it is killed.
STOP_SECONDS = 10
_LOG_TAIL = 2000
_SAFE_NAME = re.compile(r"[^a-z0-9_.-]+")

RESULT_PREFIX = "microcred-crawl-result "


class CrawlJob(BaseModel):
    """What the parent tells its crawl child (microcred.crawl_child). The catalogue URL
    travels on standard input, not on the command line, as it may hold a password."""

    model_config = ConfigDict(extra="forbid")

    arguments: CrawlArguments
    catalogue_url: str
    max_feed_bytes: int
    log_level: str = "INFO"


# Origins this process serves itself on loopback (the demo site of `microcred up`): the
# SSRF guard lets crawls reach them, and nothing else that is private.
_trusted_origins: set[str] = set()


def trust_local_origin(url: str) -> None:
    _trusted_origins.add(origin_of(url))


@dataclass(frozen=True)
class CrawlOutcome:
    run_id: int
    status: str  # finished | partial | failed
    result: dict  # the run as stored (catalogue.crawls.CrawlStore.crawl_run)


class CrawlRunner:
    """Runs crawls for the services' catalogue. One crawl at a time per runner: a crawl
    is long and I/O-bound, and the processing after it is serialised anyway."""

    def __init__(self, services: Services, *, python: str = sys.executable) -> None:
        self.services = services
        self.crawls = CrawlStore(services.catalogue)
        self.python = python
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._child: subprocess.Popen | None = None

    @property
    def running(self) -> bool:
        """A crawl child is running now."""
        return self._child is not None

    def stop(self, wait: float = STOP_SECONDS) -> None:
        """Stop the crawl running now (its child is terminated, killed if it has not ended
        within `wait` seconds, and the run recorded as failed), and refuse crawls until
        resume(): for a shutting-down scheduler, which would otherwise wait for the whole
        crawl."""
        self._stopped.set()
        child = self._child
        if child is None or child.poll() is not None:
            return
        # SIGTERM first: Scrapy closes the spider gracefully; then SIGKILL if that lingers.
        child.terminate()  # the child we started, by its handle
        try:
            child.wait(wait)
        except subprocess.TimeoutExpired:
            child.kill()

    def resume(self) -> None:
        self._stopped.clear()

    def arguments(
        self,
        provider_id: str,
        start_urls: list[str],
        *,
        source: CrawlSource | None = None,
        limits: CrawlLimits | None = None,
        site: dict | None = None,
    ) -> CrawlArguments:
        settings = self.services.settings
        if source is not None:
            limits = limits or CrawlLimits.model_validate(source.limits)
            site = site or source.site
        cache = (
            settings.data_dir
            / "crawl-cache"
            / _SAFE_NAME.sub("-", provider_id.lower())
            / (_SAFE_NAME.sub("-", source.name) if source is not None else "cli")
        )
        return CrawlArguments(
            provider_id=provider_id,
            source_id=source.id if source else None,
            start_urls=start_urls,
            site=parse_site_config(site) if site else None,
            limits=limits or CrawlLimits(),
            allow_private=settings.allow_private_feeds,
            trusted_origins=sorted(_trusted_origins),
            cache_dir=str(cache),
        )

    def crawl_source(self, source: CrawlSource) -> CrawlOutcome:
        return self.crawl(self.arguments(source.provider_id, source.start_urls, source=source))

    def crawl(self, arguments: CrawlArguments) -> CrawlOutcome:
        """Crawl in a child process and record the run; blocks until it is over."""
        with self._lock:
            run_id = self.crawls.start_run(
                arguments.provider_id, arguments.source_id, arguments.all_start_urls()
            )
            finish = self._run_child(run_id, arguments)
            self.crawls.finish_run(run_id, finish)
        if finish.submission_id is not None:
            self.services.worker.notify()
        log.info("crawl %s of %s: %s", run_id, arguments.provider_id, finish.status)
        return CrawlOutcome(run_id, finish.status, self.crawls.crawl_run(run_id))

    def _run_child(self, run_id: int, arguments: CrawlArguments) -> CrawlRunFinish:
        settings = self.services.settings
        job = CrawlJob(
            arguments=arguments,
            catalogue_url=settings.catalogue_url,
            max_feed_bytes=settings.max_feed_bytes,
        )
        logs = settings.data_dir / "crawl-logs"
        logs.mkdir(parents=True, exist_ok=True)
        log_path = logs / f"run-{run_id}.log"
        timeout = arguments.limits.max_seconds + GRACE_SECONDS
        stopped = CrawlRunFinish(
            status="failed",
            error=(
                "the process running the crawl shut down, so the crawl was stopped before it "
                f"reported; the next scheduled run crawls again. Its log: {log_path}"
            ),
        )
        if self._stopped.is_set():
            return stopped
        with log_path.open("w", encoding="utf-8") as log_file:
            child = subprocess.Popen(
                [self.python, "-m", "microcred.crawl_child"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log_file,
                text=True,
            )
            self._child = child
            try:
                if self._stopped.is_set():  # stop() came between the check and the start
                    child.terminate()
                out, _ = child.communicate(job.model_dump_json(), timeout=timeout)
            except subprocess.TimeoutExpired:
                child.kill()  # the child we started, by its handle
                # Bounded too: after a kill only the pipes are left to read.
                child.communicate(timeout=GRACE_SECONDS)
                return CrawlRunFinish(
                    status="failed",
                    error=(
                        f"the crawl did not end within {timeout:g} s and was stopped; "
                        f"nothing was submitted. Its log: {log_path}"
                    ),
                )
            finally:
                self._child = None
        if self._stopped.is_set() and child.returncode != 0:
            return stopped
        for line in reversed(out.splitlines()):
            if line.startswith(RESULT_PREFIX):
                result = json.loads(line[len(RESULT_PREFIX) :])
                return CrawlRunFinish(
                    **{k: v for k, v in result.items() if k in CrawlRunFinish.__dataclass_fields__}
                )
        return CrawlRunFinish(
            status="failed",
            error=(
                f"the crawl process exited with code {child.returncode} without a result; "
                f"the end of its log ({log_path}):\n{_tail(log_path)}"
            ),
        )


def _tail(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    return text[-_LOG_TAIL:]


def crawl_settings_checker(allow_private: bool):
    """The API's registration check of a crawl source: refuse early what a crawl would."""

    def check(
        start_urls: list[str], limits: dict, site: dict | None
    ) -> tuple[list[str], dict, dict | None]:
        try:
            checked_limits = CrawlLimits.model_validate(limits)
        except ValidationError as exc:
            raise InvalidRequest(f"limits: {_first_error(exc)}", parameter="limits") from None
        checked_site = None
        if site is not None:
            try:
                checked_site = parse_site_config(site)
            except SiteConfigError as exc:
                raise InvalidRequest(str(exc), parameter="site") from None
        urls = list(start_urls)
        if checked_site is not None:
            urls += checked_site.start_urls + checked_site.sitemap_urls
        for url in urls:
            try:
                check_url(url, allow_private=allow_private)
            except UnsafeFeedUrl as exc:
                raise InvalidRequest(str(exc), parameter="start_urls") from None
        return (
            start_urls,
            checked_limits.model_dump(mode="json"),
            checked_site.model_dump(mode="json", exclude_defaults=True) if checked_site else None,
        )

    return check


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else error["msg"]

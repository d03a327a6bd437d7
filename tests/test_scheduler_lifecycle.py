"""The scheduler's life: its shutdown returns within a bound, whatever its jobs are doing,
and while it runs it keeps a heartbeat that `microcred scheduler --check` reads.

The race this guards against (issue 11): APScheduler 3's `shutdown(wait=True)` holds the job
store lock while it waits for running jobs, and a reconcile job that reaches `get_jobs()`
then waits for that lock: neither ever finishes, and the test run hung until CI's limit.
Each test here stops the scheduler from a thread of its own and gives it a deadline, so a
regression fails with an assertion instead of hanging.
"""

from __future__ import annotations

import logging
import threading
import time

import pytest
from apscheduler.schedulers.base import STATE_STOPPED

from crawlers.fetch import FeedFetcher
from microcred.cli import main
from microcred.crawling import CrawlRunner
from microcred.scheduler import (
    PullScheduler,
    check_heartbeat,
    heartbeat_age,
    heartbeat_path,
    write_heartbeat,
)
from normaliser.schema import Provider

MAIN = threading.main_thread()


def local_fetcher() -> FeedFetcher:
    return FeedFetcher(allow_private=True, timeout=5, max_bytes=1_000_000, user_agent="test")


def hold_reconcile_in_the_job(scheduler: PullScheduler, monkeypatch):
    """Make the reconcile job (not start()'s own pass, which runs in the caller's thread)
    stop before it reaches get_jobs() until `release` is set. Returns (entered, release)."""
    entered, release = threading.Event(), threading.Event()
    original = scheduler.sources.list_pull_sources

    def held(*args, **kwargs):
        if threading.current_thread() is not MAIN:
            entered.set()
            release.wait(30)
        return original(*args, **kwargs)

    monkeypatch.setattr(scheduler.sources, "list_pull_sources", held)
    return entered, release


def shut_down_in_a_thread(scheduler: PullScheduler, **kwargs) -> threading.Event:
    done = threading.Event()

    def stop() -> None:
        scheduler.shutdown(**kwargs)
        done.set()

    threading.Thread(target=stop, name="test-shutdown", daemon=True).start()
    return done


def wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_shutdown_returns_while_a_reconcile_job_is_running(services, monkeypatch):
    scheduler = PullScheduler(services, fetcher=local_fetcher(), reconcile_seconds=0.05)
    entered, release = hold_reconcile_in_the_job(scheduler, monkeypatch)
    scheduler.start()
    assert entered.wait(10), "the reconcile job did not run"

    done = shut_down_in_a_thread(scheduler)
    # Shutdown is under way (APScheduler marks itself stopped first); give it the moment in
    # which the old code took the job store lock, then let the job go on to get_jobs().
    assert wait_for(lambda: scheduler.scheduler.state == STATE_STOPPED)
    time.sleep(0.3)
    release.set()
    assert done.wait(15), "shutdown() did not return: the reconcile job and shutdown deadlock"
    assert not scheduler.scheduler.running


def test_shutdown_gives_up_on_a_job_that_outlives_its_deadline(services, monkeypatch, caplog):
    scheduler = PullScheduler(services, fetcher=local_fetcher(), reconcile_seconds=0.05)
    entered, release = hold_reconcile_in_the_job(scheduler, monkeypatch)
    scheduler.start()
    assert entered.wait(10)
    try:
        with caplog.at_level(logging.WARNING, logger="microcred.scheduler"):
            started = time.monotonic()
            done = shut_down_in_a_thread(scheduler, timeout=0.5)
            assert done.wait(10), "shutdown() waited past its deadline"
            assert time.monotonic() - started < 5
        assert any("still running" in r.getMessage() for r in caplog.records)
    finally:
        release.set()  # the held job ends (it sees the stop and returns), so no thread is left


def test_a_job_held_up_past_shutdown_does_no_work_after_it(services, provider, monkeypatch):
    scheduler = PullScheduler(services, fetcher=local_fetcher(), reconcile_seconds=0.05)
    entered, release = hold_reconcile_in_the_job(scheduler, monkeypatch)
    scheduler.start()
    assert entered.wait(10)
    calls = []
    monkeypatch.setattr(scheduler.scheduler, "get_jobs", lambda *a, **kw: calls.append(a) or [])
    done = shut_down_in_a_thread(scheduler, timeout=0.2)
    assert done.wait(10)
    release.set()
    time.sleep(0.3)
    # After the stop the reconcile pass returns before touching the job store.
    assert calls == []
    # A pull asked for after the stop does nothing either.
    assert scheduler.pull(12345) is None


def test_shutdown_stops_a_running_crawl_child(services, tmp_path):
    # A stand-in for the crawl child that never ends by itself: the runner starts
    # `<python> -m microcred.crawl_child`, and this "python" ignores its arguments.
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nexec sleep 600\n")
    fake.chmod(0o755)
    runner = CrawlRunner(services, python=str(fake))
    arguments = runner.arguments("te-awa-x", ["http://127.0.0.1:9/"])
    services.catalogue.upsert_provider(
        Provider(id="te-awa-x", name="Te Awa X", country="NZ"), default_language="en"
    )
    outcome = []
    crawl = threading.Thread(target=lambda: outcome.append(runner.crawl(arguments)), daemon=True)
    crawl.start()
    assert wait_for(lambda: runner.running)
    runner.stop()
    crawl.join(15)
    assert not crawl.is_alive(), "the crawl did not end when the runner was stopped"
    assert outcome[0].status == "failed"
    assert "shut down" in outcome[0].result["error"]


def test_a_running_scheduler_keeps_a_heartbeat_and_removes_it_when_stopped(services):
    scheduler = PullScheduler(services, fetcher=local_fetcher(), reconcile_seconds=0.05)
    path = heartbeat_path(services.settings.data_dir)
    assert heartbeat_age(path) is None
    scheduler.start()
    try:
        first = heartbeat_age(path)
        assert first is not None and first < 5  # start()'s own reconcile pass wrote it
        beat = path.read_text()
        # The reconcile job renews it from the scheduler's threads.
        assert wait_for(lambda: path.read_text() != beat), "the heartbeat was not renewed"
        assert check_heartbeat(services.settings.data_dir, max_age=60)[0]
    finally:
        assert scheduler.shutdown(timeout=10)
    assert not path.exists()
    healthy, message = check_heartbeat(services.settings.data_dir, max_age=60)
    assert not healthy and "no heartbeat" in message


def test_a_failing_reconcile_pass_writes_no_heartbeat(services, monkeypatch):
    scheduler = PullScheduler(services, fetcher=local_fetcher(), reconcile_seconds=60)
    path = heartbeat_path(services.settings.data_dir)

    def down(*_args, **_kwargs):
        raise ConnectionError("the catalogue is down")

    monkeypatch.setattr(scheduler.sources, "list_pull_sources", down)
    with pytest.raises(ConnectionError):
        scheduler.reconcile()
    assert not path.exists()


def test_scheduler_check_exits_non_zero_on_a_stale_or_missing_heartbeat(tmp_path, capsys):
    data = tmp_path / "data"
    path = heartbeat_path(data.resolve())
    assert main(["--data-dir", str(data), "scheduler", "--check"]) == 1
    assert "no heartbeat" in capsys.readouterr().err

    write_heartbeat(path)
    assert main(["--data-dir", str(data), "scheduler", "--check"]) == 0
    assert "alive" in capsys.readouterr().out

    stale = time.time() - 121  # older than the default: four reconcile intervals of 30 s
    path.write_text(f"{stale:.3f}\n")
    assert main(["--data-dir", str(data), "scheduler", "--check"]) == 1
    assert "more than 120 s" in capsys.readouterr().err
    assert main(["--data-dir", str(data), "scheduler", "--check", "--max-age", "600"]) == 0


def test_heartbeats_written_at_once_from_several_threads_all_land(tmp_path):
    """The CI failure of 2026-12-02: the background beat and a reconcile pass wrote through
    one temporary file name per process, and one thread's replace() took the other's file
    away (FileNotFoundError). Each write now has a temporary file of its own."""
    path = heartbeat_path(tmp_path)
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def beat() -> None:
        start.wait(5)
        try:
            for _ in range(200):
                write_heartbeat(path)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    writers = [threading.Thread(target=beat) for _ in range(4)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(30)
    assert not any(writer.is_alive() for writer in writers)
    assert errors == []
    age = heartbeat_age(path)
    assert age is not None and 0 <= age < 30
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name], "temporary files left"


def test_a_heartbeat_read_at_once_is_never_in_the_future(tmp_path):
    """The CI failure of 2026-12-04: the beat was written rounded to the nearest millisecond,
    so one read straight after had an age of -9 µs. Rounded down, it never is negative."""
    path = heartbeat_path(tmp_path)
    ages = []
    for _ in range(300):
        write_heartbeat(path)
        ages.append(heartbeat_age(path))
    assert all(age is not None and age >= 0 for age in ages), min(a for a in ages if a is not None)

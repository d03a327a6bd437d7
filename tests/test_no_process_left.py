"""Nothing left behind (issue 16, finding 4): a `microcred import` whose feed is big enough to
start the normaliser's worker pool is killed, with SIGTERM and with SIGKILL, mid-feed, and no
process it started (forkserver, resource tracker, pool workers) outlives it.

The import runs in a session of its own, so every process it starts shares its process group
id, whoever their parent is after the kill (pid 1 adopts orphans)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.synthetic import synthetic_csv

pytestmark = pytest.mark.sqlite_only("about processes, not the catalogue database")

MICROCRED = str(Path(sys.executable).parent / "microcred")


def group_members(pgid: int) -> list[tuple[int, str]]:
    """(pid, command) of every live process in process group `pgid` (zombies excluded).
    `-ww`: without a terminal, ps cuts commands at 80 columns."""
    out = subprocess.run(
        ["ps", "-ww", "-eo", "pid=,pgid=,stat=,args="],
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    ).stdout
    members = []
    for line in out.splitlines():
        pid, group, stat, args = line.split(None, 3)
        if int(group) == pgid and not stat.startswith("Z"):
            members.append((int(pid), args[:160]))
    return members


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.timeout(180)
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL], ids=["term", "kill"])
def test_a_killed_import_leaves_no_process_behind(tmp_path, stop_signal):
    feed = tmp_path / "large.csv"
    feed.write_bytes(synthetic_csv(6000))
    log = (tmp_path / "import.log").open("wb")
    importer = subprocess.Popen(
        [
            MICROCRED,
            "--data-dir",
            str(tmp_path / "data"),
            "import",
            "--provider",
            "p1",
            "--name",
            "P One",
            str(feed),
        ],
        env=dict(os.environ, MICROCRED_NORMALISE_WORKERS="2"),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        # The forkserver and at least one worker (they share the forkserver's command line).
        started_pool = wait_until(
            lambda: (
                sum("forkserver" in args for _, args in group_members(importer.pid)) >= 2
                or importer.poll() is not None
            ),
            90,
        )
        assert started_pool and importer.poll() is None, (
            "the import ended before its worker pool started: "
            + (tmp_path / "import.log").read_text(errors="replace")[-2000:]
        )
        # Stop it while the pool works on the feed.
        importer.send_signal(stop_signal)
        importer.wait(timeout=30)
        gone = wait_until(lambda: not group_members(importer.pid), 20)
        assert gone, f"left behind after {stop_signal.name}: {group_members(importer.pid)}"
    finally:
        for pid, _ in group_members(importer.pid):
            os.kill(pid, signal.SIGKILL)
        if importer.poll() is None:
            importer.kill()
            importer.wait(timeout=10)
        log.close()


def test_a_pool_process_whose_parent_is_pid_1_keeps_running():
    """In a container `microcred serve` is pid 1 (Dockerfile CMD), so the pool's forkserver
    has parent pid 1; that must not read as "the parent already died"."""
    probe = (
        "import os; os.getppid = lambda: 1; "
        "from catalogue.normalise_pool import forkserver_dies_with_parent; "
        "forkserver_dies_with_parent(); print('still running')"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
        env=dict(os.environ, MICROCRED_NORMALISE_POOL_OWNER="1"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "still running"


def test_a_pool_worker_whose_forkserver_already_died_exits():
    """A worker forked just before its forkserver was killed is reparented (to pid 1) before
    it asks for the death signal, which would then never come: it must exit by itself."""
    probe = (
        "import os; os.getppid = lambda: 1; "
        "from catalogue.normalise_pool import die_with_parent; "
        "die_with_parent(); print('still running')"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""

"""The processes that normalise large feeds in parallel, made to die with the process that
started them.

Why: the pool's forkserver, started by the catalogue process, does not notice when that
process is killed (SIGKILL, or SIGTERM without a handler): it and its two workers (150 MB
each) and the resource tracker lived on under pid 1 after every killed `microcred import` or
server. So the forkserver and each worker ask the kernel for SIGKILL when their parent
exits (Linux's PR_SET_PDEATHSIG); the resource tracker then sees its pipe close and exits
on its own.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor

# <linux/prctl.h>: #define PR_SET_PDEATHSIG 1
_PR_SET_PDEATHSIG = 1

# Imported first thing in the forkserver process, which makes it die with its parent.
_FORKSERVER_PRELOAD = "catalogue.forkserver_dies_with_parent"
# The pid of the process that made the pool, passed to the forkserver it starts.
_POOL_OWNER_VARIABLE = "MICROCRED_NORMALISE_POOL_OWNER"


def die_with_parent(expected_parent: int | None = None) -> None:
    """Have the kernel SIGKILL this process when its parent exits (Linux; elsewhere nothing).
    The signal follows the parent *thread*; the pool is closed before the thread that made
    it ends (IngestService.close), and a forkserver found dead is started again.

    `expected_parent` is the pid this process must have been started by. Without it (a pool
    worker, whose parent is the forkserver and never pid 1) a parent of pid 1 means the
    forkserver died before this worker asked for the signal, and the worker exits."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return  # refused (e.g. a seccomp profile): the pool still works, only unguarded
    orphaned = parent != expected_parent if expected_parent is not None else parent == 1
    if orphaned or os.getppid() != parent:
        os._exit(1)  # the parent died before the request took effect


def forkserver_dies_with_parent() -> None:
    """For the forkserver: its parent is the catalogue process, which may itself be pid 1 in a
    container, so the pid to expect comes from the environment the pool was made with."""
    owner = os.environ.get(_POOL_OWNER_VARIABLE)
    die_with_parent(int(owner) if owner and owner.isdigit() else None)


def normalise_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes that end when the process that made it ends.

    forkserver: workers start from a clean interpreter, not a fork of a process that may hold
    threads (the web server, the scheduler) and open connections."""
    # Read by the forkserver, which starts at the pool's first task and inherits the environment.
    os.environ[_POOL_OWNER_VARIABLE] = str(os.getpid())
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([_FORKSERVER_PRELOAD])
    return ProcessPoolExecutor(workers, mp_context=context, initializer=die_with_parent)

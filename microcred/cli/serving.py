"""The long-running processes: `up` (the embedded default, sample data included), `serve`
(the production API process) and `scheduler` (scheduled pulls and crawls)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from microcred.cli.helpers import (
    EXIT_OK,
    add_command,
    add_data_dir,
    print_crawl,
    serve,
    settings_from,
    with_services,
)

if TYPE_CHECKING:
    from microcred.services import Services


def cmd_up(args: argparse.Namespace) -> int:
    from microcred.demo_site import start_demo_site
    from microcred.sample import load_sample_data
    from microcred.services import build_services

    settings = settings_from(args)
    services = build_services(settings)
    if not args.no_sample and not services.catalogue.list_providers():
        print("first start: loading the bundled sample providers ...", flush=True)
        for load in load_sample_data(services):
            print(
                f"  {load.provider_id}: {load.accepted} accepted, {load.rejected} rejected, "
                f"{load.warned} with warnings",
                flush=True,
            )
    if not args.no_sample:  # the crawl-only sample provider: its site, crawled on first start
        start_demo_site(services, on_crawled=print_crawl)
    services.indexer.drain()
    print(
        f"microcred: {services.catalogue.count_offerings()} active offerings; "
        f"open http://{settings.host}:{settings.port}/",
        flush=True,
    )
    serve(settings, services, with_scheduler=not args.no_scheduler)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, services: Services) -> int:
    services.indexer.drain()
    serve(
        services.settings,
        services,
        with_scheduler=args.with_scheduler,
        with_worker=not args.no_worker,
    )
    return EXIT_OK


def cmd_scheduler(args: argparse.Namespace, services: Services) -> int:
    """Pulls on schedule until SIGTERM or Ctrl-C. What the pulls bring is stored as
    submissions, which the API process's worker applies (it looks for waiting submissions
    every few seconds); `--process` applies them here too, for a deployment without a
    serving process. Any number of processes may run the worker and the scheduler: workers
    claim submissions with leases, schedulers claim each due run (see README)."""
    import signal
    import threading

    from microcred.scheduler import PullScheduler

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    scheduler = PullScheduler(services)
    if args.process:
        services.worker.start()
    scheduler.start()
    print(
        f"scheduler: {len(services.sources.list_pull_sources(enabled_only=True))} pull "
        f"sources scheduled",
        flush=True,
    )
    try:
        stop.wait()
    finally:
        scheduler.shutdown()
        if args.process:
            services.worker.stop()
    return EXIT_OK


def cmd_scheduler_check(args: argparse.Namespace) -> int:
    """The scheduler's health check: 0 when this host's scheduler completed a reconcile
    pass within --max-age seconds, 1 otherwise. Reads one file; no catalogue connection."""
    from microcred.scheduler import HEARTBEAT_INTERVALS, RECONCILE_SECONDS, check_heartbeat
    from microcred.settings import get_settings

    max_age = args.max_age if args.max_age is not None else HEARTBEAT_INTERVALS * RECONCILE_SECONDS
    data_dir = (
        Path(args.data_dir).expanduser().resolve()
        if getattr(args, "data_dir", None)
        else get_settings().data_dir
    )
    healthy, message = check_heartbeat(data_dir, max_age)
    print(message, file=sys.stdout if healthy else sys.stderr)
    return EXIT_OK if healthy else 1


def register(sub) -> None:
    up = add_command(
        sub,
        "up",
        help="serve the marketplace (API and pages) on the embedded default",
        example="""
microcred up --port 8000   # then open http://127.0.0.1:8000/""",
    )
    up.add_argument("--host", help="address to listen on (default: $MICROCRED_HOST or 127.0.0.1)")
    up.add_argument("--port", type=int, help="port to listen on (default: $MICROCRED_PORT or 8000)")
    add_data_dir(up)
    up.add_argument("--no-sample", action="store_true", help="do not load the sample providers")
    up.add_argument("--no-scheduler", action="store_true", help="do not run scheduled pulls")
    up.set_defaults(func=cmd_up)

    serve_parser = add_command(
        sub,
        "serve",
        help="serve the API and pages (production: no sample data); processes pushed feeds",
        example="""
MICROCRED_DATABASE_URL=postgresql+psycopg://app@db/microcred microcred serve --host 0.0.0.0""",
    )
    serve_parser.add_argument(
        "--host", help="address to listen on (default: $MICROCRED_HOST or 127.0.0.1)"
    )
    serve_parser.add_argument(
        "--port", type=int, help="port to listen on (default: $MICROCRED_PORT or 8000)"
    )
    serve_parser.add_argument(
        "--with-scheduler", action="store_true", help="also run scheduled pulls in this process"
    )
    serve_parser.add_argument(
        "--no-worker",
        action="store_true",
        help="do not apply pushed submissions here (other processes run submission workers)",
    )
    serve_parser.set_defaults(func=with_services(cmd_serve))

    scheduler = add_command(
        sub,
        "scheduler",
        help="run scheduled pulls (a separate process)",
        example="""
microcred scheduler --process
microcred scheduler --check --max-age 120   # the container health check""",
    )
    scheduler.add_argument(
        "--process",
        action="store_true",
        help="also apply the submissions here (when no `serve` runs)",
    )
    scheduler.add_argument(
        "--check",
        action="store_true",
        help="do not run: exit 0 if this host's scheduler is alive (its "
        "heartbeat is recent), 1 if not; the container health check",
    )
    scheduler.add_argument(
        "--max-age",
        type=float,
        help="with --check: seconds a heartbeat stays fresh (default: four "
        "reconcile intervals, 120)",
    )
    run_scheduler = with_services(cmd_scheduler)
    scheduler.set_defaults(
        func=lambda args: cmd_scheduler_check(args) if args.check else run_scheduler(args)
    )

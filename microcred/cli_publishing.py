"""`microcred` commands for publishing: providers, API keys, history, pull sources, and the
long-running `serve` and `scheduler` processes."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from datetime import timedelta
from pathlib import Path

import uvicorn

from catalogue.accounts import Role
from microcred.services import Services
from microcred.settings import Settings, get_settings
from normaliser.schema import Provider

EXIT_OK = 0


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%SZ") if value else "-"


def cmd_providers_add(args: argparse.Namespace, services: Services) -> int:
    provider = Provider(id=args.id, name=args.name, country=args.country,
                        default_currency=args.currency, url=args.url)
    services.catalogue.upsert_provider(provider, default_language=args.language,
                                       level_framework=args.level_framework,
                                       credit_system=args.credit_system)
    print(f"provider {provider.id}: {provider.name}"
          f"{f' ({provider.country})' if provider.country else ''}")
    return EXIT_OK


def cmd_keys_create(args: argparse.Namespace, services: Services) -> int:
    expires = timedelta(days=args.expires_days) if args.expires_days else None
    created = services.keys.create(args.role, provider_id=args.provider, label=args.label,
                                   expires_in=expires)
    key = created.key
    scope = f" for provider {key.provider_id}" if key.provider_id else ""
    print(f"{key.role.value} key {key.prefix}{scope}, expires {_when(key.expires_at)}")
    print("this is the only time the key is shown; store it now:", file=sys.stderr)
    print(created.secret)
    return EXIT_OK


def cmd_keys_list(args: argparse.Namespace, services: Services) -> int:
    print(f"{'prefix':<10} {'role':<9} {'provider':<24} {'created':<21} {'expires':<21} "
          f"{'revoked':<21} label")
    for key in services.keys.list(provider_id=args.provider):
        print(f"{key.prefix:<10} {key.role.value:<9} {key.provider_id or '-':<24} "
              f"{_when(key.created_at):<21} {_when(key.expires_at):<21} "
              f"{_when(key.revoked_at):<21} {key.label or ''}")
    return EXIT_OK


def cmd_keys_revoke(args: argparse.Namespace, services: Services) -> int:
    key = services.keys.revoke(args.prefix)
    print(f"key {key.prefix} revoked at {_when(key.revoked_at)}")
    return EXIT_OK


def cmd_history(args: argparse.Namespace, services: Services) -> int:
    services.catalogue.provider_row(args.provider)
    print(f"submissions of {args.provider}, newest first:")
    for item in services.sources.submissions(args.provider, limit=args.limit):
        counts = item["counts"] or {}
        summary = ", ".join(f"{name} {counts[name]}" for name in (
            "records", "accepted", "rejected", "created", "updated", "withdrawn") if name in counts)
        print(f"  #{item['id']:<6} {_when(item['received_at'])}  {item['channel']:<5} "
              f"{item['mode']:<8} {item['status']:<10} {summary}")
        if item["error"]:
            print(f"          {item['error']}")
    print(f"pulls of {args.provider}, newest first:")
    for run in services.sources.pull_runs(args.provider, limit=args.limit):
        submission = f" -> submission #{run['submission_id']}" if run["submission_id"] else ""
        print(f"  {_when(run['started_at'])}  {run['source_id']:<20} {run['outcome']:<13}"
              f"{submission}{'  ' + run['error'] if run['error'] else ''}")
    return EXIT_OK


def cmd_submission_show(args: argparse.Namespace, services: Services) -> int:
    from microcred.cli import print_report
    print_report(services.ingest.report_for(args.id))
    return EXIT_OK


def cmd_submission_confirm(args: argparse.Namespace, services: Services) -> int:
    from microcred.cli import print_report
    submission = services.catalogue.get_submission(args.id)
    report = services.ingest.confirm(args.id, submission.provider_id)
    services.indexer.drain()
    print_report(report)
    return EXIT_OK


def cmd_sources_list(args: argparse.Namespace, services: Services) -> int:
    for source in services.sources.list_pull_sources(args.provider):
        state = "enabled" if source.enabled else "disabled"
        print(f"{source.provider_id}/{source.name}  {state}  {source.schedule.text()}  "
              f"{source.format or 'detect'}  {source.mode}  {source.url}")
    return EXIT_OK


def cmd_sources_pull(args: argparse.Namespace, services: Services) -> int:
    from microcred.scheduler import PullScheduler
    source = services.sources.get_pull_source(args.provider, args.source)
    outcome = PullScheduler(services).pull(source.id)
    services.worker.run_pending()
    print(f"{source.provider_id}/{source.name}: {outcome.outcome}"
          f"{f' (submission #{outcome.submission_id})' if outcome.submission_id else ''}"
          f"{f': {outcome.error}' if outcome.error else ''}")
    return EXIT_OK if outcome.outcome not in ("failed", "refused") else 2


def serve(settings: Settings, services: Services, *, with_scheduler: bool,
          with_worker: bool = True) -> None:
    from microcred.scheduler import PullScheduler
    from microcred.web import create_web_app, uvicorn_options
    scheduler = PullScheduler(services) if with_scheduler else None
    app = create_web_app(services, background=with_worker, scheduler=scheduler)
    uvicorn.run(app, log_level="info", **uvicorn_options(settings))


def cmd_serve(args: argparse.Namespace, services: Services) -> int:
    services.indexer.drain()
    serve(services.settings, services, with_scheduler=args.with_scheduler,
          with_worker=not args.no_worker)
    return EXIT_OK


def cmd_scheduler(args: argparse.Namespace, services: Services) -> int:
    """Pulls on schedule until SIGTERM or Ctrl-C. What the pulls bring is stored as
    submissions, which the API process's worker applies (it looks for waiting submissions
    every few seconds); `--process` applies them here too, for a deployment without a
    serving process. Any number of processes may run the worker and the scheduler: workers
    claim submissions with leases, schedulers claim each due run (see README)."""
    from microcred.scheduler import PullScheduler
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    scheduler = PullScheduler(services)
    if args.process:
        services.worker.start()
    scheduler.start()
    print(f"scheduler: {len(services.sources.list_pull_sources(enabled_only=True))} pull "
          f"sources scheduled", flush=True)
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
    max_age = args.max_age if args.max_age is not None else HEARTBEAT_INTERVALS * RECONCILE_SECONDS
    data_dir = (Path(args.data_dir).expanduser().resolve() if getattr(args, "data_dir", None)
                else get_settings().data_dir)
    healthy, message = check_heartbeat(data_dir, max_age)
    print(message, file=sys.stdout if healthy else sys.stderr)
    return EXIT_OK if healthy else 1


def add_commands(sub, providers, with_services) -> None:
    """Register the publishing commands under `sub` (and `providers add` under `providers`);
    `with_services` wraps a command so it gets built services and closes them after."""
    padd = providers.add_parser("add", help="register (or update) a provider")
    padd.add_argument("id")
    padd.add_argument("--name", required=True)
    padd.add_argument("--country", help="ISO 3166-1 alpha-2")
    padd.add_argument("--currency", help="default ISO 4217 currency of its feeds")
    padd.add_argument("--language", help="default ISO 639-1 language of its feeds")
    padd.add_argument("--url")
    padd.add_argument("--level-framework",
                      help="what a bare level number in its feeds means: EQF, NZQF, AQF, NFQ, SCQF, RQF")
    padd.add_argument("--credit-system",
                      help="what a bare credit number means: ECTS, NZ_CREDITS, CATS, SCQF, US_SCH")
    padd.set_defaults(func=with_services(cmd_providers_add))

    keys = sub.add_parser("keys", help="API keys").add_subparsers(dest="keys_command", required=True)
    kcreate = keys.add_parser("create", help="make a key; it is printed once, on the last line")
    kcreate.add_argument("--role", required=True, choices=[r.value for r in Role])
    kcreate.add_argument("--provider", help="the provider a provider key acts for")
    kcreate.add_argument("--label", help="who holds the key, for the list")
    kcreate.add_argument("--expires-days", type=int, help="lifetime in days (default: none)")
    kcreate.set_defaults(func=with_services(cmd_keys_create))
    klist = keys.add_parser("list", help="list keys (never their secrets)")
    klist.add_argument("--provider")
    klist.set_defaults(func=with_services(cmd_keys_list))
    krevoke = keys.add_parser("revoke", help="revoke a key by its prefix")
    krevoke.add_argument("prefix")
    krevoke.set_defaults(func=with_services(cmd_keys_revoke))

    history = sub.add_parser("history", help="a provider's submissions and pulls")
    history.add_argument("--provider", required=True)
    history.add_argument("--limit", type=int, default=20)
    history.set_defaults(func=with_services(cmd_history))

    submissions = sub.add_parser("submissions", help="one submission").add_subparsers(
        dest="submissions_command", required=True)
    sshow = submissions.add_parser("show", help="print a submission's report")
    sshow.add_argument("id", type=int)
    sshow.set_defaults(func=with_services(cmd_submission_show))
    sconfirm = submissions.add_parser("confirm", help="apply a held snapshot")
    sconfirm.add_argument("id", type=int)
    sconfirm.set_defaults(func=with_services(cmd_submission_confirm))

    sources = sub.add_parser("sources", help="pulled feed URLs").add_subparsers(
        dest="sources_command", required=True)
    slist = sources.add_parser("list", help="list pull sources")
    slist.add_argument("--provider")
    slist.set_defaults(func=with_services(cmd_sources_list))
    spull = sources.add_parser("pull", help="pull one source now and process what it brings")
    spull.add_argument("--provider", required=True)
    spull.add_argument("source")
    spull.set_defaults(func=with_services(cmd_sources_pull))

    serve_parser = sub.add_parser("serve", help="serve the API and pages (production: no "
                                                "sample data); processes pushed feeds")
    serve_parser.add_argument("--host")
    serve_parser.add_argument("--port", type=int)
    serve_parser.add_argument("--with-scheduler", action="store_true",
                              help="also run scheduled pulls in this process")
    serve_parser.add_argument("--no-worker", action="store_true",
                              help="do not apply pushed submissions here (other processes "
                                   "run submission workers)")
    serve_parser.set_defaults(func=with_services(cmd_serve))

    scheduler = sub.add_parser("scheduler", help="run scheduled pulls (a separate process)")
    scheduler.add_argument("--process", action="store_true",
                           help="also apply the submissions here (when no `serve` runs)")
    scheduler.add_argument("--check", action="store_true",
                           help="do not run: exit 0 if this host's scheduler is alive (its "
                                "heartbeat is recent), 1 if not; the container health check")
    scheduler.add_argument("--max-age", type=float,
                           help="with --check: seconds a heartbeat stays fresh (default: four "
                                "reconcile intervals, 120)")
    run_scheduler = with_services(cmd_scheduler)
    scheduler.set_defaults(func=lambda args: (cmd_scheduler_check(args) if args.check
                                              else run_scheduler(args)))

"""What the command modules share: exit codes, settings and services from the arguments,
the parser conventions (help text and an example on every command), and the printers of
an ingest report and a crawl run.

Nothing heavy is imported here at module level: `microcred --help` builds every parser
and must not load SQLAlchemy, FastAPI, pydantic models or Scrapy
(tests/test_cli_help.py). Commands import what they use inside their functions.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from catalogue.ingest import IngestReport
    from microcred.services import Services
    from microcred.settings import Settings

EXIT_OK, EXIT_USAGE, EXIT_FAILED = 0, 1, 2

# Kept here, not imported, so that building the parser loads no SQLAlchemy: the values of
# catalogue.accounts.Role and catalogue.quality.DEFAULT_STALE_DAYS (tests/test_cli_help.py
# checks the two stay in step).
ROLES = ("provider", "agency", "admin")
DEFAULT_STALE_DAYS = 30

Command = Callable[[argparse.Namespace], int]
ServiceCommand = Callable[[argparse.Namespace, "Services"], int]


def add_command(
    sub, name: str, *, help: str, example: str | None = None, **kwargs: Any
) -> argparse.ArgumentParser:
    """A (sub)command parser with its one-line help, also shown as its description, and
    its usage example in the epilog."""
    epilog = None
    if example:
        lines = example.strip().splitlines()
        epilog = "example:\n" + "\n".join(f"  {line}" for line in lines)
    return sub.add_parser(
        name,
        help=help,
        description=kwargs.pop("description", help),
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        **kwargs,
    )


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    """`--data-dir` after the command too; left unset it keeps the top-level value."""
    parser.add_argument(
        "--data-dir",
        dest="data_dir",
        default=argparse.SUPPRESS,
        help="data directory (default: $MICROCRED_DATA_DIR or ./data)",
    )


def settings_from(args: argparse.Namespace) -> Settings:
    from pydantic import ValidationError

    from microcred.settings import get_settings

    overrides = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    if getattr(args, "host", None):
        overrides["host"] = args.host
    if getattr(args, "port", None):
        overrides["port"] = args.port
    try:
        base = get_settings()
    except ValidationError as exc:
        # What is wrong and how to fix it, without pydantic's echo of the values it read.
        problems = "\n".join(f"  {e['msg'].removeprefix('Value error, ')}" for e in exc.errors())
        raise SystemExit(f"error: the settings cannot be used:\n{problems}") from None
    return base.model_copy(update=overrides) if overrides else base


def services_from(args: argparse.Namespace) -> Services:
    from microcred.services import build_services

    return build_services(settings_from(args))


def with_services(command: ServiceCommand) -> Command:
    """`command(args, services)` as `run(args)`: services built from the arguments, closed
    after."""

    def run(args: argparse.Namespace) -> int:
        services = services_from(args)
        try:
            return command(args, services)
        finally:
            services.close()

    return run


def when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%SZ") if value else "-"


def print_report(report: IngestReport, out=None) -> None:
    """An ingest report: status, counts, withdrawals, issues."""
    out = out or sys.stdout
    status = {
        "applied": "applied",
        "held": "HELD (not applied)",
        "dry_run": "checked (dry run: nothing stored)",
    }.get(report.status, "FAILED")
    print(
        f"submission {report.submission_id} for provider {report.provider_id} "
        f"({report.mode}): {status}",
        file=out,
    )
    if report.error:
        print(f"  {report.error}", file=out)
    print(
        f"  records {report.records}: accepted {report.accepted}, rejected {report.rejected}, "
        f"warned {report.warned}",
        file=out,
    )
    print(
        f"  created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
        f"withdrawn {report.withdrawn}",
        file=out,
    )
    if report.withdrawn_ids:
        print(f"  withdrawn ids: {', '.join(report.withdrawn_ids)}", file=out)
    if report.status == "held":
        print(
            f"  it would withdraw {report.held_withdrawals} active offerings; apply it with "
            f"`microcred submissions confirm {report.submission_id}`",
            file=out,
        )
    for issue in report.issues:
        print(f"  {issue.describe()}", file=out)


def print_crawl(run: dict, out=None) -> None:
    """A crawl run's stats, as stored."""
    out = out or sys.stdout
    duration = f"{run['duration_seconds']:.1f} s" if run["duration_seconds"] else "-"
    print(
        f"crawl {run['id']} of {run['provider_id']}"
        f"{'/' + run['source_id'] if run['source_id'] else ''}: {run['status']}"
        f" ({run['finish_reason'] or 'no finish reason'}), {duration}",
        file=out,
    )
    print(
        f"  pages {run['pages']} (not modified {run['not_modified']}), course records "
        f"{run['items']}, dropped {run['dropped']}, errors {run['errors']}",
        file=out,
    )
    for reason, count in sorted((run["dropped_reasons"] or {}).items()):
        print(f"  dropped: {reason}: {count}", file=out)
    if run.get("skipped"):
        print(f"  seen and skipped {run['skipped']}:", file=out)
    for reason, count in sorted((run.get("skipped_reasons") or {}).items()):
        print(f"  skipped: {reason}: {count}", file=out)
    for sample in run["error_samples"] or []:
        print(f"  error: {sample['url']}: {sample['error']}", file=out)
    submitted = {
        "submitted": f"submitted as a {run['mode']} (submission #{run['submission_id']})",
        "unchanged": "unchanged since the last crawl: nothing submitted",
        "empty": "no course found: nothing submitted",
    }.get(run["outcome"] or "")
    if submitted:
        print(f"  {submitted}", file=out)
    if run["error"]:
        print(f"  {run['error']}", file=out)


def serve(
    settings: Settings, services: Services, *, with_scheduler: bool, with_worker: bool = True
) -> None:
    """The API and pages under uvicorn until it is stopped (`up` and `serve`)."""
    import uvicorn

    from microcred.scheduler import PullScheduler
    from microcred.web import create_web_app, uvicorn_options

    scheduler = PullScheduler(services) if with_scheduler else None
    app = create_web_app(services, background=with_worker, scheduler=scheduler)
    uvicorn.run(app, log_level="info", **uvicorn_options(settings))

"""What a provider sent and what became of it: `history` (submissions and pulls) and
`submissions show | confirm`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from microcred.cli.helpers import EXIT_OK, add_command, print_report, when, with_services

if TYPE_CHECKING:
    from microcred.services import Services


def cmd_history(args: argparse.Namespace, services: Services) -> int:
    services.catalogue.provider_row(args.provider)
    print(f"submissions of {args.provider}, newest first:")
    for item in services.sources.submissions(args.provider, limit=args.limit):
        counts = item["counts"] or {}
        summary = ", ".join(
            f"{name} {counts[name]}"
            for name in ("records", "accepted", "rejected", "created", "updated", "withdrawn")
            if name in counts
        )
        print(
            f"  #{item['id']:<6} {when(item['received_at'])}  {item['channel']:<5} "
            f"{item['mode']:<8} {item['status']:<10} {summary}"
        )
        if item["error"]:
            print(f"          {item['error']}")
    print(f"pulls of {args.provider}, newest first:")
    for run in services.sources.pull_runs(args.provider, limit=args.limit):
        submission = f" -> submission #{run['submission_id']}" if run["submission_id"] else ""
        print(
            f"  {when(run['started_at'])}  {run['source_id']:<20} {run['outcome']:<13}"
            f"{submission}{'  ' + run['error'] if run['error'] else ''}"
        )
    return EXIT_OK


def cmd_submission_show(args: argparse.Namespace, services: Services) -> int:
    print_report(services.ingest.report_for(args.id))
    return EXIT_OK


def cmd_submission_confirm(args: argparse.Namespace, services: Services) -> int:
    submission = services.catalogue.get_submission(args.id)
    report = services.ingest.confirm(args.id, submission.provider_id)
    services.indexer.drain()
    print_report(report)
    return EXIT_OK


def register(sub) -> None:
    history = add_command(
        sub,
        "history",
        help="a provider's submissions and pulls",
        example="microcred history --provider nmit --limit 5",
    )
    history.add_argument("--provider", required=True, help="provider id")
    history.add_argument(
        "--limit",
        type=int,
        default=20,
        help="how many submissions and pulls, newest first (default 20)",
    )
    history.set_defaults(func=with_services(cmd_history))

    submissions = add_command(
        sub,
        "submissions",
        help="one submission",
        example="""
microcred submissions show 42
microcred submissions confirm 42   # apply a held snapshot""",
    ).add_subparsers(dest="submissions_command", required=True)
    show = add_command(
        submissions,
        "show",
        help="print a submission's report",
        example="microcred submissions show 42",
    )
    show.add_argument("id", type=int, help="submission number (`microcred history` lists them)")
    show.set_defaults(func=with_services(cmd_submission_show))
    confirm = add_command(
        submissions,
        "confirm",
        help="apply a held snapshot",
        example="microcred submissions confirm 42",
    )
    confirm.add_argument("id", type=int, help="number of the held submission")
    confirm.set_defaults(func=with_services(cmd_submission_confirm))

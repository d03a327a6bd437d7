"""`sources list | pull`: feed URLs pulled on a schedule."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from microcred.cli.helpers import EXIT_FAILED, EXIT_OK, add_command, with_services

if TYPE_CHECKING:
    from microcred.services import Services


def cmd_sources_list(args: argparse.Namespace, services: Services) -> int:
    for source in services.sources.list_pull_sources(args.provider):
        state = "enabled" if source.enabled else "disabled"
        print(
            f"{source.provider_id}/{source.name}  {state}  {source.schedule.text()}  "
            f"{source.format or 'detect'}  {source.mode}  {source.url}"
        )
    return EXIT_OK


def cmd_sources_pull(args: argparse.Namespace, services: Services) -> int:
    from microcred.scheduler import PullScheduler

    source = services.sources.get_pull_source(args.provider, args.source)
    outcome = PullScheduler(services).pull(source.id)
    if outcome is None:  # only while the scheduler is stopping
        print(
            f"{source.provider_id}/{source.name}: not pulled, the scheduler is stopping",
            file=sys.stderr,
        )
        return EXIT_FAILED
    services.worker.run_pending()
    print(
        f"{source.provider_id}/{source.name}: {outcome.outcome}"
        f"{f' (submission #{outcome.submission_id})' if outcome.submission_id else ''}"
        f"{f': {outcome.error}' if outcome.error else ''}"
    )
    return EXIT_OK if outcome.outcome not in ("failed", "refused") else EXIT_FAILED


def register(sub) -> None:
    sources = add_command(
        sub,
        "sources",
        help="pulled feed URLs",
        example="""
microcred sources list --provider nmit
microcred sources pull --provider nmit catalogue""",
    ).add_subparsers(dest="sources_command", required=True)

    listing = add_command(
        sources, "list", help="list pull sources", example="microcred sources list --provider nmit"
    )
    listing.add_argument("--provider", help="only this provider's sources (default: all)")
    listing.set_defaults(func=with_services(cmd_sources_list))

    pull = add_command(
        sources,
        "pull",
        help="pull one source now and process what it brings",
        example="microcred sources pull --provider nmit catalogue",
    )
    pull.add_argument("--provider", required=True, help="the provider the source belongs to")
    pull.add_argument("source", help="the source's name, as `microcred sources list` shows it")
    pull.set_defaults(func=with_services(cmd_sources_pull))

"""The search index: `reindex` (rebuild from the catalogue) and `index status | drain |
dead-letters | retry-dead-letters`."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from microcred.cli.helpers import EXIT_FAILED, EXIT_OK, add_command, with_services

if TYPE_CHECKING:
    from microcred.services import Services


def cmd_reindex(_args: argparse.Namespace, services: Services) -> int:
    stats = services.indexer.rebuild_with_stats()
    where = f" ({stats.index})" if stats.index else ""
    print(
        f"reindexed {stats.indexed} active offerings into the {services.backend.name} index{where}"
    )
    if stats.caught_up:
        print(f"  {stats.caught_up} offerings changed while it ran were written again")
    if stats.dropped:
        print(f"  dropped the previous index {', '.join(stats.dropped)}")
    if stats.dead_lettered:
        print(
            f"  {stats.dead_lettered} offerings were refused by the engine: "
            f"`microcred index dead-letters` lists them"
        )
    return EXIT_OK


def cmd_index_status(_args: argparse.Namespace, services: Services) -> int:
    status = services.indexer.status()
    oldest = status.oldest_pending.isoformat() if status.oldest_pending else "-"
    print(
        f"indexing: {status.state}; pending {status.pending} (oldest {oldest}); "
        f"open dead letters {status.dead_letters}"
    )
    if status.detail:
        print(f"  {status.detail}")
    health = services.backend.health()
    print(
        f"search: {health.backend} {'ok' if health.ok else 'NOT OK'}; "
        f"{health.documents if health.documents is not None else '?'} documents; "
        f"{health.detail or ''}"
    )
    return EXIT_OK


def cmd_index_drain(_args: argparse.Namespace, services: Services) -> int:
    stats = services.indexer.drain()
    print(
        f"indexed {stats.upserted}, deleted {stats.deleted} in {stats.batches} batches; "
        f"{stats.retries} retries, {stats.dead_lettered} dead letters"
    )
    if stats.stopped:
        print(f"stopped, the rest stays pending: {stats.stopped}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_index_dead_letters(_args: argparse.Namespace, services: Services) -> int:
    letters = services.indexer.records.open_dead_letters()
    for d in letters:
        print(
            f"{d.offering_id} v{d.version} {d.op}: HTTP {d.status_code or '-'}, "
            f"{d.attempts} attempts, since {d.first_failed_at.isoformat()}: {d.reason}"
        )
    print(f"{len(letters)} open dead letters")
    return EXIT_OK


def cmd_index_retry(_args: argparse.Namespace, services: Services) -> int:
    tried, failing = services.indexer.retry_dead_letters()
    print(
        f"retried {tried} dead-lettered offerings: {tried - failing} indexed, "
        f"{failing} refused again"
    )
    return EXIT_OK if failing == 0 else EXIT_FAILED


def register(sub) -> None:
    reindex = add_command(
        sub,
        "reindex",
        help="rebuild the search index from the catalogue",
        example="MICROCRED_SEARCH_BACKEND=opensearch microcred reindex",
    )
    reindex.set_defaults(func=with_services(cmd_reindex))

    index = add_command(
        sub,
        "index",
        help="the search index: lag, drains, dead letters",
        example="""
microcred index status
microcred index dead-letters""",
    ).add_subparsers(dest="index_command", required=True)
    for name, command, text in (
        ("status", cmd_index_status, "pending index work, dead letters, engine health"),
        ("drain", cmd_index_drain, "apply the pending index work now"),
        (
            "dead-letters",
            cmd_index_dead_letters,
            "list the index updates the engine refused for good",
        ),
        (
            "retry-dead-letters",
            cmd_index_retry,
            "write the dead-lettered offerings again (after fixing the cause)",
        ),
    ):
        add_command(index, name, help=text, example=f"microcred index {name}").set_defaults(
            func=with_services(command)
        )

"""`keys create | list | revoke`: API keys for providers, agencies and admins."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from microcred.cli.helpers import EXIT_OK, ROLES, add_command, when, with_services

if TYPE_CHECKING:
    from microcred.services import Services


def cmd_keys_create(args: argparse.Namespace, services: Services) -> int:
    from datetime import timedelta

    expires = timedelta(days=args.expires_days) if args.expires_days else None
    created = services.keys.create(
        args.role, provider_id=args.provider, label=args.label, expires_in=expires
    )
    key = created.key
    scope = f" for provider {key.provider_id}" if key.provider_id else ""
    print(f"{key.role.value} key {key.prefix}{scope}, expires {when(key.expires_at)}")
    print("this is the only time the key is shown; store it now:", file=sys.stderr)
    print(created.secret)
    return EXIT_OK


def cmd_keys_list(args: argparse.Namespace, services: Services) -> int:
    print(
        f"{'prefix':<10} {'role':<9} {'provider':<24} {'created':<21} {'expires':<21} "
        f"{'revoked':<21} label"
    )
    for key in services.keys.list(provider_id=args.provider):
        print(
            f"{key.prefix:<10} {key.role.value:<9} {key.provider_id or '-':<24} "
            f"{when(key.created_at):<21} {when(key.expires_at):<21} "
            f"{when(key.revoked_at):<21} {key.label or ''}"
        )
    return EXIT_OK


def cmd_keys_revoke(args: argparse.Namespace, services: Services) -> int:
    key = services.keys.revoke(args.prefix)
    print(f"key {key.prefix} revoked at {when(key.revoked_at)}")
    return EXIT_OK


def register(sub) -> None:
    keys = add_command(
        sub,
        "keys",
        help="API keys",
        example="""
microcred keys create --role provider --provider nmit --label "NMIT feed robot"
microcred keys list --provider nmit
microcred keys revoke 3f9c2a71""",
    ).add_subparsers(dest="keys_command", required=True)

    create = add_command(
        keys,
        "create",
        help="make a key; it is printed once, on the last line",
        example="""
microcred keys create --role agency --label "Ministry dashboard" --expires-days 365""",
    )
    create.add_argument(
        "--role",
        required=True,
        choices=ROLES,
        help="provider: publishes one provider's offerings; agency: reads "
        "aggregates and exports; admin: everything",
    )
    create.add_argument("--provider", help="the provider a provider key acts for")
    create.add_argument("--label", help="who holds the key, for the list")
    create.add_argument("--expires-days", type=int, help="lifetime in days (default: none)")
    create.set_defaults(func=with_services(cmd_keys_create))

    listing = add_command(
        keys,
        "list",
        help="list keys (never their secrets)",
        example="microcred keys list --provider nmit",
    )
    listing.add_argument("--provider", help="only this provider's keys (default: all)")
    listing.set_defaults(func=with_services(cmd_keys_list))

    revoke = add_command(
        keys, "revoke", help="revoke a key by its prefix", example="microcred keys revoke 3f9c2a71"
    )
    revoke.add_argument("prefix", help="the key's prefix, as `microcred keys list` shows it")
    revoke.set_defaults(func=with_services(cmd_keys_revoke))

"""`providers list | add`: who publishes here."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from microcred.cli.helpers import EXIT_OK, add_command, with_services

if TYPE_CHECKING:
    from microcred.services import Services


def cmd_providers_list(_args: argparse.Namespace, services: Services) -> int:
    rows = services.catalogue.list_providers()
    print(f"{'id':<28} {'country':<8} {'active':>7}  name")
    for provider, active in rows:
        print(f"{provider.id:<28} {provider.country or '-':<8} {active:>7}  {provider.name}")
    return EXIT_OK


def cmd_providers_add(args: argparse.Namespace, services: Services) -> int:
    from normaliser.schema import Provider

    provider = Provider(
        id=args.id,
        name=args.name,
        country=args.country,
        default_currency=args.currency,
        url=args.url,
    )
    services.catalogue.upsert_provider(
        provider,
        default_language=args.language,
        level_framework=args.level_framework,
        credit_system=args.credit_system,
    )
    print(
        f"provider {provider.id}: {provider.name}"
        f"{f' ({provider.country})' if provider.country else ''}"
    )
    return EXIT_OK


def register(sub) -> None:
    providers = add_command(
        sub,
        "providers",
        help="provider commands",
        example="""
microcred providers add nmit --name "Nelson Marlborough IT" --country NZ --currency NZD
microcred providers list""",
    ).add_subparsers(dest="providers_command", required=True)

    listing = add_command(
        providers,
        "list",
        help="list providers and their active offerings",
        example="microcred providers list",
    )
    listing.set_defaults(func=with_services(cmd_providers_list))

    add = add_command(
        providers,
        "add",
        help="register (or update) a provider",
        example="""
microcred providers add nmit --name "Nelson Marlborough IT" --country NZ --currency NZD \\
    --language en --level-framework NZQF --credit-system NZ_CREDITS""",
    )
    add.add_argument(
        "id", help="the provider's id: lower-case letters, digits, dots, hyphens, underscores"
    )
    add.add_argument("--name", required=True, help="the provider's name as learners know it")
    add.add_argument("--country", help="ISO 3166-1 alpha-2")
    add.add_argument("--currency", help="default ISO 4217 currency of its feeds")
    add.add_argument(
        "--language", help="default language of its feeds (ISO 639-1, else ISO 639-3, e.g. en, nzs)"
    )
    add.add_argument("--url", help="the provider's website")
    add.add_argument(
        "--level-framework",
        help="what a bare level number in its feeds means: EQF, NZQF, AQF, NFQ, SCQF, RQF",
    )
    add.add_argument(
        "--credit-system",
        help="what a bare credit number means: ECTS, NZ_CREDITS, CATS, SCQF, US_SCH",
    )
    add.set_defaults(func=with_services(cmd_providers_add))

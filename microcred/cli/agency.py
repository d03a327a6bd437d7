"""For agencies and operators: `quality` (data quality per provider) and `duplicates detect
| list` (offerings that reached us twice)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from microcred.cli.helpers import DEFAULT_STALE_DAYS, EXIT_OK, add_command, with_services

if TYPE_CHECKING:
    from catalogue.duplicates import DuplicateService
    from microcred.services import Services


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def cmd_quality(args: argparse.Namespace, services: Services) -> int:
    import json

    from catalogue.quality import QualityReporter, quality_as_dict

    reports = QualityReporter(services.catalogue).report(args.provider, stale_days=args.stale_days)
    if args.json:
        print(json.dumps([quality_as_dict(r) for r in reports], indent=2, default=str))
        return EXIT_OK
    for report in reports:
        body = quality_as_dict(report)
        print(
            f"{report.provider_id} ({report.provider_name}): {report.active_offerings} active "
            f"offerings; EU Annex I completeness {_percent(report.annex_i_score)}"
        )
        for group, title in (("mandatory", "Annex I mandatory"), ("optional", "Annex I optional")):
            cells = ", ".join(
                f"{name} {_percent(v['share'])}" for name, v in body["annex_i"][group].items()
            )
            print(f"  {title}: {cells}")
        recommended = ", ".join(
            f"{name} {_percent(v['share'])}"
            for name, v in body["own_fields"]["recommended"].items()
        )
        print(f"  our fields: {recommended}")
        if body["unmapped"]:
            cells = ", ".join(
                f"{name} {v['unmapped']}/{v['given']} ({_percent(v['share'])})"
                for name, v in body["unmapped"].items()
                if v["unmapped"]
            )
            print(f"  values not mapped: {cells or 'none'}")
        stale = body["stale"]
        print(
            f"  not seen for {stale['days']} days: {stale['offerings']} "
            f"({_percent(stale['share'])}); oldest last seen {stale['oldest_last_seen'] or '-'}"
        )
        markup = body["course_markup"]
        lacking = ", ".join(f"{name} {v['offerings']}" for name, v in markup["missing"].items())
        print(
            f"  pages without schema.org Course markup: {markup['omitted']}"
            + (f" (lacking {lacking})" if lacking else "")
        )
    return EXIT_OK


def _duplicates(services: Services) -> DuplicateService:
    from catalogue.duplicates import DuplicateService

    return services.duplicates or DuplicateService(
        services.catalogue, drain_index=services.indexer.drain
    )


def cmd_duplicates_detect(_args: argparse.Namespace, services: Services) -> int:
    report = _duplicates(services).detect_all()
    services.indexer.drain()
    print(
        f"compared {report.compared} candidate pairs: {report.links} duplicate links; "
        f"{len(report.hidden)} newly hidden from search, {len(report.released)} shown again"
    )
    return EXIT_OK


def cmd_duplicates_list(args: argparse.Namespace, services: Services) -> int:
    for link in _duplicates(services).links(provider_id=args.provider, limit=args.limit):
        primary, secondary = link["primary"], link["secondary"]
        print(
            f"#{link['id']:<5} {primary['id']} {primary['provider']['id']} "
            f"<- {secondary['id']} {secondary['provider']['id']} "
            f"[{', '.join(link['reasons'])}; title {link['title_similarity']:.2f}] "
            f"{primary['title']}"
        )
    return EXIT_OK


def register(sub) -> None:
    quality = add_command(
        sub,
        "quality",
        help="data quality per provider: EU Annex I and our "
        "fields, unmapped values, stale offerings",
        example="""
microcred quality --provider nmit --stale-days 60
microcred quality --json > quality.json""",
    )
    quality.add_argument("--provider", help="one provider (default: all)")
    quality.add_argument(
        "--stale-days",
        type=int,
        default=DEFAULT_STALE_DAYS,
        help=f"offerings no feed carried for this many days are stale "
        f"(default {DEFAULT_STALE_DAYS})",
    )
    quality.add_argument("--json", action="store_true", help="print the report as JSON")
    quality.set_defaults(func=with_services(cmd_quality))

    duplicates = add_command(
        sub,
        "duplicates",
        help="offerings that reached us twice",
        example="""
microcred duplicates detect
microcred duplicates list --provider nmit""",
    ).add_subparsers(dest="duplicates_command", required=True)
    detect = add_command(
        duplicates,
        "detect",
        help="find and link duplicates in the whole catalogue (rebuilds every link)",
        example="microcred duplicates detect",
    )
    detect.set_defaults(func=with_services(cmd_duplicates_detect))
    listing = add_command(
        duplicates,
        "list",
        help="list duplicate links",
        example="microcred duplicates list --limit 20",
    )
    listing.add_argument(
        "--provider", help="only links with an offering of this provider (default: all)"
    )
    listing.add_argument(
        "--limit", type=int, default=100, help="how many links at the most (default 100)"
    )
    listing.set_defaults(func=with_services(cmd_duplicates_list))

"""Feeds from a file: `import` a provider's feed and print its report; `schema`, the shape
of what a feed becomes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from microcred.cli.helpers import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    add_command,
    add_data_dir,
    print_report,
    services_from,
)


def cmd_import(args: argparse.Namespace) -> int:
    from catalogue.errors import FeedRejected, NotFound
    from normaliser.readers.base import FeedFormatError
    from normaliser.schema import Provider

    path = Path(args.file)
    if not path.is_file():
        print(f"error: no file {path}", file=sys.stderr)
        return EXIT_FAILED
    services = services_from(args)
    try:
        try:
            existing = services.catalogue.get_provider(args.provider)
            if args.name:
                services.catalogue.upsert_provider(existing.model_copy(update={"name": args.name}))
        except NotFound:
            if not args.name:
                print(
                    f"error: provider '{args.provider}' is not registered; pass --name NAME "
                    f"(and --country CC, --currency CCC) to register it",
                    file=sys.stderr,
                )
                return EXIT_USAGE
            services.catalogue.upsert_provider(
                Provider(
                    id=args.provider,
                    name=args.name,
                    country=args.country,
                    default_currency=args.currency,
                )
            )
        # A file named .csv says its format; anything else, .json included (CTDL, schema.org
        # and ELM JSON-LD are saved as .json too), is detected from its bytes.
        suffix = path.suffix.lstrip(".").lower()
        fmt = args.format or (suffix if suffix == "csv" else None)
        try:
            fmt = _checked_format(services, fmt)
            if args.dry_run:
                report = services.ingest.validate(
                    args.provider, path.read_bytes(), format=fmt, mode=args.mode
                )
            else:
                report = services.import_feed(
                    args.provider,
                    path.read_bytes(),
                    format=fmt,
                    mode=args.mode,
                    channel="cli",
                    filename=path.name,
                )
        except (FeedRejected, FeedFormatError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_FAILED
        print_report(report)
        return EXIT_OK if report.status in ("applied", "held", "dry_run") else EXIT_FAILED
    finally:
        services.close()


def _checked_format(services, fmt: str | None) -> str | None:
    """`fmt` checked (a profile loaded and validated now, not when the feed is read); a
    profile file's path made absolute, since the submission keeps it."""
    from normaliser.readers.registry import PROFILE_PREFIX, is_profile_path

    if fmt is None:
        return None
    if fmt.lower().startswith(PROFILE_PREFIX):
        reference = fmt[len(PROFILE_PREFIX) :].strip()
        if is_profile_path(reference):
            fmt = PROFILE_PREFIX + str(Path(reference).expanduser().resolve())
    return services.library.readers(allow_paths=True).check_format(fmt)


def cmd_schema(_args: argparse.Namespace) -> int:
    import json

    from normaliser.schema import json_schema

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
    return EXIT_OK


def register(sub) -> None:
    imp = add_command(
        sub,
        "import",
        help="import a provider feed file and print the report",
        example="""
microcred import --provider nmit --name "Nelson Marlborough IT" --country NZ \\
    --currency NZD courses.csv
microcred import --provider nmit --mode delta changes.json
microcred import --provider acme --format profile:./acme.toml --dry-run export.csv""",
    )
    imp.add_argument("--provider", required=True, help="provider id (registered, or with --name)")
    imp.add_argument("--name", help="provider name, to register a new provider")
    imp.add_argument("--country", help="ISO 3166-1 alpha-2 country of a new provider")
    imp.add_argument("--currency", help="default ISO 4217 currency of a new provider")
    imp.add_argument(
        "--format",
        help="csv, json, xcri-cap, ctdl, schema-org, ...; "
        "profile:<name> (profiles folder or bundled), "
        "profile:<provider>/<name> (registered) or "
        "profile:PATH.toml; detected from the file when left out",
    )
    imp.add_argument(
        "--dry-run",
        action="store_true",
        help="validate only: print the report the import would give, store nothing",
    )
    imp.add_argument(
        "--mode",
        choices=["snapshot", "delta"],
        default="snapshot",
        help="snapshot: the feed is all the provider offers (what it leaves out "
        "is withdrawn); delta: only what changed (default: snapshot)",
    )
    add_data_dir(imp)
    imp.add_argument("file", help="the feed file (.csv, .json, .xml, ...)")
    imp.set_defaults(func=cmd_import)

    schema = add_command(
        sub,
        "schema",
        help="print the JSON Schema of a normalised offering",
        example="microcred schema > offering.schema.json",
    )
    schema.set_defaults(func=cmd_schema)

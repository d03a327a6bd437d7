"""The `microcred` command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from catalogue.errors import CatalogueError, FeedRejected, NotFound
from catalogue.ingest import IngestReport
from microcred.cli_publishing import add_commands, serve
from microcred.sample import load_sample_data
from microcred.services import Services, build_services
from microcred.settings import Settings, get_settings
from normaliser.schema import Provider, json_schema

EXIT_OK, EXIT_USAGE, EXIT_UNREADABLE = 0, 1, 2


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    if getattr(args, "host", None):
        overrides["host"] = args.host
    if getattr(args, "port", None):
        overrides["port"] = args.port
    base = get_settings()
    return base.model_copy(update=overrides) if overrides else base


def _services(args: argparse.Namespace) -> Services:
    return build_services(_settings(args))


def print_report(report: IngestReport, out=sys.stdout) -> None:
    status = {"applied": "applied", "held": "HELD (not applied)"}.get(report.status, "FAILED")
    print(f"submission {report.submission_id} for provider {report.provider_id} "
          f"({report.mode}): {status}", file=out)
    if report.error:
        print(f"  {report.error}", file=out)
    print(f"  records {report.records}: accepted {report.accepted}, rejected {report.rejected}, "
          f"warned {report.warned}", file=out)
    print(f"  created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
          f"withdrawn {report.withdrawn}", file=out)
    if report.withdrawn_ids:
        print(f"  withdrawn ids: {', '.join(report.withdrawn_ids)}", file=out)
    if report.status == "held":
        print(f"  it would withdraw {report.held_withdrawals} active offerings; apply it with "
              f"`microcred submissions confirm {report.submission_id}`", file=out)
    for issue in report.issues:
        print(f"  {issue.describe()}", file=out)


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(f"error: no file {path}", file=sys.stderr)
        return EXIT_UNREADABLE
    services = _services(args)
    try:
        try:
            existing = services.catalogue.get_provider(args.provider)
            if args.name:
                services.catalogue.upsert_provider(existing.model_copy(update={"name": args.name}))
        except NotFound:
            if not args.name:
                print(f"error: provider '{args.provider}' is not registered; pass --name NAME "
                      f"(and --country CC, --currency CCC) to register it", file=sys.stderr)
                return EXIT_USAGE
            services.catalogue.upsert_provider(Provider(
                id=args.provider, name=args.name, country=args.country,
                default_currency=args.currency))
        # A file named .csv or .json says its format; anything else is detected from its bytes.
        suffix = path.suffix.lstrip(".").lower()
        fmt = args.format or (suffix if suffix in ("csv", "json") else None)
        try:
            report = services.import_feed(args.provider, path.read_bytes(), format=fmt,
                                          mode=args.mode, channel="cli", filename=path.name)
        except FeedRejected as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_UNREADABLE
        print_report(report)
        return EXIT_OK if report.status in ("applied", "held") else EXIT_UNREADABLE
    finally:
        services.close()


def cmd_providers_list(args: argparse.Namespace) -> int:
    services = _services(args)
    try:
        rows = services.catalogue.list_providers()
        print(f"{'id':<28} {'country':<8} {'active':>7}  name")
        for provider, active in rows:
            print(f"{provider.id:<28} {provider.country or '-':<8} {active:>7}  {provider.name}")
        return EXIT_OK
    finally:
        services.close()


def cmd_reindex(args: argparse.Namespace) -> int:
    services = _services(args)
    try:
        total = services.indexer.rebuild()
        print(f"reindexed {total} active offerings into the {services.backend.name} index")
        return EXIT_OK
    finally:
        services.close()


def cmd_schema(_args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
    return EXIT_OK


def cmd_up(args: argparse.Namespace) -> int:
    settings = _settings(args)
    services = build_services(settings)
    if not args.no_sample and not services.catalogue.list_providers():
        print("first start: loading the bundled sample providers ...", flush=True)
        for load in load_sample_data(services):
            print(f"  {load.provider_id}: {load.accepted} accepted, {load.rejected} rejected, "
                  f"{load.warned} with warnings", flush=True)
    services.indexer.drain()
    print(f"microcred: {services.catalogue.count_offerings()} active offerings; "
          f"open http://{settings.host}:{settings.port}/", flush=True)
    serve(settings, services, with_scheduler=not args.no_scheduler)
    return EXIT_OK


def with_services(command):
    def run(args: argparse.Namespace) -> int:
        services = _services(args)
        try:
            return command(args, services)
        finally:
            services.close()
    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="microcred", description=__doc__)
    parser.add_argument("--data-dir", help="data directory (default: $MICROCRED_DATA_DIR or ./data)")
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="serve the marketplace (API and pages) on the embedded default")
    up.add_argument("--host")
    up.add_argument("--port", type=int)
    up.add_argument("--data-dir", dest="data_dir", default=argparse.SUPPRESS)
    up.add_argument("--no-sample", action="store_true", help="do not load the sample providers")
    up.add_argument("--no-scheduler", action="store_true", help="do not run scheduled pulls")
    up.set_defaults(func=cmd_up)

    imp = sub.add_parser("import", help="import a provider feed file and print the report")
    imp.add_argument("--provider", required=True, help="provider id (registered, or with --name)")
    imp.add_argument("--name", help="provider name, to register a new provider")
    imp.add_argument("--country", help="ISO 3166-1 alpha-2 country of a new provider")
    imp.add_argument("--currency", help="default ISO 4217 currency of a new provider")
    imp.add_argument("--format", help="csv, json, xcri-cap, ctdl, schema-org or profile:<name>; "
                                      "detected from the file when left out")
    imp.add_argument("--mode", choices=["snapshot", "delta"], default="snapshot")
    imp.add_argument("--data-dir", dest="data_dir", default=argparse.SUPPRESS)
    imp.add_argument("file")
    imp.set_defaults(func=cmd_import)

    providers = sub.add_parser("providers", help="provider commands")
    psub = providers.add_subparsers(dest="providers_command", required=True)
    plist = psub.add_parser("list", help="list providers and their active offerings")
    plist.set_defaults(func=cmd_providers_list)

    reindex = sub.add_parser("reindex", help="rebuild the search index from the catalogue")
    reindex.set_defaults(func=cmd_reindex)

    schema = sub.add_parser("schema", help="print the JSON Schema of a normalised offering")
    schema.set_defaults(func=cmd_schema)
    add_commands(sub, psub, with_services)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CatalogueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())

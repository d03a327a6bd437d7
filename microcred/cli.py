"""The `microcred` command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic import ValidationError

from catalogue.errors import CatalogueError, FeedRejected, NotFound
from catalogue.ingest import IngestReport
from microcred.cli_agency import add_commands as add_agency_commands
from microcred.cli_crawl import add_crawl_commands
from microcred.cli_publishing import add_commands, serve
from microcred.demo_site import start_demo_site
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
    try:
        base = get_settings()
    except ValidationError as exc:
        # What is wrong and how to fix it, without pydantic's echo of the values it read.
        problems = "\n".join(f"  {e['msg'].removeprefix('Value error, ')}" for e in exc.errors())
        raise SystemExit(f"error: the settings cannot be used:\n{problems}") from None
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
        # A file named .csv says its format; anything else, .json included (CTDL, schema.org
        # and ELM JSON-LD are saved as .json too), is detected from its bytes.
        suffix = path.suffix.lstrip(".").lower()
        fmt = args.format or (suffix if suffix == "csv" else None)
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
        stats = services.indexer.rebuild_with_stats()
        where = f" ({stats.index})" if stats.index else ""
        print(f"reindexed {stats.indexed} active offerings into the {services.backend.name} "
              f"index{where}")
        if stats.caught_up:
            print(f"  {stats.caught_up} offerings changed while it ran were written again")
        if stats.dropped:
            print(f"  dropped the previous index {', '.join(stats.dropped)}")
        if stats.dead_lettered:
            print(f"  {stats.dead_lettered} offerings were refused by the engine: "
                  f"`microcred index dead-letters` lists them")
        return EXIT_OK
    finally:
        services.close()


def cmd_index_status(_args: argparse.Namespace, services: Services) -> int:
    status = services.indexer.status()
    oldest = status.oldest_pending.isoformat() if status.oldest_pending else "-"
    print(f"indexing: {status.state}; pending {status.pending} (oldest {oldest}); "
          f"open dead letters {status.dead_letters}")
    if status.detail:
        print(f"  {status.detail}")
    health = services.backend.health()
    print(f"search: {health.backend} {'ok' if health.ok else 'NOT OK'}; "
          f"{health.documents if health.documents is not None else '?'} documents; "
          f"{health.detail or ''}")
    return EXIT_OK


def cmd_index_drain(_args: argparse.Namespace, services: Services) -> int:
    stats = services.indexer.drain()
    print(f"indexed {stats.upserted}, deleted {stats.deleted} in {stats.batches} batches; "
          f"{stats.retries} retries, {stats.dead_lettered} dead letters")
    if stats.stopped:
        print(f"stopped, the rest stays pending: {stats.stopped}", file=sys.stderr)
        return EXIT_UNREADABLE
    return EXIT_OK


def cmd_index_dead_letters(_args: argparse.Namespace, services: Services) -> int:
    letters = services.indexer.records.open_dead_letters()
    for d in letters:
        print(f"{d.offering_id} v{d.version} {d.op}: HTTP {d.status_code or '-'}, "
              f"{d.attempts} attempts, since {d.first_failed_at.isoformat()}: {d.reason}")
    print(f"{len(letters)} open dead letters")
    return EXIT_OK


def cmd_index_retry(_args: argparse.Namespace, services: Services) -> int:
    tried, failing = services.indexer.retry_dead_letters()
    print(f"retried {tried} dead-lettered offerings: {tried - failing} indexed, "
          f"{failing} refused again")
    return EXIT_OK if failing == 0 else EXIT_UNREADABLE


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
    if not args.no_sample:  # the crawl-only sample provider: its site, crawled on first start
        start_demo_site(services)
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

    index = sub.add_parser("index", help="the search index: lag, drains, dead letters")
    isub = index.add_subparsers(dest="index_command", required=True)
    for name, command, text in (
            ("status", cmd_index_status, "pending index work, dead letters, engine health"),
            ("drain", cmd_index_drain, "apply the pending index work now"),
            ("dead-letters", cmd_index_dead_letters,
             "list the index updates the engine refused for good"),
            ("retry-dead-letters", cmd_index_retry,
             "write the dead-lettered offerings again (after fixing the cause)")):
        isub.add_parser(name, help=text).set_defaults(func=with_services(command))

    schema = sub.add_parser("schema", help="print the JSON Schema of a normalised offering")
    schema.set_defaults(func=cmd_schema)
    add_commands(sub, psub, with_services)
    add_agency_commands(sub, with_services)
    add_crawl_commands(sub, with_services)
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

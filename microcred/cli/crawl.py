"""Crawling: `crawl` a website now, `crawl-sources add | list` (websites crawled on a
schedule), `crawls` (a provider's crawl runs)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from microcred.cli.helpers import (
    EXIT_FAILED,
    EXIT_OK,
    add_command,
    print_crawl,
    print_report,
    with_services,
)

if TYPE_CHECKING:
    from crawlers.arguments import CrawlLimits
    from microcred.services import Services

_LIMIT_OPTIONS = ("max_pages", "max_seconds", "max_depth")


def _limits(args: argparse.Namespace, base: dict | None = None) -> CrawlLimits:
    from crawlers.arguments import CrawlLimits

    given = {
        name: getattr(args, name)
        for name in _LIMIT_OPTIONS
        if getattr(args, name, None) is not None
    }
    return CrawlLimits.model_validate({**(base or {}), **given})


def _site(path: str | None) -> dict | None:
    import tomllib
    from pathlib import Path

    from catalogue.errors import InvalidRequest

    if path is None:
        return None
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidRequest(
            f"cannot read the site config {path}: {exc}", parameter="--site"
        ) from None


def cmd_crawl(args: argparse.Namespace, services: Services) -> int:
    from catalogue.crawls import CrawlStore
    from crawlers.arguments import CrawlLimits
    from microcred.crawling import CrawlRunner, crawl_settings_checker

    services.catalogue.provider_row(args.provider)
    runner = CrawlRunner(services)
    site = _site(args.site)
    if args.start_urls or site is not None:
        # Checked as the API checks them, so a typo fails here, not in the child.
        urls, limits, site = crawl_settings_checker(services.settings.allow_private_feeds)(
            args.start_urls, _limits(args).model_dump(), site
        )
        arguments = runner.arguments(args.provider, urls, limits=CrawlLimits(**limits), site=site)
    else:
        sources = CrawlStore(services.catalogue).list_crawl_sources(args.provider)
        chosen = [s for s in sources if args.source in (None, s.name)]
        if len(chosen) != 1:
            names = ", ".join(s.name for s in sources) or "none"
            print(
                f"error: give START_URL(s), or --source with one of the provider's crawl "
                f"sources ({names})",
                file=sys.stderr,
            )
            return EXIT_FAILED
        source = chosen[0]
        arguments = runner.arguments(
            args.provider, source.start_urls, source=source, limits=_limits(args, source.limits)
        )
    outcome = runner.crawl(arguments)
    services.worker.run_pending()
    services.indexer.drain()
    print_crawl(outcome.result)
    submission_id = outcome.result["submission_id"]
    if submission_id is not None:
        print_report(services.ingest.report_for(submission_id), out=sys.stdout)
    return EXIT_OK if outcome.status in ("finished", "partial") else EXIT_FAILED


def cmd_crawl_sources_add(args: argparse.Namespace, services: Services) -> int:
    from catalogue.crawls import CrawlStore
    from catalogue.sources import Schedule
    from microcred.crawling import crawl_settings_checker

    urls, limits, site = crawl_settings_checker(services.settings.allow_private_feeds)(
        args.start_urls, _limits(args).model_dump(), _site(args.site)
    )
    schedule = (
        Schedule(cron=args.cron)
        if args.cron
        else Schedule(interval_minutes=args.interval_minutes)
        if args.interval_minutes
        else None
    )
    source, created = CrawlStore(services.catalogue).put_crawl_source(
        args.provider, args.name, start_urls=urls, limits=limits, site=site, schedule=schedule
    )
    print(
        f"crawl source {source.provider_id}/{source.name} {'created' if created else 'updated'}"
        f": {', '.join(source.start_urls)}"
        f" ({source.schedule.text() if source.schedule else 'on request only'})"
    )
    return EXIT_OK


def cmd_crawl_sources_list(args: argparse.Namespace, services: Services) -> int:
    from catalogue.crawls import CrawlStore

    for source in CrawlStore(services.catalogue).list_crawl_sources(args.provider):
        state = "enabled" if source.enabled else "disabled"
        schedule = source.schedule.text() if source.schedule else "on request"
        print(
            f"{source.provider_id}/{source.name}  {state}  {schedule}  "
            f"{'site config' if source.site else 'schema.org markup'}  "
            f"{' '.join(source.start_urls)}"
        )
    return EXIT_OK


def cmd_crawls(args: argparse.Namespace, services: Services) -> int:
    from catalogue.crawls import CrawlStore

    services.catalogue.provider_row(args.provider)
    for run in CrawlStore(services.catalogue).crawl_runs(args.provider, limit=args.limit):
        print_crawl(run)
    return EXIT_OK


def _limit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-pages", type=int, help="pages requested at most")
    parser.add_argument("--max-seconds", type=float, help="wall-clock limit of the crawl")
    parser.add_argument("--max-depth", type=int, help="links followed from a start URL")
    parser.add_argument(
        "--site",
        help="a declarative site config (TOML, see crawlers/sites/) "
        "for pages without schema.org markup",
    )


def register(sub) -> None:
    crawl = add_command(
        sub,
        "crawl",
        help="crawl a provider's website now, in a child process, and print the crawl's stats",
        example="""
microcred crawl --provider nmit --max-pages 50 https://www.nmit.ac.nz/courses/
microcred crawl --provider nmit --source website""",
    )
    crawl.add_argument("--provider", required=True, help="the provider whose site it is")
    crawl.add_argument(
        "--source",
        help="one of the provider's crawl sources (default: its "
        "only one); ignored when START_URLs are given",
    )
    _limit_arguments(crawl)
    crawl.add_argument(
        "start_urls",
        nargs="*",
        metavar="START_URL",
        help="where the crawl starts (default: the crawl source's URLs)",
    )
    crawl.set_defaults(func=with_services(cmd_crawl))

    sources = add_command(
        sub,
        "crawl-sources",
        help="websites crawled on a schedule",
        example="""
microcred crawl-sources add --provider nmit --cron "30 3 * * *" website \\
    https://www.nmit.ac.nz/courses/
microcred crawl-sources list --provider nmit""",
    ).add_subparsers(dest="crawl_sources_command", required=True)
    add = add_command(
        sources,
        "add",
        help="register (or change) a crawl source",
        example="""
microcred crawl-sources add --provider nmit --interval-minutes 1440 --max-pages 200 \\
    website https://www.nmit.ac.nz/courses/""",
    )
    add.add_argument("--provider", required=True, help="the provider whose site it is")
    add.add_argument("--cron", help="five-field crontab line, UTC")
    add.add_argument(
        "--interval-minutes",
        type=int,
        help="crawl every this many minutes (instead of --cron; neither: on request only)",
    )
    _limit_arguments(add)
    add.add_argument("name", help="the source's name, unique per provider")
    add.add_argument("start_urls", nargs="*", metavar="START_URL", help="where each crawl starts")
    add.set_defaults(func=with_services(cmd_crawl_sources_add))
    listing = add_command(
        sources,
        "list",
        help="list crawl sources",
        example="microcred crawl-sources list --provider nmit",
    )
    listing.add_argument("--provider", help="only this provider's sources (default: all)")
    listing.set_defaults(func=with_services(cmd_crawl_sources_list))

    runs = add_command(
        sub,
        "crawls",
        help="a provider's crawl runs and their stats",
        example="microcred crawls --provider nmit --limit 3",
    )
    runs.add_argument("--provider", required=True, help="provider id")
    runs.add_argument(
        "--limit", type=int, default=10, help="how many runs, newest first (default 10)"
    )
    runs.set_defaults(func=with_services(cmd_crawls))

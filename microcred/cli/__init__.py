"""The `microcred` command line.

One module per command group, each with a `register(sub)` that adds its commands; what
they share is in `microcred.cli.helpers`, and no command module imports another. Building
the parser imports nothing heavy, so `microcred --help` is quick: each command imports
the services it needs when it runs.
"""

from __future__ import annotations

import argparse
import sys

from microcred.cli import (
    agency,
    crawl,
    feeds,
    index,
    keys,
    profiles,
    providers,
    serving,
    sources,
    submissions,
)
from microcred.cli.helpers import EXIT_USAGE

# In the order `microcred --help` lists them.
COMMAND_GROUPS = (
    serving,
    feeds,
    profiles,
    providers,
    keys,
    submissions,
    sources,
    index,
    crawl,
    agency,
)

EPILOG = """\
examples:
  microcred up                                   # the marketplace with sample data
  microcred import --provider nmit --name "Nelson Marlborough IT" courses.csv
  microcred <command> --help                     # a command's options and an example"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="microcred",
        description="The `microcred` command line.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data-dir", help="data directory (default: $MICROCRED_DATA_DIR or ./data)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for group in COMMAND_GROUPS:
        group.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from catalogue.errors import CatalogueError

    try:
        return args.func(args)
    except CatalogueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE

"""Mapping profiles: `profiles check` shows how a source's first rows map through a
profile, field by field, with every issue; `profiles list` names the profiles there are."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from microcred.cli.helpers import (
    EXIT_FAILED,
    EXIT_OK,
    add_command,
    add_data_dir,
    settings_from,
)


def _library(args: argparse.Namespace):
    from catalogue.profiles import RegisteredProfiles
    from microcred.profiles import ProfileLibrary

    settings = settings_from(args)
    return ProfileLibrary(
        settings.profile_folder, registered=RegisteredProfiles(settings.catalogue_url)
    )


def cmd_check(args: argparse.Namespace) -> int:
    from microcred.profile_check import check_profile

    path = Path(args.file)
    if not path.is_file():
        print(f"error: no file {path}", file=sys.stderr)
        return EXIT_FAILED
    ok = check_profile(
        _library(args), args.profile, path.read_bytes(), rows=args.rows, out=sys.stdout
    )
    return EXIT_OK if ok else EXIT_FAILED


def cmd_list(args: argparse.Namespace) -> int:
    library = _library(args)
    print(f"profiles folder: {library.profiles_dir}")
    for name in library.names():
        print(f"  profile:{name}")
    return EXIT_OK


def register(sub) -> None:
    group = add_command(
        sub,
        "profiles",
        help="mapping profiles: check one against a file, list them",
        example="microcred profiles check my-export.toml courses.csv",
    )
    commands = group.add_subparsers(dest="profiles_command", required=True)
    check = add_command(
        commands,
        "check",
        help="print how the first rows of FILE map through PROFILE, field by "
        "field, with every issue",
        example="""
microcred profiles check ./acme.toml acme-courses.csv
microcred profiles check edx --rows 2 edx-courses.csv""",
    )
    check.add_argument(
        "profile",
        help="a profile file (PATH.toml), or a name: from the "
        "profiles folder, bundled, or <provider>/<name> "
        "registered",
    )
    check.add_argument("file", help="the source file to read (.csv, .json, .xlsx)")
    check.add_argument("--rows", type=int, default=3, help="how many records to show (default: 3)")
    add_data_dir(check)
    check.set_defaults(func=cmd_check)
    listing = add_command(
        commands,
        "list",
        help="list the profiles a feed can name",
        example="microcred profiles list",
    )
    add_data_dir(listing)
    listing.set_defaults(func=cmd_list)

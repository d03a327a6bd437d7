"""The command line's help: quick because building the parser imports nothing heavy, and
complete (every option says what it is for; every command shows an example)."""

from __future__ import annotations

import argparse
import ast
import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import microcred.cli
from microcred.cli import build_parser
from microcred.cli.helpers import DEFAULT_STALE_DAYS, ROLES

# What `microcred --help` must not load: each costs a large part of a second (issue 18).
HEAVY = (
    "sqlalchemy",
    "fastapi",
    "starlette",
    "uvicorn",
    "scrapy",
    "twisted",
    "pydantic",
    "pydantic_settings",
    "apscheduler",
    "elasticsearch",
    "opensearchpy",
    "lxml",
)

_MODULES_AFTER = """
import contextlib, io, json, sys
from microcred.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        main({argv!r})
    except SystemExit as exc:
        code = exc.code
print(json.dumps({{"code": code, "help": out.getvalue(), "modules": sorted(sys.modules)}}))
"""


def _help_in_a_fresh_process(*argv: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _MODULES_AFTER.format(argv=[*argv, "--help"])],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    "argv", [(), ("import",), ("crawl",), ("keys", "create"), ("quality",), ("up",)], ids=" ".join
)
def test_help_imports_no_heavy_module(argv):
    result = _help_in_a_fresh_process(*argv)
    assert result["code"] == 0 and "usage: microcred" in result["help"]
    loaded = {name.split(".")[0] for name in result["modules"]}
    assert sorted(loaded & set(HEAVY)) == []


def _commands(parser: argparse.ArgumentParser, path=()):
    """Every (sub)command parser, with its words: ("keys", "create"), ..."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield (*path, name), child
                yield from _commands(child, (*path, name))


COMMANDS = list(_commands(build_parser()))


def test_the_walk_finds_the_commands():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {
        "up",
        "import",
        "keys create",
        "crawl-sources add",
        "index retry-dead-letters",
        "duplicates list",
        "scheduler",
    } <= names
    assert len(names) >= 30


@pytest.mark.parametrize("path,parser", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_option_has_help_and_every_command_an_example(path, parser):
    unexplained = [
        action.option_strings[0] if action.option_strings else action.dest
        for action in parser._actions
        if not isinstance(action, argparse._SubParsersAction) and not (action.help or "").strip()
    ]
    assert unexplained == []
    assert (parser.description or "").strip()
    assert (parser.epilog or "").startswith("example:\n"), parser.epilog
    examples = [line.strip() for line in parser.epilog.splitlines()[1:]]
    # Every example of a leaf command runs that command (a group's may show its members).
    leaf = not any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)
    if leaf:
        words = " ".join(path)
        assert any(f"microcred {words}" in line for line in examples), examples


def test_the_examples_parse():
    """An example that names a missing option or a wrong value fails here."""
    parser = build_parser()
    for _path, command in COMMANDS:
        text = command.epilog.split("\n", 1)[1].replace("\\\n", " ")
        for line in text.splitlines():
            # Past an environment assignment; before a comment or a redirection.
            line = line.split("   #")[0].split(" > ")[0]
            words = shlex.split(line)
            parser.parse_args(
                words[words.index("microcred") + 1 :]
            )  # SystemExit on a wrong example


def test_constants_copied_for_a_light_parser_match_their_sources():
    from catalogue.accounts import Role
    from catalogue.quality import DEFAULT_STALE_DAYS as QUALITY_STALE_DAYS

    assert ROLES == tuple(role.value for role in Role)
    assert DEFAULT_STALE_DAYS == QUALITY_STALE_DAYS


def test_no_command_module_imports_another():
    """Commands share code through microcred.cli.helpers only, which imports none of them."""
    package = Path(microcred.cli.__file__).parent
    modules = [p for p in sorted(package.glob("*.py")) if p.stem not in ("__init__", "__main__")]
    assert len(modules) >= 8
    crossing = {}
    for path in modules:
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
                if node.module == "microcred.cli":
                    imported.update(f"microcred.cli.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                imported.update(a.name for a in node.names)
        allowed = set() if path.stem == "helpers" else {"microcred.cli.helpers"}
        wrong = sorted(m for m in imported if m.startswith("microcred.cli") and m not in allowed)
        if wrong:
            crossing[path.name] = wrong
    assert crossing == {}

"""`microcred` commands end to end, in a child process as a user runs them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from catalogue.store import offering_key
from microcred.services import build_services
from microcred.settings import Settings
from tests.conftest import FIXTURES

REALWORLD = FIXTURES / "realworld"


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, MICROCRED_DATA_DIR=str(data_dir))
    return subprocess.run(
        [sys.executable, "-m", "microcred.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def dotted(document: dict, path: str):
    value = document
    for part in path.split("."):
        if value is None:
            return None
        value = value[int(part)] if isinstance(value, list) else value.get(part)
    return value


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The real-world feed imported once through the CLI, as a newcomer would."""
    data_dir = tmp_path_factory.mktemp("cli")
    expected = json.loads((REALWORLD / "provider-feed.expected.json").read_text())
    provider = expected["provider"]
    result = run(
        data_dir,
        "import",
        "--provider",
        provider["id"],
        "--name",
        provider["name"],
        "--country",
        provider["country"],
        "--currency",
        provider["default_currency"],
        str(REALWORLD / "provider-feed.csv"),
    )
    return data_dir, expected, result


def test_import_reports_counts_and_names_bad_rows(imported):
    _, expected, result = imported
    assert result.returncode == 0, result.stderr
    out = result.stdout
    good = len(expected["offerings"])
    assert f"records {good + len(expected['bad_rows'])}" in out
    assert "withdrawn 0" in out
    for bad in expected["bad_rows"]:
        lines = [
            line
            for line in out.splitlines()
            if f"id {bad['id']}" in line and f"] {bad['field']}:" in line
        ]
        assert lines, f"the report does not name {bad['id']} / {bad['field']}:\n{out}"
    assert "ERROR" in out and "title" in out


def test_imported_values_are_normalised_right(imported):
    data_dir, expected, _ = imported
    services = build_services(Settings(data_dir=data_dir))
    try:
        provider = expected["provider"]["id"]
        for offering_id, paths in expected["offerings"].items():
            stored = services.catalogue.get_offering(offering_key(provider, offering_id))
            document = stored.model_dump(mode="json")
            for path, value in paths.items():
                actual = dotted(document, path)
                if isinstance(value, float) and actual is not None:
                    assert actual == pytest.approx(value), f"{offering_id} {path}"
                else:
                    assert actual == value, f"{offering_id} {path}: {actual!r} != {value!r}"
    finally:
        services.close()


def test_importing_the_same_file_again_changes_nothing(imported):
    data_dir, expected, first = imported
    accepted = int(re.search(r"accepted (\d+)", first.stdout).group(1))
    assert accepted >= len(expected["offerings"])
    again = run(
        data_dir,
        "import",
        "--provider",
        expected["provider"]["id"],
        str(REALWORLD / "provider-feed.csv"),
    )
    assert again.returncode == 0, again.stderr
    assert "created 0, updated 0" in again.stdout
    assert f"created 0, updated 0, unchanged {accepted}, withdrawn 0" in again.stdout


def test_providers_list(imported):
    data_dir, expected, _ = imported
    listing = run(data_dir, "providers", "list")
    assert listing.returncode == 0
    assert expected["provider"]["name"] in listing.stdout
    accepted = int(re.search(r"accepted (\d+)", imported[2].stdout).group(1))
    assert f" {accepted}  " in listing.stdout


def test_unreadable_file_exits_non_zero_and_says_where(tmp_path):
    bad = tmp_path / "feed.csv"
    bad.write_bytes(b"id,title\nA1,Good\nA2,Caf\xe9\n")
    result = run(tmp_path / "d", "import", "--provider", "p1", "--name", "P One", str(bad))
    assert result.returncode == 2
    assert "line 3" in result.stdout


def test_unknown_provider_without_name_is_a_usage_error(tmp_path):
    feed = tmp_path / "feed.csv"
    feed.write_text("id,title\nA1,Good\n")
    result = run(tmp_path / "d", "import", "--provider", "nobody", str(feed))
    assert result.returncode == 1
    assert "--name" in result.stderr


def test_missing_file(tmp_path):
    result = run(tmp_path / "d", "import", "--provider", "p1", str(tmp_path / "nope.csv"))
    assert result.returncode == 2 and "no file" in result.stderr


def test_schema_command_prints_the_json_schema(tmp_path):
    result = run(tmp_path / "d", "schema")
    schema = json.loads(result.stdout)
    assert "level" in schema["properties"] and "provenance" in schema["properties"]
    published = Path(__file__).resolve().parent.parent / "docs" / "offering.schema.json"
    assert json.loads(published.read_text()) == schema, (
        "run `microcred schema > docs/offering.schema.json`"
    )


def test_a_feed_over_the_size_limit_is_refused_and_not_stored(tmp_path):
    feed = tmp_path / "big.csv"
    feed.write_text("id,title\n" + "".join(f"A{n},Course {n}\n" for n in range(200)))
    env_limit = {"MICROCRED_MAX_FEED_BYTES": "1024"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "microcred.cli",
            "import",
            "--provider",
            "p1",
            "--name",
            "P",
            str(feed),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=dict(os.environ, MICROCRED_DATA_DIR=str(tmp_path / "d"), **env_limit),
    )
    assert result.returncode == 2 and "over the limit" in result.stderr
    services = build_services(Settings(data_dir=tmp_path / "d"))
    try:
        assert services.catalogue.count_offerings() == 0
    finally:
        services.close()


def test_a_file_without_a_csv_or_json_name_is_detected_from_its_bytes(tmp_path):
    feed = tmp_path / "export.txt"
    feed.write_text("id,title\nA1,Good Course\n")
    result = run(tmp_path / "d", "import", "--provider", "p1", "--name", "P One", str(feed))
    assert result.returncode == 0, result.stderr
    assert "accepted 1" in result.stdout

"""Mapping profiles users write: a profile file on `import`, the profiles folder
(MICROCRED_PROFILES_DIR), `profiles check`, and errors that name the file, key and line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from microcred.profiles import ProfileLibrary
from normaliser.readers.base import FeedFormatError
from normaliser.readers.profiles import MappingProfileError, UnknownProfileError, key_line

PROFILE = """\
name = "acme"
description = "ACME Training's course export"

[source]
delimiter = ";"

[id]
column = "Code"

[defaults]
currency = "NZD"

[fields.title]
column = "Course name"

[fields.mode]
column = "Delivery"
value_map = { "Zoom" = "online", "Campus" = "in person" }

[fields.price]
column = "Fee"
"""

EXPORT = """\
Code;Course name;Delivery;Fee
A1;Welding basics;Campus;450
A2;Spreadsheets at work;Zoom;abc
"""


def run(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ, MICROCRED_DATA_DIR=str(data_dir), **env)
    return subprocess.run(
        [sys.executable, "-m", "microcred.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "acme.toml").write_text(PROFILE, encoding="utf-8")
    (tmp_path / "export.csv").write_text(EXPORT, encoding="utf-8")
    return tmp_path / "acme.toml", tmp_path / "export.csv"


def test_import_reads_a_profile_from_a_path(tmp_path: Path, files) -> None:
    profile, export = files
    result = run(
        tmp_path / "data",
        "import",
        "--provider",
        "acme",
        "--name",
        "ACME",
        "--format",
        f"profile:{profile}",
        str(export),
    )
    assert result.returncode == 0, result.stderr
    assert "records 2: accepted 2" in result.stdout
    assert "price" in result.stdout  # 'abc' is no price: said, not dropped silently


def test_import_dry_run_stores_nothing(tmp_path: Path, files) -> None:
    profile, export = files
    data = tmp_path / "data"
    run(
        data,
        "import",
        "--provider",
        "acme",
        "--name",
        "ACME",
        "--dry-run",
        "--format",
        f"profile:{profile}",
        str(export),
    )
    result = run(
        data,
        "import",
        "--provider",
        "acme",
        "--dry-run",
        "--format",
        f"profile:{profile}",
        str(export),
    )
    assert result.returncode == 0, result.stderr
    assert "dry run" in result.stdout and "created 2" in result.stdout


def test_a_broken_profile_names_file_key_and_line(tmp_path: Path, files) -> None:
    profile, export = files
    profile.write_text(PROFILE.replace('column = "Course name"', 'colum = "Course name"'))
    result = run(
        tmp_path / "data",
        "import",
        "--provider",
        "acme",
        "--name",
        "ACME",
        "--format",
        f"profile:{profile}",
        str(export),
    )
    assert result.returncode != 0
    assert str(profile) in result.stderr
    assert (
        "fields.title.colum (line 14): not a profile key; did you mean 'column'?" in result.stderr
    )


def test_profiles_folder_from_settings(tmp_path: Path, files) -> None:
    profile, export = files
    folder = tmp_path / "my-profiles"
    folder.mkdir()
    profile.rename(folder / "acme.toml")
    result = run(
        tmp_path / "data",
        "import",
        "--provider",
        "acme",
        "--name",
        "ACME",
        "--format",
        "profile:acme",
        str(export),
        MICROCRED_PROFILES_DIR=str(folder),
    )
    assert result.returncode == 0, result.stderr
    listed = run(tmp_path / "data", "profiles", "list", MICROCRED_PROFILES_DIR=str(folder))
    assert "profile:acme" in listed.stdout and "profile:edx" in listed.stdout


def test_profiles_check_prints_each_field_and_every_issue(tmp_path: Path, files) -> None:
    profile, export = files
    result = run(tmp_path / "data", "profiles", "check", str(profile), str(export))
    assert result.returncode == 0, result.stdout
    out = result.stdout
    assert "profile 'acme': valid" in out
    assert "line 2 (id A1)" in out and "line 3 (id A2)" in out
    assert 'mode <- Delivery: "in person"' in out and '= "in_person"' in out
    assert 'price <- Fee: "abc"' in out
    assert "WARNING price" in out  # the unreadable fee, with the record it is in


def test_folder_profile_must_be_named_by_its_file(tmp_path: Path) -> None:
    (tmp_path / "other.toml").write_text(PROFILE, encoding="utf-8")
    with pytest.raises(MappingProfileError, match="named by its file name"):
        ProfileLibrary(tmp_path).find("other")


def test_unknown_profile_lists_what_there_is(tmp_path: Path) -> None:
    with pytest.raises(UnknownProfileError, match="edx"):
        ProfileLibrary(tmp_path).find("nope")


def test_a_request_may_not_name_a_profile_file(tmp_path: Path, files) -> None:
    profile, _ = files
    readers = ProfileLibrary(tmp_path).readers(allow_paths=True)
    assert readers.check_format(f"profile:{profile}") == f"profile:{profile}"
    with pytest.raises(FeedFormatError, match="for the command line"):
        readers.check_format(f"profile:{profile}", allow_paths=False)


@pytest.mark.parametrize(
    ("loc", "line"),
    [
        (("name",), 1),
        (("source", "delimiter"), 5),
        (("fields", "title", "column"), 14),
        (("fields", "mode", "value_map", "Zoom"), 18),
        (("fields", "mode"), 16),
        (("fields", "title", "nothing"), 13),
        (("absent",), None),
    ],
)
def test_key_line(loc: tuple[str, ...], line: int | None) -> None:
    assert key_line(PROFILE, loc) == line


def test_the_readme_documents_every_profile_key() -> None:
    from normaliser.readers.profiles import (
        Defaults,
        FieldRule,
        IdRule,
        MappingProfile,
        RecordRule,
        SourceSpec,
    )

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Mapping profiles") : readme.index("## Crawling")]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    tables = {
        "": MappingProfile,
        "[source] ": SourceSpec,
        "[id] ": IdRule,
        "[records] ": RecordRule,
        "[defaults] ": Defaults,
        "[fields.F] ": FieldRule,
    }
    missing = []
    for prefix, model in tables.items():
        keys = set(model.model_fields) - (
            {"source", "id", "records", "defaults", "fields"} if model is MappingProfile else set()
        )
        for key in keys:
            documented = [
                row for row in rows if row.startswith(f"| `{prefix}{key}`") or f"+ `{key}`" in row
            ]
            # each row ends with an example cell holding the key
            if not documented or f"{key} =" not in documented[0].rsplit("|", 2)[-2]:
                missing.append(f"{prefix}{key}")
    assert not missing, f"README's profile key table lacks (or has no example for): {missing}"

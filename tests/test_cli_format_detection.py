"""The CLI's format choice (microcred/cli/feeds.py, `import`): a `.json` file is detected from its
bytes, so a CTDL or ELM JSON-LD record saved as `.json` is read by its own reader."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import FIXTURES
from tests.test_cli import run


def test_json_ld_saved_as_json_is_read_by_its_own_reader(tmp_path: Path) -> None:
    ctdl = tmp_path / "course.json"
    shutil.copy(FIXTURES / "ctdl" / "single-course.json", ctdl)
    elm = tmp_path / "claims.json"
    shutil.copy(FIXTURES / "elm_jsonld" / "credential-claims.json", elm)
    data_dir = tmp_path / "data"
    first = run(
        data_dir,
        "import",
        "--provider",
        "harbourview",
        "--name",
        "Harbourview",
        "--country",
        "US",
        "--currency",
        "USD",
        str(ctdl),
    )
    assert first.returncode == 0, first.stdout + first.stderr
    assert "records 1: accepted 1, rejected 0" in first.stdout
    assert "ceterms:dateEffective" in first.stdout  # read by the CTDL reader, not feed v1
    second = run(data_dir, "import", "--provider", "harbourview", "--mode", "delta", str(elm))
    assert second.returncode == 0, second.stdout + second.stderr
    assert "records 1: accepted 1, rejected 0" in second.stdout

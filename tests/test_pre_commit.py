"""The pre-commit hooks: ruff's linter and formatter, at a pinned ruff release."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

CONFIG = Path(__file__).resolve().parent.parent / ".pre-commit-config.yaml"


def test_the_ruff_hooks_check_and_format_at_a_pinned_release():
    repos = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["repos"]
    (ruff,) = [r for r in repos if r["repo"] == "https://github.com/astral-sh/ruff-pre-commit"]
    assert [hook["id"] for hook in ruff["hooks"]] == ["ruff-check", "ruff-format"]
    # A tag, not a branch: every developer's hook runs the same ruff.
    assert re.fullmatch(r"v\d+\.\d+\.\d+", ruff["rev"]), ruff["rev"]

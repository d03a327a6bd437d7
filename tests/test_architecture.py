"""The dependency direction of DESIGN.md, checked on every import statement."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
OURS = {"normaliser", "catalogue", "crawlers", "search_api", "microcred"}
ALLOWED = {
    "normaliser": {"normaliser"},
    "catalogue": {"catalogue", "normaliser"},
    "crawlers": {"crawlers", "catalogue", "normaliser"},
    "search_api": {"search_api", "catalogue", "normaliser"},
    "microcred": OURS,
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_packages_import_only_downwards(package):
    files = sorted((REPO / package).rglob("*.py"))
    assert files, f"no modules in {package}"
    wrong = {str(f.relative_to(REPO)): sorted(imported_packages(f) - ALLOWED[package])
             for f in files if imported_packages(f) - ALLOWED[package]}
    assert wrong == {}

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
    wrong = {
        str(f.relative_to(REPO)): sorted(imported_packages(f) - ALLOWED[package])
        for f in files
        if imported_packages(f) - ALLOWED[package]
    }
    assert wrong == {}


# Route modules: one router each, small enough to read in one sitting (issue 13).
ROUTE_MODULES = sorted(
    [*(REPO / "search_api" / "routers").glob("*.py"), *(REPO / "search_api" / "pages").glob("*.py")]
)
MAX_ROUTE_MODULE_LINES = 300


def test_route_modules_stay_short():
    assert len(ROUTE_MODULES) >= 10
    long = {
        str(p.relative_to(REPO)): n
        for p in ROUTE_MODULES
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_ROUTE_MODULE_LINES
    }
    assert long == {}


def test_no_route_is_a_closure_in_a_factory():
    """Routes are declared on module-level routers and get what they need as dependencies."""
    closures = []
    for path in ROUTE_MODULES + [REPO / "search_api" / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = [
                    n
                    for n in ast.walk(node)
                    if n is not node
                    and isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and any(
                        isinstance(d, ast.Call)
                        and isinstance(d.func, ast.Attribute)
                        and d.func.attr in ("get", "post", "put", "delete")
                        for d in n.decorator_list
                    )
                ]
                closures += [f"{path.relative_to(REPO)}:{n.name}" for n in inner]
    assert closures == []

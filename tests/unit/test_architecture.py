"""The layers hold: a pure core, I/O at the edges, click only in the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "visitplanner"
CORE = ("model", "workdays", "rules", "planner", "cover", "tags", "timeslots", "verify",
        "outcomes", "shortfalls", "due", "explain", "policy/__init__", "policy/model",
        "policy/spec", "policy/load", "policy/describe")
EDGES = ("visitplanner.cli", "visitplanner.publish", "visitplanner.workspace",
         "visitplanner.settings", "visitplanner.planstore", "visitplanner.csvsheet",
         "visitplanner.visit_rows", "visitplanner.devserver", "visitplanner.usecases")
CLOCK_AND_ENVIRONMENT = {("datetime", "now"), ("datetime", "today"), ("date", "today"),
                         ("time", "time"), ("os", "environ"), ("os", "getenv")}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def attribute_reads(path: Path) -> set[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {(node.value.id, node.attr) for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)}


@pytest.mark.parametrize("module", CORE)
def test_the_core_imports_nothing_from_the_edges(module: str) -> None:
    found = imports(PACKAGE / f"{module}.py")
    assert [m for m in found if m.startswith(EDGES) or m == "click"] == []


@pytest.mark.parametrize("module", CORE)
def test_the_core_never_reads_the_clock_or_the_environment(module: str) -> None:
    assert attribute_reads(PACKAGE / f"{module}.py") & CLOCK_AND_ENVIRONMENT == set()


def test_only_the_cli_imports_click() -> None:
    outside = [p.relative_to(PACKAGE) for p in PACKAGE.rglob("*.py")
               if "cli" not in p.relative_to(PACKAGE).parts and "click" in imports(p)]
    assert outside == []


def test_every_core_module_is_listed_here() -> None:
    listed = {f"{m}.py" for m in CORE}
    edge_files = {"cli", "publish", "workspace.py", "settings.py", "planstore.py",
                  "csvsheet.py", "visit_rows.py", "devserver.py", "usecases.py", "fsutil.py",
                  "errors.py", "__init__.py", "__main__.py"}
    top = {str(p.relative_to(PACKAGE)) for p in PACKAGE.glob("*.py")} | \
        {str(p.relative_to(PACKAGE)) for p in (PACKAGE / "policy").glob("*.py")}
    assert sorted(top - listed - edge_files) == []


def test_the_clock_check_finds_the_one_clock_reading_in_the_cli() -> None:
    # The detector is real: the CLI reads the clock (today's date) and it is found there.
    assert ("datetime", "now") in attribute_reads(PACKAGE / "cli" / "due.py")

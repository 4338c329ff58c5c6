"""The report package is pure core, and matplotlib is imported only to draw the HTML charts."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "visitplanner" / "report"
EXAMPLE = ROOT / "examples" / "camden"
#: What the report's modules may import from visitplanner: the pure core, and themselves.
CORE = ("visitplanner.core.model", "visitplanner.core.history", "visitplanner.core.rules",
        "visitplanner.core.policy", "visitplanner.core.workdays", "visitplanner.report")
#: Names that read the clock or the environment.
CLOCK = frozenset({"now", "today", "utcnow", "environ", "getenv", "time", "monotonic",
                   "perf_counter"})


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module or "")
    return found


MODULES = sorted(PACKAGE.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_a_report_module_imports_only_the_pure_core(path: Path) -> None:
    ours = {m for m in imports(path) if m.startswith("visitplanner")}
    assert sorted(m for m in ours if not m.startswith(CORE)) == []
    assert "click" not in imports(path)


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_a_report_module_never_reads_the_clock_or_the_environment(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    read = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert sorted(read & CLOCK) == []
    assert not imports(path) & {"os", "time"}


def test_only_the_charts_import_matplotlib() -> None:
    assert [p.name for p in MODULES if any(m.startswith("matplotlib") for m in imports(p))] == [
        "charts.py"]


def modules_after(*argv: str) -> set[str]:
    code = ("import contextlib, io, json, sys\nfrom visitplanner.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    try:\n"
            f"        main({list(argv)!r})\n    except SystemExit as exit_:\n"
            "        assert not exit_.code, exit_.code\nprint(json.dumps(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_the_report_without_html_never_imports_matplotlib() -> None:
    modules = modules_after("-w", str(EXAMPLE), "report", "--from", "2026-11-01", "--to",
                            "2026-11-22", "--csv")
    assert "visitplanner.report.measures" in modules  # the command did run
    assert not any(m == "matplotlib" or m.startswith("matplotlib.") for m in modules)

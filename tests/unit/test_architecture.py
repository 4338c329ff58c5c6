"""The layers hold: a pure core, I/O at the edges, click only in the CLI.

The checks read source with :mod:`ast` and resolve every name to what it is bound
to, so an import or a clock reading is found whichever way it is spelt: absolute or
relative, a module or a name from it, under an alias, or looked up by string.  The
same functions check the real modules and the planted violations further down,
which prove that the checks can fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "visitplanner"
CORE = (*(f"core/{m}" for m in (
            "__init__", "model", "workdays", "rules", "history", "partition", "cover", "tags",
            "timeslots", "verify", "outcomes", "shortfalls", "due", "explain", "guards",
            "compare", "collector", "values")),
        *(f"core/policy/{m}" for m in ("__init__", "model", "spec", "load", "describe")),
        *(f"core/planning/{m}" for m in ("__init__", "state", "needs", "reconcile", "placement",
                                          "visits", "finish", "engine", "away", "notice",
                                          "tasks")),
        "decisions/model", "decisions/overlay", "decisions/preview", "decisions/check")
#: The layers at the edges (the workspace's files, publishing, the desk, the CLI) and the
#: libraries only they may use.
EDGES = ("visitplanner.cli", "visitplanner.publish", "visitplanner.inputs",
         "visitplanner.usecases", "visitplanner.jobs", "visitplanner.decisions.store",
         "visitplanner.decisions.location", "visitplanner.desk", "sqlalchemy", "flask", "click")
#: Fully qualified names that read the clock or the environment.  A name that ends in one
#: of them counts too: the last four are the class methods as written, for a ``datetime``
#: or ``date`` that came in some other way (``from visitplanner.core.model import datetime``).
CLOCK_AND_ENVIRONMENT = frozenset({
    "datetime.datetime.now", "datetime.datetime.today", "datetime.datetime.utcnow",
    "datetime.date.today",
    "time.time", "time.time_ns", "time.monotonic", "time.monotonic_ns", "time.perf_counter",
    "time.perf_counter_ns", "time.localtime", "time.gmtime", "time.ctime", "time.asctime",
    "os.environ", "os.environb", "os.getenv", "os.getenvb",
    "datetime.now", "datetime.today", "datetime.utcnow", "date.today"})
DYNAMIC_IMPORTS = frozenset({"importlib.import_module", "__import__"})


# ---------------------------------------------------------------- the checker


def source_of(module: str) -> str:
    """The text of a package module named as in CORE (``"rules"``, ``"policy/model"``)."""
    return (PACKAGE / f"{module}.py").read_text(encoding="utf-8")


def package_of(module: str) -> str:
    """The package a module's relative imports start from: its folder, dotted."""
    return ".".join(("visitplanner", *Path(module).parent.parts))


def absolute(node: ast.ImportFrom, package: str) -> str:
    """The module a ``from ... import`` names, with a relative one resolved from ``package``."""
    if node.level == 0:
        return node.module or ""
    parts = package.split(".")
    base = parts[:len(parts) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def bound_by_import(alias: ast.alias) -> tuple[str, str]:
    """The name ``import a.b`` binds (``a``, the top package) or ``import a.b as x`` binds
    (``x``, standing for ``a.b``)."""
    if alias.asname:
        return alias.asname, alias.name
    top = alias.name.partition(".")[0]
    return top, top


def bindings(tree: ast.AST, package: str) -> dict[str, str]:
    """Each name an import binds, anywhere in the module, mapped to what it stands for."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            bound |= dict(bound_by_import(alias) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            origin = absolute(node, package)
            bound |= {alias.asname or alias.name: f"{origin}.{alias.name}"
                      for alias in node.names if alias.name != "*"}
    return bound


def qualified(node: ast.AST, bound: dict[str, str]) -> str | None:
    """A name or attribute chain in full (``datetime.now`` -> ``datetime.datetime.now``
    after ``from datetime import datetime``); None for anything else (a call's result)."""
    if isinstance(node, ast.Name):
        return bound.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        owner = qualified(node.value, bound)
        return f"{owner}.{node.attr}" if owner else None
    return None


def string_argument(call: ast.Call, index: int) -> str | None:
    """The call's ``index``-th positional argument when it is a string literal."""
    arg = call.args[index] if len(call.args) > index else None
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def looked_up(node: ast.AST, bound: dict[str, str]) -> str | None:
    """``getattr(os, "environ")`` as the name it reads (``os.environ``); None otherwise."""
    if not (isinstance(node, ast.Call) and node.args and
            qualified(node.func, bound) == "getattr"):
        return None
    owner, attr = qualified(node.args[0], bound), string_argument(node, 1)
    return f"{owner}.{attr}" if owner and attr else None


def imported_modules(source: str, module: str) -> set[str]:
    """Every module the source imports, relative ones resolved; ``from m import n`` counts
    both ``m`` and ``m.n`` (``n`` may be a submodule), and so do string imports."""
    tree = ast.parse(source)
    bound = bindings(tree, package_of(module))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            origin = absolute(node, package_of(module))
            found |= {origin} | {f"{origin}.{a.name}" for a in node.names if a.name != "*"}
        elif isinstance(node, ast.Call) and qualified(node.func, bound) in DYNAMIC_IMPORTS:
            found |= {name for name in [string_argument(node, 0)] if name}
    return found


def is_edge(name: str) -> bool:
    return any(name == edge or name.startswith(f"{edge}.") for edge in EDGES)


def edge_imports(source: str, module: str) -> list[str]:
    """The edge modules (I/O, settings, click) that the source imports, sorted."""
    return sorted(m for m in imported_modules(source, module) if is_edge(m))


def names_read(source: str, module: str) -> set[str]:
    """Every name the source refers to, in full: names, attribute chains, names imported
    from a module, ``getattr`` with a literal name, and ``m.*`` for ``from m import *``."""
    tree = ast.parse(source)
    bound = bindings(tree, package_of(module))
    found = {qualified(node, bound) or looked_up(node, bound) for node in ast.walk(tree)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            origin = absolute(node, package_of(module))
            found |= {f"{origin}.{alias.name}" for alias in node.names}
    return {name for name in found if name}


def reads_the_clock_or_environment(name: str) -> bool:
    if name.endswith(".*"):
        return any(f.startswith(name[:-1]) for f in CLOCK_AND_ENVIRONMENT)
    return any(name == f or name.endswith(f".{f}") for f in CLOCK_AND_ENVIRONMENT)


def clock_and_environment_reads(source: str, module: str) -> list[str]:
    """The names in the source that read the clock or the environment, sorted."""
    return sorted(n for n in names_read(source, module) if reads_the_clock_or_environment(n))


# ---------------------------------------------------------------- the real package


@pytest.mark.parametrize("module", CORE)
def test_the_core_imports_nothing_from_the_edges(module: str) -> None:
    assert edge_imports(source_of(module), module) == []


@pytest.mark.parametrize("module", CORE)
def test_the_core_never_reads_the_clock_or_the_environment(module: str) -> None:
    assert clock_and_environment_reads(source_of(module), module) == []


def test_only_the_cli_imports_click() -> None:
    outside = [p.relative_to(PACKAGE) for p in PACKAGE.rglob("*.py")
               if "cli" not in p.relative_to(PACKAGE).parts and any(
                   m == "click" or m.startswith("click.") for m in imported_modules(
                       p.read_text(encoding="utf-8"),
                       str(p.relative_to(PACKAGE).with_suffix(""))))]
    assert outside == []


def test_every_core_module_is_listed_here() -> None:
    listed = {f"{m}.py" for m in CORE}
    # Not in the core: the layers at the edges (folders), and what ties the layers together.
    edge_folders = ("cli", "publish", "inputs", "desk", "report")
    edge_files = {"usecases.py", "errors.py", "jobs.py", "reporting.py", "__init__.py",
                  "__main__.py", "decisions/__init__.py", "decisions/store.py",
                  "decisions/tables.py", "decisions/location.py"}
    found = {str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
             if p.relative_to(PACKAGE).parts[0] not in edge_folders
             and "migrations" not in p.parts and "bundled" not in p.parts}
    assert sorted(found - listed - edge_files) == []


def test_the_folders_show_the_layers() -> None:
    # A newcomer sees the architecture from the folder list: no module outside a layer but
    # those that tie the layers together.
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "errors.py", "jobs.py", "reporting.py",
                     "usecases.py"]
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"} == \
        {"core", "inputs", "publish", "report", "decisions", "desk", "cli"}


def test_the_clock_check_finds_the_one_clock_reading_in_the_cli() -> None:
    # The detector is real: the CLI reads the clock (today's date) and it is found there.
    assert "datetime.datetime.now" in clock_and_environment_reads(source_of("cli/due"),
                                                                  "cli/due")


# ---------------------------------------------------------------- planted violations

#: Source planted in a core module (as the module named), and the edge import it makes.
PLANTED_IMPORTS = [
    ("core/rules", "import visitplanner.inputs.settings", "visitplanner.inputs.settings"),
    ("core/rules", "import visitplanner.inputs.settings as s", "visitplanner.inputs.settings"),
    ("core/rules", "import visitplanner.publish.ics", "visitplanner.publish.ics"),
    ("core/rules", "from visitplanner.inputs import settings", "visitplanner.inputs.settings"),
    ("core/rules", "from visitplanner import model, cli", "visitplanner.cli"),
    ("core/rules", "from visitplanner.inputs.settings import load_settings",
     "visitplanner.inputs.settings"),
    ("core/rules", "from visitplanner.publish.ics import calendar", "visitplanner.publish.ics"),
    ("core/rules", "from ..inputs import settings", "visitplanner.inputs.settings"),
    ("core/rules", "from ..inputs.settings import load_settings", "visitplanner.inputs.settings"),
    ("core/rules", "from .. import inputs", "visitplanner.inputs"),
    ("core/rules", "from ..publish import ics", "visitplanner.publish"),
    ("core/policy/model", "from ...publish import ics", "visitplanner.publish"),
    ("core/policy/model", "from ...inputs import workspace", "visitplanner.inputs.workspace"),
    ("core/policy/__init__", "from ...cli import main", "visitplanner.cli"),
    ("core/rules", "def f():\n    from visitplanner import usecases", "visitplanner.usecases"),
    ("core/rules", "import click", "click"),
    ("core/rules", "from click import echo", "click"),
    ("core/rules", "import click.testing", "click.testing"),
    ("core/rules", "import importlib\nimportlib.import_module('visitplanner.inputs.settings')",
     "visitplanner.inputs.settings"),
    ("core/rules", "from importlib import import_module\nimport_module('visitplanner.cli')",
     "visitplanner.cli"),
    ("core/rules", "__import__('visitplanner.inputs.planstore')",
     "visitplanner.inputs.planstore"),
]

#: Source planted in a core module, and the clock or environment reading it makes.
PLANTED_READS = [
    ("from datetime import datetime\nx = datetime.now()", "datetime.datetime.now"),
    ("from datetime import datetime\nx = datetime.today()", "datetime.datetime.today"),
    ("from datetime import datetime\nx = datetime.utcnow()", "datetime.datetime.utcnow"),
    ("from datetime import datetime as dt\nx = dt.now()", "datetime.datetime.now"),
    ("import datetime\nx = datetime.datetime.now()", "datetime.datetime.now"),
    ("import datetime as dt\nx = dt.date.today()", "datetime.date.today"),
    ("from datetime import date\nx = date.today()", "datetime.date.today"),
    ("from visitplanner.core.model import datetime\nx = datetime.now()",
     "visitplanner.core.model.datetime.now"),
    ("from dataclasses import field\nfrom datetime import datetime\n"
     "at = field(default_factory=datetime.now)", "datetime.datetime.now"),
    ("import time\nx = time.time()", "time.time"),
    ("from time import time\nx = time()", "time.time"),
    ("from time import time as clock\nx = clock()", "time.time"),
    ("import time\nx = time.monotonic()", "time.monotonic"),
    ("from time import perf_counter", "time.perf_counter"),
    ("import time\nx = time.time_ns()", "time.time_ns"),
    ("import os\nx = os.environ['HOME']", "os.environ"),
    ("import os\nx = os.environ.get('HOME')", "os.environ"),
    ("import os\nx = os.getenv('HOME')", "os.getenv"),
    ("import os as system\nx = system.getenv('HOME')", "os.getenv"),
    ("from os import environ", "os.environ"),
    ("from os import getenv\nx = getenv('HOME')", "os.getenv"),
    ("from os import *", "os.*"),
    ("import os\nx = getattr(os, 'environ')", "os.environ"),
    ("def f():\n    import os\n    return os.environ", "os.environ"),
]

#: Source a core module may hold: dates as values, names like the forbidden ones that are not.
CLEAN = """
from datetime import UTC, date, datetime, time, timedelta
from visitplanner.core import model, workdays
from visitplanner.core.model import Child
from . import policy
from .workdays import WorkingCalendar
import visitplanner.core.rules as rules

NOON = time(12, 0)
day = date.fromisoformat("2026-11-23") + timedelta(days=1)
at = datetime.combine(day, NOON, tzinfo=UTC)
epoch = datetime.fromtimestamp(0, UTC)
environ = {"today": day}
today = environ["today"]
"""


def one_line(case: tuple[str, ...]) -> str:
    return " | ".join(part.replace("\n", "; ") for part in case)


@pytest.mark.parametrize(("module", "planted", "edge"), PLANTED_IMPORTS,
                         ids=[one_line(case) for case in PLANTED_IMPORTS])
def test_the_import_check_finds_a_planted_edge_import(module: str, planted: str,
                                                      edge: str) -> None:
    assert edge in edge_imports(planted, module)


@pytest.mark.parametrize(("planted", "reading"), PLANTED_READS,
                         ids=[one_line(case) for case in PLANTED_READS])
def test_the_clock_check_finds_a_planted_clock_or_environment_reading(planted: str,
                                                                      reading: str) -> None:
    assert reading in clock_and_environment_reads(planted, "core/rules")


def test_both_checks_find_violations_planted_in_a_copy_of_the_real_rules_module() -> None:
    planted = source_of("core/rules") + \
        "\nfrom visitplanner.inputs import settings\nNOW = datetime.now()\n"
    assert edge_imports(planted, "core/rules") == ["visitplanner.inputs",
                                                   "visitplanner.inputs.settings"]
    assert clock_and_environment_reads(planted, "core/rules") == ["datetime.datetime.now"]


@pytest.mark.parametrize("module", ["core/rules", "core/policy/model"])
def test_clean_core_source_passes_both_checks(module: str) -> None:
    assert edge_imports(CLEAN, module) == []
    assert clock_and_environment_reads(CLEAN, module) == []


def test_a_relative_import_in_the_policy_package_is_resolved_from_that_package() -> None:
    assert edge_imports("from ..publish import ics", "core/policy/model") == []
    assert edge_imports("from ...publish import ics", "core/policy/model") == [
        "visitplanner.publish", "visitplanner.publish.ics"]


def test_a_module_whose_name_begins_like_an_edge_is_not_an_edge() -> None:
    assert edge_imports("import visitplanner.clinic\nimport clickhouse", "core/rules") == []

"""Fast start (issue 9): the CLI imports the slow libraries only in the commands that use them.

Each check runs a fresh interpreter (this one has imported everything by now) and reads its
``sys.modules`` afterwards.  A rule, not a timing: the figures are in ``bench/bench_start.py``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "camden"

#: The CalDAV stack (caldav, niquests, urllib3-future, which installs as ``urllib3``) and the
#: iCalendar library: only `publish`, `serve` and `sync` need them.
CALENDAR_STACK = ("caldav", "niquests", "urllib3", "icalendar")
#: What `--help` has no use for either: the web server, holidays and the planning core.
NOT_FOR_HELP = (*CALENDAR_STACK, "waitress", "holidays", "dateutil", "visitplanner.core.planning",
                "visitplanner.inputs.workspace", "visitplanner.core.policy", "visitplanner.publish")

PREAMBLE = "import contextlib, io, json, sys\n"
REPORT = "\nprint(json.dumps(sorted(sys.modules)))\n"


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter (in the repository root) has imported once it has run
    ``code``."""
    done = subprocess.run([sys.executable, "-c", PREAMBLE + code + REPORT], cwd=ROOT,
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    """Which of ``packages`` (or any module inside them) are among ``modules``."""
    return sorted(p for p in packages if any(m == p or m.startswith(f"{p}.") for m in modules))


def run_cli(*args: str) -> str:
    """Code that runs the CLI with ``args``, its output swallowed, as the console script would."""
    return ("from visitplanner.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n"
            f"        main({list(args)!r})\n"
            "    except SystemExit as exit_:\n"
            "        assert not exit_.code, exit_.code\n")


def test_the_checks_see_a_module_that_was_imported() -> None:
    # The check can fail: importing the CalDAV storage brings the whole stack in.
    modules = modules_after("import visitplanner.publish.caldav_storage")
    assert loaded(modules, CALENDAR_STACK) == ["caldav", "icalendar", "niquests", "urllib3"]


def test_importing_the_cli_and_its_commands_imports_no_calendar_library() -> None:
    modules = modules_after("import visitplanner.cli, visitplanner.cli.plan, "
                            "visitplanner.cli.sync, visitplanner.cli.publish, "
                            "visitplanner.cli.serve, visitplanner.cli.due, "
                            "visitplanner.cli.policy")
    assert "visitplanner.cli.plan" in modules
    assert loaded(modules, CALENDAR_STACK) == []


def test_help_imports_neither_the_calendar_libraries_nor_the_planner() -> None:
    modules = modules_after(run_cli("--help"))
    assert "click" in modules
    assert loaded(modules, NOT_FOR_HELP) == []


@pytest.mark.parametrize("command", [("plan", "--from", "2026-11-23", "--force"),
                                     ("due", "--on", "2026-11-23")])
def test_commands_that_publish_nothing_import_no_calendar_library(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    workspace = tmp_path / "camden"
    shutil.copytree(EXAMPLE, workspace,
                    ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
    modules = modules_after(run_cli("-w", str(workspace), *command))
    assert "visitplanner.inputs.workspace" in modules  # the command did run
    assert loaded(modules, CALENDAR_STACK) == []


#: The desk's database libraries: a workspace with no desk database has no decisions to read.
DATABASE_STACK = ("sqlalchemy", "alembic", "argon2")


def test_plan_without_a_desk_database_imports_no_database_library(tmp_path: Path) -> None:
    workspace = tmp_path / "camden"
    shutil.copytree(EXAMPLE, workspace,
                    ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
    modules = modules_after(run_cli("-w", str(workspace), "plan", "--from", "2026-11-23",
                                    "--force", "--no-keep"))
    assert "visitplanner.core.planning" in modules  # the plan was made
    assert loaded(modules, DATABASE_STACK) == []


def test_the_database_check_sees_the_store_once_imported() -> None:
    # The check above can fail: opening the desk's store brings SQLAlchemy and Alembic in.
    modules = modules_after("import visitplanner.decisions.store")
    assert loaded(modules, DATABASE_STACK) == ["alembic", "argon2", "sqlalchemy"]


def test_policy_show_imports_no_calendar_library() -> None:
    modules = modules_after(run_cli("policy", "show", "camden"))
    assert "visitplanner.core.policy.describe" in modules
    assert loaded(modules, CALENDAR_STACK) == []


def test_plan_still_reads_the_worker_edits_through_the_publish_package() -> None:
    # `plan` imports visitplanner.publish (for the worker edits) but not its iCalendar side,
    # which the package hands out on first use.
    modules = modules_after("import visitplanner.publish.syncstatus\n"
                            "assert 'icalendar' not in sys.modules\n"
                            "from visitplanner.publish import build_documents\n"
                            "assert build_documents.__module__ == 'visitplanner.publish.ics'\n")
    assert "icalendar" in modules


def test_reading_a_workspace_leaves_the_bank_holidays_unread_until_a_working_day_is_asked() -> None:
    # sync and publish read the workspace (and its calendar) but count no working day.
    read = ("from pathlib import Path\nfrom visitplanner.inputs.workspace import load_workspace\n"
            f"ws = load_workspace(Path({str(EXAMPLE)!r}))\n")
    assert loaded(modules_after(read), ("holidays",)) == []
    asked = read + "import datetime\nws.calendar.is_working_day(datetime.date(2026, 12, 25))\n"
    assert loaded(modules_after(asked), ("holidays",)) == ["holidays"]

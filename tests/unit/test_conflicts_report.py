"""Conflicts for people (issue 10): each names the visit, its day, the worker and the rule a
rejected move breaks, or "deleted by the worker"; and the sync state keeps them."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from visitplanner.cli import cli
from visitplanner.core.model import LONDON, PlannedVisit, Reason, VisitKind
from visitplanner.publish.syncstatus import (
    ConflictKind,
    SyncConflict,
    SyncStatus,
    broken_rule,
    describe_conflict,
    describe_conflicts,
)

DUE = date(2026, 11, 27)
CADENCE = Reason("cp-cadence", "CAM-0014", DUE, "camden, 3", "visit at least every 7 days")
LATER = Reason("cp-network", "CAM-0014", date(2026, 11, 29), "camden, 3", "every 10 days")


def visit(reasons: tuple[Reason, ...] = (LATER, CADENCE), due_by: date = DUE) -> PlannedVisit:
    start = datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)
    return PlannedVisit("v-0123456789ab", "H-0014", ("CAM-0014",), start, start, "sw.osei",
                        "camden-west", VisitKind.ROUTINE, True, (), due_by, reasons)


def conflict(kind: ConflictKind, worker_start: str = "", calendar: str = "sw.osei"
             ) -> SyncConflict:
    return SyncConflict(calendar, "v-0123456789ab@visitplanner", kind, worker_start,
                        "2026-11-24T08:00:00+00:00", "plan-a")


# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(("moved_to", "rule"), [
    (date(2026, 11, 26), None),          # before the due day: no deadline broken
    (DUE, None),                         # on it (due_by is inclusive)
    (date(2026, 11, 28), "cp-cadence"),  # after it: the earliest deadline's rule
    (date(2026, 12, 9), "cp-cadence"),   # far after it: still the earliest, not every rule
])
def test_a_move_past_the_due_day_breaks_the_rule_with_the_earliest_deadline(
        moved_to: date, rule: str | None) -> None:
    found = broken_rule(visit(), moved_to)
    assert (found.rule_id if found else None) == rule


def test_a_rejected_move_names_the_day_the_rule_and_where_the_visit_went_back() -> None:
    report = describe_conflict(conflict("rejected", "2026-12-02T09:00:00"), visit())
    assert (report.visit, report.day, report.worker, report.kind, report.rule, report.is_open) \
        == ("v-0123456789ab", "2026-11-25", "sw.osei", "rejected", "cp-cadence", True)
    assert report.text() == (
        "v-0123456789ab on 2026-11-25, sw.osei: moved by the worker to 2026-12-02, after the "
        "visit is due (2026-11-27): breaks rule cp-cadence: visit at least every 7 days; put "
        "back on 2026-11-25")


def test_a_rejected_move_inside_the_window_names_no_rule_but_says_why_it_went_back() -> None:
    report = describe_conflict(conflict("rejected", "2026-11-26T09:00:00"), visit())
    assert report.rule == ""
    assert "not a day the plan can keep" in report.what and "put back on 2026-11-25" in report.what


def test_a_deleted_visit_is_named_deleted_by_the_worker() -> None:
    report = describe_conflict(conflict("deleted"), visit())
    assert report.text() == ("v-0123456789ab on 2026-11-25, sw.osei: deleted by the worker; "
                             "put back in their calendar (the plan still has it)")


def test_a_held_move_says_which_rule_it_would_break_and_is_not_open() -> None:
    report = describe_conflict(conflict("moved", "2026-12-02T09:00:00"), visit())
    assert not report.is_open and report.rule == "cp-cadence"
    assert "would break rule cp-cadence" in report.what
    assert "kept until `visitplanner plan` has judged the move" in report.what


def test_an_edit_in_a_team_calendar_names_the_worker_and_the_calendar() -> None:
    report = describe_conflict(conflict("deleted", calendar="team-camden-west"), visit())
    assert report.text().startswith("v-0123456789ab on 2026-11-25, sw.osei, in calendar "
                                    "team-camden-west: deleted by the worker")


def test_a_conflict_the_plan_no_longer_has_is_named_by_its_calendar() -> None:
    report = describe_conflict(conflict("deleted"), None)
    assert (report.day, report.worker) == ("", "sw.osei")
    assert report.text().startswith("v-0123456789ab on an unknown day, sw.osei: ")


def test_a_report_holds_no_case_reference_and_open_conflicts_come_first() -> None:
    reports = describe_conflicts(
        [conflict("moved", "2026-11-26T09:00:00"), conflict("deleted", calendar="sw.a")],
        {"v-0123456789ab": visit()})
    assert [(r.kind, r.is_open) for r in reports] == [("deleted", True), ("moved", False)]
    assert not any("CAM-0014" in r.text() for r in reports)


# --------------------------------------------------------------------------- kept between runs


def test_conflicts_are_kept_in_the_sync_state_between_runs(tmp_path: Path) -> None:
    status = SyncStatus.open(tmp_path)
    status.put_conflict(conflict("deleted"))
    status.put_conflict(conflict("moved", "2026-11-26T09:00:00", calendar="sw.a"))
    status.close()
    reopened = SyncStatus.open(tmp_path)
    assert reopened.conflicts() == [conflict("moved", "2026-11-26T09:00:00", calendar="sw.a"),
                                    conflict("deleted")]
    assert [c.is_open for c in reopened.conflicts("sw.osei")] == [True]
    reopened.remove_conflict("sw.osei", "v-0123456789ab@visitplanner")
    assert reopened.conflict("sw.osei", "v-0123456789ab@visitplanner") is None
    reopened.close()


def test_a_sync_state_kept_before_conflicts_existed_gains_the_table(tmp_path: Path) -> None:
    folder = tmp_path / ".visitplanner"
    folder.mkdir()
    old = sqlite3.connect(folder / "sync.sqlite")
    old.execute("CREATE TABLE calendars (calendar TEXT PRIMARY KEY, token TEXT, "
                "syncs_since_full INTEGER NOT NULL DEFAULT 0, "
                "collection_checked INTEGER NOT NULL DEFAULT 0)")
    old.commit()
    old.close()
    status = SyncStatus.open(tmp_path)
    assert status.conflicts() == []
    status.close()


# --------------------------------------------------------------------------- the command


def run_conflicts(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["-w", str(root), "conflicts", *args])
    return result.exit_code, result.output


def test_conflicts_in_a_workspace_never_synced_lists_none_and_writes_nothing(
        tmp_path: Path) -> None:
    assert run_conflicts(tmp_path) == (0, "No conflicts: every worker's calendar holds the "
                                          "plan.\n")
    code, out = run_conflicts(tmp_path, "--json")
    assert code == 0 and json.loads(out) == {"open": 0, "conflicts": []}
    assert list(tmp_path.iterdir()) == []


def test_conflicts_lists_open_ones_first_then_held_ones(tmp_path: Path) -> None:
    status = SyncStatus.open(tmp_path)
    status.put_conflict(conflict("moved", "2026-11-26T09:00:00", calendar="sw.a"))
    status.put_conflict(conflict("deleted"))
    status.close()
    code, out = run_conflicts(tmp_path)  # no plan kept: the visits' days are not known
    assert code == 0
    assert out.splitlines() == [
        "1 open conflict: the plan was put back over a worker's edit (sync exits 8 for it "
        "once; for a rejected move, until the first sync after the next `visitplanner plan`):",
        "  deleted: v-0123456789ab on an unknown day, sw.osei: deleted by the worker; put back "
        "in their calendar (the plan still has it)",
        "1 worker edit held until the planner has judged:",
        "  moved: v-0123456789ab on an unknown day, sw.a: moved by the worker to 2026-11-26; "
        "their version is kept until `visitplanner plan` has judged the move",
    ]
    report = json.loads(run_conflicts(tmp_path, "--json")[1])
    assert report["open"] == 1
    assert [(c["kind"], c["is_open"], c["calendar"]) for c in report["conflicts"]] == [
        ("deleted", True, "sw.osei"), ("moved", False, "sw.a")]


def test_conflicts_imports_no_calendar_library(tmp_path: Path) -> None:
    code = ("import sys\nfrom visitplanner.cli import main\n"
            f"try:\n    main(['-w', {str(tmp_path)!r}, 'conflicts'])\n"
            "except SystemExit as stop:\n    assert not stop.code\n"
            "print(sorted(m for m in ('icalendar', 'caldav', 'niquests') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.splitlines()[-1] == "[]"

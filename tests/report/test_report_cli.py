"""`visitplanner report` on a one-child Camden workspace built in a temporary folder.

The history is the one of ``test_report_measures``: cin-cadence (15 working days, day 0) is
due Tue 12 May 2026 (from the plan's start, Mon 20 Apr; Mon 4 May is a bank holiday), met that
day; due Wed 3 Jun (Mon 25 May off), met that day; due Wed 24 Jun, a not-seen visit on 22 Jun
counts for nothing, met late on Fri 26 Jun; then due Fri 17 Jul.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from visitplanner.cli import cli, main
from visitplanner.core.model import LONDON, ChildChecks, PlannedVisit, Schedule, VisitKind
from visitplanner.inputs.planstore import save_schedule

SETTINGS = '[workspace]\npolicy = "camden"\nholiday_region = "ENG"\nprivacy = "standard"\n'
WORKERS = ("worker_id,name,email,team,role\n"
           "sw.one,Test Worker One,one@example.org,north,social_worker\n")
CHILDREN = ("case_ref,household,name,date_of_birth,plan_type,plan_start,allocated_worker\n"
            "REP-T001,REP-H1,Test Child,2016-05-10,CIN,2026-04-20,sw.one\n")
VISITS = """visit_id,date,time,worker_id,case_refs,announced,outcome,seen_alone,bedroom_seen,checks
V1,2026-05-12,10:00,sw.one,REP-T001,yes,completed,REP-T001,REP-T001,household_changes
V2,2026-06-03,10:00,sw.one,REP-T001,yes,completed,REP-T001,,household_changes
V3,2026-06-22,10:00,sw.one,REP-T001,yes,not_seen,,,
V4,2026-06-26,10:00,sw.one,REP-T001,yes,completed,REP-T001,,household_changes
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    for name, text in (("visitplanner.toml", SETTINGS), ("workers.csv", WORKERS),
                       ("children.csv", CHILDREN), ("visits.csv", VISITS)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["-w", str(root), "report", *args])


def run_main(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run as the console script does (user errors become messages and exit codes)."""
    with pytest.raises(SystemExit) as exit_:
        main(["-w", str(root), "report", *args])
    assert isinstance(exit_.value.code, int)
    return exit_.value.code, capsys.readouterr().err


def report_json(root: Path, *args: str) -> dict[str, Any]:
    result = run(root, "--json", *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def visits_figures(data: dict[str, Any]) -> tuple[int, int, int, int]:
    found = data["summary"]["visits"]
    return found["due"], found["in_time"], found["late"], found["not_met"]


def test_the_json_report_counts_the_cadence_deadlines_of_the_period(workspace: Path) -> None:
    data = report_json(workspace, "--from", "2026-05-12", "--to", "2026-07-17")
    assert data["period"] == {"from": "2026-05-12", "to": "2026-07-17", "bounds": "inclusive"}
    assert visits_figures(data) == (4, 2, 1, 1)
    cadence = [(d["due"], d["met_on"], d["status"]) for d in data["deadlines"]
               if d["rule_id"] == "cin-cadence"]
    assert cadence == [("2026-05-12", "2026-05-12", "in_time"),
                       ("2026-06-03", "2026-06-03", "in_time"),
                       ("2026-06-24", "2026-06-26", "late"), ("2026-07-17", None, "not_met")]


def test_the_not_seen_visit_is_listed_with_its_re_visit_one_working_day_late(
        workspace: Path) -> None:
    # cin-revisit counts "not seen" as failed: Mon 22 Jun + 3 wd = Thu 25 Jun; seen Fri 26.
    data = report_json(workspace, "--from", "2026-05-12", "--to", "2026-07-17")
    assert [(m["day"], m["outcome"], m["revisit_due"], m["revisit_status"], m["seen_next"])
            for m in data["missed_visits"]] == [
        ("2026-06-22", "not_seen", "2026-06-25", "late", "2026-06-26")]


def test_a_child_is_named_by_case_reference_and_initials_at_the_standard_level(
        workspace: Path) -> None:
    result = run(workspace, "--from", "2026-05-12", "--to", "2026-07-17")
    assert result.exit_code == 0, result.output
    assert "REP-T001 TC" in result.output and "Test Child" not in result.output


def test_the_html_report_is_written_and_its_headline_printed(workspace: Path) -> None:
    target = workspace / "out" / "report.html"
    result = run(workspace, "--from", "2026-05-12", "--to", "2026-07-17", "--html", str(target))
    assert result.exit_code == 0, result.output
    assert "Visits in timescale                50.0 % in timescale: 2 of 4" in result.output
    assert f"HTML report written to {target}" in result.output
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_the_csv_report_starts_with_the_documented_header(workspace: Path) -> None:
    result = run(workspace, "--from", "2026-05-12", "--to", "2026-07-17", "--csv", "--by",
                 "worker")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("group_by,group,topic,rule_id,due,in_time")
    assert "worker,sw.one,visits,,4,2,1,1,50.0,2.0,2" in lines


def test_a_period_ending_before_it_starts_is_refused_with_the_input_error_code(
        workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_main(workspace, capsys, "--from", "2026-06-02", "--to", "2026-06-01")
    assert code == 4
    assert "--to 2026-06-01 is before --from 2026-06-02" in err


def test_two_output_formats_at_once_are_refused(workspace: Path) -> None:
    result = run(workspace, "--json", "--csv")
    assert result.exit_code == 2
    assert "give one of --json, --csv and --html" in result.output


def test_the_forecast_needs_a_kept_plan(workspace: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_main(workspace, capsys, "--ahead")
    assert code == 5
    assert "run `visitplanner plan` first" in err


def test_the_forecast_counts_the_plans_visits_as_made(workspace: Path) -> None:
    # The plan of 1 to 31 Jul has one visit on Thu 16 Jul: it meets the 17 Jul deadline.
    start = datetime.combine(date(2026, 7, 16), time(10, 0), tzinfo=LONDON)
    planned = PlannedVisit("v-000000000001", "REP-H1", ("REP-T001",), start,
                           start.replace(hour=11), "sw.one", "north", VisitKind.ROUTINE, True,
                           (ChildChecks("REP-T001", ("seen_alone",)),), date(2026, 7, 17), ())
    save_schedule(workspace, Schedule(date(2026, 7, 1), date(2026, 7, 1), date(2026, 7, 31), 1,
                                      (planned,)))
    data = report_json(workspace, "--ahead")
    assert data["forecast"] is True
    assert data["period"]["from"] == "2026-07-01" and data["period"]["to"] == "2026-07-31"
    assert visits_figures(data) == (1, 1, 0, 0)

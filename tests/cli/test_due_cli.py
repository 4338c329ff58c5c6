"""`visitplanner due` on a small Walsall workspace built in a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from visitplanner.cli import cli

SETTINGS = """
[workspace]
policy = "walsall"
holiday_region = "ENG"
closures = ["2026-12-29", "2026-12-30", "2026-12-31"]
"""

WORKERS = """worker_id,name,email,team,role
sw.amber,Test Worker One,sw.amber@example.org,north,social_worker
hv.birch,Test Worker Two,hv.birch@example.org,north,health_visitor
"""

CHILDREN = "\n".join([
    "case_ref,household,name,date_of_birth,plan_type,plan_start,conference_dates,categories,"
    "allocated_worker",
    "WAL-T001,WAL-H1,Test Child One,2015-03-01,CP,2026-10-05,2026-10-05;2027-01-06,neglect,"
    "sw.amber",
    "WAL-T002,WAL-H2,Test Child Two,2019-07-12,CP,2026-10-05,2026-10-05;2027-01-06,physical,"
    "sw.amber",
    "WAL-T003,WAL-H3,Test Child Three,2012-01-30,CP,2026-10-05,2026-10-05,emotional,",
]) + "\n"

VISITS = """visit_id,date,time,worker_id,case_refs,announced,outcome,seen_alone,bedroom_seen,checks
V1,2026-11-02,10:00,sw.amber,WAL-T001,no,completed,WAL-T001,WAL-T001,kitchen;bathroom;living_arrangements
V2,2026-11-20,15:30,sw.amber,WAL-T002,no,completed,WAL-T002,,living_arrangements
V3,2026-11-23,09:30,sw.amber,WAL-T002,yes,no_access,,,
V4,2026-11-19,11:00,hv.birch,WAL-T003,yes,completed,,,
V5,2026-11-16,11:00,sw.amber,WAL-T003,no,completed,WAL-T003,WAL-T003,living_arrangements
V6,2026-11-30,11:00,sw.amber,WAL-T001,yes,completed,WAL-T001,,
"""


def workspace(root: Path) -> Path:
    for name, text in (("visitplanner.toml", SETTINGS), ("workers.csv", WORKERS),
                       ("children.csv", CHILDREN), ("visits.csv", VISITS)):
        (root / name).write_text(text, encoding="utf-8")
    return root


def due_json(root: Path, *extra: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["-w", str(root), "due", "--on", "2026-11-23", "--json",
                                      *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def items(child: dict[str, Any]) -> dict[str, tuple[str | None, str, int]]:
    return {i["rule_id"]: (i["due"], i["status"], i["days_overdue"]) for i in child["items"]}


def test_due_json_gives_each_childs_deadlines_most_overdue_first(tmp_path: Path) -> None:
    data = due_json(workspace(tmp_path))
    assert data["on"] == "2026-11-23"
    # WAL-T001 is 7 days overdue; the other two are next due on Mon 30 Nov (then by case ref)
    assert [c["case_ref"] for c in data["children"]] == ["WAL-T001", "WAL-T002", "WAL-T003"]
    assert [c["next_visit_due"] for c in data["children"]] == [
        "2026-11-16", "2026-11-30", "2026-11-30"]
    first = items(data["children"][0])
    # seen Mon 2 Nov (the visit on 30 Nov is after the report date): due Mon 16 Nov
    assert first["cp-cadence"] == ("2026-11-16", "overdue", 7)
    # not seen for 2 weeks: fires Tue 17 Nov; + 3 working days = Fri 20 Nov
    assert first["cp-manager-contact-after-two-weeks"] == ("2026-11-20", "escalate", 3)
    # unannounced on Mon 2 Nov + 6 weeks = Mon 14 Dec
    assert first["cp-unannounced"] == ("2026-12-14", "upcoming", 0)
    # neglect: bedroom, kitchen and bathroom at every visit
    assert {r: first[r][1] for r in ("cp-neglect-bedroom", "cp-neglect-kitchen",
                                     "cp-neglect-bathroom")} == dict.fromkeys(
        ("cp-neglect-bedroom", "cp-neglect-kitchen", "cp-neglect-bathroom"), "at next visit")
    # the bedroom was seen on 2 Nov, after the conference on 5 Oct
    assert "cp-bedroom-between-conferences" not in first


def test_due_json_sets_the_revisit_after_a_no_access_visit(tmp_path: Path) -> None:
    data = due_json(workspace(tmp_path))
    second = items(next(c for c in data["children"] if c["case_ref"] == "WAL-T002"))
    # seen Fri 20 Nov + 2 weeks = Fri 4 Dec
    assert second["cp-cadence"] == ("2026-12-04", "upcoming", 0)
    # no access Mon 23 Nov 09:30: discuss with the team manager by Tue 24 Nov;
    # further visit within 5 working days: 24, 25, 26, 27, Mon 30 Nov
    assert second["cp-discuss-not-seen"] == ("2026-11-24", "escalate", 0)
    assert second["cp-further-visit-after-not-seen"] == ("2026-11-30", "upcoming", 0)
    # physical abuse: the bedroom is due once before the next conference on Wed 6 Jan 2027
    assert second["cp-bedroom-between-conferences"] == ("2027-01-05", "upcoming", 0)
    assert "cp-neglect-bedroom" not in second
    # unannounced on Fri 20 Nov + 6 weeks = Fri 1 Jan 2027
    assert second["cp-unannounced"] == ("2027-01-01", "upcoming", 0)


def test_a_health_visitors_visit_does_not_count_as_the_social_workers(tmp_path: Path) -> None:
    data = due_json(workspace(tmp_path))
    third = next(c for c in data["children"] if c["case_ref"] == "WAL-T003")
    assert third["allocated_worker"] is None
    # social worker Mon 16 Nov + 2 weeks = Mon 30 Nov; the health visitor's 19 Nov is extra
    assert items(third)["cp-cadence"] == ("2026-11-30", "upcoming", 0)
    # bedroom seen on 16 Nov, after the last conference, and no next one booked: nothing owed
    assert "cp-bedroom-between-conferences" not in items(third)


def test_due_overdue_lists_only_children_with_something_overdue(tmp_path: Path) -> None:
    data = due_json(workspace(tmp_path), "--overdue")
    assert [c["case_ref"] for c in data["children"]] == ["WAL-T001"]


def test_due_text_report_flags_overdue_and_counts_children(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["-w", str(workspace(tmp_path)), "due", "--on",
                                      "2026-11-23"], catch_exceptions=False)
    lines = result.output.splitlines()
    assert lines[0] == "WAL-T001 (CP, household WAL-H1, sw.amber)"
    assert any(line.startswith("  2026-11-16  OVERDUE 7d") and "cp-cadence" in line
               for line in lines)
    assert lines[-1] == "3 children on 2026-11-23; 1 with something overdue."
    assert "Test Child" not in result.output


def test_due_overdue_text_footer_counts_overdue_children_out_of_all(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["-w", str(workspace(tmp_path)), "due", "--on",
                                      "2026-11-23", "--overdue"], catch_exceptions=False)
    lines = result.output.splitlines()
    assert [line for line in lines if line.startswith("WAL-")] == [
        "WAL-T001 (CP, household WAL-H1, sw.amber)"]
    assert lines[-1] == "1 of 3 children has something overdue on 2026-11-23."


def test_due_overdue_footer_on_the_camden_example_says_how_many_of_all() -> None:
    camden = Path(__file__).parents[2] / "examples" / "camden"
    result = CliRunner().invoke(cli, ["-w", str(camden), "due", "--on", "2026-11-23",
                                      "--overdue"], catch_exceptions=False)
    # CAM-0043, the child the example makes overdue, and three children whose last visit
    # missed seeing them alone: nothing is counted from before the export's first visit
    # (records_from), so the other plans are not overdue by artefact.
    assert result.output.splitlines()[-1] == (
        "4 of 60 children have something overdue on 2026-11-23.")
    assert "CAM-0043" in result.output
    assert "cp-seen-alone-over-3: seen_alone at the next visit (missed at the visit on " \
        "2026-11-20)" in result.output

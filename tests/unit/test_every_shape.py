"""Issue 14's "done when": one policy using every rule shape (tests/unit/policies/
everyshire.toml) passes `policy check`, and `due` and `plan` on a workspace using it give the
hand-computed dates.

Everyshire counts working days without bank holidays (``holiday_region = "none"``): Fri 25
Dec 2026 and Mon 28 Dec are working days there.  The workspace plans from Mon 21 Dec 2026.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from visitplanner.cli import main
from visitplanner.core.due import due_report
from visitplanner.inputs.workspace import Workspace, load_workspace
from visitplanner.usecases import make_plan

POLICY = Path(__file__).parent / "policies" / "everyshire.toml"
TODAY = date(2026, 12, 21)

CHILDREN = ("case_ref,household,name,date_of_birth,plan_type,plan_start,conference_dates,"
            "allocated_worker,service\n") + """\
E-CIN,H1,Ada Synthetic,2015-03-01,CIN,2026-06-01,,sw.a,
E-S47,H2,Bo Synthetic,2016-04-01,S47,2026-12-14,,sw.a,
E-CP,H3,Cy Synthetic,2014-05-01,CP,2026-12-10,2026-12-10,sw.a,
E-EH,H4,Di Synthetic,2017-06-01,eh,2026-09-01,,sw.a,early_help_hub
"""
WORKERS = """worker_id,name,email,team,role,working_days,visits_per_day
sw.a,Worker A,a@example.org,west,social_worker,,4
tm.b,Worker B,b@example.org,west,team_manager,,2
"""
VISITS = """visit_id,date,time,worker_id,case_refs,visit_type,checks_not_made
V1,2026-11-30,10:00,sw.a,E-CIN,,
V2,2026-12-18,10:00,sw.a,E-CP,,seen_alone
V3,2026-11-16,10:00,sw.a,E-CP,direct_work,
V4,2026-12-01,10:00,sw.a,E-EH,,
"""
PLAN_VALUES = """case_ref,rule_id,value,from,set_by,approved_by
E-CIN,cin-cadence,6 weeks,2026-11-01,CIN review,team_manager
E-S47,s47-cadence,5 working_days,2026-12-14,strategy meeting,
"""
EVENTS = "case_ref,event,date\nE-S47,strategy_discussion,2026-12-24\n"


@pytest.fixture
def everyshire(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    root.mkdir()
    shutil.copy(POLICY, root / "everyshire.toml")
    (root / "visitplanner.toml").write_text(
        '[workspace]\npolicy = "everyshire.toml"\nteam_name = "West (synthetic)"\n',
        encoding="utf-8")
    for name, text in (("children.csv", CHILDREN), ("workers.csv", WORKERS),
                       ("visits.csv", VISITS), ("plan_values.csv", PLAN_VALUES),
                       ("events.csv", EVENTS)):
        (root / name).write_text(text, encoding="utf-8")
    return load_workspace(root)


def policy_check(path: Path) -> int | str | None:
    try:
        return main(["policy", "check", str(path)])  # type: ignore[func-returns-value]
    except SystemExit as exit_:
        return exit_.code


def test_policy_check_accepts_the_policy_with_every_shape(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert not policy_check(POLICY), capsys.readouterr()
    # The check can fail: the same policy with one share above 1 is refused.
    broken = tmp_path / "broken.toml"
    broken.write_text(POLICY.read_text(encoding="utf-8").replace('share = "1/2"',
                                                                 'share = "3/2"'),
                      encoding="utf-8")
    assert policy_check(broken)
    assert "share" in capsys.readouterr().err


def due_on(ws: Workspace, case_ref: str, rule_id: str) -> date | None:
    report = due_report(ws.policy, ws.calendar, ws.children, {w.id: w for w in ws.workers},
                        ws.visits, TODAY)
    items = [i.deadline for c in report if c.case_ref == case_ref for i in c.items
             if i.deadline.rule_id == rule_id]
    assert items, f"{rule_id} sets no deadline for {case_ref}"
    return items[0].due


def test_due_gives_the_hand_computed_dates(everyshire: Workspace) -> None:
    # 2 and 3: the relaxed 6 weeks from Mon 30 Nov replace the 4 weeks: Mon 11 Jan 2027.
    assert due_on(everyshire, "E-CIN", "cin-cadence") == date(2027, 1, 11)
    # 4: 5 working days from the plan start Mon 14 Dec: Mon 21 Dec.
    assert due_on(everyshire, "E-S47", "s47-cadence") == date(2026, 12, 21)
    # 8 with 1: the strategy discussion on Thu 24 Dec; Fri 25 Dec is a working day here.
    assert due_on(everyshire, "E-S47", "s47-after-strategy") == date(2026, 12, 25)
    # 7 with 1: not seen alone on Fri 18 Dec: 2 working days, Mon 21 and Tue 22 Dec.
    assert due_on(everyshire, "E-CP", "cp-not-seen-alone") == date(2026, 12, 22)
    # 6: direct work on Mon 16 Nov: 6 weeks, Mon 28 Dec.
    assert due_on(everyshire, "E-CP", "cp-direct-work") == date(2026, 12, 28)
    # 9 with 1: 10 working days from the conference of Thu 10 Dec, Christmas counted: 24 Dec.
    assert due_on(everyshire, "E-CP", "cp-core-group") == date(2026, 12, 24)
    # 10: "eh" read as EH; the hub's family seen Tue 1 Dec: 6 weeks, Tue 12 Jan.
    assert due_on(everyshire, "E-EH", "eh-cadence") == date(2027, 1, 12)


def test_plan_keeps_the_dates_and_reports_what_it_cannot_plan(everyshire: Workspace) -> None:
    schedule = make_plan(everyshire, TODAY, weeks=4)
    days = {ref: [v.day for v in schedule.visits if ref in v.case_refs]
            for ref in ("E-CIN", "E-S47", "E-CP", "E-EH")}
    # 4 and 8: the S47 child today (its 5 working days run out), then after the strategy
    # discussion of Thu 24 Dec by Fri 25 Dec (a working day in Everyshire).
    assert days["E-S47"][0] == TODAY
    assert any(date(2026, 12, 24) <= d <= date(2026, 12, 25) for d in days["E-S47"])
    assert days["E-CP"][0] <= date(2026, 12, 22)          # the re-visit, seen alone
    assert days["E-CIN"][0] <= date(2027, 1, 11)
    assert days["E-EH"][0] <= date(2027, 1, 12)
    first_cp = next(v for v in schedule.visits if "E-CP" in v.case_refs)
    assert "seen_alone" in first_cp.checks[0].checks and \
        "network_contact" in first_cp.checks[0].checks
    # 6: no planned visit is direct work: the plan says so; 9: the core group is a to-do.
    assert [s.deadline for s in schedule.shortfalls if s.rule_id == "cp-direct-work"] == \
        [date(2026, 12, 28)]
    assert [(t.rule_id, t.due) for t in schedule.tasks] == [("cp-core-group", date(2026, 12, 24))]
    # 12: a new announced visit today or tomorrow is flagged short notice.
    assert all("short_notice" in v.flags for v in schedule.visits
               if v.announced and v.day <= date(2026, 12, 22))

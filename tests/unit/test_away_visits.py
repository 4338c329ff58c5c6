"""Visits away from the family home (issue 15): planned where the child's plan sets a cadence
(children.csv ``away_visits_every``), in the room the statutory visits leave, never more often
than the policy allows, never standing in for a statutory visit, recorded under their own
headings, and kept from one day's plan to the next.

The child below was seen at home and away from home on Mon 4 Jan 2027; the plan runs from
Tue 5 Jan for 9 weeks (to Mon 8 Mar 2027), with a cadence of visits away every 2 weeks.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime, time
from pathlib import Path

import pytest
from planner_checks import child, seen, worker

from visitplanner.core.model import (
    LONDON,
    Every,
    Location,
    PlannedVisit,
    RecordedVisit,
    Schedule,
    VisitKind,
)
from visitplanner.core.planning import PlanRequest, plan
from visitplanner.core.policy import Policy
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.errors import InputError
from visitplanner.inputs.workspace import load_workspace

ENGLAND = WorkingCalendar("ENG")
MONDAY_4_JAN = date(2027, 1, 4)
TUESDAY_5_JAN = date(2027, 1, 5)
EVERY_TWO_WEEKS = Every(2, "weeks")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "walsall"


def away_on(day: date, ref: str = "C1") -> RecordedVisit:
    return RecordedVisit(f"R-away-{ref}-{day}", ref, datetime.combine(day, time(10), tzinfo=LONDON),
                         "sw.a", location=Location.ELSEWHERE)


def asked(policy: Policy, every: Every | None = EVERY_TWO_WEEKS, today: date = TUESDAY_5_JAN,
            previous: Schedule | None = None) -> PlanRequest:
    return PlanRequest(policy, ENGLAND, (child("C1", "H1", away_visits_every=every),),
                       (worker("sw.a"),), (), (seen("C1", MONDAY_4_JAN), away_on(MONDAY_4_JAN)),
                       today, 9, seed=1, previous=previous)


def away(schedule: Schedule) -> list[PlannedVisit]:
    return [v for v in schedule.visits if v.kind is VisitKind.AWAY_FROM_HOME]


def home_days(schedule: Schedule) -> list[date]:
    return [v.day for v in schedule.visits if v.kind is not VisitKind.AWAY_FROM_HOME]


def test_visits_away_from_home_come_on_the_latest_free_day_of_each_interval(
        camden: Policy) -> None:
    schedule = plan(asked(camden))
    # Due 14 calendar days after the last (4 Jan -> 18 Jan), from halfway (11 Jan): Mon 18
    # Jan has the home visit, so Fri 15 Jan; then due 29 Jan, 12 Feb, 26 Feb (Fridays, free);
    # then due 12 Mar, after the plan's last day: the latest free day from halfway (5 Mar).
    assert [v.day for v in away(schedule)] == [
        date(2027, 1, 15), date(2027, 1, 29), date(2027, 2, 12), date(2027, 2, 26),
        date(2027, 3, 5)]
    assert all(v.case_refs == ("C1",) and v.worker_id == "sw.a" and v.announced
               for v in away(schedule))


def test_walsall_plans_no_second_visit_away_from_home_within_a_month(walsall: Policy) -> None:
    schedule = plan(asked(walsall))
    # "Up to once a month": the month from Mon 4 Jan runs to Thu 4 Feb inclusive, so the
    # 2-weekly cadence waits until Fri 5 Feb; the month from 5 Feb runs to Fri 5 Mar, and
    # Mon 8 Mar (the plan's last day) already has the statutory home visit.
    assert [v.day for v in away(schedule)] == [date(2027, 2, 5)]
    assert date(2027, 3, 8) in home_days(schedule)


@pytest.mark.parametrize("policy_name", ["camden", "walsall"])
def test_visits_away_from_home_leave_the_statutory_home_visits_as_they_were(
        policy_name: str, request: pytest.FixtureRequest) -> None:
    policy: Policy = request.getfixturevalue(policy_name)
    with_away, without = plan(asked(policy)), plan(asked(policy, every=None))
    assert away(with_away) and not away(without)
    assert home_days(with_away) == home_days(without)
    assert with_away.shortfalls == without.shortfalls


def test_a_visit_away_from_home_never_shares_a_day_with_the_households_home_visit(
        camden: Policy) -> None:
    schedule = plan(asked(camden))
    assert not set(v.day for v in away(schedule)) & set(home_days(schedule))


def test_a_visit_away_from_home_is_recorded_under_the_away_from_home_headings(
        walsall: Policy) -> None:
    schedule = plan(asked(walsall))
    (visit,) = away(schedule)
    tasks = {t.visit_id: t.rule_id for t in schedule.recording_tasks}
    assert tasks[visit.id] == "cp-recording-away"
    assert {tasks[v.id] for v in schedule.visits if v is not visit} == {"cp-recording"}
    headings = walsall.rule("cp-recording-away").headings
    assert "The activity undertaken" in headings


def test_a_visit_away_from_home_carries_no_check_and_serves_no_statutory_rule(
        camden: Policy) -> None:
    for visit in away(plan(asked(camden))):
        assert visit.reasons == () and all(c.checks == () for c in visit.checks)
        assert visit.location is Location.ELSEWHERE


def test_the_next_days_plan_keeps_each_visit_away_from_home_where_it_was(
        camden: Policy) -> None:
    first = plan(asked(camden))
    second = plan(asked(camden, today=date(2027, 1, 6), previous=first))
    assert [(v.id, v.start) for v in away(second)] == [(v.id, v.start) for v in away(first)]


def test_a_child_without_the_column_gets_no_visit_away_from_home(walsall: Policy) -> None:
    assert away(plan(asked(walsall, every=None))) == []


def test_children_csv_refuses_an_away_cadence_that_is_not_an_interval(tmp_path: Path) -> None:
    workspace = tmp_path / "walsall"
    shutil.copytree(EXAMPLE, workspace, ignore=shutil.ignore_patterns(".visitplanner"))
    sheet = workspace / "children.csv"
    lines = sheet.read_text(encoding="utf-8").splitlines()
    lines[0] += ",away_visits_every"
    lines[1] += ",monthly"
    lines[2:] = [line + "," for line in lines[2:]]
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_workspace(workspace)
    (problem,) = [p for p in raised.value.problems if "away_visits_every" in p.where]
    assert "children.csv" in problem.where and "row 2" in problem.where
    assert "'monthly' is not an interval" in problem.what and "1 month" in problem.fix

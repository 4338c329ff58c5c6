"""Re-planning: ids are stable, and a kept plan changes only where the inputs make it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from planner_checks import all_violations, child, inputs_of, seen, worker

from visitplanner.core.model import Absence, Outcome, PlanType, Role, Schedule
from visitplanner.core.planning import PlanRequest, plan
from visitplanner.core.policy import Policy
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.inputs.planstore import schedule_to_json

TODAY = date(2026, 11, 23)  # a Monday
CLOSED = WorkingCalendar("ENG", frozenset({date(2026, 12, 29), date(2026, 12, 30),
                                           date(2026, 12, 31)}))


@pytest.fixture()
def caseload(camden: Policy) -> PlanRequest:
    """Three households, two social workers and a manager, recent visits recorded."""
    children = (
        child("C1", "H1", PlanType.CP, allocated="sw.a"),
        child("C2", "H2", PlanType.CIN, allocated="sw.a"),
        child("C3", "H3", PlanType.CP, allocated="sw.b"),
        child("C4", "H3", PlanType.CP, born=date(2024, 5, 5), allocated="sw.b"),
    )
    visits = (seen("C1", date(2026, 11, 16)), seen("C2", date(2026, 11, 9)),
              seen("C3", date(2026, 11, 18), by="sw.b"), seen("C4", date(2026, 11, 18), by="sw.b"))
    staff = (worker("sw.a"), worker("sw.b"), worker("tm", Role.TEAM_MANAGER))
    return PlanRequest(camden, CLOSED, children, staff, (), visits, TODAY, 6, seed=7)


def ids_by_day(schedule: Schedule) -> dict[tuple[str, date], str]:
    return {(v.household, v.day): v.id for v in schedule.visits}


def test_replanning_an_unchanged_caseload_gives_the_same_plan(caseload: PlanRequest) -> None:
    first = plan(caseload)
    assert schedule_to_json(plan(replace(caseload, previous=first))) == schedule_to_json(first)


def test_a_late_visit_keeps_its_id_when_replanned(camden: Policy) -> None:
    # Last seen 1 November: the 10-day deadline (11 November) passed before the plan starts.
    request = PlanRequest(camden, CLOSED, (child("C1", "H1"),), (worker("sw.a"),), (),
                          (seen("C1", date(2026, 11, 1)),), TODAY, 2, seed=1)
    first = plan(request)
    late = first.visits[0]
    assert (late.day, late.due_by) == (TODAY, date(2026, 11, 11))
    assert "late" in late.flags
    again = plan(replace(request, previous=first))
    assert [v.id for v in again.visits] == [v.id for v in first.visits]
    # Kept inside the pin window, it is still late: flagged and in the shortfall report.
    assert schedule_to_json(again) == schedule_to_json(first)


def test_a_visit_recorded_as_planned_leaves_the_rest_of_the_plan_as_it_was(
        caseload: PlanRequest) -> None:
    first = plan(caseload)
    made = first.visits[0]
    recorded = tuple(seen(ref, made.day, by=made.worker_id) for ref in made.case_refs)
    request = replace(caseload, today=made.day + timedelta(days=1), previous=first,
                      visits=(*caseload.visits, *recorded))
    second = plan(request)
    rest = [(v.id, v.day, v.worker_id) for v in first.visits[1:]
            if v.day < date(2026, 12, 28)]
    after = {v.id: (v.id, v.day, v.worker_id) for v in second.visits}
    assert [after.get(i) for i, _, _ in rest] == rest
    assert made.id not in after
    assert all_violations(second, inputs_of(request)) == []


def test_a_new_absence_moves_only_that_workers_visits(caseload: PlanRequest) -> None:
    first = plan(caseload)
    away = Absence("sw.b", date(2026, 12, 7), date(2026, 12, 11), "leave")
    request = replace(caseload, absences=(away,), previous=first)
    second = plan(request)
    assert all_violations(second, inputs_of(request)) == []
    assert not [v for v in second.visits if v.worker_id == "sw.b" and away.covers(v.day)]
    untouched = [v for v in first.visits if v.worker_id == "sw.a"]
    after = {v.id: v for v in second.visits}
    # sw.a's own visits keep their days (cover may add to sw.a's diary, not move it).
    assert [(v.id, after[v.id].day) for v in untouched] == [(v.id, v.day) for v in untouched]


def test_a_new_child_keeps_every_existing_visit(caseload: PlanRequest) -> None:
    first = plan(caseload)
    newcomer = child("C9", "H9", PlanType.CIN, start=TODAY, referral_date=TODAY,
                     allocated="sw.a")
    request = replace(caseload, children=(*caseload.children, newcomer), previous=first)
    second = plan(request)
    before = {v.id: (v.day, v.worker_id) for v in first.visits}
    assert {v.id: (v.day, v.worker_id) for v in second.visits if v.id in before} == before
    assert next(v.day for v in second.visits if v.household == "H9") <= TODAY + timedelta(days=7)


def test_visits_inside_the_pin_window_stay_although_a_later_day_would_now_do(
        caseload: PlanRequest) -> None:
    first = plan(caseload)
    pinned = [v for v in first.visits if v.day <= date(2026, 11, 30)]
    assert pinned
    # A failed visit before today tightens nothing for H1: the kept plan stays where it is.
    request = replace(caseload, previous=first, visits=(
        *caseload.visits, seen("C2", date(2026, 11, 20), outcome=Outcome.NO_ACCESS)))
    second = plan(request)
    after = {v.id: v for v in second.visits}
    kept = [v for v in pinned if v.household != "H2"]
    assert [(v.id, after[v.id].day) for v in kept] == [(v.id, v.day) for v in kept]
    # H2's failed visit forces a re-visit within 3 working days: by Wednesday 25 November.
    assert min(v.day for v in second.visits if v.household == "H2") <= date(2026, 11, 25)


def test_an_early_unplanned_visit_withdraws_the_pinned_visit_it_replaces(
        caseload: PlanRequest) -> None:
    first = plan(caseload)
    # a visit planned a few days ahead, inside the pin window
    pinned = next(v for v in first.visits if v.day > TODAY)
    # The worker called in on the Monday instead, unplanned; the plan is re-made that evening.
    early = tuple(seen(ref, TODAY, by=pinned.worker_id) for ref in pinned.case_refs)
    request = replace(caseload, previous=first, visits=(*caseload.visits, *early))
    second = plan(request)
    assert pinned.id not in {v.id for v in second.visits}
    next_visit = min(v.day for v in second.visits if v.household == pinned.household)
    assert next_visit > pinned.day  # the next visit counts from the Monday visit
    assert all_violations(second, inputs_of(request)) == []


def test_a_visit_recorded_on_the_first_day_of_the_plan_counts(caseload: PlanRequest) -> None:
    today_visit = seen("C1", TODAY, by="sw.a")
    schedule = plan(replace(caseload, visits=(*caseload.visits, today_visit)))
    first_h1 = min(v.day for v in schedule.visits if v.household == "H1")
    # C1 seen on Mon 23 Nov: the 10-day deadline is Thu 3 Dec, so no visit this week
    assert first_h1 > date(2026, 11, 27)
    assert today_visit.visit_id in schedule.known_visits


def test_a_new_absence_in_the_camden_example_leaves_every_other_workers_diary_as_it_was() -> None:
    from pathlib import Path

    from visitplanner.inputs.workspace import load_workspace
    from visitplanner.usecases import plan_request

    workspace = load_workspace(Path(__file__).resolve().parents[2] / "examples" / "camden")
    request = plan_request(workspace, TODAY)
    first = plan(request)
    away = Absence("sw.marchetti", date(2026, 12, 7), date(2026, 12, 11), "leave")
    second = plan(replace(request, absences=(*request.absences, away), previous=first))
    before = {v.id: v for v in first.visits}
    touched = {"sw.marchetti"}
    moved = [v for v in second.visits if v.id in before and v != before[v.id]]
    assert moved  # the absent worker's visits did move ...
    # ... and nobody else's visit changed day or worker, unless it is one of theirs; a
    # colleague's visit changes its time only on a day they take a cover visit that needs
    # the room (two after-school visits fill the window only back to back).
    others = [v for v in moved if v.worker_id not in touched
              and before[v.id].worker_id not in touched]
    covering = {(v.worker_id, v.day) for v in second.visits if v.allocated_worker_id in touched}
    assert [v.id for v in others if (v.day, v.worker_id) != (before[v.id].day,
                                                             before[v.id].worker_id)] == []
    assert [v.id for v in others if (v.worker_id, v.day) not in covering] == []
    assert all(time(8) <= v.start.time() and v.end.time() <= time(18) for v in second.visits)
    assert len(second.shortfalls) <= len(first.shortfalls)


def test_replanning_a_saturday_start_with_unallocated_siblings_changes_nothing(
        camden: Policy) -> None:
    """Found by the property test: a visit whose target lies inside the plan but whose deadline
    lies after it was placed after the plan's end, and re-planning gave it to another worker."""
    from datetime import datetime, time

    from visitplanner.core.model import LONDON, RecordedVisit

    saturday = date(2027, 3, 13)
    children = (
        child("C0-0", "H0", PlanType.CIN, born=date(2027, 2, 11), start=saturday,
              allocated=None, education="school"),
        child("C0-1", "H0", PlanType.CIN, born=date(2027, 2, 11), start=date(2027, 3, 11),
              allocated=None, education="school"),
        child("C0-2", "H0", PlanType.CIN, born=date(2027, 2, 11), start=saturday,
              allocated=None, education="school", visit_frequency_days=5),
        child("C1-0", "H1", PlanType.CIN, born=date(2027, 2, 11), start=date(2027, 3, 5),
              allocated=None, education="school", visit_frequency_days=10))
    at = datetime.combine(date(2027, 3, 11), time(8), tzinfo=LONDON)
    visits = tuple(RecordedVisit("H0-V0", ref, at, "w0", announced=False)
                   for ref in ("C0-0", "C0-1", "C0-2"))
    staff = (worker("w0", per_day=1), worker("w1", per_day=1))
    request = PlanRequest(camden, WorkingCalendar(), children, staff, (), visits, saturday, 2,
                          seed=0)
    first = plan(request)
    assert max(v.day for v in first.visits) <= request.end
    assert schedule_to_json(plan(replace(request, previous=first))) == schedule_to_json(first)

"""The planner on concrete, readable cases: holidays, ages, siblings, absences, backlogs.

Every schedule is also run through the independent checker (tests/planner_checks.py).
"""

from __future__ import annotations

from datetime import date, timedelta

from planner_checks import (
    all_violations,
    child,
    inputs_of,
    lapses,
    seen,
    worker,
)

from visitplanner.core.model import SOCIAL_WORK_ROLES, Absence, PlanType, Role, Schedule
from visitplanner.core.planning import PlanRequest, plan
from visitplanner.core.policy import Policy
from visitplanner.core.workdays import WorkingCalendar

CAMDEN_CLOSURES = frozenset({date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)})
CLOSED = WorkingCalendar("ENG", CAMDEN_CLOSURES)
ENGLAND = WorkingCalendar("ENG")
MONDAY = date(2026, 11, 23)


def checked(request: PlanRequest) -> Schedule:
    """Plan, and fail on anything the independent checker finds."""
    schedule = plan(request)
    assert all_violations(schedule, inputs_of(request)) == []
    return schedule


def days_of(schedule: Schedule, household: str) -> list[date]:
    return [v.day for v in schedule.visits if v.household == household]


def checks_of(schedule: Schedule, ref: str) -> list[tuple[date, tuple[str, ...]]]:
    return [(v.day, c.checks) for v in schedule.visits for c in v.checks if c.case_ref == ref]


# ---------------------------------------------------------------- holidays


def test_no_visit_is_planned_over_christmas_and_new_year_closures(camden: Policy) -> None:
    request = PlanRequest(camden, CLOSED, (child("C1", "H1"),), (worker("sw.a"),), (),
                          (seen("C1", date(2026, 12, 11)),), date(2026, 12, 14), 4, seed=1)
    schedule = checked(request)
    # 10 days from the last visit, less a 3-day margin: 18 Dec; then the break (25 Dec to
    # 1 Jan shut) forces a visit on Christmas Eve, and the next is the first day back.
    assert days_of(schedule, "H1") == [date(2026, 12, 18), date(2026, 12, 24),
                                       date(2027, 1, 4)]
    (gap,) = schedule.shortfalls
    assert (gap.rule_id, gap.deadline, gap.planned_on, gap.days_late) == \
        ("cp-cadence", date(2027, 1, 3), date(2027, 1, 4), 1)
    assert "no working day" in gap.reason


def test_visits_skip_good_friday_and_easter_monday(camden: Policy) -> None:
    request = PlanRequest(camden, ENGLAND, (child("C1", "H1", PlanType.CIN),),
                          (worker("sw.a"),), (), (seen("C1", date(2027, 3, 8)),),
                          date(2027, 3, 15), 6, seed=1)
    schedule = checked(request)
    # 15 working days from Mon 8 Mar skip Good Friday (26 Mar) and Easter Monday (29 Mar):
    # due Wed 31 Mar; 3 working days earlier, skipping them again, is Wed 24 Mar.
    first = schedule.visits[0]
    assert (first.day, first.due_by) == (date(2027, 3, 24), date(2027, 3, 31))
    assert schedule.shortfalls == ()


# ---------------------------------------------------------------- ages and checks


def test_a_baby_is_seen_awake_before_turning_3_and_alone_from_the_birthday(
        camden: Policy) -> None:
    baby = child("C1", "H1", PlanType.CIN, born=date(2023, 12, 10))
    request = PlanRequest(camden, CLOSED, (baby,), (worker("sw.a"),), (),
                          (seen("C1", date(2026, 11, 16), checks={"bedroom"}),), MONDAY, 8,
                          seed=1)
    schedule = checked(request)
    visits = checks_of(schedule, "C1")
    before = [c for d, c in visits if d < date(2026, 12, 10)]
    after = [c for d, c in visits if d >= date(2026, 12, 10)]
    assert before and after
    assert all("seen_alone" not in c for c in before)
    assert "seen_awake" in before[0]  # not seen awake at the last visit: owed at the next
    assert all("seen_alone" in c and "seen_awake" not in c for c in after)


def test_siblings_on_different_plans_share_each_visit_due_by_the_strictest(
        camden: Policy) -> None:
    protected = child("C1", "H1", PlanType.CP, born=date(2016, 2, 2))
    in_need = child("C2", "H1", PlanType.CIN, born=date(2012, 9, 9))
    request = PlanRequest(camden, CLOSED, (protected, in_need), (worker("sw.a"),), (),
                          (seen("C1", MONDAY - timedelta(days=3)),
                           seen("C2", MONDAY - timedelta(days=3))), MONDAY, 6, seed=1)
    schedule = checked(request)
    assert schedule.visits
    for visit in schedule.visits:
        assert visit.case_refs == ("C1", "C2")
        cp = [r.deadline for r in visit.reasons if r.rule_id == "cp-cadence"]
        assert visit.due_by == min(r.deadline for r in visit.reasons) == min(cp)
        assert {c.case_ref for c in visit.checks} == {"C1", "C2"}
    # Only the protected child needs food checked; each child keeps its own checklist.
    assert all("food" in c for _, c in checks_of(schedule, "C1"))
    assert all("food" not in c for _, c in checks_of(schedule, "C2"))


def test_a_walsall_neglect_case_has_bedroom_kitchen_and_bathroom_at_every_visit(
        walsall: Policy) -> None:
    neglect = child("W1", "H1", categories=frozenset({"neglect"}))
    sibling = child("W2", "H1", categories=frozenset({"emotional"}), born=date(2018, 3, 3))
    request = PlanRequest(walsall, CLOSED, (neglect, sibling), (worker("sw.a"),), (),
                          (seen("W1", date(2026, 11, 18)), seen("W2", date(2026, 11, 18))),
                          MONDAY, 6, seed=3)
    schedule = checked(request)
    assert len(schedule.visits) >= 3
    assert all({"bedroom", "kitchen", "bathroom", "seen_alone"} <= set(c)
               for _, c in checks_of(schedule, "W1"))
    assert all("kitchen" not in c for _, c in checks_of(schedule, "W2"))


# ---------------------------------------------------------------- absences and cover


def team() -> tuple:
    return (worker("sw.a"), worker("sw.b"), worker("fsw.c", Role.FAMILY_SUPPORT_WORKER),
            worker("hv.d", Role.HEALTH_VISITOR), worker("tm", Role.TEAM_MANAGER, per_day=2))


def test_a_worker_off_for_three_weeks_visits_earlier_then_is_covered_by_a_social_worker(
        camden: Policy) -> None:
    away = Absence("sw.a", date(2026, 12, 2), date(2026, 12, 22), "leave")
    children = (child("C1", "H1"), child("C2", "H2", PlanType.CIN))
    request = PlanRequest(camden, CLOSED, children, team(), (away,),
                          (seen("C1", date(2026, 11, 20)), seen("C2", date(2026, 11, 16))),
                          MONDAY, 5, seed=1)
    schedule = checked(request)
    earlier = [v for v in schedule.visits if "moved_earlier_for_absence" in v.flags]
    assert earlier and all(v.worker_id == "sw.a" and v.day < away.start for v in earlier)
    during = [v for v in schedule.visits if away.covers(v.day)]
    assert during
    for visit in during:
        assert visit.worker_id != "sw.a" and visit.allocated_worker_id == "sw.a"
        assert "cover" in visit.flags
        assert visit.worker_id != "hv.d"
        if visit.household == "H1":  # child protection: social work roles only
            assert visit.worker_id in {"sw.b", "tm"}
    assert schedule.shortfalls == ()
    assert {v.worker_id for v in schedule.visits if v.day < away.start} == {"sw.a"}


def test_two_workers_off_at_once_fill_colleagues_then_the_manager_without_overload(
        camden: Policy) -> None:
    staff = (worker("sw.a"), worker("sw.b"), worker("sw.c", per_day=1),
             worker("tm", Role.TEAM_MANAGER, per_day=2))
    off = (Absence("sw.a", date(2026, 11, 30), date(2026, 12, 11)),
           Absence("sw.b", date(2026, 11, 30), date(2026, 12, 11)))
    children = tuple(child(f"C{i}", f"H{i}", allocated="sw.a" if i % 2 else "sw.b")
                     for i in range(8))
    visits = tuple(seen(f"C{i}", date(2026, 11, 20 + i % 3)) for i in range(8))
    request = PlanRequest(camden, CLOSED, children, staff, off, visits, MONDAY, 3, seed=1)
    schedule = checked(request)
    manager = [v for v in schedule.visits if v.worker_id == "tm"]
    assert manager and all("manager_cover" in v.flags for v in manager)
    for day in {v.day for v in schedule.visits}:
        assert sum(v.worker_id == "sw.c" and v.day == day for v in schedule.visits) <= 1
        assert sum(v.worker_id == "tm" and v.day == day for v in schedule.visits) <= 2


def test_cover_for_a_child_protection_visit_is_never_a_family_support_worker(
        camden: Policy) -> None:
    staff = (worker("sw.a"), worker("fsw.c", Role.FAMILY_SUPPORT_WORKER),
             worker("hv.d", Role.HEALTH_VISITOR), worker("tm", Role.TEAM_MANAGER))
    away = Absence("sw.a", date(2026, 11, 23), date(2026, 12, 31))
    request = PlanRequest(camden, CLOSED, (child("C1", "H1"),), staff, (away,),
                          (seen("C1", date(2026, 11, 20)),), MONDAY, 4, seed=1)
    schedule = checked(request)
    assert schedule.visits
    assert {v.worker_id for v in schedule.visits} == {"tm"}
    assert all(v.worker_id in {w.id for w in staff if w.role in SOCIAL_WORK_ROLES}
               for v in schedule.visits)


# ---------------------------------------------------------------- backlogs and flags


def test_a_child_overdue_on_the_first_day_is_visited_first_and_reported(camden: Policy) -> None:
    request = PlanRequest(camden, CLOSED, (child("C1", "H1"), child("C2", "H2")),
                          (worker("sw.a", per_day=1),), (),
                          (seen("C1", date(2026, 11, 1)), seen("C2", date(2026, 11, 19))),
                          date(2026, 11, 21), 2, seed=1)  # a Saturday
    schedule = checked(request)
    first = schedule.visits[0]
    assert (first.household, first.day) == ("H1", MONDAY)
    (overdue,) = [s for s in schedule.shortfalls if s.case_ref == "C1"]
    assert (overdue.rule_id, overdue.deadline, overdue.planned_on, overdue.days_late) == \
        ("cp-cadence", date(2026, 11, 11), MONDAY, 12)
    assert overdue.reason.startswith("already overdue on 2026-11-21")


def test_an_unallocated_case_is_planned_and_flagged_for_the_team_manager(
        camden: Policy) -> None:
    request = PlanRequest(camden, CLOSED, (child("C1", "H1", allocated=None),),
                          (worker("sw.a"), worker("tm", Role.TEAM_MANAGER)), (),
                          (seen("C1", date(2026, 11, 18)),), MONDAY, 3, seed=1)
    schedule = checked(request)
    assert schedule.visits
    assert all("unallocated" in v.flags for v in schedule.visits)


def test_a_visit_whose_latest_working_day_ends_the_plan_is_in_this_plan(walsall: Policy) -> None:
    # Seen on Sunday 1 February (out of hours); Walsall: every 2 weeks.  The plan ends on
    # Friday 20 February, the latest working day for the second visit (due Wednesday 25th).
    request = PlanRequest(walsall, ENGLAND, (child("W1", "H1", start=date(2025, 9, 1)),),
                          (worker("sw.a"),), (),
                          (seen("W1", date(2026, 2, 1)),), date(2026, 2, 7), 2, seed=1)
    schedule = checked(request)
    assert days_of(schedule, "H1") == [date(2026, 2, 11), date(2026, 2, 20)]


def test_the_independent_checker_finds_a_lapse_when_staff_are_missing(camden: Policy) -> None:
    away = Absence("sw.a", MONDAY, date(2027, 1, 31))
    request = PlanRequest(camden, CLOSED, (child("C1", "H1"),), (worker("sw.a"),), (away,),
                          (seen("C1", date(2026, 11, 20)),), MONDAY, 3, seed=1)
    schedule = checked(request)
    assert schedule.visits == ()
    assert lapses(schedule, inputs_of(request)) == {("C1", "cp-cadence", date(2026, 11, 30))}
    (gap,) = schedule.shortfalls
    assert "allocated worker sw.a absent" in gap.reason

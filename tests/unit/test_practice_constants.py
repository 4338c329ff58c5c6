"""Practice rules that live in named constants, each tested at its edge.

Every test here sits on both sides of a figure (the 7-day grace for an overdue
visit, school age 4, the 28-day look-ahead for checks, cover by a worker who knows
the family), so that changing the figure fails a test: none merely restates it.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from planner_checks import child, seen, worker
from rulekit import POLICY_HEADER

from visitplanner.core.cover import Bookings, cover_order
from visitplanner.core.model import Absence, Child, PlanType, RecordedVisit, Schedule, Worker
from visitplanner.core.planning import PlanRequest, plan
from visitplanner.core.policy import Policy, parse_policy
from visitplanner.core.rules import Context, deadlines, facts_from_records
from visitplanner.core.timeslots import TimeSettings, TimeWindow, at_school
from visitplanner.core.workdays import WorkingCalendar

MONDAY = date(2026, 11, 23)
SATURDAY = date(2026, 11, 21)
FIRST_WORKING_DAY = MONDAY  # of a plan from either
CALENDAR = WorkingCalendar()
TIMES = TimeSettings(windows=(TimeWindow("school_hours", time(10), time(14, 30)),
                              TimeWindow("after_school", time(15, 30), time(18))))


def request(policy: Policy, children: tuple[Child, ...], staff: tuple[Worker, ...],
            today: date = MONDAY, absences: tuple[Absence, ...] = (),
            visits: tuple[RecordedVisit, ...] = ()) -> PlanRequest:
    """Three weeks from ``today`` on England's working days, with an after-school window."""
    return PlanRequest(policy, CALENDAR, children, staff, absences, visits, today, 3, seed=3,
                       times=TIMES)


# ---------------------------------------------------------------- OVERDUE_GRACE


def overdue_cadence(camden: Policy, today: date, back: date) -> tuple[date | None, str]:
    """Plan a child whose visit was due on 12 Nov, their worker away from ``today`` to
    ``back`` (inclusive): the day the late visit is made, and why the cadence is missed."""
    kid = child("C1", "H1", PlanType.CP, education="none")
    away = Absence("sw.a", today, back, "leave")
    schedule = plan(request(camden, (kid,), (worker("sw.a"),), today, absences=(away,),
                            visits=(seen("C1", date(2026, 11, 2)),)))
    (missed,) = [s for s in schedule.shortfalls if s.rule_id == "cp-cadence"]
    return missed.planned_on, missed.reason


@pytest.mark.parametrize("today", [MONDAY, SATURDAY], ids=["from-monday", "from-saturday"])
def test_an_overdue_visit_made_within_7_days_of_the_first_working_day_is_simply_overdue(
        camden: Policy, today: date) -> None:
    made, reason = overdue_cadence(camden, today, back=date(2026, 11, 29))
    assert made == FIRST_WORKING_DAY + timedelta(days=7)
    assert reason == f"already overdue on {today.isoformat()}"


@pytest.mark.parametrize("today", [MONDAY, SATURDAY], ids=["from-monday", "from-saturday"])
def test_an_overdue_visit_made_on_the_8th_day_names_its_other_causes(
        camden: Policy, today: date) -> None:
    made, reason = overdue_cadence(camden, today, back=date(2026, 11, 30))
    assert made == FIRST_WORKING_DAY + timedelta(days=8)
    assert reason.startswith(f"already overdue on {today.isoformat()}; ")


# ---------------------------------------------------------------- SCHOOL_AGE


def test_a_child_at_school_is_taken_to_be_at_school_from_their_4th_birthday() -> None:
    pupil = child("C1", "H1", born=date(2022, 11, 23), education="school")
    assert not at_school(pupil, date(2026, 11, 22))
    assert at_school(pupil, date(2026, 11, 23))


def after_school_flags(schedule: Schedule, household: str) -> set[bool]:
    return {"after_school" in v.flags for v in schedule.visits if v.household == household}


def test_a_pupil_is_visited_after_school_from_the_day_they_turn_4_and_not_before(
        camden: Policy) -> None:
    end = request(camden, (), ()).end
    turns_4_today = child("C1", "H1", born=date(2022, 11, 23), education="school")
    turns_4_after_the_plan = child("C2", "H2", born=date(2022, 12, 14), education="school")
    assert end == date(2026, 12, 13)
    schedule = plan(request(camden, (turns_4_today, turns_4_after_the_plan),
                            (worker("sw.a"),)))
    assert after_school_flags(schedule, "H1") == {True}
    assert after_school_flags(schedule, "H2") == {False}


# ---------------------------------------------------------------- NO_CADENCE_HORIZON

#: A child protection cadence, and a dated check for children in need, who have no visit rule.
NO_CADENCE_FOR_CIN = parse_policy(POLICY_HEADER + """
[[rules]]
id = "cp-cadence"
kind = "cadence"
plans = ["CP"]
every = "10 days"
source = { document = "manual", section = "1", quote = "Visit every 10 days." }

[[rules]]
id = "cin-bedroom"
kind = "check"
plans = ["CIN"]
check = "bedroom"
within = "8 weeks"
source = { document = "manual", section = "2", quote = "See the bedroom every 8 weeks." }
""", "testshire.toml")


def sibling_checks_at_first_visit(bedroom_due: date) -> tuple[date, tuple[str, ...]]:
    """A household of a child on a plan (visit due today) and a sibling in need with no visit
    rule, whose bedroom check is due on ``bedroom_due``: the first visit's day, and the
    checks it plans for the sibling."""
    on_plan, sibling = child("C1", "H1", PlanType.CP), child("C2", "H1", PlanType.CIN)
    visits = (seen("C1", MONDAY - timedelta(days=10)),
              seen("C2", bedroom_due - timedelta(weeks=8), checks={"bedroom"}))
    history = facts_from_records(visits, {"sw.a": worker("sw.a")})["C2"]
    (owed,) = deadlines(Context(NO_CADENCE_FOR_CIN, CALENDAR), sibling, history, MONDAY)
    assert owed.due == bedroom_due
    schedule = plan(request(NO_CADENCE_FOR_CIN, (on_plan, sibling), (worker("sw.a"),),
                            visits=visits))
    first = schedule.visits[0]
    return first.day, next(c.checks for c in first.checks if c.case_ref == "C2")


def test_with_no_visit_rule_a_check_due_within_28_days_is_made_at_this_visit() -> None:
    assert sibling_checks_at_first_visit(MONDAY + timedelta(days=28)) == (MONDAY, ("bedroom",))


def test_with_no_visit_rule_a_check_due_in_29_days_waits_for_a_later_visit() -> None:
    assert sibling_checks_at_first_visit(MONDAY + timedelta(days=29)) == (MONDAY, ())


# ---------------------------------------------------------------- cover by a familiar worker


def loads(visits: dict[str, int]) -> Bookings:
    """Bookings in which each worker has the number of visits given (one a day)."""
    bookings = Bookings()
    for worker_id, count in visits.items():
        for day in range(count):
            bookings.book(worker_id, MONDAY + timedelta(days=day))
    return bookings


def order(familiar: set[str], bookings: Bookings) -> list[str]:
    colleagues = [worker("sw.b"), worker("sw.c"), worker("sw.z")]
    return [w.id for w in cover_order(colleagues, frozenset(familiar), bookings)]


def test_a_colleague_who_has_visited_the_family_covers_before_a_less_loaded_one() -> None:
    assert order({"sw.z"}, loads({"sw.z": 2})) == ["sw.z", "sw.b", "sw.c"]


def test_among_colleagues_new_to_the_family_the_least_loaded_covers_first() -> None:
    assert order({"sw.z"}, loads({"sw.z": 2, "sw.b": 1})) == ["sw.z", "sw.c", "sw.b"]


def test_equally_loaded_colleagues_are_asked_in_worker_id_order() -> None:
    assert order(set(), loads({"sw.b": 1, "sw.c": 1, "sw.z": 1})) == ["sw.b", "sw.c", "sw.z"]


def test_an_absent_workers_family_is_covered_by_the_colleague_who_has_visited_before(
        camden: Policy) -> None:
    # sw.z knows H1 and is the busier colleague (their own H2 is visited first); sw.b,
    # new to the family, would come first by load and by id.
    covered = child("C1", "H1", PlanType.CIN, education="none")
    own = child("C2", "H2", PlanType.CIN, education="none", allocated="sw.z")
    away = Absence("sw.a", MONDAY, date(2026, 12, 20), "leave")
    staff = (worker("sw.a"), worker("sw.b"), worker("sw.z"))
    schedule = plan(request(camden, (covered, own), staff, absences=(away,),
                            visits=(seen("C1", date(2026, 11, 16), by="sw.z"),
                                    seen("C2", date(2026, 11, 9), by="sw.z"))))
    first_h2 = min(v.day for v in schedule.visits if v.household == "H2")
    cover = [v for v in schedule.visits if v.household == "H1"]
    assert cover and all(first_h2 < v.day for v in cover)
    assert {(v.worker_id, "cover" in v.flags) for v in cover} == {("sw.z", True)}

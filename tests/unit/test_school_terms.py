"""School terms (issue 15): a child at school is visited after school in term time and at any
time in the school holidays; without term dates every working day is a school day.

The child below (born 2015, at school) is on a CP plan in Camden, seen on Thu 10 Dec 2026;
the plan runs from Fri 11 Dec for 6 weeks.  The terms: autumn Mon 2 Nov - Fri 18 Dec 2026,
spring Tue 5 Jan - Fri 12 Feb 2027 (each inclusive at both ends).
"""

from __future__ import annotations

import shutil
from datetime import date, time, timedelta
from pathlib import Path

from planner_checks import child, seen, worker

from visitplanner.core.model import LONDON, PlannedVisit, Schedule, SchoolTerm
from visitplanner.core.planning import PlanRequest, plan
from visitplanner.core.policy import Policy
from visitplanner.core.timeslots import TimeSettings, TimeWindow, in_term
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.inputs.workspace import load_workspace
from visitplanner.usecases import make_plan

AFTER_SCHOOL_WINDOW = TimeWindow("after_school", time(15, 30), time(18))
TIMES = TimeSettings(windows=(AFTER_SCHOOL_WINDOW,))
AUTUMN = SchoolTerm(date(2026, 11, 2), date(2026, 12, 18), "autumn")
SPRING = SchoolTerm(date(2027, 1, 5), date(2027, 2, 12), "spring")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "camden"


def planned(policy: Policy, terms: tuple[SchoolTerm, ...], households: int = 1,
            seen_on: date = date(2026, 12, 10), weeks: int = 6) -> Schedule:
    children = tuple(child(f"C{i}", f"H{i}") for i in range(households))
    return plan(PlanRequest(
        policy, WorkingCalendar("ENG"), children, (worker("sw.a"),), (),
        tuple(seen(c.case_ref, seen_on) for c in children), seen_on + timedelta(days=1),
        weeks, seed=1, times=TIMES, terms=terms))


def after_school(visit: PlannedVisit) -> bool:
    """Flagged after school, and starting and ending inside the after-school window."""
    start, end = visit.start.astimezone(LONDON).time(), visit.end.astimezone(LONDON).time()
    inside = AFTER_SCHOOL_WINDOW.start <= start and end <= AFTER_SCHOOL_WINDOW.end
    return "after_school" in visit.flags and inside


def test_a_term_holds_its_first_and_last_days() -> None:
    assert in_term((AUTUMN,), date(2026, 11, 2))
    assert in_term((AUTUMN,), date(2026, 12, 18))
    assert not in_term((AUTUMN,), date(2026, 11, 1))
    assert not in_term((AUTUMN,), date(2026, 12, 19))
    assert in_term((), date(2026, 12, 25)), "no terms known: every day counts as a school day"


def test_without_term_dates_every_visit_to_a_child_at_school_is_after_school(
        camden: Policy) -> None:
    schedule = planned(camden, ())
    assert len(schedule.visits) >= 5
    assert all(after_school(v) for v in schedule.visits)


def test_in_term_after_school_and_in_the_holidays_at_any_time(camden: Policy) -> None:
    schedule = planned(camden, (AUTUMN, SPRING))
    in_term_visits = [v for v in schedule.visits if in_term((AUTUMN, SPRING), v.day)]
    holiday_visits = [v for v in schedule.visits if not in_term((AUTUMN, SPRING), v.day)]
    assert in_term_visits and holiday_visits
    assert all(after_school(v) for v in in_term_visits)
    assert not any("after_school" in v.flags for v in holiday_visits)
    # The day starts at 09:00: a holiday visit need not wait for the afternoon.
    assert min(v.start.astimezone(LONDON).time() for v in holiday_visits) == time(9)


def test_the_last_day_of_term_is_a_school_day_and_the_next_is_not(camden: Policy) -> None:
    # Seen Thu 10 Dec: the next visit comes on Thu 17 Dec.
    first = planned(camden, (SchoolTerm(AUTUMN.first, date(2026, 12, 17)),)).visits[0]
    assert first.day == date(2026, 12, 17) and after_school(first)
    first = planned(camden, (SchoolTerm(AUTUMN.first, date(2026, 12, 16)),)).visits[0]
    assert first.day == date(2026, 12, 17) and "after_school" not in first.flags


def test_in_the_holidays_a_worker_sees_more_school_age_households_in_a_day(
        camden: Policy) -> None:
    # Three households seen on Mon 21 Dec, planned for two weeks from Tue 22 Dec.  The
    # after-school window holds two visits (60 minutes with 30 of travel in 150 minutes), so
    # without term dates one household moves a day earlier; in the holidays all three share
    # the latest day the rules allow.
    def days(terms: tuple[SchoolTerm, ...]) -> list[date]:
        schedule = planned(camden, terms, households=3, seen_on=date(2026, 12, 21), weeks=2)
        return sorted(v.day for v in schedule.visits if v.day <= date(2026, 12, 24))

    assert days(()) == [date(2026, 12, 23), date(2026, 12, 24), date(2026, 12, 24)]
    assert days((AUTUMN, SPRING)) == [date(2026, 12, 24)] * 3


def test_the_example_terms_file_reaches_the_plan(tmp_path: Path) -> None:
    # The Camden example's terms.csv: autumn 2 ends Fri 18 Dec, spring 1 starts Tue 5 Jan.
    workspace = tmp_path / "camden"
    shutil.copytree(EXAMPLE, workspace)
    today = date(2026, 11, 23)
    with_terms = make_plan(load_workspace(workspace), today)
    (workspace / "terms.csv").unlink()
    without = make_plan(load_workspace(workspace), today)
    holidays = date(2026, 12, 19), date(2027, 1, 4)

    def in_holidays(schedule: Schedule) -> list[PlannedVisit]:
        return [v for v in schedule.visits if holidays[0] <= v.day <= holidays[1]]

    assert any("after_school" in v.flags for v in in_holidays(without))
    assert in_holidays(with_terms)
    assert not any("after_school" in v.flags for v in in_holidays(with_terms))

"""A worker's day holds no more visits than fit between day start and day end."""

from __future__ import annotations

from collections import Counter
from datetime import date, time

from planner_checks import child, worker

from visitplanner.core.model import LONDON, PlanType
from visitplanner.core.planning import PlanRequest, plan
from visitplanner.core.policy import Policy
from visitplanner.core.timeslots import TimeSettings, day_slots
from visitplanner.core.workdays import WorkingCalendar

LONG_VISITS = TimeSettings(day_start=time(9), day_end=time(17), visit_minutes=120,
                           travel_minutes=60)


def test_slots_count_the_travel_buffer_between_visits_only() -> None:
    # 09:00-11:00, 12:00-14:00, 15:00-17:00: three two-hour visits with an hour between
    assert day_slots(LONG_VISITS) == 3
    assert day_slots(TimeSettings(visit_minutes=60, travel_minutes=30)) == 5


def test_a_worker_is_not_given_more_visits_than_fit_in_the_working_day(camden: Policy) -> None:
    # Twelve CP households, never seen since their plans began: all due the same week.
    children = tuple(child(f"C{i}", f"H{i}", PlanType.CP) for i in range(12))
    # Each says they can make 6 visits a day; only 3 two-hour visits fit in 09:00-17:00.
    staff = (worker("sw.a", per_day=6), worker("sw.b", per_day=6))
    request = PlanRequest(camden, WorkingCalendar(), children, staff, (), (),
                          date(2026, 11, 23), 2, seed=1, times=LONG_VISITS)
    schedule = plan(request)
    per_day = Counter((v.worker_id, v.day) for v in schedule.visits)
    assert max(per_day.values()) <= 3
    assert all(v.end.astimezone(LONDON).time() <= time(17) for v in schedule.visits)

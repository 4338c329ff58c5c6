"""Counts the planner remembers for a plan give the answers counted afresh."""

from __future__ import annotations

from datetime import UTC, date, datetime

from visitplanner.core.model import LONDON
from visitplanner.core.policy.model import Interval, Policy, Unit
from visitplanner.core.rules import Context, end_of
from visitplanner.core.workdays import WorkingCalendar


def fresh_end(policy: Policy, interval: Interval, anchor: datetime) -> date:
    return end_of(Context(policy, WorkingCalendar()), policy.rules[0], interval, anchor)


def test_an_interval_from_one_instant_in_two_zones_ends_on_each_zones_date(
        camden: Policy) -> None:
    ctx = Context(camden, WorkingCalendar())
    in_utc = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 June in London
    days = Interval(10, Unit.CALENDAR_DAYS)
    ends = [end_of(ctx, camden.rules[0], days, at) for at in (in_utc, in_utc.astimezone(LONDON))]
    assert ends == [fresh_end(camden, days, in_utc),
                    fresh_end(camden, days, in_utc.astimezone(LONDON))]
    assert ends[0] != ends[1]


def test_hours_from_each_half_past_one_of_the_autumn_overlap_are_counted_apart(
        camden: Policy) -> None:
    ctx = Context(camden, WorkingCalendar())
    summer = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON)  # the clocks go back at 02:00
    winter = summer.replace(fold=1)  # an hour later, equal to ``summer`` in comparisons
    hours = Interval(23, Unit.HOURS)
    ends = [end_of(ctx, camden.rules[0], hours, at) for at in (summer, winter)]
    assert ends == [fresh_end(camden, hours, summer), fresh_end(camden, hours, winter)]
    assert ends[0] != ends[1]

"""Properties of working-day arithmetic that must hold for any region, closures and date."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from visitplanner.core.workdays import REGIONS, WorkingCalendar

ONE_DAY = timedelta(days=1)
DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
STEPS = st.integers(min_value=-300, max_value=300)
NONZERO_STEPS = STEPS.filter(lambda n: n != 0)
CALENDARS = st.builds(
    WorkingCalendar,
    region=st.sampled_from(REGIONS),
    closures=st.frozensets(DAYS, max_size=30),
)

# Holidays are cached per year, so examples are cheap after the first; no deadline flakiness.
PROPERTY = settings(deadline=None, max_examples=200)


@PROPERTY
@given(CALENDARS, DAYS, NONZERO_STEPS)
def test_adding_nonzero_working_days_lands_on_a_working_day(
    calendar: WorkingCalendar, day: date, n: int
) -> None:
    assert calendar.is_working_day(calendar.add_working_days(day, n))


@PROPERTY
@given(CALENDARS, DAYS, STEPS.filter(lambda n: n > 0))
def test_working_days_counted_after_the_start_equal_the_days_added(
    calendar: WorkingCalendar, day: date, n: int
) -> None:
    later = calendar.add_working_days(day, n)
    assert calendar.count_working_days(day + ONE_DAY, later) == n


@PROPERTY
@given(CALENDARS, DAYS, STEPS)
def test_adding_then_subtracting_returns_to_a_working_day(
    calendar: WorkingCalendar, day: date, n: int
) -> None:
    start = calendar.earliest_working_day_on_or_after(day)
    assert calendar.add_working_days(calendar.add_working_days(start, n), -n) == start


@PROPERTY
@given(CALENDARS, DAYS, STEPS, STEPS)
def test_adding_working_days_is_strictly_increasing_in_n(
    calendar: WorkingCalendar, day: date, n: int, m: int
) -> None:
    low, high = sorted((n, m))
    if low < high:
        assert calendar.add_working_days(day, low) < calendar.add_working_days(day, high)
    else:
        assert calendar.add_working_days(day, low) == calendar.add_working_days(day, high)


@PROPERTY
@given(CALENDARS, DAYS, st.integers(min_value=-10, max_value=400))
def test_fast_count_matches_checking_every_day(
    calendar: WorkingCalendar, start: date, length: int
) -> None:
    end = start + timedelta(days=length)
    listed = list(calendar.working_days(start, end))
    assert calendar.count_working_days(start, end) == len(listed)
    assert all(calendar.is_working_day(day) for day in listed)
    assert listed == sorted(set(listed))


@PROPERTY
@given(CALENDARS, DAYS)
def test_nearest_working_days_leave_no_working_day_between(
    calendar: WorkingCalendar, day: date
) -> None:
    before = calendar.latest_working_day_on_or_before(day)
    after = calendar.earliest_working_day_on_or_after(day)
    assert before <= day <= after
    assert calendar.is_working_day(before) and calendar.is_working_day(after)
    between = calendar.count_working_days(before, after)
    assert between == (1 if before == after else 2)

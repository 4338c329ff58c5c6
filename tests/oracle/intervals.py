"""The last day (inclusive) of an interval that begins at an anchor.

An interval is ``count`` units; ``days`` means the policy's ``days`` setting (calendar or
working days).  The counting convention (the rule's ``counting``, else the policy's) says
whether the anchor's day is day 0 or day 1:

- calendar days: day 0: ``anchor_day + n``; day 1: ``anchor_day + n - 1``.  Weeks are
  ``7 n`` calendar days the same way.
- months: ``anchor_day + relativedelta(months=n)`` (31 Jan + 1 month = 28 Feb), less one
  day under day 1.
- working days: day 0: the ``n``-th working day strictly after the anchor day.  Day 1:
  an anchor day that is a working day is day 1, so the ``(n - 1)``-th working day after
  it (``n = 1``: the day itself); an anchor day that is *not* a working day (a Saturday
  visit) is not day 1 of anything, so the ``n``-th working day after it.
- hours: ``n`` real hours after the anchor instant (through UTC, so a clock change does
  not shift them), on the London date they run out.  Counting conventions do not apply.

Worked example: 10 calendar days from Mon 2 Nov 2026 end Thu 12 Nov (day 0) or Wed 11 Nov
(day 1); 15 working days from Thu 17 Dec 2026 (England, 29-31 Dec closed) end Fri 15 Jan
2027 (day 0).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from oracle.calendar import Days
from visitplanner.core.model import LONDON
from visitplanner.core.policy import Counting, Interval, Policy, Rule, Unit


def unit_of(interval: Interval, policy: Policy) -> Unit:
    """The interval's unit with a bare ``days`` read as the policy's ``days`` setting."""
    return policy.days_unit if interval.unit is Unit.DAYS else interval.unit


def counting_of(rule: Rule, policy: Policy) -> Counting:
    """The rule's counting convention, else the policy's."""
    return rule.counting or policy.counting


def interval_end(anchor: datetime, interval: Interval, policy: Policy, counting: Counting,
                 days: Days) -> date:
    """The last day (inclusive) of ``interval`` counted from the instant ``anchor``."""
    unit, n = unit_of(interval, policy), interval.count
    if unit is Unit.HOURS:
        return hours_end(anchor, n)
    day = anchor.astimezone(LONDON).date()
    if unit is Unit.WORKING_DAYS:
        return working_days_end(day, n, counting, days)
    if unit is Unit.MONTHS:
        return months_end(day, n, counting)
    span = n * 7 if unit is Unit.WEEKS else n
    return calendar_days_end(day, span, counting)


def hours_end(anchor: datetime, hours: int) -> date:
    """The London date on which ``hours`` real hours after ``anchor`` run out."""
    return (anchor.astimezone(UTC) + timedelta(hours=hours)).astimezone(LONDON).date()


def calendar_days_end(day: date, n: int, counting: Counting) -> date:
    """``n`` calendar days from ``day``: ``day + n`` (day 0) or ``day + n - 1`` (day 1)."""
    return day + timedelta(days=n if counting is Counting.DAY_0 else n - 1)


def months_end(day: date, n: int, counting: Counting) -> date:
    """``n`` calendar months from ``day`` (end-of-month clipped), less a day under day 1."""
    later: date = day + relativedelta(months=n)
    return later if counting is Counting.DAY_0 else later - timedelta(days=1)


def working_days_end(day: date, n: int, counting: Counting, days: Days) -> date:
    """``n`` working days from ``day`` (see the module docstring for day 0 and day 1)."""
    if counting is Counting.DAY_1 and days.is_working_day(day):
        return days.nth_working_day_after(day, max(n - 1, 0))
    return days.nth_working_day_after(day, n)


def midnight(day: date) -> datetime:
    """00:00 London time on ``day``."""
    return datetime(day.year, day.month, day.day, tzinfo=LONDON)

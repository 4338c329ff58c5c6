"""The period a compliance report covers: two calendar dates, both inclusive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

#: Days in a report's week; weeks start on Monday (ISO weekday 1).
WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Period:
    """The calendar days ``first`` to ``last``, **both inclusive**.

    A deadline falls in the period when ``first <= due <= last``; what is known of the
    period is what was recorded (or, for a forecast, planned) up to and including ``last``.

    >>> p = Period(date(2026, 11, 2), date(2026, 11, 15))
    >>> p.days, p.holds(date(2026, 11, 15)), p.holds(date(2026, 11, 16))
    (14, True, False)
    >>> [str(week) for week in p.weeks()]
    ['2026-11-02', '2026-11-09']
    """

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"a period ends on or after its first day: {self.first} to "
                             f"{self.last}")

    @property
    def days(self) -> int:
        """Calendar days in the period, both ends counted."""
        return (self.last - self.first).days + 1

    def holds(self, day: date) -> bool:
        """True when ``day`` is inside the period (inclusive bounds)."""
        return self.first <= day <= self.last

    def weeks(self) -> tuple[date, ...]:
        """The Monday of every week (Monday to Sunday) that overlaps the period, in order."""
        monday = week_of(self.first)
        found = []
        while monday <= self.last:
            found.append(monday)
            monday += WEEK
        return tuple(found)


def week_of(day: date) -> date:
    """The Monday on or before ``day``: the first day of its week."""
    return day - timedelta(days=day.weekday())

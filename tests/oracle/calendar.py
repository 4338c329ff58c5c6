"""The oracle's own working-day calendar, on top of the ``holidays`` package.

A working day is Monday to Friday, not a bank holiday of the region (ENG, WLS, SCT or
NIR: the United Kingdom's subdivisions in ``holidays``) and not a closure day of the
authority.  Nothing here calls the planner's calendar.

Worked example (England, office shut 29-31 December 2026): Thu 24 Dec 2026 is a working
day; Fri 25 Dec, Mon 28 Dec (Boxing Day observed) and Fri 1 Jan 2027 are bank holidays;
29-31 Dec are closures; so the first working day after 24 Dec is Mon 4 Jan 2027.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import holidays

REGIONS = frozenset({"ENG", "WLS", "SCT", "NIR"})
#: Saturday and Sunday (``date.weekday()`` numbers).
WEEKEND = frozenset({5, 6})


@cache
def bank_holidays(region: str, year: int) -> frozenset[date]:
    """The bank holidays of ``region`` in ``year`` (calendar dates)."""
    if region not in REGIONS:
        raise ValueError(f"unknown holiday region {region!r}; use one of {sorted(REGIONS)}")
    return frozenset(holidays.country_holidays("GB", subdiv=region, years=year))


@dataclass(frozen=True, slots=True)
class Days:
    """Working days of one authority: weekdays that are neither bank holidays nor closures."""

    region: str
    closures: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        """True when ``day`` is Mon-Fri, not a bank holiday and not a closure."""
        return (day.weekday() not in WEEKEND and day not in self.closures
                and day not in bank_holidays(self.region, day.year))

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The ``n``-th working day strictly after ``day`` (``n = 0``: ``day`` itself).

        Counts working days only; ``day`` is never counted, working day or not.
        """
        found = day
        for _ in range(n):
            found = self.next_working_day(found)
        return found

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        later = day + timedelta(days=1)
        while not self.is_working_day(later):
            later += timedelta(days=1)
        return later

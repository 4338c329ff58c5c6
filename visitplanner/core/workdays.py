"""Working-day calendar: weekends, UK bank holidays and the authority's closure days.

Statutory timescales ("within 5 working days", "every 10 working days") are counted on this
calendar. A *working day* is a Monday to Friday that is neither a bank holiday of the
workspace's ``holiday_region`` nor one of the authority's closure days. Bank holidays come
from the ``holidays`` package, including substitute ("observed") days such as Monday
28 December 2026 for Boxing Day falling on a Saturday.

Vocabulary follows ``holidays``: every function says whether its bounds are inclusive and
whether it counts working or calendar days.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType

#: Weekdays are working days, bank holidays included: for an authority whose case system
#: counts bank holidays as working days (only weekends and closures are off).
NO_BANK_HOLIDAYS = "none"
# Bank-holiday regions of the UK as the ``holidays`` package names them. England and Wales
# share one set of bank holidays; "WLS" is accepted because a Welsh authority will write it.
REGIONS: tuple[str, ...] = ("ENG", "WLS", "SCT", "NIR", NO_BANK_HOLIDAYS)

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5  # date.weekday(): Monday is 0, so 5 and 6 are the weekend


#: A year's bank holidays: day -> English name.
YearTable = Mapping[date, str]

#: Tables given by :func:`remember_bank_holidays`, by (region, year): the package's own
#: answers, kept by the caller from an earlier run (see :mod:`visitplanner.inputs.holiday_cache`).
_GIVEN: dict[tuple[str, int], YearTable] = {}
#: Tables found from the package in this process, by (region, year).
_FOUND: dict[tuple[str, int], YearTable] = {}


@functools.lru_cache(maxsize=512)
def _bank_holidays(region: str, year: int) -> YearTable:
    """Bank holidays of ``region`` falling in calendar ``year`` (1 Jan to 31 Dec inclusive).

    A table given by :func:`remember_bank_holidays` is used as it is; otherwise the
    ``holidays`` package is asked, with the previous year generated too, so a substitute day
    pushed across New Year into ``year`` is not lost. The language is fixed because
    ``holidays`` otherwise reads it from the environment's locale, and the core never reads
    the environment.  Region :data:`NO_BANK_HOLIDAYS` has none.
    """
    if region == NO_BANK_HOLIDAYS:
        return MappingProxyType({})
    given = _GIVEN.get((region, year))
    if given is not None:
        return given
    # Imported when a year's holidays are first asked: importing the package and its
    # countries costs about 0.2 s, and sync and publish read the workspace, and its
    # calendar, without counting a working day.
    import holidays

    table = holidays.country_holidays("GB", subdiv=region, years=(year - 1, year), language="en_GB")
    found = MappingProxyType({day: str(name) for day, name in table.items() if day.year == year})
    _FOUND[(region, year)] = found
    return found


def remember_bank_holidays(tables: Mapping[tuple[str, int], YearTable]) -> None:
    """Use ``tables`` ((region, year) -> that year's bank holidays) instead of asking the
    ``holidays`` package for those years.  The caller vouches that they are the package's
    answers (the installed version's: see :mod:`visitplanner.inputs.holiday_cache`)."""
    _GIVEN.update({key: MappingProxyType(dict(table)) for key, table in tables.items()})
    _bank_holidays.cache_clear()


def bank_holidays_found() -> dict[tuple[str, int], YearTable]:
    """The tables found from the ``holidays`` package in this process (not those given),
    by (region, year): what a caller may keep for the next run."""
    return dict(_FOUND)


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """The working days of one local authority.

    A day is a working day when it is Monday to Friday, is not a bank holiday of ``region``
    (one of ``REGIONS``; "ENG" covers England and Wales) and is not in ``closures`` (days the
    authority is shut, such as 29 to 31 December). All arithmetic counts working days, never
    calendar days, unless a docstring says otherwise.

    Worked example, England, Christmas 2026 with the office shut 29 to 31 December:
    Thursday 24 December is a working day; Friday 25 December and Monday 28 December
    (Boxing Day's substitute) are bank holidays; 29 to 31 December are closures; Friday
    1 January 2027 is a bank holiday. So ``add_working_days(date(2026, 12, 24), 1)`` is
    Monday 4 January 2027, and ``count_working_days(date(2026, 12, 24), date(2027, 1, 4))``
    is 2 (both bounds inclusive: 24 December and 4 January).
    """

    region: str = "ENG"
    closures: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if self.region not in REGIONS:
            allowed = ", ".join(REGIONS)
            raise ValueError(
                f"unknown holiday region {self.region!r}: use one of {allowed} "
                "(ENG covers England and Wales)"
            )
        # Accept any iterable of dates from callers but keep the value hashable and immutable.
        object.__setattr__(self, "closures", frozenset(self.closures))

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day (not a weekend, bank holiday or closure).

        O(1): bank holidays are computed once per (region, year) and cached.

        Example: ``is_working_day(date(2026, 4, 3))`` is False (Good Friday);
        ``is_working_day(date(2028, 2, 29))`` is True (a Tuesday, leap day).
        """
        return (
            day.weekday() < _SATURDAY
            and day not in self.closures
            and day not in _bank_holidays(self.region, day.year)
        )

    def bank_holiday_name(self, day: date) -> str | None:
        """The bank holiday's English name on ``day``, or None if ``day`` is not one.

        Substitute days carry "(observed)". Weekends and closures are not bank holidays.

        Example: ``bank_holiday_name(date(2026, 12, 28))`` is "Boxing Day (observed)";
        ``bank_holiday_name(date(2026, 12, 29))`` is None even if the office is closed.
        """
        return _bank_holidays(self.region, day.year).get(day)

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (n > 0) or before it (n < 0).

        ``day`` itself is excluded from the count whether or not it is a working day, so
        the result is strictly after (n > 0) or strictly before (n < 0) ``day``. For n == 0,
        ``day`` is returned unchanged, even if it is not a working day.

        Example (England): ``add_working_days(date(2026, 4, 2), 1)`` is Tuesday 7 April 2026,
        skipping Good Friday, the weekend and Easter Monday; ``add_working_days(date(2026,
        4, 7), -1)`` is Thursday 2 April 2026; ``add_working_days(date(2026, 4, 4), 1)``
        (a Saturday) is also Tuesday 7 April.
        """
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def latest_working_day_on_or_before(self, day: date) -> date:
        """``day`` if it is a working day, else the closest working day before it.

        The bound is inclusive: ``day`` itself qualifies.

        Example (England): for Easter Monday 6 April 2026 the answer is Thursday 2 April 2026
        (Good Friday and the weekend are skipped); for Thursday 2 April it is 2 April.
        """
        while not self.is_working_day(day):
            day -= _ONE_DAY
        return day

    def earliest_working_day_on_or_after(self, day: date) -> date:
        """``day`` if it is a working day, else the closest working day after it.

        The bound is inclusive: ``day`` itself qualifies.

        Example (England): for Good Friday 3 April 2026 the answer is Tuesday 7 April 2026;
        for Tuesday 7 April it is 7 April.
        """
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def count_working_days(self, start: date, end: date) -> int:
        """How many working days lie from ``start`` to ``end``, both bounds inclusive.

        Returns 0 when ``end`` is before ``start``; 1 when start == end and it is a working
        day. Computed arithmetically, not day by day, so long ranges are cheap.

        Example (England): ``count_working_days(date(2026, 3, 30), date(2026, 4, 10))`` is 8:
        ten weekdays, less Good Friday (3 April) and Easter Monday (6 April).
        """
        if end < start:
            return 0
        return _count_weekdays(start, end) - len(self._weekday_non_working_days(start, end))

    def working_days(self, start: date, end: date) -> Iterator[date]:
        """Each working day from ``start`` to ``end``, both bounds inclusive, ascending.

        Yields nothing when ``end`` is before ``start``.

        Example (England): from Thursday 2 April to Tuesday 7 April 2026 yields 2 April and
        7 April only.
        """
        day = start
        while day <= end:
            if self.is_working_day(day):
                yield day
            day += _ONE_DAY

    def _weekday_non_working_days(self, start: date, end: date) -> set[date]:
        """Weekdays from ``start`` to ``end`` (inclusive) that are bank holidays or closures."""
        off = {day for day in self.closures if start <= day <= end}
        for year in range(start.year, end.year + 1):
            off.update(d for d in _bank_holidays(self.region, year) if start <= d <= end)
        return {day for day in off if day.weekday() < _SATURDAY}


def _count_weekdays(start: date, end: date) -> int:
    """Mondays to Fridays from ``start`` to ``end``, both inclusive; calendar arithmetic only."""
    days = (end - start).days + 1
    full_weeks, remainder = divmod(days, 7)
    first = start.weekday()
    partial = sum(1 for offset in range(remainder) if (first + offset) % 7 < _SATURDAY)
    return full_weeks * 5 + partial

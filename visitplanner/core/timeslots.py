"""Times of day: when in a worker's day each visit takes place.

Days are fixed by the planner; this module gives each visit a start and end
(Europe/London local time, so a 10:00 visit is 10:00 on both sides of a clock
change), per worker and day, never overlapping, with a travel buffer between.

- A household with a child at school is visited in the ``after_school`` time
  window in term time (a child at school is not at home to be seen); in the school
  holidays (outside every term of ``terms.csv``) at any time.
- An unannounced visit (every visit, where the policy prefers varied times) goes
  in one of the other named windows, at a start drawn from the plan's seed, so
  that families cannot learn a pattern while the same inputs give the same plan.
- A visit kept from the previous plan keeps its time when it is still free, so
  that re-planning does not shuffle workers' diaries.
- The rest follow one another from ``day_start``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from visitplanner.core.model import LONDON, Child, PlannedVisit, SchoolTerm

AFTER_SCHOOL = "after_school"
#: Education statuses of a child who is away at school on a school day.
AT_SCHOOL = frozenset({"school", "alternative"})
#: Children start school in the year they turn five: from four, assume school hours apply.
SCHOOL_AGE = 4
QUARTER = timedelta(minutes=15)

Busy = list[tuple[datetime, datetime]]


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A named part of the day, ``start`` to ``end`` (local times)."""

    name: str
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class TimeSettings:
    """Working-day times (Europe/London local) for placing visits."""

    day_start: time = time(9, 0)
    day_end: time = time(17, 0)
    visit_minutes: int = 60
    travel_minutes: int = 30
    windows: tuple[TimeWindow, ...] = ()

    @property
    def after_school(self) -> TimeWindow | None:
        return next((w for w in self.windows if w.name == AFTER_SCHOOL), None)

    @property
    def other_windows(self) -> list[TimeWindow]:
        return [w for w in self.windows if w.name != AFTER_SCHOOL]

    @property
    def length(self) -> timedelta:
        return timedelta(minutes=self.visit_minutes)

    @property
    def gap(self) -> timedelta:
        return timedelta(minutes=self.travel_minutes)


def at_school(child: Child, day: date) -> bool:
    """True when ``child`` is of school age and in education on ``day`` (a working day);
    whether the schools are open that day is :func:`in_term`'s question."""
    age = child.age_on(day)
    return child.education in AT_SCHOOL and age is not None and age >= SCHOOL_AGE


def in_term(terms: Sequence[SchoolTerm], day: date) -> bool:
    """True when ``day`` falls in one of ``terms`` (each inclusive at both ends, calendar
    days).  No terms given: every day is a school day, as before term dates were known."""
    return not terms or any(term.holds(day) for term in terms)


def any_term_day(terms: Sequence[SchoolTerm], first: date, last: date) -> bool:
    """True when some day from ``first`` to ``last`` (both inclusive, calendar days) is in
    term: a visit that may fall on any of them has to be planned as if after school."""
    return not terms or any(term.first <= last and first <= term.last for term in terms)


def window_slots(times: TimeSettings, start: time, end: time) -> int:
    """How many visits, with the travel buffer between them, fit from ``start`` to ``end``."""
    span = datetime.combine(date.min, end) - datetime.combine(date.min, start)
    return max(0, (span + times.gap) // (times.length + times.gap))


def after_school_slots(times: TimeSettings) -> int:
    """Visits that fit in the after-school window (0 when none is configured)."""
    window = times.after_school
    return window_slots(times, window.start, window.end) if window else 0


def day_slots(times: TimeSettings) -> int:
    """How many visits, with the travel buffer between them, fit from day start to day end."""
    return max(1, window_slots(times, times.day_start, times.day_end))


def draw(seed: int, *keys: object) -> random.Random:
    """A generator seeded by the plan seed and ``keys``: reproducible across runs and machines."""
    return random.Random("|".join(str(k) for k in (seed, *keys)))


def assign_times(visits: Sequence[PlannedVisit], times: TimeSettings, seed: int, vary: bool,
                 kept: Mapping[str, datetime]) -> list[PlannedVisit]:
    """Give each visit a start and end on its day, per worker, without overlaps.

    ``kept`` maps a visit id to the start it had in the previous plan (or the
    one a worker moved it to).  ``vary``: the policy prefers varied times of
    day, so every visit, not only unannounced ones, goes in a drawn window.
    """
    by_day: dict[tuple[str, date], list[PlannedVisit]] = {}
    for visit in sorted(visits, key=lambda v: (v.day, v.worker_id, v.id)):
        by_day.setdefault((visit.worker_id, visit.day), []).append(visit)
    out: list[PlannedVisit] = []
    for (_, day), group in sorted(by_day.items()):
        out.extend(_times_for_day(day, group, times, seed, vary, kept))
    return out


def _times_for_day(day: date, group: list[PlannedVisit], times: TimeSettings, seed: int,
                   vary: bool, kept: Mapping[str, datetime]) -> list[PlannedVisit]:
    """Kept times first, then after-school visits back to back from a drawn start, then
    visits bound to a drawn window, then the rest from the start of the day.

    Every visit lies inside the working day or one of the configured windows.  When drawn
    and kept times leave a visit no room there, the other visits are laid out compactly
    (each at the first free start of its windows, else of the working hours) around the
    kept ones, and failing that the whole day is; the planner's capacity
    (:func:`day_slots`, :func:`after_school_slots`) guarantees that the last fits.
    """
    placed = _lay_out(day, group, times, seed, vary, kept) or \
        _lay_out(day, group, times, seed, vary, kept, compact=True) or \
        _lay_out(day, group, times, seed, vary, {}, compact=True)
    assert placed is not None, "more visits than fit in the day: capacity was not kept"
    return placed


def _lay_out(day: date, group: list[PlannedVisit], times: TimeSettings, seed: int, vary: bool,
             kept: Mapping[str, datetime], compact: bool = False) -> list[PlannedVisit] | None:
    """The day's visits with times, or None when one finds no room in its allowed hours."""
    fresh_late = [v for v in group if AFTER_SCHOOL in v.flags and _kept(kept, v, day) is None]
    base = _after_school_start(day, fresh_late, times, seed) if fresh_late and not compact \
        else None
    busy: Busy = []
    placed = []
    for visit in sorted(group, key=lambda v: (_kept(kept, v, day) is None,
                                              AFTER_SCHOOL not in v.flags, v.announced, v.id)):
        windows = _windows_for(visit, times, seed, vary)
        wanted = _kept(kept, visit, day) or (
            datetime.combine(day, time.min, tzinfo=LONDON) if compact
            else _first_wish(day, visit, windows, base, times, seed))
        begin = _free_within(day, wanted, windows, times, busy) if windows else None
        if begin is None and AFTER_SCHOOL not in visit.flags:
            begin = _free_within(day, wanted, _working_hours(times), times, busy)
        if begin is None:
            return None
        busy.append((begin, begin + times.length))
        placed.append(replace(visit, start=begin, end=begin + times.length))
    return placed


def _working_hours(times: TimeSettings) -> list[TimeWindow]:
    """Where a visit with no window of its own may go: the working day (from the wished start,
    then from its beginning), then the other windows."""
    day = TimeWindow("working_day", times.day_start, times.day_end)
    return [day, day, *times.other_windows]


def _kept(kept: Mapping[str, datetime], visit: PlannedVisit, day: date) -> datetime | None:
    start = kept.get(visit.id)
    return start.astimezone(LONDON) if start is not None and start.astimezone(
        LONDON).date() == day else None


def _windows_for(visit: PlannedVisit, times: TimeSettings, seed: int,
                 vary: bool) -> list[TimeWindow]:
    """The windows a visit must fall in, in the order to try them (none: anywhere)."""
    after_school = times.after_school
    if after_school is not None and AFTER_SCHOOL in visit.flags:
        return [after_school]
    others = times.other_windows
    if not ((vary or not visit.announced) and others):
        return []
    rng = draw(seed, visit.id, "window")
    first = rng.choice(others)
    return [first, *sorted((w for w in others if w != first), key=lambda _: rng.random())]


def _first_wish(day: date, visit: PlannedVisit, windows: list[TimeWindow],
                base: datetime | None, times: TimeSettings, seed: int) -> datetime:
    if AFTER_SCHOOL in visit.flags and base is not None:
        return base
    if windows:
        return _drawn_start(day, windows[0], times, seed, visit.id)
    return datetime.combine(day, times.day_start, tzinfo=LONDON)


def _after_school_start(day: date, visits: list[PlannedVisit], times: TimeSettings,
                        seed: int) -> datetime:
    """The first after-school start: a drawn quarter hour that leaves room for every visit."""
    window = times.after_school
    assert window is not None
    needed = times.length * len(visits) + times.gap * (len(visits) - 1)
    room = datetime.combine(day, window.end) - datetime.combine(day, window.start)
    quarters = max(0, (room - needed) // QUARTER)
    offset = draw(seed, visits[0].id, "after_school").randint(0, quarters)
    return datetime.combine(day, window.start, tzinfo=LONDON) + QUARTER * offset


def _drawn_start(day: date, window: TimeWindow, times: TimeSettings, seed: int,
                 visit_id: str) -> datetime:
    """A start in ``window`` on a quarter hour, drawn per visit, that lets the visit end in it."""
    room = datetime.combine(day, window.end) - datetime.combine(day, window.start)
    quarters = max(0, (room - times.length) // QUARTER)
    offset = draw(seed, visit_id, "start").randint(0, quarters)
    return datetime.combine(day, window.start, tzinfo=LONDON) + QUARTER * offset


def _free_within(day: date, wanted: datetime, windows: list[TimeWindow], times: TimeSettings,
                 busy: Busy) -> datetime | None:
    """The first free quarter-hour start, from ``wanted``, that keeps the visit inside one of
    ``windows`` (tried in order, each from its start after the first); None if none fits."""
    for index, window in enumerate(windows):
        start = datetime.combine(day, window.start, tzinfo=LONDON)
        if index == 0:
            start = max(start, wanted)
        # The last start that still ends inside the window (the same arithmetic as adding
        # the visit's length to each start, done once).
        last = datetime.combine(day, window.end, tzinfo=LONDON) - times.length
        while start <= last:
            if _is_free(start, times, busy):
                return start
            start += QUARTER
    return None


def _is_free(start: datetime, times: TimeSettings, busy: Busy) -> bool:
    """True when a visit from ``start`` leaves the travel gap before and after every busy
    span (inclusive bounds: a visit may start exactly a gap after one ends)."""
    gap = times.gap
    done = start + times.length + gap
    return all(done <= begins or start >= ends + gap for begins, ends in busy)

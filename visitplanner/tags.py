"""Unannounced visits and times of day: placed after the days are fixed.

Unannounced visits meet each quota (e.g. at least one in any 3 months) in every
rolling window.  Which visit in a window is unannounced is drawn at random so
that families cannot learn a pattern, from a generator seeded by the plan's
seed, the household and the window, so the same inputs give the same plan.

Times: each worker's visits on a day get start times from ``day_start``, a
visit length and a travel buffer, never overlapping.  Where the policy prefers
varied times of day, unannounced visits are put in a named time window (early
morning, after school...) drawn the same reproducible way.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from visitplanner.cover import Staff
from visitplanner.model import LONDON, Child, PlannedVisit
from visitplanner.policy.model import RuleKind
from visitplanner.rules import Context, Fact, matches, quota


@dataclass(frozen=True, slots=True)
class TimeWindow:
    name: str
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class TimeSettings:
    """Working-day times (Europe/London local) for placing visits.

    A window named ``after_school`` is where visits to households with a
    child at school go (a child at school is not at home to be seen).
    """

    day_start: time = time(9, 0)
    day_end: time = time(17, 0)
    visit_minutes: int = 60
    travel_minutes: int = 30
    windows: tuple[TimeWindow, ...] = ()

    @property
    def after_school(self) -> TimeWindow | None:
        return next((w for w in self.windows if w.name == AFTER_SCHOOL), None)


AFTER_SCHOOL = "after_school"
#: Education statuses of a child who is away at school on a school day.
AT_SCHOOL = frozenset({"school", "alternative"})
#: Children start school in the year they turn five: from four, assume school hours apply.
SCHOOL_AGE = 4


def at_school(child: Child, day: date) -> bool:
    """True when ``child`` is likely at school on ``day`` (a working day; term dates unknown)."""
    age = child.age_on(day)
    return child.education in AT_SCHOOL and age is not None and age >= SCHOOL_AGE


def window_slots(times: TimeSettings, start: time, end: time) -> int:
    """How many visits, with the travel buffer between them, fit from ``start`` to ``end``."""
    span = datetime.combine(date.min, end) - datetime.combine(date.min, start)
    visit = timedelta(minutes=times.visit_minutes)
    gap = timedelta(minutes=times.travel_minutes)
    return max(0, (span + gap) // (visit + gap))


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


def tag_unannounced(ctx: Context, children: Sequence[Child],
                    histories: Mapping[str, tuple[Fact, ...]], visits: Sequence[PlannedVisit],
                    seed: int, today: date, end: date) -> list[PlannedVisit]:
    """Mark visits unannounced so that every child's unannounced quota holds in every window.

    For each child and quota, walk forward: the next unannounced visit is due
    by the quota's deadline (from the last unannounced visit); pick one of the
    household's planned visits on or before it at random, and repeat from
    there.  When the deadline has passed already, the first planned visit is
    used (the quota is then late; the shortfall report shows the cadence).
    """
    unannounced: set[str] = set()
    by_household: dict[str, list[PlannedVisit]] = {}
    for visit in sorted(visits, key=lambda v: (v.start, v.id)):
        by_household.setdefault(visit.household, []).append(visit)
    # Siblings share visits: the child whose quota falls due first picks first, so
    # that one unannounced visit serves the whole household where it can.
    for child in sorted(children, key=lambda c: (c.household, _quota_due(ctx, c, histories, today),
                                                 c.case_ref)):
        planned = by_household.get(child.household, [])
        recorded = _recorded(histories, child)
        for rule in ctx.policy.rules_of(RuleKind.QUOTA):
            if rule.at_least and rule.applies_to(child, today) and rule.counts.announced is False:
                unannounced |= _pick(ctx, rule, child, recorded, planned, unannounced, seed,
                                     end)
    return [replace(v, announced=False) if v.id in unannounced else v for v in visits]


def _recorded(histories: Mapping[str, tuple[Fact, ...]], child: Child) -> tuple[Fact, ...]:
    return tuple(f for f in histories.get(child.case_ref, ()) if not f.planned)


def _quota_due(ctx: Context, child: Child, histories: Mapping[str, tuple[Fact, ...]],
               today: date) -> date:
    dues = [d.due for r in ctx.policy.rules_of(RuleKind.QUOTA)
            if r.at_least and r.applies_to(child, today)
            and (d := quota(ctx, r, child, _recorded(histories, child), today)) and d.due]
    return min(dues, default=date.max)


def _pick(ctx: Context, rule: object, child: Child, recorded: tuple[Fact, ...],
          planned: list[PlannedVisit], chosen: set[str], seed: int, end: date) -> set[str]:
    from visitplanner.policy.model import Rule

    assert isinstance(rule, Rule)
    picked = set(chosen)
    history = list(recorded)
    while True:
        facts = tuple(sorted(history + [_fact(v, v.id in picked) for v in planned],
                             key=lambda f: f.at))
        last = max((f.day for f in facts if matches(rule.counts, f)), default=None)
        deadline = quota(ctx, rule, child, facts, last or date.min)
        if deadline is None or deadline.due is None or not planned or deadline.due > end:
            return picked  # due after the plan ends: a later plan places it
        window = [v for v in planned if (last is None or v.day > last) and v.day <= deadline.due]
        if not window:
            later = [v for v in planned if (last is None or v.day > last)]
            if not later or later[0].day <= deadline.due:
                return picked
            window = later[:1]
        choice = draw(seed, child.household, rule.id, deadline.due).choice(window)
        picked.add(choice.id)


def _fact(visit: PlannedVisit, unannounced: bool) -> Fact:
    from visitplanner.model import Location, Outcome

    return Fact(visit.start, Location.HOME, not unannounced, Outcome.COMPLETED, None,
                frozenset(), planned=True, worker_id=visit.worker_id)


def assign_times(visits: Sequence[PlannedVisit], staff: Staff, times: TimeSettings, seed: int,
                 vary: bool) -> list[PlannedVisit]:
    """Give each visit a start and end on its day, per worker, without overlaps.

    Visits whose start was kept from the previous plan keep it when it is
    free; the rest follow one another from ``day_start`` with the travel
    buffer between them.  With ``vary``, unannounced visits go in a time
    window drawn per visit.  Times are local (Europe/London): a 10:00 visit is
    10:00 on both sides of a clock change.
    """
    del staff
    by_day: dict[tuple[str, date], list[PlannedVisit]] = {}
    for visit in sorted(visits, key=lambda v: (v.day, v.worker_id, v.id)):
        by_day.setdefault((visit.worker_id, visit.day), []).append(visit)
    out: list[PlannedVisit] = []
    for (_, day), group in sorted(by_day.items()):
        out.extend(_times_for_day(day, group, times, seed, vary))
    return out


def _times_for_day(day: date, group: list[PlannedVisit], times: TimeSettings, seed: int,
                   vary: bool) -> list[PlannedVisit]:
    """Times for one worker's visits on one day: after-school visits back to back from a
    drawn start that leaves room for all of them, then visits bound to a drawn window
    (unannounced, or all where the policy prefers variety), then the rest from day start."""
    length = timedelta(minutes=times.visit_minutes)
    gap = timedelta(minutes=times.travel_minutes)
    busy: list[tuple[datetime, datetime]] = []
    placed: list[PlannedVisit] = []
    late = sorted((v for v in group if AFTER_SCHOOL in v.flags), key=lambda v: v.id)
    start = _after_school_start(day, late, times, seed) if late else None
    for visit in late:
        assert start is not None
        begin = _first_free(start, length, gap, busy)
        busy.append((begin, begin + length))
        placed.append(replace(visit, start=begin, end=begin + length))
    rest = sorted((v for v in group if AFTER_SCHOOL not in v.flags),
                  key=lambda v: (v.announced, v.id))
    for visit in rest:
        wanted = _wanted_start(day, visit, times, seed, vary)
        begin = _free_in_windows(day, visit, wanted, times, seed, vary, busy) or \
            _first_free(wanted, length, gap, busy)
        busy.append((begin, begin + length))
        placed.append(replace(visit, start=begin, end=begin + length))
    return placed


def _free_in_windows(day: date, visit: PlannedVisit, wanted: datetime, times: TimeSettings,
                     seed: int, vary: bool, busy: list[tuple[datetime, datetime]]
                     ) -> datetime | None:
    """For a window-bound visit: the first free quarter-hour start, from the drawn one, that
    keeps the visit inside a window (its own first, then the others in drawn order)."""
    windows = [w for w in times.windows if w.name != AFTER_SCHOOL]
    if not ((vary or not visit.announced) and windows):
        return None
    length = timedelta(minutes=times.visit_minutes)
    gap = timedelta(minutes=times.travel_minutes)
    rng = draw(seed, visit.id, "window")
    first = rng.choice(windows)
    order = [first, *sorted((w for w in windows if w != first), key=lambda _: rng.random())]
    for window in order:
        start = max(wanted, datetime.combine(day, window.start, tzinfo=LONDON)) \
            if window == first else datetime.combine(day, window.start, tzinfo=LONDON)
        end = datetime.combine(day, window.end, tzinfo=LONDON)
        while start + length <= end:
            if all(start + length + gap <= b or start >= e + gap for b, e in busy):
                return start
            start += timedelta(minutes=15)
    return None


def _after_school_start(day: date, visits: list[PlannedVisit], times: TimeSettings,
                        seed: int) -> datetime:
    """The first after-school start: a drawn quarter hour that leaves room for every visit."""
    window = times.after_school
    assert window is not None
    needed = len(visits) * times.visit_minutes + (len(visits) - 1) * times.travel_minutes
    room = datetime.combine(day, window.end) - datetime.combine(day, window.start)
    quarters = max(0, int((room - timedelta(minutes=needed)) / timedelta(minutes=15)))
    offset = draw(seed, visits[0].id, "after_school").randint(0, quarters)
    return datetime.combine(day, window.start, tzinfo=LONDON) + timedelta(minutes=15 * offset)


def _wanted_start(day: date, visit: PlannedVisit, times: TimeSettings, seed: int,
                  vary: bool) -> datetime:
    """A drawn window for an unannounced visit (for every visit where the policy prefers varied
    times) other than the after-school one; else the kept time, else the day's start."""
    windows = [w for w in times.windows if w.name != AFTER_SCHOOL]
    if (vary or not visit.announced) and windows:
        return _drawn_start(day, draw(seed, visit.id, "window").choice(windows), times, seed,
                            visit.id)
    kept = visit.start.astimezone(LONDON)
    if kept.date() == day and kept.timetz().replace(tzinfo=None) != times.day_start:
        return kept
    return datetime.combine(day, times.day_start, tzinfo=LONDON)


def _drawn_start(day: date, window: TimeWindow, times: TimeSettings, seed: int,
                 visit_id: str) -> datetime:
    """A start in ``window`` on a quarter hour, drawn per visit, that lets the visit end in it."""
    latest = datetime.combine(day, window.end) - timedelta(minutes=times.visit_minutes)
    earliest = datetime.combine(day, window.start)
    quarters = max(0, int((latest - earliest) / timedelta(minutes=15)))
    offset = draw(seed, visit_id, "start").randint(0, quarters)
    return (earliest + timedelta(minutes=15 * offset)).replace(tzinfo=LONDON)


def _first_free(wanted: datetime, length: timedelta, gap: timedelta,
                busy: list[tuple[datetime, datetime]]) -> datetime:
    """The first start at or after ``wanted`` that keeps ``gap`` from every busy interval."""
    start = wanted
    for begin, end in sorted(busy):
        if start + length + gap <= begin or start >= end + gap:
            continue
        start = end + gap
    return start

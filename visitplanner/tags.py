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
    """Working-day times (Europe/London local) for placing visits."""

    day_start: time = time(9, 0)
    day_end: time = time(17, 0)
    visit_minutes: int = 60
    travel_minutes: int = 30
    windows: tuple[TimeWindow, ...] = ()


def day_slots(times: TimeSettings) -> int:
    """How many visits, with the travel buffer between them, fit from day start to day end."""
    day = datetime.combine(date.min, times.day_end) - datetime.combine(date.min, times.day_start)
    visit = timedelta(minutes=times.visit_minutes)
    gap = timedelta(minutes=times.travel_minutes)
    return max(1, (day + gap) // (visit + gap))


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
    length = timedelta(minutes=times.visit_minutes)
    gap = timedelta(minutes=times.travel_minutes)
    busy: list[tuple[datetime, datetime]] = []
    placed: list[PlannedVisit] = []
    for visit in sorted(group, key=lambda v: (v.announced, v.id)):
        wanted = _wanted_start(day, visit, times, seed, vary)
        start = _first_free(wanted, length, gap, busy)
        busy.append((start, start + length))
        placed.append(replace(visit, start=start, end=start + length))
    return placed


def _wanted_start(day: date, visit: PlannedVisit, times: TimeSettings, seed: int,
                  vary: bool) -> datetime:
    if vary and not visit.announced and times.windows:
        window = draw(seed, visit.id, "window").choice(list(times.windows))
        return datetime.combine(day, window.start, tzinfo=LONDON)
    kept = visit.start.astimezone(LONDON)
    if kept.date() == day and kept.timetz().replace(tzinfo=None) != times.day_start:
        return kept
    return datetime.combine(day, times.day_start, tzinfo=LONDON)


def _first_free(wanted: datetime, length: timedelta, gap: timedelta,
                busy: list[tuple[datetime, datetime]]) -> datetime:
    """The first start at or after ``wanted`` that keeps ``gap`` from every busy interval."""
    start = wanted
    for begin, end in sorted(busy):
        if start + length + gap <= begin or start >= end + gap:
            continue
        start = end + gap
    return start

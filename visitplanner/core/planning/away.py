"""Visits away from the family home, where the child's plan sets a cadence for them.

A child's plan may ask for visits away from the family home (at school, a contact centre, a
café) as direct work beside the statutory home visits: children.csv ``away_visits_every``.
They are planned after every statutory visit has its day, in the room the allocated worker
has left, so that they never take a statutory visit's place; they are not statutory and
count toward no rule that counts home visits (their facts are away from home).  The policy's
"at most K visits away from home in any window" limits hold: a day is taken only when no
window holding the new visit would hold more than K (Walsall: "up to once a month").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from visitplanner.core.cover import Staff, can_visit
from visitplanner.core.history import matches
from visitplanner.core.model import (
    LONDON,
    Child,
    ChildChecks,
    Location,
    Outcome,
    PlannedVisit,
    VisitKind,
    Worker,
)
from visitplanner.core.planning.state import EMPTY, PlanRequest, State, noon, school_day
from visitplanner.core.planning.visits import visit_id_for
from visitplanner.core.policy.model import Interval, Rule, RuleKind, Unit
from visitplanner.core.rules import Context, Fact, end_of, plan_anchor
from visitplanner.core.timeslots import AFTER_SCHOOL, at_school


def plan_away_visits(ctx: Context, request: PlanRequest, staff: Staff, state: State) -> None:
    """Add each child's visits away from home for the plan (today .. end, inclusive calendar
    days) to ``state``: its visits, bookings and histories.  Children in case-ref order."""
    busy = {(v.household, v.day) for v in state.visits}
    for child in sorted(request.children, key=lambda c: c.case_ref):
        worker = staff.workers.get(child.allocated_worker or "")
        if child.away_visits_every is None or worker is None or child.plan_start > request.end:
            continue
        kept = previous_away_visits(request, child)
        while (visit := next_away_visit(ctx, request, staff, state, child, worker, kept, busy)):
            state.visits.append(visit)
            state.used_ids.add(visit.id)
            state.bookings.book(worker.id, visit.day, AFTER_SCHOOL in visit.flags)
            busy.add((visit.household, visit.day))
            state.histories[child.case_ref] = state.histories.get(
                child.case_ref, EMPTY).plus(away_fact(visit.start, worker))


def previous_away_visits(request: PlanRequest, child: Child) -> list[PlannedVisit]:
    """The previous plan's visits away from home for ``child`` from today on, in time order,
    leaving out any already recorded (by its visit id)."""
    if request.previous is None:
        return []
    recorded = {v.visit_id for v in request.visits}
    return sorted((v for v in request.previous.visits
                   if v.kind is VisitKind.AWAY_FROM_HOME and v.case_refs == (child.case_ref,)
                   and v.day >= request.today and v.id not in recorded),
                  key=lambda v: (v.start, v.id))


def next_away_visit(ctx: Context, request: PlanRequest, staff: Staff, state: State,
                    child: Child, worker: Worker, kept: list[PlannedVisit],
                    busy: set[tuple[str, date]]) -> PlannedVisit | None:
    """The child's next visit away from home inside the plan, or None when none fits.

    Due ``away_visits_every`` after the last one that took place (recorded or planned; the
    plan's start when none did).  Its window runs from halfway there (and from today) to the
    due day, inclusive.  The previous plan's next visit is kept when it still fits in the
    window (or, once the due day has passed, anywhere up to the plan's end); else the
    latest day in the window with room; else the first day after it with room, up to the
    plan's end.  A day fits when the allocated worker works and has room (after school for
    a school-age child), the household has no other visit that day, and no limit breaks.
    """
    history = state.histories.get(child.case_ref, EMPTY)
    last = last_away_visit(history)
    anchor = last.at if last is not None else plan_anchor(ctx, child)
    assert child.away_visits_every is not None
    every = Interval(child.away_visits_every.count, Unit(child.away_visits_every.unit))
    due = every.add_to(anchor, ctx.calendar, ctx.policy.counting)
    first = max(request.today, anchor.date() + timedelta(days=max(1, (due - anchor.date()).days
                                                                  // 2)))
    if first > request.end:
        return None

    def fits(day: date) -> bool:
        after_school = wants_after_school(request, child, day)
        return (child.household, day) not in busy and \
            can_visit(staff, state.bookings, worker.id, day, after_school) and \
            not breaks_a_limit(ctx, child, history, away_fact(noon(day), worker))

    while kept and kept[0].day < first:
        kept.pop(0)  # made early, or moved before the window: answered by the last visit
    if kept and kept[0].day <= (due if due >= first else request.end) and fits(kept[0].day):
        previous = kept.pop(0)
        state.kept_starts[previous.id] = previous.start
        return away_visit(request, child, worker, previous.day, due, previous.id)
    day = next((d for d in days_back(min(due, request.end), first) if fits(d)), None) or \
        next((d for d in days_on(max(due + timedelta(days=1), first), request.end)
              if fits(d)), None)
    if day is None:
        return None
    return away_visit(request, child, worker, day, due,
                      visit_id_for(f"{child.household}/{child.case_ref}", due,
                                   VisitKind.AWAY_FROM_HOME, state.used_ids))


def last_away_visit(history: Sequence[Fact]) -> Fact | None:
    """The last visit away from home that took place (a failed one did not)."""
    return next((f for f in reversed(history)
                 if f.location is Location.ELSEWHERE and not f.outcome.failed), None)


def breaks_a_limit(ctx: Context, child: Child, history: Sequence[Fact], new: Fact) -> bool:
    """True when adding ``new`` would put more than K counting visits in one window of an
    "at most K" quota that applies to the child on the new visit's day (each window starts
    at a counting visit and ends ``window`` later, inclusive, as the quota counts it)."""
    facts = sorted((*history, new), key=lambda f: f.at)
    return any(_overfull(ctx, rule, facts, new) for rule in ctx.policy.rules_of(RuleKind.QUOTA)
               if rule.at_most and rule.window and rule.applies_to(child, new.day))


def _overfull(ctx: Context, rule: Rule, facts: Sequence[Fact], new: Fact) -> bool:
    assert rule.at_most is not None and rule.window is not None
    counted = [f for f in facts if matches(rule.counts, f)]
    if new not in counted:
        return False
    at = counted.index(new)
    # Only windows that hold the new visit: from the K visits before it up to itself.
    for start in range(max(0, at - rule.at_most), at + 1):
        last = start + rule.at_most
        if last < len(counted) and counted[last].day <= \
                end_of(ctx, rule, rule.window, counted[start].at):
            return True
    return False


def wants_after_school(request: PlanRequest, child: Child, day: date) -> bool:
    """True when the visit must take the after-school window (a school-age child on a
    school day in term, where the settings give one)."""
    return at_school(child, day) and school_day(request, day)


def away_fact(at: datetime, worker: Worker) -> Fact:
    """A planned visit away from home, as the history counts it (the child seen)."""
    return Fact(at, Location.ELSEWHERE, True, Outcome.COMPLETED, worker.role, frozenset(),
                planned=True, worker_id=worker.id)


def away_visit(request: PlanRequest, child: Child, worker: Worker, day: date, due: date,
               visit_id: str) -> PlannedVisit:
    start = datetime.combine(day, request.times.day_start, tzinfo=LONDON)
    flags = (AFTER_SCHOOL,) if wants_after_school(request, child, day) else ()
    return PlannedVisit(
        id=visit_id, household=child.household, case_refs=(child.case_ref,), start=start,
        end=start + timedelta(minutes=request.times.visit_minutes), worker_id=worker.id,
        team=worker.team, kind=VisitKind.AWAY_FROM_HOME, announced=True,
        checks=(ChildChecks(child.case_ref, ()),),
        # Not statutory: no rule is breached when it comes after the plan's wish, so it is
        # never "late"; it serves no rule, so it gives no reasons.
        due_by=max(due, day), reasons=(), flags=flags)


def days_back(last: date, first: date) -> list[date]:
    """``last`` down to ``first``, both inclusive (calendar days); empty when first > last."""
    return [last - timedelta(days=n) for n in range((last - first).days + 1)]


def days_on(first: date, last: date) -> list[date]:
    """``first`` up to ``last``, both inclusive (calendar days); empty when first > last."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]

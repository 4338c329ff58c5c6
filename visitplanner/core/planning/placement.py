"""Placement and cover: the latest safe day for a need, with the allocated worker, a colleague or
the team manager, and last the duty rota on a day the office is shut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from visitplanner.core.cover import (
    Bookings,
    Staff,
    absent_in,
    can_visit_on_duty,
    cover_order,
    earliest_day,
    home_team,
    latest_day,
    on_duty,
    role_fits,
)
from visitplanner.core.model import DUTY_FLAG, Child, Worker
from visitplanner.core.planning.reconcile import kept_slot, still_safe, take_previous_visit
from visitplanner.core.planning.state import (
    DECISION_REJECTED_FLAG,
    EMPTY,
    Need,
    PlanRequest,
    Slot,
    State,
    after_school_between,
)


def place(request: PlanRequest, staff: Staff, children: Sequence[Child], need: Need,
           state: State) -> Slot | None:
    """Where the need goes: the previous plan's slot if it still fits, else a fresh slot.

    A fresh slot for a need the previous plan had served keeps that visit's id,
    so a calendar updates the event in place instead of cancelling it.
    """
    previous = take_previous_visit(need, state)
    allocated = allocated_worker(staff, children, need)
    kept = kept_slot(request, staff, need, previous, allocated, state) \
        if previous is not None else None
    if kept is not None and still_safe(request, staff, need, previous, kept):
        return kept
    slot = fresh_slot(request, staff, children, need, state)
    if kept is not None and (slot is None or slot.day > need.target):
        return kept  # a fresh slot would be no safer: keep what the worker already sees
    if slot is None or previous is None:
        return slot
    rejected = ("moved_by_worker_rejected",) if previous.id in request.moves else \
        (DECISION_REJECTED_FLAG,) if previous.id in request.directives else ()
    return replace(slot, reuse_id=previous.id, flags=(*slot.flags, *rejected))


def fresh_slot(request: PlanRequest, staff: Staff, children: Sequence[Child], need: Need,
                state: State) -> Slot | None:
    """The latest safe slot: up to the target, then up to the deadline, then the duty rota
    (up to the target, then up to the deadline), then after the deadline."""
    allocated = allocated_worker(staff, children, need)
    team = home_team(staff, children, allocated)
    familiar = frozenset().union(*(state.histories.get(c.case_ref, EMPTY).visitors()
                                   for c in children))
    windows = safe_windows(request, need)
    for first, last in windows:
        slot = slot_within(staff, state.bookings, allocated, team, familiar, need, first, last)
        if slot is not None:
            return slot
    duty_starts = duty_from(request, children, need)
    if duty_starts is not None and working_day_after_plan(request, need) is None:
        for first, last in windows:
            slot = duty_slot(request, staff, state.bookings, allocated, team, familiar, need,
                             max(first, duty_starts), last)
            if slot is not None:
                return slot
    return slot_after_deadline(request, staff, state.bookings, allocated, team, need)


def safe_windows(request: PlanRequest, need: Need) -> tuple[tuple[date, date], ...]:
    """Up to the target, then the margin up to the deadline (inclusive bounds, calendar days);
    never past the plan's last day: a visit after it belongs to the next plan."""
    return ((need.earliest, min(need.target, request.end)),
            (max(need.earliest, need.target + timedelta(days=1)), min(need.due, request.end)))


def duty_from(request: PlanRequest, children: Sequence[Child], need: Need) -> date | None:
    """The first day the policy lets the duty rota visit for a deadline of this need: the
    plan start of a child with such a deadline whose plan type ``[policy.duty]`` lists (the
    visit then sees the household), the earliest of them; None when there is none.  Before
    the plan starts the duty rota has no reason to call."""
    duty = request.policy.duty
    by_ref = {c.case_ref: c for c in children}
    starts = [by_ref[d.case_ref].plan_start for d in need.reasons
              if d.case_ref in by_ref and duty.allows(by_ref[d.case_ref].plan_type)]
    return min(starts, default=None)


def working_day_after_plan(request: PlanRequest, need: Need) -> date | None:
    """The last working day up to the deadline (inclusive) when it is after the plan's last
    day, else None.  Such a need is the next plan's, which may meet it on that working day:
    the duty rota is kept for deadlines that no working day can meet."""
    last = request.calendar.latest_working_day_on_or_before(need.due)
    return last if last > request.end else None


def duty_slot(request: PlanRequest, staff: Staff, bookings: Bookings, allocated: Worker | None,
              team: str, familiar: frozenset[str], need: Need, first: date,
              last: date) -> Slot | None:
    """The latest day in ``first``..``last`` (inclusive) the policy lets the duty rota visit
    on and a worker on duty whose role fits has a visit left; on that day the allocated
    worker, then one who knows the family, then one of the home team, then the least
    loaded (then by worker id)."""
    day = last
    while day >= first:
        if request.policy.duty.covers_day(day, request.calendar):
            found = [staff.workers[w] for w in on_duty(staff, day)
                     if role_fits(staff.workers[w], need.roles)
                     and can_visit_on_duty(staff, bookings, w, day, need.after_school)]
            if found:
                worker = min(found, key=lambda w: (
                    allocated is None or w.id != allocated.id, w.id not in familiar,
                    w.team != team, bookings.load(w.id), w.id))
                base = () if allocated is not None else ("unallocated",)
                return Slot(day, worker.id, (*base, DUTY_FLAG))
        day -= timedelta(days=1)
    return None


def allocated_worker(staff: Staff, children: Sequence[Child], need: Need) -> Worker | None:
    """The household's allocated worker (the first child's that is known), if the role fits."""
    for child in children:
        worker = staff.workers.get(child.allocated_worker or "")
        if worker is not None:
            return worker if role_fits(worker, need.roles) else None
    return None


def slot_within(staff: Staff, bookings: Bookings, allocated: Worker | None, team: str,
            familiar: frozenset[str], need: Need, first: date, last: date) -> Slot | None:
    """The latest safe slot in ``first``..``last`` (inclusive): the allocated worker (moved
    forward no further than halfway since the last visit), a colleague, the manager, and
    only then the allocated worker moved further forward: no family is visited twice in a
    few days because their worker will be away."""
    if first > last:
        return None
    halfway = max(first, need.halfway or first)
    slot = allocated_slot(staff, bookings, allocated, need, halfway, last)
    if slot is not None:
        return slot
    cover = cover_slot(staff, bookings, allocated, team, familiar, need, first, last)
    if cover is not None:
        return cover
    return allocated_slot(staff, bookings, allocated, need, first, halfway - timedelta(days=1))


def allocated_slot(staff: Staff, bookings: Bookings, allocated: Worker | None, need: Need,
                    first: date, last: date) -> Slot | None:
    if allocated is None or first > last:
        return None
    day = latest_day(staff, bookings, allocated.id, first, last, need.after_school)
    if day is None:
        return None
    moved = moved_for_absence(staff, allocated.id, day, need.target)
    return Slot(day, allocated.id, ("moved_earlier_for_absence",) if moved else ())


def cover_slot(staff: Staff, bookings: Bookings, allocated: Worker | None, team: str,
                familiar: frozenset[str], need: Need, first: date, last: date) -> Slot | None:
    """A colleague's latest slot, else the team manager's."""
    base = () if allocated is not None else ("unallocated",)
    colleagues = [w for w in staff.colleagues(team, need.roles)
                  if allocated is None or w.id != allocated.id]
    best = best_cover(staff, bookings, colleagues, familiar, first, last, need.after_school)
    if best is not None:
        return replace(best, flags=(*base, "cover"))
    manager = staff.team_manager(team)
    if manager is not None and role_fits(manager, need.roles):
        day = latest_day(staff, bookings, manager.id, first, last, need.after_school)
        if day is not None:
            return Slot(day, manager.id, (*base, "manager_cover"))
    return None


def best_cover(staff: Staff, bookings: Bookings, colleagues: Sequence[Worker],
                familiar: frozenset[str], first: date, last: date,
                after_school: bool) -> Slot | None:
    """The latest day any colleague can cover; on that day, the preferred colleague."""
    best: Slot | None = None
    for worker in cover_order(colleagues, familiar, bookings):
        day = latest_day(staff, bookings, worker.id, first, last, after_school)
        if day is not None and (best is None or day > best.day):
            best = Slot(day, worker.id, ())
    return best


def moved_for_absence(staff: Staff, worker_id: str, day: date, last: date) -> bool:
    return day < last and absent_in(staff, worker_id, day + timedelta(days=1), last)


def slot_after_deadline(request: PlanRequest, staff: Staff, bookings: Bookings,
                        allocated: Worker | None, team: str, need: Need) -> Slot | None:
    """The earliest slot after the deadline, inside the plan: late, so reported as a shortfall."""
    first = max(need.due + timedelta(days=1), need.earliest)
    # Past the window the need was sized for: as if after school when any day left is in term.
    after_school = after_school_between(request, need.school_age, first, request.end)
    candidates = [allocated] if allocated is not None else []
    candidates += [w for w in staff.colleagues(team, need.roles) if w not in candidates]
    manager = staff.team_manager(team)
    if manager is not None and role_fits(manager, need.roles):
        candidates.append(manager)
    found = [(d, w) for w in candidates
             if (d := earliest_day(staff, bookings, w.id, first, request.end,
                                    after_school)) is not None]
    if not found:
        return None
    day, worker = min(found, key=lambda t: (t[0], candidates.index(t[1])))
    flags = ["late"]
    if allocated is None:
        flags.append("unallocated")
    if allocated is None or worker.id != allocated.id:
        flags.append("manager_cover" if manager and worker.id == manager.id else "cover")
    return Slot(day, worker.id, tuple(flags))


"""Re-plan reconciliation: the previous plan's visits are kept where they still fit, so that
workers see as little change as possible.
"""

from __future__ import annotations

from datetime import date, datetime

from visitplanner.core.cover import Bookings, Staff, can_visit, can_visit_on_duty, role_fits
from visitplanner.core.model import (
    DUTY_FLAG,
    LONDON,
    SHORT_NOTICE_FLAG,
    Location,
    Outcome,
    PlannedVisit,
    Schedule,
    VisitKind,
    Worker,
)
from visitplanner.core.planning.notice import within_notice
from visitplanner.core.planning.state import (
    COVER_FLAGS,
    DECIDED_FLAG,
    Directive,
    Need,
    PlanRequest,
    Slot,
    State,
    after_school_on,
)
from visitplanner.core.timeslots import AFTER_SCHOOL


def previous_by_household(request: PlanRequest) -> dict[str, list[PlannedVisit]]:
    """The previous plan's home visits still to come, per household, in time order.

    Each completed home visit recorded since the previous plan was made stands
    for the earliest visit that plan had for the household (made as planned,
    or early instead of it), so that visit is not offered again: an early
    visit does not leave a second one pinned a day later.  Visits are matched
    by their planned day: a visit a worker moved still answers the need it was
    planned for, and its new day is judged against that need in ``kept_slot``.
    """
    out: dict[str, list[PlannedVisit]] = {}
    if request.previous is None:
        return out
    made = visits_made_since(request, request.previous)
    for visit in sorted(request.previous.visits, key=lambda v: (v.start, v.id)):
        if visit.kind is VisitKind.AWAY_FROM_HOME:
            continue  # not a home visit: kept by visitplanner.core.planning.away
        if made.get(visit.household, 0) > 0:
            made[visit.household] -= 1
        elif visit.day >= request.today:
            out.setdefault(visit.household, []).append(visit)
    return out


def visits_made_since(request: PlanRequest, previous: Schedule) -> dict[str, int]:
    """Completed home visits per household recorded since ``previous`` was made.

    "Since" means: up to today (inclusive) and not among the recorded visits
    the previous plan was made from (so a same-day re-plan counts a visit made
    this morning, and an unchanged re-plan counts none).
    """
    household_of = {c.case_ref: c.household for c in request.children}
    known = frozenset(previous.known_visits)
    made: dict[str, set[str]] = {}
    for record in request.visits:
        household = household_of.get(record.case_ref)
        if household and record.day <= request.today and record.visit_id not in known and \
                record.outcome is Outcome.COMPLETED and record.location is Location.HOME:
            made.setdefault(household, set()).add(record.visit_id)
    return {household: len(ids) for household, ids in made.items()}


def reserve_previous(staff: Staff, state: State) -> None:
    """Hold the slots of the previous plan's visits that can still take place.

    Households are served earliest deadline first, so without this a household
    served early could take a slot another household's kept visit needs, and
    one change would ripple through every worker's diary.  A reservation is
    released when its household's need takes the visit (kept or re-placed) or
    no longer needs it.
    """
    for visits in state.previous_left.values():
        for visit in visits:
            after_school = AFTER_SCHOOL in visit.flags
            if visit.worker_id in staff.workers and \
                    still_free(staff, state.bookings, visit, visit.day, after_school):
                state.bookings.book(visit.worker_id, visit.day, after_school)
                state.reserved.add(visit.id)


def release(state: State, visit: PlannedVisit) -> PlannedVisit:
    """Give back the slot reserved for a previous visit (see :func:`reserve_previous`)."""
    if visit.id in state.reserved:
        state.reserved.discard(visit.id)
        state.bookings.unbook(visit.worker_id, visit.day, AFTER_SCHOOL in visit.flags)
    return visit


def take_previous_visit(need: Need, state: State) -> PlannedVisit | None:
    """Take the previous plan's first visit of the household inside the need's window, if any.

    Previous visits before the window are no longer needed and stay unmatched
    (they are withdrawn); the one taken is never offered again.  A previous
    visit planned late for this same deadline also answers it, so that a late
    visit keeps its id from one plan to the next.
    """
    candidates = state.previous_left.get(need.household, [])
    while candidates and candidates[0].day < need.earliest:
        release(state, candidates.pop(0))
    if candidates and (candidates[0].day <= need.due or candidates[0].due_by == need.due):
        return release(state, candidates.pop(0))
    return None


def kept_slot(request: PlanRequest, staff: Staff, need: Need, visit: PlannedVisit,
          allocated: Worker | None, state: State) -> Slot | None:
    """The previous visit's slot when its worker still fits and can still visit that day.

    A worker's own move is kept (see :func:`kept_move`).  Otherwise the family's own
    worker comes first: after a new allocation the visit is planned afresh for the new
    worker, and a colleague's cover visit from halfway since the last visit (see
    :func:`halfway_day`) goes back to the allocated worker when they can now make it that day
    (an absence withdrawn).
    """
    directive = request.directives.get(visit.id)
    if directive is not None:
        return kept_decision(request, staff, need, visit, directive, state)
    moved = request.moves.get(visit.id)
    if moved is not None:
        return kept_move(request, staff, need, visit, moved.astimezone(LONDON), state)
    if visit.day > request.end:
        return None
    if allocated is not None and visit.worker_id != allocated.id:
        if (visit.allocated_worker_id or visit.worker_id) != allocated.id:
            return None  # reallocated since: the new worker's diary decides
        if visit.day >= (need.halfway or need.earliest) and \
                can_visit(staff, state.bookings, allocated.id, visit.day,
                          after_school_on(request, need, visit.day)):
            return Slot(visit.day, allocated.id, kept_flags(visit, COVER_FLAGS), visit.id,
                        visit.start)
    worker = staff.workers.get(visit.worker_id)
    if worker is None or not role_fits(worker, need.roles) or \
            not still_free(staff, state.bookings, visit, visit.day,
                           after_school_on(request, need, visit.day)):
        return None
    return Slot(visit.day, worker.id, kept_flags(visit), visit.id, visit.start)


def still_free(staff: Staff, bookings: Bookings, visit: PlannedVisit, day: date,
               after_school: bool) -> bool:
    """True when the previous visit's worker can still visit on ``day``: a duty visit while
    they are still on the rota with a visit left, any other on one of their working days."""
    if DUTY_FLAG in visit.flags:
        return can_visit_on_duty(staff, bookings, visit.worker_id, day, after_school)
    return can_visit(staff, bookings, visit.worker_id, day, after_school)


def kept_flags(visit: PlannedVisit, dropped: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """A kept visit's flags, less those the new placement decides afresh."""
    return tuple(f for f in visit.flags
                 if f not in ("late", "moved_by_worker_rejected", SHORT_NOTICE_FLAG, AFTER_SCHOOL)
                 and f not in dropped)


def still_safe(request: PlanRequest, staff: Staff, need: Need, visit: PlannedVisit | None,
                kept: Slot) -> bool:
    """A kept slot stands as it is when it keeps the safety margin (on or before the target),
    is inside the pinned window (``pin_working_days`` working days from today) or the
    policy's notice to families (an announced visit the family was told of), or is a
    worker's own move or a manager's decision; otherwise a safer fresh slot is looked for first."""
    pinned_until = staff.calendar.add_working_days(request.today, request.pin_working_days)
    moved = visit is not None and (visit.id in request.moves or visit.id in request.directives)
    told = visit is not None and visit.announced and kept.start is not None and \
        within_notice(request, kept.start)
    return moved or told or kept.day <= need.target or kept.day <= pinned_until


def kept_move(request: PlanRequest, staff: Staff, need: Need, visit: PlannedVisit,
              moved: datetime, state: State) -> Slot | None:
    """A worker's move is kept when the new day is inside the need's window (up to the
    deadline, inclusive) and the worker can visit then; the margin is the worker's call."""
    day = moved.date()
    worker = staff.workers.get(visit.worker_id)
    if not need.earliest <= day <= need.due or worker is None:
        return None
    if not role_fits(worker, need.roles) or \
            not can_visit(staff, state.bookings, worker.id, day,
                          after_school_on(request, need, day)):
        return None
    flags = tuple(f for f in visit.flags if f not in ("late", "moved_by_worker_rejected"))
    return Slot(day, worker.id, (*flags, "moved_by_worker"), visit.id, moved)



def kept_decision(request: PlanRequest, staff: Staff, need: Need, visit: PlannedVisit,
                  directive: Directive, state: State) -> Slot | None:
    """A manager's reassignment or pin is kept when its day is inside the need's window (up
    to the deadline, inclusive) and its worker fits the role and can visit then.  A visit
    given to another day keeps its time of day (Europe/London wall time)."""
    day = directive.day or visit.day
    worker = staff.workers.get(directive.worker_id or visit.worker_id)
    if not need.earliest <= day <= need.due or worker is None:
        return None
    if not role_fits(worker, need.roles) or \
            not can_visit(staff, state.bookings, worker.id, day,
                          after_school_on(request, need, day)):
        return None
    start = visit.start if day == visit.day else \
        datetime.combine(day, visit.start.astimezone(LONDON).time(), tzinfo=LONDON)
    flags = kept_flags(visit, COVER_FLAGS | {DECIDED_FLAG})
    allocated = visit.allocated_worker_id or visit.worker_id
    cover = ("cover",) if worker.id != allocated else ()
    return Slot(day, worker.id, (*flags, *cover, DECIDED_FLAG), visit.id, start)

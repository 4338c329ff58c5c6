"""The planner's loop: needs served earliest deadline first (see
:mod:`visitplanner.core.planning`)."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from datetime import date

from visitplanner.core.cover import Bookings, Staff
from visitplanner.core.model import Child, Schedule
from visitplanner.core.planning.away import plan_away_visits
from visitplanner.core.planning.finish import finish, report_short
from visitplanner.core.planning.needs import next_need
from visitplanner.core.planning.placement import place
from visitplanner.core.planning.reconcile import previous_by_household, reserve_previous
from visitplanner.core.planning.state import Asked, Need, PlanRequest, State
from visitplanner.core.planning.visits import add_fact, make_visit
from visitplanner.core.rules import Context, facts_from_records
from visitplanner.core.timeslots import AFTER_SCHOOL, after_school_slots, day_slots


def plan(request: PlanRequest) -> Schedule:
    """Plan visits for ``request.today`` .. ``request.end`` (inclusive, calendar days)."""
    ctx = Context(request.policy, request.calendar, request.records_from)
    staff = Staff.build(request.workers, request.absences, request.calendar,
                        day_slots(request.times), after_school_slots(request.times),
                        request.default_team, request.duty)
    workers = {w.id: w for w in request.workers}
    households = households_of(request.children, request.end)
    state = State(
        histories=dict(facts_from_records(
            (v for v in request.visits if v.day <= request.today), workers)),
        # The previous plan's ids are reserved: a fresh visit must never take the id of
        # a previous visit that a later need reuses (two events with one UID).
        bookings=Bookings(), visits=[], shortfalls=[],
        used_ids={v.id for v in request.previous.visits} if request.previous else set(),
        previous_left=previous_by_household(request), asked=Asked.of(request.policy))
    reserve_previous(staff, state)
    # A household's need depends only on its own children's histories, which change only
    # when it is served: the need computed when it was queued is the need when it comes out.
    queue: list[tuple[date, date, str, Need]] = []
    for household, children in sorted(households.items()):
        push(queue, next_need(ctx, request, household, children, state))
    while queue:
        _, _, household, need = heapq.heappop(queue)
        if not serve(ctx, request, staff, households[household], need, state):
            continue
        push(queue, next_need(ctx, request, household, households[household], state))
    # Visits away from home take only the room the statutory visits left.
    plan_away_visits(ctx, request, staff, state)
    return finish(ctx, request, staff, state)


def households_of(children: Iterable[Child], end: date) -> dict[str, tuple[Child, ...]]:
    grouped: dict[str, list[Child]] = {}
    for child in sorted(children, key=lambda c: c.case_ref):
        if child.plan_start <= end:
            grouped.setdefault(child.household, []).append(child)
    return {k: tuple(v) for k, v in grouped.items()}


def push(queue: list[tuple[date, date, str, Need]], need: Need | None) -> None:
    # A household is queued at most once at a time, so ties never compare the needs.
    if need is not None:
        heapq.heappush(queue, (need.due, need.target, need.household, need))


def serve(ctx: Context, request: PlanRequest, staff: Staff, children: Sequence[Child],
           need: Need, state: State) -> bool:
    """Place ``need``; return False when it cannot be placed inside the plan."""
    slot = place(request, staff, children, need, state)
    if slot is None:
        report_short(request, staff, children, need, None, state)
        return False
    if slot.day > need.due:
        report_short(request, staff, children, need, slot.day, state)
    visit = make_visit(ctx, request, staff, children, need, slot, state)
    state.visits.append(visit)
    # Booked by the visit's own flag: a window placed as if after school may fall on a
    # day of the school holidays, when the visit can take any slot.
    state.bookings.book(visit.worker_id, visit.day, AFTER_SCHOOL in visit.flags)
    for child_checks in visit.checks:
        add_fact(state, child_checks.case_ref, visit, staff, frozenset(child_checks.checks))
    return True


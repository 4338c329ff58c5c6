"""plan(): a forward schedule of household visits that meets every rule, assigned to workers.

The algorithm, in words:

1. Each household's next *need* is the earliest visit deadline among its
   children (cadence, first visit, re-visit), computed by :mod:`visitplanner.rules`
   from recorded visits plus the visits planned so far.  Its *target* is the
   deadline less the rule's safety margin, so that a failed visit can still be
   re-done before the deadline.
2. Needs are served earliest deadline first across all households, so the
   most urgent (overdue first) get capacity first.
3. A visit goes on the latest day that is safe: the previous plan's day when it
   still fits (re-planning changes as little as possible), else the allocated
   worker's latest free day up to the target -- which moves it earlier, before
   an absence, but no further than halfway since the last visit (its window:
   earlier would visit the family twice in a few days) -- else a colleague's
   (cover), else the team manager's, else the allocated worker earlier still;
   then the margin is used up to the deadline; then the earliest day after it,
   which is a shortfall reported with its cause.  Never silently late.
4. The planned visit is added to each child's history as if it went ahead, with
   the checks it was planned to make, and the household's next need follows.
5. Unannounced visits and times of day are placed last (:mod:`visitplanner.tags`).

Pure and deterministic: ``today`` and ``seed`` are inputs; nothing reads the
clock, the environment or an unordered collection's iteration order.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from visitplanner.cover import (
    Bookings,
    Staff,
    absent_in,
    can_visit,
    cover_order,
    earliest_day,
    home_team,
    latest_day,
    role_fits,
    statutory_roles,
)
from visitplanner.history import as_history
from visitplanner.model import (
    LONDON,
    Absence,
    BirthDateNeeded,
    Child,
    ChildChecks,
    Location,
    Outcome,
    PlannedVisit,
    Reason,
    RecordedVisit,
    Role,
    Schedule,
    Shortfall,
    VisitKind,
    Worker,
)
from visitplanner.outcomes import escalations, recording_tasks
from visitplanner.policy.model import Policy, Rule, RuleKind, Unit
from visitplanner.rules import (
    CHECKS_ON_THE_CHILD,
    Context,
    Deadline,
    Fact,
    History,
    deadlines,
    end_of,
    facts_from_records,
    quota,
)
from visitplanner.shortfalls import missed_because, one_per_deadline
from visitplanner.tags import tag_unannounced
from visitplanner.timeslots import (
    TimeSettings,
    after_school_slots,
    assign_times,
    at_school,
    day_slots,
)
from visitplanner.verify import dated_shortfalls, kth_shortfalls, revisit_shortfalls
from visitplanner.workdays import WorkingCalendar

VISIT_RULES = frozenset({RuleKind.CADENCE, RuleKind.FIRST_VISIT, RuleKind.REVISIT})
#: Flags that say who visits instead of the allocated worker.
COVER_FLAGS = frozenset({"cover", "manager_cover"})

#: Rules whose deadlines are met by visits of the kind their ``counts`` describes.
COUNTED_RULES = VISIT_RULES | {RuleKind.QUOTA}

#: How far ahead checks are planned for a child with no visit rule (no cadence to say when the
#: next visit is due): a check due within this many calendar days goes on this visit.
NO_CADENCE_HORIZON = timedelta(days=28)

#: A child with no visits yet.
EMPTY = History()

#: The largest share of an interval a safety margin may take (see ``_target``).
MAX_MARGIN_SHARE = 1 / 3


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """Everything plan() needs.  ``previous`` is the last plan kept in the workspace.

    ``moves`` maps a visit id to the start a worker moved it to in their
    calendar: kept when it still meets the rules, flagged otherwise.
    """

    policy: Policy
    calendar: WorkingCalendar
    children: tuple[Child, ...]
    workers: tuple[Worker, ...]
    absences: tuple[Absence, ...]
    visits: tuple[RecordedVisit, ...]
    today: date
    weeks: int
    seed: int
    times: TimeSettings = field(default_factory=TimeSettings)
    pin_working_days: int = 5
    previous: Schedule | None = None
    moves: Mapping[str, datetime] = field(default_factory=dict)
    records_from: date | None = None
    #: The team of households with no known worker ("": the first team by name); set when
    #: the request is one part of an authority's (see :mod:`visitplanner.partition`).
    default_team: str = ""

    @property
    def end(self) -> date:
        """Last day of the plan (inclusive): ``weeks`` whole weeks from ``today``."""
        return self.today + timedelta(days=7 * self.weeks - 1)


@dataclass(frozen=True, slots=True)
class Need:
    """A household's next visit: latest safe day (target), deadline, and why."""

    household: str
    target: date
    due: date
    earliest: date
    kind: VisitKind
    reasons: tuple[Deadline, ...]
    roles: frozenset[Role]
    after_school: bool = False
    halfway: date | None = None


@dataclass(frozen=True, slots=True)
class Slot:
    """Where a need was placed: the day, who visits, and how the choice was made."""

    day: date
    worker_id: str
    flags: tuple[str, ...]
    reuse_id: str | None = None
    start: datetime | None = None


@dataclass(frozen=True, slots=True)
class _Asked:
    """The rules each step of the planner asks, chosen once per plan."""

    #: Rules that may call for a visit (see ``_drives_a_visit``): every-k-th checks never do
    #: (they are owed at whichever visit comes next).
    driving: tuple[Rule, ...]
    checks: tuple[Rule, ...]
    visits: tuple[Rule, ...]

    @classmethod
    def of(cls, policy: Policy) -> _Asked:
        return cls(
            driving=tuple(r for r in policy.rules if r.kind in VISIT_RULES or
                          (r.kind is RuleKind.CHECK and not r.every_kth)),
            checks=policy.rules_of(RuleKind.CHECK),
            visits=tuple(r for r in policy.rules if r.kind in VISIT_RULES))


@dataclass
class _State:
    """The planner's working state; local to one plan() call, never shared."""

    histories: dict[str, History]
    bookings: Bookings
    visits: list[PlannedVisit]
    shortfalls: list[Shortfall]
    used_ids: set[str]
    previous_left: dict[str, list[PlannedVisit]]
    asked: _Asked
    reserved: set[str] = field(default_factory=set)
    kept_starts: dict[str, datetime] = field(default_factory=dict)


def plan(request: PlanRequest) -> Schedule:
    """Plan visits for ``request.today`` .. ``request.end`` (inclusive, calendar days)."""
    ctx = Context(request.policy, request.calendar, request.records_from)
    staff = Staff.build(request.workers, request.absences, request.calendar,
                        day_slots(request.times), after_school_slots(request.times),
                        request.default_team)
    workers = {w.id: w for w in request.workers}
    households = _households(request.children, request.end)
    state = _State(
        histories=dict(facts_from_records(
            (v for v in request.visits if v.day <= request.today), workers)),
        # The previous plan's ids are reserved: a fresh visit must never take the id of
        # a previous visit that a later need reuses (two events with one UID).
        bookings=Bookings(), visits=[], shortfalls=[],
        used_ids={v.id for v in request.previous.visits} if request.previous else set(),
        previous_left=_previous_by_household(request), asked=_Asked.of(request.policy))
    _reserve_previous(staff, state)
    # A household's need depends only on its own children's histories, which change only
    # when it is served: the need computed when it was queued is the need when it comes out.
    queue: list[tuple[date, date, str, Need]] = []
    for household, children in sorted(households.items()):
        _push(queue, _next_need(ctx, request, household, children, state))
    while queue:
        _, _, household, need = heapq.heappop(queue)
        if not _serve(ctx, request, staff, households[household], need, state):
            continue
        _push(queue, _next_need(ctx, request, household, households[household], state))
    return _finish(ctx, request, staff, state)


def _households(children: Iterable[Child], end: date) -> dict[str, tuple[Child, ...]]:
    grouped: dict[str, list[Child]] = {}
    for child in sorted(children, key=lambda c: c.case_ref):
        if child.plan_start <= end:
            grouped.setdefault(child.household, []).append(child)
    return {k: tuple(v) for k, v in grouped.items()}


def _previous_by_household(request: PlanRequest) -> dict[str, list[PlannedVisit]]:
    """The previous plan's visits still to come, per household, in time order.

    Each completed home visit recorded since the previous plan was made stands
    for the earliest visit that plan had for the household (made as planned,
    or early instead of it), so that visit is not offered again: an early
    visit does not leave a second one pinned a day later.  Visits are matched
    by their planned day: a visit a worker moved still answers the need it was
    planned for, and its new day is judged against that need in ``_keep``.
    """
    out: dict[str, list[PlannedVisit]] = {}
    if request.previous is None:
        return out
    made = _visits_made_since(request, request.previous)
    for visit in sorted(request.previous.visits, key=lambda v: (v.start, v.id)):
        if made.get(visit.household, 0) > 0:
            made[visit.household] -= 1
        elif visit.day >= request.today:
            out.setdefault(visit.household, []).append(visit)
    return out


def _visits_made_since(request: PlanRequest, previous: Schedule) -> dict[str, int]:
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


def _reserve_previous(staff: Staff, state: _State) -> None:
    """Hold the slots of the previous plan's visits that can still take place.

    Households are served earliest deadline first, so without this a household
    served early could take a slot another household's kept visit needs, and
    one change would ripple through every worker's diary.  A reservation is
    released when its household's need takes the visit (kept or re-placed) or
    no longer needs it.
    """
    for visits in state.previous_left.values():
        for visit in visits:
            after_school = "after_school" in visit.flags
            if visit.worker_id in staff.workers and \
                    can_visit(staff, state.bookings, visit.worker_id, visit.day, after_school):
                state.bookings.book(visit.worker_id, visit.day, after_school)
                state.reserved.add(visit.id)


def _release(state: _State, visit: PlannedVisit) -> PlannedVisit:
    """Give back the slot reserved for a previous visit (see :func:`_reserve_previous`)."""
    if visit.id in state.reserved:
        state.reserved.discard(visit.id)
        state.bookings.unbook(visit.worker_id, visit.day, "after_school" in visit.flags)
    return visit


def _push(queue: list[tuple[date, date, str, Need]], need: Need | None) -> None:
    # A household is queued at most once at a time, so ties never compare the needs.
    if need is not None:
        heapq.heappush(queue, (need.due, need.target, need.household, need))


def _next_need(ctx: Context, request: PlanRequest, household: str,
               children: Sequence[Child], state: _State) -> Need | None:
    """The household's next visit, or None when none is needed before the plan ends."""
    earliest = _after_limits(ctx, children, state, _earliest(request.today, children, state))
    found = [(d, ctx.policy.rule(d.rule_id)) for c in children
             for d in deadlines(ctx, c, state.histories.get(c.case_ref, EMPTY), earliest,
                                state.asked.driving)
             if d.due is not None and _drives_a_visit(ctx, d)]
    if not found:
        return None
    target = min(_target(ctx, rule, d) for d, rule in found)
    # A target on a weekend after the plan's last day may still be visited on the working
    # day before it, inside the plan: that visit belongs to this plan, not the next.
    if ctx.calendar.latest_working_day_on_or_before(target) > request.end:
        return None
    due = min(d.due for d, _ in found if d.due is not None)
    kind = _kind(ctx, [d for d, _ in found])
    roles = _required_roles([r for _, r in found])
    # At school on the last day of the window: a child who turns 4 inside it is at school
    # whichever day the visit takes (school age only comes, never goes).
    after_school = request.times.after_school is not None and \
        any(at_school(c, max(due, target, earliest)) for c in children)
    return Need(household, max(target, earliest), due, earliest, kind,
                tuple(d for d, _ in found), roles, after_school,
                _halfway(_previous_visit_day(children, state), due, earliest,
                         max(target, earliest)))


def _after_limits(ctx: Context, children: Sequence[Child], state: _State, day: date) -> date:
    """The first day from ``day`` on which no "at most K visits in a window" quota of the
    household's children is full (each limit moved past, until none is)."""
    limiting = [r for r in ctx.policy.rules_of(RuleKind.QUOTA)
                if r.at_most and _limits_home_visits(r)]
    while limiting:
        limits = [d.due for c in children for r in limiting if r.applies_to(c, day)
                  and (d := quota(ctx, r, c, state.histories.get(c.case_ref, EMPTY), day))
                  and d.action == "limit" and d.due is not None and d.due > day]
        if not limits:
            break
        day = max(limits)
    return day


def _limits_home_visits(rule: Rule) -> bool:
    """True when a planned visit (at home) counts toward the limiting quota: a limit on
    visits away from home does not hold home visits back."""
    return rule.counts.location != Location.ELSEWHERE.value


def _halfway(previous: date | None, due: date, earliest: date, target: date) -> date:
    """Halfway from the household's previous visit to the deadline (inclusive bounds, calendar
    days): the earliest day a visit is moved forward to so that the family's own worker can
    make it before a colleague covers instead.  Families see their own worker; no family is
    visited twice in a few days for it."""
    if previous is None:
        return earliest
    halfway = previous + timedelta(days=(due - previous).days // 2)
    return min(max(halfway, earliest), target)


def _previous_visit_day(children: Sequence[Child], state: _State) -> date | None:
    """The day of the household's last home visit that took place, recorded or planned."""
    days = [f.day for c in children for f in state.histories.get(c.case_ref, EMPTY)
            if f.location is Location.HOME and not f.outcome.failed]
    return max(days, default=None)


def _drives_a_visit(ctx: Context, deadline: Deadline) -> bool:
    """Cadences, first visits and re-visits need a visit; so does a check with a date (the
    bedroom before the next conference, seen awake within 6 weeks): it can only be made at one."""
    kind = ctx.policy.rule(deadline.rule_id).kind
    return kind in VISIT_RULES or (kind is RuleKind.CHECK and not deadline.at_next_visit)


def _kind(ctx: Context, drivers: Sequence[Deadline]) -> VisitKind:
    """A re-visit or first visit when any deadline the visit meets is one: the next visit
    after a failed one is the re-visit, the next after a referral the first visit."""
    kinds = {ctx.policy.rule(d.rule_id).kind for d in drivers}
    if RuleKind.REVISIT in kinds:
        return VisitKind.REVISIT
    return VisitKind.FIRST if RuleKind.FIRST_VISIT in kinds else VisitKind.ROUTINE


def _earliest(today: date, children: Sequence[Child], state: _State) -> date:
    """First day the next visit may take: today, or the day after the household's last visit."""
    last = [f.day for c in children for f in state.histories.get(c.case_ref, EMPTY) if f.planned]
    return max([today, *(d + timedelta(days=1) for d in last)])


def _target(ctx: Context, rule: Rule, deadline: Deadline) -> date:
    """The latest day a visit should take so that the rule's margin is kept.

    A working-day margin counts back from the last working day on or before
    the deadline: with a Sunday deadline and 3 working days' margin, the target
    is the Tuesday, so that a failure on it can be re-done by the Friday.  A
    calendar margin is subtracted from the deadline itself.  A margin never
    takes more than :data:`MAX_MARGIN_SHARE` of the interval since the anchor
    (the last visit): a plan that tightens the interval to a few days must not
    multiply the family's visits; the visit is then flagged when a failure
    could not be re-done in time.
    """
    assert deadline.due is not None
    if rule.margin is None:
        return deadline.due
    margin = ctx.policy.resolve(rule.margin)
    if margin.unit is Unit.WORKING_DAYS:
        last_working = ctx.calendar.latest_working_day_on_or_before(deadline.due)
        target = ctx.calendar.add_working_days(last_working, -margin.count)
    else:
        target = deadline.due - (end_of(ctx, rule, rule.margin, _noon(deadline.due))
                                 - deadline.due)
    if deadline.anchor is None:
        return target
    interval = deadline.due - deadline.anchor
    return max(target, deadline.due - interval * MAX_MARGIN_SHARE)


def _required_roles(rules: Sequence[Rule]) -> frozenset[Role]:
    """Roles every driving rule accepts: the intersection of their non-empty role lists."""
    sets = [statutory_roles(r.counts.roles) for r in rules if r.counts.roles]
    if not sets:
        return frozenset()
    common = frozenset.intersection(*sets)
    return common or sets[0]


def _serve(ctx: Context, request: PlanRequest, staff: Staff, children: Sequence[Child],
           need: Need, state: _State) -> bool:
    """Place ``need``; return False when it cannot be placed inside the plan."""
    slot = _place(request, staff, children, need, state)
    if slot is None:
        _short(request, staff, children, need, None, state)
        return False
    if slot.day > need.due:
        _short(request, staff, children, need, slot.day, state)
    visit = _make_visit(ctx, request, staff, children, need, slot, state)
    state.visits.append(visit)
    state.bookings.book(visit.worker_id, visit.day, need.after_school)
    for child_checks in visit.checks:
        _add_fact(state, child_checks.case_ref, visit, staff, frozenset(child_checks.checks))
    return True


def _place(request: PlanRequest, staff: Staff, children: Sequence[Child], need: Need,
           state: _State) -> Slot | None:
    """Where the need goes: the previous plan's slot if it still fits, else a fresh slot.

    A fresh slot for a need the previous plan had served keeps that visit's id,
    so a calendar updates the event in place instead of cancelling it.
    """
    previous = _previous_visit(need, state)
    allocated = _allocated(staff, children, need)
    kept = _keep(request, staff, need, previous, allocated, state) \
        if previous is not None else None
    if kept is not None and _still_safe(request, staff, need, previous, kept):
        return kept
    slot = _fresh_slot(request, staff, children, need, state)
    if kept is not None and (slot is None or slot.day > need.target):
        return kept  # a fresh slot would be no safer: keep what the worker already sees
    if slot is None or previous is None:
        return slot
    rejected = ("moved_by_worker_rejected",) if previous.id in request.moves else ()
    return replace(slot, reuse_id=previous.id, flags=(*slot.flags, *rejected))


def _previous_visit(need: Need, state: _State) -> PlannedVisit | None:
    """Take the previous plan's first visit of the household inside the need's window, if any.

    Previous visits before the window are no longer needed and stay unmatched
    (they are withdrawn); the one taken is never offered again.  A previous
    visit planned late for this same deadline also answers it, so that a late
    visit keeps its id from one plan to the next.
    """
    candidates = state.previous_left.get(need.household, [])
    while candidates and candidates[0].day < need.earliest:
        _release(state, candidates.pop(0))
    if candidates and (candidates[0].day <= need.due or candidates[0].due_by == need.due):
        return _release(state, candidates.pop(0))
    return None


def _keep(request: PlanRequest, staff: Staff, need: Need, visit: PlannedVisit,
          allocated: Worker | None, state: _State) -> Slot | None:
    """The previous visit's slot when its worker still fits and can still visit that day.

    A worker's own move is kept (see :func:`_keep_move`).  Otherwise the family's own
    worker comes first: after a new allocation the visit is planned afresh for the new
    worker, and a colleague's cover visit from halfway since the last visit (see
    :func:`_halfway`) goes back to the allocated worker when they can now make it that day
    (an absence withdrawn).
    """
    moved = request.moves.get(visit.id)
    if moved is not None:
        return _keep_move(staff, need, visit, moved.astimezone(LONDON), state)
    if visit.day > request.end:
        return None
    if allocated is not None and visit.worker_id != allocated.id:
        if (visit.allocated_worker_id or visit.worker_id) != allocated.id:
            return None  # reallocated since: the new worker's diary decides
        if visit.day >= (need.halfway or need.earliest) and \
                can_visit(staff, state.bookings, allocated.id, visit.day, need.after_school):
            return Slot(visit.day, allocated.id, _kept_flags(visit, COVER_FLAGS), visit.id,
                        visit.start)
    worker = staff.workers.get(visit.worker_id)
    if worker is None or not role_fits(worker, need.roles) or \
            not can_visit(staff, state.bookings, worker.id, visit.day, need.after_school):
        return None
    return Slot(visit.day, worker.id, _kept_flags(visit), visit.id, visit.start)


def _kept_flags(visit: PlannedVisit, dropped: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """A kept visit's flags, less those the new placement decides afresh."""
    return tuple(f for f in visit.flags
                 if f not in ("late", "moved_by_worker_rejected") and f not in dropped)


def _still_safe(request: PlanRequest, staff: Staff, need: Need, visit: PlannedVisit | None,
                kept: Slot) -> bool:
    """A kept slot stands as it is when it keeps the safety margin (on or before the target),
    is inside the pinned window (``pin_working_days`` working days from today), or is a
    worker's own move; otherwise a safer fresh slot is looked for first."""
    pinned_until = staff.calendar.add_working_days(request.today, request.pin_working_days)
    moved = visit is not None and visit.id in request.moves
    return moved or kept.day <= need.target or kept.day <= pinned_until


def _keep_move(staff: Staff, need: Need, visit: PlannedVisit, moved: datetime,
               state: _State) -> Slot | None:
    """A worker's move is kept when the new day is inside the need's window (up to the
    deadline, inclusive) and the worker can visit then; the margin is the worker's call."""
    day = moved.date()
    worker = staff.workers.get(visit.worker_id)
    if not need.earliest <= day <= need.due or worker is None:
        return None
    if not role_fits(worker, need.roles) or \
            not can_visit(staff, state.bookings, worker.id, day, need.after_school):
        return None
    flags = tuple(f for f in visit.flags if f not in ("late", "moved_by_worker_rejected"))
    return Slot(day, worker.id, (*flags, "moved_by_worker"), visit.id, moved)


def _fresh_slot(request: PlanRequest, staff: Staff, children: Sequence[Child], need: Need,
                state: _State) -> Slot | None:
    """The latest safe slot: up to the target, then up to the deadline, then after it."""
    allocated = _allocated(staff, children, need)
    team = home_team(staff, children, allocated)
    familiar = frozenset(f.worker_id for c in children
                         for f in state.histories.get(c.case_ref, EMPTY))
    # Never past the plan's last day: a visit after it belongs to the next plan.
    for first, last in ((need.earliest, min(need.target, request.end)),
                        (max(need.earliest, need.target + timedelta(days=1)),
                         min(need.due, request.end))):
        slot = _within(staff, state.bookings, allocated, team, familiar, need, first, last)
        if slot is not None:
            return slot
    return _after(request, staff, state.bookings, allocated, team, need)


def _allocated(staff: Staff, children: Sequence[Child], need: Need) -> Worker | None:
    """The household's allocated worker (the first child's that is known), if the role fits."""
    for child in children:
        worker = staff.workers.get(child.allocated_worker or "")
        if worker is not None:
            return worker if role_fits(worker, need.roles) else None
    return None


def _within(staff: Staff, bookings: Bookings, allocated: Worker | None, team: str,
            familiar: frozenset[str], need: Need, first: date, last: date) -> Slot | None:
    """The latest safe slot in ``first``..``last`` (inclusive): the allocated worker (moved
    forward no further than halfway since the last visit), a colleague, the manager, and
    only then the allocated worker moved further forward: no family is visited twice in a
    few days because their worker will be away."""
    if first > last:
        return None
    halfway = max(first, need.halfway or first)
    slot = _allocated_slot(staff, bookings, allocated, need, halfway, last)
    if slot is not None:
        return slot
    cover = _cover_slot(staff, bookings, allocated, team, familiar, need, first, last)
    if cover is not None:
        return cover
    return _allocated_slot(staff, bookings, allocated, need, first, halfway - timedelta(days=1))


def _allocated_slot(staff: Staff, bookings: Bookings, allocated: Worker | None, need: Need,
                    first: date, last: date) -> Slot | None:
    if allocated is None or first > last:
        return None
    day = latest_day(staff, bookings, allocated.id, first, last, need.after_school)
    if day is None:
        return None
    moved = _moved_for_absence(staff, allocated.id, day, need.target)
    return Slot(day, allocated.id, ("moved_earlier_for_absence",) if moved else ())


def _cover_slot(staff: Staff, bookings: Bookings, allocated: Worker | None, team: str,
                familiar: frozenset[str], need: Need, first: date, last: date) -> Slot | None:
    """A colleague's latest slot, else the team manager's."""
    base = () if allocated is not None else ("unallocated",)
    colleagues = [w for w in staff.colleagues(team, need.roles)
                  if allocated is None or w.id != allocated.id]
    best = _best_cover(staff, bookings, colleagues, familiar, first, last, need.after_school)
    if best is not None:
        return replace(best, flags=(*base, "cover"))
    manager = staff.team_manager(team)
    if manager is not None and role_fits(manager, need.roles):
        day = latest_day(staff, bookings, manager.id, first, last, need.after_school)
        if day is not None:
            return Slot(day, manager.id, (*base, "manager_cover"))
    return None


def _best_cover(staff: Staff, bookings: Bookings, colleagues: Sequence[Worker],
                familiar: frozenset[str], first: date, last: date,
                after_school: bool) -> Slot | None:
    """The latest day any colleague can cover; on that day, the preferred colleague."""
    best: Slot | None = None
    for worker in cover_order(colleagues, familiar, bookings):
        day = latest_day(staff, bookings, worker.id, first, last, after_school)
        if day is not None and (best is None or day > best.day):
            best = Slot(day, worker.id, ())
    return best


def _moved_for_absence(staff: Staff, worker_id: str, day: date, last: date) -> bool:
    return day < last and absent_in(staff, worker_id, day + timedelta(days=1), last)


def _after(request: PlanRequest, staff: Staff, bookings: Bookings, allocated: Worker | None,
           team: str, need: Need) -> Slot | None:
    """The earliest slot after the deadline, inside the plan: late, so reported as a shortfall."""
    first = max(need.due + timedelta(days=1), need.earliest)
    candidates = [allocated] if allocated is not None else []
    candidates += [w for w in staff.colleagues(team, need.roles) if w not in candidates]
    manager = staff.team_manager(team)
    if manager is not None and role_fits(manager, need.roles):
        candidates.append(manager)
    found = [(d, w) for w in candidates
             if (d := earliest_day(staff, bookings, w.id, first, request.end,
                                    need.after_school)) is not None]
    if not found:
        return None
    day, worker = min(found, key=lambda t: (t[0], candidates.index(t[1])))
    flags = ["late"]
    if allocated is None:
        flags.append("unallocated")
    if allocated is None or worker.id != allocated.id:
        flags.append("manager_cover" if manager and worker.id == manager.id else "cover")
    return Slot(day, worker.id, tuple(flags))


def _short(request: PlanRequest, staff: Staff, children: Sequence[Child], need: Need,
           planned_on: date | None, state: _State) -> None:
    """Report each deadline the placement misses.

    ``days_late`` counts calendar days from the deadline to the planned day;
    when no day inside the plan could be found, it counts to the day after
    the plan ends (the least it will be late).
    """
    allocated = _allocated(staff, children, need)
    team = home_team(staff, children, allocated)
    cause = missed_because(request.today, staff, allocated, team, need.roles, need.earliest,
                           need.due, planned_on)
    late_until = planned_on or request.end + timedelta(days=1)
    for deadline in need.reasons:
        if deadline.due is None or late_until <= deadline.due:
            continue
        child = next(c for c in children if c.case_ref == deadline.case_ref)
        state.shortfalls.append(Shortfall(
            case_ref=child.case_ref, household=child.household, rule_id=deadline.rule_id,
            deadline=deadline.due, planned_on=planned_on,
            days_late=(late_until - deadline.due).days, reason=cause, team=team))


def _make_visit(ctx: Context, request: PlanRequest, staff: Staff, children: Sequence[Child],
                need: Need, slot: Slot, state: _State) -> PlannedVisit:
    worker = staff.workers[slot.worker_id]
    allocated = _allocated(staff, children, need)
    checks = tuple(ChildChecks(c.case_ref, _checks_for(ctx, c, slot, state, need))
                   for c in children)
    reasons = tuple(sorted(
        (Reason(d.rule_id, d.case_ref, d.due, ctx.policy.rule(d.rule_id).source.cite(), d.what)
         for d in need.reasons if d.due is not None),
        key=lambda r: (r.deadline, r.case_ref, r.rule_id)))
    visit_id = slot.reuse_id or _new_id(need, state.used_ids)
    state.used_ids.add(visit_id)
    if slot.start is not None:
        state.kept_starts[visit_id] = slot.start
    start = slot.start or datetime.combine(slot.day, request.times.day_start, tzinfo=LONDON)
    return PlannedVisit(
        id=visit_id, household=need.household, case_refs=tuple(c.case_ref for c in children),
        start=start, end=start + timedelta(minutes=request.times.visit_minutes),
        worker_id=worker.id, team=worker.team, kind=need.kind, announced=True, checks=checks,
        due_by=need.due, reasons=reasons,
        allocated_worker_id=allocated.id if allocated and allocated.id != worker.id else None,
        # Late whatever the slot's origin: an overdue need placed in its clamped window,
        # or a late visit kept from the previous plan, is as late as one placed after it.
        flags=tuple(sorted({*slot.flags, *(("late",) if slot.day > need.due else ()),
                            *(("after_school",) if need.after_school else ())})),
        failure_would_breach=_failure_breaches(ctx, children, slot.day, need.due))


def _checks_for(ctx: Context, child: Child, slot: Slot, state: _State,
                need: Need) -> tuple[str, ...]:
    """Checks owed at this visit: due at the next visit, due before the child's next visit,
    or needed for the visit to count toward a rule at all (a cadence of visits where the
    child is seen alone counts only visits that record it) -- including a rule the visit
    serves that starts to apply after it (seen alone from the 3rd birthday)."""
    history = state.histories.get(child.case_ref, EMPTY)
    serving = (ctx.policy.rule(d.rule_id) for d in need.reasons if d.case_ref == child.case_ref)
    needed = counting_checks(ctx, child, slot.day) | frozenset(
        check for rule in serving for check in rule.counts.checks)
    owed = [d for d in deadlines(ctx, child, history, slot.day, state.asked.checks)
            if d.action == "check"]
    now = {d.check for d in owed if d.at_next_visit or d.due is None}
    dated = [d for d in owed if not d.at_next_visit and d.due is not None]
    if dated:  # only a dated check needs to know when the next visit would be due
        horizon = _next_visit_due(ctx, child, history, slot.day, state.asked.visits)
        now |= {d.check for d in dated if d.due is not None and d.due <= horizon}
    return tuple(sorted(needed | now))


def counting_checks(ctx: Context, child: Child, day: date) -> frozenset[str]:
    """The checks a visit on ``day`` must record to count toward the rules with deadlines
    that apply to the child then (``counts.checks``); checks on the child wait for birth."""
    found: set[str] = set()
    for rule in ctx.policy.rules:
        if rule.kind in COUNTED_RULES and rule.counts.checks and rule.applies_to(child, day):
            found |= rule.counts.checks
    if not child.treated_as_born_on(day):
        found -= CHECKS_ON_THE_CHILD
    return frozenset(found)


def _next_visit_due(ctx: Context, child: Child, history: History, day: date,
                    visit_rules: Sequence[Rule]) -> date:
    """When the child's next visit would be due if this one (on ``day``) goes ahead."""
    probe = as_history(history).plus(Fact(_noon(day), Location.HOME, True, Outcome.COMPLETED,
                                          Role.SOCIAL_WORKER, counting_checks(ctx, child, day),
                                          planned=True))
    dues = [d.due for d in deadlines(ctx, child, probe, day, visit_rules) if d.due is not None]
    return min(dues, default=day + NO_CADENCE_HORIZON)


def _failure_breaches(ctx: Context, children: Sequence[Child], day: date, due: date) -> bool:
    """True when a failed visit on ``day`` could not be re-done by ``due`` (revisit rules)."""
    if day > due:
        return True
    rules = [r for r in ctx.policy.rules_of(RuleKind.REVISIT) if r.failures == 1 and r.within
             and any(r.applies_to(c, day) for c in children)]
    return any(end_of(ctx, r, r.within, _noon(day)) > due for r in rules if r.within)


def _add_fact(state: _State, case_ref: str, visit: PlannedVisit, staff: Staff,
              checks: frozenset[str]) -> None:
    role = staff.workers[visit.worker_id].role
    fact = Fact(visit.start, Location.HOME, visit.announced, Outcome.COMPLETED, role, checks,
                planned=True, worker_id=visit.worker_id)
    state.histories[case_ref] = state.histories.get(case_ref, EMPTY).plus(fact)


def _new_id(need: Need, used: set[str]) -> str:
    return visit_id_for(need.household, need.due, need.kind, used)


def visit_id_for(household: str, due: date, kind: VisitKind, used: Set[str]) -> str:
    """A visit id derived from the household and deadline, the first not in ``used``: the
    same inputs give the same id."""
    n = 0
    while True:
        digest = hashlib.sha256(f"{household}|{due}|{kind}|{n}".encode()).hexdigest()
        candidate = f"v-{digest[:12]}"
        if candidate not in used:
            return candidate
        n += 1


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=LONDON)


def _finish(ctx: Context, request: PlanRequest, staff: Staff, state: _State) -> Schedule:
    visits = tag_unannounced(ctx, request.children, state.histories, state.visits,
                             request.seed, request.today, request.end)
    late = _dated_late(ctx, request, staff, state, visits)
    timed = assign_times(visits, request.times, request.seed, _prefers_variety(ctx),
                         state.kept_starts)
    ordered = tuple(sorted(timed, key=lambda v: (v.start, v.worker_id, v.id)))
    return Schedule(
        today=request.today, start=request.today, end=request.end, seed=request.seed,
        visits=ordered,
        shortfalls=one_per_deadline([*state.shortfalls, *late]),
        recording_tasks=recording_tasks(ctx, request.children, ordered),
        escalations=escalations(ctx, request.children, _recorded(state), request.today, staff),
        birth_dates_needed=_birth_dates_needed(request, staff),
        known_visits=tuple(sorted({v.visit_id for v in request.visits
                                   if v.day <= request.today})))


def _birth_dates_needed(request: PlanRequest, staff: Staff) -> tuple[BirthDateNeeded, ...]:
    """Unborn children expected on or before the plan's last day: treated as born from the
    expected date, and their worker asked for the date of birth."""
    found = []
    for child in sorted(request.children, key=lambda c: c.case_ref):
        if child.birth_date is None and child.due_date is not None \
                and child.due_date <= request.end:
            worker = staff.workers.get(child.allocated_worker or "")
            found.append(BirthDateNeeded(child.case_ref, child.household, child.due_date,
                                         worker.id if worker else None,
                                         home_team(staff, (child,), worker)))
    return tuple(found)


def _dated_late(ctx: Context, request: PlanRequest, staff: Staff, state: _State,
                visits: Sequence[PlannedVisit]) -> list[Shortfall]:
    """Quota and dated-check deadlines the tagged visits meet late (:mod:`visitplanner.verify`)."""
    recorded = _recorded(state)
    planned: dict[str, list[Fact]] = {}
    for visit in sorted(visits, key=lambda v: (v.start, v.id)):
        role = staff.workers[visit.worker_id].role
        for child_checks in visit.checks:
            planned.setdefault(child_checks.case_ref, []).append(Fact(
                visit.start, Location.HOME, visit.announced, Outcome.COMPLETED, role,
                frozenset(child_checks.checks), planned=True, worker_id=visit.worker_id))
    teams = {c.case_ref: home_team(staff, (c,), None) for c in request.children}
    ahead = {ref: tuple(f) for ref, f in planned.items()}
    return [*dated_shortfalls(ctx, request.children, recorded, ahead, request.today,
                              request.end, teams),
            *kth_shortfalls(ctx, request.children, recorded, ahead, request.today,
                            request.end, teams),
            *revisit_shortfalls(ctx, request.children, recorded, ahead, request.today,
                                request.end, teams)]


def _recorded(state: _State) -> dict[str, tuple[Fact, ...]]:
    """Each child's recorded visits only (the planned ones left out)."""
    return {ref: tuple(f for f in facts if not f.planned) for ref, facts in state.histories.items()}


def _prefers_variety(ctx: Context) -> bool:
    return any(r.preference == "vary_time_of_day" for r in ctx.policy.rules_of(RuleKind.PREFERENCE))

"""Making a visit: its checks, its id, and the fact it adds to each child's history."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence, Set
from datetime import date, datetime, timedelta

from visitplanner.core.cover import Staff, home_team
from visitplanner.core.history import as_history
from visitplanner.core.model import (
    DUTY_FLAG,
    LONDON,
    Child,
    ChildChecks,
    Location,
    Outcome,
    PlannedVisit,
    Reason,
    Role,
    VisitKind,
)
from visitplanner.core.planning.placement import allocated_worker
from visitplanner.core.planning.state import (
    EMPTY,
    Need,
    PlanRequest,
    Slot,
    State,
    after_school_on,
    counted_rules,
    noon,
)
from visitplanner.core.policy.model import Rule, RuleKind
from visitplanner.core.rules import (
    CHECKS_ON_THE_CHILD,
    Context,
    Fact,
    History,
    Question,
    deadlines_of,
    end_of,
)
from visitplanner.core.timeslots import AFTER_SCHOOL

#: How far ahead checks are planned for a child with no visit rule (no cadence to say when the
#: next visit is due): a check due within this many calendar days goes on this visit.
NO_CADENCE_HORIZON = timedelta(days=28)


def make_visit(ctx: Context, request: PlanRequest, staff: Staff, children: Sequence[Child],
                need: Need, slot: Slot, state: State) -> PlannedVisit:
    worker = staff.workers[slot.worker_id]
    allocated = allocated_worker(staff, children, need)
    children = visited(children, need, slot.day)
    listed = {c.case_ref for c in children}
    checks = tuple(ChildChecks(c.case_ref, checks_for(ctx, c, slot, state, need))
                   for c in children)
    # The texts are shared by every visit that gives them (see ``Asked.cites``).
    reasons = tuple(sorted(
        (Reason(d.rule_id, d.case_ref, d.due, state.asked.cites[d.rule_id], sys.intern(d.what))
         for d in need.reasons if d.due is not None and d.case_ref in listed),
        key=lambda r: (r.deadline, r.case_ref, r.rule_id)))
    visit_id = slot.reuse_id or new_id(need, state.used_ids)
    state.used_ids.add(visit_id)
    if slot.start is not None:
        state.kept_starts[visit_id] = slot.start
    start = slot.start or datetime.combine(slot.day, request.times.day_start, tzinfo=LONDON)
    # A duty visit goes in the calendar of the household's team, whose families it sees,
    # whichever team the worker on duty belongs to.
    team = home_team(staff, children, allocated) if DUTY_FLAG in slot.flags else worker.team
    return PlannedVisit(
        id=visit_id, household=need.household, case_refs=tuple(c.case_ref for c in children),
        start=start, end=start + timedelta(minutes=request.times.visit_minutes),
        worker_id=worker.id, team=team, kind=need.kind, announced=True, checks=checks,
        due_by=need.due, reasons=reasons,
        allocated_worker_id=allocated.id if allocated and allocated.id != worker.id else None,
        # Late whatever the slot's origin: an overdue need placed in its clamped window,
        # or a late visit kept from the previous plan, is as late as one placed after it.
        flags=tuple(sorted({*slot.flags, *(("late",) if slot.day > need.due else ()),
                            *((AFTER_SCHOOL,) if after_school_on(request, need, slot.day)
                              else ())})),
        failure_would_breach=failure_breaches(ctx, children, slot.day, need.due))


def visited(children: Sequence[Child], need: Need, day: date) -> Sequence[Child]:
    """The household's children a visit on ``day`` is for: those on a plan that day, and
    any whose deadline it serves counting from that day or before (a first visit after a
    referral, before the plan starts).  A sibling whose plan starts later is not visited on
    it yet: the visit does not count toward their plan."""
    served = {d.case_ref for d in need.reasons if d.anchor is None or d.anchor <= day}
    found = [c for c in children if c.plan_start <= day or c.case_ref in served]
    return found or children


def checks_for(ctx: Context, child: Child, slot: Slot, state: State,
                need: Need) -> tuple[str, ...]:
    """Checks owed at this visit: due at the next visit, due before the child's next visit,
    or needed for the visit to count toward a rule at all (a cadence of visits where the
    child is seen alone counts only visits that record it) -- including a rule the visit
    serves that starts to apply after it (seen alone from the 3rd birthday)."""
    history = state.histories.get(child.case_ref, EMPTY)
    chosen = state.rules_for(child)
    counting = counting_checks(ctx, child, slot.day, chosen.counted)
    serving = (ctx.policy.rule(d.rule_id) for d in need.reasons if d.case_ref == child.case_ref)
    needed = counting | frozenset(check for rule in serving for check in rule.counts.checks)
    owed = [d for d in deadlines_of(ctx, child, history, slot.day, chosen.checks)
            if d.action == "check"]
    now = {d.check for d in owed if d.at_next_visit or d.due is None}
    dated = [d for d in owed if not d.at_next_visit and d.due is not None]
    if dated:  # only a dated check needs to know when the next visit would be due
        horizon = next_visit_due(ctx, child, history, slot.day, chosen.visits, counting)
        now |= {d.check for d in dated if d.due is not None and d.due <= horizon}
    return tuple(sorted(needed | now))


def counting_checks(ctx: Context, child: Child, day: date,
                    counted: Sequence[Rule] | None = None) -> frozenset[str]:
    """The checks a visit on ``day`` must record to count toward the rules with deadlines
    that apply to the child then (``counts.checks``); checks on the child wait for birth.
    ``counted``: those rules already chosen (:func:`counted_rules`), else the policy's."""
    found: set[str] = set()
    for rule in counted_rules(ctx.policy.rules) if counted is None else counted:
        if rule.applies_to(child, day):
            found |= rule.counts.checks
    if not child.treated_as_born_on(day):
        found -= CHECKS_ON_THE_CHILD
    return frozenset(found)


def next_visit_due(ctx: Context, child: Child, history: History, day: date,
                   visit_rules: Sequence[Question], counting: frozenset[str]) -> date:
    """When the child's next visit would be due if this one (on ``day``, making the checks
    ``counting``) goes ahead; ``visit_rules`` chosen for the child (``ChildRules.visits``)."""
    probe = as_history(history).plus(Fact(noon(day), Location.HOME, True, Outcome.COMPLETED,
                                          Role.SOCIAL_WORKER, counting, planned=True),
                                     probe=True)
    dues = [d.due for d in deadlines_of(ctx, child, probe, day, visit_rules)
            if d.due is not None]
    return min(dues, default=day + NO_CADENCE_HORIZON)


def failure_breaches(ctx: Context, children: Sequence[Child], day: date, due: date) -> bool:
    """True when a failed visit on ``day`` could not be re-done by ``due`` (revisit rules)."""
    if day > due:
        return True
    rules = [r for r in ctx.policy.rules_of(RuleKind.REVISIT) if r.failures == 1 and r.within
             and any(r.applies_to(c, day) for c in children)]
    return any(end_of(ctx, r, r.within, noon(day)) > due for r in rules if r.within)


def add_fact(state: State, case_ref: str, visit: PlannedVisit, staff: Staff,
              checks: frozenset[str]) -> None:
    role = staff.workers[visit.worker_id].role
    fact = Fact(visit.start, Location.HOME, visit.announced, Outcome.COMPLETED, role, checks,
                planned=True, worker_id=visit.worker_id)
    state.histories[case_ref] = state.histories.get(case_ref, EMPTY).plus(fact)


def new_id(need: Need, used: set[str]) -> str:
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


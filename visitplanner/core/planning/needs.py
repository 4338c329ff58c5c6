"""Needs and deadlines: each household's next visit -- its deadline, target (the margin kept) and
window.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from visitplanner.core.cover import statutory_roles
from visitplanner.core.model import Child, Location, Role, VisitKind
from visitplanner.core.planning.state import (
    EMPTY,
    VISIT_RULES,
    Need,
    PlanRequest,
    State,
    after_school_between,
    noon,
)
from visitplanner.core.policy.model import Rule, RuleKind, Unit
from visitplanner.core.rules import (
    Context,
    Deadline,
    deadlines_of,
    end_of,
    planned_visits_can_meet,
    quota,
    working_days_back,
)
from visitplanner.core.timeslots import at_school

#: The largest share of an interval a safety margin may take (see ``target_day``).
MAX_MARGIN_SHARE = 1 / 3


def next_need(ctx: Context, request: PlanRequest, household: str,
               children: Sequence[Child], state: State) -> Need | None:
    """The household's next visit, or None when none is needed before the plan ends."""
    earliest = after_limits(ctx, children, state, first_allowed_day(request.today, children, state))
    found = [(d, ctx.policy.rule(d.rule_id)) for c in children
             for d in deadlines_of(ctx, c, state.histories.get(c.case_ref, EMPTY), earliest,
                                   state.rules_for(c).driving)
             if d.due is not None and drives_a_visit(ctx, d)]
    found, earliest = wait_for_events(found, earliest)
    if not found:
        return None
    target = min(target_day(ctx, rule, d) for d, rule in found)
    # A target on a weekend after the plan's last day may still be visited on the working
    # day before it, inside the plan: that visit belongs to this plan, not the next.
    if ctx.calendar.latest_working_day_on_or_before(target) > request.end:
        return None
    due = min(d.due for d, _ in found if d.due is not None)
    kind = visit_kind(ctx, [d for d, _ in found])
    roles = required_roles([r for _, r in found])
    # At school on the last day of the window: a child who turns 4 inside it is at school
    # whichever day the visit takes (school age only comes, never goes).  The window is
    # placed as if after school when any of its days is in term (the day is not known yet).
    last = max(due, target, earliest)
    school_age = any(at_school(c, last) for c in children)
    after_school = after_school_between(request, school_age, earliest, last)
    return Need(household, max(target, earliest), due, earliest, kind,
                tuple(d for d, _ in found), roles, after_school,
                halfway_day(previous_visit_day(children, state), due, earliest,
                         max(target, earliest)), school_age)


def wait_for_events(found: list[tuple[Deadline, Rule]], earliest: date
                    ) -> tuple[list[tuple[Deadline, Rule]], date]:
    """The deadlines the next visit serves, and its first day, when some count from an event
    still to come (a booked review conference): a visit before the event does not count.

    When a deadline that can be met now falls before every such event, the next visit serves
    only those (the event's visit comes after); otherwise it waits for the first event and
    serves every deadline whose event has come by then.
    """
    def waits(deadline: Deadline, rule: Rule) -> bool:
        return rule.kind is RuleKind.FIRST_VISIT and deadline.anchor is not None and \
            deadline.anchor > earliest

    waiting = [d.anchor for d, r in found if waits(d, r) and d.anchor is not None]
    if not waiting:
        return found, earliest
    ready = [(d, r) for d, r in found if not waits(d, r)]
    first_event = min(waiting)
    if ready and min(d.due for d, _ in ready if d.due is not None) < first_event:
        return ready, earliest
    return [(d, r) for d, r in found if not waits(d, r) or
            (d.anchor is not None and d.anchor <= first_event)], first_event


def after_limits(ctx: Context, children: Sequence[Child], state: State, day: date) -> date:
    """The first day from ``day`` on which no "at most K visits in a window" quota of the
    household's children is full (each limit moved past, until none is)."""
    limiting = [r for r in ctx.policy.rules_of(RuleKind.QUOTA)
                if r.at_most and limits_home_visits(r)]
    while limiting:
        limits = [d.due for c in children for r in limiting if r.applies_to(c, day)
                  and (d := quota(ctx, r, c, state.histories.get(c.case_ref, EMPTY), day))
                  and d.action == "limit" and d.due is not None and d.due > day]
        if not limits:
            break
        day = max(limits)
    return day


def limits_home_visits(rule: Rule) -> bool:
    """True when a planned visit (at home) counts toward the limiting quota: a limit on
    visits away from home does not hold home visits back."""
    return rule.counts.location != Location.ELSEWHERE.value


def halfway_day(previous: date | None, due: date, earliest: date, target: date) -> date:
    """Halfway from the household's previous visit to the deadline (inclusive bounds, calendar
    days): the earliest day a visit is moved forward to so that the family's own worker can
    make it before a colleague covers instead.  Families see their own worker; no family is
    visited twice in a few days for it."""
    if previous is None:
        return earliest
    halfway = previous + timedelta(days=(due - previous).days // 2)
    return min(max(halfway, earliest), target)


def previous_visit_day(children: Sequence[Child], state: State) -> date | None:
    """The day of the household's last home visit that took place, recorded or planned."""
    days = [day for c in children
            if (day := state.histories.get(c.case_ref, EMPTY).last_home_visit_day()) is not None]
    return max(days, default=None)


def drives_a_visit(ctx: Context, deadline: Deadline) -> bool:
    """Cadences, first visits and re-visits need a visit; so does a check with a date (the
    bedroom before the next conference, seen awake within 6 weeks): it can only be made at one.
    Not a rule a planned visit cannot meet (it counts only direct work, or only visits away
    from home): the plan reports it (:func:`visitplanner.core.verify.unplannable_shortfalls`)."""
    rule = ctx.policy.rule(deadline.rule_id)
    kind = rule.kind
    return (kind in VISIT_RULES or (kind is RuleKind.CHECK and not deadline.at_next_visit)) \
        and planned_visits_can_meet(rule)


def visit_kind(ctx: Context, drivers: Sequence[Deadline]) -> VisitKind:
    """A re-visit or first visit when any deadline the visit meets is one: the next visit
    after a failed one is the re-visit, the next after a referral the first visit."""
    kinds = {ctx.policy.rule(d.rule_id).kind for d in drivers}
    if RuleKind.REVISIT in kinds:
        return VisitKind.REVISIT
    return VisitKind.FIRST if RuleKind.FIRST_VISIT in kinds else VisitKind.ROUTINE


def first_allowed_day(today: date, children: Sequence[Child], state: State) -> date:
    """First day the next visit may take: today, or the day after the household's last visit."""
    last = [day for c in children
            if (day := state.histories.get(c.case_ref, EMPTY).last_planned_day()) is not None]
    return max([today, *(d + timedelta(days=1) for d in last)])


def target_day(ctx: Context, rule: Rule, deadline: Deadline) -> date:
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
        target = working_days_back(ctx, deadline.due, margin.count)
    else:
        target = deadline.due - (end_of(ctx, rule, rule.margin, noon(deadline.due))
                                 - deadline.due)
    if deadline.anchor is None:
        return target
    interval = deadline.due - deadline.anchor
    return max(target, deadline.due - interval * MAX_MARGIN_SHARE)


def required_roles(rules: Sequence[Rule]) -> frozenset[Role]:
    """Roles every driving rule accepts: the intersection of their non-empty role lists."""
    sets = [statutory_roles(r.counts.roles) for r in rules if r.counts.roles]
    if not sets:
        return frozenset()
    common = frozenset.intersection(*sets)
    return common or sets[0]


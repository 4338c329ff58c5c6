"""Dated deadlines the plan meets by what its visits do, checked after planning.

The planner places visits by the cadences; unannounced quotas and dated checks
(seen awake at least every 6 weeks, bedroom before the next conference) are
met by tagging planned visits.  This pass walks each child's recorded visits
and planned visits (assumed to go ahead as planned) through those rules, and
reports every deadline inside the plan that no visit meets in time as a
:class:`Shortfall`: never a silent breach.  Pure: ``today`` is an input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from visitplanner.core.model import Child, Shortfall
from visitplanner.core.policy.model import Rule, RuleKind
from visitplanner.core.rules import (
    Context,
    Deadline,
    Fact,
    check,
    end_of,
    matches,
    next_conference,
    owed_deadline,
    planned_visits_can_meet,
    ratio_share,
    ratio_window,
    revisit_deadlines,
    start_of,
)


def dated_shortfalls(ctx: Context, children: Sequence[Child],
                     recorded: Mapping[str, tuple[Fact, ...]],
                     planned: Mapping[str, tuple[Fact, ...]], today: date, end: date,
                     teams: Mapping[str, str]) -> list[Shortfall]:
    """Each quota or dated-check deadline up to ``end`` (inclusive) met late or not at all."""
    found: list[Shortfall] = []
    for child in sorted(children, key=lambda c: c.case_ref):
        for rule in _dated_rules(ctx, child, today):
            found += _walk(ctx, rule, child, recorded.get(child.case_ref, ()),
                           planned.get(child.case_ref, ()), today, end,
                           teams.get(child.case_ref, ""))
    return found


def kth_shortfalls(ctx: Context, children: Sequence[Child],
                   recorded: Mapping[str, tuple[Fact, ...]],
                   planned: Mapping[str, tuple[Fact, ...]], today: date, end: date,
                   teams: Mapping[str, str]) -> list[Shortfall]:
    """Every-k-th-visit checks already missed and still owed: the recorded visits broke the
    rule (bedroom on every third visit) and no recorded visit made the check since.  Each is
    reported once, due on the visit that missed it, met by the first planned visit that
    makes the check (or not in this plan)."""
    found: list[Shortfall] = []
    for child in sorted(children, key=lambda c: c.case_ref):
        for rule in ctx.policy.rules_of(RuleKind.CHECK):
            # Not rule.applies_to(today): a check missed while the rule applied (seen awake
            # under 3) stays a breach on the record after the child has turned 3.
            if not rule.every_kth or child.plan_type not in rule.plans:
                continue
            owed = check(ctx, rule, child, recorded.get(child.case_ref, ()), today)
            if owed is None or owed.due is None:
                continue
            meets = next((f for f in planned.get(child.case_ref, ()) if _meets(rule, f)), None)
            found.append(_shortfall(rule, child, owed, meets, today, end,
                                    teams.get(child.case_ref, "")))
    return found


def revisit_shortfalls(ctx: Context, children: Sequence[Child],
                       recorded: Mapping[str, tuple[Fact, ...]],
                       planned: Mapping[str, tuple[Fact, ...]], today: date, end: date,
                       teams: Mapping[str, str]) -> list[Shortfall]:
    """Re-visit deadlines set by recorded failures that no visit meets in time: each failed
    visit of the current streak had its own deadline, not only the last one."""
    found: list[Shortfall] = []
    for child in sorted(children, key=lambda c: c.case_ref):
        for rule in ctx.policy.rules_of(RuleKind.REVISIT):
            if not rule.applies_to(child, today):
                continue
            # Every deadline comes from a recorded failure: the first planned visit that
            # counts is the first that can meet any of them.
            meets = next((f for f in planned.get(child.case_ref, ())
                          if matches(rule.counts, f)), None)
            for deadline in revisit_deadlines(ctx, rule, child, recorded.get(child.case_ref, ())):
                assert deadline.due is not None
                if meets is None and deadline.due > end:
                    continue
                if meets is None or meets.day > deadline.due:
                    found.append(_shortfall(rule, child, deadline, meets, today, end,
                                            teams.get(child.case_ref, "")))
    return found


def event_shortfalls(ctx: Context, children: Sequence[Child],
                     recorded: Mapping[str, tuple[Fact, ...]],
                     planned: Mapping[str, tuple[Fact, ...]], today: date, end: date,
                     teams: Mapping[str, str]) -> list[Shortfall]:
    """Each occurrence of a first_visit rule's event whose deadline (up to ``end``, inclusive)
    the plan's visits meet late or not at all.  The planner serves the first occurrence after
    the last counting visit; one visit may then meet several (two placements in a week), and
    each is judged here on its own deadline."""
    found: list[Shortfall] = []
    for child in sorted(children, key=lambda c: c.case_ref):
        facts = (*recorded.get(child.case_ref, ()), *planned.get(child.case_ref, ()))
        for rule in ctx.policy.rules_of(RuleKind.FIRST_VISIT):
            found += _event_walk(ctx, rule, child, facts, today, end,
                                 teams.get(child.case_ref, ""))
    return found


def _event_walk(ctx: Context, rule: Rule, child: Child, facts: tuple[Fact, ...], today: date,
                end: date, team: str) -> list[Shortfall]:
    assert rule.within is not None
    out = []
    for event in child.occurrences(rule.event):
        due = end_of(ctx, rule, rule.within, start_of(event))
        if due > end or not rule.applies_to(child, due):
            continue
        meets = next((f for f in facts if f.day >= event and matches(rule.counts, f)), None)
        # Met late by a recorded visit is history; by a planned one, or not at all, the plan's.
        if meets is None or (meets.day > due and meets.planned):
            deadline = Deadline(rule.id, child.case_ref, "visit", due,
                                f"a visit within {ctx.policy.resolve(rule.within)} of "
                                f"{rule.event} on {event.isoformat()}", anchor=event)
            out.append(_shortfall(rule, child, deadline, meets, today, end, team))
    return out


def unplannable_shortfalls(ctx: Context, children: Sequence[Child],
                           recorded: Mapping[str, tuple[Fact, ...]],
                           planned: Mapping[str, tuple[Fact, ...]], today: date, end: date,
                           teams: Mapping[str, str]) -> list[Shortfall]:
    """The next deadline (up to ``end``) of each dated rule no planned visit can meet (it
    counts only extra visits such as direct work, or only visits away from home): the
    worker must arrange such a visit, and the plan says so."""
    found: list[Shortfall] = []
    kinds = (RuleKind.CADENCE, RuleKind.FIRST_VISIT, RuleKind.QUOTA, RuleKind.CHECK)
    rules = [r for kind in kinds for r in ctx.policy.rules_of(kind)
             if not planned_visits_can_meet(r) and not (kind is RuleKind.QUOTA and r.at_most)]
    for child in sorted(children, key=lambda c: c.case_ref) if rules else ():
        history = recorded.get(child.case_ref, ())
        for rule in (r for r in rules if child.plan_type in r.plans):
            deadline = owed_deadline(ctx, rule, child, history, today)
            if deadline is None or deadline.due is None or deadline.due > end:
                continue
            found.append(Shortfall(
                case_ref=child.case_ref, household=child.household, rule_id=rule.id,
                deadline=deadline.due, planned_on=None,
                days_late=(end + timedelta(days=1) - deadline.due).days,
                reason=f"no planned visit counts toward it ({deadline.what}): arrange the "
                       "kind of visit the rule counts", team=teams.get(child.case_ref, "")))
    return found


def ratio_shortfalls(ctx: Context, children: Sequence[Child],
                     recorded: Mapping[str, tuple[Fact, ...]],
                     planned: Mapping[str, tuple[Fact, ...]], today: date, end: date,
                     teams: Mapping[str, str]) -> list[Shortfall]:
    """Each planned visit (up to ``end``) at which a ratio's share falls short, judged over
    the recorded and planned visits up to it (:func:`ratio_window`); its day is the
    deadline, as the next visits must restore the share."""
    found: list[Shortfall] = []
    for child in sorted(children, key=lambda c: c.case_ref):
        facts = (*recorded.get(child.case_ref, ()), *planned.get(child.case_ref, ()))
        for rule in ctx.policy.rules_of(RuleKind.RATIO):
            found += _ratio_walk(ctx, rule, child, facts, end, teams.get(child.case_ref, ""))
    return found


def _ratio_walk(ctx: Context, rule: Rule, child: Child, facts: tuple[Fact, ...], end: date,
                team: str) -> list[Shortfall]:
    assert rule.share is not None
    out = []
    for fact in (f for f in facts if f.planned and f.day <= end):
        window = ratio_window(ctx, rule, facts, fact)
        share = ratio_share(rule, window)
        if fact in window and rule.applies_to(child, fact.day) and share < rule.share:
            out.append(Shortfall(
                case_ref=child.case_ref, household=child.household, rule_id=rule.id,
                deadline=fact.day, planned_on=fact.day, days_late=0, team=team,
                reason=f"the share of visits as {rule.id} counts them falls to {share} at this "
                       f"visit (at least {rule.share}): make it one that counts"))
    return out


def _dated_rules(ctx: Context, child: Child, today: date) -> list[Rule]:
    rules = [r for r in ctx.policy.rules_of(RuleKind.QUOTA) if r.at_least]
    rules += [r for r in ctx.policy.rules_of(RuleKind.CHECK) if r.within or r.between]
    return [r for r in rules if r.applies_to(child, today)]


def _walk(ctx: Context, rule: Rule, child: Child, recorded: tuple[Fact, ...],
          planned: tuple[Fact, ...], today: date, end: date, team: str) -> list[Shortfall]:
    """Follow the rule's deadlines through the planned visits, noting each one met late."""
    history, ahead = list(recorded), list(planned)
    out: list[Shortfall] = []
    on = max(today, _last_day(history))
    while True:
        deadline = _deadline(ctx, rule, child, history, on)
        if deadline is None:
            # Nothing owed now (the bedroom already seen since the last conference): owed
            # again from the next conference inside the plan, whether or not a visit is
            # planned after it.
            following = next_period(rule, child, on, end)
            if following is None:
                return out
            on = following
            passed = [f for f in ahead if f.day < on]
            history, ahead = history + passed, ahead[len(passed):]
            continue
        if deadline.due is None or deadline.due > end:
            return out
        meets = next((f for f in ahead if _meets(rule, f)), None)
        if meets is None or meets.day > deadline.due:
            out.append(_shortfall(rule, child, deadline, meets, today, end, team))
        if meets is None:
            return out
        done = ahead.index(meets) + 1
        history, ahead = history + ahead[:done], ahead[done:]
        on = max(today, _last_day(history))


def next_period(rule: Rule, child: Child, on: date, end: date) -> date | None:
    """For a check between conferences, the next conference after ``on`` (excluded) up to
    ``end`` (included; calendar days), from which the check is owed again
    (:func:`~visitplanner.core.rules.next_conference`); None for other rules, or when no
    conference comes by then."""
    following = next_conference(child, on) if rule.between else None
    return following if following is not None and following <= end else None


def _deadline(ctx: Context, rule: Rule, child: Child, history: list[Fact],
              on: date) -> Deadline | None:
    return owed_deadline(ctx, rule, child, history, on)


def _meets(rule: Rule, fact: Fact) -> bool:
    return matches(rule.counts, fact) and (rule.kind is RuleKind.QUOTA or rule.check in fact.checks)


def _last_day(history: list[Fact]) -> date:
    return max((f.day for f in history), default=date.min)


def _shortfall(rule: Rule, child: Child, deadline: Deadline, meets: Fact | None, today: date,
               end: date, team: str) -> Shortfall:
    assert deadline.due is not None
    late_until = meets.day if meets else end + timedelta(days=1)
    if deadline.due < today:
        reason = f"already overdue on {today.isoformat()}"
    elif meets is None:
        reason = f"no planned visit can meet it before the plan ends ({deadline.what})"
    else:
        reason = f"the first visit that can meet it is later ({deadline.what})"
    return Shortfall(case_ref=child.case_ref, household=child.household, rule_id=rule.id,
                     deadline=deadline.due, planned_on=meets.day if meets else None,
                     days_late=(late_until - deadline.due).days, reason=reason, team=team)

"""Unannounced visits: placed after the days are fixed.

Unannounced visits meet each quota (e.g. at least one in any 3 months) in every
rolling window.  Which visit in a window is unannounced is drawn at random so
that families cannot learn a pattern, from a generator seeded by the plan's
seed, the household and the window, so the same inputs give the same plan.

Their times of day are placed by :mod:`visitplanner.core.timeslots`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from visitplanner.core.model import Child, Location, PlannedVisit
from visitplanner.core.policy.model import Rule, RuleKind
from visitplanner.core.rules import Context, Fact, matches, owed_deadline, ratio_share, ratio_window
from visitplanner.core.timeslots import draw


def tag_unannounced(ctx: Context, children: Sequence[Child],
                    histories: Mapping[str, Sequence[Fact]], visits: Sequence[PlannedVisit],
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
        # A visit away from home is arranged with the child: announced, never picked.
        if visit.location is Location.HOME:
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


def _recorded(histories: Mapping[str, Sequence[Fact]], child: Child) -> tuple[Fact, ...]:
    return tuple(f for f in histories.get(child.case_ref, ()) if not f.planned)


def _quota_due(ctx: Context, child: Child, histories: Mapping[str, Sequence[Fact]],
               today: date) -> date:
    dues = [d.due for r in ctx.policy.rules_of(RuleKind.QUOTA)
            if r.at_least and r.applies_to(child, today)
            and (d := owed_deadline(ctx, r, child, _recorded(histories, child), today)) and d.due]
    return min(dues, default=date.max)


def _pick(ctx: Context, rule: object, child: Child, recorded: tuple[Fact, ...],
          planned: list[PlannedVisit], chosen: set[str], seed: int, end: date) -> set[str]:
    from visitplanner.core.policy.model import Rule

    assert isinstance(rule, Rule)
    picked = set(chosen)
    history = list(recorded)
    while True:
        facts = tuple(sorted(history + [_fact(v, child, v.id in picked) for v in planned],
                             key=lambda f: f.at))
        last = max((f.day for f in facts if matches(rule.counts, f)), default=None)
        deadline = owed_deadline(ctx, rule, child, facts, last or date.min)
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


def _fact(visit: PlannedVisit, child: Child, unannounced: bool) -> Fact:
    """The planned visit as the child's fact, with the checks planned for the child (a quota
    may count only visits that record a check)."""
    from visitplanner.core.model import Location, Outcome

    checks = next((c.checks for c in visit.checks if c.case_ref == child.case_ref), ())
    return Fact(visit.start, Location.HOME, not unannounced, Outcome.COMPLETED, None,
                frozenset(checks), planned=True, worker_id=visit.worker_id)


def tag_for_ratios(ctx: Context, children: Sequence[Child],
                   histories: Mapping[str, Sequence[Fact]], visits: Sequence[PlannedVisit]
                   ) -> list[PlannedVisit]:
    """Mark visits unannounced where a ratio of unannounced visits (``counts.announced =
    false``) would otherwise fall short: walking each child's planned home visits in time
    order, a visit at which the share would fall below the ratio's is made unannounced."""
    rules = [r for r in ctx.policy.rules_of(RuleKind.RATIO) if r.counts.announced is False]
    if not rules:
        return list(visits)
    unannounced = {v.id for v in visits if not v.announced}
    ordered = sorted(visits, key=lambda v: (v.start, v.id))
    for child in sorted(children, key=lambda c: c.case_ref):
        planned = [v for v in ordered if child.case_ref in v.case_refs
                   and v.location is Location.HOME]
        for rule in (r for r in rules if planned and r.applies_to(child, planned[0].day)):
            unannounced |= _ratio_picks(ctx, rule, child, _recorded(histories, child), planned,
                                        unannounced)
    return [replace(v, announced=False) if v.id in unannounced and v.announced else v
            for v in visits]


def _ratio_picks(ctx: Context, rule: Rule, child: Child, recorded: tuple[Fact, ...],
                 planned: list[PlannedVisit], chosen: set[str]) -> set[str]:
    """The planned visits (of ``planned``, in time order) to make unannounced for the ratio."""
    assert rule.share is not None
    picked = set(chosen)
    facts = list(recorded)
    for visit in planned:
        fact = _fact(visit, child, visit.id in picked)
        window = ratio_window(ctx, rule, [*facts, fact], fact)
        if fact in window and ratio_share(rule, window) < rule.share:
            picked.add(visit.id)
            fact = _fact(visit, child, True)
        facts.append(fact)
    return picked

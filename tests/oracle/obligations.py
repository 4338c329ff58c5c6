"""One function per rule kind: the deadlines a child's history owes, and which lapsed.

Every function takes a :class:`Scope` (one child, their facts, the horizon) and a rule,
and returns the :class:`Lapse` values: deadlines not met by a counting fact on or before
the deadline (inclusive).  The *plan anchor*, used when no visit counts yet, is 00:00
London on the later of the child's ``plan_start`` and the caseload's ``records_from``.  A
counting fact on or before the plan anchor (a visit before a plan that starts later)
is still the last counting fact: a chain starts from the latest such fact, else from
the plan anchor (so no deadline falls between visits made before the plan starts).

**Owed on the deadline.**  A deadline D is owed only when the rule applies on D (see
:func:`oracle.facts.applies`).  When it does not apply on D but starts to apply on a later
day X inside the horizon (a birthday), the deadline is X.  Once a rule has stopped
applying, no further deadlines.

- **cadence**: from the last counting fact (or the plan anchor), D = the end of ``every``;
  with a ``plan_value`` the child sets (``visit_frequency_days`` N), D = the earlier of
  that and ``anchor_day + N`` calendar days (under the rule's counting convention).  Met
  by the next counting fact after the anchor on or before D.  If none: a lapse; the chain
  continues from the late fact, if any, else stops.  Walked until D is after the plan end.
- **first_visit**: for each occurrence of the event (referral, plan start, birth, all / the
  first / the later conferences, or the child's events.csv rows of that name), from 00:00
  on its day (none, nothing),
  D = the end of ``within``; met by the first counting fact on or after the event day.
- **quota, at least K per window W**: D = the end of W from the K-th most recent counting
  fact (or the plan anchor); met by the next counting fact; walked like a cadence.  (An
  ``at_most`` quota is a planning fault, see :mod:`oracle.faults`.)
- **check, every k-th**: among the counting facts on whose day the rule applies, a fact
  that brings the number of facts since the last one carrying the check (never carried:
  since the first) to k without the check is a miss: a lapse due that day, met by the
  next fact carrying it (one lapse per run of misses).
- **check, within W**: from the last counting fact carrying the check, or the plan anchor,
  or (when later, for a check on the child) 00:00 on the (expected) birth day; D = the end of
  W; met by a counting fact carrying the check on or before D; walked like a cadence.
- **check, between conferences**: for each conference c with today < c and c - 1 <= the
  plan end, a counting fact carrying the check on a day from the previous conference (or
  the plan start, when later) to c - 1 inclusive; deadline c - 1; there is no late
  meeting.  A conference on or before the plan start (the first conference) owes
  nothing: there is no "between" while the child is on the plan.
- **revisit**: a streak is the failed home visits (outcome in ``after``) since the last
  home visit with another outcome that took place, of a type the rule counts (visits
  away from home neither count nor end a streak, nor does an extra visit such as direct
  work, which never stands in for a statutory one; nor does a visit that did not take
  place, cancelled or no access,
  whose outcome is not in ``after``: the child is still not seen).  Each failure that
  brings the streak to N = ``failures`` or more owes a visit by the end of ``within``
  from the anchor, met by the next counting fact after the anchor.  The anchor is that
  failure, or with ``anchor = "first_failed_visit"`` the first of the N failures in a
  row that end with it.  (Readings chosen as the protective ones: every failure past
  the N-th owes another re-visit, and a cancelled visit does not reset a "not seen" run.)
  With ``missed`` checks, a visit where the child was seen but one of them was recorded as
  not made is a failure too, and only a counting visit (one making them) ends the run.
- escalation, recording, preference, cover and guidance rules owe no deadline here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from oracle.calendar import Days
from oracle.facts import (
    CHILD_CHECKS,
    Fact,
    applies,
    birth_day,
    counting_facts,
    counts,
    event_days,
)
from oracle.intervals import (
    calendar_days_end,
    counting_of,
    interval_end,
    midnight,
)
from visitplanner.core.model import LONDON, Child, Location, Outcome
from visitplanner.core.policy import Interval, Policy, Rule, RuleKind, Unit, VisitFilter


@dataclass(frozen=True, slots=True)
class Scope:
    """One child's facts and the horizon: ``today`` to ``plan_end`` (both inclusive)."""

    policy: Policy
    days: Days
    child: Child
    facts: tuple[Fact, ...]
    today: date
    plan_end: date
    start: datetime  #: the plan anchor: 00:00 London on max(plan_start, records_from)


@dataclass(frozen=True, slots=True)
class Lapse:
    """A deadline not met in time: met late by ``met_by``, or never (None).

    It is *open* (the plan must report it) unless a recorded visit met it.
    """

    case_ref: str
    rule_id: str
    deadline: date
    met_by: Fact | None
    what: str

    @property
    def is_open(self) -> bool:
        return self.met_by is None or self.met_by.planned

    @property
    def key(self) -> tuple[str, str, date]:
        return (self.case_ref, self.rule_id, self.deadline)


DueFrom = Callable[[datetime], date]


def lapses_for(scope: Scope, rule: Rule) -> list[Lapse]:
    """The lapses of one rule for the scope's child (none for a rule of another plan)."""
    if scope.child.plan_type not in rule.plans:
        return []
    kind = KINDS.get(rule.kind)
    return kind(scope, rule) if kind else []


# ---------------------------------------------------------------- shared steps


def end_of(scope: Scope, rule: Rule, interval: Interval | None, anchor: datetime) -> date:
    """The last day (inclusive) of ``interval`` from ``anchor`` under the rule's counting."""
    assert interval is not None, f"rule {rule.id} lacks its interval"
    return interval_end(anchor, interval, scope.policy, counting_of(rule, scope.policy),
                        scope.days)


def owed_deadline(scope: Scope, rule: Rule, due: date) -> date | None:
    """``due`` if the rule applies then, else the first later day it does (to the plan end)."""
    day = due
    while day <= scope.plan_end:
        if applies(rule, scope.child, day):
            return day
        day += timedelta(days=1)
    return None


def split(facts: tuple[Fact, ...], start: datetime, not_before: datetime | None = None
          ) -> tuple[tuple[Fact, ...], tuple[Fact, ...]]:
    """(facts up to ``start`` inclusive and not before ``not_before``, facts after ``start``)."""
    prior = tuple(f for f in facts if f.at <= start and (not_before is None
                                                         or f.at >= not_before))
    return prior, tuple(f for f in facts if f.at > start)


def lapse(scope: Scope, rule: Rule, due: date, met_by: Fact | None) -> Lapse:
    late = f"met late on {met_by.day} ({met_by.visit_id})" if met_by else "not met"
    return Lapse(scope.child.case_ref, rule.id, due, met_by, f"{rule.kind.value} due {due}: {late}")


def chain_lapses(scope: Scope, rule: Rule, start: datetime,
                 facts: tuple[tuple[Fact, ...], tuple[Fact, ...]],
                 due_from: DueFrom, lag: int = 1) -> list[Lapse]:
    """Walk a chain of deadlines: each from the ``lag``-th most recent fact (or ``start``).

    ``facts`` are (those up to ``start``, those after it) that meet the rule, in history
    order.  The deadline for the m-th fact after ``start`` is counted from the ``lag``-th
    fact before it (from ``start`` when there are fewer); a fact after its deadline, or
    none, is a lapse.  Stops after the plan end, when the rule no longer applies, or when
    the facts run out.
    """
    found: list[Lapse] = []
    prior, later = facts
    chain = (*prior, *later)
    needed = len(prior)
    while True:
        anchor = chain[needed - lag].at if needed >= lag else start
        due = due_from(anchor)
        owed = owed_deadline(scope, rule, due) if due <= scope.plan_end else None
        if owed is None:
            return found
        fact = chain[needed] if needed < len(chain) else None
        if fact is None or fact.day > owed:
            found.append(lapse(scope, rule, owed, fact))
        if fact is None:
            return found
        needed += 1


# ---------------------------------------------------------------- one function per kind


def cadence_lapses(scope: Scope, rule: Rule) -> list[Lapse]:
    """At least one counting visit every ``every`` (tightened by the child's plan value)."""
    facts = split(counting_facts(scope.facts, rule), scope.start)
    return chain_lapses(scope, rule, scope.start, facts, lambda a: cadence_due(scope, rule, a))


def cadence_due(scope: Scope, rule: Rule, anchor: datetime) -> date:
    """The end of ``every`` from ``anchor``, or of the plan's own frequency when tighter, or of
    a plan_values.csv value (docs/workspace.md): the value in force on the anchor's day counts
    from the anchor, each later one from 00:00 on its ``from`` day, the earliest end wins; an
    approved relaxation in force (the rule has ``relax``, the row names approvers) replaces
    the rule's own interval and the frequency."""
    day = anchor.astimezone(LONDON).date()
    values = sorted((v for v in scope.child.plan_values if v.rule_id == rule.id and not v.switch),
                    key=lambda v: v.start)
    current = ([v for v in values if v.start <= day] or [None])[-1]
    relaxed = current is not None and rule.relax is not None and bool(current.approved_by)
    ends: list[date] = []
    if rule.every is not None and not relaxed:
        ends.append(end_of(scope, rule, rule.every, anchor))
    frequency = scope.child.visit_frequency_days
    if rule.plan_value == "visit_frequency_days" and frequency is not None and not relaxed:
        ends.append(calendar_days_end(day, frequency, counting_of(rule, scope.policy)))
    for value in values:
        if value is current or value.start > day:
            start = anchor if value is current else midnight(value.start)
            ends.append(end_of(scope, rule, Interval(value.count, Unit(value.unit)), start))
    assert ends, f"rule {rule.id} has no interval for {scope.child.case_ref}"
    return min(ends)


def first_visit_lapses(scope: Scope, rule: Rule) -> list[Lapse]:
    """A counting visit within ``within`` of each occurrence of the event, on or after it."""
    return [found for event in event_days(scope.child, rule.event)
            for found in event_lapse(scope, rule, event)]


def event_lapse(scope: Scope, rule: Rule, event: date) -> list[Lapse]:
    due = end_of(scope, rule, rule.within, midnight(event))
    owed = owed_deadline(scope, rule, due) if due <= scope.plan_end else None
    if owed is None:
        return []
    fact = next((f for f in counting_facts(scope.facts, rule) if f.day >= event), None)
    return [] if fact and fact.day <= owed else [lapse(scope, rule, owed, fact)]


def quota_lapses(scope: Scope, rule: Rule) -> list[Lapse]:
    """At least ``at_least`` counting visits in every rolling ``window``."""
    if not rule.at_least:
        return []
    facts = split(counting_facts(scope.facts, rule), scope.start)
    return chain_lapses(scope, rule, scope.start, facts,
                        lambda a: end_of(scope, rule, rule.window, a), lag=rule.at_least)


def check_lapses(scope: Scope, rule: Rule) -> list[Lapse]:
    """A check on every k-th counting visit, at least every ``within``, or between events."""
    if rule.every_kth:
        return every_kth_lapses(scope, rule)
    if rule.within:
        return check_within_lapses(scope, rule)
    if rule.between == "conference":
        return between_conference_lapses(scope, rule)
    return []


def every_kth_lapses(scope: Scope, rule: Rule) -> list[Lapse]:
    """Misses of a check owed on at least every k-th counting visit (one per run)."""
    assert rule.every_kth is not None
    facts = [f for f in counting_facts(scope.facts, rule) if applies(rule, scope.child, f.day)]
    found: list[Lapse] = []
    since, missed_on = 0, None
    for fact in facts:
        if rule.check in fact.checks:
            if missed_on is not None:
                found.append(lapse(scope, rule, missed_on, fact))
            since, missed_on = 0, None
            continue
        since += 1
        if since >= rule.every_kth and missed_on is None:
            missed_on = fact.day
    if missed_on is not None:
        found.append(lapse(scope, rule, missed_on, None))
    return found


def check_within_lapses(scope: Scope, rule: Rule) -> list[Lapse]:
    """A counting visit carrying the check at least every ``within``."""
    start, born = scope.start, birth_day(scope.child)
    not_before = midnight(born) if rule.check in CHILD_CHECKS and born else None
    if not_before is not None:
        start = max(start, not_before)
    carrying = tuple(f for f in counting_facts(scope.facts, rule) if rule.check in f.checks)
    facts = split(carrying, start, not_before)
    return chain_lapses(scope, rule, start, facts, lambda a: end_of(scope, rule, rule.within, a))


def between_conference_lapses(scope: Scope, rule: Rule) -> list[Lapse]:
    """The check made between each conference in the horizon and the one before it."""
    child, found = scope.child, []
    conferences = sorted(child.conference_dates)
    carrying = [f for f in counting_facts(scope.facts, rule) if rule.check in f.checks]
    for conference in conferences:
        due = conference - timedelta(days=1)
        if not (scope.today < conference and due <= scope.plan_end):
            continue
        if not applies(rule, child, due):
            continue
        since = max([child.plan_start, *(c for c in conferences if c < conference)])
        if since > due:
            continue
        if not any(since <= f.day <= due for f in carrying):
            found.append(Lapse(child.case_ref, rule.id, due, None,
                               f"check {rule.check} not made from {since} to {due}"))
    return found


def revisit_lapses(scope: Scope, rule: Rule) -> list[Lapse]:
    """A new visit within ``within`` after ``failures`` failed home visits in a row."""
    found: list[Lapse] = []
    counting = counting_facts(scope.facts, rule)
    streak: list[Fact] = []
    for fact in scope.facts:
        if fact.location is not Location.HOME:
            continue
        if fact.outcome not in rule.after and not missed_a_check(fact, rule):
            # With missed checks, only a visit that makes them ends the run (rule.counts).
            if (counts(fact, rule.counts) if rule.missed else
                    fact.took_place and fact.visit_type in rule.counts.types):
                streak = []
            continue
        streak.append(fact)
        if len(streak) >= rule.failures:
            first = streak[-rule.failures]
            anchor = first if rule.anchor == "first_failed_visit" else fact
            found += revisit_due(scope, rule, anchor, counting)
    return found


def missed_a_check(fact: Fact, rule: Rule) -> bool:
    """The child was seen, but a check the rule names in ``missed`` was recorded as not made."""
    return fact.outcome is Outcome.COMPLETED and bool(rule.missed & fact.not_made)


def revisit_due(scope: Scope, rule: Rule, anchor: Fact, counting: tuple[Fact, ...]) -> list[Lapse]:
    """The re-visit owed after ``anchor``: a lapse when no counting fact comes in time."""
    due = end_of(scope, rule, rule.within, anchor.at)
    owed = owed_deadline(scope, rule, due) if due <= scope.plan_end else None
    if owed is None:
        return []
    fact = next((f for f in counting if f.order > anchor.order), None)
    return [] if fact and fact.day <= owed else [lapse(scope, rule, owed, fact)]


#: The visits a ratio is of when it does not say: every visit where the child was seen.
ANY_SEEN_VISIT = VisitFilter(location="any")


def ratio_lapses(scope: Scope, rule: Rule) -> list[Lapse]:
    """At each planned visit of the ratio's ``of`` (on a day the rule applies), the share of
    the ``of`` visits up to it -- in the ``window`` ending that day (each counted from its
    own day) or the ``last`` N -- that ``counts`` counts is at least ``share``."""
    assert rule.share is not None
    of = rule.of or ANY_SEEN_VISIT
    ordered = sorted((f for f in scope.facts if counts(f, of)), key=lambda f: f.order)
    found = []
    for n, fact in enumerate(ordered):
        if not fact.planned or fact.day > scope.plan_end or not applies(rule, scope.child,
                                                                         fact.day):
            continue
        upto = ordered[:n + 1]
        window = upto[-rule.last:] if rule.last else \
            [f for f in upto if end_of(scope, rule, rule.window, f.at) >= fact.day]
        met = sum(1 for f in window if counts(f, rule.counts))
        if met * rule.share.denominator < rule.share.numerator * len(window):
            found.append(lapse(scope, rule, fact.day, None))
    return found


KINDS: dict[RuleKind, Callable[[Scope, Rule], list[Lapse]]] = {
    RuleKind.CADENCE: cadence_lapses,
    RuleKind.FIRST_VISIT: first_visit_lapses,
    RuleKind.QUOTA: quota_lapses,
    RuleKind.CHECK: check_lapses,
    RuleKind.REVISIT: revisit_lapses,
    RuleKind.RATIO: ratio_lapses,
}

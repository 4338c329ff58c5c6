"""Every deadline a rule set for one child over its visit history, and the visit that met it.

The rules (:func:`visitplanner.core.rules.owed_deadline`) say what is owed *next*, as seen on one
day from the visits before it.  A report needs every deadline of the past, so the history is
replayed: the rule is asked at the start of every day a visit was made (from the visits of the
days before), at every conference, and at the end; each distinct deadline found (by its due day
and anchor) is kept with the first visit from that day on that meets it.

What meets a deadline (:func:`meets`): a visit the rule counts (its ``counts`` filter; a failed
or not-seen visit meets nothing the filter does not count) that, for a check rule, made the
check, and for a first visit is on or after the event.  A check owed at every k-th visit is a
deadline at each visit where it was owed (:func:`kth_occasions`): met in time when that visit
made the check, late when a later one did.

Pure: the facts, the context and the last day come in; values come out.  A deadline is found
only once it is owed by the facts given; facts after ``last`` must not be passed.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from visitplanner.core.history import Fact, History
from visitplanner.core.model import Child
from visitplanner.core.policy.model import Rule, RuleKind
from visitplanner.core.rules import Context, Deadline, matches, owed_deadline


@dataclass(frozen=True, slots=True)
class Replayed:
    """A deadline the rule set, with the day of the visit that met it (None: not met)."""

    deadline: Deadline
    met_on: date | None


@dataclass(frozen=True, slots=True)
class Point:
    """A moment the rule is asked: on ``on``, knowing the first ``known`` facts."""

    known: int
    on: date


#: Deadline actions a visit meets ("notify" and "limit" are not met by a visit).
DEADLINE_ACTIONS = frozenset({"visit", "check"})
#: The action of an escalation's deadline: someone must be told.
NOTIFY = "notify"


def prefixes(facts: Sequence[Fact]) -> tuple[History, ...]:
    """The child's history after 0, 1, ... all of ``facts`` (each grown from the last)."""
    found = [History()]
    for fact in facts:
        found.append(found[-1].plus(fact))
    return tuple(found)


def points(facts: Sequence[Fact], child: Child, last: date) -> tuple[Point, ...]:
    """When to ask: the start of every visit day and conference up to ``last`` (knowing the
    visits of the days before), and ``last`` itself knowing every fact."""
    known = [f.day for f in facts]
    days = sorted(set(known) | {d for d in child.conference_dates if d <= last})
    return (*(Point(bisect_left(known, day), day) for day in days), Point(len(facts), last))


def meets(rule: Rule, deadline: Deadline, fact: Fact) -> bool:
    """True when ``fact`` meets the rule's ``deadline`` (see the module's docstring)."""
    if not matches(rule.counts, fact):
        return False
    if rule.kind is RuleKind.CHECK:
        return rule.check in fact.checks
    if rule.kind is RuleKind.FIRST_VISIT and deadline.anchor is not None:
        return fact.day >= deadline.anchor
    return True


def replay(ctx: Context, rule: Rule, child: Child, facts: Sequence[Fact],
           last: date) -> tuple[Replayed, ...]:
    """Every dated deadline ``rule`` set for ``child`` over ``facts`` (all on or before
    ``last``), each with the day it was met, by due day.  Every-k-th checks: see
    :func:`kth_occasions`.  Limits (at most K) and escalations set no deadline to meet."""
    if rule.kind is RuleKind.CHECK and rule.every_kth:
        return kth_occasions(ctx, rule, child, facts)
    found = [(owed, met_on(rule, owed, facts[known:]))
             for owed, known in distinct(ctx, rule, child, facts, last)
             if owed.action in DEADLINE_ACTIONS]
    return tuple(sorted((Replayed(owed, met) for owed, met in found), key=_by_due))


def distinct(ctx: Context, rule: Rule, child: Child, facts: Sequence[Fact],
             last: date) -> tuple[tuple[Deadline, int], ...]:
    """Each distinct dated deadline (by due day and anchor) the rule gave at any
    :func:`points`, with how many facts were known when it was first given."""
    grown = prefixes(facts)
    found: dict[tuple[date, date | None], tuple[Deadline, int]] = {}
    for point in points(facts, child, last):
        owed = owed_deadline(ctx, rule, child, grown[point.known], point.on)
        if owed is not None and owed.due is not None:
            found.setdefault((owed.due, owed.anchor), (owed, point.known))
    return tuple(found.values())


def met_on(rule: Rule, deadline: Deadline, later: Sequence[Fact]) -> date | None:
    """The day of the first of ``later`` that meets ``deadline`` (None: none does)."""
    return next((f.day for f in later if meets(rule, deadline, f)), None)


def kth_occasions(ctx: Context, rule: Rule, child: Child,
                  facts: Sequence[Fact]) -> tuple[Replayed, ...]:
    """A check owed at every k-th visit: one deadline at each visit the rule counts where the
    check was owed (the k-th since it was last made, or any while it is missed), due that
    visit's day; met then if that visit made it, else by the next that did."""
    grown = prefixes(facts)
    found = []
    for index, fact in _counted(rule, facts):
        owed = owed_deadline(ctx, rule, child, grown[index], fact.day)
        if owed is None:
            continue
        occasion = Deadline(rule.id, child.case_ref, "check", fact.day,
                            f"{rule.check} at the visit", check=rule.check)
        found.append(Replayed(occasion, met_on(rule, occasion, facts[index:])))
    return tuple(found)


def raised(ctx: Context, rule: Rule, child: Child, facts: Sequence[Fact],
           last: date) -> tuple[Replayed, ...]:
    """Each time an escalation rule's trigger fired over ``facts`` (its deadline's ``anchor``
    is the day it fired), with the day of the next visit the rule counts: the day the trigger
    stopped holding (None: it still held on ``last``)."""
    found = [Replayed(owed, next((f.day for f in facts[known:] if matches(rule.counts, f)),
                                 None))
             for owed, known in distinct(ctx, rule, child, facts, last)
             if owed.action == NOTIFY]
    return tuple(sorted(found, key=_by_due))


def _counted(rule: Rule, facts: Sequence[Fact]) -> Iterator[tuple[int, Fact]]:
    return ((i, f) for i, f in enumerate(facts) if matches(rule.counts, f))


def _by_due(found: Replayed) -> tuple[date, date]:
    return found.deadline.due or date.min, found.deadline.anchor or date.min

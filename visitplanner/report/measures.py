"""The compliance report's figures, computed from the visit histories and the policy.

:func:`compliance_report` replays every child's history under every rule that sets a
deadline (:mod:`visitplanner.report.replay`) and keeps the deadlines that fall in the period
(both bounds inclusive), the failed and not-seen visits of the period and the escalations
raised in it.  :func:`tally` turns any selection of deadlines into the figures a manager
reads: deadlines due, met in time, met late (median and worst days late), not met, and the
percentage in timescale.  :func:`grouped`, :func:`by_topic`, :func:`by_rule` and
:func:`weekly` select.

Pure: the histories (recorded visits, and for a forecast the planned ones) come in; the
clock is never read.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from visitplanner.core.history import Fact
from visitplanner.core.model import Child, Outcome, Worker
from visitplanner.core.policy.model import Policy, Rule, RuleKind
from visitplanner.core.rules import Context
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.report.items import (
    UNALLOCATED,
    DeadlineItem,
    MissedVisit,
    Owner,
    RaisedEscalation,
    Status,
    Topic,
    child_label,
)
from visitplanner.report.period import Period, week_of
from visitplanner.report.replay import Replayed, raised, replay

#: Checks with a topic of their own; any other check is one of ``Topic.OTHER_CHECKS``.
CHECK_TOPICS: Mapping[str, Topic] = {
    "seen_alone": Topic.SEEN_ALONE, "seen_awake": Topic.SEEN_AWAKE, "bedroom": Topic.BEDROOM}


class By(StrEnum):
    """How the summary groups children: by team, allocated worker or plan type."""

    TEAM = "team"
    WORKER = "worker"
    PLAN = "plan"


@dataclass(frozen=True, slots=True)
class Caseload:
    """What a report is computed from.  ``histories``: each child's facts in time order
    (recorded visits, plus planned ones for a forecast), by case reference."""

    policy: Policy
    calendar: WorkingCalendar
    children: tuple[Child, ...]
    workers: tuple[Worker, ...]
    histories: Mapping[str, Sequence[Fact]]
    records_from: date | None = None
    privacy: str = "minimal"


@dataclass(frozen=True, slots=True)
class ComplianceReport:
    """The report for ``period``: every deadline that fell in it, every failed or not-seen
    visit made in it, every escalation raised in it; ``labels`` names each child as the
    privacy level allows; ``forecast`` when planned visits were counted as made;
    ``unjudged`` counts the deadlines of the period left out because they count from before
    the records begin (:func:`judged_from`)."""

    period: Period
    deadlines: tuple[DeadlineItem, ...]
    missed_visits: tuple[MissedVisit, ...]
    escalations: tuple[RaisedEscalation, ...]
    labels: Mapping[str, str] = field(default_factory=dict)
    forecast: bool = False
    unjudged: int = 0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Tally:
    """Figures for a set of deadlines.  ``median_days_late`` and ``worst_days_late`` are over
    the deadlines met late only (None: none was); ``percent`` is in time over due, to one
    decimal (None: nothing was due)."""

    due: int
    in_time: int
    late: int
    not_met: int
    median_days_late: float | None
    worst_days_late: int | None

    @property
    def percent(self) -> float | None:
        return round(100 * self.in_time / self.due, 1) if self.due else None


# --------------------------------------------------------------------------- the report


def compliance_report(caseload: Caseload, period: Period,
                      forecast: bool = False) -> ComplianceReport:
    """The report of ``caseload`` over ``period`` (see the module's docstring).

    Only facts on or before ``period.last`` are read: a deadline not met by then is not met.
    """
    ctx = Context(caseload.policy, caseload.calendar, caseload.records_from)
    owners = owners_of(caseload.children, caseload.workers)
    deadlines: list[DeadlineItem] = []
    missed: list[MissedVisit] = []
    escalations: list[RaisedEscalation] = []
    unjudged = 0
    for child in sorted(caseload.children, key=lambda c: c.case_ref):
        facts = tuple(f for f in caseload.histories.get(child.case_ref, ())
                      if f.day <= period.last)
        owner = owners[child.case_ref]
        found = _replayed(ctx, child, facts, period.last)
        due = [(rule, r) for rule, r in found
               if r.deadline.due is not None and period.holds(r.deadline.due)]
        judged = [(rule, r) for rule, r in due if judged_from(r, caseload.records_from)]
        unjudged += len(due) - len(judged)
        deadlines += [_item(rule, child, owner, r, period) for rule, r in judged]
        missed += _missed(child, owner, facts, found, period)
        escalations += _raised(ctx, child, owner, facts, period)
    labels = {c.case_ref: child_label(c, caseload.privacy) for c in caseload.children}
    return ComplianceReport(period, tuple(sorted(deadlines, key=_deadline_order)),
                            tuple(missed), tuple(escalations), labels, forecast, unjudged)


def judged_from(found: Replayed, records_from: date | None) -> bool:
    """False for a deadline counted from before ``records_from`` (the first day from which
    every visit is recorded): a visit before then may have met it, so it is not judged.
    A check owed at a visit (no anchor) is judged on that visit."""
    anchor = found.deadline.anchor
    return records_from is None or anchor is None or anchor >= records_from


def topic_of(rule: Rule) -> Topic | None:
    """The topic of a rule's deadlines; None for a rule that sets none to meet (an at-most
    quota, an escalation, recording, cover, preference, guidance)."""
    if rule.kind in (RuleKind.CADENCE, RuleKind.FIRST_VISIT):
        return Topic.VISITS
    if rule.kind is RuleKind.QUOTA and rule.at_least:
        return Topic.UNANNOUNCED if rule.counts.announced is False else Topic.VISITS
    if rule.kind is RuleKind.REVISIT:
        return Topic.REVISITS
    if rule.kind is RuleKind.CHECK:
        return CHECK_TOPICS.get(rule.check, Topic.OTHER_CHECKS)
    return None


def owners_of(children: Iterable[Child], workers: Iterable[Worker]) -> dict[str, Owner]:
    """Each child's plan type, team and allocated worker (see :class:`Owner`)."""
    by_id = {w.id: w for w in workers}
    first_team = min((w.team for w in by_id.values()), default="")
    owners = {}
    for child in children:
        worker = by_id.get(child.allocated_worker or "")
        owners[child.case_ref] = Owner(str(child.plan_type),
                                       worker.team if worker else first_team,
                                       worker.id if worker else UNALLOCATED)
    return owners


def status_of(due: date, met_on: date | None, last: date) -> Status | None:
    """How a deadline stands on ``last``: in time, late, not met; None while it is still
    open (not met and not yet due)."""
    if met_on is None:
        return Status.NOT_MET if due <= last else None
    return Status.IN_TIME if met_on <= due else Status.LATE


def _replayed(ctx: Context, child: Child, facts: Sequence[Fact],
              last: date) -> list[tuple[Rule, Replayed]]:
    return [(rule, found) for rule in ctx.policy.rules
            if topic_of(rule) is not None and child.plan_type in rule.plans
            for found in replay(ctx, rule, child, facts, last)]


def _item(rule: Rule, child: Child, owner: Owner, found: Replayed,
          period: Period) -> DeadlineItem:
    due = found.deadline.due
    assert due is not None
    status = status_of(due, found.met_on, period.last)
    assert status is not None  # due inside the period, so on or before its last day
    late = {Status.IN_TIME: 0, Status.LATE: ((found.met_on or due) - due).days,
            Status.NOT_MET: (period.last - due).days}[status]
    topic = topic_of(rule)
    assert topic is not None
    anchor = found.deadline.anchor
    return DeadlineItem(child.case_ref, rule.id, rule.kind.value, topic, owner, due, anchor,
                        found.met_on, status, late, found.deadline.what)


def _missed(child: Child, owner: Owner, facts: Sequence[Fact],
            found: Sequence[tuple[Rule, Replayed]], period: Period) -> list[MissedVisit]:
    """The failed and not-seen visits of the period (recorded ones: a planned visit is
    assumed to go ahead), each with the next visit the child was seen at and its re-visit
    deadline."""
    missed = []
    for index, fact in enumerate(facts):
        if fact.planned or fact.outcome is Outcome.COMPLETED or not period.holds(fact.day):
            continue
        seen = next((f.day for f in facts[index + 1:] if f.outcome is Outcome.COMPLETED), None)
        revisits = sorted((r.deadline.due, r.met_on) for rule, r in found
                          if rule.kind is RuleKind.REVISIT and fact.outcome in rule.after
                          and r.deadline.anchor == fact.day and r.deadline.due is not None)
        due, met = revisits[0] if revisits else (None, None)
        missed.append(MissedVisit(child.case_ref, fact.day, fact.outcome.value, fact.worker_id,
                                  owner, seen, due,
                                  status_of(due, met, period.last) if due else None))
    return missed


def _raised(ctx: Context, child: Child, owner: Owner, facts: Sequence[Fact],
            period: Period) -> list[RaisedEscalation]:
    escalations = []
    for rule in ctx.policy.rules_of(RuleKind.ESCALATION):
        if child.plan_type not in rule.plans:
            continue
        for found in raised(ctx, rule, child, facts, period.last):
            fired, due = found.deadline.anchor, found.deadline.due
            if fired is not None and due is not None and period.holds(fired):
                escalations.append(RaisedEscalation(child.case_ref, rule.id, owner, fired, due,
                                                    rule.notify, found.met_on,
                                                    found.deadline.what))
    return escalations


def _deadline_order(item: DeadlineItem) -> tuple[date, str, str]:
    return item.due, item.case_ref, item.rule_id


# --------------------------------------------------------------------------- figures


def tally(items: Iterable[DeadlineItem]) -> Tally:
    """The figures of ``items`` (see :class:`Tally`)."""
    chosen = tuple(items)
    late = [i.days_late for i in chosen if i.status is Status.LATE]
    return Tally(len(chosen), sum(i.status is Status.IN_TIME for i in chosen), len(late),
                 sum(i.status is Status.NOT_MET for i in chosen),
                 float(statistics.median(late)) if late else None, max(late, default=None))


def group_of(owner: Owner, by: By) -> str:
    """The group a child's figures count toward under ``by``."""
    return {By.TEAM: owner.team, By.WORKER: owner.worker, By.PLAN: owner.plan_type}[by]


def grouped(items: Iterable[DeadlineItem], by: By) -> dict[str, tuple[DeadlineItem, ...]]:
    """``items`` by group name, groups in name order."""
    groups: dict[str, list[DeadlineItem]] = {}
    for item in items:
        groups.setdefault(group_of(item.owner, by), []).append(item)
    return {name: tuple(groups[name]) for name in sorted(groups)}


def by_topic(items: Iterable[DeadlineItem]) -> dict[Topic, tuple[DeadlineItem, ...]]:
    """``items`` by topic, every topic present (in :class:`Topic` order), empty or not."""
    chosen = tuple(items)
    return {topic: tuple(i for i in chosen if i.topic is topic) for topic in Topic}


def by_rule(items: Iterable[DeadlineItem],
            policy: Policy) -> dict[str, tuple[DeadlineItem, ...]]:
    """``items`` by rule id, in policy order, only rules with a deadline in the period."""
    chosen = tuple(items)
    found = {rule.id: tuple(i for i in chosen if i.rule_id == rule.id) for rule in policy.rules}
    return {rule_id: found_items for rule_id, found_items in found.items() if found_items}


def weekly(items: Iterable[DeadlineItem], period: Period,
           by: By) -> dict[str, tuple[tuple[date, Tally], ...]]:
    """Per group, each week's figures (weeks start on Monday; a deadline counts in the week
    of its due day), for every week overlapping the period."""
    return {name: tuple((week, tally(i for i in chosen if week_of(i.due) == week))
                        for week in period.weeks())
            for name, chosen in grouped(items, by).items()}


#: The summary's first line: every deadline, whatever its topic.
ALL = "all"


def summary(items: Iterable[DeadlineItem]) -> dict[str, Tally]:
    """The figures of every deadline (key :data:`ALL`), then of each topic (its value)."""
    chosen = tuple(items)
    return {ALL: tally(chosen)} | {topic.value: tally(found)
                                   for topic, found in by_topic(chosen).items()}


def revisits_in_time(missed: Iterable[MissedVisit]) -> tuple[int, int]:
    """Of the failed and not-seen visits whose re-visit deadline has passed (or was met):
    how many were re-visited in time, and how many such deadlines there were."""
    judged = [m.revisit_status for m in missed if m.revisit_status is not None]
    return sum(s is Status.IN_TIME for s in judged), len(judged)

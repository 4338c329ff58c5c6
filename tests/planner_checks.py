"""An independent checker for planner output, used by the planner's tests.

It never calls planner internals: only the model, the policy values, the
working-day calendar and :mod:`visitplanner.core.rules`' public deadline functions
(the same rules the ``due`` report uses).  Each function returns a list of
human-readable violations, empty when the schedule keeps the property, so a
failing test shows every breach at once.

A planned visit is read as a fact that went ahead as planned: completed, at
home, by its worker's role, with the checks it plans for each child, and
announced or not as tagged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from visitplanner.core.model import (
    LONDON,
    Absence,
    Child,
    Location,
    Outcome,
    PlannedVisit,
    PlanType,
    RecordedVisit,
    Role,
    Schedule,
    Worker,
)
from visitplanner.core.planning import PlanRequest
from visitplanner.core.policy.model import Policy, Rule, RuleKind, Unit
from visitplanner.core.rules import Context, Fact, deadlines, facts_from_records, matches, quota
from visitplanner.core.workdays import WorkingCalendar

VISIT_KINDS = frozenset({RuleKind.CADENCE, RuleKind.FIRST_VISIT, RuleKind.REVISIT})


@dataclass(frozen=True, slots=True)
class Inputs:
    """What the planner was given, as the checker needs it."""

    policy: Policy
    calendar: WorkingCalendar
    children: tuple[Child, ...]
    workers: tuple[Worker, ...]
    absences: tuple[Absence, ...]
    visits: tuple[RecordedVisit, ...]
    today: date
    end: date
    travel_minutes: int = 30

    @property
    def ctx(self) -> Context:
        return Context(self.policy, self.calendar)

    def worker(self, worker_id: str) -> Worker:
        return next(w for w in self.workers if w.id == worker_id)


def planned_fact(visit: PlannedVisit, case_ref: str, inputs: Inputs) -> Fact:
    """A planned visit as the child's fact: assumed to go ahead with its planned checks."""
    checks = next((frozenset(c.checks) for c in visit.checks if c.case_ref == case_ref),
                  frozenset())
    return Fact(visit.start, Location.HOME, visit.announced, Outcome.COMPLETED,
                inputs.worker(visit.worker_id).role, checks, planned=True,
                worker_id=visit.worker_id)


def recorded_facts(inputs: Inputs) -> dict[str, tuple[Fact, ...]]:
    """Each child's recorded facts up to and including the plan's first day, in time order."""
    workers = {w.id: w for w in inputs.workers}
    return facts_from_records((v for v in inputs.visits if v.day <= inputs.today), workers)


def planned_facts(schedule: Schedule, child: Child, inputs: Inputs) -> list[Fact]:
    return sorted((planned_fact(v, child.case_ref, inputs) for v in schedule.visits
                   if child.case_ref in v.case_refs), key=lambda f: f.at)


# ---------------------------------------------------------------- staff


def off_day_violations(schedule: Schedule, inputs: Inputs) -> list[str]:
    """Visits on a non-working day of the authority, outside the worker's days, or in an absence."""
    out = []
    for visit in schedule.visits:
        worker = inputs.worker(visit.worker_id)
        day = visit.day
        if not inputs.calendar.is_working_day(day):
            out.append(f"{visit.id} on non-working day {day}")
        if day.weekday() not in worker.working_days:
            out.append(f"{visit.id} on {day}, not one of {worker.id}'s working days")
        if any(a.worker_id == worker.id and a.start <= day <= a.end for a in inputs.absences):
            out.append(f"{visit.id} on {day} while {worker.id} is absent")
    return out


def capacity_violations(schedule: Schedule, inputs: Inputs) -> list[str]:
    """Workers given more visits on a day than their ``visits_per_day``."""
    per_day = Counter((v.worker_id, v.day) for v in schedule.visits)
    return [f"{worker_id} has {n} visits on {day} (limit {inputs.worker(worker_id).visits_per_day})"
            for (worker_id, day), n in sorted(per_day.items())
            if n > inputs.worker(worker_id).visits_per_day]


def overlap_violations(schedule: Schedule, inputs: Inputs) -> list[str]:
    """A worker's visits that overlap, or follow one another without the travel buffer."""
    gap = timedelta(minutes=inputs.travel_minutes)
    out = []
    by_worker: dict[str, list[PlannedVisit]] = {}
    for visit in schedule.visits:
        by_worker.setdefault(visit.worker_id, []).append(visit)
    for worker_id, visits in sorted(by_worker.items()):
        ordered = sorted(visits, key=lambda v: v.start)
        for before, after in pairwise(ordered):
            if before.end + gap > after.start:
                out.append(f"{worker_id}: {before.id} ends {before.end:%Y-%m-%d %H:%M}, "
                           f"{after.id} starts {after.start:%H:%M}")
    for visit in schedule.visits:
        if visit.end <= visit.start or visit.start.date() != visit.end.date():
            out.append(f"{visit.id} runs from {visit.start} to {visit.end}")
    return out


# ---------------------------------------------------------------- deadlines


def lapses(schedule: Schedule, inputs: Inputs) -> set[tuple[str, str, date]]:
    """Every visit deadline (case ref, rule id, due) inside the plan that the plan misses.

    Walk each child's planned visits in order.  Before each one, ask the rules
    for the child's visit deadlines given everything recorded or planned so
    far; a deadline due on or before the plan's end lapses when the next
    planned visit that counts toward its rule comes after it, or never comes.
    """
    recorded = recorded_facts(inputs)
    out: set[tuple[str, str, date]] = set()
    for child in inputs.children:
        if child.plan_start > inputs.end:
            continue
        out |= _child_lapses(child, recorded.get(child.case_ref, ()),
                             planned_facts(schedule, child, inputs), inputs)
    return out


def _child_lapses(child: Child, history: tuple[Fact, ...], planned: list[Fact],
                  inputs: Inputs) -> set[tuple[str, str, date]]:
    ctx = inputs.ctx
    out: set[tuple[str, str, date]] = set()
    cursor = inputs.today
    remaining = list(planned)
    while True:
        for deadline in deadlines(ctx, child, history, cursor):
            rule = ctx.policy.rule(deadline.rule_id)
            if rule.kind not in VISIT_KINDS or deadline.due is None or deadline.due > inputs.end:
                continue
            met = next((f for f in remaining if matches(rule.counts, f)), None)
            if met is None or met.day > deadline.due:
                out.add((child.case_ref, deadline.rule_id, deadline.due))
        if not remaining:
            return out
        step = remaining.pop(0)
        history = tuple(sorted((*history, step), key=lambda f: f.at))
        cursor = step.day + timedelta(days=1)


def reported(schedule: Schedule) -> set[tuple[str, str, date]]:
    return {(s.case_ref, s.rule_id, s.deadline) for s in schedule.shortfalls}


def unreported_lapses(schedule: Schedule, inputs: Inputs) -> list[str]:
    """Lapses the shortfall report does not list."""
    missing = lapses(schedule, inputs) - reported(schedule)
    return [f"{ref} {rule} due {due} lapses but is not in the shortfall report"
            for ref, rule, due in sorted(missing)]


# ---------------------------------------------------------------- unannounced quotas


def unannounced_rules(policy: Policy, child: Child, on: date) -> list[Rule]:
    return [r for r in policy.rules_of(RuleKind.QUOTA)
            if r.at_least and r.counts.announced is False and r.applies_to(child, on)]


def quota_violations(schedule: Schedule, inputs: Inputs) -> list[str]:
    """Quota windows ending inside the plan with planned visits in them but none unannounced.

    A window that ends before the child's first planned visit cannot be met by
    the plan (it was already lapsing) and is not counted against it.
    """
    recorded = recorded_facts(inputs)
    out = []
    for child in inputs.children:
        planned = planned_facts(schedule, child, inputs)
        for rule in unannounced_rules(inputs.policy, child, inputs.today):
            out += _quota_walk(child, rule, recorded.get(child.case_ref, ()), planned, inputs)
    return out


def _quota_walk(child: Child, rule: Rule, history: tuple[Fact, ...], planned: list[Fact],
                inputs: Inputs) -> list[str]:
    ctx = inputs.ctx
    cursor = inputs.today
    remaining = list(planned)
    out = []
    while remaining:
        deadline = quota(ctx, rule, child, history, cursor)
        if deadline is None or deadline.due is None or deadline.due > inputs.end:
            return out
        in_window = [f for f in remaining if f.day <= deadline.due]
        counting = [f for f in remaining if matches(rule.counts, f)]
        if in_window and not any(f.day <= deadline.due for f in counting):
            out.append(f"{child.case_ref} {rule.id}: no unannounced visit by {deadline.due} "
                       f"although {len(in_window)} visit(s) are planned in the window")
        if not counting:
            return out
        step = counting[0]
        remaining = [f for f in remaining if f.at > step.at]
        history = tuple(sorted((*history, step), key=lambda f: f.at))
        cursor = step.day + timedelta(days=1)
    return out


# ---------------------------------------------------------------- checks


def check_rules(policy: Policy) -> list[Rule]:
    return [r for r in policy.rules_of(RuleKind.CHECK) if r.every_kth]


def check_violations(schedule: Schedule, inputs: Inputs) -> list[str]:
    """Every-visit checks missing from a visit; every-k-th checks more than k counting visits apart.

    A rule is judged at a visit when it applies to the child on the visit's date
    (so seen_alone starts on the 3rd birthday).  For every-k-th checks the k
    counting visits ending at each planned visit, recorded ones included, must
    hold the check.
    """
    recorded = recorded_facts(inputs)
    out = []
    for child in inputs.children:
        planned = planned_facts(schedule, child, inputs)
        facts = sorted((*recorded.get(child.case_ref, ()), *planned), key=lambda f: f.at)
        for rule in check_rules(inputs.policy):
            out += _kth_gaps(child, rule, facts)
    return out


def _kth_gaps(child: Child, rule: Rule, facts: Sequence[Fact]) -> list[str]:
    assert rule.every_kth is not None
    counting = [f for f in facts if matches(rule.counts, f)]
    out = []
    for i, fact in enumerate(counting):
        if not fact.planned or not rule.applies_to(child, fact.day):
            continue
        window = counting[max(0, i - rule.every_kth + 1): i + 1]
        if not any(rule.check in f.checks for f in window):
            out.append(f"{child.case_ref} {rule.id}: {rule.check} not planned on {fact.day} "
                       f"nor in the {rule.every_kth - 1} counting visit(s) before")
    return out


def all_violations(schedule: Schedule, inputs: Inputs) -> list[str]:
    return [*off_day_violations(schedule, inputs), *capacity_violations(schedule, inputs),
            *overlap_violations(schedule, inputs), *unreported_lapses(schedule, inputs),
            *quota_violations(schedule, inputs), *check_violations(schedule, inputs)]


# ---------------------------------------------------------------- minimum visits


class Infeasible(ValueError):
    """The cadence cannot be kept at all (overdue already, or no working day in a window)."""


def minimum_visits(anchor: date, rule: Rule, policy: Policy, calendar: WorkingCalendar,
                   today: date, end: date) -> list[date]:
    """The fewest visit days that keep one cadence from ``anchor`` to ``end`` (inclusive).

    Greedy interval stabbing: each next visit goes on the latest allowed day of
    its window, counted from the previous visit, until that day falls after the
    plan's end.  The latest allowed day keeps the rule's safety margin: the
    margin's working days counted back from the last working day on or before
    the deadline, but never more than a third of the interval (whole days), as
    the planner's documentation states; then the latest working day on or
    before that.  Raises :class:`Infeasible` when a window has no such day.
    """
    assert rule.every is not None and rule.margin is not None
    interval = policy.resolve(rule.every)
    margin = policy.resolve(rule.margin)
    assert margin.unit is Unit.WORKING_DAYS
    out: list[date] = []
    last = anchor
    while True:
        due = interval.add_to(datetime.combine(last, time(12)), calendar,
                              policy.counting_for(rule))
        kept = calendar.add_working_days(calendar.latest_working_day_on_or_before(due),
                                         -margin.count)
        capped = due - timedelta(days=(due - last).days // 3)
        target = calendar.latest_working_day_on_or_before(max(kept, capped))
        if target > end:
            return out
        if target < today or target <= last:
            raise Infeasible(f"no allowed day for the visit after {last} (due {due})")
        out.append(target)
        last = target


# ---------------------------------------------------------------- builders for readable tests

TEAM = "west"
EVERY_CHECK = frozenset({"seen_alone", "seen_awake", "bedroom", "kitchen", "bathroom", "food",
                         "injuries", "household_changes", "sleeping_arrangements",
                         "living_arrangements", "network_contact"})


def worker(worker_id: str, role: Role = Role.SOCIAL_WORKER, team: str = TEAM,
           days: Iterable[int] = range(5), per_day: int = 3) -> Worker:
    """A synthetic worker (Monday = 0 in ``days``)."""
    return Worker(worker_id, f"Worker {worker_id}", f"{worker_id}@example.org", team, role,
                  frozenset(days), per_day)


def child(ref: str, household: str, plan: PlanType = PlanType.CP, born: date = date(2015, 1, 1),
          start: date = date(2025, 6, 1), allocated: str | None = "sw.a",
          **more: object) -> Child:
    """A synthetic child; ``more`` sets any other :class:`Child` field."""
    fields: dict[str, Any] = {"conference_dates": (start,), **more}
    return Child(ref, household, "Test Child", born, plan, start, allocated, **fields)


def seen(ref: str, day: date, by: str = "sw.a", checks: Iterable[str] = EVERY_CHECK,
         announced: bool = False, outcome: Outcome = Outcome.COMPLETED) -> RecordedVisit:
    """A recorded home visit at 10:00 (by default completed, unannounced, every check made)."""
    at = datetime.combine(day, time(10), tzinfo=LONDON)
    return RecordedVisit(f"R-{ref}-{day.isoformat()}", ref, at, by, announced=announced,
                         outcome=outcome, checks=frozenset(checks))


def inputs_of(request: PlanRequest) -> Inputs:
    """The checker's view of a planner request."""
    return Inputs(request.policy, request.calendar, request.children, request.workers,
                  request.absences, request.visits, request.today, request.end,
                  request.times.travel_minutes)

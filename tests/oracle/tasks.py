"""Meetings and tasks (``task`` rules), read from the policy format's reference on their own:
each child's next task of every task rule that applies on ``today``, due by the plan's end
(inclusive), must be in the schedule's tasks, with its owner -- and no other task may be.

- ``before`` an event with ``within`` N working days: the first occurrence of the event on
  or after ``today`` with no task done after the occurrence before it and on or before it;
  due the N-th working day before the last working day on or before the occurrence.
- ``event`` with ``within``: the first occurrence after the last task done (every occurrence
  owes the task), due the end of ``within`` from 00:00 that day; once none is left, ``every``
  from the last task done (none without ``every``).
- ``every`` alone: from the last task done, else 00:00 on the plan's start (or the first day
  of the records, when later).
"""

from __future__ import annotations

from datetime import date, timedelta

from oracle.calendar import Days
from oracle.facts import applies, event_days
from oracle.faults import Fault
from oracle.inputs import Caseload
from oracle.intervals import counting_of, interval_end, midnight, unit_of
from visitplanner.core.model import Child, Schedule
from visitplanner.core.policy import Interval, Rule, RuleKind, Unit


def task_faults(caseload: Caseload, schedule: Schedule, days: Days) -> list[Fault]:
    """What is wrong with the schedule's tasks: a ``task`` fault each (empty: nothing)."""
    wanted = {}
    for child in caseload.children:
        for rule in caseload.policy.rules:
            if rule.kind is RuleKind.TASK and applies(rule, child, caseload.today):
                due = next_due(caseload, days, rule, child)
                if due is not None and due <= caseload.plan_end:
                    wanted[(child.case_ref, rule.id)] = (due, rule.owner)
    given = {(t.case_ref, t.rule_id): (t.due, t.owner) for t in schedule.tasks}
    return [Fault("task", "", ref, caseload.today, "", f"expected {wanted.get((ref, rule_id))}, "
                  f"planned {given.get((ref, rule_id))}", rule_id)
            for ref, rule_id in sorted(set(wanted) | set(given))
            if wanted.get((ref, rule_id)) != given.get((ref, rule_id))]


def next_due(caseload: Caseload, days: Days, rule: Rule, child: Child) -> date | None:
    done = sorted(t.day for t in child.tasks_done if t.name == rule.id)
    last = done[-1] if done else None
    if rule.before:
        return _before_due(caseload, days, rule, child, done)
    if rule.event:
        pending = [d for d in event_days(child, rule.event) if last is None or d > last]
        if pending:
            return _end(caseload, days, rule, rule.within, pending[0])
        if last is None or rule.every is None:
            return None
    if rule.every is None:
        return None
    start = last if last is not None else max(
        [child.plan_start, *([caseload.records_from] if caseload.records_from else [])])
    return _end(caseload, days, rule, rule.every, start)


def _before_due(caseload: Caseload, days: Days, rule: Rule, child: Child,
                done: list[date]) -> date | None:
    assert rule.within is not None and unit_of(rule.within, caseload.policy) is \
        Unit.WORKING_DAYS, "the oracle reads a task before an event in working days"
    previous: date | None = None
    for event in event_days(child, rule.before):
        made = any((previous is None or d > previous) and d <= event for d in done)
        if event >= caseload.today and not made:
            day = event
            while not days.is_working_day(day):
                day -= timedelta(days=1)
            for _ in range(rule.within.count):
                day -= timedelta(days=1)
                while not days.is_working_day(day):
                    day -= timedelta(days=1)
            return day
        previous = event
    return None


def _end(caseload: Caseload, days: Days, rule: Rule, interval: Interval | None,
         day: date) -> date:
    assert interval is not None
    return interval_end(midnight(day), interval, caseload.policy,
                        counting_of(rule, caseload.policy), days)

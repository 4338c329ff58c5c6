"""Meetings and tasks (``task`` rules): each child's next one due by the plan's end, as a
to-do for the allocated worker or the team's manager.

Only the next of each rule per child is put in a plan: once it is recorded as done
(tasks.csv), the next plan puts the one after it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from visitplanner.core.cover import Staff, home_team
from visitplanner.core.model import TaskDue
from visitplanner.core.planning.state import EMPTY, PlanRequest
from visitplanner.core.policy.model import RuleKind
from visitplanner.core.rules import Context, Fact, owed_deadline


def tasks_due(ctx: Context, request: PlanRequest, staff: Staff,
              histories: Mapping[str, Sequence[Fact]]) -> tuple[TaskDue, ...]:
    """Each child's next meeting or task of every task rule that applies today, when it is
    due by the plan's last day (inclusive; one already overdue too), by due date."""
    found = []
    rules = ctx.policy.rules_of(RuleKind.TASK)
    for child in sorted(request.children, key=lambda c: c.case_ref) if rules else ():
        worker = staff.workers.get(child.allocated_worker or "")
        for rule in (r for r in rules if r.applies_to(child, request.today)):
            deadline = owed_deadline(ctx, rule, child, histories.get(child.case_ref, EMPTY),
                                     request.today)
            if deadline is None or deadline.due is None or deadline.due > request.end:
                continue
            found.append(TaskDue(
                case_ref=child.case_ref, household=child.household, rule_id=rule.id,
                due=deadline.due, what=deadline.what, owner=rule.owner,
                team=home_team(staff, (child,), worker),
                worker_id=worker.id if worker and rule.owner == "worker" else None))
    return tuple(sorted(found, key=lambda t: (t.due, t.case_ref, t.rule_id)))

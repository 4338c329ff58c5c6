"""What recorded and planned visits lead to beyond the next visit: escalations and records.

- Escalations: an escalation rule whose trigger holds on the recorded visits
  (two failed visits in a row, not seen for a period) means someone must be
  told by a date.
- Record-by tasks: where the policy sets a recording deadline, each planned
  visit's record is due that many (working) days after it.

Pure: ``today`` is an input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from visitplanner.core.cover import Staff, home_team
from visitplanner.core.model import Child, Escalation, PlannedVisit, RecordingTask
from visitplanner.core.policy.model import RuleKind
from visitplanner.core.rules import Context, Fact, end_of, escalation


def escalations(ctx: Context, children: Sequence[Child], recorded: Mapping[str, tuple[Fact, ...]],
                today: date, staff: Staff) -> tuple[Escalation, ...]:
    """Escalations whose trigger holds on the recorded visits as of ``today``, by due date."""
    found = []
    for child in sorted(children, key=lambda c: c.case_ref):
        for rule in ctx.policy.rules_of(RuleKind.ESCALATION):
            if not rule.applies_to(child, today):
                continue
            fired = escalation(ctx, rule, child, recorded.get(child.case_ref, ()), today)
            if fired is None or fired.due is None or fired.anchor is None:
                continue
            worker = staff.workers.get(child.allocated_worker or "")
            found.append(Escalation(
                case_ref=child.case_ref, household=child.household, rule_id=rule.id,
                notify=rule.notify, fired=fired.anchor, due=fired.due, what=fired.what,
                action=rule.action, team=home_team(staff, (child,), worker),
                allocated_worker_id=worker.id if worker else None))
    return tuple(sorted(found, key=lambda e: (e.due, e.case_ref, e.rule_id)))


def recording_tasks(ctx: Context, children: Sequence[Child],
                    visits: Sequence[PlannedVisit]) -> tuple[RecordingTask, ...]:
    """A record-by task for each planned visit where a recording rule sets a deadline."""
    by_ref = {c.case_ref: c for c in children}
    tasks = []
    for visit in visits:
        for rule in ctx.policy.rules_of(RuleKind.RECORDING):
            # A rule for visits away from home records those, and one for home visits these.
            if rule.within is None or rule.counts.location not in (visit.location.value, "any"):
                continue
            if any(rule.applies_to(by_ref[ref], visit.day) for ref in visit.case_refs):
                tasks.append(RecordingTask(visit.id, visit.worker_id,
                                           end_of(ctx, rule, rule.within, visit.start), rule.id))
                break
    return tuple(tasks)

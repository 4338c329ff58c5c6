"""Why a planned visit is on its day, in words: what `visitplanner explain VISIT_ID` prints."""

from __future__ import annotations

from visitplanner.core.model import PlannedVisit, Schedule
from visitplanner.core.policy.describe import describe_rule
from visitplanner.core.policy.model import Policy

FLAG_TEXT = {
    "cover": "covered by a colleague: the allocated worker could not visit inside the window",
    "manager_cover": "given to the team manager: no colleague could cover",
    "unallocated": "the case is unallocated: the team manager must see that it is visited",
    "moved_earlier_for_absence": "moved earlier because the allocated worker is away later",
    "late": "later than the deadline: see the shortfall report",
    "duty": "a duty visit on a day the office is shut: neither the allocated worker nor team "
            "cover could meet the deadline on a working day (the duty rota, duty.csv)",
    "after_school": "after school: a child of the household is at school in the day",
    "moved_by_worker": "moved by the worker in their calendar; the move keeps to the rules",
    "moved_by_worker_rejected": "the worker's move broke a rule: planned here instead",
    "short_notice": "sooner than the policy's notice to the family: tell the family now",
}


#: A visit's calendar UID is its id and this suffix (``docs/ics.md``).
UID_SUFFIX = "@visitplanner"


def visit_id_of(text: str) -> str:
    """The visit id in ``text``: the id itself or the calendar UID (``<id>@visitplanner``).

    >>> visit_id_of("v-0123456789ab@visitplanner"), visit_id_of(" v-0123456789ab ")
    ('v-0123456789ab', 'v-0123456789ab')
    """
    return text.strip().removesuffix(UID_SUFFIX)


def find_visit(schedule: Schedule, visit_id: str) -> PlannedVisit | None:
    """The kept plan's visit with this id, given as the id or as its calendar UID."""
    wanted = visit_id_of(visit_id)
    return next((v for v in schedule.visits if v.id == wanted), None)


def explain_visit(schedule: Schedule, policy: Policy, visit: PlannedVisit) -> str:
    """The visit's day, worker, deadline, reasons with sources, flags and checklist."""
    local = visit.start
    lines = [
        f"Visit {visit.id}: household {visit.household} ({', '.join(visit.case_refs)})",
        f"  When: {local:%A %d %B %Y %H:%M}-{visit.end:%H:%M} (Europe/London)",
        f"  Who: {visit.worker_id}" + (f", covering for {visit.allocated_worker_id}"
                                       if visit.allocated_worker_id else ""),
        f"  Kind: {visit.kind.value}, {'announced' if visit.announced else 'UNANNOUNCED'}",
        f"  Due by: {visit.due_by.isoformat()} (inclusive)",
        "  A failed visit here " + ("could NOT be re-done before the deadline"
                                    if visit.failure_would_breach
                                    else "could still be re-done before the deadline"),
        "  Why this day:",
    ]
    for reason in visit.reasons:
        rule = policy.rule(reason.rule_id)
        lines.append(f"    - {reason.case_ref}: {reason.rule_id}, due {reason.deadline.isoformat()}"
                     f" ({reason.what or describe_rule(policy, rule)})")
        lines.append(f"      Source: {reason.source}")
    lines += [f"  Note: {FLAG_TEXT.get(flag, flag)}" for flag in visit.flags]
    lines += [f"  Note: {needed.case_ref} is planned as born on {needed.expected.isoformat()}"
              f" (the expected date); date of birth needed from "
              f"{needed.worker_id or 'the team manager'}"
              for needed in schedule.birth_dates_needed
              if needed.case_ref in visit.case_refs and needed.expected <= visit.day]
    lines.append("  Checklist:")
    for child in visit.checks:
        lines.append(f"    {child.case_ref}: {', '.join(child.checks) or 'no extra checks'}")
    return "\n".join(lines)

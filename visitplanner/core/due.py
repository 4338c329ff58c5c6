"""What is due for each child on a given date: the report behind `visitplanner due`.

Pure: it takes the policy, calendar, children, workers and recorded visits and
the date to report on (never the clock), and returns values the CLI prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from visitplanner.core.model import Child, RecordedVisit, Worker
from visitplanner.core.policy import Policy
from visitplanner.core.rules import Context, Deadline, Fact, deadlines, facts_from_records
from visitplanner.core.workdays import WorkingCalendar


@dataclass(frozen=True, slots=True)
class DueItem:
    """One rule's next deadline for one child, with its status on the report date."""

    deadline: Deadline
    status: str  # "overdue", "today", "upcoming", "at next visit", "limit", "escalate"
    days_overdue: int    # calendar days past the deadline (0 unless overdue)
    source: str


@dataclass(frozen=True, slots=True)
class ChildDue:
    case_ref: str
    household: str
    plan_type: str
    allocated_worker: str | None
    items: tuple[DueItem, ...]
    notes: tuple[str, ...] = ()

    @property
    def overdue(self) -> tuple[DueItem, ...]:
        return tuple(i for i in self.items if i.status == "overdue")

    @property
    def next_visit_due(self) -> date | None:
        """The earliest inclusive deadline among the child's visit rules."""
        dates = [i.deadline.due for i in self.items
                 if i.deadline.action == "visit" and i.deadline.due is not None]
        return min(dates) if dates else None


def status_of(deadline: Deadline, on: date) -> str:
    if deadline.action in ("limit", "notify"):
        return "escalate" if deadline.action == "notify" else "limit"
    if deadline.due is None:
        return "at next visit"
    if deadline.due < on:
        return "overdue"
    return "today" if deadline.due == on else "upcoming"


def due_report(policy: Policy, calendar: WorkingCalendar, children: Iterable[Child],
               workers: Mapping[str, Worker], visits: Iterable[RecordedVisit],
               on: date, records_from: date | None = None) -> tuple[ChildDue, ...]:
    """Each child's deadlines as seen on ``on`` from visits recorded up to and including ``on``.

    Children come most urgent first: overdue ones by days overdue, then by the
    next visit deadline, then by case reference.
    """
    ctx = Context(policy, calendar, records_from)
    history = facts_from_records((v for v in visits if v.day <= on), workers)
    report = [_child_due(ctx, child, history.get(child.case_ref, ()), on) for child in children]
    return tuple(sorted(report, key=_urgency))


def _child_due(ctx: Context, child: Child, history: Sequence[Fact], on: date) -> ChildDue:
    items = []
    for found in deadlines(ctx, child, history, on):
        status = status_of(found, on)
        source = ctx.policy.rule(found.rule_id).source.cite()
        items.append(DueItem(found, status, found.overdue_days(on), source))
    items.sort(key=lambda i: (i.deadline.due or date.max, i.deadline.rule_id))
    notes = []
    if child.birth_overdue_on(on):
        assert child.due_date is not None
        notes.append(f"expected due date {child.due_date.isoformat()} has passed: enter the "
                     f"date of birth in children.csv (until then the child is planned as born on "
                     f"the expected date)")
    return ChildDue(child.case_ref, child.household, str(child.plan_type),
                    child.allocated_worker, tuple(items), tuple(notes))


def _urgency(child: ChildDue) -> tuple[int, date, str]:
    worst = max((i.days_overdue for i in child.overdue), default=0)
    return (-worst, child.next_visit_due or date.max, child.case_ref)

"""A manager's decisions as values.  Pure: no I/O, no clock.

A decision changes what the planner is given, never the plan directly, so that every
later re-plan honours it and the rules still judge it:

* :class:`AbsenceDecision`: a worker away from ``first`` to ``last`` (both inclusive,
  calendar days), added to the absences of ``absences.csv``;
* :class:`Reassignment`: one planned visit given to a named colleague and/or another day;
* :class:`Handover`: children given a new allocated worker (one child or a whole
  caseload, the case references resolved when the decision is made);
* :class:`Pin`: one planned visit kept where it is on every re-plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class DecisionKind(StrEnum):
    ABSENCE = "absence"
    REASSIGN = "reassign"
    HANDOVER = "handover"
    PIN = "pin"


class DecisionStatus(StrEnum):
    """A decision's life: a draft is previewed, then applied or discarded; an applied one
    may later be withdrawn.  Only applied decisions change the plan."""

    DRAFT = "draft"
    APPLIED = "applied"
    DISCARDED = "discarded"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class AbsenceDecision:
    """``worker_id`` away from ``first`` to ``last`` (both inclusive, calendar days)."""

    worker_id: str
    first: date
    last: date
    reason: str = ""

    kind = DecisionKind.ABSENCE


@dataclass(frozen=True, slots=True)
class Reassignment:
    """Planned visit ``visit_id`` given to ``worker_id`` (None: its own worker) on ``day``
    (None: its own day)."""

    visit_id: str
    worker_id: str | None = None
    day: date | None = None

    kind = DecisionKind.REASSIGN


@dataclass(frozen=True, slots=True)
class Handover:
    """The children ``case_refs`` (allocated to ``from_worker`` when decided) given to
    ``to_worker`` as their allocated worker."""

    case_refs: tuple[str, ...]
    from_worker: str
    to_worker: str

    kind = DecisionKind.HANDOVER


@dataclass(frozen=True, slots=True)
class Pin:
    """Planned visit ``visit_id`` kept on its day with its worker on every re-plan."""

    visit_id: str

    kind = DecisionKind.PIN


Change = AbsenceDecision | Reassignment | Handover | Pin


@dataclass(frozen=True, slots=True)
class Decision:
    """A change as the store keeps it: who made it, when (UTC) and why, and its status."""

    id: int
    change: Change
    made_by: str
    made_at: datetime
    why: str
    status: DecisionStatus
    team: str = ""

    @property
    def kind(self) -> DecisionKind:
        return self.change.kind


def describe(change: Change) -> str:
    """One line for the audit log and the preview, with ids and dates only (no names)."""
    if isinstance(change, AbsenceDecision):
        why = f" ({change.reason})" if change.reason else ""
        return f"{change.worker_id} away {change.first.isoformat()} to {change.last.isoformat()}" \
            f"{why}"
    if isinstance(change, Reassignment):
        to = f" to {change.worker_id}" if change.worker_id else ""
        on = f" on {change.day.isoformat()}" if change.day else ""
        return f"visit {change.visit_id}{to}{on}"
    if isinstance(change, Handover):
        return f"{len(change.case_refs)} child(ren) from {change.from_worker} to " \
            f"{change.to_worker}: {', '.join(change.case_refs)}"
    return f"visit {change.visit_id} pinned"

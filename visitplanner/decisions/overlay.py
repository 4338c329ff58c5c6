"""The applied decisions laid over a workspace: what the planner is given.  Pure.

The case-management export stays the source of the children, workers and absences; a
decision adds to it or overrides one value, and where a later export disagrees with a
decision the decision stands and the disagreement is listed for the manager (never
silently overwritten either way):

* a handover whose child the export now allocates to a third worker (neither the one
  handed from nor the one handed to) is a disagreement; an export that has caught up
  (the child allocated to the new worker) is not;
* a decision naming a worker, child or visit that is no longer there is listed and has
  no effect (nothing to apply it to).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from visitplanner.core.model import Absence, Child, Schedule, Worker
from visitplanner.core.planning.state import Directive
from visitplanner.decisions.model import (
    AbsenceDecision,
    Decision,
    Handover,
    Pin,
    Reassignment,
)


@dataclass(frozen=True, slots=True)
class Caseload:
    """What the export says and a decision may change: children, workers, absences."""

    children: tuple[Child, ...]
    workers: tuple[Worker, ...]
    absences: tuple[Absence, ...]


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A decision the export or the plan no longer agrees with, in words (ids only)."""

    decision_id: int
    what: str


@dataclass(frozen=True, slots=True)
class Overlay:
    """The caseload with the decisions applied, the planner's directives, and what
    disagrees."""

    caseload: Caseload
    directives: Mapping[str, Directive]
    disagreements: tuple[Disagreement, ...]


def overlay(caseload: Caseload, decisions: Iterable[Decision], kept: Schedule | None) -> Overlay:
    """``caseload`` with ``decisions`` (applied ones, oldest first) laid over it; ``kept`` is the
    kept plan, whose visit ids reassignments and pins name.  A later decision about the same
    visit or child replaces an earlier one."""
    workers = {w.id for w in caseload.workers}
    visits = {v.id for v in kept.visits} if kept is not None else set()
    absences: list[Absence] = []
    allocations: dict[str, str] = {}
    directives: dict[str, Directive] = {}
    disagree: list[Disagreement] = []
    for decision in decisions:
        change, note = decision.change, _Note(decision, disagree)
        if isinstance(change, AbsenceDecision):
            if _known_worker(change.worker_id, workers, note):
                absences.append(Absence(change.worker_id, change.first, change.last,
                                        change.reason))
        elif isinstance(change, Handover):
            if _known_worker(change.to_worker, workers, note):
                allocations.update(_handed(caseload, change, note))
        elif isinstance(change, Reassignment | Pin):
            directive = _directive(change, workers, visits, note)
            if directive is not None:
                directives[change.visit_id] = directive
    children = tuple(replace(c, allocated_worker=allocations[c.case_ref])
                     if c.case_ref in allocations else c for c in caseload.children)
    laid = replace(caseload, children=children, absences=(*caseload.absences, *absences))
    return Overlay(laid, MappingProxyType(directives), tuple(disagree))


class _Note:
    """Records a disagreement about one decision."""

    def __init__(self, decision: Decision, out: list[Disagreement]) -> None:
        self.decision, self.out = decision, out

    def __call__(self, what: str) -> None:
        self.out.append(Disagreement(self.decision.id, what))


def _known_worker(worker_id: str, workers: set[str], note: _Note) -> bool:
    if worker_id not in workers:
        note(f"worker {worker_id} is no longer in workers.csv: the decision has no effect")
        return False
    return True


def _handed(caseload: Caseload, change: Handover, note: _Note) -> dict[str, str]:
    """The handover's children still in the export, each with its new worker."""
    by_ref: dict[str, Child] = {c.case_ref: c for c in caseload.children}
    out: dict[str, str] = {}
    for ref in change.case_refs:
        child = by_ref.get(ref)
        if child is None:
            note(f"{ref} is no longer in children.csv: nothing to hand over")
            continue
        now = child.allocated_worker
        if now not in (None, change.from_worker, change.to_worker):
            note(f"children.csv allocates {ref} to {now}, the decision to {change.to_worker}: "
                 "the decision stands until it is withdrawn")
        out[ref] = change.to_worker
    return out


def _directive(change: Reassignment | Pin, workers: set[str], visits: set[str],
               note: _Note) -> Directive | None:
    if change.visit_id not in visits:
        note(f"visit {change.visit_id} is no longer in the plan (made, or no longer needed): "
             "the decision has no more effect")
        return None
    if isinstance(change, Pin):
        return Directive()
    if change.worker_id is not None and not _known_worker(change.worker_id, workers, note):
        return None
    return Directive(worker_id=change.worker_id, day=change.day)

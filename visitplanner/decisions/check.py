"""A change checked before it is previewed or stored, and the team it belongs to.  Pure.

Problems name what was given and how to fix it, every problem at once, with worker ids,
case references and visit ids only.
"""

from __future__ import annotations

from visitplanner.core.model import PlannedVisit, Schedule
from visitplanner.decisions.model import AbsenceDecision, Change, Handover, Pin, Reassignment
from visitplanner.decisions.overlay import Caseload
from visitplanner.errors import Problem


def change_problems(change: Change, caseload: Caseload, kept: Schedule | None
                    ) -> list[Problem]:
    """What is wrong with ``change`` against the export and the kept plan."""
    workers = {w.id for w in caseload.workers}
    problems = []
    if isinstance(change, AbsenceDecision):
        problems += _unknown_worker("worker", change.worker_id, workers)
        if change.last < change.first:
            problems.append(Problem("to", f"{change.last.isoformat()} is before from "
                                    f"{change.first.isoformat()}",
                                    "give the last day away, on or after the first"))
    elif isinstance(change, Handover):
        problems += _unknown_worker("--to", change.to_worker, workers)
        if not change.case_refs:
            problems.append(Problem("handover", f"{change.from_worker} has no children allocated",
                                    "name a worker with a caseload, or a child's case ref"))
        if change.to_worker == change.from_worker:
            problems.append(Problem("--to", f"{change.to_worker} already has these children",
                                    "name another worker"))
    elif isinstance(change, Reassignment | Pin):
        problems += _visit_problems(change, kept, workers)
    return problems


def _unknown_worker(where: str, worker_id: str | None, workers: set[str]) -> list[Problem]:
    if worker_id is None or worker_id in workers:
        return []
    return [Problem(where, f"unknown worker {worker_id!r}",
                    "use a worker_id from workers.csv")]


def _visit_problems(change: Reassignment | Pin, kept: Schedule | None,
                    workers: set[str]) -> list[Problem]:
    visit = kept_visit(kept, change.visit_id)
    problems = []
    if visit is None:
        problems.append(Problem("VISIT_ID", f"no visit {change.visit_id!r} in the kept plan",
                                "use an id from the board or `visitplanner plan --json`"))
    if isinstance(change, Reassignment):
        problems += _unknown_worker("--to", change.worker_id, workers)
        if change.worker_id is None and change.day is None:
            problems.append(Problem("reassign", "neither a worker nor a day is given",
                                    "give --to WORKER, --on DATE or both"))
        if change.day is not None and kept is not None and change.day < kept.start:
            problems.append(Problem("--on", f"{change.day.isoformat()} is before the plan",
                                    "give a day inside the plan"))
    return problems


def kept_visit(kept: Schedule | None, visit_id: str) -> PlannedVisit | None:
    """The kept plan's visit ``visit_id`` (its calendar UID ``...@visitplanner`` too)."""
    wanted = visit_id.removesuffix("@visitplanner")
    return next((v for v in (kept.visits if kept else ()) if v.id == wanted), None)


def caseload_of(worker_id: str, caseload: Caseload) -> tuple[str, ...]:
    """The case references allocated to ``worker_id``, sorted."""
    return tuple(sorted(c.case_ref for c in caseload.children
                        if c.allocated_worker == worker_id))


def decision_team(change: Change, caseload: Caseload, kept: Schedule | None) -> str:
    """The team a change belongs to (whose managers may make and see it): the absent
    worker's, the visit's, or the team of the worker the children are handed from."""
    teams = {w.id: w.team for w in caseload.workers}
    if isinstance(change, AbsenceDecision):
        return teams.get(change.worker_id, "")
    if isinstance(change, Handover):
        return teams.get(change.from_worker, teams.get(change.to_worker, ""))
    visit = kept_visit(kept, change.visit_id)
    return visit.team if visit is not None else ""

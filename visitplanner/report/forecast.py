"""Histories for a forecast (``report --ahead``): the recorded visits before the plan, then
the plan's visits, each assumed to go ahead as planned (child seen, its planned checks made).

The plan was made from the visits recorded before its first day; visits recorded since are
the plan's own visits made (or not): they are left out, so that none is counted twice, and
:func:`recorded_since` counts them for a note.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from visitplanner.core.history import Fact
from visitplanner.core.model import (
    Outcome,
    PlannedVisit,
    RecordedVisit,
    Schedule,
    Worker,
)
from visitplanner.core.rules import facts_from_records


def forecast_histories(records: Iterable[RecordedVisit], schedule: Schedule,
                       workers: Mapping[str, Worker]) -> dict[str, tuple[Fact, ...]]:
    """Each child's facts: recorded before ``schedule.start``, then planned, in time order."""
    before = [r for r in records if r.day < schedule.start]
    histories: dict[str, list[Fact]] = {
        ref: list(h) for ref, h in facts_from_records(before, workers).items()}
    for visit in schedule.visits:
        for case_ref in visit.case_refs:
            histories.setdefault(case_ref, []).append(planned_fact(visit, case_ref, workers))
    return {ref: tuple(sorted(facts, key=lambda f: f.at)) for ref, facts in histories.items()}


def planned_fact(visit: PlannedVisit, case_ref: str, workers: Mapping[str, Worker]) -> Fact:
    """A planned visit as one child's fact: made, the child seen, its planned checks done."""
    worker = workers.get(visit.worker_id)
    checks = next((c.checks for c in visit.checks if c.case_ref == case_ref), ())
    where = visit.location
    return Fact(visit.start, where, visit.announced, Outcome.COMPLETED,
                worker.role if worker else None, frozenset(checks), planned=True,
                worker_id=visit.worker_id)


def recorded_since(records: Iterable[RecordedVisit], start: date) -> int:
    """How many recorded visits are dated on or after ``start`` (a plan's first day)."""
    return len({r.visit_id for r in records if r.day >= start})

"""Synthetic authorities for benchmarks: the Camden example's team, copied as many times as needed.

Each copy is a team of its own (its workers, households, absences and visit history, with
every id suffixed by the copy's number), so a synthetic authority has the example's mix of
plans, ages, households, part-timers, absences, failed visits and checks at any size.  The
example's team is 60 children and 7 workers (one manager): 5,000 children are 84 teams.

Synthetic people only: the example's names are invented, and copies share them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path

from visitplanner.core.model import Absence, Child, RecordedVisit, Worker
from visitplanner.core.planning import PlanRequest
from visitplanner.inputs.workspace import load_workspace
from visitplanner.usecases import plan_request

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "camden"


@cache
def _example(today: date, weeks: int) -> PlanRequest:
    return plan_request(load_workspace(EXAMPLE), today, weeks=weeks)


def synthetic_authority(children: int, today: date, weeks: int = 13) -> PlanRequest:
    """An authority of about ``children`` children (whole households), planned from ``today``."""
    base = _example(today, weeks)
    households = sorted({c.household for c in base.children})
    kids: list[Child] = []
    staff: list[Worker] = []
    absences: list[Absence] = []
    visits: list[RecordedVisit] = []
    copy = 0
    while len(kids) < children:
        left = children - len(kids)
        keep = _households_for(base, households, left)
        kids += [_child(c, copy) for c in base.children if c.household in keep]
        staff += [replace(w, id=_id(w.id, copy), team=_id(w.team, copy)) for w in base.workers]
        absences += [replace(a, worker_id=_id(a.worker_id, copy)) for a in base.absences]
        refs = {c.case_ref for c in base.children if c.household in keep}
        visits += [replace(v, visit_id=_id(v.visit_id, copy), case_ref=_id(v.case_ref, copy),
                           worker_id=_id(v.worker_id, copy))
                   for v in base.visits if v.case_ref in refs]
        copy += 1
    return replace(base, children=tuple(kids), workers=tuple(staff), absences=tuple(absences),
                   visits=tuple(visits))


def _households_for(base: PlanRequest, households: list[str], left: int) -> frozenset[str]:
    """The whole households of one copy that fit in ``left`` children (all when they fit)."""
    keep: list[str] = []
    count = 0
    for household in households:
        size = sum(c.household == household for c in base.children)
        if count + size > left and keep:
            break
        keep.append(household)
        count += size
    return frozenset(keep)


def _child(child: Child, copy: int) -> Child:
    return replace(child, case_ref=_id(child.case_ref, copy), household=_id(child.household, copy),
                   allocated_worker=_id(child.allocated_worker, copy)
                   if child.allocated_worker else None)


def _id(text: str, copy: int) -> str:
    return text if copy == 0 else f"{text}.{copy}"

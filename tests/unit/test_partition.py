"""An authority planned team by team is the same plan as the authority planned at once."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from visitplanner.model import Child
from visitplanner.partition import merge, split
from visitplanner.planner import PlanRequest, plan
from visitplanner.planstore import schedule_to_json
from visitplanner.usecases import plan_in_parts, plan_request
from visitplanner.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 23)


def example(name: str) -> PlanRequest:
    return plan_request(load_workspace(ROOT / "examples" / name), TODAY, weeks=8)


def three_teams() -> PlanRequest:
    """The Camden example's team three times over (ids suffixed by copy)."""
    base = example("camden")

    def tag(text: str, n: int) -> str:
        return f"{text}.{n}"

    def child(c: Child, n: int) -> Child:
        return replace(c, case_ref=tag(c.case_ref, n), household=tag(c.household, n),
                       allocated_worker=tag(c.allocated_worker, n) if c.allocated_worker
                       else None)
    copies = range(3)
    return replace(
        base,
        children=tuple(child(c, n) for n in copies for c in base.children),
        workers=tuple(replace(w, id=tag(w.id, n), team=tag(w.team, n))
                      for n in copies for w in base.workers),
        absences=tuple(replace(a, worker_id=tag(a.worker_id, n))
                       for n in copies for a in base.absences),
        visits=tuple(replace(v, visit_id=tag(v.visit_id, n), case_ref=tag(v.case_ref, n),
                             worker_id=tag(v.worker_id, n))
                     for n in copies for v in base.visits))


def in_parts(request: PlanRequest) -> str:
    return schedule_to_json(merge(request, [plan(part) for part in split(request)]))


@pytest.mark.parametrize("name", ["camden", "walsall"])
def test_an_example_planned_in_parts_is_the_example_planned_at_once(name: str) -> None:
    request = example(name)
    assert in_parts(request) == schedule_to_json(plan(request))


def test_each_team_is_a_part_of_its_own() -> None:
    request = three_teams()
    parts = split(request)
    assert len(parts) == 3
    team_of = {w.id: w.team for w in request.workers}
    assert [sorted({team_of[c.allocated_worker] for c in p.children if c.allocated_worker})
             for p in parts] == [[t] for t in sorted(set(team_of.values()))]
    assert in_parts(request) == schedule_to_json(plan(request))


def test_a_household_moved_to_another_team_is_planned_with_its_old_team() -> None:
    """The previous plan's visit by the old team's worker may still be kept: both teams'
    diaries are planned together, as one plan would."""
    request = three_teams()
    before = plan(request)
    moved = next(c for c in request.children if c.case_ref.endswith(".0") and c.allocated_worker)
    newcomer = next(w for w in request.workers if w.team.endswith(".1") and
                    w.role.value == "social_worker")
    children = tuple(replace(c, allocated_worker=newcomer.id) if c.household == moved.household
                     else c for c in request.children)
    replan = replace(request, children=children, previous=before)
    assert len(split(replan)) == 2
    assert in_parts(replan) == schedule_to_json(plan(replan))


def test_households_with_no_known_worker_are_planned_in_the_first_team() -> None:
    request = three_teams()
    children = tuple(replace(c, allocated_worker=None) if c.household.endswith(".2") else c
                     for c in request.children)
    unallocated = replace(request, children=children)
    assert in_parts(unallocated) == schedule_to_json(plan(unallocated))


def test_the_plan_is_the_same_whatever_the_number_of_processes() -> None:
    request = three_teams()
    assert schedule_to_json(plan_in_parts(request, jobs=2)) == \
        schedule_to_json(plan_in_parts(request, jobs=1)) == schedule_to_json(plan(request))

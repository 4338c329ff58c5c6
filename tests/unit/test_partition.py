"""An authority planned team by team is the same plan as the authority planned at once."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from visitplanner import usecases
from visitplanner.core.model import Child, RecordedVisit
from visitplanner.core.partition import merge, split
from visitplanner.core.planning import PlanRequest, plan
from visitplanner.inputs.planstore import schedule_to_json
from visitplanner.inputs.workspace import load_workspace
from visitplanner.usecases import plan_in_parts, plan_request

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
    two, one = plan_in_parts(request, jobs=2), plan_in_parts(request, jobs=1)
    assert schedule_to_json(two) == schedule_to_json(one)
    assert schedule_to_json(replace(one, parts=())) == schedule_to_json(plan(request))


def test_visits_from_the_pool_share_each_day_time_and_list_of_checks() -> None:
    # An authority's visits hold a few thousand distinct days, quarter-hour starts and check
    # lists: kept once each, not once per visit (issue 9's England memory).
    visits = plan_in_parts(three_teams(), jobs=2).visits
    assert len(visits) > 20
    for value in (lambda v: v.due_by, lambda v: v.start, lambda v: v.checks[0].checks):
        assert len({id(value(v)) for v in visits}) == len({value(v) for v in visits})


def test_a_replan_with_nothing_changed_plans_nothing_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    request = three_teams()
    kept = plan_in_parts(request)
    planned: list[PlanRequest] = []
    monkeypatch.setattr(usecases, "_planned", lambda part: planned.append(part) or plan(part))
    again = plan_in_parts(replace(request, previous=kept))
    assert planned == []
    assert again == kept


def test_a_visit_recorded_this_morning_replans_its_own_team_only(
        monkeypatch: pytest.MonkeyPatch) -> None:
    request = three_teams()
    kept = plan_in_parts(request)
    first = next(v for v in kept.visits if v.team.endswith(".1"))
    made = RecordedVisit(visit_id="made-this-morning", case_ref=first.case_refs[0],
                         at=first.start, worker_id=first.worker_id)
    replan = replace(request, visits=(*request.visits, made), previous=kept)
    planned: list[PlanRequest] = []
    monkeypatch.setattr(usecases, "_planned", lambda part: planned.append(part) or plan(part))
    again = plan_in_parts(replan)
    assert [sorted({w.team for w in p.workers}) for p in planned] == [["camden-west.1"]]
    team_one = {c.household for c in planned[0].children}
    assert [v for v in again.visits if v.household not in team_one] == \
        [v for v in kept.visits if v.household not in team_one]
    assert [v for v in again.visits if v.household in team_one] == list(plan(planned[0]).visits)


def test_a_parts_digest_is_the_same_in_every_process() -> None:
    """Sets are written sorted: the digest does not depend on the interpreter's hash seed."""
    program = ("import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
               "from test_partition import three_teams\n"
               "from visitplanner.core.partition import split\n"
               "from visitplanner.usecases import part_digests\n"
               "r = three_teams(); print(part_digests(r, split(r)))\n")
    here = Path(__file__).resolve().parent
    found = {subprocess.run([sys.executable, "-c", program, str(here), str(here.parent)],
                            env={**os.environ, "PYTHONHASHSEED": seed}, check=True,
                            capture_output=True, text=True).stdout
             for seed in ("1", "2", "3")}
    assert len(found) == 1


def test_a_parts_digest_is_the_same_after_its_request_was_planned() -> None:
    """A digest is written from every field of the inputs, derived ones too: no input may keep
    a cache that planning fills (a digest would then differ the next time the same inputs
    came, and a kept part would be planned again for nothing)."""
    request = three_teams()
    before = usecases.part_digests(request, split(request))
    plan_in_parts(request)
    assert usecases.part_digests(request, split(request)) == before


def test_a_parts_digest_changes_with_any_input() -> None:
    request = three_teams()
    parts = split(request)
    first = parts[0]
    moved_day = replace(first, today=date(2026, 11, 24))
    one_less = replace(first, children=first.children[1:])
    digests = usecases.part_digests(request, [first, moved_day, one_less])
    assert len(set(digests)) == 3

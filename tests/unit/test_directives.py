"""A manager's decisions in the planner: a reassigned or pinned visit is kept like a
worker's own move while the rules allow it, and re-planned (flagged) when they do not; a
handover gives the children's future visits to the new worker."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from visitplanner.core.model import PlannedVisit, Schedule
from visitplanner.core.planning.state import DECIDED_FLAG, DECISION_REJECTED_FLAG
from visitplanner.decisions.model import (
    AbsenceDecision,
    Change,
    Decision,
    DecisionStatus,
    Handover,
    Pin,
    Reassignment,
)
from visitplanner.jobs import PlanOrder, plan_workspace

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "camden"
DAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("camden") / "ws"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
    plan_workspace(root, PlanOrder(DAY), [])
    return root


def kept(root: Path) -> Schedule:
    from visitplanner.inputs.planstore import load_schedule

    schedule = load_schedule(root)
    assert schedule is not None
    return schedule


def replanned(root: Path, *changes: Change) -> Schedule:
    decisions = [Decision(n + 1, change, "mgr", datetime(2026, 11, 23, 9), "",
                          DecisionStatus.APPLIED, "camden-west")
                 for n, change in enumerate(changes)]
    return plan_workspace(root, PlanOrder(DAY), decisions, keep=False).schedule


def by_id(schedule: Schedule, visit_id: str) -> PlannedVisit:
    return next(v for v in schedule.visits if v.id == visit_id)


def a_visit(schedule: Schedule, worker: str, after: date) -> PlannedVisit:
    """The worker's first visit after ``after`` with at least two days before its deadline."""
    return next(v for v in sorted(schedule.visits, key=lambda v: v.start)
                if v.worker_id == worker and v.day > after and (v.due_by - v.day).days >= 2
                and "late" not in v.flags)


def test_a_visit_given_to_a_named_colleague_keeps_its_id_and_day(workspace: Path) -> None:
    # (the time of day is the colleague's: it is fitted around their other visits that day)
    visit = a_visit(kept(workspace), "sw.osei", DAY + timedelta(days=3))
    new = by_id(replanned(workspace, Reassignment(visit.id, "sw.adebayo")), visit.id)
    assert (new.worker_id, new.day) == ("sw.adebayo", visit.day)
    assert DECIDED_FLAG in new.flags and "cover" in new.flags
    assert new.allocated_worker_id == "sw.osei"


def test_a_visit_given_another_day_inside_its_window_moves_there(workspace: Path) -> None:
    from visitplanner.inputs.workspace import load_workspace

    ws = load_workspace(workspace)
    worker = ws.worker("sw.marchetti")
    assert worker is not None

    def can_work(day: date) -> bool:
        return day.weekday() in worker.working_days and ws.calendar.is_working_day(day) and \
            not any(a.covers(day) for a in ws.absences_for(worker.id))

    visit, day = a_visit_and_a_free_day(kept(workspace), worker.id, can_work)
    new = by_id(replanned(workspace, Reassignment(visit.id, None, day)), visit.id)
    assert (new.day, new.worker_id) == (day, visit.worker_id)
    assert DECIDED_FLAG in new.flags and DECISION_REJECTED_FLAG not in new.flags


def a_visit_and_a_free_day(schedule: Schedule, worker: str, can_work: Callable[[date], bool]
                           ) -> tuple[PlannedVisit, date]:
    """A visit of ``worker`` and a day after it, up to its deadline, on which the worker
    works and has no visit at all in the plan (so the diary has room)."""
    busy = {v.day for v in schedule.visits if v.worker_id == worker}
    for visit in sorted(schedule.visits, key=lambda v: v.start):
        if visit.worker_id != worker or visit.day <= DAY + timedelta(days=3):
            continue
        days = (visit.day + timedelta(days=n)
                for n in range(1, (visit.due_by - visit.day).days + 1))
        free = [d for d in days if can_work(d) and d not in busy]
        if free:
            return visit, free[0]
    raise AssertionError(f"no visit of {worker} with a free day before its deadline")


def test_a_day_past_the_visits_deadline_is_rejected_and_the_visit_planned_in_time(
        workspace: Path) -> None:
    visit = a_visit(kept(workspace), "sw.osei", DAY + timedelta(days=3))
    new = by_id(replanned(workspace, Reassignment(visit.id, None,
                                                  visit.due_by + timedelta(days=1))), visit.id)
    assert DECISION_REJECTED_FLAG in new.flags
    assert new.day <= visit.due_by


def test_a_pinned_visit_stands_and_a_pin_the_worker_cannot_keep_is_rejected(
        workspace: Path) -> None:
    visit = a_visit(kept(workspace), "sw.osei", DAY + timedelta(days=3))
    pinned = by_id(replanned(workspace, Pin(visit.id)), visit.id)
    assert (pinned.worker_id, pinned.day) == (visit.worker_id, visit.day)
    assert DECIDED_FLAG in pinned.flags
    away = AbsenceDecision("sw.osei", visit.day, visit.day, "sick")
    unkept = by_id(replanned(workspace, away, Pin(visit.id)), visit.id)
    assert DECISION_REJECTED_FLAG in unkept.flags
    assert (unkept.worker_id, unkept.day) != ("sw.osei", visit.day)


def test_a_handed_over_caseload_is_allocated_to_the_new_worker(workspace: Path) -> None:
    # The whole caseload at once overloads the new worker: colleagues (the old worker among
    # them) cover, but every visit is now made for the new worker.
    before = kept(workspace)
    refs = sorted({r for v in before.visits if v.worker_id == "sw.marchetti"
                   and v.allocated_worker_id is None for r in v.case_refs})
    after = replanned(workspace, Handover(tuple(refs), "sw.marchetti", "sw.adebayo"))
    theirs = [v for v in after.visits if set(v.case_refs) & set(refs)]
    assert theirs and {v.allocated_worker_id or v.worker_id for v in theirs} == {"sw.adebayo"}


def test_one_child_handed_over_is_visited_by_the_new_worker(workspace: Path) -> None:
    before = kept(workspace)
    visit = a_visit(before, "sw.marchetti", DAY + timedelta(days=3))
    ref = visit.case_refs[0]
    refs = tuple(r for r in visit.case_refs)
    after = replanned(workspace, Handover(refs, "sw.marchetti", "sw.adebayo"))
    theirs = [v for v in after.visits if ref in v.case_refs and v.day > DAY + timedelta(days=3)]
    assert theirs and {v.allocated_worker_id or v.worker_id for v in theirs} == {"sw.adebayo"}
    assert [v for v in theirs if v.worker_id == "sw.adebayo"]


def test_no_decision_no_change(workspace: Path) -> None:
    assert replanned(workspace).visits == kept(workspace).visits

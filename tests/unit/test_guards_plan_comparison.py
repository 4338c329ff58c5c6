"""A new plan against the kept one (visitplanner.core.compare): unchanged, changed, new, removed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from visitplanner.core.compare import PlanComparison, VisitChanges, compare_plans
from visitplanner.core.model import LONDON, PlannedVisit, Schedule, VisitKind

START = date(2026, 11, 23)


def visit(visit_id: str, offset: int, worker: str = "w-ana",
          refs: tuple[str, ...] = ("C-1",), household: str = "HH-1") -> PlannedVisit:
    start = datetime.combine(START + timedelta(days=offset), time(10), tzinfo=LONDON)
    return PlannedVisit(visit_id, household, refs, start, start + timedelta(hours=1), worker,
                        "a", VisitKind.ROUTINE, True, (), start.date() + timedelta(days=3), ())


def plan(*visits: PlannedVisit, start: date = START) -> Schedule:
    return Schedule(today=start, start=start, end=start + timedelta(weeks=6), seed=1,
                    visits=visits)


KEPT = plan(visit("v-a1", 1), visit("v-a2", 8), visit("v-b1", 2, worker="w-ben", refs=("C-2",),
                                                      household="HH-2"),
            visit("v-b2", 9, worker="w-ben", refs=("C-2",), household="HH-2"))


def test_the_same_plan_is_all_unchanged() -> None:
    assert compare_plans(KEPT, KEPT).overall == VisitChanges(unchanged=4)


def test_a_dropped_childs_visits_count_as_removed() -> None:
    without_c2 = plan(*(v for v in KEPT.visits if "C-2" not in v.case_refs))
    comparison = compare_plans(KEPT, without_c2)
    assert comparison.overall == VisitChanges(unchanged=2, removed=2)
    assert comparison.by_worker["w-ben"] == VisitChanges(removed=2)
    assert comparison.by_worker["w-ana"] == VisitChanges(unchanged=2)


def test_a_moved_visit_is_changed_and_an_added_one_new() -> None:
    moved = replace(KEPT.visits[1], start=KEPT.visits[1].start + timedelta(days=1))
    new = plan(KEPT.visits[0], moved, *KEPT.visits[2:], visit("v-a3", 15))
    assert compare_plans(KEPT, new).overall == VisitChanges(unchanged=3, changed=1, new=1)


def test_a_visit_given_to_another_worker_leaves_one_diary_for_the_other() -> None:
    covered = replace(KEPT.visits[0], worker_id="w-ben", allocated_worker_id="w-ana")
    comparison = compare_plans(KEPT, plan(covered, *KEPT.visits[1:]))
    assert comparison.overall == VisitChanges(unchanged=3, changed=1)
    assert comparison.by_worker["w-ana"] == VisitChanges(unchanged=1, removed=1)
    assert comparison.by_worker["w-ben"] == VisitChanges(unchanged=2, new=1)


def test_kept_visits_before_the_new_plans_first_day_have_passed_and_are_not_removed() -> None:
    a_week_on = plan(*(v for v in KEPT.visits if v.day >= START + timedelta(days=7)),
                     start=START + timedelta(days=7))
    assert compare_plans(KEPT, a_week_on).overall == VisitChanges(unchanged=2)


def test_workers_are_listed_in_order_and_the_counts_read_as_a_sentence() -> None:
    comparison = compare_plans(KEPT, plan(KEPT.visits[0]))
    assert isinstance(comparison, PlanComparison)
    assert list(comparison.by_worker) == ["w-ana", "w-ben"]
    assert comparison.overall.text() == "1 unchanged, 0 changed, 0 new, 3 removed"

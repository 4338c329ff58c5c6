"""A manager's decisions laid over the export, checked, and previewed per worker: rules on
small hand-made values (no planning here)."""

from __future__ import annotations

from datetime import date, datetime

from visitplanner.core.model import (
    LONDON,
    Absence,
    Child,
    PlannedVisit,
    PlanType,
    Role,
    Schedule,
    Shortfall,
    VisitKind,
    Worker,
)
from visitplanner.core.planning.state import DECISION_REJECTED_FLAG, Directive
from visitplanner.decisions.check import caseload_of, change_problems, decision_team
from visitplanner.decisions.model import (
    AbsenceDecision,
    Change,
    Decision,
    DecisionStatus,
    Handover,
    Pin,
    Reassignment,
    describe,
)
from visitplanner.decisions.overlay import Caseload, overlay
from visitplanner.decisions.preview import preview, preview_lines

DAY = date(2026, 11, 23)
WORKERS = (Worker("sw.a", "A", "a@example.org", "west", Role.SOCIAL_WORKER),
           Worker("sw.b", "B", "b@example.org", "west", Role.SOCIAL_WORKER),
           Worker("sw.c", "C", "c@example.org", "east", Role.SOCIAL_WORKER))


def child(ref: str, worker: str | None) -> Child:
    return Child(ref, f"H-{ref}", "Test Child", date(2018, 1, 1), PlanType.CP, date(2026, 1, 5),
                 allocated_worker=worker)


CASELOAD = Caseload((child("C1", "sw.a"), child("C2", "sw.a"), child("C3", "sw.b")), WORKERS,
                    (Absence("sw.b", date(2026, 12, 1), date(2026, 12, 2), "leave"),))


def visit(vid: str, worker: str, day: int, flags: tuple[str, ...] = (),
          refs: tuple[str, ...] = ("C1",)) -> PlannedVisit:
    start = datetime(2026, 11, day, 10, 0, tzinfo=LONDON)
    return PlannedVisit(vid, f"H-{refs[0]}", refs, start, start, worker, "west",
                        VisitKind.ROUTINE, True, (), date(2026, 11, 30), (), flags=flags)


def plan(*visits: PlannedVisit, shortfalls: tuple[Shortfall, ...] = ()) -> Schedule:
    return Schedule(DAY, DAY, date(2026, 12, 20), 1, visits, shortfalls)


def applied(n: int, change: Change) -> Decision:
    return Decision(n, change, "mgr", datetime(2026, 11, 23, 9), "", DecisionStatus.APPLIED,
                    "west")


KEPT = plan(visit("v-1", "sw.a", 24), visit("v-2", "sw.a", 25, refs=("C2",)))


# ------------------------------------------------------------------- overlay


def test_an_absence_decision_is_added_to_the_exports_absences() -> None:
    laid = overlay(CASELOAD, [applied(1, AbsenceDecision("sw.a", date(2026, 11, 24),
                                                         date(2026, 12, 7), "sick"))], KEPT)
    assert laid.caseload.absences == (
        *CASELOAD.absences, Absence("sw.a", date(2026, 11, 24), date(2026, 12, 7), "sick"))
    assert laid.disagreements == ()


def test_a_handover_gives_the_children_their_new_worker_and_leaves_the_rest() -> None:
    laid = overlay(CASELOAD, [applied(1, Handover(("C1", "C2"), "sw.a", "sw.b"))], KEPT)
    assert [(c.case_ref, c.allocated_worker) for c in laid.caseload.children] == [
        ("C1", "sw.b"), ("C2", "sw.b"), ("C3", "sw.b")]


def test_an_export_that_allocates_a_handed_over_child_to_a_third_worker_is_shown_not_obeyed(
        ) -> None:
    moved = Caseload((child("C1", "sw.c"), *CASELOAD.children[1:]), WORKERS, ())
    laid = overlay(moved, [applied(7, Handover(("C1",), "sw.a", "sw.b"))], KEPT)
    assert laid.caseload.children[0].allocated_worker == "sw.b"
    assert [d.decision_id for d in laid.disagreements] == [7]
    assert "allocates C1 to sw.c" in laid.disagreements[0].what


def test_an_export_that_has_caught_up_with_a_handover_is_no_disagreement() -> None:
    caught_up = Caseload((child("C1", "sw.b"),), WORKERS, ())
    assert overlay(caught_up, [applied(1, Handover(("C1",), "sw.a", "sw.b"))],
                   KEPT).disagreements == ()


def test_reassignments_and_pins_become_the_planners_directives_the_later_one_winning() -> None:
    laid = overlay(CASELOAD, [applied(1, Reassignment("v-1", "sw.b", None)),
                              applied(2, Reassignment("v-1", None, date(2026, 11, 26))),
                              applied(3, Pin("v-2"))], KEPT)
    assert dict(laid.directives) == {"v-1": Directive(None, date(2026, 11, 26)),
                                     "v-2": Directive()}


def test_a_decision_about_a_visit_or_worker_that_is_gone_has_no_effect_and_says_so() -> None:
    laid = overlay(CASELOAD, [applied(1, Pin("v-gone")),
                              applied(2, AbsenceDecision("sw.left", DAY, DAY))], KEPT)
    assert dict(laid.directives) == {}
    assert laid.caseload.absences == CASELOAD.absences
    assert [d.decision_id for d in laid.disagreements] == [1, 2]


# ------------------------------------------------------------------- check


def test_a_change_naming_unknown_things_lists_every_problem() -> None:
    problems = change_problems(Reassignment("v-9", "sw.nobody", None), CASELOAD, KEPT)
    assert [p.where for p in problems] == ["VISIT_ID", "--to"]


def test_an_absence_ending_before_it_starts_is_refused() -> None:
    problems = change_problems(AbsenceDecision("sw.a", date(2026, 12, 2), date(2026, 12, 1)),
                               CASELOAD, KEPT)
    assert [p.what for p in problems] == ["2026-12-01 is before from 2026-12-02"]


def test_a_reassignment_needs_a_worker_or_a_day() -> None:
    assert [p.where for p in change_problems(Reassignment("v-1"), CASELOAD, KEPT)] == [
        "reassign"]


def test_a_handover_to_the_same_worker_or_of_nobody_is_refused() -> None:
    assert change_problems(Handover((), "sw.c", "sw.c"), CASELOAD, KEPT) != []
    assert change_problems(Handover(("C1",), "sw.a", "sw.b"), CASELOAD, KEPT) == []


def test_a_calendar_uid_names_its_visit() -> None:
    assert change_problems(Pin("v-1@visitplanner"), CASELOAD, KEPT) == []


def test_a_workers_caseload_is_the_children_allocated_to_them() -> None:
    assert caseload_of("sw.a", CASELOAD) == ("C1", "C2")


def test_a_decision_belongs_to_the_team_of_the_worker_or_visit_it_concerns() -> None:
    assert decision_team(AbsenceDecision("sw.c", DAY, DAY), CASELOAD, KEPT) == "east"
    assert decision_team(Pin("v-1"), CASELOAD, KEPT) == "west"
    assert decision_team(Handover(("C1",), "sw.a", "sw.c"), CASELOAD, KEPT) == "west"


def test_a_decision_is_described_with_ids_and_dates_only() -> None:
    assert describe(AbsenceDecision("sw.a", DAY, date(2026, 12, 4), "sick")) == \
        "sw.a away 2026-11-23 to 2026-12-04 (sick)"
    assert describe(Reassignment("v-1", "sw.b", date(2026, 11, 26))) == \
        "visit v-1 to sw.b on 2026-11-26"


# ------------------------------------------------------------------- preview


def test_a_visit_given_to_a_colleague_is_lost_by_one_and_gained_by_the_other() -> None:
    result = preview(KEPT, plan(visit("v-1", "sw.b", 24), visit("v-2", "sw.a", 25,
                                                                 refs=("C2",))))
    by_worker = {w.worker_id: w for w in result.workers}
    assert [c.visit_id for c in by_worker["sw.a"].loses] == ["v-1"]
    assert [c.visit_id for c in by_worker["sw.b"].gains] == ["v-1"]
    assert by_worker["sw.a"].gains == () and by_worker["sw.b"].loses == ()
    assert [w.worker_id for w in result.changed_workers] == ["sw.a", "sw.b"]


def test_a_visit_on_another_day_with_the_same_worker_moves() -> None:
    result = preview(KEPT, plan(visit("v-1", "sw.a", 26), KEPT.visits[1]))
    assert [(w.worker_id, len(w.moves)) for w in result.changed_workers] == [("sw.a", 1)]


def test_a_visit_made_late_is_counted_late_once() -> None:
    result = preview(KEPT, plan(visit("v-1", "sw.a", 24, ("late",)), KEPT.visits[1]))
    assert [(w.worker_id, len(w.late), len(w.moves)) for w in result.changed_workers] == [
        ("sw.a", 1, 0)]


def test_new_and_dropped_visits_are_gained_and_lost_and_shortfalls_compared() -> None:
    late = Shortfall("C3", "H-C3", "cp-cadence", date(2026, 12, 1), None, 2, "no capacity")
    result = preview(KEPT, plan(KEPT.visits[0], visit("v-3", "sw.b", 27, refs=("C3",)),
                                shortfalls=(late,)))
    by_worker = {w.worker_id: w for w in result.workers}
    assert [c.visit_id for c in by_worker["sw.a"].loses] == ["v-2"]
    assert [c.visit_id for c in by_worker["sw.b"].gains] == ["v-3"]
    assert result.new_shortfalls == (late,) and result.resolved_shortfalls == ()


def test_an_unchanged_plan_changes_no_diary() -> None:
    result = preview(KEPT, KEPT)
    assert result.changed_workers == () and preview_lines(result) == [
        "no worker's diary changes"]


def test_a_rejected_decision_is_listed_in_words() -> None:
    result = preview(KEPT, plan(visit("v-1", "sw.a", 24, (DECISION_REJECTED_FLAG,)),
                                KEPT.visits[1]))
    assert [v.id for v in result.rejected] == ["v-1"]
    assert any(line.startswith("REJECTED: visit v-1 (C1)") for line in preview_lines(result))


def test_the_preview_lines_say_who_a_visit_comes_from_and_goes_to() -> None:
    lines = preview_lines(preview(KEPT, plan(visit("v-1", "sw.b", 24), KEPT.visits[1])))
    assert lines == ["sw.a: gains 0, loses 1, 0 moved, 0 late",
                     "  - Tue 24 Nov C1 (v-1) to sw.b",
                     "sw.b: gains 1, loses 0, 0 moved, 0 late",
                     "  + Tue 24 Nov C1 (v-1) from sw.a"]

"""`due_report`: each child's deadlines on a date, most urgent child first."""

from __future__ import annotations

from datetime import date, datetime

from visitplanner.core.due import ChildDue, DueItem, due_report
from visitplanner.core.model import (
    LONDON,
    Child,
    Location,
    Outcome,
    PlanType,
    RecordedVisit,
    Role,
    Worker,
)
from visitplanner.core.policy import Policy
from visitplanner.core.workdays import WorkingCalendar

D = date.fromisoformat
EVERY_CHECK = ("seen_alone", "household_changes", "food", "injuries", "network_contact",
               "bedroom", "sleeping_arrangements")
WORKERS = {"sw.test": Worker("sw.test", "Test Worker", "sw.test@example.org", "west",
                             Role.SOCIAL_WORKER)}


def cp_child(case_ref: str, **extra: object) -> Child:
    return Child(case_ref=case_ref, household=f"H-{case_ref}", name="Test Child",
                 birth_date=D("2016-05-10"), plan_type=PlanType.CP,
                 plan_start=D("2026-10-05"), allocated_worker="sw.test",
                 **extra)  # type: ignore[arg-type]


def recorded(case_ref: str, day: str, outcome: Outcome = Outcome.COMPLETED,
             *checks: str) -> RecordedVisit:
    return RecordedVisit(visit_id=f"V-{case_ref}-{day}", case_ref=case_ref,
                         at=datetime.fromisoformat(f"{day}T10:00").replace(tzinfo=LONDON),
                         worker_id="sw.test", location=Location.HOME, outcome=outcome,
                         checks=frozenset(checks))


def item(report: tuple[ChildDue, ...], case_ref: str, rule_id: str) -> DueItem:
    child = next(c for c in report if c.case_ref == case_ref)
    return next(i for i in child.items if i.deadline.rule_id == rule_id)


def report_on(camden: Policy, england: WorkingCalendar, on: str) -> tuple[ChildDue, ...]:
    children = [cp_child(ref) for ref in ("CP-B", "CP-A", "CP-C", "CP-D")]
    # Every visit made every check.
    visits = [recorded("CP-A", "2026-11-02", Outcome.COMPLETED, *EVERY_CHECK),  # due Thu 12 Nov
              recorded("CP-B", "2026-11-16", Outcome.COMPLETED, *EVERY_CHECK),  # due Thu 26 Nov
              recorded("CP-C", "2026-11-13", Outcome.COMPLETED, *EVERY_CHECK),  # due Mon 23 Nov
              recorded("CP-D", "2026-11-09", Outcome.COMPLETED, *EVERY_CHECK),  # due Thu 19 Nov
              recorded("CP-D", "2026-11-20", Outcome.NO_ACCESS)]
    return due_report(camden, england, children, WORKERS, visits, D(on))


def test_most_overdue_child_comes_first_then_the_nearest_deadline(
        camden: Policy, england: WorkingCalendar) -> None:
    report = report_on(camden, england, "2026-11-23")
    assert [c.case_ref for c in report] == ["CP-A", "CP-D", "CP-C", "CP-B"]
    assert [c.next_visit_due for c in report] == [
        D("2026-11-12"), D("2026-11-19"), D("2026-11-23"), D("2026-11-26")]


def test_status_and_days_overdue_of_each_cadence_deadline(
        camden: Policy, england: WorkingCalendar) -> None:
    report = report_on(camden, england, "2026-11-23")
    got = {ref: (item(report, ref, "cp-cadence").status,
                 item(report, ref, "cp-cadence").days_overdue)
           for ref in ("CP-A", "CP-B", "CP-C", "CP-D")}
    # Thu 12 Nov to Mon 23 Nov is 11 days; Thu 19 Nov to Mon 23 Nov is 4
    assert got == {"CP-A": ("overdue", 11), "CP-B": ("upcoming", 0),
                   "CP-C": ("today", 0), "CP-D": ("overdue", 4)}


def test_checks_owed_at_the_next_visit_and_escalations_have_their_own_status(
        camden: Policy, england: WorkingCalendar) -> None:
    report = report_on(camden, england, "2026-11-23")
    assert item(report, "CP-B", "cp-seen-alone-over-3").status == "at next visit"
    # CP-A last seen Mon 2 Nov: the network's 10 days ran out on Thu 12 Nov
    network = item(report, "CP-A", "cp-notify-not-seen-by-network")
    assert (network.status, network.deadline.due) == ("escalate", D("2026-11-13"))
    # CP-D's failed visit on Fri 20 Nov: re-visit within 3 working days, by Wed 25 Nov
    revisit = item(report, "CP-D", "cp-revisit")
    assert (revisit.status, revisit.deadline.due) == ("upcoming", D("2026-11-25"))
    assert revisit.source.startswith('camden, 3 Child protection: "If a home visit does not go')


def test_a_check_missed_at_a_recorded_visit_is_overdue_from_that_visit_until_made(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = cp_child("CP-E")
    missed = [recorded("CP-E", "2026-11-16", Outcome.COMPLETED, "household_changes")]
    made = [*missed, recorded("CP-E", "2026-11-19", Outcome.COMPLETED, "seen_alone")]
    (before,) = due_report(camden, england, (kid,), WORKERS, missed, D("2026-11-23"))
    alone = item((before,), "CP-E", "cp-seen-alone-over-3")
    # Seen alone is owed at every visit: missed on 16 Nov, overdue 7 days on the 23rd.
    assert (alone.status, alone.deadline.due, alone.days_overdue) == \
        ("overdue", D("2026-11-16"), 7)
    assert "missed at the visit on 2026-11-16" in alone.deadline.what
    (after,) = due_report(camden, england, (kid,), WORKERS, made, D("2026-11-23"))
    assert item((after,), "CP-E", "cp-seen-alone-over-3").status == "at next visit"


def test_items_of_a_child_come_in_deadline_order(
        camden: Policy, england: WorkingCalendar) -> None:
    report = report_on(camden, england, "2026-11-23")
    dues = [i.deadline.due or date.max for i in report[1].items]
    assert dues == sorted(dues)
    assert report[1].overdue[0].deadline.rule_id == "cp-cadence"


def test_visits_after_the_report_date_are_ignored(
        camden: Policy, england: WorkingCalendar) -> None:
    report = report_on(camden, england, "2026-11-14")
    # CP-B's visit on 16 Nov has not happened yet: its clock runs from the plan start,
    # Mon 5 Oct + 10 days = Thu 15 Oct, 30 days before Sat 14 Nov
    late = item(report, "CP-B", "cp-cadence")
    assert (late.deadline.due, late.days_overdue) == (D("2026-10-15"), 30)
    assert item(report, "CP-A", "cp-cadence").days_overdue == 2
    assert [c.case_ref for c in report] == ["CP-B", "CP-A", "CP-D", "CP-C"]
    assert [i.deadline.rule_id for i in report[2].items if i.deadline.rule_id == "cp-revisit"] \
        == []

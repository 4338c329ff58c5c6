"""The board's figures on hand-made values: capacity, absence days, cover given and received
week by week; what is at risk, soonest first."""

from __future__ import annotations

from datetime import date, datetime

from visitplanner.core.model import (
    LONDON,
    Absence,
    Child,
    Escalation,
    PlannedVisit,
    PlanType,
    Reason,
    Role,
    Schedule,
    Shortfall,
    VisitKind,
    Worker,
)
from visitplanner.core.policy import Policy
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.desk.board import (
    DUE_SOON,
    ESCALATION,
    NO_SLACK,
    SHORTFALL,
    Team,
    at_risk,
    load_grid,
    weeks_of,
)

A = Worker("sw.a", "A", "a@example.org", "west", Role.SOCIAL_WORKER, visits_per_day=2)
B = Worker("sw.b", "B", "b@example.org", "west", Role.SOCIAL_WORKER, visits_per_day=3,
           working_days=frozenset({0, 1}))


def visit(vid: str, worker: str, day: date, allocated: str | None = None, due: date | None = None,
          breach: bool = False, ref: str = "C1") -> PlannedVisit:
    start = datetime.combine(day, datetime.min.time().replace(hour=10), tzinfo=LONDON)
    reason = Reason("cp-cadence", ref, due or day, "camden: \"every 10 days\"")
    return PlannedVisit(vid, "H1", (ref,), start, start, worker, "west", VisitKind.ROUTINE, True,
                        (), due or day, (reason,), allocated_worker_id=allocated,
                        failure_would_breach=breach)


def test_a_week_counts_capacity_on_working_days_not_away_and_cover_both_ways(
        england: WorkingCalendar) -> None:
    # Week of Mon 21 Dec 2026: Christmas Day (Fri 25) is a bank holiday; A is away on Wed 23.
    schedule = Schedule(date(2026, 12, 21), date(2026, 12, 21), date(2026, 12, 27), 1, (
        visit("v1", "sw.a", date(2026, 12, 21)),
        visit("v2", "sw.a", date(2026, 12, 22), allocated="sw.b"),   # A covers for B
        visit("v3", "sw.b", date(2026, 12, 22), allocated="sw.a"),   # B covers for A
    ))
    team = Team(("west",), (A, B), (), (Absence("sw.a", date(2026, 12, 23), date(2026, 12, 23)),),
                ())
    rows = {row.worker.id: row.weeks[0] for row in load_grid(team, schedule, england)}
    a, b = rows["sw.a"], rows["sw.b"]
    assert (a.planned, a.capacity, a.days_away, a.cover_given, a.cover_received) == (2, 6, 1, 1, 1)
    assert (b.planned, b.capacity, b.days_away, b.cover_given, b.cover_received) == (1, 6, 0, 1, 1)


def test_the_weeks_run_monday_to_sunday_from_the_plans_first_day(
        england: WorkingCalendar) -> None:
    schedule = Schedule(date(2026, 11, 25), date(2026, 11, 25), date(2026, 12, 7), 1, ())
    assert weeks_of(schedule) == (date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 7))


def test_at_risk_lists_shortfalls_escalations_no_slack_and_due_soon_soonest_first(
        camden: Policy, england: WorkingCalendar) -> None:
    today = date(2026, 11, 23)
    schedule = Schedule(today, today, date(2026, 12, 20), 1, (
        visit("v1", "sw.a", date(2026, 11, 25), due=date(2026, 11, 26), breach=True),
        visit("v2", "sw.a", date(2026, 12, 10), due=date(2026, 12, 11), ref="C2"),
    ), shortfalls=(Shortfall("C3", "H3", "cp-cadence", date(2026, 11, 24), None, 3, "away"),),
        escalations=(Escalation("C2", "H2", "cin-escalate-two-failed-visits", ("team_manager",),
                                date(2026, 11, 20), date(2026, 11, 24), "2 failed visits"),))
    team = Team(("west",), (A,), tuple(Child(r, "H", "T", date(2018, 1, 1), PlanType.CP,
                                             date(2026, 1, 5)) for r in ("C1", "C2", "C3")),
                (), ())
    risks = at_risk(team, schedule, camden, england, today, within=5)
    assert [(r.kind, r.case_ref, r.day.isoformat()) for r in risks] == [
        (ESCALATION, "C2", "2026-11-24"), (SHORTFALL, "C3", "2026-11-24"),
        (NO_SLACK, "C1", "2026-11-25"), (DUE_SOON, "C1", "2026-11-26")]
    # within 5 working days of Mon 23 Nov (both inclusive) ends Fri 27 Nov: v2 is not due soon
    assert "due 2026-12-11" not in " ".join(r.what for r in risks)
    # each with its rule's source sentence
    assert all(r.source.startswith("camden") for r in risks if r.kind != NO_SLACK)

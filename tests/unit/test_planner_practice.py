"""Practice rules of the planner: who may visit, when children are at home, what a visit is."""

from __future__ import annotations

from collections import Counter
from datetime import date, time

from planner_checks import child, seen, worker

from visitplanner.core.model import LONDON, Absence, Outcome, PlanType, Role, VisitKind
from visitplanner.core.planning import PlanRequest, plan
from visitplanner.core.policy import Policy
from visitplanner.core.timeslots import TimeSettings, TimeWindow
from visitplanner.core.workdays import WorkingCalendar

TODAY = date(2026, 11, 23)  # a Monday
WINDOWS = (TimeWindow("early_morning", time(8), time(9, 30)),
           TimeWindow("school_hours", time(10), time(14, 30)),
           TimeWindow("after_school", time(15, 30), time(18)))
TIMES = TimeSettings(windows=WINDOWS)


def request(policy: Policy, children: tuple, staff: tuple, **more: object) -> PlanRequest:
    return PlanRequest(policy, WorkingCalendar(), children, staff, more.pop("absences", ()),
                       more.pop("visits", ()), TODAY, more.pop("weeks", 3), seed=3,
                       times=more.pop("times", TIMES), **more)  # type: ignore[arg-type]


def test_a_section_47_visit_is_never_covered_by_a_family_support_worker(camden: Policy) -> None:
    s47 = child("C1", "H1", PlanType.S47, allocated="sw.a", visit_frequency_days=7)
    away = Absence("sw.a", TODAY, date(2026, 12, 20), "leave")
    staff = (worker("sw.a"), worker("fsw.b", Role.FAMILY_SUPPORT_WORKER),
             worker("tm", Role.TEAM_MANAGER))
    schedule = plan(request(camden, (s47,), staff, absences=(away,)))
    assert schedule.visits
    assert {v.worker_id for v in schedule.visits} == {"tm"}
    assert all("manager_cover" in v.flags for v in schedule.visits)


def test_a_child_in_need_visit_may_be_covered_by_a_family_support_worker(
        camden: Policy) -> None:
    cin = child("C1", "H1", PlanType.CIN, allocated="sw.a")
    away = Absence("sw.a", TODAY, date(2026, 12, 20), "leave")
    staff = (worker("sw.a"), worker("fsw.b", Role.FAMILY_SUPPORT_WORKER),
             worker("tm", Role.TEAM_MANAGER))
    schedule = plan(request(camden, (cin,), staff, absences=(away,)))
    assert {v.worker_id for v in schedule.visits} == {"fsw.b"}


def test_a_visit_after_a_failed_one_is_a_revisit(camden: Policy) -> None:
    kid = child("C1", "H1", PlanType.CIN, allocated="sw.a")
    visits = (seen("C1", date(2026, 11, 2)),
              seen("C1", date(2026, 11, 20), outcome=Outcome.NO_ACCESS))
    schedule = plan(request(camden, (kid,), (worker("sw.a"),), visits=visits))
    first = schedule.visits[0]
    assert first.kind is VisitKind.REVISIT
    # Fri 20 Nov + 3 working days = Wed 25 Nov
    assert first.due_by <= date(2026, 11, 25) and first.day <= date(2026, 11, 25)


def test_a_child_at_school_is_visited_after_school_and_a_baby_in_the_day(
        camden: Policy) -> None:
    pupil = child("C1", "H1", PlanType.CP, born=date(2016, 3, 1), allocated="sw.a",
                  education="school")
    baby = child("C2", "H2", PlanType.CP, born=date(2026, 5, 1), allocated="sw.a",
                 education="none")
    schedule = plan(request(camden, (pupil, baby), (worker("sw.a"),)))
    for visit in schedule.visits:
        start, end = visit.start.astimezone(LONDON).time(), visit.end.astimezone(LONDON).time()
        if visit.household == "H1":
            assert "after_school" in visit.flags
            assert time(15, 30) <= start and end <= time(18)
        else:
            assert "after_school" not in visit.flags


def test_no_worker_gets_more_after_school_visits_than_the_window_holds(camden: Policy) -> None:
    pupils = tuple(child(f"C{i}", f"H{i}", PlanType.CP, born=date(2015, 1, 1), allocated="sw.a",
                         education="school") for i in range(6))
    schedule = plan(request(camden, pupils, (worker("sw.a", per_day=4), worker("sw.b"))))
    # 15:30-18:00 holds two one-hour visits with half an hour between them
    per_day = Counter((v.worker_id, v.day) for v in schedule.visits)
    assert max(per_day.values()) <= 2
    assert all(v.end.astimezone(LONDON).time() <= time(18) for v in schedule.visits)


def test_unannounced_visits_are_put_in_a_time_window_not_at_the_start_of_the_day(
        camden: Policy) -> None:
    toddlers = tuple(child(f"C{i}", f"H{i}", PlanType.CIN, born=date(2024, 1, 1),
                           allocated="sw.a", education="none") for i in range(4))
    schedule = plan(request(camden, toddlers, (worker("sw.a"), worker("sw.b")), weeks=6))
    unannounced = [v for v in schedule.visits if not v.announced]
    assert unannounced
    windows = [(w.start, w.end) for w in WINDOWS if w.name != "after_school"]
    for visit in unannounced:
        start, end = visit.start.astimezone(LONDON).time(), visit.end.astimezone(LONDON).time()
        assert any(lo <= start and end <= hi for lo, hi in windows), (start, end)


def test_an_overdue_unannounced_visit_is_in_the_shortfall_report_not_silent(
        camden: Policy) -> None:
    kid = child("C1", "H1", PlanType.CP, start=date(2026, 6, 1), allocated="sw.a",
                education="none")
    # Seen every week since September, always announced: no unannounced visit since the
    # plan began on 1 June, so one was due by Tue 1 Sep 2026 (1 June + 3 months).
    history = tuple(seen("C1", date(2026, 9, 7) + (date(2026, 9, 14) - date(2026, 9, 7)) * i,
                         announced=True) for i in range(11))
    schedule = plan(request(camden, (kid,), (worker("sw.a"),), visits=history))
    late = [s for s in schedule.shortfalls if s.rule_id == "cp-unannounced"]
    assert len(late) == 1
    first_unannounced = min(v.day for v in schedule.visits if not v.announced)
    assert (late[0].deadline, late[0].planned_on) == (date(2026, 9, 1), first_unannounced)
    assert late[0].days_late == (first_unannounced - date(2026, 9, 1)).days
    assert late[0].reason == "already overdue on 2026-11-23"


def test_a_baby_not_seen_awake_for_six_weeks_is_reported_when_the_plan_cannot_catch_up(
        camden: Policy) -> None:
    baby = child("C1", "H1", PlanType.CP, born=date(2026, 3, 1), allocated="sw.a",
                 education="none")
    # Seen weekly, but never awake since Mon 5 Oct: awake was due by Mon 16 Nov (6 weeks).
    history = (seen("C1", date(2026, 10, 5)),
               *(seen("C1", day, checks=("seen_alone",)) for day in
                 (date(2026, 10, 12), date(2026, 10, 19), date(2026, 10, 26), date(2026, 11, 2),
                  date(2026, 11, 9), date(2026, 11, 16))))
    schedule = plan(request(camden, (baby,), (worker("sw.a"),), visits=history))
    late = [s for s in schedule.shortfalls if s.rule_id == "cp-seen-awake-under-3"]
    assert [(s.deadline, s.reason) for s in late] == [
        (date(2026, 11, 16), "already overdue on 2026-11-23")]
    first = schedule.visits[0]
    assert "seen_awake" in dict((c.case_ref, c.checks) for c in first.checks)["C1"]


def test_an_absence_moves_a_visit_no_earlier_than_halfway_when_a_colleague_can_cover(
        camden: Policy) -> None:
    # Seen today (Mon 23 Nov): next due Thu 3 Dec; the worker is away 26 Nov to 10 Dec.
    kid = child("C1", "H1", PlanType.CP, allocated="sw.a", education="none")
    away = Absence("sw.a", date(2026, 11, 26), date(2026, 12, 10), "leave")
    history = (seen("C1", TODAY),)
    with_colleague = plan(request(camden, (kid,), (worker("sw.a"), worker("sw.b")),
                                  absences=(away,), visits=history, weeks=2))
    first = with_colleague.visits[0]
    # Wednesday 25 Nov, two days after the last visit, would over-visit: sw.b covers later.
    assert (first.worker_id, "cover" in first.flags) == ("sw.b", True)
    assert first.day >= date(2026, 11, 28)
    alone = plan(request(camden, (kid,), (worker("sw.a"),), absences=(away,), visits=history,
                         weeks=2))
    moved = alone.visits[0]
    assert (moved.worker_id, moved.day) == ("sw.a", date(2026, 11, 25))
    assert "moved_earlier_for_absence" in moved.flags


def test_a_bedroom_check_owed_before_the_conference_brings_a_visit_forward(
        walsall: Policy) -> None:
    # Seen Fri 20 Nov (the fortnight runs to Fri 4 Dec) but the bedroom not since the
    # conference of 1 Sep; the next conference is Fri 27 Nov, so it is owed by Thu 26 Nov.
    kid = child("C1", "H1", PlanType.CP, allocated="sw.a", education="none",
                conference_dates=(date(2026, 9, 1), date(2026, 11, 27)))
    history = (seen("C1", date(2026, 11, 20), checks=("seen_alone", "living_arrangements")),)
    schedule = plan(request(walsall, (kid,), (worker("sw.a"),), visits=history))
    before = [v for v in schedule.visits if v.day <= date(2026, 11, 26)]
    assert before, "no visit before the conference"
    assert "bedroom" in before[0].checks[0].checks
    assert "cp-bedroom-between-conferences" in before[0].rule_ids
    assert [s for s in schedule.shortfalls if s.rule_id == "cp-bedroom-between-conferences"] == []

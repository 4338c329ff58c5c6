"""The compliance report's figures, each against a small history worked out by hand.

Every expected date below is counted in the comment beside it, from the Camden policy's
sentence and England's bank holidays (Early May: Mon 4 May 2026; Spring: Mon 25 May 2026);
nothing expected is computed by the code under test.  Each test keeps the one Camden rule it
is about, so that the figures are that rule's alone.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from rulekit import D, child, visit

from visitplanner.core.history import Fact
from visitplanner.core.model import Child, Outcome, PlanType, Role, Worker
from visitplanner.core.policy import Policy
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.report.items import UNALLOCATED, Status, Topic, child_label
from visitplanner.report.measures import (
    By,
    Caseload,
    ComplianceReport,
    Tally,
    by_topic,
    compliance_report,
    grouped,
    summary,
    tally,
    weekly,
)
from visitplanner.report.period import Period

WORKERS = (Worker("sw.one", "Test Worker One", "one@example.org", "north", Role.SOCIAL_WORKER),
           Worker("sw.two", "Test Worker Two", "two@example.org", "south", Role.SOCIAL_WORKER))


def only(policy: Policy, *rule_ids: str) -> Policy:
    """The policy with just these rules."""
    return replace(policy, rules=tuple(policy.rule(r) for r in rule_ids))


def report(policy: Policy, calendar: WorkingCalendar, kid: Child, history: list[Fact],
           first: str, last: str, records_from: str | None = None) -> ComplianceReport:
    caseload = Caseload(policy, calendar, (kid,), WORKERS, {kid.case_ref: tuple(history)},
                        D(records_from) if records_from else None)
    return compliance_report(caseload, Period(D(first), D(last)))


def rows(made: ComplianceReport) -> list[tuple[str, str | None, str, int]]:
    """(due, met on, status, days late) of every deadline, as ISO dates."""
    return [(i.due.isoformat(), i.met_on.isoformat() if i.met_on else None, i.status.value,
             i.days_late) for i in made.deadlines]


def cin_child(**extra: Any) -> Child:
    return child("REP", PlanType.CIN, plan_start="2026-04-20", allocated_worker="sw.one",
                 **extra)


#: cin-cadence, 15 working days, the visit day is day 0.
CADENCE_HISTORY = [
    visit("2026-05-12"),                    # plan start Mon 20 Apr + 15 wd (4 May off): Tue 12 May
    visit("2026-06-03"),                    # 12 May + 15 wd, 25 May off: Wed 3 Jun, on the day
    visit("2026-06-22", Outcome.NOT_SEEN),  # due Wed 24 Jun; not seen: counts for nothing
    visit("2026-06-26"),                    # 2 days late; next due Fri 17 Jul, never met
]


def test_a_visit_on_the_deadline_day_is_in_time_across_a_bank_holiday(camden: Policy,
                                                                      england: WorkingCalendar
                                                                      ) -> None:
    made = report(only(camden, "cin-cadence"), england, cin_child(), CADENCE_HISTORY,
                  "2026-05-12", "2026-07-17")
    assert rows(made) == [("2026-05-12", "2026-05-12", "in_time", 0),
                          ("2026-06-03", "2026-06-03", "in_time", 0),
                          ("2026-06-24", "2026-06-26", "late", 2),
                          ("2026-07-17", None, "not_met", 0)]


def test_a_not_seen_visit_meets_no_deadline_and_the_late_one_is_counted_late(
        camden: Policy, england: WorkingCalendar) -> None:
    made = report(only(camden, "cin-cadence"), england, cin_child(), CADENCE_HISTORY,
                  "2026-05-12", "2026-07-20")
    assert tally(made.deadlines) == Tally(due=4, in_time=2, late=1, not_met=1,
                                          median_days_late=2.0, worst_days_late=2)
    assert tally(made.deadlines).percent == 50.0
    # Not met on 20 Jul: 3 days past Fri 17 Jul.
    assert made.deadlines[-1].days_late == 3


def test_both_bounds_of_the_period_are_inclusive(camden: Policy,
                                                 england: WorkingCalendar) -> None:
    inside = report(only(camden, "cin-cadence"), england, cin_child(), CADENCE_HISTORY,
                    "2026-06-03", "2026-06-24")
    outside = report(only(camden, "cin-cadence"), england, cin_child(), CADENCE_HISTORY,
                     "2026-06-04", "2026-06-23")
    assert [r[0] for r in rows(inside)] == ["2026-06-03", "2026-06-24"]
    assert rows(outside) == []


def test_a_deadline_not_met_by_the_last_day_is_not_met_even_if_met_after(
        camden: Policy, england: WorkingCalendar) -> None:
    made = report(only(camden, "cin-cadence"), england, cin_child(), CADENCE_HISTORY,
                  "2026-06-24", "2026-06-25")
    assert rows(made) == [("2026-06-24", None, "not_met", 1)]


def test_a_deadline_counted_from_before_the_records_begin_is_not_judged(
        camden: Policy, england: WorkingCalendar) -> None:
    # The bedroom between conferences: 2 Mar to 1 Jun is due by 31 May, but the records begin
    # on 1 Apr (a visit in March may have seen it); 1 Jun to 1 Sep is due by 31 Aug.
    kid = child("REP", PlanType.CP, plan_start="2026-03-02", allocated_worker="sw.one",
                conference_dates=(D("2026-03-02"), D("2026-06-01"), D("2026-09-01")))
    made = report(only(camden, "cp-bedroom-between-conferences"), england, kid,
                  [visit("2026-04-08"), visit("2026-07-01", Outcome.COMPLETED, "bedroom")],
                  "2026-05-01", "2026-08-31", records_from="2026-04-01")
    assert rows(made) == [("2026-08-31", "2026-07-01", "in_time", 0)]
    assert made.unjudged == 1


def test_a_failed_visit_re_done_on_the_third_working_day_after_a_bank_holiday_is_in_time(
        camden: Policy, england: WorkingCalendar) -> None:
    history = [visit("2026-05-12"),
               visit("2026-05-22", Outcome.NO_ACCESS),  # Fri; + 3 wd, Mon 25 May off: Thu 28
               visit("2026-05-28")]
    made = report(only(camden, "cin-revisit"), england, cin_child(), history,
                  "2026-05-01", "2026-05-31")
    assert rows(made) == [("2026-05-28", "2026-05-28", "in_time", 0)]
    assert [(m.day, m.outcome, m.seen_next, m.revisit_due, m.revisit_status)
            for m in made.missed_visits] == [
        (D("2026-05-22"), "no_access", D("2026-05-28"), D("2026-05-28"), Status.IN_TIME)]


def test_each_failed_visit_of_a_streak_sets_its_own_re_visit_deadline(
        camden: Policy, england: WorkingCalendar) -> None:
    history = [visit("2026-05-12"),
               visit("2026-05-13", Outcome.CANCELLED),   # Wed + 3 wd: Mon 18 May
               visit("2026-05-18", Outcome.NOT_SEEN),    # Mon + 3 wd: Thu 21 May
               visit("2026-05-20")]                      # meets both: in time
    made = report(only(camden, "cin-revisit"), england, cin_child(), history,
                  "2026-05-01", "2026-05-31")
    assert rows(made) == [("2026-05-18", "2026-05-20", "late", 2),
                          ("2026-05-21", "2026-05-20", "in_time", 0)]


def test_seen_alone_is_owed_at_every_visit_the_social_worker_sees_the_child(
        camden: Policy, england: WorkingCalendar) -> None:
    history = [visit("2026-05-05", Outcome.COMPLETED, "seen_alone"),
               visit("2026-05-07", Outcome.NOT_SEEN),                  # no occasion
               visit("2026-05-11", role=Role.FAMILY_SUPPORT_WORKER),  # not a social worker
               visit("2026-05-14"),                                    # missed: late to 19 May
               visit("2026-05-19", Outcome.COMPLETED, "seen_alone")]
    made = report(only(camden, "cin-seen-alone-over-3"), england, cin_child(), history,
                  "2026-05-01", "2026-05-31")
    assert rows(made) == [("2026-05-05", "2026-05-05", "in_time", 0),
                          ("2026-05-14", "2026-05-19", "late", 5),
                          ("2026-05-19", "2026-05-19", "in_time", 0)]
    assert {i.topic for i in made.deadlines} == {Topic.SEEN_ALONE}


def test_the_bedroom_is_owed_at_the_first_visit_and_every_third_after(
        camden: Policy, england: WorkingCalendar) -> None:
    history = [visit("2026-05-05", Outcome.COMPLETED, "bedroom"),  # owed (never seen): made
               visit("2026-05-07"), visit("2026-05-11"),          # 1st and 2nd since: not owed
               visit("2026-05-14"),                               # 3rd since: owed, missed
               visit("2026-05-18", Outcome.COMPLETED, "bedroom")]  # still owed: made
    made = report(only(camden, "cin-bedroom-every-third-visit"), england, cin_child(), history,
                  "2026-05-01", "2026-05-31")
    assert rows(made) == [("2026-05-05", "2026-05-05", "in_time", 0),
                          ("2026-05-14", "2026-05-18", "late", 4),
                          ("2026-05-18", "2026-05-18", "in_time", 0)]


def test_a_baby_on_a_cp_plan_is_seen_awake_every_six_weeks(camden: Policy,
                                                           england: WorkingCalendar) -> None:
    baby = child("REP", PlanType.CP, born="2025-06-01", plan_start="2026-03-02",
                 allocated_worker="sw.one")
    history = [visit("2026-04-13", Outcome.COMPLETED, "seen_awake")]  # 2 Mar + 6 weeks: 13 Apr
    made = report(only(camden, "cp-seen-awake-under-3"), england, baby, history,
                  "2026-03-01", "2026-05-31")
    # Then 13 Apr + 6 weeks = Mon 25 May: not met by 31 May, 6 days.
    assert rows(made) == [("2026-04-13", "2026-04-13", "in_time", 0),
                          ("2026-05-25", None, "not_met", 6)]
    assert summary(made.deadlines)[Topic.SEEN_AWAKE.value].percent == 50.0


def test_one_unannounced_visit_in_each_three_months_whatever_the_announced_ones(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child("REP", PlanType.CP, plan_start="2026-01-05", allocated_worker="sw.one")
    history = [visit("2026-02-10", announced=False),   # plan start 5 Jan + 3 months = 5 Apr
               visit("2026-05-01"),                    # announced: counts for nothing
               visit("2026-05-12", announced=False, outcome=Outcome.NOT_SEEN)]  # due 10 May
    made = report(only(camden, "cp-unannounced"), england, kid, history,
                  "2026-04-01", "2026-06-30")
    # An unannounced visit counts seen or not (child_seen = "any"); next due 12 Aug.
    assert rows(made) == [("2026-04-05", "2026-02-10", "in_time", 0),
                          ("2026-05-10", "2026-05-12", "late", 2)]
    assert {i.topic for i in made.deadlines} == {Topic.UNANNOUNCED}


def test_a_first_visit_a_day_after_the_seven_days_from_referral_is_late(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = cin_child(referral_date=D("2026-03-02"))
    made = report(only(camden, "first-visit-after-referral"), england, kid,
                  [visit("2026-03-10")], "2026-03-01", "2026-03-31")
    assert rows(made) == [("2026-03-09", "2026-03-10", "late", 1)]  # 2 Mar + 7 days = 9 Mar


def test_two_failed_visits_in_a_row_raise_an_escalation_cleared_when_the_child_is_seen(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child("REP", PlanType.CP, plan_start="2026-03-02", allocated_worker="sw.one")
    history = [visit("2026-03-03", Outcome.NO_ACCESS), visit("2026-03-05", Outcome.NOT_SEEN),
               visit("2026-03-06")]
    made = report(only(camden, "cp-notify-two-failed-visits"), england, kid, history,
                  "2026-03-01", "2026-03-31")
    assert [(e.fired, e.due, e.cleared_on, e.notify) for e in made.escalations] == [
        (D("2026-03-05"), D("2026-03-05"), D("2026-03-06"),
         ("team_manager", "conference_chair"))]
    assert made.deadlines == ()


def test_figures_are_grouped_by_team_worker_and_plan(camden: Policy,
                                                     england: WorkingCalendar) -> None:
    one = cin_child()
    two = replace(child("RQP", PlanType.CIN, plan_start="2026-04-20"), allocated_worker=None)
    caseload = Caseload(only(camden, "cin-cadence"), england, (one, two), WORKERS,
                        {one.case_ref: tuple(CADENCE_HISTORY)})
    made = compliance_report(caseload, Period(D("2026-05-12"), D("2026-05-31")))
    # One's deadline of 12 May is met on the day; two, never visited, is due 12 May too.
    by_worker = {k: tally(v) for k, v in grouped(made.deadlines, By.WORKER).items()}
    assert {k: (t.due, t.in_time, t.not_met) for k, t in by_worker.items()} == {
        "sw.one": (1, 1, 0), UNALLOCATED: (1, 0, 1)}
    # An unallocated child counts toward the first team by name.
    assert list(grouped(made.deadlines, By.TEAM)) == ["north"]
    assert list(grouped(made.deadlines, By.PLAN)) == ["CIN"]


def test_each_week_counts_the_deadlines_due_in_it(camden: Policy,
                                                  england: WorkingCalendar) -> None:
    made = report(only(camden, "cin-cadence"), england, cin_child(), CADENCE_HISTORY,
                  "2026-06-01", "2026-06-28")
    weeks = weekly(made.deadlines, made.period, By.TEAM)["north"]
    assert [(week.isoformat(), t.due, t.percent) for week, t in weeks] == [
        ("2026-06-01", 1, 100.0), ("2026-06-08", 0, None), ("2026-06-15", 0, None),
        ("2026-06-22", 1, 0.0)]


def test_every_topic_is_in_the_summary_even_with_nothing_due() -> None:
    assert list(by_topic(())) == list(Topic)
    assert tally(()) == Tally(0, 0, 0, 0, None, None) and tally(()).percent is None


def test_a_child_is_named_by_case_reference_and_initials_only_above_minimal() -> None:
    kid = cin_child()  # named "Test Child"
    assert [child_label(kid, level) for level in ("minimal", "standard", "full")] == [
        "REP-T001", "REP-T001 TC", "REP-T001 TC"]


def test_a_period_ends_on_or_after_its_first_day() -> None:
    try:
        Period(date(2026, 5, 2), date(2026, 5, 1))
    except ValueError as error:
        assert "2026-05-02" in str(error)
    else:
        raise AssertionError("a period ending before it starts was accepted")

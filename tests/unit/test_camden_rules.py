"""Every Camden rule with a schedule effect, on concrete dates.

Dates are worked out by hand and written literally; working-day counts skip
England's bank holidays (Christmas 2026: Fri 25 Dec, Mon 28 Dec (Boxing Day
substitute), Fri 1 Jan 2027).  The day of the last visit is day 0
(``counting = "visit_day_is_day_0"``), and a deadline is the last day,
inclusive, on which a visit meets the rule.
"""

from __future__ import annotations

from typing import Any

import pytest
import rulekit
from rulekit import (
    D,
    due,
    due_date,
    ids_not_quoted_in,
    normalised,
    schedule_rule_ids,
    seed_text,
    visit,
)

from visitplanner.core.model import Child, Location, Outcome, PlanType, Role
from visitplanner.core.policy import Policy, child_problems
from visitplanner.core.workdays import WorkingCalendar


def child(plan: PlanType = PlanType.CIN, **details: Any) -> Child:
    """A Camden child (a child in need unless ``plan`` says otherwise)."""
    return rulekit.child("CAM", plan, **details)


# ---------------------------------------------------------------- citations


@pytest.mark.parametrize(("name", "seed"), [("camden", "000"), ("walsall", "003")])
def test_every_rule_quotes_its_seed_word_for_word(
        name: str, seed: str, request: pytest.FixtureRequest) -> None:
    policy: Policy = request.getfixturevalue(name)
    text = seed_text(seed)
    missing = [rule.id for rule in policy.rules
               if not rule.source.quote.strip() or normalised(rule.source.quote) not in text]
    assert missing == []
    assert len(policy.rules) >= 20


def test_every_camden_schedule_rule_is_exercised_by_a_test_in_this_file(camden: Policy) -> None:
    schedule_ids = schedule_rule_ids(camden)
    assert ids_not_quoted_in(__file__, schedule_ids) == []
    assert len(schedule_ids) == 28


# ---------------------------------------------------------------- 1 Introduction


def test_every_child_is_visited_at_home_within_7_days_of_referral(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child(referral_date=D("2026-11-02"))
    # Mon 2 Nov + 7 calendar days = Mon 9 Nov
    assert due_date(camden, england, "first-visit-after-referral", kid, [], "2026-11-02") \
        == D("2026-11-09")


def test_first_visit_deadline_is_met_only_by_a_home_visit_seeing_the_child(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child(referral_date=D("2026-11-02"))
    not_seen = [visit("2026-11-04", Outcome.NOT_SEEN)]
    away = [visit("2026-11-04", location=Location.ELSEWHERE)]
    seen = [visit("2026-11-05")]
    rule = "first-visit-after-referral"
    assert due_date(camden, england, rule, kid, not_seen, "2026-11-05") == D("2026-11-09")
    assert due_date(camden, england, rule, kid, away, "2026-11-05") == D("2026-11-09")
    assert due(camden, england, rule, kid, seen, "2026-11-05") is None


# ---------------------------------------------------------------- 2 Children in need: cadence


def test_child_in_need_is_visited_at_least_every_15_working_days(
        camden: Policy, england: WorkingCalendar) -> None:
    # Mon 2 Nov 2026 + 15 working days (no holidays) = Mon 23 Nov 2026
    history = [visit("2026-11-02")]
    assert due_date(camden, england, "cin-cadence", child(), history, "2026-11-10") \
        == D("2026-11-23")


def test_child_in_need_cadence_counts_working_days_across_christmas(
        camden: Policy, england: WorkingCalendar) -> None:
    # From Thu 17 Dec 2026: Fri 18 (1), Mon 21 (2), Tue 22 (3), Wed 23 (4), Thu 24 (5),
    # [Fri 25 and Mon 28 bank holidays], Tue 29 (6), Wed 30 (7), Thu 31 (8),
    # [Fri 1 Jan bank holiday], Mon 4 (9), Tue 5 (10), Wed 6 (11), Thu 7 (12), Fri 8 (13),
    # Mon 11 (14), Tue 12 Jan 2027 (15).
    history = [visit("2026-12-17")]
    assert due_date(camden, england, "cin-cadence", child(), history, "2026-12-18") \
        == D("2027-01-12")


def test_cin_cadence_runs_from_the_plan_start_before_the_first_visit(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child(plan_start="2026-11-02")
    assert due_date(camden, england, "cin-cadence", kid, [], "2026-11-02") == D("2026-11-23")


def test_failed_visit_does_not_reset_the_clock(
        camden: Policy, england: WorkingCalendar) -> None:
    history = [visit("2026-11-02"), visit("2026-11-16", Outcome.NO_ACCESS),
               visit("2026-11-18", Outcome.CANCELLED), visit("2026-11-19", Outcome.NOT_SEEN)]
    assert due_date(camden, england, "cin-cadence", child(), history, "2026-11-19") \
        == D("2026-11-23")


def test_a_visit_away_from_home_does_not_count_as_a_cin_home_visit(
        camden: Policy, england: WorkingCalendar) -> None:
    history = [visit("2026-11-02"), visit("2026-11-16", location=Location.ELSEWHERE)]
    assert due_date(camden, england, "cin-cadence", child(), history, "2026-11-17") \
        == D("2026-11-23")


def test_plan_frequency_tightens_the_cin_cadence(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child(visit_frequency_days=10)
    # Mon 2 Nov + 10 calendar days = Thu 12 Nov (instead of Mon 23 Nov)
    assert due_date(camden, england, "cin-cadence", kid, [visit("2026-11-02")], "2026-11-03") \
        == D("2026-11-12")
    assert child_problems(camden, kid) == []


def test_plan_frequency_looser_than_the_cin_cadence_is_refused(camden: Policy) -> None:
    # 15 working days span 21 calendar days: 22 is looser
    problems = child_problems(camden, child(visit_frequency_days=22))
    assert problems == [(
        "visit_frequency_days", "22 days is looser than rule cin-cadence "
        "(at least every 15 working days)",
        "use 21 or fewer days; a plan may only tighten the policy")]


# ---------------------------------------------------------------- section 47


def test_s47_visits_follow_the_frequency_set_by_social_worker_and_supervisor(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child(PlanType.S47, visit_frequency_days=7)
    # Mon 2 Nov + 7 calendar days = Mon 9 Nov
    history = [visit("2026-11-02")]
    assert due_date(camden, england, "s47-cadence", kid, history, "2026-11-03") == D("2026-11-09")
    assert child_problems(camden, kid) == []


def test_during_an_s47_enquiry_the_child_in_need_floor_still_holds(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child(PlanType.S47, visit_frequency_days=7)
    # Mon 2 Nov + 15 working days = Mon 23 Nov: the floor is not tightened a second time
    history = [visit("2026-11-02")]
    assert due_date(camden, england, "s47-cin-floor", kid, history, "2026-11-03") \
        == D("2026-11-23")
    assert due(camden, england, "cin-cadence", kid, history, "2026-11-03") is None


def test_s47_enquiry_without_a_visit_frequency_is_refused(camden: Policy) -> None:
    problems = child_problems(camden, child(PlanType.S47))
    assert problems == [(
        "visit_frequency_days",
        "rule s47-cadence needs the plan to set visit_frequency_days for a S47 plan",
        "enter the visiting frequency agreed for this child, in days")]


def test_a_cin_child_needs_no_visit_frequency(camden: Policy) -> None:
    assert child_problems(camden, child(PlanType.CIN)) == []


# ---------------------------------------------------------------- unannounced quota


def test_cin_needs_an_unannounced_home_visit_every_3_months(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child(plan_start="2026-09-01")
    announced = [visit("2026-10-06"), visit("2026-11-10")]
    # no unannounced visit yet: plan start Tue 1 Sep + 3 months = Tue 1 Dec 2026
    assert due_date(camden, england, "cin-unannounced", kid, announced, "2026-11-11") \
        == D("2026-12-01")
    unannounced = [visit("2026-10-06"), visit("2026-11-10", announced=False)]
    # Tue 10 Nov 2026 + 3 months = Wed 10 Feb 2027
    assert due_date(camden, england, "cin-unannounced", kid, unannounced, "2026-11-11") \
        == D("2027-02-10")


def test_cp_needs_an_unannounced_home_visit_every_3_months(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child(PlanType.CP, plan_start="2026-11-02")
    # Mon 2 Nov 2026 + 3 months = Tue 2 Feb 2027
    assert due_date(camden, england, "cp-unannounced", kid, [], "2026-11-02") == D("2027-02-02")
    # an unannounced call counts even when the child was not seen (counts child_seen = "any")
    history = [visit("2026-11-10", Outcome.NOT_SEEN, announced=False)]
    assert due_date(camden, england, "cp-unannounced", kid, history, "2026-11-11") \
        == D("2027-02-10")


# ---------------------------------------------------------------- failed visits


def test_failed_cin_visit_is_redone_within_3_working_days(
        camden: Policy, england: WorkingCalendar) -> None:
    # From Wed 23 Dec 2026: Thu 24 (1), [25, 26, 27, 28 off], Tue 29 (2), Wed 30 (3)
    history = [visit("2026-12-10"), visit("2026-12-23", Outcome.NO_ACCESS)]
    assert due_date(camden, england, "cin-revisit", child(), history, "2026-12-23") \
        == D("2026-12-30")


def test_cin_visit_where_the_child_is_not_seen_has_failed_and_is_redone(
        camden: Policy, england: WorkingCalendar) -> None:
    # From Tue 17 Nov 2026: Wed 18 (1), Thu 19 (2), Fri 20 (3)
    history = [visit("2026-11-02"), visit("2026-11-17", Outcome.NOT_SEEN)]
    assert due_date(camden, england, "cin-revisit", child(), history, "2026-11-17") \
        == D("2026-11-20")


def test_a_successful_visit_ends_the_revisit_deadline(
        camden: Policy, england: WorkingCalendar) -> None:
    history = [visit("2026-11-17", Outcome.NO_ACCESS), visit("2026-11-19")]
    assert due(camden, england, "cin-revisit", child(), history, "2026-11-19") is None


def test_cp_visit_that_does_not_go_ahead_is_redone_within_3_working_days(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child(PlanType.CP)
    history = [visit("2026-12-18"), visit("2026-12-23", Outcome.CANCELLED)]
    # Wed 23 Dec: Thu 24 (1), Tue 29 (2), Wed 30 (3)
    assert due_date(camden, england, "cp-revisit", kid, history, "2026-12-23") == D("2026-12-30")


def test_cp_revisit_is_not_set_by_a_visit_where_only_the_child_was_not_seen(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child(PlanType.CP)
    history = [visit("2026-11-02"), visit("2026-11-09", Outcome.NOT_SEEN)]
    assert due(camden, england, "cp-revisit", kid, history, "2026-11-09") is None
    # ... but that visit does not count toward the 10-day cadence either
    assert due_date(camden, england, "cp-cadence", kid, history, "2026-11-09") == D("2026-11-12")


def test_two_successive_failed_cin_visits_are_raised_with_the_supervisor(
        camden: Policy, england: WorkingCalendar) -> None:
    one = [visit("2026-11-02"), visit("2026-11-16", Outcome.NO_ACCESS)]
    two = [*one, visit("2026-11-18", Outcome.CANCELLED)]
    broken = [*one, visit("2026-11-17"), visit("2026-11-18", Outcome.CANCELLED)]
    rule = "cin-escalate-two-failed-visits"
    assert due(camden, england, rule, child(), one, "2026-11-16") is None
    raised = due(camden, england, rule, child(), two, "2026-11-18")
    assert raised is not None
    assert (raised.action, raised.due) == ("notify", D("2026-11-18"))
    assert raised.what == "tell the supervisor: 2 failed visit(s) in a row"
    assert due(camden, england, rule, child(), broken, "2026-11-18") is None


def test_cp_access_difficulty_is_reported_to_manager_and_chair_the_same_day(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child(PlanType.CP)
    history = [visit("2026-11-02"), visit("2026-11-05", Outcome.NO_ACCESS, clock="16:00")]
    reported = due(camden, england, "cp-report-access-difficulty", kid, history, "2026-11-05")
    assert reported is not None
    assert reported.due == D("2026-11-05")
    assert "team manager and conference chair" in reported.what


def test_two_failed_cp_visits_notify_manager_and_chair(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child(PlanType.CP)
    one = [visit("2026-11-02"), visit("2026-11-05", Outcome.NOT_SEEN)]
    two = [*one, visit("2026-11-06", Outcome.NO_ACCESS)]
    rule = "cp-notify-two-failed-visits"
    assert due(camden, england, rule, kid, one, "2026-11-05") is None
    assert due_date(camden, england, rule, kid, two, "2026-11-06") == D("2026-11-06")


# ---------------------------------------------------------------- checks at visits


def test_children_over_3_are_seen_alone_at_every_cin_visit(
        camden: Policy, england: WorkingCalendar) -> None:
    history = [visit("2026-11-02", Outcome.COMPLETED, "seen_alone")]
    owed = due(camden, england, "cin-seen-alone-over-3", child(), history, "2026-11-03")
    assert owed is not None
    assert (owed.at_next_visit, owed.due, owed.check) == (True, None, "seen_alone")


def test_under_3_and_over_3_switch_on_the_third_birthday(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child(born="2023-11-15")  # 3rd birthday Sun 15 Nov 2026
    before = due(camden, england, "cin-seen-alone-over-3", kid, [], "2026-11-14")
    awake_before = due(camden, england, "cin-seen-awake-under-3", kid, [], "2026-11-14")
    on_birthday = due(camden, england, "cin-seen-alone-over-3", kid, [], "2026-11-15")
    awake_on = due(camden, england, "cin-seen-awake-under-3", kid, [], "2026-11-15")
    assert (before, awake_before is not None) == (None, True)
    assert (on_birthday is not None, awake_on) == (True, None)


def test_children_under_3_are_seen_awake_on_at_least_every_second_cin_visit(
        camden: Policy, england: WorkingCalendar) -> None:
    baby = child(born="2025-06-01")
    rule = "cin-seen-awake-under-3"
    awake = [visit("2026-11-02", Outcome.COMPLETED, "seen_awake")]
    asleep_after = [*awake, visit("2026-11-16")]
    assert due(camden, england, rule, baby, awake, "2026-11-03") is None
    owed = due(camden, england, rule, baby, asleep_after, "2026-11-17")
    assert owed is not None and owed.at_next_visit
    # a failed visit is not a visit for this count
    failed_after = [*awake, visit("2026-11-16", Outcome.NO_ACCESS)]
    assert due(camden, england, rule, baby, failed_after, "2026-11-17") is None


def test_bedroom_is_seen_on_every_third_cin_visit(
        camden: Policy, england: WorkingCalendar) -> None:
    rule = "cin-bedroom-every-third-visit"
    first = visit("2026-10-05", Outcome.COMPLETED, "bedroom")
    second, third = visit("2026-10-26"), visit("2026-11-16")
    assert due(camden, england, rule, child(), [first], "2026-10-06") is None
    assert due(camden, england, rule, child(), [first, second], "2026-10-27") is None
    owed = due(camden, england, rule, child(), [first, second, third], "2026-11-17")
    assert owed is not None and owed.at_next_visit and owed.check == "bedroom"


def test_bedroom_is_owed_at_the_first_cin_visit(
        camden: Policy, england: WorkingCalendar) -> None:
    owed = due(camden, england, "cin-bedroom-every-third-visit", child(), [], "2026-11-02")
    assert owed is not None and owed.at_next_visit


def test_household_changes_are_noted_at_every_visit(
        camden: Policy, england: WorkingCalendar) -> None:
    history = [visit("2026-11-02", Outcome.COMPLETED, "household_changes")]
    for rule, kid in (("cin-household-changes", child()),
                      ("cp-household-changes", child(PlanType.CP))):
        owed = due(camden, england, rule, kid, history, "2026-11-03")
        assert owed is not None and owed.at_next_visit and owed.check == "household_changes"


@pytest.mark.parametrize(("rule", "check"), [("cp-food-in-cupboards", "food"),
                                             ("cp-injuries", "injuries"),
                                             ("cp-check-with-network", "network_contact"),
                                             ("cp-seen-alone-over-3", "seen_alone")])
def test_cp_checks_made_at_every_visit(camden: Policy, england: WorkingCalendar,
                                       rule: str, check: str) -> None:
    history = [visit("2026-11-02", Outcome.COMPLETED, check)]
    owed = due(camden, england, rule, child(PlanType.CP), history, "2026-11-03")
    assert owed is not None
    assert (owed.at_next_visit, owed.check) == (True, check)


def test_cp_child_under_3_is_seen_awake_at_least_every_6_weeks(
        camden: Policy, england: WorkingCalendar) -> None:
    baby = child(PlanType.CP, born="2025-06-01")
    history = [visit("2026-11-02", Outcome.COMPLETED, "seen_awake"), visit("2026-11-09")]
    # last seen awake Mon 2 Nov 2026 + 6 weeks = Mon 14 Dec 2026
    assert due_date(camden, england, "cp-seen-awake-under-3", baby, history, "2026-11-10") \
        == D("2026-12-14")
    assert due(camden, england, "cp-seen-alone-over-3", baby, history, "2026-11-10") is None


@pytest.mark.parametrize("rule", ["cp-bedroom-between-conferences", "cp-sleeping-arrangements"])
def test_cp_bedroom_and_sleeping_arrangements_once_between_conferences(
        camden: Policy, england: WorkingCalendar, rule: str) -> None:
    check = "bedroom" if "bedroom" in rule else "sleeping_arrangements"
    kid = child(PlanType.CP, conference_dates=(D("2026-11-02"), D("2027-01-27")))
    before_conference = [visit("2026-10-28", Outcome.COMPLETED, check), visit("2026-11-09")]
    # not yet seen since the conference on Mon 2 Nov: due the day before Wed 27 Jan 2027
    assert due_date(camden, england, rule, kid, before_conference, "2026-11-23") \
        == D("2027-01-26")
    seen = [*before_conference, visit("2026-11-16", Outcome.COMPLETED, check)]
    assert due(camden, england, rule, kid, seen, "2026-11-23") is None


def test_cp_bedroom_with_no_next_conference_booked_is_owed_at_the_next_visit(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child(PlanType.CP, conference_dates=(D("2026-11-02"),))
    owed = due(camden, england, "cp-bedroom-between-conferences", kid, [], "2026-11-23")
    assert owed is not None
    assert (owed.due, owed.at_next_visit) == (None, True)


# ---------------------------------------------------------------- child protection cadence


def test_cp_child_must_be_seen_by_a_social_worker_within_10_calendar_days(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child(PlanType.CP)
    # Mon 2 Nov 2026 + 10 calendar days = Thu 12 Nov 2026
    history = [visit("2026-11-02")]
    assert due_date(camden, england, "cp-cadence", kid, history, "2026-11-03") == D("2026-11-12")


def test_visits_by_other_core_group_members_do_not_count_toward_cp_cadence(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child(PlanType.CP)
    history = [visit("2026-11-02"), visit("2026-11-10", role=Role.HEALTH_VISITOR),
               visit("2026-11-11", role=Role.FAMILY_SUPPORT_WORKER)]
    assert due_date(camden, england, "cp-cadence", kid, history, "2026-11-11") == D("2026-11-12")
    by_senior = [*history, visit("2026-11-11", role=Role.SENIOR_SOCIAL_WORKER, clock="15:00")]
    assert due_date(camden, england, "cp-cadence", kid, by_senior, "2026-11-11") \
        == D("2026-11-21")


def test_conference_frequency_tightens_cp_cadence_but_a_looser_one_is_refused(
        camden: Policy, england: WorkingCalendar) -> None:
    tight = child(PlanType.CP, visit_frequency_days=7)
    assert due_date(camden, england, "cp-cadence", tight, [visit("2026-11-02")], "2026-11-03") \
        == D("2026-11-09")
    assert child_problems(camden, tight) == []
    loose = child(PlanType.CP, visit_frequency_days=14)
    problems = child_problems(camden, loose)
    assert [(column, what) for column, what, _ in problems] == [
        ("visit_frequency_days",
         "14 days is looser than rule cp-cadence (at least every 10 calendar days)")]
    # the looser value never relaxes the deadline either
    assert due_date(camden, england, "cp-cadence", loose, [visit("2026-11-02")], "2026-11-03") \
        == D("2026-11-12")


def test_young_cp_child_not_in_a_setting_is_seen_by_the_network_every_10_days(
        camden: Policy, england: WorkingCalendar) -> None:
    toddler = child(PlanType.CP, born="2024-03-01", education="none")
    history = [visit("2026-11-02"), visit("2026-11-04", role=Role.HEALTH_VISITOR)]
    rule = "cp-network-under-4-not-in-setting"
    # the health visitor's visit on Wed 4 Nov counts: + 10 days = Sat 14 Nov 2026
    assert due_date(camden, england, rule, toddler, history, "2026-11-05") == D("2026-11-14")
    in_nursery = child(PlanType.CP, born="2024-03-01", education="early_years")
    assert due(camden, england, rule, in_nursery, history, "2026-11-05") is None


def test_older_cp_child_not_in_mainstream_school_is_seen_by_the_core_group_every_10_days(
        camden: Policy, england: WorkingCalendar) -> None:
    older = child(PlanType.CP, born="2018-01-20", education="home")
    history = [visit("2026-11-02"),
               visit("2026-11-06", role=Role.FAMILY_SUPPORT_WORKER, location=Location.ELSEWHERE)]
    rule = "cp-network-older-not-in-mainstream"
    # Fri 6 Nov 2026 + 10 days = Mon 16 Nov 2026
    assert due_date(camden, england, rule, older, history, "2026-11-07") == D("2026-11-16")
    at_school = child(PlanType.CP, born="2018-01-20", education="school")
    assert due(camden, england, rule, at_school, history, "2026-11-07") is None


def test_manager_and_chair_are_told_when_the_network_has_not_seen_the_child_within_10_days(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child(PlanType.CP)
    history = [visit("2026-11-02", role=Role.HEALTH_VISITOR)]
    rule = "cp-notify-not-seen-by-network"
    # seen Mon 2 Nov; the 10 days run to Thu 12 Nov; it fires on Fri 13 Nov
    assert due(camden, england, rule, kid, history, "2026-11-12") is None
    assert due_date(camden, england, rule, kid, history, "2026-11-13") == D("2026-11-13")


def test_manager_and_chair_are_told_when_the_child_has_not_been_seen_alone_within_6_weeks(
        camden: Policy, england: WorkingCalendar) -> None:
    kid = child(PlanType.CP)
    history = [visit("2026-11-02", Outcome.COMPLETED, "seen_alone"), visit("2026-11-12"),
               visit("2026-11-20")]
    rule = "cp-notify-not-seen-alone"
    # last seen alone Mon 2 Nov + 6 weeks = Mon 14 Dec; fires Tue 15 Dec 2026
    assert due(camden, england, rule, kid, history, "2026-12-14") is None
    assert due_date(camden, england, rule, kid, history, "2026-12-15") == D("2026-12-15")
    baby = child(PlanType.CP, born="2025-06-01")
    assert due(camden, england, rule, baby, history, "2026-12-15") is None

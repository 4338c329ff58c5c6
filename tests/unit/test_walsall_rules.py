"""Every Walsall rule with a schedule effect, on concrete dates.

Walsall's chapter covers child protection plans only.  Dates are worked out by
hand; working days skip England's bank holidays (Christmas 2026: Fri 25 Dec,
Mon 28 Dec, Fri 1 Jan 2027).  The day of the last visit is day 0 and every
deadline is inclusive.
"""

from __future__ import annotations

from typing import Any

import pytest
import rulekit
from rulekit import D, due, due_date, ids_not_quoted_in, schedule_rule_ids, visit

from visitplanner.core.model import Child, Location, Outcome, PlanType, Role
from visitplanner.core.policy import Policy, child_problems
from visitplanner.core.rules import Context, deadlines
from visitplanner.core.workdays import WorkingCalendar


def child(**details: Any) -> Child:
    """A Walsall child: Walsall's rules are for child protection plans only."""
    return rulekit.child("WAL", PlanType.CP, **details)


def test_every_walsall_schedule_rule_is_exercised_by_a_test_in_this_file(
        walsall: Policy) -> None:
    schedule_ids = schedule_rule_ids(walsall)
    assert ids_not_quoted_in(__file__, schedule_ids) == []
    assert len(schedule_ids) == 14


def test_walsall_rules_apply_to_child_protection_plans_only(
        walsall: Policy, england: WorkingCalendar) -> None:
    cin = rulekit.child("WAL", PlanType.CIN)
    assert deadlines(Context(walsall, england), cin, (visit("2026-11-02"),), D("2026-11-03")) \
        == ()


# ---------------------------------------------------------------- cadence


def test_cp_child_is_visited_at_home_at_least_every_two_weeks(
        walsall: Policy, england: WorkingCalendar) -> None:
    # Mon 2 Nov 2026 + 2 weeks = Mon 16 Nov 2026
    assert due_date(walsall, england, "cp-cadence", child(), [visit("2026-11-02")],
                    "2026-11-03") == D("2026-11-16")


def test_a_visit_where_the_child_is_not_seen_is_not_a_statutory_visit(
        walsall: Policy, england: WorkingCalendar) -> None:
    history = [visit("2026-11-02"), visit("2026-11-12", Outcome.NOT_SEEN)]
    assert due_date(walsall, england, "cp-cadence", child(), history, "2026-11-12") \
        == D("2026-11-16")


def test_visits_away_from_home_or_by_non_social_workers_do_not_count_toward_cadence(
        walsall: Policy, england: WorkingCalendar) -> None:
    history = [visit("2026-11-02"), visit("2026-11-10", location=Location.ELSEWHERE),
               visit("2026-11-12", role=Role.FAMILY_SUPPORT_WORKER)]
    assert due_date(walsall, england, "cp-cadence", child(), history, "2026-11-12") \
        == D("2026-11-16")


def test_child_protection_plan_may_require_more_frequent_visits_but_not_fewer(
        walsall: Policy, england: WorkingCalendar) -> None:
    weekly = child(visit_frequency_days=7)
    assert due_date(walsall, england, "cp-cadence", weekly, [visit("2026-11-02")],
                    "2026-11-03") == D("2026-11-09")
    assert child_problems(walsall, weekly) == []
    three_weekly = child(visit_frequency_days=21)
    assert child_problems(walsall, three_weekly) == [(
        "visit_frequency_days", "21 days is looser than rule cp-cadence (at least every 2 weeks)",
        "use 14 or fewer days; a plan may only tighten the policy")]


# ---------------------------------------------------------------- checks


@pytest.mark.parametrize(("rule", "check"), [("cp-seen-alone", "seen_alone"),
                                             ("cp-living-arrangements", "living_arrangements")])
def test_child_is_seen_alone_and_living_arrangements_seen_at_every_visit(
        walsall: Policy, england: WorkingCalendar, rule: str, check: str) -> None:
    baby = child(born="2026-01-15")  # Walsall sets no age limit on seeing the child alone
    history = [visit("2026-11-02", Outcome.COMPLETED, check)]
    owed = due(walsall, england, rule, baby, history, "2026-11-03")
    assert owed is not None
    assert (owed.at_next_visit, owed.due, owed.check) == (True, None, check)


def test_bedroom_is_seen_at_least_once_between_each_conference(
        walsall: Policy, england: WorkingCalendar) -> None:
    kid = child(conference_dates=(D("2026-11-02"), D("2027-01-27")))
    rule = "cp-bedroom-between-conferences"
    # not seen since Mon 2 Nov: due the day before the review on Wed 27 Jan 2027
    assert due_date(walsall, england, rule, kid, [visit("2026-11-09")], "2026-11-10") \
        == D("2027-01-26")
    seen = [visit("2026-11-09", Outcome.COMPLETED, "bedroom")]
    assert due(walsall, england, rule, kid, seen, "2026-11-10") is None
    # once the review has passed the next period starts: due before the next conference
    later = child(conference_dates=(D("2026-11-02"), D("2027-01-27"), D("2027-07-28")))
    assert due_date(walsall, england, rule, later, seen, "2027-01-28") == D("2027-07-27")


@pytest.mark.parametrize(("rule", "check"), [("cp-neglect-bedroom", "bedroom"),
                                             ("cp-neglect-kitchen", "kitchen"),
                                             ("cp-neglect-bathroom", "bathroom")])
def test_neglect_means_bedroom_kitchen_and_bathroom_are_seen_at_every_visit(
        walsall: Policy, england: WorkingCalendar, rule: str, check: str) -> None:
    history = [visit("2026-11-02", Outcome.COMPLETED, "bedroom", "kitchen", "bathroom")]
    neglect = child(categories=frozenset({"neglect", "emotional"}))
    owed = due(walsall, england, rule, neglect, history, "2026-11-03")
    assert owed is not None
    assert (owed.at_next_visit, owed.check) == (True, check)
    physical = child(categories=frozenset({"physical"}))
    assert due(walsall, england, rule, physical, history, "2026-11-03") is None


# ---------------------------------------------------------------- quotas


def test_at_least_one_unannounced_visit_in_any_6_weeks(
        walsall: Policy, england: WorkingCalendar) -> None:
    kid = child(plan_start="2026-10-05")
    history = [visit("2026-10-19"), visit("2026-11-02", announced=False), visit("2026-11-16")]
    # last unannounced Mon 2 Nov 2026 + 6 weeks = Mon 14 Dec 2026
    assert due_date(walsall, england, "cp-unannounced", kid, history, "2026-11-17") \
        == D("2026-12-14")
    # none yet: plan start Mon 5 Oct + 6 weeks = Mon 16 Nov 2026
    announced = [visit("2026-10-19"), visit("2026-11-02")]
    assert due_date(walsall, england, "cp-unannounced", kid, announced, "2026-11-03") \
        == D("2026-11-16")


def test_visits_away_from_home_take_place_up_to_once_a_month(
        walsall: Policy, england: WorkingCalendar) -> None:
    rule = "cp-seen-away-from-home"
    history = [visit("2026-11-02"), visit("2026-11-10", location=Location.ELSEWHERE)]
    limit = due(walsall, england, rule, child(), history, "2026-11-20")
    assert limit is not None
    # the month from Tue 10 Nov runs to Thu 10 Dec: the next is allowed from Fri 11 Dec
    assert (limit.action, limit.due) == ("limit", D("2026-12-11"))
    assert due(walsall, england, rule, child(), history, "2026-12-11") is None
    assert due(walsall, england, rule, child(), [visit("2026-11-02")], "2026-11-20") is None


# ---------------------------------------------------------------- child not seen


def test_child_not_seen_is_discussed_with_the_team_manager_within_24_hours(
        walsall: Policy, england: WorkingCalendar) -> None:
    history = [visit("2026-11-02"), visit("2026-11-05", Outcome.NOT_SEEN, clock="16:00")]
    told = due(walsall, england, "cp-discuss-not-seen", child(), history, "2026-11-05")
    assert told is not None
    # Thu 5 Nov 16:00 + 24 hours = Fri 6 Nov 16:00
    assert (told.action, told.due) == ("notify", D("2026-11-06"))
    assert told.what.startswith("tell the team manager")


def test_no_access_counts_as_a_home_visit_where_the_child_is_not_seen(
        walsall: Policy, england: WorkingCalendar) -> None:
    history = [visit("2026-11-02"), visit("2026-11-05", Outcome.NO_ACCESS)]
    assert due_date(walsall, england, "cp-discuss-not-seen", child(), history, "2026-11-05") \
        == D("2026-11-06")


def test_further_visit_within_5_working_days_after_the_child_is_not_seen(
        walsall: Policy, england: WorkingCalendar) -> None:
    # From Mon 21 Dec 2026: Tue 22 (1), Wed 23 (2), Thu 24 (3), [Fri 25, Sat, Sun,
    # Mon 28 off], Tue 29 (4), Wed 30 Dec 2026 (5)
    history = [visit("2026-12-14"), visit("2026-12-21", Outcome.NOT_SEEN)]
    assert due_date(walsall, england, "cp-further-visit-after-not-seen", child(), history,
                    "2026-12-21") == D("2026-12-30")


def test_child_still_not_seen_means_a_visit_within_24_hours_of_the_last(
        walsall: Policy, england: WorkingCalendar) -> None:
    history = [visit("2026-11-02"), visit("2026-11-05", Outcome.NOT_SEEN),
               visit("2026-11-06", Outcome.NO_ACCESS, clock="14:30")]
    rule = "cp-visit-within-24-hours-after-second"
    # Fri 6 Nov 14:30 + 24 hours = Sat 7 Nov 14:30
    assert due_date(walsall, england, rule, child(), history, "2026-11-06") == D("2026-11-07")
    # the first-failure rule still runs from the latest failure: Fri 6 Nov + 5 WD = Fri 13 Nov
    assert due_date(walsall, england, "cp-further-visit-after-not-seen", child(), history,
                    "2026-11-06") == D("2026-11-13")
    assert due(walsall, england, rule, child(), history[:2], "2026-11-05") is None


def test_24_hours_count_real_hours_across_the_clock_change(
        walsall: Policy, england: WorkingCalendar) -> None:
    # Clocks go back at 02:00 BST on Sun 25 Oct 2026.  From 00:30 BST that Sunday,
    # 24 real hours end at 23:30 GMT the same Sunday, not at 00:30 on Monday.
    history = [visit("2026-10-12"), visit("2026-10-25", Outcome.NOT_SEEN, clock="00:30")]
    assert due_date(walsall, england, "cp-discuss-not-seen", child(), history,
                    "2026-10-25") == D("2026-10-25")


def test_child_still_not_seen_after_the_further_visit_is_discussed_with_the_practice_manager(
        walsall: Policy, england: WorkingCalendar) -> None:
    one = [visit("2026-11-02"), visit("2026-11-05", Outcome.NOT_SEEN)]
    two = [*one, visit("2026-11-10", Outcome.NOT_SEEN, clock="11:00")]
    rule = "cp-still-not-seen-escalate"
    assert due(walsall, england, rule, child(), one, "2026-11-05") is None
    told = due(walsall, england, rule, child(), two, "2026-11-10")
    assert told is not None
    assert (told.due, told.what) == (D("2026-11-11"),
                                     "tell the practice manager: 2 failed visit(s) in a row")


def test_a_visit_away_from_home_neither_breaks_nor_extends_a_not_seen_streak(
        walsall: Policy, england: WorkingCalendar) -> None:
    history = [visit("2026-11-02"), visit("2026-11-05", Outcome.NOT_SEEN),
               visit("2026-11-06", location=Location.ELSEWHERE),
               visit("2026-11-09", Outcome.NO_ACCESS)]
    assert due_date(walsall, england, "cp-still-not-seen-escalate", child(), history,
                    "2026-11-09") == D("2026-11-10")


def test_team_manager_contacts_the_family_within_3_working_days_after_2_weeks_unseen(
        walsall: Policy, england: WorkingCalendar) -> None:
    rule = "cp-manager-contact-after-two-weeks"
    history = [visit("2026-11-02"), visit("2026-11-12", role=Role.HEALTH_VISITOR)]
    # seen by the social worker Mon 2 Nov; 2 weeks run to Mon 16 Nov; fires Tue 17 Nov;
    # + 3 working days: Wed 18 (1), Thu 19 (2), Fri 20 Nov 2026 (3)
    assert due(walsall, england, rule, child(), history, "2026-11-16") is None
    contact = due(walsall, england, rule, child(), history, "2026-11-17")
    assert contact is not None
    assert (contact.action, contact.anchor, contact.due) == (
        "notify", D("2026-11-17"), D("2026-11-20"))


def test_being_seen_by_the_social_worker_away_from_home_stops_the_two_week_alarm(
        walsall: Policy, england: WorkingCalendar) -> None:
    history = [visit("2026-11-02"), visit("2026-11-12", location=Location.ELSEWHERE)]
    rule = "cp-manager-contact-after-two-weeks"
    assert due(walsall, england, rule, child(), history, "2026-11-20") is None

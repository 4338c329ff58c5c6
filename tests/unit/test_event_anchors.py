"""Issue 14, shape 8: more anchors.  A first_visit rule may count from the birth, the first
(initial) or a later (review) conference, or any event of the case the policy declares
(``[policy] events``) and the workspace records (events.csv): a strategy discussion, the
end of a section 47 enquiry, a placement.  An event that comes again owes a visit after each;
a booked event still to come is planned for from its own day.

Working days in England, the event day is day 0.  Christmas 2026: Fri 25 Dec and Mon 28 Dec
are bank holidays, and so is Fri 1 Jan 2027.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from planner_checks import seen, worker
from rulekit import D, child, due, visit

from visitplanner.core.model import ChildEvent, PlanType
from visitplanner.core.planning import PlanRequest, plan
from visitplanner.core.policy import Policy, parse_policy
from visitplanner.core.policy.describe import describe_rule
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.errors import InputError, PolicyError
from visitplanner.inputs.workspace import load_workspace

ENGLAND = WorkingCalendar("ENG")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

POLICY = """
[policy]
id = "anchorville"
name = "Anchorville: visits"
days = "working_days"
events = ["strategy_discussion", "placement"]
documents = { manual = "Anchorville visiting manual" }

[[rules]]
id = "cp-after-review"
kind = "first_visit"
plans = ["CP"]
event = "review_conference"
within = "10 days"
source = { document = "manual", section = "1", quote = "Seen after each review." }

[[rules]]
id = "s47-after-strategy"
kind = "first_visit"
plans = ["S47"]
event = "strategy_discussion"
within = "1 days"
source = { document = "manual", section = "2", quote = "Seen the next day." }

[[rules]]
id = "cp-new-baby"
kind = "first_visit"
plans = ["CP"]
event = "birth"
within = "7 calendar_days"
source = { document = "manual", section = "3", quote = "Seen within 7 days." }

[[rules]]
id = "cin-after-placement"
kind = "first_visit"
plans = ["CIN"]
event = "placement"
within = "5 days"
source = { document = "manual", section = "4", quote = "Seen after a move." }
"""


@pytest.fixture(scope="module")
def anchorville() -> Policy:
    return parse_policy(POLICY, "anchorville.toml")


def test_a_review_conference_owes_a_visit_within_ten_working_days_over_christmas(
        anchorville: Policy) -> None:
    kid = child("AN", PlanType.CP, conference_dates=(D("2026-09-01"), D("2026-12-17")))
    found = due(anchorville, ENGLAND, "cp-after-review", kid, [visit("2026-12-14")],
                "2026-12-18")
    # From Thu 17 Dec: 18, 21, 22, 23, 24 Dec (5), 29, 30, 31 Dec (8), Mon 4 Jan (9), Tue 5 (10).
    assert found is not None and (found.due, found.anchor) == (D("2027-01-05"), D("2026-12-17"))


def test_the_initial_conference_is_no_review(anchorville: Policy) -> None:
    kid = child("AN", PlanType.CP, conference_dates=(D("2026-12-17"),))
    assert due(anchorville, ENGLAND, "cp-after-review", kid, [visit("2026-12-14")],
               "2026-12-18") is None


def test_a_visit_on_or_after_the_event_meets_it(anchorville: Policy) -> None:
    kid = child("AN", PlanType.CP, conference_dates=(D("2026-09-01"), D("2026-12-17")))
    assert due(anchorville, ENGLAND, "cp-after-review", kid, [visit("2026-12-17")],
               "2026-12-18") is None


def test_the_strategy_discussion_from_events_csv_owes_a_visit_the_next_working_day(
        anchorville: Policy) -> None:
    kid = child("AN", PlanType.S47, events=(ChildEvent("strategy_discussion", D("2026-12-24")),))
    found = due(anchorville, ENGLAND, "s47-after-strategy", kid, [visit("2026-12-21")],
                "2026-12-24")
    # Thu 24 Dec is day 0; Fri 25 and Mon 28 are bank holidays: Tue 29 Dec.
    assert found is not None and found.due == D("2026-12-29")


def test_a_new_baby_is_seen_within_seven_days_of_birth(anchorville: Policy) -> None:
    kid = child("AN", PlanType.CP, born="2026-12-07")
    found = due(anchorville, ENGLAND, "cp-new-baby", kid, [visit("2026-12-01")], "2026-12-08")
    assert found is not None and found.due == D("2026-12-14")


def test_each_placement_owes_its_own_visit(anchorville: Policy) -> None:
    kid = child("AN", PlanType.CIN, events=(ChildEvent("placement", D("2026-11-02")),
                                             ChildEvent("placement", D("2026-11-16"))))
    first = due(anchorville, ENGLAND, "cin-after-placement", kid, [], "2026-11-02")
    second = due(anchorville, ENGLAND, "cin-after-placement", kid, [visit("2026-11-04")],
                 "2026-11-05")
    # 5 working days from Mon 2 Nov: Mon 9 Nov; from Mon 16 Nov: Mon 23 Nov.
    assert first is not None and first.due == D("2026-11-09")
    assert second is not None and second.due == D("2026-11-23")


def test_the_planner_waits_for_a_booked_review_conference(anchorville: Policy) -> None:
    kid = child("AN", PlanType.CP, allocated_worker="sw.a", plan_start="2026-09-01",
                conference_dates=(D("2026-09-01"), D("2027-01-14")))
    schedule = plan(PlanRequest(anchorville, ENGLAND, (kid,), (worker("sw.a"),), (),
                                (seen(kid.case_ref, date(2027, 1, 4)),), date(2027, 1, 5), 4,
                                seed=1))
    served = [v for v in schedule.visits if "cp-after-review" in v.rule_ids]
    # Booked for Thu 14 Jan: the visit comes on or after it, by 28 Jan (10 working days).
    assert served and date(2027, 1, 14) <= served[0].day <= date(2027, 1, 28)
    assert schedule.shortfalls == ()


def test_a_rule_may_count_only_from_a_known_event() -> None:
    with pytest.raises(PolicyError) as raised:
        parse_policy(POLICY.replace('event = "placement"', 'event = "placment"'), "a.toml")
    (problem,) = raised.value.problems
    assert problem.where == "a.toml, rules[3] (cin-after-placement).event"
    assert "unknown event 'placment'" in problem.what and "placement" in problem.fix


def test_the_policy_may_not_redeclare_a_built_in_event() -> None:
    with pytest.raises(PolicyError) as raised:
        parse_policy(POLICY.replace('events = ["strategy_discussion", "placement"]',
                                    'events = ["strategy_discussion", "placement", "birth"]'),
                     "a.toml")
    assert any(p.where == "a.toml, key policy.events" and "birth is built in" in p.what
               for p in raised.value.problems)


def test_policy_show_names_the_event(anchorville: Policy) -> None:
    assert "of the strategy discussion" in describe_rule(anchorville,
                                                         anchorville.rule("s47-after-strategy"))


def test_events_csv_is_read_and_an_event_the_policy_lacks_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLES / "camden", root,
                    ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
    (root / "events.csv").write_text("case_ref,event,date,note\n"
                                     "CAM-0001,strategy_discussion,2026-12-03,\n"
                                     "CAM-0001,placement,2026-12-1x,\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_workspace(root)
    wheres = [p.where for p in caught.value.problems]
    # The bad date, then each event Camden's policy does not declare, where first given.
    assert wheres == ["events.csv, row 3, column date", "events.csv, row 3, column event",
                      "events.csv, row 2, column event"]
    assert "'placement' is not one of the policy's events (none)" in \
        caught.value.problems[1].what


def test_one_late_visit_for_two_placements_reports_both_deadlines(anchorville: Policy) -> None:
    kid = child("AN", PlanType.CIN, allocated_worker="sw.a", plan_start="2026-09-01",
                events=(ChildEvent("placement", D("2026-11-23")),
                        ChildEvent("placement", D("2026-11-25"))))
    schedule = plan(PlanRequest(anchorville, ENGLAND, (kid,), (worker("sw.a"),), (),
                                (seen(kid.case_ref, date(2026, 11, 20)),), date(2026, 12, 7), 2,
                                seed=1))
    # 5 working days from Mon 23 Nov: Mon 30 Nov; from Wed 25 Nov: Wed 2 Dec.  Both passed.
    assert sorted(s.deadline for s in schedule.shortfalls
                  if s.rule_id == "cin-after-placement") == [D("2026-11-30"), D("2026-12-02")]

"""Issue 14, shape 5: ratios.  At least a share of the qualifying visits (``of``) meet a
condition (``counts``), over a window or the latest N visits: judged at every visit, a planned
visit at which the share falls short is reported, and a ratio of unannounced visits is kept
by making planned visits unannounced.

Calendar days, the visit day is day 0.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from planner_checks import seen, worker
from rulekit import child, due, visit

from visitplanner.core.history import Fact
from visitplanner.core.model import Location, Outcome, PlanType
from visitplanner.core.planning import PlanRequest, plan
from visitplanner.core.policy import Policy, parse_policy
from visitplanner.core.policy.describe import describe_rule
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.errors import PolicyError

ENGLAND = WorkingCalendar("ENG")

POLICY = """
[policy]
id = "ratioville"
name = "Ratioville: visits"
days = "calendar_days"
documents = { manual = "Ratioville visiting manual" }

[[rules]]
id = "cp-cadence"
kind = "cadence"
plans = ["CP"]
every = "7 days"
source = { document = "manual", section = "1", quote = "Seen at home every week." }

[[rules]]
id = "cp-mostly-at-home"
kind = "ratio"
plans = ["CP"]
share = "1/2"
window = "3 months"
counts = { location = "home" }
source = { document = "manual", section = "2", quote = "At least half the visits are at home." }

[[rules]]
id = "cp-unannounced-share"
kind = "ratio"
plans = ["CP"]
share = "1/3"
last = 3
of = { location = "home", child_seen = "any" }
counts = { location = "home", child_seen = "any", announced = false }
source = { document = "manual", section = "3", quote = "One in three is unannounced." }
"""


@pytest.fixture(scope="module")
def ratioville() -> Policy:
    return parse_policy(POLICY, "ratioville.toml")


def away(day: str) -> Fact:
    return visit(day, Outcome.COMPLETED, location=Location.ELSEWHERE)


def test_a_share_below_the_ratio_is_owed_at_the_next_visit(ratioville: Policy) -> None:
    kid = child("RV", PlanType.CP)
    history = [visit("2026-11-02"), away("2026-11-09"), away("2026-11-16")]
    found = due(ratioville, ENGLAND, "cp-mostly-at-home", kid, history, "2026-11-17")
    # 1 of the 3 visits in the 3 months ending on 16 Nov was at home: 1/3 < 1/2.
    assert found is not None and found.action == "ratio" and found.at_next_visit
    assert "only 1/3" in found.what


def test_the_share_holds_with_half_at_home(ratioville: Policy) -> None:
    kid = child("RV", PlanType.CP)
    history = [visit("2026-11-02"), away("2026-11-09")]
    assert due(ratioville, ENGLAND, "cp-mostly-at-home", kid, history, "2026-11-10") is None


def test_the_window_drops_visits_older_than_it(ratioville: Policy) -> None:
    kid = child("RV", PlanType.CP)
    # The home visit of 1 Aug is more than 3 months before 16 Nov: only the two away visits.
    history = [visit("2026-08-01"), away("2026-11-09"), away("2026-11-16")]
    found = due(ratioville, ENGLAND, "cp-mostly-at-home", kid, history, "2026-11-17")
    assert found is not None and "only 0" in found.what


def test_the_planner_keeps_one_in_three_unannounced(ratioville: Policy) -> None:
    kid = child("RV", PlanType.CP, allocated_worker="sw.a", plan_start="2026-10-01")
    records = tuple(seen(kid.case_ref, day, announced=True)
                    for day in (date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)))
    schedule = plan(PlanRequest(ratioville, ENGLAND, (kid,), (worker("sw.a"),), (), records,
                                date(2026, 12, 1), 6, seed=1))
    announced = [True, True, True, *(v.announced for v in schedule.visits)]
    # Every 3 visits in a row (recorded, then planned) hold one unannounced one.
    assert all(not all(announced[i:i + 3]) for i in range(1, len(announced) - 2))
    assert not [s for s in schedule.shortfalls if s.rule_id == "cp-unannounced-share"]


def test_a_ratio_needs_a_share_between_0_and_1_and_one_span() -> None:
    with pytest.raises(PolicyError) as raised:
        parse_policy(POLICY.replace('share = "1/2"', 'share = "3/2"').replace(
            'last = 3\n', 'last = 3\nwindow = "4 weeks"\n'), "r.toml")
    assert [p.where for p in raised.value.problems] == [
        "r.toml, rules[1] (cp-mostly-at-home).share",
        "r.toml, rules[2] (cp-unannounced-share).window"]


def test_a_share_may_be_a_percentage(ratioville: Policy) -> None:
    text = POLICY.replace('share = "1/2"', 'share = "50%"')
    assert parse_policy(text, "r.toml").rule("cp-mostly-at-home").share == Fraction(1, 2)


def test_policy_show_says_the_share(ratioville: Policy) -> None:
    text = describe_rule(ratioville, ratioville.rule("cp-unannounced-share"))
    assert "at least 1/3 of each visit at home" in text and "the last 3" in text

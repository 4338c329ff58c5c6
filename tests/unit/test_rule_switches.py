"""Issue 14, shape 11: per-child switches with approval.  A rule with a ``switch`` may be
switched off for one child by a plan_values.csv row (value ``off``, from a date, with every
approver in ``approved_by``), and back on by a later ``on`` row; nothing is owed under it
while it is off, for any kind of rule.

Calendar days, the visit day is day 0.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from planner_checks import seen, worker
from rulekit import D, child, due, visit

from visitplanner.core.model import SWITCH_OFF, SWITCH_ON, Child, PlanType, PlanValue
from visitplanner.core.planning import PlanRequest, plan
from visitplanner.core.policy import Policy, parse_policy
from visitplanner.core.policy.describe import describe_rule
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.errors import InputError
from visitplanner.inputs.workspace import load_workspace

ENGLAND = WorkingCalendar("ENG")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

POLICY = """
[policy]
id = "switchville"
name = "Switchville: visits"
days = "calendar_days"
documents = { manual = "Switchville visiting manual" }

[[rules]]
id = "cp-cadence"
kind = "cadence"
plans = ["CP"]
every = "10 days"
source = { document = "manual", section = "1", quote = "Seen at home at least every 10 days." }

[[rules]]
id = "cp-network"
kind = "check"
plans = ["CP"]
check = "network_contact"
every_kth = 1
switch = { approvers = ["conference_chair"] }
source = { document = "manual", section = "2", quote = "Check with the network at each visit." }

[[rules]]
id = "cp-monthly-sighting"
kind = "cadence"
plans = ["CP"]
every = "4 weeks"
counts = { location = "any" }
switch = { approvers = ["conference_chair", "team_manager"] }
source = { document = "manual", section = "3", quote = "A sighting at least every 4 weeks." }
"""

CHAIR = frozenset({"conference_chair"})


@pytest.fixture(scope="module")
def switchville() -> Policy:
    return parse_policy(POLICY, "switchville.toml")


def switch(rule_id: str, value: str, start: str, approved: frozenset[str] = CHAIR) -> PlanValue:
    return PlanValue(rule_id, 0, "days", D(start), "RCPC", approved, value)


def kid(*switches: PlanValue) -> Child:
    return child("SW", PlanType.CP, plan_values=switches)


def test_a_check_switched_off_is_not_owed_from_the_switch_day(switchville: Policy) -> None:
    off = kid(switch("cp-network", SWITCH_OFF, "2026-12-01"))
    history = [visit("2026-11-20")]
    assert due(switchville, ENGLAND, "cp-network", off, history, "2026-11-30") is not None
    assert due(switchville, ENGLAND, "cp-network", off, history, "2026-12-01") is None


def test_a_later_on_row_switches_it_back(switchville: Policy) -> None:
    back = kid(switch("cp-network", SWITCH_OFF, "2026-12-01"),
               switch("cp-network", SWITCH_ON, "2026-12-14", frozenset()))
    history = [visit("2026-11-20")]
    assert due(switchville, ENGLAND, "cp-network", back, history, "2026-12-13") is None
    assert due(switchville, ENGLAND, "cp-network", back, history, "2026-12-14") is not None


def test_a_cadence_switched_off_on_its_deadline_is_owed_again_from_the_day_it_is_back_on(
        switchville: Policy) -> None:
    history = [visit("2026-11-20")]
    # Last seen Fri 20 Nov: the 4 weeks run to Fri 18 Dec.
    assert due(switchville, ENGLAND, "cp-monthly-sighting", kid(), history,
               "2026-11-21").due == D("2026-12-18")  # type: ignore[union-attr]
    both = CHAIR | {"team_manager"}
    off = kid(switch("cp-monthly-sighting", SWITCH_OFF, "2026-12-01", both))
    assert due(switchville, ENGLAND, "cp-monthly-sighting", off, history, "2026-11-21") is None
    back = kid(switch("cp-monthly-sighting", SWITCH_OFF, "2026-12-01", both),
               switch("cp-monthly-sighting", SWITCH_ON, "2027-01-04", frozenset()))
    assert due(switchville, ENGLAND, "cp-monthly-sighting", back, history,
               "2026-11-21").due == D("2027-01-04")  # type: ignore[union-attr]


def test_a_switch_before_the_deadline_day_leaves_an_earlier_deadline_owed(
        switchville: Policy) -> None:
    both = CHAIR | {"team_manager"}
    later = kid(switch("cp-monthly-sighting", SWITCH_OFF, "2026-12-19", both))
    assert due(switchville, ENGLAND, "cp-monthly-sighting", later, [visit("2026-11-20")],
               "2026-11-21").due == D("2026-12-18")  # type: ignore[union-attr]


def test_the_planner_makes_no_switched_off_check(switchville: Policy) -> None:
    the_child = child("SW", PlanType.CP, allocated_worker="sw.a", plan_start="2026-10-01",
                      plan_values=(switch("cp-network", SWITCH_OFF, "2026-12-14"),))
    schedule = plan(PlanRequest(switchville, ENGLAND, (the_child,), (worker("sw.a"),), (),
                                (seen(the_child.case_ref, date(2026, 11, 27)),),
                                date(2026, 11, 30), 4, seed=1))
    checks = [(v.day, v.checks[0].checks) for v in schedule.visits]
    assert any(day < date(2026, 12, 14) for day, _ in checks)
    assert all(("network_contact" in made) == (day < date(2026, 12, 14)) for day, made in checks)


def test_policy_show_says_who_may_switch_the_rule_off(switchville: Policy) -> None:
    assert "switch this off for one child with the agreement of the conference chair" in \
        describe_rule(switchville, switchville.rule("cp-network"))


@pytest.fixture
def camden_ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLES / "camden", root,
                    ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
    return root


def test_a_switch_needs_the_policys_switch_and_its_approvers(camden_ws: Path) -> None:
    policy = camden_ws / "switchville.toml"
    policy.write_text(POLICY, encoding="utf-8")
    settings = camden_ws / "visitplanner.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace('policy = "camden"', 'policy = "switchville.toml"'),
                        encoding="utf-8")
    (camden_ws / "plan_values.csv").write_text(
        "case_ref,rule_id,value,from,set_by,approved_by\n"
        "CAM-0001,cp-network,off,2026-12-01,RCPC,conference_chair\n"
        "CAM-0002,cp-network,OFF,2026-12-01,RCPC,\n"
        "CAM-0003,cp-cadence,off,2026-12-01,RCPC,conference_chair\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_workspace(camden_ws)
    assert [p.render() for p in caught.value.problems] == [
        "plan_values.csv, row 3, column approved_by: switching rule cp-network off needs the "
        "approval of conference_chair (fix: add conference_chair to approved_by once they "
        "have agreed)",
        "plan_values.csv, row 4, column value: rule cp-cadence may not be switched off for a "
        "child: the policy gives it no switch (fix: remove the row, or give the rule a switch "
        "in the policy)"]

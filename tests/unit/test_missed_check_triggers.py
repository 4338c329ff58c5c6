"""Issue 14, shape 7: triggers on a missed check.  A visit where the child was seen but a
required check was not made (visits.csv ``checks_not_made``: not seen alone, bedroom
refused) starts a re-visit (``revisit`` with ``missed``) and tells the manager (trigger
``missed_check``), like a failed visit does; only a visit that makes the check ends it.

Working days in England, the visit day is day 0.  Christmas 2026: Fri 25 Dec and Mon 28 Dec
are bank holidays.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

import pytest
from planner_checks import worker
from rulekit import child, due, visit

from visitplanner.core.history import Fact
from visitplanner.core.model import LONDON, Child, Outcome, PlanType, RecordedVisit
from visitplanner.core.planning import PlanRequest, plan
from visitplanner.core.policy import Policy, parse_policy
from visitplanner.core.policy.describe import describe_rule
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.errors import InputError, PolicyError
from visitplanner.inputs.workspace import load_workspace

ENGLAND = WorkingCalendar("ENG")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "camden"

HEADER = """
[policy]
id = "checksville"
name = "Checksville: visits"
days = "working_days"
documents = { manual = "Checksville visiting manual" }
"""

RULES = """
[[rules]]
id = "cp-cadence"
kind = "cadence"
plans = ["CP"]
every = "10 calendar_days"
source = { document = "manual", section = "1", quote = "Seen at home every 10 days." }

[[rules]]
id = "cp-revisit-not-seen-alone"
kind = "revisit"
plans = ["CP"]
missed = ["seen_alone"]
within = "3 working_days"
source = { document = "manual", section = "2", quote = "Not seen alone: again within 3 days." }

[[rules]]
id = "cp-tell-missed"
kind = "escalation"
plans = ["CP"]
trigger = "missed_check"
missed = ["seen_alone", "bedroom"]
within = "24 hours"
notify = ["team_manager"]
source = { document = "manual", section = "2", quote = "The manager is told within a day." }
"""


@pytest.fixture(scope="module")
def checksville() -> Policy:
    return parse_policy(HEADER + RULES, "checksville.toml")


def kid() -> Child:
    return child("CK", PlanType.CP)


def not_made(day: str, *checks: str) -> Fact:
    """A visit where the child was seen but ``checks`` were recorded as not made."""
    return replace(visit(day), not_made=frozenset(checks))


def test_a_visit_where_the_child_was_not_seen_alone_calls_for_a_re_visit(
        checksville: Policy) -> None:
    found = due(checksville, ENGLAND, "cp-revisit-not-seen-alone", kid(),
                [not_made("2026-12-07", "seen_alone")], "2026-12-08")
    # 3 working days from Mon 7 Dec (day 0): Thu 10 Dec.
    assert found is not None and found.due == date(2026, 12, 10)
    assert "(seen_alone not made)" in found.what


def test_the_re_visit_counts_only_when_it_makes_the_missed_check(checksville: Policy) -> None:
    without = visit("2026-12-08")  # the child seen, the check neither made nor refused
    made = visit("2026-12-09", Outcome.COMPLETED, "seen_alone")
    still = due(checksville, ENGLAND, "cp-revisit-not-seen-alone", kid(),
                [not_made("2026-12-07", "seen_alone"), without], "2026-12-08")
    assert still is not None and still.due == date(2026, 12, 10)
    assert due(checksville, ENGLAND, "cp-revisit-not-seen-alone", kid(),
               [not_made("2026-12-07", "seen_alone"), without, made], "2026-12-09") is None


def test_a_check_the_rule_does_not_name_starts_nothing(checksville: Policy) -> None:
    assert due(checksville, ENGLAND, "cp-revisit-not-seen-alone", kid(),
               [not_made("2026-12-07", "bedroom")], "2026-12-08") is None


def test_the_re_visit_steps_over_the_christmas_bank_holidays(checksville: Policy) -> None:
    found = due(checksville, ENGLAND, "cp-revisit-not-seen-alone", kid(),
                [not_made("2026-12-23", "seen_alone")], "2026-12-23")
    # From Wed 23 Dec: Thu 24 (1), Tue 29 (2; Fri 25 and Mon 28 are bank holidays), Wed 30 (3).
    assert found is not None and found.due == date(2026, 12, 30)


def test_the_manager_is_told_within_24_hours_of_a_missed_check(checksville: Policy) -> None:
    found = due(checksville, ENGLAND, "cp-tell-missed", kid(),
                [not_made("2026-12-07", "bedroom")], "2026-12-07")
    # Fired at the visit, Mon 7 Dec 10:00; 24 hours run out on Tue 8 Dec.
    assert found is not None and (found.action, found.due) == ("notify", date(2026, 12, 8))
    assert "bedroom not made at the visit on 2026-12-07" in found.what
    assert due(checksville, ENGLAND, "cp-tell-missed", kid(), [visit("2026-12-07")],
               "2026-12-07") is None


def test_the_planner_plans_the_re_visit_in_time_and_makes_the_check(checksville: Policy) -> None:
    the_child = child("CK", PlanType.CP, allocated_worker="sw.a", plan_start="2026-10-01")
    record = RecordedVisit("R1", the_child.case_ref,
                           datetime.combine(date(2026, 12, 7), time(10), tzinfo=LONDON), "sw.a",
                           not_made=frozenset({"seen_alone"}))
    schedule = plan(PlanRequest(checksville, ENGLAND, (the_child,), (worker("sw.a"),), (),
                                (record,), date(2026, 12, 8), 2, seed=1))
    first = schedule.visits[0]
    assert first.day <= date(2026, 12, 10)
    assert "cp-revisit-not-seen-alone" in first.rule_ids
    assert "seen_alone" in first.checks[0].checks
    assert [e.rule_id for e in schedule.escalations] == ["cp-tell-missed"]


def test_a_revisit_needs_failed_outcomes_or_missed_checks() -> None:
    text = HEADER + RULES.replace('missed = ["seen_alone"]\nwithin = "3 working_days"',
                                  'within = "3 working_days"')
    with pytest.raises(PolicyError) as raised:
        parse_policy(text, "checksville.toml")
    (problem,) = raised.value.problems
    assert problem.where == "checksville.toml, rules[1] (cp-revisit-not-seen-alone).after"
    assert "missed" in problem.fix


def test_a_missed_check_trigger_needs_its_checks() -> None:
    text = HEADER + RULES.replace('missed = ["seen_alone", "bedroom"]\n', "")
    with pytest.raises(PolicyError) as raised:
        parse_policy(text, "checksville.toml")
    (problem,) = raised.value.problems
    assert problem.where == "checksville.toml, rules[2] (cp-tell-missed).missed"


def test_policy_show_says_what_starts_the_re_visit_and_the_escalation(
        checksville: Policy) -> None:
    revisit = describe_rule(checksville, checksville.rule("cp-revisit-not-seen-alone"))
    assert "seen_alone not made" in revisit and "making seen_alone" in revisit
    tell = describe_rule(checksville, checksville.rule("cp-tell-missed"))
    assert "a visit where bedroom or seen_alone was not made" in tell


def test_visits_csv_records_the_checks_not_made_for_each_child_seen(tmp_path: Path) -> None:
    workspace = tmp_path / "camden"
    shutil.copytree(EXAMPLE, workspace, ignore=shutil.ignore_patterns(".visitplanner"))
    sheet = workspace / "visits.csv"
    lines = sheet.read_text(encoding="utf-8").splitlines()
    lines[0] += ",checks_not_made"
    lines[1:] = [line + (",seen_alone;Bedroom" if n == 0 else ",") for n, line in
                 enumerate(lines[1:])]
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first_id = lines[1].split(",")[0]
    records = [v for v in load_workspace(workspace).visits if v.visit_id == first_id]
    assert records and all(v.not_made == ({"seen_alone", "bedroom"} - v.checks)
                           for v in records if v.outcome is Outcome.COMPLETED)
    lines[1] = lines[1].removesuffix(",seen_alone;Bedroom") + ",not alone"
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_workspace(workspace)
    (problem,) = raised.value.problems
    assert problem.where == "visits.csv, row 2, column checks_not_made"

"""Issue 14, shape 6: statutory and other visits.  A visit has a type (visits.csv
``visit_type``, "statutory" when blank); the policy declares the types it knows
(``[policy] visit_types``); a rule counts only statutory visits unless its ``counts.types``
names others, so extra visits never stand in for statutory ones.

The child was seen on a statutory visit on Mon 2 Nov 2026 and had direct work at home on
Mon 9 Nov; calendar days, the visit day is day 0.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

import pytest
from planner_checks import worker
from rulekit import child, due_date, visit

from visitplanner.core.history import Fact
from visitplanner.core.model import LONDON, Child, PlanType, RecordedVisit
from visitplanner.core.planning import PlanRequest, plan
from visitplanner.core.policy import Policy, parse_policy
from visitplanner.core.policy.describe import describe_rule
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.errors import InputError, PolicyError
from visitplanner.inputs.workspace import load_workspace

ENGLAND = WorkingCalendar("ENG")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "camden"

POLICY = """
[policy]
id = "typesville"
name = "Typesville: visits"
days = "calendar_days"
visit_types = ["statutory", "direct_work"]
documents = { manual = "Typesville visiting manual" }

[[rules]]
id = "cp-cadence"
kind = "cadence"
plans = ["CP"]
every = "10 days"
source = { document = "manual", section = "1", quote = "Seen at home at least every 10 days." }

[[rules]]
id = "cp-direct-work"
kind = "cadence"
plans = ["CP"]
every = "4 weeks"
counts = { location = "home", types = ["direct_work"] }
source = { document = "manual", section = "2", quote = "Direct work at least every 4 weeks." }
"""


@pytest.fixture(scope="module")
def typesville() -> Policy:
    return parse_policy(POLICY, "typesville.toml")


def kid() -> Child:
    return child("TY", PlanType.CP)


def direct_work(day: str) -> Fact:
    return replace(visit(day), visit_type="direct_work")


def test_a_direct_work_visit_does_not_reset_the_statutory_cadence(typesville: Policy) -> None:
    history = [visit("2026-11-02"), direct_work("2026-11-09")]
    # 10 days from the statutory visit of Mon 2 Nov: Thu 12 Nov (not 19 Nov from 9 Nov).
    assert due_date(typesville, ENGLAND, "cp-cadence", kid(), history, "2026-11-10") == \
        date(2026, 11, 12)


def test_a_rule_that_names_direct_work_counts_it_and_only_it(typesville: Policy) -> None:
    history = [direct_work("2026-11-09"), visit("2026-11-16")]
    # 4 weeks from the direct work of Mon 9 Nov: Mon 7 Dec; the statutory visit of 16 Nov
    # does not count toward the direct-work rule.
    assert due_date(typesville, ENGLAND, "cp-direct-work", kid(), history, "2026-11-17") == \
        date(2026, 12, 7)


def test_the_planner_plans_the_statutory_visit_from_the_last_statutory_one(
        typesville: Policy) -> None:
    the_child = child("TY", PlanType.CP, allocated_worker="sw.a", conference_dates=(
        date(2026, 11, 2),), plan_start="2026-10-01")
    records = tuple(RecordedVisit(f"R{n}", the_child.case_ref,
                                  datetime.combine(day, time(10), tzinfo=LONDON), "sw.a",
                                  visit_type=kind)
                    for n, (day, kind) in enumerate([(date(2026, 11, 2), "statutory"),
                                                     (date(2026, 11, 9), "direct_work")]))
    schedule = plan(PlanRequest(typesville, ENGLAND, (the_child,), (worker("sw.a"),), (),
                                records, date(2026, 11, 10), 2, seed=1))
    first = schedule.visits[0]
    # Due Thu 12 Nov (10 days from 2 Nov): the direct work of 9 Nov does not push it on.
    assert first.day <= date(2026, 11, 12) and first.due_by == date(2026, 11, 12)


def test_a_rule_may_count_only_the_types_the_policy_declares() -> None:
    text = POLICY.replace('types = ["direct_work"]', 'types = ["core_group"]')
    with pytest.raises(PolicyError) as raised:
        parse_policy(text, "typesville.toml")
    (problem,) = raised.value.problems
    assert problem.where == "typesville.toml, rules[1] (cp-direct-work).counts.types"
    assert "'core_group' not in [policy] visit_types (statutory, direct_work)" in problem.what
    assert "add it to visit_types" in problem.fix


def test_statutory_is_always_a_visit_type_and_comes_first() -> None:
    text = POLICY.replace('visit_types = ["statutory", "direct_work"]',
                          'visit_types = ["direct_work"]')
    assert parse_policy(text, "typesville.toml").visit_types == ("statutory", "direct_work")


def test_a_visit_type_must_be_a_lower_case_word() -> None:
    text = POLICY.replace('visit_types = ["statutory", "direct_work"]',
                          'visit_types = ["Direct Work"]')
    with pytest.raises(PolicyError) as raised:
        parse_policy(text, "typesville.toml")
    assert any(p.where == "typesville.toml, key policy.visit_types"
               and "'Direct Work' is not a visit type" in p.what for p in raised.value.problems)


def test_policy_show_names_the_types_a_rule_counts(typesville: Policy) -> None:
    assert "of type direct_work" in describe_rule(typesville, typesville.rule("cp-direct-work"))
    assert "of type" not in describe_rule(typesville, typesville.rule("cp-cadence"))


def test_visits_csv_refuses_a_type_the_policy_does_not_declare(tmp_path: Path) -> None:
    workspace = tmp_path / "camden"
    shutil.copytree(EXAMPLE, workspace, ignore=shutil.ignore_patterns(".visitplanner"))
    sheet = workspace / "visits.csv"
    lines = sheet.read_text(encoding="utf-8").splitlines()
    lines[0] += ",visit_type"
    lines[1:] = [line + ("," if n else ",direct_work") for n, line in enumerate(lines[1:])]
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_workspace(workspace)
    (problem,) = raised.value.problems
    assert problem.where == "visits.csv, row 2, column visit_type"
    assert "'direct_work' is not one of the policy's visit_types (statutory)" in problem.what
    assert "visit_types in the policy's [policy] table" in problem.fix


def test_visits_csv_without_the_column_gives_statutory_visits() -> None:
    assert {v.visit_type for v in load_workspace(EXAMPLE).visits} == {"statutory"}


def test_a_rule_only_direct_work_meets_is_reported_not_planned_visit_after_visit(
        typesville: Policy) -> None:
    the_child = child("TY", PlanType.CP, allocated_worker="sw.a", conference_dates=(
        date(2026, 11, 2),), plan_start="2026-10-01")
    records = tuple(RecordedVisit(f"R{n}", the_child.case_ref,
                                  datetime.combine(day, time(10), tzinfo=LONDON), "sw.a",
                                  visit_type=kind)
                    for n, (day, kind) in enumerate([(date(2026, 11, 2), "statutory"),
                                                     (date(2026, 11, 9), "direct_work")]))
    schedule = plan(PlanRequest(typesville, ENGLAND, (the_child,), (worker("sw.a"),), (),
                                records, date(2026, 11, 10), 6, seed=1))
    # The planned (statutory) visits keep the 10-day cadence only: 6 weeks, about 5 visits.
    assert 3 <= len(schedule.visits) <= 6
    # Direct work was due 4 weeks after Mon 9 Nov: Mon 7 Dec, and no planned visit meets it.
    (short,) = [s for s in schedule.shortfalls if s.rule_id == "cp-direct-work"]
    assert (short.deadline, short.planned_on) == (date(2026, 12, 7), None)
    assert "no planned visit counts toward it" in short.reason

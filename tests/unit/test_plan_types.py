"""Issue 14, shape 10: plan types and services as data.  A policy declares its plan types
(``[policy] plan_types``: early help, a disabled children's team's child in need plans) instead
of a fixed CIN/S47/CP list, and a rule's condition may name the team or service the case is
with (``when.services``; children.csv ``service``).

Calendar days, the visit day is day 0.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rulekit import D, child, due, visit

from visitplanner.core.policy import Policy, parse_policy
from visitplanner.core.policy.describe import describe_rule
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.errors import InputError, PolicyError
from visitplanner.inputs.workspace import load_workspace

ENGLAND = WorkingCalendar("ENG")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

POLICY = """
[policy]
id = "planville"
name = "Planville: visits"
days = "calendar_days"
plan_types = ["CIN", "CP", "EH", "DCT-CIN"]
documents = { manual = "Planville visiting manual" }

[[rules]]
id = "eh-cadence"
kind = "cadence"
plans = ["EH"]
every = "6 weeks"
source = { document = "manual", section = "1", quote = "Early help: seen every 6 weeks." }

[[rules]]
id = "dct-cadence"
kind = "cadence"
plans = ["DCT-CIN"]
every = "12 weeks"
when = { services = ["disabled_children"] }
source = { document = "manual", section = "2", quote = "Seen every 12 weeks by the team." }

[[rules]]
id = "all-record"
kind = "recording"
headings = ["purpose of visit"]
source = { document = "manual", section = "3", quote = "Record every visit." }
"""


@pytest.fixture(scope="module")
def planville() -> Policy:
    return parse_policy(POLICY, "planville.toml")


def test_an_early_help_child_gets_the_early_help_cadence(planville: Policy) -> None:
    kid = child("PV", "EH")  # type: ignore[arg-type]
    found = due(planville, ENGLAND, "eh-cadence", kid, [visit("2026-11-02")], "2026-11-03")
    # 6 weeks from Mon 2 Nov: Mon 14 Dec.
    assert found is not None and found.due == D("2026-12-14")
    assert due(planville, ENGLAND, "dct-cadence", kid, [visit("2026-11-02")],
               "2026-11-03") is None


def test_a_rule_for_a_service_applies_only_to_cases_with_it(planville: Policy) -> None:
    with_team = child("PV", "DCT-CIN", service="disabled_children")  # type: ignore[arg-type]
    elsewhere = child("PV", "DCT-CIN", service="locality")  # type: ignore[arg-type]
    found = due(planville, ENGLAND, "dct-cadence", with_team, [visit("2026-11-02")],
                "2026-11-03")
    # 12 weeks from Mon 2 Nov: Mon 25 Jan 2027.
    assert found is not None and found.due == D("2027-01-25")
    assert due(planville, ENGLAND, "dct-cadence", elsewhere, [visit("2026-11-02")],
               "2026-11-03") is None


def test_a_rule_with_no_plans_covers_every_declared_plan_type(planville: Policy) -> None:
    assert planville.rule("all-record").plans == {"CIN", "CP", "EH", "DCT-CIN"}
    assert planville.plan_types == ("CIN", "CP", "EH", "DCT-CIN")


def test_a_rule_may_name_only_declared_plan_types() -> None:
    with pytest.raises(PolicyError) as raised:
        parse_policy(POLICY.replace('plans = ["EH"]', 'plans = ["S47"]'), "p.toml")
    (problem,) = raised.value.problems
    assert problem.where == "p.toml, rules[0] (eh-cadence).plans"
    assert "'S47': not a plan type of the policy (plan_types: CIN, CP, EH, DCT-CIN)" in \
        problem.what


def test_the_duty_table_may_name_only_declared_plan_types() -> None:
    duty = ('\n[policy.duty]\nplans = ["S47"]\n'
            'source = { document = "manual", section = "4", quote = "Duty visits." }\n')
    text = POLICY.replace("\n[[rules]]", duty + "\n[[rules]]", 1)
    with pytest.raises(PolicyError) as raised:
        parse_policy(text, "p.toml")
    assert [p.where for p in raised.value.problems] == ["p.toml, key policy.duty.plans"]


def test_policy_show_names_the_service(planville: Policy) -> None:
    assert "DCT-CIN plans" in describe_rule(planville, planville.rule("dct-cadence"))


@pytest.fixture
def planville_ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLES / "camden", root,
                    ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
    (root / "planville.toml").write_text(POLICY, encoding="utf-8")
    settings = root / "visitplanner.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        'policy = "camden"', 'policy = "planville.toml"'), encoding="utf-8")
    return root


def rewrite_plan_types(root: Path, new: str) -> None:
    sheet = root / "children.csv"
    lines = sheet.read_text(encoding="utf-8").splitlines()
    column = lines[0].split(",").index("plan_type")
    rows = [line.split(",") for line in lines[1:]]
    for cells in rows:
        cells[column] = new
    sheet.write_text("\n".join([lines[0], *(",".join(c) for c in rows)]) + "\n",
                     encoding="utf-8")


def test_children_csv_takes_the_policys_plan_types_in_any_case(planville_ws: Path) -> None:
    rewrite_plan_types(planville_ws, "eh")
    ws = load_workspace(planville_ws)
    assert {c.plan_type for c in ws.children} == {"EH"}


def test_children_csv_refuses_a_plan_type_the_policy_lacks(planville_ws: Path) -> None:
    rewrite_plan_types(planville_ws, "S47")
    with pytest.raises(InputError) as raised:
        load_workspace(planville_ws)
    first = raised.value.problems[0]
    assert first.where == "children.csv, row 2, column plan_type"
    assert first.what == "'S47' is not a plan type" and "CIN, CP, DCT-CIN, EH" in first.fix

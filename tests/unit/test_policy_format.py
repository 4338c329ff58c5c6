"""The policy format: malformed files get one clear, located, complete message; the
reference cannot drift from the validator; a new authority needs no code change."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rulekit import MALFORMED_POLICY, POLICY_HEADER, visit

from visitplanner.core.model import Child, Outcome, PlanType, Role
from visitplanner.core.policy import Interval, Policy, RuleKind, Unit, parse_policy
from visitplanner.core.policy.describe import describe_policy
from visitplanner.core.policy.spec import (
    COUNTS_FIELDS,
    FIELDS,
    KINDS,
    POLICY_FIELDS,
    SOURCE_FIELDS,
    WHEN_FIELDS,
    reference_markdown,
)
from visitplanner.core.rules import Context, deadlines
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.errors import PolicyError

REPO_ROOT = Path(__file__).resolve().parents[2]

#: MALFORMED_POLICY's four problems, and a third rule with two more: it cites an unknown
#: document and takes the first rule's id.
MALFORMED = MALFORMED_POLICY + """
[[rules]]
id = "cin-cadence"
kind = "guidance"
source = { document = "handbook", section = "3", quote = "Be kind." }
"""


def problems_of(text: str, filename: str = "testshire.toml") -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, filename)
    return caught.value


def test_malformed_policy_lists_every_problem_located_with_its_fix() -> None:
    error = problems_of(MALFORMED, "bad.toml")
    assert error.exit_code == 3
    assert [p.render() for p in error.problems] == [
        "bad.toml, rules[0] (cin-cadence).evry: unknown key (fix: did you mean 'every'?)",
        'bad.toml, rules[0] (cin-cadence).every: a cadence rule needs every '
        '(fix: add every = "10 days", or requires_plan_value = true to leave it to the '
        'conference)',
        "bad.toml, rules[1] (cin-revisit).within: '10 dayz' is not an interval: write a whole "
        'number and a unit, e.g. "10 days", "15 working_days", "2 weeks", "3 months", "24 hours"',
        "bad.toml, rules[1] (cin-revisit).source.document: 'nowhere' is not in "
        "[policy.documents] (fix: use one of manual or add it to documents)",
        "bad.toml, rules[2] (cin-cadence).source.document: 'handbook' is not in "
        "[policy.documents] (fix: use one of manual or add it to documents)",
        "bad.toml, rule cin-cadence: duplicate rule id (fix: give each rule its own id)",
    ]
    assert error.render().splitlines()[0] == "policy bad.toml has problems (6 problems)"


def test_invalid_toml_syntax_names_line_and_column() -> None:
    error = problems_of(POLICY_HEADER + '\n[[rules]]\nid = "x"\nkind = \n', "broken.toml")
    assert len(error.problems) == 1
    assert error.problems[0].render() == (
        "broken.toml: Invalid value (at line 11, column 8) "
        "(fix: correct the TOML syntax at that line and column)")
    assert error.message == "policy broken.toml is not valid TOML"


def test_rule_without_id_kind_or_source_is_told_each_missing_key() -> None:
    error = problems_of(POLICY_HEADER + "\n[[rules]]\nevery = \"10 days\"\n")
    assert [p.render() for p in error.problems] == [
        'testshire.toml, rules[0].id: missing (fix: every rule needs id = "cin-cadence")',
        'testshire.toml, rules[0].kind: missing (fix: every rule needs kind = "cadence")',
        "testshire.toml, rules[0].source: missing (fix: every rule needs source = {...})",
    ]


def test_a_key_the_kind_does_not_take_is_refused() -> None:
    error = problems_of(POLICY_HEADER + """
[[rules]]
id = "visit-often"
kind = "cadence"
every = "10 days"
at_least = 2
source = { document = "manual", section = "2", quote = "Visit often." }
""")
    assert [p.render() for p in error.problems] == [
        "testshire.toml, rules[0] (visit-often).at_least: a cadence rule does not take at_least "
        "(fix: remove it, or change the rule's kind)"]


def rule_problems(rule: str) -> list[str]:
    text = POLICY_HEADER + "\n[[rules]]\n" + rule + (
        'source = { document = "manual", section = "2", quote = "Visit often." }\n')
    return [p.render() for p in problems_of(text).problems]


@pytest.mark.parametrize("key", ["at_least", "at_most"])
def test_an_invalid_quota_bound_is_one_problem_with_a_fix_not_also_a_missing_bound(
        key: str) -> None:
    assert rule_problems(f'id = "q"\nkind = "quota"\nwindow = "3 months"\n{key} = -1\n') == [
        f"testshire.toml, rules[0] (q).{key}: expected a whole number of 1 or more, got -1 "
        "(fix: use a whole number of 1 or more)"]


def test_a_quota_with_neither_bound_is_told_to_add_one() -> None:
    assert rule_problems('id = "q"\nkind = "quota"\nwindow = "3 months"\n') == [
        "testshire.toml, rules[0] (q).at_least: a quota needs at_least or at_most "
        "(fix: add at_least = 1)"]


def test_an_invalid_check_schedule_is_not_also_a_missing_schedule() -> None:
    assert rule_problems('id = "c"\nkind = "check"\ncheck = "bedroom"\nevery_kth = 0\n') == [
        "testshire.toml, rules[0] (c).every_kth: expected a whole number of 1 or more, got 0 "
        "(fix: use a whole number of 1 or more)"]


def test_a_negative_age_or_a_non_boolean_flag_carries_its_fix() -> None:
    assert rule_problems('id = "v"\nkind = "cadence"\nevery = "10 days"\n'
                         'when = { min_age = -3 }\nrequires_plan_value = "yes"\n') == [
        "testshire.toml, rules[0] (v).when: expected a whole number of 0 or more, got -3 "
        "(fix: use a whole number of 0 or more)",
        "testshire.toml, rules[0] (v).requires_plan_value: expected true or false, got 'yes' "
        "(fix: use true or false)"]


def test_an_unknown_escalation_trigger_is_reported_not_a_crash() -> None:
    assert rule_problems('id = "e"\nkind = "escalation"\ntrigger = "bogus"\n'
                         'notify = ["team_manager"]\n') == [
        "testshire.toml, rules[0] (e).trigger: 'bogus' is not a trigger: use one of "
        "'consecutive_failures', 'not_seen_for', 'not_seen_alone_for', 'missed_check'"]


def test_an_invalid_escalation_period_is_not_also_a_missing_period() -> None:
    assert rule_problems('id = "e"\nkind = "escalation"\ntrigger = "not_seen_for"\n'
                         'notify = ["team_manager"]\nperiod = "six weeks"\n') == [
        "testshire.toml, rules[0] (e).period: 'six weeks' is not an interval: write a whole "
        'number and a unit, e.g. "10 days", "15 working_days", "2 weeks", "3 months", '
        '"24 hours"']


def test_missing_policy_table_and_rules_are_both_reported() -> None:
    error = problems_of('title = "oops"\n')
    assert [p.where for p in error.problems] == [
        "testshire.toml, key policy", "testshire.toml, key rules", "testshire.toml, key title"]


def test_the_committed_reference_is_generated_from_the_spec() -> None:
    committed = (REPO_ROOT / "docs" / "policy-format.md").read_text(encoding="utf-8")
    assert committed == reference_markdown(), \
        "regenerate: .venv/bin/visitplanner policy reference > docs/policy-format.md"


def test_every_key_and_kind_of_the_spec_is_documented() -> None:
    reference = reference_markdown()
    tables = (FIELDS, POLICY_FIELDS, COUNTS_FIELDS, WHEN_FIELDS, SOURCE_FIELDS)
    undocumented = [key for table in tables for key in table if f"| `{key}` |" not in reference]
    assert undocumented == []
    assert [kind.value for kind in KINDS if f"### `{kind.value}`" not in reference] == []
    assert set(KINDS) == set(RuleKind)
    assert all(f"`{unit.value}`" in reference for unit in Unit)


# ---------------------------------------------------------------- a new authority, no code

ELSEWHERE = """
[policy]
id = "northtown"
name = "Northtown: visits to children on plans"
days = "working_days"
notes = ["A bare 'N days' means working days here."]

[policy.documents]
handbook = "Northtown practice handbook"

[[rules]]
id = "cp-visit"
kind = "cadence"
plans = ["CP"]
every = "10 days"
source = { document = "handbook", section = "4.1", quote = "Visit at least every 10 days." }

[[rules]]
id = "cp-health-visitor"
kind = "cadence"
plans = ["CP"]
every = "4 weeks"
when = { under_age = 5 }
counts = { location = "any", child_seen = true, roles = ["health_visitor"] }
source = { document = "handbook", section = "4.2", quote = "Under-5s see a health visitor." }

[[rules]]
id = "cp-fridge"
kind = "check"
plans = ["CP"]
check = "fridge"
every_kth = 4
source = { document = "handbook", section = "4.3", quote = "Look in the fridge every 4th visit." }

[[rules]]
id = "cp-two-unannounced"
kind = "quota"
plans = ["CP"]
window = "2 months"
at_least = 2
counts = { location = "home", announced = false, child_seen = "any" }
source = { document = "handbook", section = "4.4", quote = "Two unannounced visits in 2 months." }
"""


def test_another_authority_with_working_days_several_cadences_and_every_kth_check_loads() -> None:
    policy: Policy = parse_policy(ELSEWHERE, "northtown.toml")
    assert policy.resolve(policy.rule("cp-visit").every or Interval(0, Unit.DAYS)) \
        == Interval(10, Unit.WORKING_DAYS)
    toddler = Child(case_ref="NT-1", household="NT-H1", name="Test Child",
                    birth_date=date(2024, 6, 1), plan_type=PlanType.CP,
                    plan_start=date(2026, 10, 1))
    history = (visit("2026-10-20", announced=False),
               visit("2026-11-03", Outcome.COMPLETED, "fridge"),
               visit("2026-11-20", role=Role.HEALTH_VISITOR), visit("2026-12-01", announced=False),
               visit("2026-12-08"), visit("2026-12-17"))
    found = {d.rule_id: d for d in deadlines(Context(policy, WorkingCalendar("ENG")), toddler,
                                             history, date(2026, 12, 18))}
    # Thu 17 Dec 2026 + 10 working days: 18, 21, 22, 23, 24, [25, 28 bank holidays],
    # 29, 30, 31, [1 Jan bank holiday], 4, 5 Jan 2027 (10th)
    assert found["cp-visit"].due == date(2027, 1, 5)
    # the health visitor's Fri 20 Nov 2026 + 4 weeks = Fri 18 Dec 2026
    assert found["cp-health-visitor"].due == date(2026, 12, 18)
    # every 4th visit: fridge seen on 3 Nov; after 2 more visits it is not yet owed,
    # after 3 more (20 Nov, 1 Dec, 8 Dec) it is owed at the next one
    ctx = Context(policy, WorkingCalendar("ENG"))
    owed = {n: [d.rule_id for d in deadlines(ctx, toddler, history[:n], date(2026, 12, 9))]
            for n in (4, 5)}
    assert ("cp-fridge" in owed[4], "cp-fridge" in owed[5]) == (False, True)
    assert found["cp-fridge"].at_next_visit
    # the 2nd most recent unannounced visit was Tue 20 Oct 2026: + 2 months = Sun 20 Dec 2026
    assert found["cp-two-unannounced"].due == date(2026, 12, 20)
    assert "[cp-fridge] CP plans: check fridge" in describe_policy(policy)

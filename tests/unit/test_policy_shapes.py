"""Issue 14's policy shapes 2-4: a cadence left to the conference, plan values for any cadence
rule in its own unit with history (plan_values.csv), and relaxing with approval to a floor.

Every date is worked by hand in the comment beside it (England's bank holidays: Christmas
Fri 25 Dec 2026, Boxing Day's substitute Mon 28 Dec, New Year's Day Fri 1 Jan 2027).
"""

from __future__ import annotations

import itertools
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from rulekit import D, child, due_date, visit

from visitplanner.core.due import due_report
from visitplanner.core.model import PlanType, PlanValue
from visitplanner.core.policy import Policy, child_problems, parse_policy, plan_value_problems
from visitplanner.core.policy.describe import describe_rule
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.errors import InputError, PolicyError
from visitplanner.inputs.workspace import load_workspace
from visitplanner.usecases import make_plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

HEADER = """
[policy]
id = "shapesville"
name = "Shapesville: visits"
days = "calendar_days"
documents = { manual = "Shapesville visiting manual" }
"""

S47_LEFT_TO_CONFERENCE = """
[[rules]]
id = "s47-cadence"
kind = "cadence"
plans = ["S47"]
requires_plan_value = true
source = { document = "manual", section = "3", quote = "As often as the strategy meeting sets." }
"""

CP_WITH_RELAX = """
[[rules]]
id = "cp-cadence"
kind = "cadence"
plans = ["CP"]
every = "2 weeks"
source = { document = "manual", section = "4", quote = "Seen at least every two weeks." }

[[rules]]
id = "cin-cadence"
kind = "cadence"
plans = ["CIN"]
every = "4 weeks"
relax = { floor = "6 weeks", approvers = ["team_manager", "conference_chair"] }
source = { document = "manual", section = "2", quote = "Every 4 weeks; up to 6 with agreement." }

[[rules]]
id = "cin-record"
kind = "recording"
plans = ["CIN"]
headings = ["purpose of visit"]
source = { document = "manual", section = "2", quote = "Record the purpose." }
"""


@pytest.fixture
def shapes() -> Policy:
    return parse_policy(HEADER + S47_LEFT_TO_CONFERENCE + CP_WITH_RELAX, "shapesville.toml")


@pytest.fixture
def england() -> WorkingCalendar:
    return WorkingCalendar(region="ENG")


def value(rule_id: str, count: int, unit: str, start: str, *approved: str,
          set_by: str = "ICPC") -> PlanValue:
    return PlanValue(rule_id, count, unit, D(start), set_by, frozenset(approved))


def problems_of(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(HEADER + text, "shapesville.toml")
    return [p.render() for p in caught.value.problems]


# ---------------------------------------------------------------- shape 4: left to the conference


def test_a_cadence_with_no_every_is_refused_unless_the_plan_must_set_it() -> None:
    assert problems_of(S47_LEFT_TO_CONFERENCE.replace("requires_plan_value = true\n", "")) == [
        'shapesville.toml, rules[0] (s47-cadence).every: a cadence rule needs every (fix: add '
        'every = "10 days", or requires_plan_value = true to leave it to the conference)']


def test_a_cadence_left_to_the_conference_is_described_as_such(shapes: Policy) -> None:
    assert describe_rule(shapes, shapes.rule("s47-cadence")) == (
        "S47 plans: a visit at home where the child was seen at least as often as the plan "
        "sets: the policy leaves the interval to the conference, and the plan's value for "
        "this rule (plan_values.csv) must be set.")


def test_a_child_without_the_plans_value_is_a_problem_naming_the_rule(shapes: Policy) -> None:
    kid = child("S", PlanType.S47)
    assert child_problems(shapes, kid) == [(
        "", "rule s47-cadence needs the plan to set its interval for a S47 plan",
        'add a plan_values.csv row for case S-T001 and rule s47-cadence, e.g. value = '
        '"5 working_days"')]
    given = replace(kid, plan_values=(value("s47-cadence", 5, "working_days", "2026-11-02"),))
    assert child_problems(shapes, given) == []


def test_the_conferences_working_days_step_over_christmas_and_new_year(
        shapes: Policy, england: WorkingCalendar) -> None:
    # Seen Thu 24 Dec 2026; 5 working days, the visit day day 0: Tue 29, Wed 30, Thu 31 Dec,
    # Mon 4, Tue 5 Jan 2027 (25 and 28 Dec and 1 Jan are bank holidays).
    kid = child("S", PlanType.S47,
                plan_values=(value("s47-cadence", 5, "working_days", "2026-11-02"),))
    assert due_date(shapes, england, "s47-cadence", kid, [visit("2026-12-24")],
                    "2026-12-24") == date(2027, 1, 5)


def test_a_plan_start_on_a_saturday_counts_from_the_next_working_day(
        shapes: Policy, england: WorkingCalendar) -> None:
    # No visit yet: from the plan start, Sat 19 Dec 2026: 3 working days are Mon 21, Tue 22,
    # Wed 23 Dec.
    kid = child("S", PlanType.S47, plan_start="2026-12-19",
                plan_values=(value("s47-cadence", 3, "working_days", "2026-12-19"),))
    assert due_date(shapes, england, "s47-cadence", kid, [], "2026-12-19") == date(2026, 12, 23)


# ---------------------------------------------------------------- shape 2: plan values, history


def test_a_value_set_at_conference_counts_from_its_from_day(
        shapes: Policy, england: WorkingCalendar) -> None:
    # Seen Mon 28 Sep 2026: the policy's 2 weeks end Mon 12 Oct.  The conference on Thu 1 Oct
    # sets 1 week, counted from 1 Oct: Thu 8 Oct.
    kid = child("C", PlanType.CP, plan_start="2026-09-01",
                plan_values=(value("cp-cadence", 1, "weeks", "2026-10-01"),))
    assert due_date(shapes, england, "cp-cadence", kid, [visit("2026-09-28")],
                    "2026-09-28") == date(2026, 10, 8)
    # Seen Fri 2 Oct, with the value in force: 1 week from the visit, Fri 9 Oct.
    assert due_date(shapes, england, "cp-cadence", kid, [visit("2026-10-02")],
                    "2026-10-02") == date(2026, 10, 9)


def test_the_value_in_force_is_the_one_with_the_latest_from_on_or_before_the_visit(
        shapes: Policy, england: WorkingCalendar) -> None:
    # 10 working days from 1 Dec, then 5 calendar days from a review on 4 Jan 2027.  Seen Fri
    # 18 Dec 2026: 10 working days are 21-24, 29-31 Dec, 4, 5, 6 Jan: Wed 6 Jan; the review's
    # 5 days from Mon 4 Jan end Sat 9 Jan, later; the policy's 2 weeks end Fri 1 Jan, earlier.
    kid = child("C", PlanType.CP, plan_start="2026-09-01", plan_values=(
        value("cp-cadence", 10, "working_days", "2026-12-01"),
        value("cp-cadence", 5, "calendar_days", "2027-01-04")))
    found = due_date(shapes, england, "cp-cadence", kid, [visit("2026-12-18")], "2026-12-18")
    assert found == date(2027, 1, 1)
    # Seen Mon 4 Jan 2027 (the review's day): 5 days, Sat 9 Jan.
    assert due_date(shapes, england, "cp-cadence", kid, [visit("2027-01-04")],
                    "2027-01-04") == date(2027, 1, 9)


def test_a_value_names_its_meeting_in_the_deadline(
        shapes: Policy, england: WorkingCalendar) -> None:
    # Plan start Fri 25 Sep 2026: the policy's 2 weeks end Fri 9 Oct; the value's week from
    # Thu 1 Oct ends Thu 8 Oct.
    kid = child("C", PlanType.CP, plan_start="2026-09-25", plan_values=(
        value("cp-cadence", 1, "weeks", "2026-10-01", set_by="ICPC 2026-10-01"),))
    report = due_report(shapes, england, [kid], {}, [], D("2026-10-02"))
    assert [(i.deadline.due, i.deadline.what) for i in report[0].items] == [
        (date(2026, 10, 8),
         "visit at least every 1 week (set for this child by ICPC 2026-10-01 from 2026-10-01)")]


def test_a_looser_value_is_refused_naming_the_rule(shapes: Policy) -> None:
    kid = child("C", PlanType.CP)
    assert plan_value_problems(shapes, kid, value("cp-cadence", 15, "calendar_days",
                                                  "2026-11-02")) == [
        ("value", "15 calendar days is looser than rule cp-cadence (at least every 2 weeks)",
         "give 2 weeks or less; a plan may only tighten the policy")]
    assert plan_value_problems(shapes, kid, value("cp-cadence", 10, "working_days",
                                                  "2026-11-02")) == []


def test_a_value_for_no_cadence_of_the_childs_plan_is_refused(shapes: Policy) -> None:
    kid = child("C", PlanType.CP)
    assert [p[1] for p in (
        *plan_value_problems(shapes, kid, value("cp-cadance", 1, "weeks", "2026-11-02")),
        *plan_value_problems(shapes, kid, value("cin-record", 1, "weeks", "2026-11-02")),
        *plan_value_problems(shapes, kid, value("cin-cadence", 1, "weeks", "2026-11-02")))] == [
        "'cp-cadance' is not a rule of policy shapesville",
        "rule cin-record is a recording rule: only a cadence takes a plan value",
        "rule cin-cadence does not apply to a CP plan"]


# ---------------------------------------------------------------- shape 3: relax with approval


def test_a_relaxed_value_needs_every_approver_and_stays_within_the_floor(shapes: Policy) -> None:
    kid = child("N", PlanType.CIN)
    both = ("team_manager", "conference_chair")
    assert plan_value_problems(shapes, kid, value("cin-cadence", 6, "weeks", "2026-11-02",
                                                  *both)) == []
    assert plan_value_problems(shapes, kid, value("cin-cadence", 6, "weeks", "2026-11-02",
                                                  "team_manager")) == [
        ("approved_by", "6 weeks is looser than rule cin-cadence (every 4 weeks) and needs the "
         "approval of conference_chair", "add conference_chair to approved_by once they have "
         "agreed, or give 4 weeks or less")]
    assert plan_value_problems(shapes, kid, value("cin-cadence", 7, "weeks", "2026-11-02",
                                                  *both)) == [
        ("value", "7 weeks is below the floor of rule cin-cadence (relaxed to at most every "
         "6 weeks)", "give 6 weeks or less")]


def test_an_approved_relaxation_replaces_the_rules_interval(
        shapes: Policy, england: WorkingCalendar) -> None:
    # Seen Fri 20 Nov 2026: 4 weeks end Fri 18 Dec; relaxed to 6 weeks from 2 Nov: Fri 1 Jan
    # 2027 (a bank holiday: calendar weeks do not move for it).
    kid = child("N", PlanType.CIN, plan_values=(
        value("cin-cadence", 6, "weeks", "2026-11-02", "team_manager", "conference_chair"),))
    assert due_date(shapes, england, "cin-cadence", kid, [visit("2026-11-20")],
                    "2026-11-20") == date(2027, 1, 1)
    # A relaxation agreed after the last visit does not stretch the gap already running.
    later = child("N", PlanType.CIN, plan_values=(
        value("cin-cadence", 6, "weeks", "2026-12-01", "team_manager", "conference_chair"),))
    assert due_date(shapes, england, "cin-cadence", later, [visit("2026-11-20")],
                    "2026-11-20") == date(2026, 12, 18)


def test_relax_is_shown_and_its_floor_may_not_be_tighter_than_every(shapes: Policy) -> None:
    assert describe_rule(shapes, shapes.rule("cin-cadence")).endswith(
        "at least every 4 weeks; a plan value may relax it to no longer than every 6 weeks, "
        "with the agreement of the conference chair and team manager.")
    text = CP_WITH_RELAX.replace('floor = "6 weeks"', 'floor = "3 weeks"')
    assert problems_of(S47_LEFT_TO_CONFERENCE + text) == [
        "shapesville.toml, rules[2] (cin-cadence).relax.floor: the floor 3 weeks is shorter "
        "than every 4 weeks (fix: give a floor of at least 4 weeks, or remove relax)"]


# ---------------------------------------------------------------- the workspace: load, due, plan


@pytest.fixture
def camden_ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLES / "camden", root,
                    ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
    return root


def test_plan_values_csv_problems_are_located_at_their_rows(camden_ws: Path) -> None:
    (camden_ws / "plan_values.csv").write_text(
        "case_ref,rule_id,value,from,set_by,approved_by\n"
        "CAM-0001,cp-cadence,1 week,2026-09-16,ICPC 2026-09-16,\n"
        "CAM-0001,cp-cadence,3 weeks,2026-10-01,RCPC,\n"
        "CAM-9999,cp-cadence,1 week,2026-09-16,,\n"
        "CAM-0002,cp-cadence,1 fortnight,2026-09-16,,\n"
        "CAM-0001,cp-cadence,5 days,2026-09-16,,\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_workspace(camden_ws)
    assert [p.render() for p in caught.value.problems] == [
        "plan_values.csv, row 4, column case_ref: 'CAM-9999' is not in children.csv (fix: did "
        "you mean CAM-0059? correct it, or add it to children.csv)",
        "plan_values.csv, row 5, column value: '1 fortnight' is not an interval: write a whole "
        'number and a unit, e.g. "10 days", "15 working_days", "2 weeks", "3 months", "24 hours" '
        '(fix: write e.g. "2 weeks" or "10 working_days", or off / on to switch the rule off '
        "or on for the child)",
        "plan_values.csv, row 6, column from: case CAM-0001 already has a value for rule "
        "cp-cadence from 2026-09-16 (row 2) (fix: give one value per rule and date; a later "
        "value starts a new row)",
        "plan_values.csv, row 3, column value: 3 weeks is looser than rule cp-cadence (at least "
        "every 10 calendar days) (fix: give 10 calendar days or less; a plan may only tighten "
        "the policy)"]


def test_due_and_plan_use_the_value_in_force(camden_ws: Path) -> None:
    # CAM-0001's conference sets 5 calendar days from 2026-11-23: each planned visit is due
    # within 5 days of the one before (Camden counts the visit day as day 0).
    (camden_ws / "plan_values.csv").write_text(
        "case_ref,rule_id,value,from,set_by\n"
        "CAM-0001,cp-cadence,5 calendar_days,2026-11-23,RCPC 2026-11-23\n", encoding="utf-8")
    ws = load_workspace(camden_ws)
    kid = ws.child("CAM-0001")
    assert kid is not None and kid.plan_values == (
        PlanValue("cp-cadence", 5, "calendar_days", D("2026-11-23"), "RCPC 2026-11-23"),)
    report = due_report(ws.policy, ws.calendar, [kid], {w.id: w for w in ws.workers},
                        ws.visits, D("2026-11-23"))
    cadence = [i.deadline for i in report[0].items if i.deadline.rule_id == "cp-cadence"]
    assert cadence[0].due is not None and cadence[0].due <= D("2026-11-28")
    schedule = make_plan(ws, D("2026-11-23"), weeks=4)
    days = sorted(v.start.date() for v in schedule.visits if "CAM-0001" in v.case_refs)
    assert days and days[0] <= D("2026-11-28")
    assert all((b - a).days <= 5 for a, b in itertools.pairwise(days))


def test_a_child_left_without_the_conferences_value_is_refused_at_its_row(
        camden_ws: Path) -> None:
    policy = (EXAMPLES.parent / "config" / "camden.toml").read_text(encoding="utf-8")
    left = policy.replace('every = "10 days"\ncounts', 'requires_plan_value = true\ncounts', 1)
    assert left != policy
    (camden_ws / "local.toml").write_text(left, encoding="utf-8")
    settings = camden_ws / "visitplanner.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace('policy = "camden"', 'policy = "local.toml"'),
                        encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_workspace(camden_ws)
    found = [p.render() for p in caught.value.problems]
    assert found[0] == (
        "children.csv, row 2, column visit_frequency_days: rule cp-cadence needs the plan to set "
        "visit_frequency_days for a CP plan (fix: enter the visiting frequency agreed for this "
        "child, in days)")

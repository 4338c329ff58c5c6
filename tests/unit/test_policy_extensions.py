"""Policy settings beyond the two seeds: re-visit anchors and the bank-holiday calendar."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

import pytest

from visitplanner.core.model import LONDON, Child, Location, Outcome, PlanType, Role
from visitplanner.core.policy import Policy, parse_policy
from visitplanner.core.rules import Context, Fact, cadence, revisit
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.errors import PolicyError
from visitplanner.inputs.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[2]

POLICY = """
[policy]
id = "testshire"
name = "Testshire"
holiday_region = "SCT"

[policy.documents]
manual = "Testshire visiting manual"

[[rules]]
id = "revisit-from-first-failure"
kind = "revisit"
after = ["no_access"]
failures = 2
within = "5 working_days"
anchor = "first_failed_visit"
source = { document = "manual", section = "4", quote = "Within 5 working days of the first." }
"""


def failed(day: date) -> Fact:
    return Fact(datetime.combine(day, time(10), tzinfo=LONDON), Location.HOME, True,
                Outcome.NO_ACCESS, Role.SOCIAL_WORKER, frozenset())


def test_a_revisit_window_can_count_from_the_first_failure_of_the_run() -> None:
    policy = parse_policy(POLICY, "testshire.toml")
    kid = Child("T1", "H1", "Test Child", date(2016, 1, 1), PlanType.CIN, date(2026, 1, 5))
    history = (failed(date(2026, 11, 2)), failed(date(2026, 11, 4)))
    found = revisit(Context(policy, WorkingCalendar()), policy.rule(
        "revisit-from-first-failure"), kid, history)
    # Mon 2 Nov + 5 working days = Mon 9 Nov (not Wed 11 Nov, from the second failure)
    assert found is not None and found.due == date(2026, 11, 9)


def test_an_unknown_revisit_anchor_is_refused_with_the_choices() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(POLICY.replace('"first_failed_visit"', '"next_full_moon"'), "t.toml")
    assert [p.render() for p in caught.value.problems] == [
        "t.toml, rules[0] (revisit-from-first-failure).anchor: unknown anchor 'next_full_moon' "
        "(fix: use one of first_failed_visit, last_failed_visit)"]


def test_the_policy_names_the_bank_holidays_unless_the_workspace_overrides(
        tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(ROOT / "examples" / "walsall", workspace)
    (workspace / "testshire.toml").write_text(
        POLICY.replace("[[rules]]", '[[rules]]\nid = "x"\nkind = "guidance"\nsource = '
                       '{ document = "manual", section = "1", quote = "Visit." }\n\n[[rules]]', 1),
        encoding="utf-8")
    settings = workspace / "visitplanner.toml"
    text = settings.read_text(encoding="utf-8").replace('policy = "walsall"',
                                                        'policy = "testshire.toml"')
    settings.write_text(text.replace('holiday_region = "ENG"\n', ""), encoding="utf-8")
    assert load_workspace(workspace).calendar.region == "SCT"
    settings.write_text(text, encoding="utf-8")
    assert load_workspace(workspace).calendar.region == "ENG"


def test_a_frequency_set_for_the_child_is_never_looser_than_the_policy_and_always_used(
        camden: Policy, england: WorkingCalendar) -> None:
    # 15 working days from Mon 2 Nov 2026 is Mon 23 Nov (21 days); 20 days is Sun 22 Nov.
    kid = Child("C1", "H1", "Test Child", date(2016, 1, 1), PlanType.CIN, date(2026, 1, 5),
                visit_frequency_days=20)
    seen = (Fact(datetime.combine(date(2026, 11, 2), time(10), tzinfo=LONDON), Location.HOME,
                 True, Outcome.COMPLETED, Role.SOCIAL_WORKER, frozenset()),)
    found = cadence(Context(camden, england), camden.rule("cin-cadence"), kid, seen)
    assert (found.due, found.what) == (
        date(2026, 11, 22), "visit at least every 20 calendar days (set for this child)")


def test_checks_on_the_child_wait_for_the_birth_but_household_checks_do_not(
        camden: Policy, england: WorkingCalendar) -> None:
    from visitplanner.core.rules import deadlines

    unborn = Child("C1", "H1", "Unborn Test", None, PlanType.CP, date(2026, 11, 2),
                   due_date=date(2026, 12, 18))
    owed = {d.check for d in deadlines(Context(camden, england), unborn, (), date(2026, 11, 23))
            if d.action == "check"}
    assert {"seen_alone", "seen_awake", "injuries"} & owed == set()
    assert {"food", "household_changes"} <= owed
    born = replace(unborn, birth_date=date(2026, 12, 16))
    owed_after = {d.check for d in deadlines(Context(camden, england), born, (),
                                             date(2026, 12, 21)) if d.action == "check"}
    assert "seen_awake" in owed_after


def test_due_asks_for_the_date_of_birth_once_the_expected_date_has_passed(
        camden: Policy, england: WorkingCalendar) -> None:
    from visitplanner.core.due import due_report

    unborn = Child("C1", "H1", "Unborn Test", None, PlanType.CP, date(2026, 11, 2),
                   due_date=date(2026, 12, 18))
    before, = due_report(camden, england, (unborn,), {}, (), date(2026, 12, 18))
    after, = due_report(camden, england, (unborn,), {}, (), date(2026, 12, 19))
    assert before.notes == ()
    assert after.notes == ("expected due date 2026-12-18 has passed: enter the date of birth in "
                           "children.csv (until then the child is planned as born on the "
                           "expected date)",)


def test_no_deadline_is_counted_from_before_the_records_begin(
        camden: Policy, england: WorkingCalendar) -> None:
    from visitplanner.core.due import due_report

    # On a plan since January, but the export holds visits only from 14 September.
    kid = Child("C1", "H1", "Test Child", date(2016, 1, 1), PlanType.CP, date(2026, 1, 5))
    unknown, = due_report(camden, england, (kid,), {}, (), date(2026, 11, 23))
    known, = due_report(camden, england, (kid,), {}, (), date(2026, 11, 23),
                        records_from=date(2026, 9, 14))
    quota = {i.deadline.rule_id: i for i in unknown.items}["cp-unannounced"]
    assert quota.deadline.due == date(2026, 4, 5)  # 5 Jan + 3 months
    quota = {i.deadline.rule_id: i for i in known.items}["cp-unannounced"]
    assert quota.deadline.due == date(2026, 12, 14)  # 14 Sep + 3 months: not overdue


def test_a_seen_awake_deadline_lapses_when_the_child_turns_3_before_it(
        camden: Policy, england: WorkingCalendar) -> None:
    from visitplanner.core.rules import owed_deadline

    # Found by a deep property run: born 6 Feb 2023, on a plan from 4 Jan 2026, so the
    # 6-week deadline (15 Feb 2026) falls after the third birthday (6 Feb 2026).
    toddler = Child("C1", "H1", "Test Child", date(2023, 2, 6), PlanType.CP, date(2026, 1, 4))
    rule = camden.rule("cp-seen-awake-under-3")
    assert owed_deadline(Context(camden, england), rule, toddler, (), date(2026, 1, 5)) is None
    younger = replace(toddler, birth_date=date(2023, 6, 1))
    owed = owed_deadline(Context(camden, england), rule, younger, (), date(2026, 1, 5))
    assert owed is not None and owed.due == date(2026, 2, 15)

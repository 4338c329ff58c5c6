"""Issue 14, shape 9: meetings and tasks with deadlines (``task`` rules), as to-dos in the
worker's or the team's calendar: the first core group within 10 working days of the initial
conference then at least monthly, a review conference within 3 months then 6-monthly, a report
3 working days before each conference, management oversight every 4 weeks.  Done ones are
recorded in tasks.csv.

Working days in England, the event day is day 0.  Christmas 2026: Fri 25 Dec, Mon 28 Dec and
Fri 1 Jan 2027 are bank holidays.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import vobject
from planner_checks import seen, worker
from rulekit import D, child, due

from visitplanner.core.model import Child, ChildEvent, PlanType, Schedule, TaskDue
from visitplanner.core.planning import PlanRequest, plan
from visitplanner.core.policy import Policy, parse_policy
from visitplanner.core.policy.describe import describe_rule
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.errors import InputError, PolicyError
from visitplanner.inputs.workspace import load_workspace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "publish"))
from ics_samples import context

from visitplanner.publish import PublishState, build_documents

ENGLAND = WorkingCalendar("ENG")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

POLICY = """
[policy]
id = "taskville"
name = "Taskville: visits and meetings"
days = "working_days"
documents = { manual = "Taskville procedures" }

[[rules]]
id = "cp-cadence"
kind = "cadence"
plans = ["CP"]
every = "10 calendar_days"
source = { document = "manual", section = "1", quote = "Seen every 10 days." }

[[rules]]
id = "cp-core-group"
kind = "task"
plans = ["CP"]
task = "hold the core group"
event = "initial_conference"
within = "10 days"
every = "1 months"
source = { document = "manual", section = "2", quote = "In 10 days, then monthly." }

[[rules]]
id = "cp-review"
kind = "task"
plans = ["CP"]
task = "hold the review conference"
owner = "team_manager"
event = "initial_conference"
within = "3 months"
every = "6 months"
source = { document = "manual", section = "3", quote = "Review in 3 months, then 6-monthly." }

[[rules]]
id = "cp-report"
kind = "task"
plans = ["CP"]
task = "send the conference report"
before = "conference"
within = "3 working_days"
source = { document = "manual", section = "4", quote = "Reports 3 days before conference." }

[[rules]]
id = "cp-oversight"
kind = "task"
plans = ["CP"]
task = "management oversight in supervision"
owner = "team_manager"
every = "4 weeks"
source = { document = "manual", section = "5", quote = "Oversight every 4 weeks." }
"""


@pytest.fixture(scope="module")
def taskville() -> Policy:
    return parse_policy(POLICY, "taskville.toml")


def done(rule_id: str, day: str) -> ChildEvent:
    return ChildEvent(rule_id, D(day))


def kid(*tasks: ChildEvent, conferences: tuple[str, ...] = ("2026-12-10",)) -> Child:
    return child("TK", PlanType.CP, plan_start="2026-12-10",
                 conference_dates=tuple(map(D, conferences)), tasks_done=tasks)


def due_day(policy: Policy, rule_id: str, the_child: Child, on: str) -> date | None:
    found = due(policy, ENGLAND, rule_id, the_child, [], on)
    return found.due if found else None


def test_the_first_core_group_is_due_ten_working_days_after_the_initial_conference(
        taskville: Policy) -> None:
    # From Thu 10 Dec: 11, 14, 15, 16, 17, 18, 21, 22, 23 Dec (9), Thu 24 Dec (10).
    assert due_day(taskville, "cp-core-group", kid(), "2026-12-11") == D("2026-12-24")


def test_then_a_core_group_at_least_monthly_from_the_last_one(taskville: Policy) -> None:
    held = kid(done("cp-core-group", "2026-12-22"))
    assert due_day(taskville, "cp-core-group", held, "2026-12-23") == D("2027-01-22")


def test_the_review_conference_within_three_months_then_six_monthly(taskville: Policy) -> None:
    assert due_day(taskville, "cp-review", kid(), "2026-12-11") == D("2027-03-10")
    held = kid(done("cp-review", "2027-03-08"))
    assert due_day(taskville, "cp-review", held, "2027-03-09") == D("2027-09-08")


def test_a_report_is_due_three_working_days_before_each_coming_conference(
        taskville: Policy) -> None:
    booked = ("2026-09-01", "2027-01-07")
    # Thu 7 Jan 2027: back 6, 5, 4 Jan (Fri 1 Jan is a bank holiday): Mon 4 Jan.
    assert due_day(taskville, "cp-report", kid(conferences=booked), "2026-12-14") == \
        D("2027-01-04")
    sent = kid(done("cp-report", "2026-12-30"), conferences=booked)
    assert due_day(taskville, "cp-report", sent, "2026-12-31") is None


def test_oversight_every_four_weeks_from_the_last(taskville: Policy) -> None:
    held = kid(done("cp-oversight", "2026-11-30"))
    assert due_day(taskville, "cp-oversight", held, "2026-12-01") == D("2026-12-28")


def test_the_plan_lists_each_childs_next_tasks_for_their_owners(taskville: Policy) -> None:
    the_child = replace(kid(), allocated_worker="sw.a")
    schedule = plan(PlanRequest(taskville, ENGLAND, (the_child,), (worker("sw.a"),), (),
                                (seen(the_child.case_ref, date(2026, 12, 10)),),
                                date(2026, 12, 11), 8, seed=1))
    tasks = {t.rule_id: t for t in schedule.tasks}
    assert set(tasks) == {"cp-core-group", "cp-oversight"}  # the review is due after 5 Feb
    assert (tasks["cp-core-group"].due, tasks["cp-core-group"].worker_id) == \
        (D("2026-12-24"), "sw.a")
    assert (tasks["cp-oversight"].owner, tasks["cp-oversight"].worker_id) == \
        ("team_manager", None)


def test_a_task_is_a_todo_in_its_owners_calendar(taskville: Policy) -> None:
    task = TaskDue("C-0031", "HH-014", "cp-core-group", date(2026, 12, 24),
                   "hold the core group (within 10 working days of initial_conference)",
                   "worker", "west", "w-ana")
    schedule = Schedule(date(2026, 12, 11), date(2026, 12, 11), date(2027, 1, 31), 1, (),
                        tasks=(task,))
    documents, _ = build_documents(schedule, context(), PublishState())
    uid = "task-C-0031-cp-core-group-20261224@visitplanner"
    assert uid in documents["w-ana"] and uid not in documents["team-west"]
    todo = vobject.readOne(documents["w-ana"][uid].decode()).vtodo
    assert todo.due.value == date(2026, 12, 24)
    assert todo.summary.value == "Task: C-0031 — cp-core-group"
    assert "To do: hold the core group" in todo.description.value


def test_a_task_needs_its_event_within_or_a_cadence() -> None:
    text = POLICY.replace('before = "conference"\nwithin = "3 working_days"\n',
                          'before = "conference"\n')
    with pytest.raises(PolicyError) as raised:
        parse_policy(text, "t.toml")
    assert [p.where for p in raised.value.problems] == ["t.toml, rules[3] (cp-report).within"]


def test_policy_show_describes_a_task(taskville: Policy) -> None:
    assert "hold the core group" in describe_rule(taskville, taskville.rule("cp-core-group"))


def test_tasks_csv_names_task_rules_only(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLES / "camden", root,
                    ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
    (root / "tasks.csv").write_text("case_ref,rule_id,done\nCAM-0001,cp-core,2026-11-20\n",
                                    encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_workspace(root)
    (problem,) = raised.value.problems
    assert problem.where == "tasks.csv, row 2, column rule_id"
    assert "is not a task rule of policy camden" in problem.what


def test_a_task_of_another_plan_type_is_not_set(taskville: Policy) -> None:
    cin = replace(kid(), plan_type=PlanType.CIN, allocated_worker="sw.a")
    schedule = plan(PlanRequest(taskville, ENGLAND, (cin,), (worker("sw.a"),), (),
                                (seen(cin.case_ref, date(2026, 12, 10)),),
                                date(2026, 12, 11), 8, seed=1))
    assert schedule.tasks == ()

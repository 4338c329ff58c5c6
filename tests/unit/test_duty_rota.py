"""The duty rota: a statutory deadline inside a closure is met by a worker on duty, for the
plan types the policy gives duty visits, within each shift's visits; otherwise a shortfall
that names the rota days that would have met it.

Camden, Christmas 2026 (England, office shut 29 to 31 December): Thu 24 Dec is the last
working day; Fri 25 Dec and Mon 28 Dec are bank holidays, 29 to 31 Dec closures, Fri 1 Jan a
bank holiday, Mon 4 Jan the first day back.  A CP child last seen Fri 11 Dec (every 10
calendar days, 3 working days' margin) is visited Fri 18 Dec and Thu 24 Dec; the next visit
is due Sun 3 Jan with no working day before it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from planner_checks import child, seen, worker

from visitplanner.core.model import DUTY_FLAG, Absence, DutyShift, PlanType, Schedule
from visitplanner.core.partition import split
from visitplanner.core.planning import PlanRequest, plan
from visitplanner.core.policy import Policy
from visitplanner.core.policy.load import parse_policy
from visitplanner.core.policy.model import DutyRota
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.errors import PolicyError
from visitplanner.inputs.workspace import load_workspace
from visitplanner.usecases import make_plan

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "camden"

CLOSED = WorkingCalendar("ENG", frozenset({date(2026, 12, 29), date(2026, 12, 30),
                                           date(2026, 12, 31)}))
MONDAY_14_DEC = date(2026, 12, 14)
#: The days a duty visit could meet the 3 January deadline on: shut weekdays, 25 Dec to 1 Jan.
ROTA_DAYS = "Fri 25 Dec, Mon 28 Dec to Fri 01 Jan"


def christmas(policy: Policy, *households: str, plan_type: PlanType = PlanType.CP,
              duty: tuple[DutyShift, ...] = ()) -> PlanRequest:
    """CP households last seen Fri 11 Dec, planned for 4 weeks from Mon 14 Dec (to 10 Jan)."""
    children = tuple(child(f"C{h}", h, plan_type, **extra(plan_type)) for h in households)
    return PlanRequest(policy, CLOSED, children, (worker("sw.a"), worker("sw.duty")), (),
                       tuple(seen(c.case_ref, date(2026, 12, 11)) for c in children),
                       MONDAY_14_DEC, 4, seed=1, duty=duty)


def extra(plan_type: PlanType) -> dict[str, object]:
    return {"visit_frequency_days": 10} if plan_type == PlanType.S47 else {}


def duty_visits(schedule: Schedule) -> list[tuple[date, str, str]]:
    return [(v.day, v.worker_id, v.household) for v in schedule.visits if DUTY_FLAG in v.flags]


def with_duty(policy: Policy, **changes: object) -> Policy:
    return replace(policy, duty=replace(policy.duty, **changes))  # type: ignore[arg-type]


# ---------------------------------------------------------------- a deadline in the closure


def test_a_cp_deadline_inside_the_christmas_closure_is_met_by_a_duty_visit(
        camden: Policy) -> None:
    schedule = plan(christmas(camden, "H1", duty=(DutyShift("sw.duty", date(2026, 12, 30), 2),)))
    # After Thu 24 Dec the visit is due Sun 3 Jan; its target (a margin of a third of the 10
    # days) is Thu 31 Dec; the latest rota day up to it is Wed 30 Dec.
    assert [v.day for v in schedule.visits][:3] == [date(2026, 12, 18), date(2026, 12, 24),
                                                   date(2026, 12, 30)]
    (visit,) = [v for v in schedule.visits if DUTY_FLAG in v.flags]
    # In the duty worker's calendar and the household's team's, covering for sw.a.
    assert (visit.worker_id, visit.allocated_worker_id, visit.team) == ("sw.duty", "sw.a", "west")
    assert schedule.shortfalls == ()


def test_without_a_rota_the_shortfall_names_the_rota_days_that_would_meet_it(
        camden: Policy) -> None:
    schedule = plan(christmas(camden, "H1"))
    (gap,) = schedule.shortfalls
    assert (gap.deadline, gap.planned_on) == (date(2027, 1, 3), date(2027, 1, 4))
    assert gap.reason.endswith(f"no one on the duty rota on {ROTA_DAYS}")
    assert duty_visits(schedule) == []


def test_a_plan_type_the_policy_gives_no_duty_visits_stays_a_shortfall(camden: Policy) -> None:
    policy = with_duty(camden, plans=frozenset({PlanType.S47}))
    schedule = plan(christmas(policy, "H1",
                              duty=(DutyShift("sw.duty", date(2026, 12, 30), 2),)))
    (gap,) = schedule.shortfalls
    assert gap.planned_on == date(2027, 1, 4)
    assert "duty rota" not in gap.reason
    assert duty_visits(schedule) == []


def test_a_policy_with_no_duty_table_plans_no_duty_visits(camden: Policy) -> None:
    schedule = plan(christmas(replace(camden, duty=DutyRota()), "H1",
                              duty=(DutyShift("sw.duty", date(2026, 12, 30), 2),)))
    assert duty_visits(schedule) == []
    assert len(schedule.shortfalls) == 1


def test_an_s47_deadline_in_the_closure_uses_the_rota_too(camden: Policy) -> None:
    schedule = plan(christmas(camden, "H1", plan_type=PlanType.S47,
                              duty=(DutyShift("sw.duty", date(2026, 12, 29), 1),)))
    assert [d for d, _, _ in duty_visits(schedule)] == [date(2026, 12, 29)]
    assert schedule.shortfalls == ()


# ---------------------------------------------------------------- capacity and who


def test_a_duty_shift_makes_no_more_visits_than_its_visits(camden: Policy) -> None:
    schedule = plan(christmas(camden, "H1", "H2",
                              duty=(DutyShift("sw.duty", date(2026, 12, 30), 1),)))
    assert duty_visits(schedule) == [(date(2026, 12, 30), "sw.duty", "H1")]
    (gap,) = schedule.shortfalls
    # The one duty visit of 30 Dec is taken: no rota day is left free for H2.
    assert (gap.household, gap.deadline) == ("H2", date(2027, 1, 3))
    assert gap.reason.endswith(f"no one on the duty rota on {ROTA_DAYS}")


def test_the_allocated_worker_on_duty_makes_their_own_familys_duty_visit(
        camden: Policy) -> None:
    rota = (DutyShift("sw.duty", date(2026, 12, 31), 1), DutyShift("sw.a", date(2026, 12, 31), 1))
    schedule = plan(christmas(camden, "H1", duty=rota))
    assert duty_visits(schedule) == [(date(2026, 12, 31), "sw.a", "H1")]


def test_a_worker_absent_on_their_duty_day_makes_no_duty_visit(camden: Policy) -> None:
    from visitplanner.core.model import Absence

    request = christmas(camden, "H1", duty=(DutyShift("sw.duty", date(2026, 12, 30), 2),))
    request = replace(request, absences=(Absence("sw.duty", date(2026, 12, 30),
                                                 date(2026, 12, 30)),))
    schedule = plan(request)
    assert duty_visits(schedule) == []
    assert len(schedule.shortfalls) == 1


def test_the_duty_rota_never_visits_before_the_childs_plan_starts(camden: Policy) -> None:
    # A CP plan starting on Wed 30 Dec (never visited: due 10 days on, Sat 9 Jan); sw.a away
    # for the whole plan and sw.duty works only on the rota, on Mon 28 Dec: before the plan.
    newcomer = child("C1", "H1", PlanType.CP, start=date(2026, 12, 30),
                     conference_dates=(date(2026, 12, 30),))
    request = PlanRequest(camden, CLOSED, (newcomer,),
                          (worker("sw.a"), worker("sw.duty", days=())),
                          (Absence("sw.a", MONDAY_14_DEC, date(2027, 1, 10)),), (),
                          MONDAY_14_DEC, 4, seed=1,
                          duty=(DutyShift("sw.duty", date(2026, 12, 28), 2),))
    schedule = plan(request)
    assert duty_visits(schedule) == []
    assert [(s.rule_id, s.planned_on) for s in schedule.shortfalls
            if s.rule_id == "cp-cadence"] == [("cp-cadence", None)]


def test_a_duty_shift_on_a_working_day_is_not_used(camden: Policy) -> None:
    # Thu 24 Dec is a working day: the rota is for days the office is shut.
    schedule = plan(christmas(camden, "H1", duty=(DutyShift("sw.duty", date(2026, 12, 24), 2),)))
    assert duty_visits(schedule) == []


# ---------------------------------------------------------------- weekends


def test_a_weekend_duty_visit_is_planned_where_the_policy_allows_weekends(
        camden: Policy) -> None:
    rota = (DutyShift("sw.duty", date(2027, 1, 2), 1),)  # Saturday
    schedule = plan(christmas(with_duty(camden, weekends=True), "H1", duty=rota))
    # No rota day up to the target (Thu 31 Dec); then the latest up to Sun 3 Jan: Sat 2 Jan.
    assert duty_visits(schedule) == [(date(2027, 1, 2), "sw.duty", "H1")]
    assert schedule.shortfalls == ()


def test_a_weekend_duty_shift_is_not_used_where_the_policy_keeps_weekends_out(
        camden: Policy) -> None:
    rota = (DutyShift("sw.duty", date(2027, 1, 2), 1),)
    assert camden.duty.weekends is False
    schedule = plan(christmas(camden, "H1", duty=rota))
    assert duty_visits(schedule) == []
    (gap,) = schedule.shortfalls
    assert gap.reason.endswith(f"no one on the duty rota on {ROTA_DAYS}")


def test_a_weekend_counts_as_a_rota_day_in_the_shortfall_where_weekends_are_allowed(
        camden: Policy) -> None:
    schedule = plan(christmas(with_duty(camden, weekends=True), "H1"))
    (gap,) = schedule.shortfalls
    assert gap.reason.endswith("no one on the duty rota on Fri 25 Dec to Sun 03 Jan")


# ---------------------------------------------------------------- determinism and parts


def test_the_same_rota_gives_the_same_plan(camden: Policy) -> None:
    request = christmas(camden, "H1", "H2", duty=(DutyShift("sw.duty", date(2026, 12, 30), 1),
                                                  DutyShift("sw.a", date(2026, 12, 29), 1)))
    assert plan(request) == plan(request)


def test_each_part_gets_the_shifts_of_its_own_workers(camden: Policy) -> None:
    request = replace(christmas(camden, "H1"),
                      workers=(worker("sw.a"), worker("sw.b", team="team-b")),
                      duty=(DutyShift("sw.a", date(2026, 12, 30), 1),
                            DutyShift("sw.b", date(2026, 12, 30), 1)))
    parts = split(request)
    assert sorted(s.worker_id for p in parts for s in p.duty) == ["sw.a", "sw.b"]
    for part in parts:
        assert {s.worker_id for s in part.duty} <= {w.id for w in part.workers}


# ---------------------------------------------------------------- the policy format


POLICY = """
[policy]
id = "t"
name = "test"
[policy.documents]
t = "a test document"
{duty}
[[rules]]
id = "cp"
kind = "cadence"
every = "10 days"
source = {{ document = "t", section = "1", quote = "every 10 days" }}
"""


def test_the_duty_table_gives_plans_weekends_and_its_source() -> None:
    policy = parse_policy(POLICY.format(duty='[policy.duty]\nplans = ["CP"]\nweekends = true\n'
                                        'source = { document = "t", section = "1", '
                                        'quote = "q" }'), "t.toml")
    assert policy.duty.plans == {PlanType.CP} and policy.duty.weekends
    assert policy.duty.source is not None and policy.duty.source.quote == "q"


def test_a_policy_without_a_duty_table_gives_no_duty_visits() -> None:
    assert parse_policy(POLICY.format(duty=""), "t.toml").duty == DutyRota()


@pytest.mark.parametrize(("table", "says"), [
    ('plans = ["CP"]', "missing source"),
    ('plans = ["XX"]\nsource = { document = "t", section = "1", quote = "q" }', "plan type"),
    ('plans = ["CP"]\nsource = { document = "nope", section = "1", quote = "q" }',
     "not in [policy.documents]"),
    ('plans = ["CP"]\nweekend = true\nsource = { document = "t", section = "1", quote = "q" }',
     "unknown key"),
])
def test_a_wrong_duty_table_is_a_problem_that_says_what_is_wrong(table: str, says: str) -> None:
    with pytest.raises(PolicyError) as raised:
        parse_policy(POLICY.format(duty=f"[policy.duty]\n{table}"), "t.toml")
    assert says in " ".join(f"{p.where} {p.what}" for p in raised.value.problems)


def test_camden_gives_duty_visits_to_cp_and_s47_on_weekdays_the_office_is_shut(
        camden: Policy) -> None:
    assert camden.duty.plans == {PlanType.CP, PlanType.S47}
    assert camden.duty.weekends is False
    assert camden.duty.covers_day(date(2026, 12, 29), CLOSED)  # a closure
    assert camden.duty.covers_day(date(2026, 12, 28), CLOSED)  # Boxing Day (observed)
    assert not camden.duty.covers_day(date(2026, 12, 26), CLOSED)  # a Saturday
    assert not camden.duty.covers_day(date(2026, 12, 24), CLOSED)  # a working day


# ---------------------------------------------------------------- the Camden example


def christmas_shortfalls(schedule: Schedule) -> list[date]:
    return [s.deadline for s in schedule.shortfalls
            if date(2026, 12, 24) <= s.deadline <= date(2027, 1, 4)]


def test_the_camden_example_with_its_christmas_rota_has_no_christmas_shortfalls() -> None:
    schedule = make_plan(load_workspace(EXAMPLE), date(2026, 11, 23))
    assert christmas_shortfalls(schedule) == []
    assert duty_visits(schedule)


def test_the_camden_example_without_its_rota_names_the_rota_days_for_each_christmas_gap() -> None:
    workspace = replace(load_workspace(EXAMPLE), duty=())
    schedule = make_plan(workspace, date(2026, 11, 23))
    gaps = [s for s in schedule.shortfalls if s.deadline in christmas_shortfalls(schedule)]
    assert len(gaps) > 30
    assert all("no one on the duty rota on Fri 25 Dec, Mon 28 Dec to" in s.reason for s in gaps)

"""The oracle is a second implementation of the visiting rules: it is right on hand-worked dates.

Every date below is worked out by hand.  England's bank holidays around Christmas 2026:
Fri 25 Dec, Mon 28 Dec (Boxing Day observed), Fri 1 Jan 2027; Easter 2027: Fri 26 Mar and
Mon 29 Mar.  ``SHUT`` adds Camden's closures, 29-31 December 2026.  Deadlines are inclusive.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from oracle.calendar import Days
from oracle.faults import NeedlessCover
from oracle.inputs import SHAPES_POLICY, Caseload
from oracle.intervals import interval_end
from oracle.judge import Verdict, judge
from oracle.obligations import Lapse

from visitplanner.core.model import (
    LONDON,
    Absence,
    Child,
    ChildChecks,
    DutyShift,
    Outcome,
    PlannedVisit,
    PlanType,
    Reason,
    RecordedVisit,
    Role,
    Schedule,
    Shortfall,
    VisitKind,
    Worker,
)
from visitplanner.core.policy import Counting, Interval, Policy, Unit, load_policy
from visitplanner.core.timeslots import TimeSettings, TimeWindow

REPO_ROOT = Path(__file__).resolve().parents[2]
CAMDEN = load_policy("camden", REPO_ROOT)
SHAPES = load_policy(str(SHAPES_POLICY), REPO_ROOT)
SHUT = frozenset({date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)})
TIMES = TimeSettings(windows=(
    TimeWindow("early_morning", datetime(1, 1, 1, 8).time(), datetime(1, 1, 1, 9, 30).time()),
    TimeWindow("school_hours", datetime(1, 1, 1, 10).time(), datetime(1, 1, 1, 14, 30).time()),
    TimeWindow("after_school", datetime(1, 1, 1, 15, 30).time(), datetime(1, 1, 1, 18).time())))
DAY_0, DAY_1 = Counting.DAY_0, Counting.DAY_1


def at(text: str, hour: int = 10, minute: int = 0) -> datetime:
    """``"2026-11-16"`` at ``hour:minute`` London time."""
    return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=LONDON) \
        .replace(hour=hour, minute=minute)


def end(anchor: datetime, count: int, unit: Unit, counting: Counting = DAY_0,
        closures: frozenset[date] = frozenset()) -> date:
    return interval_end(anchor, Interval(count, unit), CAMDEN, counting, Days("ENG", closures))


# ---------------------------------------------------------------- independence

ORACLE = REPO_ROOT / "tests" / "oracle"
#: What the oracle may take from visitplanner: data types and the policy loader, no logic.
ALLOWED = frozenset({"visitplanner.core.model", "visitplanner.core.policy",
                     "visitplanner.core.timeslots"})
#: The two modules that build and plan caseloads may also use the planner and its calendar.
PLANNING = {"trial.py": ALLOWED | {"visitplanner.core.planning", "visitplanner.core.workdays"}}


def visitplanner_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    return {name for name in names if name.split(".")[0] == "visitplanner"}


@pytest.mark.parametrize("path", sorted(ORACLE.glob("*.py")), ids=lambda p: p.name)
def test_the_oracle_shares_no_rule_logic_with_the_planner(path: Path) -> None:
    assert visitplanner_imports(path) <= PLANNING.get(path.name, ALLOWED)


# ---------------------------------------------------------------- working days and intervals


def test_christmas_bank_holidays_and_closures_are_not_working_days() -> None:
    days = Days("ENG", SHUT)
    assert days.is_working_day(date(2026, 12, 24))
    assert not any(days.is_working_day(date(2026, 12, d)) for d in (25, 28, 29, 30, 31))
    assert not days.is_working_day(date(2027, 1, 1))
    assert days.next_working_day(date(2026, 12, 24)) == date(2027, 1, 4)


def test_each_region_has_its_own_bank_holidays() -> None:
    assert Days("ENG").is_working_day(date(2026, 1, 2))
    assert not Days("SCT").is_working_day(date(2026, 1, 2))  # New Year holiday, Scotland


def test_15_working_days_from_thursday_17_december_2026_skip_christmas_and_the_closures() -> None:
    thursday = at("2026-12-17")
    # 18, 21-24 Dec (5); 4-8 Jan (10); 11-15 Jan (15)
    assert end(thursday, 15, Unit.WORKING_DAYS, DAY_0, SHUT) == date(2027, 1, 15)
    # the visit day is day 1: the 14th working day after it
    assert end(thursday, 15, Unit.WORKING_DAYS, DAY_1, SHUT) == date(2027, 1, 14)
    # without the closures 29-31 Dec are working days: 18, 21-24, 29-31 Dec, 4-8 Jan, 11-12 Jan
    assert end(thursday, 15, Unit.WORKING_DAYS, DAY_0) == date(2027, 1, 12)


def test_a_saturday_visit_is_not_day_1_of_a_working_day_interval() -> None:
    # Sat 7 Nov 2026: the 5th working day after it is Fri 13 Nov, under either convention
    assert end(at("2026-11-07"), 5, Unit.WORKING_DAYS, DAY_1) == date(2026, 11, 13)
    assert end(at("2026-11-07"), 5, Unit.WORKING_DAYS, DAY_0) == date(2026, 11, 13)
    # Mon 9 Nov is day 1 (so Fri 13 Nov), or day 0 (so Mon 16 Nov)
    assert end(at("2026-11-09"), 5, Unit.WORKING_DAYS, DAY_1) == date(2026, 11, 13)
    assert end(at("2026-11-09"), 5, Unit.WORKING_DAYS, DAY_0) == date(2026, 11, 16)
    # Sat 19 Dec 2026 + 15 working days over Christmas, day 1: 21-24 Dec, 4-8, 11-15, 18 Jan
    assert end(at("2026-12-19"), 15, Unit.WORKING_DAYS, DAY_1, SHUT) == date(2027, 1, 18)


def test_one_working_day_from_a_working_day_under_day_1_is_the_day_itself() -> None:
    assert end(at("2026-11-10"), 1, Unit.WORKING_DAYS, DAY_1) == date(2026, 11, 10)


def test_calendar_days_and_weeks_count_the_visit_day_as_day_0_or_day_1() -> None:
    assert end(at("2026-11-02"), 10, Unit.CALENDAR_DAYS, DAY_0) == date(2026, 11, 12)
    assert end(at("2026-11-02"), 10, Unit.CALENDAR_DAYS, DAY_1) == date(2026, 11, 11)
    assert end(at("2026-11-02"), 6, Unit.WEEKS, DAY_0) == date(2026, 12, 14)
    assert end(at("2026-11-02"), 6, Unit.WEEKS, DAY_1) == date(2026, 12, 13)


def test_a_bare_days_interval_takes_the_policys_days_setting() -> None:
    # Shapesville reads "N days" as working days: Mon 9 Nov + 5 days, day 1, is Fri 13 Nov
    assert interval_end(at("2026-11-09"), Interval(5, Unit.DAYS), SHAPES, DAY_1, Days("ENG")) \
        == date(2026, 11, 13)
    # Camden reads them as calendar days
    assert end(at("2026-11-09"), 5, Unit.DAYS) == date(2026, 11, 14)


def test_months_from_31_january_end_on_the_last_day_of_a_shorter_month() -> None:
    assert end(at("2027-01-31"), 1, Unit.MONTHS, DAY_0) == date(2027, 2, 28)
    assert end(at("2027-01-31"), 1, Unit.MONTHS, DAY_1) == date(2027, 2, 27)
    assert end(at("2027-01-31"), 3, Unit.MONTHS, DAY_0) == date(2027, 4, 30)
    assert end(at("2028-01-31"), 1, Unit.MONTHS, DAY_0) == date(2028, 2, 29)


def test_hours_are_real_hours_across_the_clock_change() -> None:
    # Sat 27 Mar 2027 23:30 GMT + 24 h = Sun 28 Mar 23:30 UTC = Mon 29 Mar 00:30 BST
    assert end(at("2027-03-27", 23, 30), 24, Unit.HOURS) == date(2027, 3, 29)
    assert end(at("2027-03-27", 23, 30), 24, Unit.HOURS, DAY_1) == date(2027, 3, 29)


# ---------------------------------------------------------------- a small caseload to judge

SW = Worker("w1", "Worker 1", "w1@example.org", "t", Role.SOCIAL_WORKER, visits_per_day=3)


def child(ref: str = "C-0001", household: str = "H1", plan: PlanType = PlanType.CIN,
          **details: object) -> Child:
    values: dict[str, object] = {
        "birth_date": date(2015, 5, 5), "plan_start": date(2026, 9, 1), "allocated_worker": "w1",
        "education": "none"} | details
    return Child(ref, household, f"Child {ref}", plan_type=plan, **values)  # type: ignore[arg-type]


def recorded(day: str, outcome: Outcome = Outcome.COMPLETED, *, ref: str = "C-0001",
             announced: bool = True, checks: frozenset[str] = frozenset(), hour: int = 10,
             worker: str = "w1") -> RecordedVisit:
    return RecordedVisit(f"R-{day}-{ref}", ref, at(day, hour), worker, announced=announced,
                         outcome=outcome, checks=checks)


def planned(vid: str, day: str, hour: int = 10, *, household: str = "H1",
            refs: tuple[str, ...] = ("C-0001",), worker: str = "w1", minute: int = 0,
            checks: tuple[str, ...] = (), due_by: str | None = None,
            rules: tuple[str, ...] = ()) -> PlannedVisit:
    start = at(day, hour, minute)
    return PlannedVisit(
        vid, household, refs, start, start + timedelta(hours=1), worker, "t", VisitKind.ROUTINE,
        True, tuple(ChildChecks(r, checks) for r in refs), date.fromisoformat(due_by or day),
        tuple(Reason(rule, refs[0], date.fromisoformat(day), "") for rule in rules))


def caseload(policy: Policy, children: tuple[Child, ...], visits: tuple[RecordedVisit, ...] = (),
             today: str = "2026-12-01", weeks: int = 6, workers: tuple[Worker, ...] = (SW,),
             absences: tuple[Absence, ...] = (), closures: frozenset[date] = frozenset()
             ) -> Caseload:
    return Caseload(policy, "ENG", closures, children, workers, absences, visits,
                    date.fromisoformat(today), weeks, 1, TIMES)


def verdict(load: Caseload, visits: tuple[PlannedVisit, ...] = (),
            shortfalls: tuple[Shortfall, ...] = ()) -> Verdict:
    schedule = Schedule(load.today, load.today, load.plan_end, 1, visits, shortfalls)
    return judge(load, schedule)


def lapses_of(result: Verdict, rule_id: str) -> list[Lapse]:
    return sorted((la for la in result.lapses if la.rule_id == rule_id), key=lambda la: la.deadline)


def deadlines(result: Verdict, rule_id: str, open_only: bool = False) -> list[date]:
    return [la.deadline for la in lapses_of(result, rule_id) if la.is_open or not open_only]


# ---------------------------------------------------------------- which visits count


def test_a_cancelled_unannounced_visit_does_not_count_toward_the_unannounced_quota() -> None:
    history = (recorded("2026-09-02"), recorded("2026-11-20", Outcome.CANCELLED, announced=False))
    # from the plan start, Tue 1 Sep 2026 + 3 months (day 0) = Tue 1 Dec 2026, never met
    result = verdict(caseload(CAMDEN, (child(),), history))
    assert deadlines(result, "cin-unannounced", open_only=True) == [date(2026, 12, 1)]


def test_an_unannounced_visit_where_the_child_was_not_seen_counts_toward_the_quota() -> None:
    history = (recorded("2026-09-02"), recorded("2026-11-20", Outcome.NOT_SEEN, announced=False))
    # met on 20 Nov; the next window ends 20 Feb 2027, after the plan end (12 Jan)
    assert deadlines(verdict(caseload(CAMDEN, (child(),), history)), "cin-unannounced") == []


def test_a_planned_visit_counts_as_a_completed_home_visit_and_meets_a_deadline_late() -> None:
    # Camden CIN: 15 working days from Wed 2 Sep 2026 (day 0) = Wed 23 Sep; nothing until then
    history = (recorded("2026-09-02"),)
    result = verdict(caseload(CAMDEN, (child(),), history, today="2026-09-28"),
                     (planned("v1", "2026-09-29"),))
    cadence, after_it = lapses_of(result, "cin-cadence")
    assert (cadence.deadline, cadence.is_open) == (date(2026, 9, 23), True)
    assert cadence.met_by is not None and cadence.met_by.visit_id == "v1"
    # then 15 working days from Tue 29 Sep = Tue 20 Oct, with no visit planned by then
    assert (after_it.deadline, after_it.met_by) == (date(2026, 10, 20), None)


def test_a_deadline_met_late_by_a_recorded_visit_is_history_not_an_open_lapse() -> None:
    history = (recorded("2026-09-02"), recorded("2026-09-25"))
    result = verdict(caseload(CAMDEN, (child(),), history, today="2026-09-28"))
    assert deadlines(result, "cin-cadence") == [date(2026, 9, 23), date(2026, 10, 16)]
    assert deadlines(result, "cin-cadence", open_only=True) == [date(2026, 10, 16)]


# ---------------------------------------------------------------- cadences in working days, day 1


@pytest.mark.parametrize(("visit_day", "due"), [
    ("2026-11-06", date(2026, 11, 19)),  # Fri 6 Nov is day 1: 9 more working days
    ("2026-11-07", date(2026, 11, 20)),  # Sat 7 Nov is no day 1: the 10th working day after it
])
def test_shapesville_cin_cadence_counts_the_visit_day_as_day_1_only_on_a_working_day(
        visit_day: str, due: date) -> None:
    # plan start Sun 1 Nov 2026: due by Fri 13 Nov (10 working days after it), met by the visit
    load = caseload(SHAPES, (child(plan_start=date(2026, 11, 1)),), (recorded(visit_day),),
                    today="2026-11-09")
    assert deadlines(verdict(load), "cin-cadence", open_only=True) == [due]


def test_a_visit_frequency_set_by_conference_tightens_the_cadence() -> None:
    cp = child(plan=PlanType.CP, visit_frequency_days=6, conference_dates=(date(2026, 9, 1),))
    load = caseload(CAMDEN, (cp,), (recorded("2026-11-02"),), today="2026-11-03")
    # Camden cp-cadence: every 10 days, tightened to 6: Mon 2 Nov + 6 = Sun 8 Nov
    assert deadlines(verdict(load), "cp-cadence", open_only=True) == [date(2026, 11, 8)]


def test_a_rule_that_starts_on_a_birthday_is_due_on_the_birthday() -> None:
    # Shapesville: seen alone every 6 weeks from the 3rd birthday.  Born 20 Nov 2023, last seen
    # alone on Tue 1 Sep 2026, aged 2: 6 weeks (day 1) end Mon 12 Oct, when the rule does not
    # apply yet; it starts on the 3rd birthday, Fri 20 Nov 2026: that is the deadline.  The
    # visit of 2 Nov did not see the child alone, so it does not count.
    young = child(birth_date=date(2023, 11, 20))
    history = (recorded("2026-09-01", checks=frozenset({"seen_alone"})), recorded("2026-11-02"))
    load = caseload(SHAPES, (young,), history, today="2026-11-03")
    assert deadlines(verdict(load), "seen-alone-six-weeks") == [date(2026, 11, 20)]


# ---------------------------------------------------------------- checks


def bedroom_visits(*days: str, bedroom_on: tuple[str, ...] = ()) -> tuple[RecordedVisit, ...]:
    return tuple(recorded(d, checks=frozenset({"bedroom"} if d in bedroom_on else set()))
                 for d in days)


def test_the_first_two_visits_may_lack_an_every_third_visit_check() -> None:
    load = caseload(CAMDEN, (child(),), bedroom_visits("2026-09-02", "2026-09-16"),
                    today="2026-09-20")
    assert deadlines(verdict(load), "cin-bedroom-every-third-visit") == []


def test_an_every_third_visit_check_missed_in_the_recorded_history_is_an_open_lapse() -> None:
    load = caseload(CAMDEN, (child(),),
                    bedroom_visits("2026-09-02", "2026-09-16", "2026-09-30"), today="2026-10-05")
    result = verdict(load)
    assert deadlines(result, "cin-bedroom-every-third-visit", open_only=True) == [
        date(2026, 9, 30)]
    assert [la.key for la in result.silent_breaches
            if la.rule_id == "cin-bedroom-every-third-visit"] == [
        ("C-0001", "cin-bedroom-every-third-visit", date(2026, 9, 30))]


def test_a_missed_check_made_up_at_a_planned_visit_is_still_open() -> None:
    load = caseload(CAMDEN, (child(),),
                    bedroom_visits("2026-09-02", "2026-09-16", "2026-09-30"), today="2026-10-05")
    result = verdict(load, (planned("v1", "2026-10-06", checks=("bedroom",)),))
    [miss] = lapses_of(result, "cin-bedroom-every-third-visit")
    assert (miss.deadline, miss.is_open) == (date(2026, 9, 30), True)


def test_a_missed_check_made_up_at_a_recorded_visit_is_history() -> None:
    days = ("2026-09-02", "2026-09-16", "2026-09-30", "2026-10-02")
    load = caseload(CAMDEN, (child(),), bedroom_visits(*days, bedroom_on=("2026-10-02",)),
                    today="2026-10-05")
    [miss] = lapses_of(verdict(load), "cin-bedroom-every-third-visit")
    assert (miss.deadline, miss.is_open) == (date(2026, 9, 30), False)


def test_a_run_of_misses_is_one_lapse_from_its_first_miss() -> None:
    # every second visit (Shapesville bedroom): misses at the 2nd, 3rd and 4th visit: one lapse
    days = ("2026-09-02", "2026-09-09", "2026-09-16", "2026-09-23")
    load = caseload(SHAPES, (child(),), bedroom_visits(*days), today="2026-09-28")
    assert deadlines(verdict(load), "bedroom-every-second-visit") == [date(2026, 9, 9)]


def unborn(due: str) -> Child:
    return child("C-0002", "H2", PlanType.CP, birth_date=None, due_date=date.fromisoformat(due),
                 plan_start=date(2026, 10, 1), conference_dates=(date(2026, 10, 1),))


def test_an_unborn_child_due_inside_the_horizon_is_seen_awake_6_weeks_after_the_due_date() -> None:
    # Camden cp-seen-awake-under-3: due Thu 10 Dec 2026 + 6 weeks (day 0) = Thu 21 Jan 2027
    result = verdict(caseload(CAMDEN, (unborn("2026-12-10"),), weeks=13))
    assert deadlines(result, "cp-seen-awake-under-3") == [date(2027, 1, 21)]


def test_checks_on_the_child_are_not_owed_at_a_visit_before_the_birth() -> None:
    load = caseload(CAMDEN, (unborn("2026-12-10"),), weeks=13)
    before = planned("v1", "2026-12-03", household="H2", refs=("C-0002",))
    after = planned("v2", "2026-12-15", household="H2", refs=("C-0002",))
    # the pre-birth visit lacks the injuries check without a lapse; the one after does not
    assert deadlines(verdict(load, (before,)), "cp-injuries") == []
    assert deadlines(verdict(load, (before, after)), "cp-injuries") == [date(2026, 12, 15)]
    # a check on the home is owed before the birth: food at every visit
    assert deadlines(verdict(load, (before,)), "cp-food-in-cupboards") == [date(2026, 12, 3)]


def test_the_bedroom_is_seen_between_two_conferences_by_the_day_before_the_next() -> None:
    cp = child(plan=PlanType.CP, conference_dates=(date(2026, 9, 1), date(2026, 12, 8)))
    history = (recorded("2026-11-20", checks=frozenset({"sleeping_arrangements"})),)
    result = verdict(caseload(CAMDEN, (cp,), history))
    assert deadlines(result, "cp-bedroom-between-conferences") == [date(2026, 12, 7)]
    assert deadlines(result, "cp-sleeping-arrangements") == []


# ---------------------------------------------------------------- re-visits


def test_each_failed_visit_owes_a_revisit_within_3_working_days() -> None:
    # Camden cin-revisit: no access Fri 6 Nov 2026 -> Wed 11 Nov; not seen Mon 9 Nov -> Thu 12
    history = (recorded("2026-11-06", Outcome.NO_ACCESS), recorded("2026-11-09", Outcome.NOT_SEEN))
    result = verdict(caseload(CAMDEN, (child(),), history, today="2026-11-16"))
    assert deadlines(result, "cin-revisit", open_only=True) == [
        date(2026, 11, 11), date(2026, 11, 12)]


def test_two_failures_in_a_row_owe_a_visit_within_3_days_of_the_first() -> None:
    # Shapesville: not seen Mon 2 Nov and Wed 4 Nov 2026: 3 days from the first (day 1) = Wed 4
    history = (recorded("2026-11-02", Outcome.NOT_SEEN), recorded("2026-11-04", Outcome.NOT_SEEN))
    result = verdict(caseload(SHAPES, (child(),), history, today="2026-11-06"))
    assert deadlines(result, "revisit-after-two-not-seen") == [date(2026, 11, 4)]
    # a single failure owes nothing under this rule
    once = verdict(caseload(SHAPES, (child(),), history[:1], today="2026-11-06"))
    assert deadlines(once, "revisit-after-two-not-seen") == []


# ---------------------------------------------------------------- reports


def test_a_reported_lapse_is_no_silent_breach_and_an_unmatched_shortfall_is_a_false_alarm() -> None:
    load = caseload(CAMDEN, (child(),),
                    bedroom_visits("2026-09-02", "2026-09-16", "2026-09-30"), today="2026-10-05")
    reported = Shortfall("C-0001", "H1", "cin-bedroom-every-third-visit", date(2026, 9, 30),
                         None, 5, "missed")
    wrong = replace(reported, deadline=date(2026, 10, 1))
    result = verdict(load, shortfalls=(reported, wrong))
    assert "cin-bedroom-every-third-visit" not in {la.rule_id for la in result.silent_breaches}
    assert result.false_alarms == (wrong,)


# ---------------------------------------------------------------- planting faults

PART_TIME = Worker("w1", "Worker 1", "w1@example.org", "t", Role.SOCIAL_WORKER,
                   frozenset({0, 1, 2, 3}), 1)
FULL_TIME = Worker("w3", "Worker 3", "w3@example.org", "t", Role.SOCIAL_WORKER, visits_per_day=3)
HEALTH = Worker("w2", "Worker 2", "w2@example.org", "t", Role.HEALTH_VISITOR)
SUPPORT = Worker("w4", "Worker 4", "w4@example.org", "t", Role.FAMILY_SUPPORT_WORKER)
SCHOOL_HOUSEHOLD = (child("C-0001", "H1", education="school", birth_date=date(2018, 3, 3)),
                    child("C-0002", "H1", birth_date=date(2024, 6, 6)))
BABY = child("C-0003", "H2", birth_date=date(2025, 6, 6), allocated_worker="w3")


def fault_load(absences: tuple[Absence, ...] = (), history: tuple[RecordedVisit, ...] = ()
               ) -> Caseload:
    """Mon 16 Nov to Sun 29 Nov 2026; Thu 26 Nov a closure; w3 away on Wed 18 Nov."""
    return caseload(CAMDEN, (*SCHOOL_HOUSEHOLD, BABY), history, today="2026-11-16", weeks=2,
                    workers=(PART_TIME, HEALTH, FULL_TIME, SUPPORT),
                    absences=(Absence("w3", date(2026, 11, 18), date(2026, 11, 18)), *absences),
                    closures=frozenset({date(2026, 11, 26)}))


def baby_visit(vid: str, day: str, hour: int = 10, worker: str = "w3", **more: object
               ) -> PlannedVisit:
    return planned(vid, day, hour, household="H2", refs=("C-0003",), worker=worker,
                   **more)  # type: ignore[arg-type]


def fault_kinds(*visits: PlannedVisit) -> set[str]:
    return {f.kind for f in verdict(fault_load(), visits).faults}


def test_a_well_placed_visit_has_no_fault() -> None:
    assert fault_kinds(baby_visit("v", "2026-11-17")) == set()
    assert fault_kinds(baby_visit("v", "2026-11-17", 8)) == set()  # in the early morning window


@pytest.mark.parametrize(("visit", "kind"), [
    (baby_visit("v", "2026-11-26"), "not_a_working_day"),
    (baby_visit("v", "2026-11-20", worker="w1"), "worker_day_off"),
    (baby_visit("v", "2026-11-18"), "worker_absent"),
    (baby_visit("v", "2026-11-30"), "outside_horizon"),
    (baby_visit("v", "2026-11-19", 19), "outside_hours"),
    (baby_visit("v", "2026-11-23", worker="w2"), "role_never_plans"),
    (baby_visit("v", "2026-11-17", worker="w4", rules=("s47-cin-floor",)), "role_does_not_count"),
    (planned("v", "2026-11-24", 11, refs=("C-0001", "C-0002"), worker="w3"), "not_after_school"),
    (planned("v", "2026-11-25", 16, refs=("C-0001",), worker="w3"), "siblings_split"),
])
def test_a_planted_fault_is_found(visit: PlannedVisit, kind: str) -> None:
    assert fault_kinds(visit) == {kind}


def test_a_visit_on_a_saturday_is_off_the_authoritys_and_the_workers_days() -> None:
    assert fault_kinds(baby_visit("v", "2026-11-21")) == {"not_a_working_day", "worker_day_off"}


def test_a_worker_over_capacity_or_double_booked_is_a_fault() -> None:
    assert fault_kinds(baby_visit("a", "2026-11-16", worker="w1"),
                       baby_visit("b", "2026-11-16", 14, worker="w1")) == {"over_capacity"}
    assert fault_kinds(baby_visit("a", "2026-11-17"),
                       baby_visit("b", "2026-11-17", 10, minute=30)) == {"overlap"}


def test_a_household_with_a_child_at_school_is_visited_after_school() -> None:
    assert fault_kinds(planned("v", "2026-11-24", 15, minute=30, refs=("C-0001", "C-0002"),
                               worker="w3")) == set()


def test_more_home_visits_in_a_week_than_an_at_most_quota_allows_is_a_fault() -> None:
    cp = child(plan=PlanType.CP, conference_dates=(date(2026, 9, 1),))
    load = caseload(SHAPES, (cp,), (recorded("2026-11-16", hour=9),), today="2026-11-16")
    # Shapesville: at most 2 home visits in any 7 days (16-22 Nov, the visit day being day 1)
    two = verdict(load, (planned("a", "2026-11-17"),))
    three = verdict(load, (planned("a", "2026-11-17"), planned("b", "2026-11-20", 16)))
    assert at_most_faults(two) == []
    assert {(f.kind, f.visit_id) for f in three.faults if f.kind == "at_most_quota"} == {
        ("at_most_quota", "a"), ("at_most_quota", "b")}
    # a visit on Mon 23 Nov starts a new window
    apart = verdict(load, (planned("a", "2026-11-17"), planned("b", "2026-11-23")))
    assert at_most_faults(apart) == []


def at_most_faults(result: Verdict) -> list[str]:
    return [f.kind for f in result.faults if f.kind == "at_most_quota"]


CP_CHILD = child("C-0005", "H3", plan=PlanType.CP, conference_dates=(date(2026, 9, 1),),
                 allocated_worker="w3")


def duty_faults(*visits: PlannedVisit, shifts: tuple[DutyShift, ...] = (
        DutyShift("w3", date(2026, 11, 26), 1), DutyShift("w3", date(2026, 11, 21), 2)),
                plan: PlanType = PlanType.CP) -> set[str]:
    """Faults of duty visits to a CP household (Camden's duty table: CP and S47, weekdays
    the office is shut) with w3 on the rota for the closure on Thu 26 Nov and Sat 21 Nov."""
    load = replace(fault_load(), children=(replace(CP_CHILD, plan_type=plan),), duty=shifts)
    return {f.kind for f in verdict(load, tuple(replace(v, flags=("duty",)) for v in visits)
                                    ).faults}


def cp_visit(vid: str, day: str, hour: int = 10, worker: str = "w3") -> PlannedVisit:
    return planned(vid, day, hour, household="H3", refs=("C-0005",), worker=worker)


def test_a_duty_visit_on_a_closure_by_the_worker_on_duty_has_no_fault() -> None:
    assert duty_faults(cp_visit("v", "2026-11-26")) == set()


@pytest.mark.parametrize(("visit", "shifts", "kinds"), [
    (cp_visit("v", "2026-11-25"), None, {"duty_on_open_day", "duty_off_rota"}),
    (cp_visit("v", "2026-11-26", worker="w4"), None, {"duty_off_rota"}),
    (cp_visit("v", "2026-11-21"), None, {"duty_at_weekend"}),
    (cp_visit("v", "2026-11-26"), (), {"duty_off_rota"}),
])
def test_a_duty_visit_off_the_rota_or_on_a_day_the_rota_does_not_visit_is_a_fault(
        visit: PlannedVisit, shifts: tuple[DutyShift, ...] | None, kinds: set[str]) -> None:
    assert duty_faults(visit, **({} if shifts is None else {"shifts": shifts})) == kinds


def test_a_duty_shift_makes_no_more_visits_than_it_gives() -> None:
    assert duty_faults(cp_visit("a", "2026-11-26"), cp_visit("b", "2026-11-26", 14)) == \
        {"over_capacity"}


def test_the_duty_rota_visits_only_the_plan_types_the_policy_lists() -> None:
    assert duty_faults(cp_visit("v", "2026-11-26"), plan=PlanType.CIN) == {"duty_plan_type"}


def test_an_announced_visit_sooner_than_the_notice_must_say_so() -> None:
    cp = child(plan=PlanType.CP, conference_dates=(date(2026, 9, 1),))
    load = caseload(SHAPES, (cp,), (recorded("2026-11-13", hour=9),), today="2026-11-16")
    # Shapesville gives 48 hours' notice, from 00:00 Tue 17 Nov: visits before Thu 19 Nov 00:00.
    soon = planned("a", "2026-11-18", 17)
    assert notice_faults(verdict(load, (soon,))) == ["short_notice"]
    assert notice_faults(verdict(load, (replace(soon, flags=("short_notice",)),))) == []
    assert notice_faults(verdict(load, (replace(soon, announced=False),))) == []
    later = planned("b", "2026-11-19", 9)
    assert notice_faults(verdict(load, (later,))) == []
    assert notice_faults(verdict(load, (replace(later, flags=("short_notice",)),))) \
        == ["short_notice"]


def notice_faults(result: Verdict) -> list[str]:
    return [f.kind for f in result.faults if f.kind == "short_notice"]


# ---------------------------------------------------------------- needless cover


def cover(load: Caseload, *visits: PlannedVisit) -> list[NeedlessCover]:
    return list(verdict(load, visits).needless_cover)


def test_a_cover_visit_while_the_allocated_worker_had_room_is_needless() -> None:
    # the baby's worker is w3; w1 covers on Thu 19 Nov although w3 was free on Mon 16 Nov
    [needless] = cover(fault_load(), baby_visit("v", "2026-11-19", worker="w1"))
    assert (needless.allocated_id, needless.room_on) == ("w3", date(2026, 11, 16))


def test_cover_is_needed_while_the_allocated_worker_is_away() -> None:
    away = (Absence("w3", date(2026, 11, 16), date(2026, 11, 19)),)
    assert cover(fault_load(away), baby_visit("v", "2026-11-19", worker="w1")) == []


def test_room_only_counts_from_halfway_between_the_last_visit_and_the_due_date() -> None:
    # last visit Fri 13 Nov, due by Fri 27 Nov: halfway is Fri 20 Nov, after the cover day
    history = (recorded("2026-11-13", ref="C-0003"),)
    visit = baby_visit("v", "2026-11-19", worker="w1", due_by="2026-11-27")
    assert cover(fault_load(history=history), visit) == []

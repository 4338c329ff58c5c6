"""Properties of plan() over random caseloads, staffing, absences and recorded histories.

Every schedule is judged by the independent checker in ``tests/planner_checks.py``:
no visit on a day off, no worker over capacity or double-booked, every lapse
reported, unannounced quotas and checks kept, and the same inputs and seed
giving the same plan byte for byte.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from planner_checks import (
    Infeasible,
    Inputs,
    all_violations,
    check_violations,
    minimum_visits,
    off_day_violations,
    quota_violations,
    unreported_lapses,
)

from visitplanner.core.model import (
    LONDON,
    Absence,
    Child,
    Outcome,
    PlanType,
    RecordedVisit,
    Role,
    Worker,
)
from visitplanner.core.planning import PlanRequest, plan
from visitplanner.core.policy import Policy, load_policy
from visitplanner.core.policy.model import Rule, RuleKind
from visitplanner.core.rules import Context, deadlines, facts_from_records
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.inputs.planstore import schedule_to_json

REPO_ROOT = Path(__file__).resolve().parents[2]
POLICIES = {name: load_policy(name, REPO_ROOT) for name in ("camden", "walsall")}
CHRISTMAS_CLOSURES = frozenset({date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31),
                                date(2027, 12, 29), date(2027, 12, 30), date(2027, 12, 31)})
CALENDARS = {closed: WorkingCalendar("ENG", CHRISTMAS_CLOSURES if closed else frozenset())
             for closed in (False, True)}
TEAM = "north"
PLAN_SETTINGS = settings(max_examples=40, deadline=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
CHECKS = ("seen_alone", "seen_awake", "bedroom", "kitchen", "bathroom", "food", "injuries",
          "household_changes", "sleeping_arrangements", "living_arrangements", "network_contact")
# Today is drawn near the holidays often: Christmas/New Year and Easter 2027 (26-29 March).
TODAYS = st.one_of(
    st.dates(date(2026, 1, 5), date(2027, 11, 30)),
    st.dates(date(2026, 12, 1), date(2026, 12, 28)),
    st.dates(date(2027, 3, 8), date(2027, 3, 29)),
)


#: The most households a random caseload has.
MAX_HOUSEHOLDS = 8


def worker_strategy(index: int, full_time: bool) -> st.SearchStrategy[Worker]:
    roles = st.sampled_from([Role.SOCIAL_WORKER, Role.SOCIAL_WORKER, Role.SENIOR_SOCIAL_WORKER,
                             Role.FAMILY_SUPPORT_WORKER, Role.HEALTH_VISITOR])
    days = st.just(frozenset(range(5))) if full_time else st.one_of(
        st.just(frozenset(range(5))),
        st.frozensets(st.integers(0, 4), min_size=2, max_size=4))
    return st.builds(Worker, id=st.just(f"w{index}"), name=st.just(f"Worker {index}"),
                     email=st.just(f"w{index}@example.org"), team=st.just(TEAM), role=roles,
                     working_days=days, visits_per_day=st.integers(1, 4))


@st.composite
def workers_strategy(draw: st.DrawFn, low: int, high: int, full_time: bool = False,
                     manager: bool | None = None) -> tuple[Worker, ...]:
    count = draw(st.integers(low, high))
    staff = [draw(worker_strategy(i, full_time)) for i in range(count)]
    staff[0] = replace(staff[0], role=Role.SOCIAL_WORKER)  # someone can always make a CP visit
    if manager if manager is not None else draw(st.booleans()):
        staff.append(Worker("tm", "Team Manager", "tm@example.org", TEAM, Role.TEAM_MANAGER,
                            visits_per_day=draw(st.integers(1, 2))))
    return tuple(staff)


@st.composite
def child_strategy(draw: st.DrawFn, policy: Policy, ref: str, household: str, today: date,
                   allocated: str | None, recent: bool) -> Child:
    plan_type = PlanType.CP if policy.id == "walsall" else draw(st.sampled_from(list(PlanType)))
    age_days = draw(st.integers(30, 15 * 365))
    birth = today - timedelta(days=age_days)
    plan_start = today - timedelta(days=draw(st.integers(0, 3 if recent else 150)))
    frequency = draw(st.integers(5, 10)) if plan_type == PlanType.S47 else \
        draw(st.one_of(st.none(), st.integers(5, 10)))
    referral = plan_start if draw(st.booleans()) else None
    return Child(
        case_ref=ref, household=household, name="Test Child", birth_date=birth,
        plan_type=plan_type, plan_start=plan_start, allocated_worker=allocated,
        referral_date=referral,
        conference_dates=(plan_start, plan_start + timedelta(days=90)),
        categories=draw(st.sampled_from([frozenset(), frozenset({"neglect"}),
                                         frozenset({"physical"})])),
        education=draw(st.sampled_from(["school", "none", "early_years", "home"])),
        visit_frequency_days=frequency)


@st.composite
def history_strategy(draw: st.DrawFn, household: str, refs: list[str], plan_start: date,
                     today: date, workers: tuple[Worker, ...],
                     completed_only: bool) -> list[RecordedVisit]:
    span = (today - plan_start).days
    if span <= 0 or not workers:
        return []
    outcomes = [Outcome.COMPLETED] if completed_only else list(Outcome)
    visits = []
    for n in range(draw(st.integers(0, 4))):
        day = plan_start + timedelta(days=draw(st.integers(0, span - 1)))
        at = datetime.combine(day, time(draw(st.integers(8, 17))), tzinfo=LONDON)
        worker = draw(st.sampled_from(workers))
        outcome = draw(st.sampled_from(outcomes))
        announced = draw(st.booleans())
        for ref in refs:
            # A model history (completed_only) made every check; others miss some at random.
            checks = frozenset(CHECKS) if completed_only else \
                draw(st.frozensets(st.sampled_from(CHECKS)))
            visits.append(RecordedVisit(f"{household}-V{n}", ref, at, worker.id,
                                        announced=announced, outcome=outcome, checks=checks))
    return visits


def request_summary(r: PlanRequest) -> str:
    """What a failing example needs first: policy, dates, seed and whether closures apply."""
    return (f"{r.policy.id}, today={r.today}, weeks={r.weeks}, seed={r.seed}, "
            f"closures={bool(r.calendar.closures)}")


class Case:
    """A generated request and the checker's view of it, with a short repr for reports.

    A plain class: hypothesis pretty-prints dataclasses field by field (the whole policy).
    """

    def __init__(self, request: PlanRequest, inputs: Inputs) -> None:
        self.request = request
        self.inputs = inputs

    def __repr__(self) -> str:
        r = self.request
        return (f"Case({request_summary(r)}, children={r.children!r}, "
                f"workers={r.workers!r}, absences={r.absences!r}, visits={len(r.visits)})")


@st.composite
def caseloads(draw: st.DrawFn, ample: bool = False) -> Case:
    """A random request.  ``ample``: many full-time workers, no absences, no closures."""
    policy = POLICIES[draw(st.sampled_from(sorted(POLICIES)))]
    calendar = CALENDARS[False if ample else draw(st.booleans())]
    today = draw(TODAYS)
    weeks = draw(st.integers(2, 6))
    workers = draw(workers_strategy(6, 8, True, True) if ample else workers_strategy(2, 5))
    if ample:
        # Ample means every eligible worker can see every household on one day: with one
        # visit a day each, four s47 households on 5-day cadences all need Thursday before
        # Easter (the only day that keeps both sides of a closed Friday to Monday), which
        # three social workers cannot give; no plan could meet it.
        workers = tuple(replace(w, visits_per_day=MAX_HOUSEHOLDS) for w in workers)
    visiting = [w for w in workers if w.role not in (Role.HEALTH_VISITOR,)]
    end = today + timedelta(days=7 * weeks - 1)
    absences = () if ample else tuple(
        Absence(draw(st.sampled_from(workers)).id, start, start + timedelta(days=draw(
            st.integers(0, 20))))
        for start in draw(st.lists(st.dates(today - timedelta(days=7), end), max_size=3)))
    children: list[Child] = []
    visits: list[RecordedVisit] = []
    for h in range(draw(st.integers(1, MAX_HOUSEHOLDS))):
        household = f"H{h}"
        allocated = draw(st.one_of(st.none(), st.sampled_from([w.id for w in visiting])))
        if ample:
            allocated = draw(st.sampled_from([w.id for w in workers
                                              if w.role is not Role.TEAM_MANAGER]))
        kids = [draw(child_strategy(policy, f"C{h}-{k}", household, today, allocated, ample))
                for k in range(draw(st.integers(1, 3)))]
        children += kids
        visits += draw(history_strategy(household, [c.case_ref for c in kids],
                                        min(c.plan_start for c in kids), today, workers, ample))
    request = PlanRequest(policy=policy, calendar=calendar, children=tuple(children),
                          workers=workers, absences=absences, visits=tuple(visits), today=today,
                          weeks=weeks, seed=draw(st.integers(0, 2**16)))
    inputs = Inputs(policy, calendar, tuple(children), workers, absences, tuple(visits), today,
                    request.end, request.times.travel_minutes)
    return Case(request, inputs)


def first_visit_due(inputs: Inputs) -> date:
    """The earliest visit deadline of any child, seen on the plan's first day."""
    ctx = Context(inputs.policy, inputs.calendar)
    facts = facts_from_records(inputs.visits, {w.id: w for w in inputs.workers})
    dues = [d.due for c in inputs.children
            for d in deadlines(ctx, c, facts.get(c.case_ref, ()), inputs.today)
            if d.due is not None and inputs.policy.rule(d.rule_id).kind in
            (RuleKind.CADENCE, RuleKind.FIRST_VISIT, RuleKind.REVISIT)]
    return min(dues, default=date.max)


# ---------------------------------------------------------------- properties


@PLAN_SETTINGS
@given(caseloads())
def test_no_visit_falls_on_a_day_off_or_in_an_absence(case: Case) -> None:
    request, inputs = case.request, case.inputs
    assert off_day_violations(plan(request), inputs) == []


@PLAN_SETTINGS
@given(caseloads())
def test_every_schedule_passes_the_independent_checker(case: Case) -> None:
    """Capacity, no double booking, lapses reported, quotas and checks kept."""
    request, inputs = case.request, case.inputs
    assert all_violations(plan(request), inputs) == []


@PLAN_SETTINGS
@given(caseloads(ample=True))
def test_no_deadline_lapses_when_capacity_is_ample(case: Case) -> None:
    request, inputs = case.request, case.inputs
    # Deadlines already past (or due before the first working day) cannot be met by any plan.
    assume(first_visit_due(inputs) >= request.calendar.add_working_days(request.today, 1))
    schedule = plan(request)
    assert schedule.shortfalls == ()
    assert unreported_lapses(schedule, inputs) == []


@PLAN_SETTINGS
@given(caseloads())
def test_unannounced_quota_and_checks_hold_in_every_window(
        case: Case) -> None:
    request, inputs = case.request, case.inputs
    schedule = plan(request)
    assert quota_violations(schedule, inputs) == []
    assert check_violations(schedule, inputs) == []


@PLAN_SETTINGS
@given(caseloads(), st.integers(0, 2**16))
def test_same_seed_gives_the_same_plan_and_another_seed_only_retags(
        case: Case, other_seed: int) -> None:
    request = case.request
    first = plan(request)
    assert schedule_to_json(plan(request)) == schedule_to_json(first)
    reseeded = plan(replace(request, seed=other_seed))

    def skeleton(visits: tuple) -> list[tuple[str, date, str, tuple[str, ...]]]:
        return sorted((v.id, v.day, v.worker_id, v.case_refs) for v in visits)

    assert skeleton(reseeded.visits) == skeleton(first.visits)
    assert reseeded.shortfalls == first.shortfalls


@PLAN_SETTINGS
@given(caseloads())
def test_replanning_with_the_previous_plan_and_same_inputs_changes_nothing(
        case: Case) -> None:
    request = case.request
    first = plan(request)
    again = plan(replace(request, previous=first))
    assert schedule_to_json(again) == schedule_to_json(first)


# ---------------------------------------------------------------- minimum visits


class SlackCase:
    """Single-child households with slack staffing, and each child's last visit day."""

    def __init__(self, request: PlanRequest, anchors: dict[str, date]) -> None:
        self.request = request
        self.anchors = anchors

    def __repr__(self) -> str:
        r = self.request
        return (f"SlackCase({request_summary(r)}, "
                f"children={[(c.case_ref, c.plan_type.value) for c in r.children]}, "
                f"anchors={self.anchors})")


@st.composite
def slack_single_children(draw: st.DrawFn) -> SlackCase:
    """Single-child households, each with its own full-time worker; each child's last visit."""
    policy = POLICIES[draw(st.sampled_from(sorted(POLICIES)))]
    calendar = CALENDARS[draw(st.booleans())]
    today = draw(TODAYS)
    weeks = draw(st.integers(2, 6))
    count = draw(st.integers(1, 6))
    workers = tuple(Worker(f"w{i}", "Worker", "w@example.org", TEAM, Role.SOCIAL_WORKER,
                           visits_per_day=3) for i in range(count))
    children, visits, anchors = [], [], {}
    for i in range(count):
        plan_type = PlanType.CP if policy.id == "walsall" else draw(
            st.sampled_from([PlanType.CIN, PlanType.CP]))
        last = today - timedelta(days=draw(st.integers(1, 7)))
        at = datetime.combine(last, time(10), tzinfo=LONDON)
        children.append(Child(f"C{i}", f"H{i}", "Test Child", date(2014, 1, 1), plan_type,
                              last - timedelta(days=200), allocated_worker=f"w{i}",
                              conference_dates=(last - timedelta(days=200),)))
        # The last visit made every check, so that no rule but the cadence asks for a visit.
        visits.append(RecordedVisit(f"V{i}", f"C{i}", at, f"w{i}", announced=False,
                                    checks=frozenset(CHECKS)))
        anchors[f"C{i}"] = last
    request = PlanRequest(policy, calendar, tuple(children), workers, (), tuple(visits),
                          today, weeks, seed=draw(st.integers(0, 99)))
    return SlackCase(request, anchors)


def cadence_rule(policy: Policy, child: Child) -> Rule:
    return next(r for r in policy.rules_of(RuleKind.CADENCE)
                if r.margin is not None and r.applies_to(child, child.plan_start)
                and not r.requires_plan_value)


@PLAN_SETTINGS
@given(slack_single_children())
def test_with_slack_capacity_each_child_gets_the_minimum_number_of_visits(
        case: SlackCase) -> None:
    request, anchors = case.request, case.anchors
    # Drop cases whose first stab would fall before the plan starts (already overdue).
    expected: dict[str, list[date]] = {}
    for child in request.children:
        rule = cadence_rule(request.policy, child)
        try:
            expected[child.case_ref] = minimum_visits(anchors[child.case_ref], rule,
                                                      request.policy, request.calendar,
                                                      request.today, request.end)
        except Infeasible:
            assume(False)
    schedule = plan(request)
    planned = Counter(ref for v in schedule.visits for ref in v.case_refs)
    assert {ref: planned[ref] for ref in expected} == {k: len(v) for k, v in expected.items()}
    days = {ref: sorted(v.day for v in schedule.visits if ref in v.case_refs) for ref in expected}
    assert days == expected
    assert schedule.shortfalls == ()

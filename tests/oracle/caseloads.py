"""Random caseloads for the oracle sweep: seeded, deterministic, synthetic people only.

``random_caseload(policy, seed)`` draws one team's caseload: ``today`` often near
Christmas / New Year 2026-27 or Easter 2027 (26-29 March), 6 to 13 weeks, closures
sometimes (29-31 December), 2 to 8 workers in one team (social workers, senior social
workers, usually a team manager, sometimes a family support worker or a health visitor;
some part-time), absences (long, one-day, starting inside the horizon), 3 to 25 children
in households of 1 to 3 (unborn to 17, with 3rd/4th/5th birthdays inside the horizon),
and recorded histories with every outcome, announced or not, with and without checks,
some away from home.  The same policy and seed give the same caseload.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from oracle.calendar import Days
from oracle.facts import CHILD_CHECKS
from oracle.inputs import Caseload
from visitplanner.core.model import (
    LONDON,
    SWITCH_OFF,
    SWITCH_ON,
    Absence,
    Child,
    ChildEvent,
    DutyShift,
    Every,
    Location,
    Outcome,
    PlanType,
    PlanValue,
    RecordedVisit,
    Role,
    SchoolTerm,
    Worker,
)
from visitplanner.core.policy import Policy, RuleKind, Unit
from visitplanner.core.timeslots import TimeSettings, TimeWindow

T = TypeVar("T")
TEAM = "oracle-team"
SOCIAL_WORK = frozenset({Role.SOCIAL_WORKER, Role.SENIOR_SOCIAL_WORKER, Role.PRACTICE_MANAGER,
                         Role.TEAM_MANAGER})
TIMES = TimeSettings(
    day_start=time(9, 0), day_end=time(17, 0), visit_minutes=60, travel_minutes=30,
    windows=(TimeWindow("early_morning", time(8, 0), time(9, 30)),
             TimeWindow("school_hours", time(10, 0), time(14, 30)),
             TimeWindow("after_school", time(15, 30), time(18, 0))))
#: (first day, last day) of the spells ``today`` is drawn from, with their weights.
TODAY_SPELLS = (
    ((date(2026, 12, 1), date(2026, 12, 31)), 3),
    ((date(2026, 12, 28), date(2027, 1, 8)), 2),
    ((date(2027, 3, 8), date(2027, 3, 31)), 2),
    ((date(2027, 12, 1), date(2027, 12, 24)), 1),
    ((date(2026, 1, 5), date(2027, 11, 30)), 3),
)
CATEGORIES = ("neglect", "physical", "emotional", "sexual")
OLDER_EDUCATION = (("school", 6), ("alternative", 2), ("home", 1), ("none", 2))
YOUNGER_EDUCATION = (("none", 3), ("early_years", 2))
OUTCOMES = ((Outcome.COMPLETED, 14), (Outcome.NOT_SEEN, 2), (Outcome.NO_ACCESS, 2),
            (Outcome.CANCELLED, 2))


def weighted(rng: random.Random, choices: tuple[tuple[T, int], ...]) -> T:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def day_between(rng: random.Random, first: date, last: date) -> date:
    """A day from ``first`` to ``last`` (inclusive; ``first`` when ``last`` is earlier)."""
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def at_time(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


@dataclass(frozen=True, slots=True)
class Draw:
    """What every step of the generator shares: the random source and the horizon."""

    rng: random.Random
    policy: Policy
    today: date
    end: date
    records_from: date | None


# ---------------------------------------------------------------- the caseload


def random_caseload(policy: Policy, seed: int) -> Caseload:
    """One random caseload for ``policy``; the same seed gives the same caseload."""
    rng = random.Random(f"{policy.id}-{seed}")
    today = day_between(rng, *weighted(rng, TODAY_SPELLS))
    weeks = rng.randint(6, 13)
    end = today + timedelta(days=7 * weeks - 1)
    records_from = today - timedelta(days=rng.randint(20, 120)) if rng.random() < 0.3 else None
    draw = Draw(rng, policy, today, end, records_from)
    workers = draw_workers(draw)
    children, visits = draw_households(draw, workers)
    closures = draw_closures(draw)
    return Caseload(
        policy=policy, region=policy.holiday_region or "ENG", closures=closures,
        children=children, workers=workers, absences=draw_absences(draw, workers),
        visits=visits, today=today, weeks=weeks, seed=rng.randrange(2**16), times=TIMES,
        records_from=records_from, label=f"{policy.id}#{seed}",
        terms=draw_terms(random.Random(f"{policy.id}-{seed}-terms")),
        duty=draw_duty(random.Random(f"{policy.id}-{seed}-duty"), draw, workers, closures))


def draw_closures(draw: Draw) -> frozenset[date]:
    """29-31 December often; now and then one more closure day inside the horizon."""
    closures: set[date] = set()
    if draw.rng.random() < 0.5:
        closures |= {date(y, 12, d) for y in (2026, 2027) for d in (29, 30, 31)}
    if draw.rng.random() < 0.15:
        closures.add(day_between(draw.rng, draw.today, draw.end))
    return frozenset(closures)


#: School terms of 2026-27 (first and last days, inclusive), half terms as holidays.
TERMS_2026_27 = ((date(2026, 9, 2), date(2026, 10, 23)), (date(2026, 11, 2), date(2026, 12, 18)),
                 (date(2027, 1, 5), date(2027, 2, 12)), (date(2027, 2, 22), date(2027, 3, 26)),
                 (date(2027, 4, 12), date(2027, 5, 28)), (date(2027, 6, 7), date(2027, 7, 21)))


def draw_terms(rng: random.Random) -> tuple[SchoolTerm, ...]:
    """Half the caseloads know their school terms (their own source of randomness, so
    that the rest of a caseload is as it was before terms were drawn); each term may end
    up to three days early or late."""
    if rng.random() < 0.5:
        return ()
    return tuple(SchoolTerm(first, last + timedelta(days=rng.randint(-3, 3)))
                 for first, last in TERMS_2026_27)


def draw_duty(rng: random.Random, draw: Draw, workers: tuple[Worker, ...],
              closures: frozenset[date]) -> tuple[DutyShift, ...]:
    """Half the caseloads of a policy with a duty table have a rota: on some of the days the
    office is shut inside the horizon (closures, bank holidays, weekends) one or two workers
    who make visits, 1-3 visits each; now and then a shift on a day the office is open (the
    planner must not use it).  Its own source of randomness, like :func:`draw_terms`."""
    if not draw.policy.duty.plans or rng.random() < 0.5:
        return ()
    days = Days(draw.policy.holiday_region or "ENG", closures)
    visitors = [w for w in workers
                if w.role not in (Role.HEALTH_VISITOR, Role.OTHER_PROFESSIONAL)]
    shifts: dict[tuple[str, date], DutyShift] = {}
    day = draw.today
    while day <= draw.end:
        shut = not days.is_working_day(day)
        if visitors and rng.random() < (0.7 if shut else 0.02):
            for worker in rng.sample(visitors, min(len(visitors), rng.randint(1, 2))):
                shifts[(worker.id, day)] = DutyShift(worker.id, day, rng.randint(1, 3))
        day += timedelta(days=1)
    return tuple(shifts[k] for k in sorted(shifts))


# ---------------------------------------------------------------- workers and absences


def draw_workers(draw: Draw) -> tuple[Worker, ...]:
    """2-8 workers: a social worker first, others mixed, usually a team manager."""
    rng = draw.rng
    count = rng.randint(2, 8)
    roles = [Role.SOCIAL_WORKER]
    roles += [weighted(rng, ((Role.SOCIAL_WORKER, 5), (Role.SENIOR_SOCIAL_WORKER, 2),
                             (Role.FAMILY_SUPPORT_WORKER, 1), (Role.HEALTH_VISITOR, 1)))
              for _ in range(count - 2)]
    roles.append(Role.TEAM_MANAGER if rng.random() < 0.8 else Role.SOCIAL_WORKER)
    return tuple(draw_worker(draw, n, role) for n, role in enumerate(roles, start=1))


def draw_worker(draw: Draw, n: int, role: Role) -> Worker:
    rng = draw.rng
    days = frozenset(range(5))
    if rng.random() < 0.3:
        days = frozenset(rng.sample(range(5), rng.randint(2, 4)))
    return Worker(f"w{n}", f"Worker {n}", f"w{n}@example.org", TEAM, role, days,
                  rng.randint(1, 4))


def draw_absences(draw: Draw, workers: tuple[Worker, ...]) -> tuple[Absence, ...]:
    """0-3 absences: long ones, one-day ones, some starting inside the horizon."""
    rng, found = draw.rng, []
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        worker = rng.choice(workers)
        start = day_between(rng, draw.today - timedelta(days=14), draw.end)
        length = rng.choice((0, 0, rng.randint(1, 5), rng.randint(10, 45)))
        found.append(Absence(worker.id, start, start + timedelta(days=length), "leave"))
    return tuple(found)


# ---------------------------------------------------------------- children


def plan_types(policy: Policy) -> list[PlanType]:
    """The plan types some cadence of the policy covers (Walsall: CP only)."""
    covered = {p for r in policy.rules if r.kind is RuleKind.CADENCE for p in r.plans}
    return sorted(covered)


def draw_households(draw: Draw, workers: tuple[Worker, ...]
                    ) -> tuple[tuple[Child, ...], tuple[RecordedVisit, ...]]:
    """Households of 1-3 children until 3-25 children, each with its recorded history."""
    target = draw.rng.randint(3, 25)
    children: list[Child] = []
    visits: list[RecordedVisit] = []
    while len(children) < target:
        household = f"H{len(children) + 1:03d}"
        kids = draw_household(draw, household, len(children), target - len(children), workers)
        children += kids
        visits += draw_history(draw, household, kids, workers)
    return tuple(children), tuple(visits)


def draw_household(draw: Draw, household: str, counted: int, room: int,
                   workers: tuple[Worker, ...]) -> list[Child]:
    """1-3 siblings (at most ``room``), mostly on one plan type from one start."""
    rng = draw.rng
    plan_type = rng.choice(plan_types(draw.policy))
    start = draw_plan_start(draw)
    allocated = draw_allocated(draw, workers)
    kids = []
    for k in range(min(rng.randint(1, 3), room)):
        own_plan = plan_type if rng.random() < 0.85 else rng.choice(plan_types(draw.policy))
        own_start = start if rng.random() < 0.85 else draw_plan_start(draw)
        kids.append(draw_child(draw, f"C-{counted + k + 1:04d}", household, own_plan,
                               own_start, allocated))
    return kids


def draw_plan_start(draw: Draw) -> date:
    """Mostly an older plan; sometimes a new case (recent or starting inside the horizon)."""
    rng, today = draw.rng, draw.today
    roll = rng.random()
    if roll < 0.15:
        return today - timedelta(days=rng.randint(0, 6))
    if roll < 0.22:
        return today + timedelta(days=rng.randint(1, 21))
    return today - timedelta(days=rng.randint(20, 400))


def draw_allocated(draw: Draw, workers: tuple[Worker, ...]) -> str | None:
    """A social worker mostly; sometimes a family support worker, sometimes nobody."""
    rng = draw.rng
    social = [w.id for w in workers if w.role in SOCIAL_WORK and w.role is not Role.TEAM_MANAGER]
    support = [w.id for w in workers if w.role is Role.FAMILY_SUPPORT_WORKER]
    roll = rng.random()
    if roll < 0.1:
        return None
    if roll < 0.2 and support:
        return rng.choice(support)
    return rng.choice(social or [w.id for w in workers])


def draw_child(draw: Draw, ref: str, household: str, plan_type: PlanType, plan_start: date,
               allocated: str | None) -> Child:
    rng = draw.rng
    birth, due = draw_birth(draw)
    new_case = plan_start >= draw.today - timedelta(days=6)
    referral = plan_start - timedelta(days=rng.randint(0, 3)) if new_case and rng.random() < 0.7 \
        else None
    return Child(
        case_ref=ref, household=household, name=f"Child {ref[2:].lstrip('0')}",
        birth_date=birth, due_date=due, plan_type=plan_type, plan_start=plan_start,
        allocated_worker=allocated, referral_date=referral,
        conference_dates=draw_conferences(draw, plan_type, plan_start),
        categories=draw_categories(rng, plan_type),
        education=draw_education(rng, birth, draw.today),
        visit_frequency_days=draw_frequency(draw, plan_type),
        away_visits_every=draw_away_visits(ref, plan_start, birth),
        plan_values=(*draw_switches(draw, ref, plan_type),
                     *draw_plan_values(draw, ref, plan_type)),
        events=draw_events(draw, ref),
        service=draw_service(draw, ref),
        tasks_done=draw_tasks_done(draw, ref, plan_start))


def draw_tasks_done(draw: Draw, ref: str, plan_start: date) -> tuple[ChildEvent, ...]:
    """Some of the policy's task rules done once or twice since the plan's start, from their
    own random source."""
    found = []
    for rule in draw.policy.rules_of(RuleKind.TASK):
        rng = random.Random(f"task|{ref}|{rule.id}")
        if rng.random() < 0.4 and plan_start < draw.today:
            found += [ChildEvent(rule.id, day_between(rng, plan_start, draw.today))
                      for _ in range(rng.randint(1, 2))]
    return tuple(sorted(found, key=lambda e: (e.day, e.name)))


def draw_service(draw: Draw, ref: str) -> str:
    """The first service a rule of the policy names, for about half the children (none when
    no rule names one), from its own random source."""
    services = sorted({s for r in draw.policy.rules for s in r.when.services})
    if not services:
        return ""
    return services[0] if random.Random(f"service|{ref}").random() < 0.5 else "other"


#: How often a child has placements (events.csv), when the policy declares them.
PLACEMENT_SHARE = 0.25


def draw_events(draw: Draw, ref: str) -> tuple[ChildEvent, ...]:
    """One to three placements, past or booked, for some children of a policy that declares
    the event, from their own random source."""
    if "placement" not in draw.policy.events:
        return ()
    rng = random.Random(f"events|{ref}")
    if rng.random() >= PLACEMENT_SHARE:
        return ()
    days = sorted(day_between(rng, draw.today - timedelta(days=40), draw.end)
                  for _ in range(rng.randint(1, 3)))
    return tuple(ChildEvent("placement", day) for day in days)


#: How often a child's plan sets its own value for a cadence (plan_values.csv).
PLAN_VALUE_SHARE = 0.25


def draw_plan_values(draw: Draw, ref: str, plan_type: PlanType) -> tuple[PlanValue, ...]:
    """For some children, one or two values for a cadence of their plan: tighter than its
    ``every``, or (a rule with ``relax``) an approved value up to the floor; from a day before
    or inside the horizon.  Its own random source."""
    rows: list[PlanValue] = []
    for rule in draw.policy.rules:
        rng = random.Random(f"plan_value|{ref}|{rule.id}")
        if rule.kind is not RuleKind.CADENCE or rule.every is None or \
                plan_type not in rule.plans or rng.random() >= PLAN_VALUE_SHARE:
            continue
        unit = draw.policy.days_unit if rule.every.unit is Unit.DAYS else rule.every.unit
        for _ in range(rng.randint(1, 2)):
            start = day_between(rng, draw.today - timedelta(days=60), draw.end)
            relax = rule.relax is not None and rng.random() < 0.5
            if relax:
                assert rule.relax is not None
                floor = rule.relax.floor
                count = rng.randint(rule.every.count, floor.count)
                unit = draw.policy.days_unit if floor.unit is Unit.DAYS else floor.unit
                rows.append(PlanValue(rule.id, count, unit.value, start, "review",
                                      rule.relax.approvers))
            else:
                rows.append(PlanValue(rule.id, rng.randint(max(1, rule.every.count // 2),
                                                           rule.every.count),
                                      unit.value, start, "conference"))
    return tuple(sorted(rows, key=lambda v: (v.rule_id, v.start)))


#: How often a child's plan switches a switchable rule off, and then back on.
SWITCH_OFF_SHARE, SWITCH_BACK_SHARE = 0.2, 0.4


def draw_switches(draw: Draw, ref: str, plan_type: PlanType) -> tuple[PlanValue, ...]:
    """Off rows (approved by every approver) for the policy's switchable rules of the plan
    type, some switched back on later, from their own random source."""
    rows: list[PlanValue] = []
    for rule in draw.policy.rules:
        rng = random.Random(f"switch|{ref}|{rule.id}")
        if rule.switch is None or plan_type not in rule.plans or rng.random() >= SWITCH_OFF_SHARE:
            continue
        off = day_between(rng, draw.today - timedelta(days=30), draw.end)
        rows.append(PlanValue(rule.id, 0, "days", off, "conference", rule.switch.approvers,
                              SWITCH_OFF))
        if rng.random() < SWITCH_BACK_SHARE:
            rows.append(PlanValue(rule.id, 0, "days", day_between(rng, off, draw.end), "review",
                                  frozenset(), SWITCH_ON))
    return tuple(rows)


#: Cadences of visits away from home a plan may ask for, and how often one does.
AWAY_CADENCES = (Every(2, "weeks"), Every(3, "weeks"), Every(1, "months"))
AWAY_SHARE = 0.25


def draw_away_visits(ref: str, plan_start: date, birth: date | None) -> Every | None:
    """A cadence of visits away from home for about a quarter of the children, drawn from its
    own random source so that every other draw of the caseload is as it was before."""
    rng = random.Random(f"away|{ref}|{plan_start}|{birth}")
    return rng.choice(AWAY_CADENCES) if rng.random() < AWAY_SHARE else None


def draw_birth(draw: Draw) -> tuple[date | None, date | None]:
    """(birth_date, due_date): unborn sometimes, a 3rd/4th/5th birthday in the horizon often."""
    rng, today = draw.rng, draw.today
    roll = rng.random()
    if roll < 0.12:
        return None, day_between(rng, today - timedelta(days=14), draw.end + timedelta(days=21))
    if roll < 0.35:
        years = rng.choice((3, 4, 5))
        birthday = day_between(rng, today, draw.end)
        return birthday.replace(year=birthday.year - years) if (birthday.month, birthday.day) \
            != (2, 29) else birthday.replace(day=28, year=birthday.year - years), None
    return today - timedelta(days=rng.randint(10, 17 * 365 + 300)), None


def draw_education(rng: random.Random, birth: date | None, today: date) -> str:
    if birth is None or (today - birth).days < 4 * 365:
        return weighted(rng, (*YOUNGER_EDUCATION, ("school", 1)))
    return weighted(rng, OLDER_EDUCATION)


def draw_categories(rng: random.Random, plan_type: PlanType) -> frozenset[str]:
    if plan_type == PlanType.CIN and rng.random() < 0.5:
        return frozenset()
    return frozenset(rng.sample(CATEGORIES, rng.randint(1, 2)))


def draw_conferences(draw: Draw, plan_type: PlanType, plan_start: date) -> tuple[date, ...]:
    """For a CP plan: the first conference, a review at 3 months, then every 6 months.

    Sometimes one more booked inside the horizon, after the plan start and 10 days or more
    from the others.
    """
    if plan_type != PlanType.CP:
        return ()
    found, day = [plan_start], plan_start + timedelta(days=91)
    while day <= draw.end + timedelta(days=60):
        found.append(day)
        day += timedelta(days=182)
    booked = day_between(draw.rng, draw.today + timedelta(days=1), draw.end)
    apart = all(abs((booked - d).days) >= 10 for d in found)
    if draw.rng.random() < 0.3 and apart and booked > plan_start:
        found.append(booked)
    return tuple(sorted(found))


def draw_frequency(draw: Draw, plan_type: PlanType) -> int | None:
    """A visit frequency within every plan-value cadence's floor; always when required."""
    rules = [r for r in draw.policy.rules if r.kind is RuleKind.CADENCE and r.plan_value
             and plan_type in r.plans]
    if not rules:
        return None
    required = any(r.requires_plan_value for r in rules)
    if not required and draw.rng.random() < 0.6:
        return None
    cap = min(floor_days(r.every.count, r.every.unit, draw.policy) for r in rules if r.every)
    return draw.rng.randint(min(5, cap), cap)


def floor_days(count: int, unit: Unit, policy: Policy) -> int:
    """The loosest calendar-day span of a cadence (15 working days span 21 calendar days)."""
    unit = policy.days_unit if unit is Unit.DAYS else unit
    if unit is Unit.WORKING_DAYS:
        return -(-count * 7 // 5)
    return count * {Unit.WEEKS: 7, Unit.MONTHS: 28}.get(unit, 1)


# ---------------------------------------------------------------- recorded histories


def draw_history(draw: Draw, household: str, kids: list[Child],
                 workers: tuple[Worker, ...]) -> list[RecordedVisit]:
    """The household's recorded visits, from the plan's (or record's) start to today.

    Gaps of 2 to 20 days; a visit records the checks of a child born by then only.
    """
    rng = draw.rng
    first = max(min(c.plan_start for c in kids), draw.records_from or date.min)
    allocated = kids[0].allocated_worker
    visits: list[RecordedVisit] = []
    day = first + timedelta(days=rng.randint(0, 10))
    while day <= draw.today:
        on_plan = [c for c in kids if c.plan_start <= day]
        if (on_plan and day.weekday() < 5) or rng.random() < 0.05:
            visits += draw_visit(draw, f"{household}-R{len(visits):03d}", day, on_plan,
                                 allocated, workers)
        day += timedelta(days=rng.choice((2, 3, 5, 7, 7, 9, 10, 12, 14, 20)))
    return visits


def draw_visit(draw: Draw, visit_id: str, day: date, kids: list[Child], allocated: str | None,
               workers: tuple[Worker, ...]) -> list[RecordedVisit]:
    """One visit to the children on a plan: every outcome, announced or not, some away."""
    rng = draw.rng
    worker = allocated if allocated and rng.random() < 0.7 else rng.choice(workers).id
    hour = rng.randint(8, 17) if day < draw.today else 8
    at = at_time(day, hour, rng.choice((0, 15, 30)) if hour > 8 else 0)
    outcome = weighted(rng, OUTCOMES)
    location = Location.ELSEWHERE if rng.random() < 0.1 else Location.HOME
    announced = rng.random() < 0.7
    checks = policy_checks(draw.policy)
    visit_type = draw_visit_type(visit_id, day)
    return [RecordedVisit(visit_id, child.case_ref, at, worker, location, announced, outcome,
                          made := draw_checks(rng, checks if born_by(child, day) else
                                              tuple(c for c in checks if c not in CHILD_CHECKS),
                                              outcome), visit_type,
                          draw_not_made(visit_id, child.case_ref, outcome, made))
            for child in kids]


#: How often a completed visit without seen_alone records it as tried and not made.
NOT_ALONE_SHARE = 0.3


def draw_not_made(visit_id: str, case_ref: str, outcome: Outcome,
                  made: frozenset[str]) -> frozenset[str]:
    """Checks recorded as not made: seen_alone now and then on a completed visit that did not
    make it, from its own random source so that every other draw is as it was before."""
    if outcome is not Outcome.COMPLETED or "seen_alone" in made:
        return frozenset()
    rng = random.Random(f"not_made|{visit_id}|{case_ref}")
    return frozenset({"seen_alone"}) if rng.random() < NOT_ALONE_SHARE else frozenset()


#: How often a recorded visit is direct work rather than a statutory visit.
DIRECT_WORK_SHARE = 0.08


def draw_visit_type(visit_id: str, day: date) -> str:
    """A recorded visit's type: direct work now and then (counted only by rules that name
    it), from its own random source so that every other draw is as it was before."""
    rng = random.Random(f"type|{visit_id}|{day}")
    return "direct_work" if rng.random() < DIRECT_WORK_SHARE else "statutory"


def born_by(child: Child, day: date) -> bool:
    born = child.birth_date or child.due_date
    return born is not None and born <= day


def draw_checks(rng: random.Random, checks: tuple[str, ...], outcome: Outcome) -> frozenset[str]:
    """Each check of the policy with probability 0.75 on a completed visit, else none."""
    if outcome is not Outcome.COMPLETED:
        return frozenset()
    return frozenset(c for c in checks if rng.random() < 0.75)


def policy_checks(policy: Policy) -> tuple[str, ...]:
    """Every check the policy names (check rules and ``counts.checks``)."""
    names = {r.check for r in policy.rules if r.check} | {
        c for r in policy.rules for c in r.counts.checks}
    return tuple(sorted(names))

"""A child's history, which visits count toward a rule, ages, and when a rule applies.

**Facts.**  A child's history is the recorded visits of that child with day <= today,
then each planned visit that lists the child, assumed to take place: outcome completed,
location home, announced as planned, visitor role the role of the planned worker, checks
that child's entry in the visit's checks.  Recorded facts come first (in time order),
planned facts after them (in time order): the plan is the future of the record.

**Which visits count** (``rule.counts``): location home / elsewhere / any; ``child_seen``
True = outcome completed only, None ("any") = the visit took place (completed or not
seen), False = not seen only.  A failed visit (no access, cancelled) never counts toward
any rule: it did not take place.  ``announced`` True / False / None (either); ``roles``
(empty = any) the visitor's role; ``checks``: all of them recorded for the child.

**Age and birth.**  Age in whole years on a date, a birthday counting on the day.  An
unborn child (no ``birth_date``, a ``due_date``) is treated as born on the due date from
that day on; before it, age 0.  Checks on the child themself (seen_alone, seen_awake,
injuries) are not owed on a day before the child is born (or treated as born): a visit
before the birth is to the expectant parent.

**When a rule applies** on a day: the child's plan type is in ``rule.plans`` and
``rule.when`` holds: min_age (age >= min_age), under_age (age < under_age), categories
(any in common; empty = any), education (the child's status is one of them; empty = any).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from visitplanner.core.model import (
    LONDON,
    Child,
    Location,
    Outcome,
    PlannedVisit,
    RecordedVisit,
    Role,
    VisitKind,
    Worker,
)
from visitplanner.core.policy import Rule, VisitFilter

#: Checks made on the child themself: not owed before the child is born.
CHILD_CHECKS = frozenset({"seen_alone", "seen_awake", "injuries"})
#: Outcomes of a visit that took place (the others, no access and cancelled, did not).
TOOK_PLACE = frozenset({Outcome.COMPLETED, Outcome.NOT_SEEN})


@dataclass(frozen=True, slots=True)
class Fact:
    """One visit in one child's history, recorded or planned."""

    visit_id: str
    at: datetime
    outcome: Outcome
    location: Location
    announced: bool
    role: Role | None
    checks: frozenset[str]
    planned: bool
    #: A planned visit is statutory (a home visit, or a visit away from home the plan sets).
    visit_type: str = "statutory"
    #: Checks recorded as tried and not made (a planned visit makes all its checks).
    not_made: frozenset[str] = frozenset()

    @property
    def day(self) -> date:
        """The London date of the visit."""
        return self.at.astimezone(LONDON).date()

    @property
    def took_place(self) -> bool:
        return self.outcome in TOOK_PLACE

    @property
    def order(self) -> tuple[bool, datetime]:
        """History order: recorded facts first, each part in time order."""
        return (self.planned, self.at)


def recorded_fact(visit: RecordedVisit, roles: Mapping[str, Role]) -> Fact:
    """A recorded visit as a fact; the role is None for a worker the caseload lacks."""
    return Fact(visit.visit_id, visit.at, visit.outcome, visit.location, visit.announced,
                roles.get(visit.worker_id), visit.checks, planned=False,
                visit_type=visit.visit_type, not_made=visit.not_made)


def planned_fact(visit: PlannedVisit, case_ref: str, roles: Mapping[str, Role]) -> Fact:
    """A planned visit as a fact for one child it lists, assumed completed: away from home
    for a visit of that kind, else at home."""
    checks = frozenset(c for entry in visit.checks if entry.case_ref == case_ref
                       for c in entry.checks)
    where = Location.ELSEWHERE if visit.kind is VisitKind.AWAY_FROM_HOME else Location.HOME
    return Fact(visit.id, visit.start, Outcome.COMPLETED, where, visit.announced,
                roles.get(visit.worker_id), checks, planned=True)


def history(child: Child, recorded: Iterable[RecordedVisit], planned: Iterable[PlannedVisit],
            today: date, workers: Iterable[Worker]) -> tuple[Fact, ...]:
    """The child's facts: recorded ones (day <= today) in time order, then planned ones."""
    roles = {w.id: w.role for w in workers}
    past = sorted((recorded_fact(v, roles) for v in recorded
                   if v.case_ref == child.case_ref and london_day(v.at) <= today),
                  key=lambda f: f.order)
    future = sorted((planned_fact(v, child.case_ref, roles) for v in planned
                     if child.case_ref in v.case_refs), key=lambda f: f.order)
    return (*past, *future)


def london_day(instant: datetime) -> date:
    return instant.astimezone(LONDON).date()


def counts(fact: Fact, wanted: VisitFilter) -> bool:
    """True when the fact counts toward a rule whose ``counts`` is ``wanted``.

    A visitor the caseload does not list has no role: it never counts where roles are set.
    """
    return (fact.took_place and location_matches(fact, wanted.location)
            and seen_matches(fact, wanted.child_seen)
            and (wanted.announced is None or fact.announced == wanted.announced)
            and (not wanted.roles or fact.role in wanted.roles)
            and fact.visit_type in wanted.types
            and wanted.checks <= fact.checks)


def location_matches(fact: Fact, location: str) -> bool:
    return location == "any" or fact.location.value == location


def seen_matches(fact: Fact, child_seen: bool | None) -> bool:
    if child_seen is None:
        return True
    return (fact.outcome is Outcome.COMPLETED) == child_seen


def counting_facts(facts: Iterable[Fact], rule: Rule) -> tuple[Fact, ...]:
    """The facts that count toward ``rule``, in history order."""
    return tuple(f for f in facts if counts(f, rule.counts))


def birth_day(child: Child) -> date | None:
    """The date of birth, else the due date of an unborn child (None when neither is known)."""
    return child.birth_date or child.due_date


def is_born(child: Child, day: date) -> bool:
    """True when the child is born (or treated as born on the due date) by ``day``."""
    born = birth_day(child)
    return born is not None and born <= day


def age(child: Child, day: date) -> int:
    """Age in whole years on ``day`` (birthday counts on the day); 0 before birth."""
    born = birth_day(child)
    if born is None or day < born:
        return 0
    before_birthday = (day.month, day.day) < (born.month, born.day)
    return day.year - born.year - (1 if before_birthday else 0)


def applies(rule: Rule, child: Child, day: date) -> bool:
    """True when ``rule`` covers the child's plan and its ``when`` holds on ``day``.

    A check on the child themself (:data:`CHILD_CHECKS`) also needs the child born, and a
    rule the child's plan switched off does not apply while it is off.
    """
    if child.plan_type not in rule.plans:
        return False
    if rule.check in CHILD_CHECKS and not is_born(child, day):
        return False
    return condition_holds(rule, child, day) and not switched_off(rule, child, day)


def switched_off(rule: Rule, child: Child, day: date) -> bool:
    """True when the rule has a ``switch`` and the child's last plan_values.csv switch row
    for it on or before ``day`` says "off" (the policy format's reading of a switch)."""
    if rule.switch is None:
        return False
    rows = sorted((v for v in child.plan_values if v.rule_id == rule.id and v.switch
                   and v.start <= day), key=lambda v: v.start)
    return bool(rows) and rows[-1].switch == "off"


def condition_holds(rule: Rule, child: Child, day: date) -> bool:
    """True when ``rule.when`` holds for the child on ``day`` (see the module docstring)."""
    when, years = rule.when, age(child, day)
    if when.min_age is not None and years < when.min_age:
        return False
    if when.under_age is not None and years >= when.under_age:
        return False
    if when.categories and not (when.categories & child.categories):
        return False
    if when.services and child.service not in when.services:
        return False
    return not when.education or child.education in when.education


def event_days(child: Child, event: str) -> list[date]:
    """The days of ``event`` for the child, as the format reads them: the referral, the plan
    start, the date of birth (else the due date), all / the first / the later conferences,
    else the child's events.csv rows of that name."""
    conferences = sorted(child.conference_dates)
    fixed: dict[str, list[date]] = {
        "referral": [child.referral_date] if child.referral_date else [],
        "plan_start": [child.plan_start],
        "birth": [d for d in (child.birth_date or child.due_date,) if d is not None],
        "conference": conferences, "initial_conference": conferences[:1],
        "review_conference": conferences[1:]}
    if event in fixed:
        return fixed[event]
    return sorted(e.day for e in child.events if e.name == event)

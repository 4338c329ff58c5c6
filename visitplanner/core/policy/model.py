"""The policy's values: rules, intervals, conditions and visit filters.

A policy is a tuple of :class:`Rule` values.  Every rule has a ``kind`` that
says what it constrains (see :mod:`visitplanner.core.policy.spec` for the fields
each kind takes) and a :class:`Source` quoting the sentence it encodes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from dateutil.relativedelta import relativedelta

from visitplanner.core.model import DEFAULT_PLAN_TYPES, Child, Location, Outcome, Role
from visitplanner.core.values import quick_init
from visitplanner.core.workdays import WorkingCalendar


class Unit(StrEnum):
    """Units an interval counts in.  ``DAYS`` is resolved by the policy's ``days`` setting."""

    DAYS = "days"
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    WEEKS = "weeks"
    MONTHS = "months"
    HOURS = "hours"


class Counting(StrEnum):
    """Whether the day of the last visit is day 0 or day 1 of the next interval.

    ``DAY_0``: "every 10 days" after a visit on the 1st means by the 11th.
    ``DAY_1``: the visit day counts as day 1, so by the 10th.
    """

    DAY_0 = "visit_day_is_day_0"
    DAY_1 = "visit_day_is_day_1"


@quick_init
@dataclass(frozen=True, slots=True)
class Interval:
    """``count`` units, e.g. 15 working days or 3 months."""

    count: int
    unit: Unit

    def __str__(self) -> str:
        unit = self.unit.value.replace("_", " ")
        return f"{self.count} {unit[:-1] if self.count == 1 else unit}"

    def add_to(self, start: datetime, calendar: WorkingCalendar, counting: Counting) -> date:
        """The last date (inclusive) of the interval beginning at ``start``.

        Calendar units (days, weeks, months) count calendar days; working days
        count only :meth:`WorkingCalendar.is_working_day` days; hours count from
        the instant ``start`` and give the date on which they run out.  With
        ``Counting.DAY_0`` the start day is day 0: 10 calendar days from Mon 2
        Nov 2026 ends on Thu 12 Nov 2026; with ``DAY_1`` it ends on Wed 11 Nov.
        Working days with ``DAY_1``: the visit day is day 1 only when it is a working
        day; 15 working days from Sat 7 Nov 2026 end on Fri 27 Nov (Mon 9 Nov is day 1),
        as with ``DAY_0``.
        """
        shift = 0 if counting is Counting.DAY_0 else -1
        day = start.date()
        if self.unit is Unit.HOURS:
            # Aware datetime + timedelta is wall-clock arithmetic: go through UTC so that
            # "24 hours" are 24 real hours across a clock change.
            elapsed = start.astimezone(UTC) + timedelta(hours=self.count)
            return elapsed.astimezone(start.tzinfo).date()
        if self.unit is Unit.WORKING_DAYS:
            # "The visit day is day 1" only when the visit day is a working day: after a
            # Saturday visit, day 1 is the next working day, so no day is lost.
            counted = shift if calendar.is_working_day(day) else 0
            return calendar.add_working_days(day, self.count + counted)
        if self.unit is Unit.MONTHS:
            later: date = day + relativedelta(months=self.count)
            return later + timedelta(days=shift)
        days = self.count * (7 if self.unit is Unit.WEEKS else 1)
        return day + timedelta(days=days + shift)

    def is_longer_than(self, other: Interval) -> bool:
        """True when this interval is longer than ``other`` (both resolved: no ``days``).

        The same unit compares counts; different units compare nominal calendar days (a
        working day is 7/5 of a day, a month 365.25/12 days, an hour 1/24): "2 weeks" is
        not longer than "10 working_days", "1 month" is longer than "4 weeks".
        """
        if self.unit is other.unit:
            return self.count > other.count
        return self.count * _NOMINAL_DAYS[self.unit] > other.count * _NOMINAL_DAYS[other.unit]


#: Calendar days per unit, to compare intervals of different units (see ``is_longer_than``).
_NOMINAL_DAYS: Mapping[Unit, Fraction] = {
    Unit.DAYS: Fraction(1), Unit.CALENDAR_DAYS: Fraction(1), Unit.WORKING_DAYS: Fraction(7, 5),
    Unit.WEEKS: Fraction(7), Unit.MONTHS: Fraction(1461, 48), Unit.HOURS: Fraction(1, 24),
}


@dataclass(frozen=True, slots=True)
class Source:
    """Where a rule comes from: document key, section and the sentence quoted."""

    document: str
    section: str
    quote: str

    def cite(self) -> str:
        return f'{self.document}, {self.section}: "{self.quote}"'


@dataclass(frozen=True, slots=True)
class DutyRota:
    """Which children the duty rota (the workspace's duty.csv) may visit on days the office
    is shut: closure days and bank holidays, and weekends too when ``weekends``.

    ``plans`` empty (the default): no duty visits, so a deadline inside a closure is a
    shortfall.  A duty visit counts toward every rule as any visit by the duty worker's
    role does.  On a day the office is open the rota is not used: the team's own
    working days and cover apply.
    """

    plans: frozenset[str] = frozenset()
    weekends: bool = False
    source: Source | None = None
    note: str = ""

    def allows(self, plan_type: str) -> bool:
        return plan_type in self.plans

    def covers_day(self, day: date, calendar: WorkingCalendar) -> bool:
        """True when ``day`` is a day the office is shut on which the rota may visit: a
        closure or bank holiday (Monday to Friday), or a weekend day when ``weekends``."""
        if calendar.is_working_day(day):
            return False
        return self.weekends or day.weekday() < SATURDAY


#: ``date.weekday()`` of Saturday (Monday is 0): 5 and 6 are the weekend.
SATURDAY = 5


@dataclass(frozen=True, slots=True)
class Condition:
    """Which children a rule applies to, on a given date.

    ``min_age``: age in whole years on the date is at least this (from the
    birthday on).  ``under_age``: age is below this.  An unborn child has age
    0 for both.  ``categories``/``education``/``services``: any one matches; empty = any.
    """

    min_age: int | None = None
    under_age: int | None = None
    categories: frozenset[str] = frozenset()
    education: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()

    def holds(self, child: Child, on: date) -> bool:
        # The age is worked out only for a condition with an age limit: most have none, and
        # the planner asks at every step.
        if self.min_age is not None or self.under_age is not None:
            age = child.age_on(on)
            years = 0 if age is None or age < 0 else age
            if self.min_age is not None and years < self.min_age:
                return False
            if self.under_age is not None and years >= self.under_age:
                return False
        if self.categories and not (self.categories & child.categories):
            return False
        if self.services and child.service not in self.services:
            return False
        return not (self.education and child.education not in self.education)

    @property
    def is_empty(self) -> bool:
        return self == Condition()


#: The type a visit record has unless it says otherwise (visits.csv ``visit_type``), and the
#: only type a rule counts unless its ``counts.types`` names others: extra visits (direct
#: work, a core group, a network sighting) never stand in for statutory ones.
STATUTORY = "statutory"


@dataclass(frozen=True, slots=True)
class VisitFilter:
    """Which visits count toward a rule.

    ``location``: "home", "elsewhere" or "any".  ``child_seen``: only visits
    where the child was seen (True), or not seen (False), or either (None).
    A failed visit (no access, cancelled) never counts, whatever the filter: it did
    not take place.
    ``announced``: likewise.  ``roles``: only visits by these roles (empty = any).
    ``checks``: the visit must have recorded all of these checks (e.g. seen_alone).
    ``types``: the visit's type is one of these (:data:`STATUTORY` unless the rule says).
    """

    location: str = Location.HOME.value
    child_seen: bool | None = True
    announced: bool | None = None
    roles: frozenset[Role] = frozenset()
    checks: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset({STATUTORY})


@dataclass(frozen=True, slots=True)
class Relax:
    """How far a plan value may loosen a cadence: to no longer than ``floor``, and only with
    the agreement of every one of ``approvers`` (roles, e.g. team_manager, conference_chair)."""

    floor: Interval
    approvers: frozenset[str]


@dataclass(frozen=True, slots=True)
class Switch:
    """A rule the plan may switch off for one child (plan_values.csv value ``off``, from a
    date), only with the agreement of every one of ``approvers`` (roles)."""

    approvers: frozenset[str]


class RuleKind(StrEnum):
    CADENCE = "cadence"
    FIRST_VISIT = "first_visit"
    QUOTA = "quota"
    CHECK = "check"
    REVISIT = "revisit"
    ESCALATION = "escalation"
    RECORDING = "recording"
    PREFERENCE = "preference"
    COVER = "cover"
    GUIDANCE = "guidance"
    RATIO = "ratio"
    TASK = "task"


#: Who a task is for: the allocated worker, or the team's manager (the team's calendar).
TASK_OWNERS = ("worker", "team_manager")


class Trigger(StrEnum):
    """What sets off an escalation."""

    CONSECUTIVE_FAILURES = "consecutive_failures"
    NOT_SEEN_FOR = "not_seen_for"
    NOT_SEEN_ALONE_FOR = "not_seen_alone_for"
    #: A visit where the child was seen but a check of ``missed`` was not made.
    MISSED_CHECK = "missed_check"


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of a policy.  Which optional fields a kind uses: see ``spec.KINDS``."""

    id: str
    kind: RuleKind
    source: Source
    plans: frozenset[str]
    when: Condition = Condition()
    note: str = ""
    counts: VisitFilter = VisitFilter()
    every: Interval | None = None
    within: Interval | None = None
    window: Interval | None = None
    period: Interval | None = None
    margin: Interval | None = None
    event: str = ""
    at_least: int | None = None
    at_most: int | None = None
    check: str = ""
    every_kth: int | None = None
    between: str = ""
    after: frozenset[Outcome] = frozenset()
    failures: int = 1
    #: Checks whose not being made at a visit (visits.csv ``checks_not_made``) counts as a
    #: failure here, though the child was seen (not seen alone, bedroom refused).
    missed: frozenset[str] = frozenset()
    #: A ratio's least share of the visits ``of`` that must be visits ``counts`` counts,
    #: over the ``window`` ending on each visit or its ``last`` visits.
    share: Fraction | None = None
    of: VisitFilter | None = None
    last: int | None = None
    #: A task's words (what is to be done), its owner, and the event it must come before.
    task: str = ""
    owner: str = "worker"
    before: str = ""
    anchor: str = "last_failed_visit"
    trigger: Trigger | None = None
    notify: tuple[str, ...] = ()
    action: str = ""
    headings: tuple[str, ...] = ()
    plan_value: str = ""
    requires_plan_value: bool = False
    preference: str = ""
    fallback: str = ""
    counting: Counting | None = None
    relax: Relax | None = None
    switch: Switch | None = None

    def applies_to(self, child: Child, on: date) -> bool:
        """True when the rule covers this child's plan type, the condition holds on ``on``, and
        the child's plan has not switched it off then."""
        return child.plan_type in self.plans and self.when.holds(child, on) and \
            not self.is_switched_off(child, on)

    def is_switched_off(self, child: Child, on: date) -> bool:
        """True when the child's plan switched the rule off on ``on`` (a rule with a ``switch``
        and a plan_values.csv row ``off`` in force)."""
        return self.switch is not None and bool(child.plan_values) and \
            child.switched_off(self.id, on)


#: A bare "N days", looked up once: :meth:`Policy.resolve` is asked at every step of a plan, and
#: on Python 3.11 an enum member's lookup through its class costs several times a module name's.
_DAYS = Unit.DAYS


@dataclass(frozen=True, slots=True)
class Policy:
    """An authority's visiting policy.

    ``days_unit`` resolves a bare "N days" in the source text (calendar or
    working days); ``counting`` is the default counting convention;
    ``holiday_region`` names the bank holidays that are not working days
    ("ENG" for England and Wales; empty: the workspace decides, else ENG).
    """

    id: str
    name: str
    documents: tuple[tuple[str, str], ...]
    days_unit: Unit
    counting: Counting
    rules: tuple[Rule, ...]
    notes: tuple[str, ...] = ()
    holiday_region: str = ""
    #: Who the duty rota may visit on days the office is shut (``[policy.duty]``).
    duty: DutyRota = DutyRota()
    #: The types a visit record may have (``[policy] visit_types``); always :data:`STATUTORY`.
    visit_types: tuple[str, ...] = (STATUTORY,)
    #: Notice an announced visit gives the family, in hours (``[policy] notice``), or None.
    notice: Interval | None = None
    #: The plans the policy knows (``[policy] plan_types``; children.csv ``plan_type``).
    plan_types: tuple[str, ...] = DEFAULT_PLAN_TYPES
    #: Events of a case the workspace records (events.csv) for rules to count from, beside
    #: the built-in ones (``[policy] events``; see :data:`visitplanner.core.model.BUILTIN_EVENTS`).
    events: tuple[str, ...] = ()
    #: Rules by id and by kind, built once: the planner asks for them at every step.
    _by_id: Mapping[str, Rule] = field(init=False, repr=False, compare=False)
    _by_kind: Mapping[RuleKind, tuple[Rule, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Rule] = {}
        for rule in self.rules:
            by_id.setdefault(rule.id, rule)  # the first of a repeated id, as a scan finds it
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_by_kind", {kind: tuple(r for r in self.rules if r.kind is kind)
                                              for kind in RuleKind})

    def rules_of(self, kind: RuleKind) -> tuple[Rule, ...]:
        return self._by_kind[kind]

    def rule(self, rule_id: str) -> Rule:
        return self._by_id[rule_id]

    def resolve(self, interval: Interval) -> Interval:
        """``interval`` with ``days`` replaced by the policy's days unit."""
        if interval.unit is _DAYS:
            return Interval(interval.count, self.days_unit)
        return interval

    def counting_for(self, rule: Rule) -> Counting:
        return rule.counting or self.counting

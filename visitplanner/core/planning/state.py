"""The planner's inputs and working values: the request, a need, a slot, the state of one plan()
call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from visitplanner.core.cover import Bookings
from visitplanner.core.model import (
    LONDON,
    Absence,
    Child,
    DutyShift,
    PlannedVisit,
    RecordedVisit,
    Role,
    Schedule,
    SchoolTerm,
    Shortfall,
    VisitKind,
    Worker,
)
from visitplanner.core.policy.model import Policy, Rule, RuleKind
from visitplanner.core.rules import (
    Deadline,
    History,
    Question,
    chosen_for,
    may_ever_apply,
    planned_visits_can_meet,
)
from visitplanner.core.timeslots import TimeSettings, any_term_day, in_term
from visitplanner.core.values import quick_init
from visitplanner.core.workdays import WorkingCalendar

VISIT_RULES = frozenset({RuleKind.CADENCE, RuleKind.FIRST_VISIT, RuleKind.REVISIT})


#: Flags that say who visits instead of the allocated worker.
COVER_FLAGS = frozenset({"cover", "manager_cover"})


#: Rules whose deadlines are met by visits of the kind their ``counts`` describes.
COUNTED_RULES = VISIT_RULES | {RuleKind.QUOTA}


#: Flags a manager's decision about one visit leaves on it (see :class:`Directive`).
DECIDED_FLAG = "decided_by_manager"
DECISION_REJECTED_FLAG = "decision_rejected"


@dataclass(frozen=True, slots=True)
class Directive:
    """A manager's decision about one planned visit: who makes it and on which day.

    ``worker_id`` None keeps the visit's worker and ``day`` None keeps its day, so a
    directive with neither is a pin: the visit stands where it is on every re-plan.  It
    is kept like a worker's own move: while the day is inside the visit's window (up to
    its deadline, inclusive) and the worker can visit then; otherwise the visit is
    planned afresh and flagged :data:`DECISION_REJECTED_FLAG`.
    """

    worker_id: str | None = None
    day: date | None = None


#: A child with no visits yet.
EMPTY = History()


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """Everything plan() needs.  ``previous`` is the last plan kept in the workspace.

    ``moves`` maps a visit id to the start a worker moved it to in their
    calendar: kept when it still meets the rules, flagged otherwise.  ``directives``
    does the same for a manager's reassignments and pins.
    """

    policy: Policy
    calendar: WorkingCalendar
    children: tuple[Child, ...]
    workers: tuple[Worker, ...]
    absences: tuple[Absence, ...]
    visits: tuple[RecordedVisit, ...]
    today: date
    weeks: int
    seed: int
    times: TimeSettings = field(default_factory=TimeSettings)
    pin_working_days: int = 5
    previous: Schedule | None = None
    moves: Mapping[str, datetime] = field(default_factory=dict)
    #: A manager's decisions about single visits, by visit id (see :class:`Directive`).
    directives: Mapping[str, Directive] = field(default_factory=dict)
    records_from: date | None = None
    #: The team of households with no known worker ("": the first team by name); set when
    #: the request is one part of an authority's (see :mod:`visitplanner.core.partition`).
    default_team: str = ""
    #: The duty rota (duty.csv): who may visit on days the office is shut, and how many.
    duty: tuple[DutyShift, ...] = ()
    #: School terms (terms.csv): a child at school is visited after school only in term
    #: time.  None given: every working day is a school day.
    terms: tuple[SchoolTerm, ...] = ()

    @property
    def end(self) -> date:
        """Last day of the plan (inclusive): ``weeks`` whole weeks from ``today``."""
        return self.today + timedelta(days=7 * self.weeks - 1)


@quick_init
@dataclass(frozen=True, slots=True)
class Need:
    """A household's next visit: latest safe day (target), deadline, and why."""

    household: str
    target: date
    due: date
    earliest: date
    kind: VisitKind
    reasons: tuple[Deadline, ...]
    roles: frozenset[Role]
    #: Placed as if after school: a child of the household is at school on some day of
    #: the window in term.  The visit itself is after school only on a term day
    #: (:func:`after_school_on`).
    after_school: bool = False
    halfway: date | None = None
    #: A child of the household is of school age and in education by the window's end.
    school_age: bool = False


def after_school_on(request: PlanRequest, need: Need, day: date) -> bool:
    """True when the need's visit on ``day`` must take the after-school window: a child is
    at school and ``day`` is in term (and the settings give such a window)."""
    return need.school_age and school_day(request, day)


def school_day(request: PlanRequest, day: date) -> bool:
    """True when a child at school is away at school on ``day``: it is in term, and the
    settings give an after-school window to visit in instead."""
    return request.times.after_school is not None and in_term(request.terms, day)


def after_school_between(request: PlanRequest, school_age: bool, first: date,
                         last: date) -> bool:
    """True when a visit that may fall on any day from ``first`` to ``last`` (inclusive,
    calendar days) must be placed as if after school: a child is at school and one of the
    days is in term (the day is not known yet)."""
    return school_age and request.times.after_school is not None and \
        any_term_day(request.terms, first, last)


@quick_init
@dataclass(frozen=True, slots=True)
class Slot:
    """Where a need was placed: the day, who visits, and how the choice was made."""

    day: date
    worker_id: str
    flags: tuple[str, ...]
    reuse_id: str | None = None
    start: datetime | None = None


@dataclass(frozen=True, slots=True)
class Asked:
    """The rules each step of the planner asks, chosen once per plan."""

    #: Rules that may call for a visit (see ``drives_a_visit``): every-k-th checks never do
    #: (they are owed at whichever visit comes next).
    driving: tuple[Question, ...]
    checks: tuple[Question, ...]
    visits: tuple[Question, ...]
    #: Rules with deadlines that count only visits making some checks (``counts.checks``).
    counted: tuple[Rule, ...]
    #: Each rule's citation (by rule id), made once: every visit's reasons share the text
    #: (a plan holds tens of thousands of reasons, and a process pool sends them back).
    cites: Mapping[str, str]

    @classmethod
    def of(cls, policy: Policy) -> Asked:
        return cls(
            driving=tuple(Question.of(r) for r in policy.rules if r.kind in VISIT_RULES or
                          (r.kind is RuleKind.CHECK and not r.every_kth)),
            checks=tuple(map(Question.of, policy.rules_of(RuleKind.CHECK))),
            # A rule no planned visit can meet says nothing of when the next is due.
            visits=tuple(Question.of(r) for r in policy.rules if r.kind in VISIT_RULES
                         and planned_visits_can_meet(r)),
            counted=counted_rules(policy.rules),
            cites={r.id: policy.rule(r.id).source.cite() for r in policy.rules})


def counted_rules(rules: Iterable[Rule]) -> tuple[Rule, ...]:
    """The rules with deadlines that count only visits making some checks (a cadence of
    visits where the child is seen alone)."""
    return tuple(r for r in rules if r.kind in COUNTED_RULES and r.counts.checks)


@dataclass(frozen=True, slots=True)
class ChildRules:
    """The rules of :class:`Asked` that may apply to one child (:func:`chosen_for`: its plan
    type, categories and education never change), chosen once per plan, not at every step."""

    driving: tuple[Question, ...]
    checks: tuple[Question, ...]
    visits: tuple[Question, ...]
    counted: tuple[Rule, ...]

    @classmethod
    def of(cls, asked: Asked, child: Child) -> ChildRules:
        return cls(chosen_for(child, asked.driving), chosen_for(child, asked.checks),
                   chosen_for(child, asked.visits),
                   tuple(r for r in asked.counted if may_ever_apply(r, child)))


@dataclass
class State:
    """The planner's working state; local to one plan() call, never shared."""

    histories: dict[str, History]
    bookings: Bookings
    visits: list[PlannedVisit]
    shortfalls: list[Shortfall]
    used_ids: set[str]
    previous_left: dict[str, list[PlannedVisit]]
    asked: Asked
    reserved: set[str] = field(default_factory=set)
    kept_starts: dict[str, datetime] = field(default_factory=dict)
    chosen: dict[str, ChildRules] = field(default_factory=dict)

    def rules_for(self, child: Child) -> ChildRules:
        """The rules each step asks of ``child`` (chosen when first asked)."""
        found = self.chosen.get(child.case_ref)
        if found is None:
            found = self.chosen[child.case_ref] = ChildRules.of(self.asked, child)
        return found


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=LONDON)


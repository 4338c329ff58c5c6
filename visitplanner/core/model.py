"""Domain values: children, workers, absences, recorded and planned visits.

Everything here is a frozen, slotted dataclass: functions take these values and
return new ones, never mutating their inputs.  Dates are :class:`datetime.date`
(calendar dates, no time zone); instants are aware :class:`datetime.datetime`
in Europe/London (see :data:`LONDON`).

Names (``Child.name``, ``Worker.name``) are personal data: they may appear in a
calendar only at the ``full`` privacy level and must never be logged.  Use the
case reference (``Child.case_ref``) in logs and messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from visitplanner.core.values import quick_init

LONDON = ZoneInfo("Europe/London")


class PlanType(StrEnum):
    """The plans English policies share, and a policy's plan types unless it declares its own
    (``[policy] plan_types``: early help, a disabled children's team's plans ...).  ``S47``:
    a section 47 enquiry is under way.  A child's ``plan_type`` is text, one of the policy's."""

    CIN = "CIN"
    S47 = "S47"
    CP = "CP"


#: A policy's plan types when it declares none.
DEFAULT_PLAN_TYPES: tuple[str, ...] = tuple(p.value for p in PlanType)


class Role(StrEnum):
    """What a worker is; rules filter visits by the visitor's role."""

    SOCIAL_WORKER = "social_worker"
    SENIOR_SOCIAL_WORKER = "senior_social_worker"
    PRACTICE_MANAGER = "practice_manager"
    TEAM_MANAGER = "team_manager"
    FAMILY_SUPPORT_WORKER = "family_support_worker"
    HEALTH_VISITOR = "health_visitor"
    OTHER_PROFESSIONAL = "other_professional"


#: Roles that hold a social work qualification: they may make any statutory visit.
SOCIAL_WORK_ROLES = frozenset(
    {Role.SOCIAL_WORKER, Role.SENIOR_SOCIAL_WORKER, Role.PRACTICE_MANAGER, Role.TEAM_MANAGER}
)


class Location(StrEnum):
    HOME = "home"
    ELSEWHERE = "elsewhere"


class Outcome(StrEnum):
    """How a recorded visit ended.

    ``COMPLETED``: the visit took place and the child was seen.
    ``NOT_SEEN``: the visit took place but the child was not seen.
    ``NO_ACCESS``: the worker went but could not get in (a failed visit).
    ``CANCELLED``: the visit did not go ahead (a failed visit).
    """

    COMPLETED = "completed"
    NOT_SEEN = "not_seen"
    NO_ACCESS = "no_access"
    CANCELLED = "cancelled"

    @property
    def failed(self) -> bool:
        """True when the visit did not go ahead at all (no access, cancelled)."""
        return self in FAILED_OUTCOMES


#: Outcomes of visits that did not go ahead.
FAILED_OUTCOMES = frozenset({Outcome.NO_ACCESS, Outcome.CANCELLED})


#: Checks a visit can record.  Policies may name further checks: a check is a
#: plain string, so an authority can add one without a code change.
KNOWN_CHECKS = (
    "seen_alone",
    "seen_awake",
    "bedroom",
    "kitchen",
    "bathroom",
    "food",
    "sleeping_arrangements",
    "household_changes",
    "injuries",
)


@dataclass(frozen=True, slots=True)
class PlanValue:
    """A plan's own interval for one rule (a row of plan_values.csv), in force from ``start``
    (inclusive) until the next value for the same rule.

    ``count`` and ``unit`` are an interval as the policy writes it (``unit`` is a
    :class:`visitplanner.core.policy.Unit` value: "weeks", "working_days", ...).  ``set_by``
    names the meeting ("ICPC 2026-10-01"); ``approved_by`` the roles that agreed a value
    looser than the rule (see the rule's ``relax``).
    """

    rule_id: str
    count: int
    unit: str
    start: date
    set_by: str = ""
    approved_by: frozenset[str] = frozenset()
    #: :data:`SWITCH_OFF` or :data:`SWITCH_ON` for a row that switches the rule off or on
    #: for the child from ``start`` (``count`` and ``unit`` then mean nothing), else "".
    switch: str = ""


@dataclass(frozen=True, slots=True)
class ChildEvent:
    """Something that happened (or is booked) in a child's case on ``day``, named as the
    policy's ``[policy] events`` name it (events.csv): a strategy discussion, the end of a
    section 47 enquiry, a placement.  A first_visit rule may count from it."""

    name: str
    day: date


#: Events every child has without events.csv, and where each comes from (see
#: :meth:`Child.occurrences`): the referral, the plan's start, the birth (the expected date
#: for an unborn child), every conference, the first conference, the later ones.
BUILTIN_EVENTS = ("referral", "plan_start", "birth", "conference", "initial_conference",
                  "review_conference")


#: plan_values.csv values that switch a rule off for one child, and back on.
SWITCH_OFF, SWITCH_ON = "off", "on"


#: The flag of a visit made by a worker on the duty rota on a day the office is shut: no
#: one of the team could meet the deadline on a working day (``[policy.duty]``).
DUTY_FLAG = "duty"
#: The flag of an announced visit, new or moved by this plan, that starts sooner than the
#: policy's notice to the family: the worker tells the family at once.
SHORT_NOTICE_FLAG = "short_notice"


@dataclass(frozen=True, slots=True)
class Every:
    """How often a plan asks for something: ``count`` of ``unit`` (a
    :class:`visitplanner.core.policy.Unit` value, e.g. "weeks", "months", "working_days")."""

    count: int
    unit: str


@dataclass(frozen=True, slots=True)
class Child:
    """A child on a plan.  ``household`` groups siblings visited together.

    ``birth_date`` is None for an unborn child, who then has ``due_date``.
    ``conference_dates`` are child protection conferences (past and booked).
    ``visit_frequency_days`` is the interval set by conference or by the
    social worker and supervisor (s47); it may only tighten the policy.
    ``plan_values`` are the plan's own intervals for named rules, with their history
    (plan_values.csv), oldest first within each rule.  ``away_visits_every``: how often the
    plan asks for a visit away from the family home (not statutory), or None.
    """

    case_ref: str
    household: str
    name: str
    birth_date: date | None
    plan_type: str
    plan_start: date
    allocated_worker: str | None = None
    due_date: date | None = None
    referral_date: date | None = None
    conference_dates: tuple[date, ...] = ()
    categories: frozenset[str] = frozenset()
    education: str = "school"
    visit_frequency_days: int | None = None
    address: str = ""
    plan_values: tuple[PlanValue, ...] = ()
    away_visits_every: Every | None = None
    #: The case's events from events.csv (the built-in ones come from the fields above).
    events: tuple[ChildEvent, ...] = ()
    #: The team or service the case is with (children.csv ``service``), for rules whose
    #: ``when.services`` name it; "" when not given.
    service: str = ""
    #: Tasks done (tasks.csv): each a task rule's id and the day it was done.
    tasks_done: tuple[ChildEvent, ...] = ()

    def done_days(self, rule_id: str) -> tuple[date, ...]:
        """The days the task rule ``rule_id`` was done for this child, in order."""
        return tuple(sorted(t.day for t in self.tasks_done if t.name == rule_id))

    def occurrences(self, event: str) -> tuple[date, ...]:
        """The days ``event`` happened or is booked for this child, in order (none: empty).

        ``initial_conference`` is the first of ``conference_dates`` and
        ``review_conference`` every later one; any other name not built in
        (:data:`BUILTIN_EVENTS`) is looked up in the child's events.csv rows.
        """
        if event == "referral":
            return (self.referral_date,) if self.referral_date else ()
        if event == "plan_start":
            return (self.plan_start,)
        if event == "birth":
            born = self.assumed_birth_date
            return (born,) if born else ()
        conferences = tuple(sorted(self.conference_dates))
        if event == "conference":
            return conferences
        if event == "initial_conference":
            return conferences[:1]
        if event == "review_conference":
            return conferences[1:]
        return tuple(sorted(e.day for e in self.events if e.name == event))

    def plan_values_for(self, rule_id: str) -> tuple[PlanValue, ...]:
        """The plan's intervals for the rule, oldest ``start`` first (none: empty); switches
        are not among them (see :meth:`switched_off`)."""
        if not self.plan_values:
            return ()
        return tuple(v for v in self.plan_values if v.rule_id == rule_id and not v.switch)

    def switched_off(self, rule_id: str, day: date) -> bool:
        """True when the plan switched the rule off for this child on ``day``: the latest
        switch row for it starting on or before ``day`` (inclusive) says off."""
        switches = [v for v in self.plan_values if v.rule_id == rule_id and v.switch
                    and v.start <= day]
        return bool(switches) and switches[-1].switch == SWITCH_OFF

    def switched_on_after(self, rule_id: str, day: date) -> date | None:
        """The first day after ``day`` the plan switches the rule back on (None: never)."""
        return next((v.start for v in self.plan_values if v.rule_id == rule_id
                     and v.switch == SWITCH_ON and v.start > day), None)

    def is_born_on(self, day: date) -> bool:
        """True when the child's date of birth is recorded and is on or before ``day``."""
        return self.birth_date is not None and self.birth_date <= day

    def treated_as_born_on(self, day: date) -> bool:
        """True when the child is born on ``day``, or is unborn with an expected due date on
        or before ``day``: from the expected date the plan treats the child as born (checks
        on the baby are planned) until the date of birth is recorded."""
        return self.is_born_on(day) or (
            self.birth_date is None and self.due_date is not None and self.due_date <= day)

    @property
    def assumed_birth_date(self) -> date | None:
        """The date of birth, or for an unborn child the expected due date (None: neither)."""
        return self.birth_date if self.birth_date is not None else self.due_date

    def birth_overdue_on(self, day: date) -> bool:
        """True when an expected due date has passed with no date of birth recorded."""
        return self.birth_date is None and self.due_date is not None and self.due_date < day

    @property
    def initials(self) -> str:
        return "".join(part[0].upper() for part in self.name.split() if part)

    def age_on(self, day: date) -> int | None:
        """Age in whole years on ``day`` (a birthday counts on the day itself).

        Returns None for an unborn child (no ``birth_date``) and a negative
        number before birth is impossible: callers check ``day >= birth_date``.
        """
        if self.birth_date is None:
            return None
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


@dataclass(frozen=True, slots=True)
class Worker:
    """A member of staff or of the core group.

    ``working_days`` are weekday numbers (Monday = 0).  ``visits_per_day`` is
    the most home visits the worker can make on one working day.
    """

    id: str
    name: str
    email: str
    team: str
    role: Role
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    visits_per_day: int = 3


@dataclass(frozen=True, slots=True)
class Absence:
    """A worker away from ``start`` to ``end``, both dates inclusive (calendar days)."""

    worker_id: str
    start: date
    end: date
    reason: str = ""

    def covers(self, day: date) -> bool:
        """True when ``day`` falls inside the absence (inclusive bounds)."""
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class DutyShift:
    """``worker_id`` on the duty rota on ``day`` (one calendar day), able to make up to
    ``visits`` home visits: on a closure day, a bank holiday, a weekend, or a day outside
    their usual working days."""

    worker_id: str
    day: date
    visits: int


@dataclass(frozen=True, slots=True)
class SchoolTerm:
    """School term time from ``first`` to ``last``, both inclusive (calendar days)."""

    first: date
    last: date
    name: str = ""

    def holds(self, day: date) -> bool:
        return self.first <= day <= self.last


@dataclass(frozen=True, slots=True)
class RecordedVisit:
    """One child's part in a visit that happened (or was attempted).

    A household visit seeing three siblings is three records sharing
    ``visit_id``.  ``checks`` holds the checks done for this child, e.g.
    ``{"seen_alone", "bedroom"}``; ``child_seen`` is False for a visit where
    the child was not seen.
    """

    visit_id: str
    case_ref: str
    at: datetime
    worker_id: str
    location: Location = Location.HOME
    announced: bool = True
    outcome: Outcome = Outcome.COMPLETED
    checks: frozenset[str] = frozenset()
    #: The visit's type (visits.csv ``visit_type``; see ``[policy] visit_types``).
    visit_type: str = "statutory"
    #: Checks tried but not made (visits.csv ``checks_not_made``; see a rule's ``missed``).
    not_made: frozenset[str] = frozenset()

    @property
    def day(self) -> date:
        return self.at.date()

    @property
    def child_seen(self) -> bool:
        return self.outcome is Outcome.COMPLETED


class VisitKind(StrEnum):
    FIRST = "first"
    ROUTINE = "routine"
    REVISIT = "revisit"
    AWAY_FROM_HOME = "away_from_home"


@quick_init
@dataclass(frozen=True, slots=True)
class Reason:
    """Why a planned visit is on its day: the rule, its deadline, its source."""

    rule_id: str
    case_ref: str
    deadline: date
    source: str
    what: str = ""


@quick_init
@dataclass(frozen=True, slots=True)
class ChildChecks:
    """The checks one child needs at one planned visit."""

    case_ref: str
    checks: tuple[str, ...]


@quick_init
@dataclass(frozen=True, slots=True)
class PlannedVisit:
    """A visit the planner has put in a worker's diary.

    ``start`` and ``end`` are aware datetimes in Europe/London.  ``worker_id``
    makes the visit; ``allocated_worker_id`` is the child's own worker when it
    differs (a cover visit), else None.  ``due_by`` is the latest date the visit
    may take place (inclusive) without breaching any rule it serves.
    """

    id: str
    household: str
    case_refs: tuple[str, ...]
    start: datetime
    end: datetime
    worker_id: str
    team: str
    kind: VisitKind
    announced: bool
    checks: tuple[ChildChecks, ...]
    due_by: date
    reasons: tuple[Reason, ...]
    allocated_worker_id: str | None = None
    flags: tuple[str, ...] = ()
    failure_would_breach: bool = False

    @property
    def day(self) -> date:
        return self.start.date()

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(sorted({r.rule_id for r in self.reasons}))

    @property
    def location(self) -> Location:
        """Where the visit takes place: away from home for a visit of that kind, else home."""
        return Location.ELSEWHERE if self.kind is VisitKind.AWAY_FROM_HOME else Location.HOME


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A deadline the plan will miss: by how many calendar days, and why."""

    case_ref: str
    household: str
    rule_id: str
    deadline: date
    planned_on: date | None
    days_late: int
    reason: str
    team: str = ""


@dataclass(frozen=True, slots=True)
class TaskDue:
    """A meeting or task a ``task`` rule sets for a case, to be done by ``due`` (inclusive):
    in the allocated worker's calendar (``owner`` "worker", ``worker_id``) or the team's
    (``owner`` "team_manager"), as a to-do.  Done ones are recorded in tasks.csv."""

    case_ref: str
    household: str
    rule_id: str
    due: date
    what: str
    owner: str
    team: str
    worker_id: str | None = None


@dataclass(frozen=True, slots=True)
class Escalation:
    """Someone must be told: an escalation rule's trigger has fired on the recorded visits.

    ``fired`` is the day the trigger fired; ``due`` the last day (inclusive)
    by which ``notify`` (roles such as team_manager, conference_chair) must
    be told.  It stays in the plan while the trigger holds (until the child
    is seen, or a visit succeeds).
    """

    case_ref: str
    household: str
    rule_id: str
    notify: tuple[str, ...]
    fired: date
    due: date
    what: str
    action: str = ""
    team: str = ""
    allocated_worker_id: str | None = None


@dataclass(frozen=True, slots=True)
class BirthDateNeeded:
    """An unborn child expected on or before the plan's last day.

    From ``expected`` (inclusive) the plan treats the child as born on that day, so that
    the checks on the baby (seen awake, seen alone) are planned; ``worker_id``, the
    allocated worker, must record the real date of birth so that ages and deadlines
    count from it.
    """

    case_ref: str
    household: str
    expected: date
    worker_id: str | None
    team: str = ""


@dataclass(frozen=True, slots=True)
class RecordingTask:
    """A record that must be written by ``due`` (inclusive), for a planned visit."""

    visit_id: str
    worker_id: str
    due: date
    rule_id: str


@dataclass(frozen=True, slots=True)
class Schedule:
    """The planner's output for the days ``start`` to ``end`` (inclusive).

    ``known_visits`` lists the ids of the recorded visits the plan was made
    from, so that the next plan can tell which visits were made since.
    ``parts`` holds a digest of the inputs of each part (a group of teams) the plan
    was made of: a re-plan keeps a part whose inputs are unchanged as it is.
    """

    today: date
    start: date
    end: date
    seed: int
    visits: tuple[PlannedVisit, ...]
    shortfalls: tuple[Shortfall, ...] = ()
    recording_tasks: tuple[RecordingTask, ...] = ()
    notes: tuple[str, ...] = field(default=())
    known_visits: tuple[str, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    birth_dates_needed: tuple[BirthDateNeeded, ...] = ()
    #: Meetings and tasks task rules set (core groups, reports, oversight), by due date.
    tasks: tuple[TaskDue, ...] = ()
    parts: tuple[str, ...] = ()

    def visits_for_worker(self, worker_id: str) -> tuple[PlannedVisit, ...]:
        return tuple(v for v in self.visits if v.worker_id == worker_id)

    def visits_for_team(self, team: str) -> tuple[PlannedVisit, ...]:
        return tuple(v for v in self.visits if v.team == team)

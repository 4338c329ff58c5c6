"""Who can make a visit on which day: working days, absences, capacity, role, and cover.

The team manager is responsible for cover (Camden cin-cover/cp-cover, Walsall
cp-managers-responsible): when the allocated worker cannot visit inside the
window, a team colleague whose role fits covers, preferring one who has visited
the family before, then the least loaded; failing that, the team manager.

:class:`Staff` answers availability questions; :class:`Bookings` counts the
visits already given to each worker on each day (capacity).

The duty rota (duty.csv) is the last resort on days the office is shut: a worker on duty
that day may make up to their shift's ``visits`` (:func:`can_visit_on_duty`).  Which
children it may visit is the policy's (``[policy.duty]``), asked by the planner.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from visitplanner.core.model import SOCIAL_WORK_ROLES, Absence, Child, DutyShift, Role, Worker
from visitplanner.core.workdays import WorkingCalendar

#: Roles that are core-group members outside the team: they never take planned visits.
NOT_PLANNED_ROLES = frozenset({Role.HEALTH_VISITOR, Role.OTHER_PROFESSIONAL})


@dataclass(frozen=True, slots=True)
class Staff:
    """The team's workers, their absences and the authority's working days."""

    workers: Mapping[str, Worker]
    absences: Mapping[str, tuple[Absence, ...]]
    calendar: WorkingCalendar
    day_slots: int | None = None
    after_school_slots: int = 0
    #: The team of children with no known worker ("": the first team by name).
    default_team: str = ""
    #: The duty rota: the most visits each (worker, day) on duty may make.
    duty: Mapping[tuple[str, date], int] = field(default_factory=dict)
    #: Each team's members in worker-id order (built once: cover asks on every visit).
    teams: Mapping[str, tuple[Worker, ...]] = field(init=False, repr=False, compare=False)
    #: Whether each worker works on each day asked so far (see ``works_on``): placement asks
    #: the same few weeks of days for every visit of a worker's families.
    working: dict[tuple[str, date], bool] = field(init=False, repr=False, compare=False,
                                                  default_factory=dict)

    def __post_init__(self) -> None:
        teams: dict[str, list[Worker]] = {}
        for worker in sorted(self.workers.values(), key=lambda w: w.id):
            teams.setdefault(worker.team, []).append(worker)
        object.__setattr__(self, "teams", {team: tuple(v) for team, v in teams.items()})
        if not self.default_team:
            object.__setattr__(self, "default_team", min(teams, default=""))

    @classmethod
    def build(cls, workers: Iterable[Worker], absences: Iterable[Absence],
              calendar: WorkingCalendar, day_slots: int | None = None,
              after_school_slots: int = 0, default_team: str = "",
              duty: Iterable[DutyShift] = ()) -> Staff:
        """``day_slots``: the most visits that fit in one working day (None: no limit);
        ``after_school_slots``: how many of them fit in the after-school window;
        ``duty``: the rota's shifts (those of workers not in ``workers`` are left out)."""
        by_worker: dict[str, list[Absence]] = {}
        for absence in absences:
            by_worker.setdefault(absence.worker_id, []).append(absence)
        known = {w.id: w for w in workers}
        shifts = {(s.worker_id, s.day): s.visits for s in duty if s.worker_id in known}
        return cls(known, {k: tuple(v) for k, v in by_worker.items()},
                   calendar, day_slots, after_school_slots, default_team, shifts)

    def capacity(self, worker_id: str) -> int:
        """Visits the worker can make in a day: their own figure, within the working day's slots."""
        own = self.workers[worker_id].visits_per_day
        return own if self.day_slots is None else min(own, self.day_slots)

    def is_absent(self, worker_id: str, day: date) -> bool:
        """True when an absence of the worker covers ``day`` (inclusive bounds)."""
        return any(a.covers(day) for a in self.absences.get(worker_id, ()))

    def works_on(self, worker_id: str, day: date) -> bool:
        """True when ``day`` is a working day of the authority and the worker, not an absence."""
        key = (worker_id, day)
        works = self.working.get(key)
        if works is None:
            worker = self.workers[worker_id]
            works = self.working[key] = (
                day.weekday() in worker.working_days and self.calendar.is_working_day(day)
                and not self.is_absent(worker_id, day))
        return works

    def team_manager(self, team: str) -> Worker | None:
        return next((w for w in self._members(team) if w.role is Role.TEAM_MANAGER), None)

    def colleagues(self, team: str, roles: frozenset[Role]) -> tuple[Worker, ...]:
        """Team members who may cover: role fits ``roles`` (empty: any), managers excepted."""
        return tuple(w for w in self._members(team)
                     if role_fits(w, roles) and w.role is not Role.TEAM_MANAGER)

    def _members(self, team: str) -> tuple[Worker, ...]:
        return self.teams.get(team, ())


def role_fits(worker: Worker, roles: frozenset[Role]) -> bool:
    """True when the worker may make a visit that only ``roles`` count toward.

    An empty ``roles`` means any role the team plans visits for; core-group
    members from other services (health visitors) never take planned visits.
    """
    if worker.role in NOT_PLANNED_ROLES:
        return False
    return worker.role in roles if roles else True


def statutory_roles(roles: frozenset[Role]) -> frozenset[Role]:
    """Roles a visit needs: the rule's roles, narrowed to social work roles when any are listed."""
    narrowed = roles & SOCIAL_WORK_ROLES
    return narrowed or roles


class Bookings:
    """Visits booked per (worker, day), and in total per worker.

    Mutable, and local to one plan() call: booking a visit costs O(1) whatever the size of
    the authority (a value copied on each booking cost O(visits) per visit).
    """

    __slots__ = ("_after_school", "_per_day", "_per_worker")

    def __init__(self) -> None:
        self._per_day: dict[tuple[str, date], int] = {}
        self._per_worker: dict[str, int] = {}
        self._after_school: dict[tuple[str, date], int] = {}

    def count(self, worker_id: str, day: date) -> int:
        return self._per_day.get((worker_id, day), 0)

    def count_after_school(self, worker_id: str, day: date) -> int:
        return self._after_school.get((worker_id, day), 0)

    def load(self, worker_id: str) -> int:
        return self._per_worker.get(worker_id, 0)

    def book(self, worker_id: str, day: date, after_school: bool = False) -> None:
        """One more visit of the worker's on ``day`` (in the after-school window when asked)."""
        self._add(worker_id, day, after_school, 1)

    def unbook(self, worker_id: str, day: date, after_school: bool = False) -> None:
        """One visit fewer of the worker's on ``day`` (one that was booked)."""
        self._add(worker_id, day, after_school, -1)

    def _add(self, worker_id: str, day: date, after_school: bool, step: int) -> None:
        key = (worker_id, day)
        self._per_day[key] = self._per_day.get(key, 0) + step
        self._per_worker[worker_id] = self._per_worker.get(worker_id, 0) + step
        if after_school:
            self._after_school[key] = self._after_school.get(key, 0) + step


def can_visit(staff: Staff, bookings: Bookings, worker_id: str, day: date,
              after_school: bool = False) -> bool:
    """True when the worker works on ``day`` and has a visit slot left that day
    (one in the after-school window when ``after_school``)."""
    if not staff.works_on(worker_id, day) or \
            bookings.count(worker_id, day) >= staff.capacity(worker_id):
        return False
    return not after_school or \
        bookings.count_after_school(worker_id, day) < staff.after_school_slots


def can_visit_on_duty(staff: Staff, bookings: Bookings, worker_id: str, day: date,
                      after_school: bool = False) -> bool:
    """True when the worker is on the duty rota on ``day``, a day the office is shut, is not
    absent, and has a visit of their shift left (one in the after-school window when
    ``after_school``).  On a day the office is open the rota is not used."""
    shift = staff.duty.get((worker_id, day))
    if shift is None or staff.calendar.is_working_day(day) or staff.is_absent(worker_id, day):
        return False
    if bookings.count(worker_id, day) >= shift:
        return False
    return not after_school or \
        bookings.count_after_school(worker_id, day) < staff.after_school_slots


def on_duty(staff: Staff, day: date) -> tuple[str, ...]:
    """The workers on the duty rota on ``day``, in worker-id order."""
    return tuple(w for w in sorted(staff.workers) if (w, day) in staff.duty)


def latest_day(staff: Staff, bookings: Bookings, worker_id: str, first: date, last: date,
               after_school: bool = False) -> date | None:
    """The latest day in ``first``..``last`` (inclusive, calendar days) the worker can visit."""
    day = last
    while day >= first:
        if can_visit(staff, bookings, worker_id, day, after_school):
            return day
        day -= timedelta(days=1)
    return None


def earliest_day(staff: Staff, bookings: Bookings, worker_id: str, first: date, last: date,
                 after_school: bool = False) -> date | None:
    """The earliest day in ``first``..``last`` (inclusive, calendar days) the worker can visit."""
    day = first
    while day <= last:
        if can_visit(staff, bookings, worker_id, day, after_school):
            return day
        day += timedelta(days=1)
    return None


def absent_in(staff: Staff, worker_id: str, first: date, last: date) -> bool:
    """True when the worker is absent on some day of ``first``..``last`` (inclusive)."""
    return any(a.start <= last and a.end >= first for a in staff.absences.get(worker_id, ()))


def cover_order(candidates: Iterable[Worker], familiar: frozenset[str],
                bookings: Bookings) -> list[Worker]:
    """Colleagues in the order they are asked to cover.

    First those who have visited the family before, then the least loaded,
    then by worker id so that the choice is reproducible.
    """
    return sorted(candidates, key=lambda w: (w.id not in familiar, bookings.load(w.id), w.id))


def home_team(staff: Staff, children: Sequence[Child], allocated: Worker | None) -> str:
    """The team of the children's worker (the allocated one first), else the first team."""
    if allocated is not None:
        return allocated.team
    for child in children:
        worker = staff.workers.get(child.allocated_worker or "")
        if worker is not None:
            return worker.team
    return staff.default_team

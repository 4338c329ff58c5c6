"""What the team board shows, as values.  Pure: the kept plan, the workspace's values and
the day are passed in.

* :func:`load_grid`: for each worker of the teams, week by week (Monday to Sunday, both
  inclusive) over the plan: visits planned against capacity (``visits_per_day`` on each of
  the worker's working days that is an office working day and not inside an absence),
  absence days, cover given (visits made for a colleague's family) and received (visits to
  the worker's own families made by a colleague);
* :func:`at_risk`: shortfalls, visits with no slack (a failed visit would breach), active
  escalations with who must act by when, and children whose next deadline falls within N
  working days (today inclusive), each with its rule and the rule's source sentence;
* :func:`timeline`: one child's recorded and planned visits, deadlines and checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from visitplanner.core.model import Absence, Child, PlannedVisit, RecordedVisit, Schedule, Worker
from visitplanner.core.policy import Policy
from visitplanner.core.workdays import WorkingCalendar


@dataclass(frozen=True, slots=True)
class Team:
    """The inputs one team's board is drawn from."""

    names: tuple[str, ...]
    workers: tuple[Worker, ...]
    children: tuple[Child, ...]
    absences: tuple[Absence, ...]
    visits: tuple[RecordedVisit, ...]


@dataclass(frozen=True, slots=True)
class WeekLoad:
    """One worker's week: visits planned, capacity, days away, cover given and received."""

    monday: date
    planned: int
    capacity: int
    days_away: int
    cover_given: int
    cover_received: int

    @property
    def over(self) -> bool:
        return self.planned > self.capacity


@dataclass(frozen=True, slots=True)
class WorkerRow:
    worker: Worker
    weeks: tuple[WeekLoad, ...]


@dataclass(frozen=True, slots=True)
class Risk:
    """One thing at risk: its kind, the child, the day it bites, what, the rule and source."""

    kind: str
    case_ref: str
    day: date
    what: str
    rule_id: str
    source: str
    visit_id: str = ""


SHORTFALL, NO_SLACK, ESCALATION, DUE_SOON = "shortfall", "no slack", "escalation", "due soon"
#: The kinds of risk, most urgent first (the board counts each).
RISK_KINDS = (SHORTFALL, ESCALATION, DUE_SOON, NO_SLACK)


def weeks_of(schedule: Schedule) -> tuple[date, ...]:
    """The Mondays of the weeks the plan touches, from its first day's week to its last's."""
    first = schedule.start - timedelta(days=schedule.start.weekday())
    return tuple(first + timedelta(weeks=n)
                 for n in range((schedule.end - first).days // 7 + 1))


def load_grid(team: Team, schedule: Schedule, calendar: WorkingCalendar) -> tuple[WorkerRow, ...]:
    """Each of the team's workers (by id) week by week over the plan (see module)."""
    mine = {w.id for w in team.workers}
    visits = [v for v in schedule.visits
              if v.worker_id in mine or (v.allocated_worker_id or "") in mine]
    mondays = weeks_of(schedule)
    return tuple(WorkerRow(w, tuple(_week(w, m, visits, team.absences, calendar, schedule)
                                    for m in mondays))
                 for w in sorted(team.workers, key=lambda w: w.id))


def _week(worker: Worker, monday: date, visits: Sequence[PlannedVisit],
          absences: Sequence[Absence], calendar: WorkingCalendar, schedule: Schedule
          ) -> WeekLoad:
    days = [monday + timedelta(days=n) for n in range(7)]
    in_plan = [d for d in days if schedule.start <= d <= schedule.end]
    away = [d for d in in_plan if any(a.worker_id == worker.id and a.covers(d)
                                      for a in absences)]
    working = [d for d in in_plan if d.weekday() in worker.working_days and
               calendar.is_working_day(d) and d not in away]
    week = [v for v in visits if monday <= v.day <= days[-1]]
    own = [v for v in week if v.worker_id == worker.id]
    return WeekLoad(
        monday=monday, planned=len(own), capacity=len(working) * worker.visits_per_day,
        days_away=len(away),
        cover_given=sum(1 for v in own if v.allocated_worker_id not in (None, worker.id)),
        cover_received=sum(1 for v in week if v.allocated_worker_id == worker.id and
                           v.worker_id != worker.id))


def at_risk(team: Team, schedule: Schedule, policy: Policy, calendar: WorkingCalendar,
            today: date, within: int) -> tuple[Risk, ...]:
    """What is at risk for the team's children (see module), soonest first.  ``within``:
    working days from ``today`` (both inclusive) for "due soon"."""
    refs = {c.case_ref for c in team.children}
    horizon = calendar.add_working_days(today, within - 1) if within > 0 else today
    risks = [*_shortfalls(schedule, policy, refs), *_no_slack(schedule, refs),
             *_escalations(schedule, policy, refs), *_due_soon(schedule, refs, horizon)]
    return tuple(sorted(risks, key=lambda r: (r.day, r.kind, r.case_ref, r.rule_id)))


def _source(policy: Policy, rule_id: str) -> str:
    try:
        return policy.rule(rule_id).source.cite()
    except KeyError:
        return ""


def _shortfalls(schedule: Schedule, policy: Policy, refs: set[str]) -> list[Risk]:
    return [Risk(SHORTFALL, s.case_ref, s.deadline,
                 f"{s.days_late} day(s) late: {s.reason}", s.rule_id, _source(policy, s.rule_id))
            for s in schedule.shortfalls if s.case_ref in refs]


def _no_slack(schedule: Schedule, refs: set[str]) -> list[Risk]:
    out = []
    for v in schedule.visits:
        if not v.failure_would_breach:
            continue
        for reason in v.reasons:
            if reason.case_ref in refs:
                out.append(Risk(NO_SLACK, reason.case_ref, v.day,
                                f"a failed visit on {v.day:%a %d %b} would breach "
                                f"({v.worker_id})", reason.rule_id, reason.source, v.id))
                break
    return out


def _escalations(schedule: Schedule, policy: Policy, refs: set[str]) -> list[Risk]:
    return [Risk(ESCALATION, e.case_ref, e.due,
                 f"{e.what}: tell {', '.join(e.notify)} by {e.due:%a %d %b}"
                 + (f" ({e.action})" if e.action else ""), e.rule_id, _source(policy, e.rule_id))
            for e in schedule.escalations if e.case_ref in refs]


def _due_soon(schedule: Schedule, refs: set[str], horizon: date) -> list[Risk]:
    """Each child's earliest deadline served by a planned visit, when it is on or before
    ``horizon`` (inclusive)."""
    first: dict[str, tuple[date, PlannedVisit, str, str]] = {}
    for v in schedule.visits:
        for reason in v.reasons:
            if reason.case_ref in refs and reason.deadline <= horizon:
                known = first.get(reason.case_ref)
                if known is None or reason.deadline < known[0]:
                    first[reason.case_ref] = (reason.deadline, v, reason.rule_id, reason.source)
    return [Risk(DUE_SOON, ref, deadline, f"next deadline {deadline:%a %d %b}; planned "
                 f"{v.day:%a %d %b} with {v.worker_id}", rule_id, source, v.id)
            for ref, (deadline, v, rule_id, source) in sorted(first.items())]


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of a child's timeline: a recorded or a planned visit."""

    day: date
    kind: str
    worker_id: str
    what: str
    visit_id: str = ""
    deadlines: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()


def timeline(case_ref: str, visits: Sequence[RecordedVisit], schedule: Schedule
             ) -> tuple[TimelineEntry, ...]:
    """The child's recorded visits then planned ones, oldest first."""
    recorded = [TimelineEntry(r.day, "recorded", r.worker_id,
                              f"{r.outcome.value}, {r.location.value}"
                              + ("" if r.announced else ", unannounced"),
                              checks=tuple(sorted(r.checks)))
                for r in visits if r.case_ref == case_ref]
    planned = [TimelineEntry(v.day, "planned", v.worker_id,
                             ("announced" if v.announced else "unannounced")
                             + "".join(f", {f}" for f in v.flags),
                             v.id, tuple(f"{r.rule_id} by {r.deadline.isoformat()}"
                                         for r in v.reasons if r.case_ref == case_ref),
                             tuple(c for cc in v.checks if cc.case_ref == case_ref
                                   for c in cc.checks))
               for v in schedule.visits if case_ref in v.case_refs]
    return tuple(sorted([*recorded, *planned], key=lambda e: (e.day, e.kind)))

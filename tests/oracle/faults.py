"""Planning faults and needless cover in a schedule.

**Planning faults**, per planned visit:

- its day is outside today .. the plan end (inclusive);
- the day is not an authority working day (weekend, bank holiday, closure), is not one of
  the worker's ``working_days``, or falls in one of the worker's absences (inclusive);
- the worker has more visits that day than ``visits_per_day``, or two visits of one
  worker overlap in time (one starts before the other ends; travel not counted);
- the visitor is a health visitor or other professional (they never take planned
  visits), or is not in the ``counts.roles`` of a rule the visit serves (its reasons)
  when that rule lists roles;
- it is outside hours: it lies neither inside ``day_start`` .. ``day_end`` nor inside
  one of the time windows; a household with a child at school (education school or
  alternative, age >= 4 on the day) is visited inside the after-school window when one
  is configured;
- it splits siblings: it lists not every child of its household on a plan that day
  (``plan_start`` <= the visit day);
- it makes a window of an ``at_most`` quota (``window`` counted from a counting fact,
  that fact's day inclusive) hold more than ``at_most`` counting facts;
- a duty visit (flagged ``duty``) is on a day the office is shut (a weekend only when the
  policy's ``[policy.duty] weekends`` is true), by a worker on the caseload's duty rota that
  day who is not absent, for a household with a child on a plan type the duty table lists,
  and the worker makes no more visits that day than the shift's ``visits``; a visit on a day
  the office is shut is a duty visit;
- it is announced and starts less than the policy's ``notice`` (hours) after the end of
  today (00:00 the next day, London), and says nothing of it (no ``short_notice`` flag), or
  carries the flag without being so (the caseload has no previous plan: every visit is new).

The children a visit is for are those it lists and those of its household on a plan
that day; one of them at school puts the visit after school.

**Needless cover**: a planned visit by someone other than the household's allocated worker
(the first child's ``allocated_worker``, when that worker is in the caseload, is not a
health visitor or other professional, and is in the roles of every rule the visit serves
that lists roles) is needless when the allocated worker had room on some day from the
window start to the cover visit's day inclusive.  Room: an authority working day that is
one of the worker's working days, no absence, fewer of their planned visits that day than
``visits_per_day`` and, when the household needs the after-school window, fewer of their
visits overlapping it than fit in it (window length // (visit + travel), at least 1 when
one visit fits).  The window start is the latest of today, the day after the household's
previous visit (a recorded home visit that took place, or a planned visit) and the day
halfway from that previous visit to the cover visit's ``due_by`` (and, for a visit serving
a first_visit rule, the day of its event: a visit before the event would not count).
A day on which the visit would put more counting visits than an ``at_most`` quota allows in
one of its windows is no room either.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

from oracle.calendar import WEEKEND, Days
from oracle.facts import (
    TOOK_PLACE,
    age,
    applies,
    counting_facts,
    event_days,
    history,
    london_day,
)
from oracle.inputs import Caseload
from oracle.intervals import counting_of, interval_end
from visitplanner.core.model import LONDON, Child, Location, PlannedVisit, Role, VisitKind, Worker
from visitplanner.core.policy import Rule, RuleKind

#: Roles that never take a planned visit.
NEVER_PLANNED = frozenset({Role.HEALTH_VISITOR, Role.OTHER_PROFESSIONAL})
AT_SCHOOL = frozenset({"school", "alternative"})
SCHOOL_AGE = 4
AFTER_SCHOOL = "after_school"
#: The flag of a visit by a worker on the duty rota on a day the office is shut.
DUTY = "duty"


@dataclass(frozen=True, slots=True)
class Fault:
    """Something wrong with one planned visit: ``kind`` names it, ``what`` explains."""

    kind: str
    visit_id: str
    case_ref: str
    day: date
    worker_id: str
    what: str
    rule_id: str = ""


@dataclass(frozen=True, slots=True)
class NeedlessCover:
    """A cover visit although the allocated worker had room on ``room_on``."""

    visit_id: str
    case_ref: str
    day: date
    worker_id: str
    allocated_id: str
    room_on: date
    what: str


@dataclass(frozen=True, slots=True)
class Team:
    """The caseload's people and the schedule's visits, looked up by id (see :func:`team_of`)."""

    caseload: Caseload
    days: Days
    visits: tuple[PlannedVisit, ...]
    workers: dict[str, Worker]
    rules: dict[str, Rule]
    households: dict[str, tuple[Child, ...]]
    diary: dict[tuple[str, date], tuple[PlannedVisit, ...]]

    def household(self, name: str) -> tuple[Child, ...]:
        return self.households.get(name, ())

    def absent(self, worker_id: str, day: date) -> bool:
        """True when an absence of the worker covers ``day`` (inclusive bounds)."""
        return any(a.worker_id == worker_id and a.start <= day <= a.end
                   for a in self.caseload.absences)

    def visits_of(self, worker_id: str, day: date) -> tuple[PlannedVisit, ...]:
        return self.diary.get((worker_id, day), ())


def team_of(caseload: Caseload, days: Days, visits: tuple[PlannedVisit, ...]) -> Team:
    """The lookups the fault checks need, built once."""
    households: dict[str, list[Child]] = defaultdict(list)
    for child in caseload.children:
        households[child.household].append(child)
    diary: dict[tuple[str, date], list[PlannedVisit]] = defaultdict(list)
    for visit in visits:
        diary[(visit.worker_id, local_day(visit))].append(visit)
    return Team(caseload, days, visits, {w.id: w for w in caseload.workers},
                {r.id: r for r in caseload.policy.rules},
                {h: tuple(c) for h, c in households.items()},
                {k: tuple(v) for k, v in diary.items()})


def local_day(visit: PlannedVisit) -> date:
    return visit.start.astimezone(LONDON).date()


def fault(kind: str, visit: PlannedVisit, what: str, rule_id: str = "") -> Fault:
    return Fault(kind, visit.id, visit.case_refs[0] if visit.case_refs else visit.household,
                 local_day(visit), visit.worker_id, what, rule_id)


# ---------------------------------------------------------------- planning faults


def planning_faults(team: Team) -> list[Fault]:
    """Every planning fault of the schedule (see the module docstring)."""
    found: list[Fault] = []
    for visit in team.visits:
        found += day_faults(team, visit) + role_faults(team, visit) + hours_faults(team, visit)
        found += sibling_faults(team, visit) + notice_faults(team, visit)
    return found + capacity_faults(team) + overlap_faults(team) + at_most_faults(team)


def notice_faults(team: Team, visit: PlannedVisit) -> list[Fault]:
    """An announced visit sooner than the notice is flagged short_notice, and only such."""
    notice = team.caseload.policy.notice
    if notice is None:
        return []
    midnight = datetime.combine(team.caseload.today + timedelta(days=1), time(0), tzinfo=LONDON)
    short = visit.announced and \
        visit.start.astimezone(UTC) < midnight.astimezone(UTC) + timedelta(hours=notice.count)
    if short == ("short_notice" in visit.flags):
        return []
    what = "starts within the notice, not flagged" if short else "flagged, but gives notice"
    return [fault("short_notice", visit, f"{visit.start.astimezone(LONDON):%a %d %b %H:%M} "
                  f"{what}")]


def day_faults(team: Team, visit: PlannedVisit) -> list[Fault]:
    """The visit's day: in the horizon, a working day (or a duty day), the worker's day, not
    absent."""
    day, found = local_day(visit), []
    caseload, worker = team.caseload, team.workers.get(visit.worker_id)
    if not caseload.today <= day <= caseload.plan_end:
        found.append(fault("outside_horizon", visit, f"{day} is outside {caseload.today} "
                           f"to {caseload.plan_end}"))
    if DUTY in visit.flags:
        found += duty_faults(team, visit, day)
    elif not team.days.is_working_day(day):
        found.append(fault("not_a_working_day", visit, f"{day:%a %d %b %Y} is not a working day"))
    if worker is None:
        found.append(fault("unknown_worker", visit, f"worker {visit.worker_id} is not in the team"))
    elif DUTY not in visit.flags and day.weekday() not in worker.working_days:
        found.append(fault("worker_day_off", visit, f"{day:%a} is not a working day of "
                           f"{worker.id}"))
    if team.absent(visit.worker_id, day):
        found.append(fault("worker_absent", visit, f"{visit.worker_id} is absent on {day}"))
    return found


def duty_shift(team: Team, worker_id: str, day: date) -> int | None:
    """The visits of the worker's duty shift on ``day``, or None when they are not on duty."""
    return next((s.visits for s in team.caseload.duty if s.worker_id == worker_id
                 and s.day == day), None)


def duty_faults(team: Team, visit: PlannedVisit, day: date) -> list[Fault]:
    """A duty visit: a shut day the duty table allows, a shift, a plan type it lists."""
    rota, found = team.caseload.policy.duty, []
    if team.days.is_working_day(day):
        found.append(fault("duty_on_open_day", visit, f"{day:%a %d %b %Y}: the office is open"))
    elif day.weekday() in WEEKEND and not rota.weekends:
        found.append(fault("duty_at_weekend", visit, f"{day:%a %d %b %Y}: the policy's duty "
                           "rota does not visit at weekends"))
    if duty_shift(team, visit.worker_id, day) is None:
        found.append(fault("duty_off_rota", visit, f"{visit.worker_id} is not on duty on {day}"))
    plans = {c.plan_type for c in team.household(visit.household) if c.plan_start <= day}
    if not plans & rota.plans:
        found.append(fault("duty_plan_type", visit, f"plan types {sorted(plans)}: the duty "
                           f"rota visits {sorted(rota.plans)} only"))
    return found


def role_faults(team: Team, visit: PlannedVisit) -> list[Fault]:
    """The visitor's role: never a health visitor; in every served rule's roles."""
    worker = team.workers.get(visit.worker_id)
    if worker is None:
        return []
    if worker.role in NEVER_PLANNED:
        return [fault("role_never_plans", visit, f"a {worker.role.value} takes no planned visit")]
    found = []
    for reason in visit.reasons:
        rule = team.rules.get(reason.rule_id)
        if rule is not None and rule.counts.roles and worker.role not in rule.counts.roles:
            found.append(fault("role_does_not_count", visit, f"a {worker.role.value} visit "
                               f"does not count toward {rule.id}", rule.id))
    return found


def hours_faults(team: Team, visit: PlannedVisit) -> list[Fault]:
    """Inside the working day or a window; after school for a household at school."""
    times, day = team.caseload.times, local_day(visit)
    start, end = visit.start.astimezone(LONDON), visit.end.astimezone(LONDON)
    spans = [(times.day_start, times.day_end), *((w.start, w.end) for w in times.windows)]
    found = []
    if end.date() != day or not any(inside(start, end, a, b) for a, b in spans):
        found.append(fault("outside_hours", visit, f"{start:%H:%M}-{end:%H:%M} is outside "
                           "the working day and every window"))
    window = after_school_window(team)
    if window and needs_after_school(team, visit, day) and not (
            end.date() == day and inside(start, end, *window)):
        found.append(fault("not_after_school", visit, f"{start:%H:%M}-{end:%H:%M}: a child "
                           "of the household is at school"))
    return found


def inside(start: datetime, end: datetime, first: time, last: time) -> bool:
    return first <= start.time() and end.time() <= last and start <= end


def after_school_window(team: Team) -> tuple[time, time] | None:
    window = next((w for w in team.caseload.times.windows if w.name == AFTER_SCHOOL), None)
    return (window.start, window.end) if window else None


def on_plan(children: Iterable[Child], day: date) -> list[Child]:
    return [c for c in children if c.plan_start <= day]


def needs_after_school(team: Team, visit: PlannedVisit, day: date) -> bool:
    """True when a child the visit is for (listed, or on a plan; only the listed child of a
    visit away from home, which the siblings do not join) is at school on ``day``: a day
    inside a school term (every day, when the caseload gives no terms)."""
    terms = team.caseload.terms
    if terms and not any(first <= day <= last for first, last in
                         ((t.first, t.last) for t in terms)):
        return False
    away = visit.kind is VisitKind.AWAY_FROM_HOME
    return any(c.education in AT_SCHOOL and age(c, day) >= SCHOOL_AGE
               for c in team.household(visit.household)
               if c.case_ref in visit.case_refs or (c.plan_start <= day and not away))


def sibling_faults(team: Team, visit: PlannedVisit) -> list[Fault]:
    """A home visit lists every child of its household on a plan that day (a visit away from
    home is with the one child it lists)."""
    if visit.kind is VisitKind.AWAY_FROM_HOME:
        return []
    missing = sorted(c.case_ref for c in on_plan(team.household(visit.household),
                                                  local_day(visit))
                     if c.case_ref not in visit.case_refs)
    return [fault("siblings_split", visit, f"leaves out {', '.join(missing)}")] if missing else []


def capacity_faults(team: Team) -> list[Fault]:
    """A worker with more visits on a day than ``visits_per_day``."""
    found = []
    for (worker_id, day), visits in sorted(team.diary.items()):
        worker = team.workers.get(worker_id)
        # On a day the office is shut a worker makes at most their duty shift's visits (a
        # visit there with no shift is already a fault of its day).
        most = worker.visits_per_day if worker and team.days.is_working_day(day) else \
            duty_shift(team, worker_id, day)
        if worker and most is not None and len(visits) > most:
            found.append(fault("over_capacity", visits[-1], f"{len(visits)} visits on {day}, "
                               f"{worker_id} makes {most}"))
    return found


def overlap_faults(team: Team) -> list[Fault]:
    """Two visits of one worker overlapping in time."""
    found = []
    ordered = sorted(team.visits, key=lambda v: (v.worker_id, v.start))
    for earlier, later in pairwise(ordered):
        if earlier.worker_id == later.worker_id and later.start < earlier.end:
            found.append(fault("overlap", later, f"overlaps {earlier.id} "
                               f"({earlier.start:%H:%M}-{earlier.end:%H:%M})"))
    return found


def moved_breaks_at_most(team: Team, visit: PlannedVisit, day: date) -> bool:
    """True when ``visit``, made on ``day`` instead, would overfill an ``at_most`` window."""
    moved = replace(visit, start=datetime.combine(day, visit.start.astimezone(LONDON).time(),
                                                  tzinfo=LONDON))
    others = tuple(moved if v.id == visit.id else v for v in team.visits)
    trial = replace(team, visits=others)
    for rule in team.caseload.policy.rules:
        if rule.kind is not RuleKind.QUOTA or rule.at_most is None or rule.window is None:
            continue
        for child in team.household(visit.household):
            if child.plan_type in rule.plans and \
                    any(vid == visit.id for vid, _ in over_full(trial, rule, child)):
                return True
    return False


def at_most_faults(team: Team) -> list[Fault]:
    """Planned visits that put more than ``at_most`` counting visits in one window."""
    caseload, found = team.caseload, []
    visits = {v.id: v for v in team.visits}
    for rule in caseload.policy.rules:
        if rule.kind is not RuleKind.QUOTA or rule.at_most is None or rule.window is None:
            continue
        for child in caseload.children:
            if child.plan_type in rule.plans:
                found += [fault("at_most_quota", visits[vid], what, rule.id)
                          for vid, what in over_full(team, rule, child)]
    return found


def over_full(team: Team, rule: Rule, child: Child) -> list[tuple[str, str]]:
    """(planned visit id, what) for each planned fact in a window over ``at_most``."""
    caseload = team.caseload
    facts = [f for f in counting_facts(history(child, caseload.visits, team.visits,
                                               caseload.today, caseload.workers), rule)
             if applies(rule, child, f.day)]
    assert rule.window is not None and rule.at_most is not None
    found: dict[str, str] = {}
    for i, first in enumerate(facts):
        end = interval_end(first.at, rule.window, caseload.policy,
                           counting_of(rule, caseload.policy), team.days)
        members = [f for f in facts[i:] if f.day <= end]
        if len(members) > rule.at_most:
            for f in members:
                if f.planned:
                    found.setdefault(f.visit_id, f"{len(members)} counting visits from "
                                     f"{first.day} to {end} ({child.case_ref})")
    return sorted(found.items())


# ---------------------------------------------------------------- needless cover


def needless_cover(team: Team) -> list[NeedlessCover]:
    """Cover visits made although the allocated worker had room (module docstring)."""
    found = []
    for visit in team.visits:
        allocated = allocated_worker(team, visit)
        if allocated is None or allocated.id == visit.worker_id:
            continue
        room = first_room(team, visit, allocated)
        if room is not None:
            found.append(NeedlessCover(
                visit.id, visit.case_refs[0] if visit.case_refs else visit.household,
                local_day(visit), visit.worker_id, allocated.id, room,
                f"{visit.worker_id} covers for {allocated.id}, who had room on {room:%a %d %b}"))
    return found


def allocated_worker(team: Team, visit: PlannedVisit) -> Worker | None:
    """The household's allocated worker when they could make this visit, else None."""
    children = team.household(visit.household)
    worker = team.workers.get(children[0].allocated_worker or "") if children else None
    if worker is None or worker.role in NEVER_PLANNED:
        return None
    for reason in visit.reasons:
        rule = team.rules.get(reason.rule_id)
        if rule is not None and rule.counts.roles and worker.role not in rule.counts.roles:
            return None
    return worker


def first_room(team: Team, visit: PlannedVisit, worker: Worker) -> date | None:
    """The first day from the window start to the visit's day the worker had room."""
    day, last = window_start(team, visit), local_day(visit)
    while day <= last:
        if has_room(team, worker, visit, day):
            return day
        day += timedelta(days=1)
    return None


def window_start(team: Team, visit: PlannedVisit) -> date:
    """The latest of today, the day after the previous visit, halfway to ``due_by``, and the
    day of the event a first-visit reason counts from (a visit before it would not count)."""
    today = max([team.caseload.today, *event_days_served(team, visit)])
    previous = previous_visit_day(team, visit)
    if previous is None:
        return today
    halfway = previous + timedelta(days=(visit.due_by - previous).days // 2)
    return max(today, previous + timedelta(days=1), halfway)


def event_days_served(team: Team, visit: PlannedVisit) -> list[date]:
    """For each first_visit rule the visit serves: the last day of its event on or before the
    visit's day, for the reason's child."""
    found = []
    for reason in visit.reasons:
        rule = team.rules.get(reason.rule_id)
        child = next((c for c in team.household(visit.household)
                      if c.case_ref == reason.case_ref), None)
        if rule is None or child is None or rule.kind is not RuleKind.FIRST_VISIT:
            continue
        days = [d for d in event_days(child, rule.event) if d <= local_day(visit)]
        found += days[-1:]
    return found


def previous_visit_day(team: Team, visit: PlannedVisit) -> date | None:
    """The household's last visit before ``visit``: recorded (took place, home) or planned."""
    refs = {c.case_ref for c in team.household(visit.household)}
    recorded = [london_day(v.at) for v in team.caseload.visits
                if v.case_ref in refs and v.location is Location.HOME
                and v.outcome in TOOK_PLACE and london_day(v.at) <= team.caseload.today]
    planned = [local_day(v) for v in team.visits
               if v.household == visit.household and v.start < visit.start]
    return max([*recorded, *planned], default=None)


def has_room(team: Team, worker: Worker, visit: PlannedVisit, day: date) -> bool:
    """True when ``worker`` could have made ``visit`` on ``day`` (one more visit that day)."""
    if not team.days.is_working_day(day) or day.weekday() not in worker.working_days:
        return False
    if team.absent(worker.id, day):
        return False
    theirs = team.visits_of(worker.id, day)
    if len(theirs) >= worker.visits_per_day:
        return False
    if moved_breaks_at_most(team, visit, day):
        return False
    window = after_school_window(team)
    if window is None or not needs_after_school(team, visit, day):
        return True
    taken = sum(1 for v in theirs if overlaps_window(v, *window))
    return taken < after_school_slots(team, window)


def overlaps_window(visit: PlannedVisit, first: time, last: time) -> bool:
    start, end = visit.start.astimezone(LONDON).time(), visit.end.astimezone(LONDON).time()
    return start < last and first < end


def after_school_slots(team: Team, window: tuple[time, time]) -> int:
    """Visits that fit in the window: length // (visit + travel), at least 1 if one fits."""
    times = team.caseload.times
    span = (datetime.combine(date.min, window[1]) - datetime.combine(date.min, window[0]))
    minutes = int(span.total_seconds() // 60)
    slots = minutes // (times.visit_minutes + times.travel_minutes)
    return max(slots, 1 if minutes >= times.visit_minutes else 0)

"""An authority's plan as a merge of its teams' plans.

Teams share no diaries: a household's visits go to its own team (the allocated worker, a
colleague, the team manager).  The only way a worker of one team can hold a visit of another
team's household is a visit kept from the previous plan (a household moved between teams);
such teams are planned together.  So an authority is split into *parts* -- groups of teams
joined by such visits, each with its households, workers, absences, duty shifts, recorded and
previous visits -- each part is planned on its own, and the parts' schedules are merged in a fixed
order.  The merge is the same whichever order or process the parts were planned in, so
``--jobs`` never changes the output.

Pure: splitting and merging read nothing but their arguments.  Running the parts (in this
process or a pool) is the caller's business (:mod:`visitplanner.usecases`).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from operator import attrgetter, itemgetter
from typing import TypeVar

from visitplanner.core.model import Absence, Child, PlannedVisit, RecordedVisit, Schedule, Worker
from visitplanner.core.planning import PlanRequest, visit_id_for

T = TypeVar("T")


class _Teams:
    """Union-find over team names: teams that must be planned together."""

    def __init__(self, teams: Iterable[str]) -> None:
        self._parent = {team: team for team in teams}

    def find(self, team: str) -> str:
        self._parent.setdefault(team, team)
        root = team
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[team] != root:
            self._parent[team], team = root, self._parent[team]
        return root

    def join(self, first: str, second: str) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            # The smaller name is the root, so a part's name does not depend on join order.
            self._parent[max(a, b)] = min(a, b)


def split(request: PlanRequest) -> tuple[PlanRequest, ...]:
    """The request as one request per part (see module), in the order of the parts' names."""
    workers = {w.id: w for w in request.workers}
    default_team = request.default_team or min((w.team for w in request.workers), default="")
    households = _households(request.children)
    home = {household: _home_team(children, workers, default_team)
            for household, children in households.items()}
    teams = _Teams(sorted({w.team for w in request.workers} | set(home.values())))
    for first, second in _teams_joined_by_kept_visits(request, workers, home):
        teams.join(first, second)
    parts: dict[str, list[str]] = {}
    for household in sorted(households):
        parts.setdefault(teams.find(home[household]), []).append(household)
    for team in sorted({w.team for w in request.workers}):
        parts.setdefault(teams.find(team), [])  # a team with no household still has a diary
    index = _Index(request, teams)
    return tuple(_part(request, index, root, [c for h in parts[root] for c in households[h]],
                       default_team)
                 for root in sorted(parts))


def _teams_joined_by_kept_visits(request: PlanRequest, workers: dict[str, Worker],
                                 home: dict[str, str]) -> list[tuple[str, str]]:
    """Each pair of different teams (household's team, worker's team) that a visit of the
    kept plan joins: held by, or handed by a manager to, another team's worker.  Once each,
    sorted: most kept visits are their own team's, and join nothing."""
    pairs: set[tuple[str, str]] = set()
    for visit in request.previous.visits if request.previous is not None else ():
        team = home.get(visit.household)
        if team is None:
            continue
        for worker_id in (visit.worker_id, _decided_worker(request, visit.id)):
            worker = workers.get(worker_id or "")
            if worker is not None and worker.team != team:
                pairs.add((team, worker.team))
    return sorted(pairs)


class _Index:
    """The request's visits, workers, absences and kept visits grouped once, each with its
    place in the request, so that cutting the request into parts costs O(size) rather than
    O(parts x size), and each part's lists keep the request's order."""

    def __init__(self, request: PlanRequest, teams: _Teams) -> None:
        self.visits: dict[str, list[tuple[int, RecordedVisit]]] = {}
        self.members: dict[str, list[tuple[int, Worker]]] = {}
        self.workers: dict[str, tuple[int, Worker]] = {}
        self.absences: dict[str, list[tuple[int, Absence]]] = {}
        self.kept: dict[str, list[tuple[int, PlannedVisit]]] = {}
        for n, visit in enumerate(request.visits):
            self.visits.setdefault(visit.case_ref, []).append((n, visit))
        for n, worker in enumerate(request.workers):
            self.members.setdefault(teams.find(worker.team), []).append((n, worker))
            self.workers.setdefault(worker.id, (n, worker))
        for n, absence in enumerate(request.absences):
            self.absences.setdefault(absence.worker_id, []).append((n, absence))
        for n, planned in enumerate(request.previous.visits if request.previous else ()):
            self.kept.setdefault(planned.household, []).append((n, planned))


def _in_order(placed: Iterable[tuple[int, T]]) -> tuple[T, ...]:
    return tuple(item for _, item in sorted(placed, key=itemgetter(0)))


def kept_parts(kept: Schedule, parts: Sequence[PlanRequest],
               wanted: Iterable[int]) -> dict[int, Schedule]:
    """What the kept plan holds for each wanted part (by its place in ``parts``): its
    households' visits and recording tasks, its children's shortfalls, escalations, tasks and
    dates of birth needed, in the kept plan's order."""
    part_of_household = {c.household: n for n in wanted for c in parts[n].children}
    part_of_child = {c.case_ref: n for n in wanted for c in parts[n].children}
    visits: dict[int, list[PlannedVisit]] = {n: [] for n in set(part_of_household.values())}
    for visit in kept.visits:
        if visit.household in part_of_household:
            visits[part_of_household[visit.household]].append(visit)
    part_of_visit = {v.id: n for n, found in visits.items() for v in found}
    tasks = _by_part(kept.recording_tasks, lambda t: part_of_visit.get(t.visit_id))
    shortfalls = _by_part(kept.shortfalls, lambda f: part_of_child.get(f.case_ref))
    escalations = _by_part(kept.escalations, lambda e: part_of_child.get(e.case_ref))
    births = _by_part(kept.birth_dates_needed, lambda b: part_of_child.get(b.case_ref))
    due = _by_part(kept.tasks, lambda t: part_of_child.get(t.case_ref))
    return {n: replace(
        kept, visits=tuple(visits.get(n, ())), recording_tasks=tasks.get(n, ()),
        shortfalls=shortfalls.get(n, ()), escalations=escalations.get(n, ()),
        birth_dates_needed=births.get(n, ()), tasks=due.get(n, ()),
        parts=()) for n in set(part_of_child.values()) | set(visits)}


def _by_part(items: Iterable[T], part: Callable[[T], int | None]) -> dict[int, tuple[T, ...]]:
    """The items of each part (by ``part``, None for none wanted), in their order: one pass
    over the kept plan, whatever the number of parts."""
    found: dict[int, list[T]] = {}
    for item in items:
        n = part(item)
        if n is not None:
            found.setdefault(n, []).append(item)
    return {n: tuple(group) for n, group in found.items()}


def merge(request: PlanRequest, schedules: Sequence[Schedule],
          digests: Sequence[str] = ()) -> Schedule:
    """One schedule from the parts' schedules, ordered as :func:`visitplanner.core.planning.plan`
    orders one.  A new visit id drawn in two parts (a 48-bit clash) is drawn again for the
    later part, as one plan would have drawn it."""
    visits, renamed = _distinct_ids(schedules)
    # Each part's visits come in this order already: merged, not sorted again, so that no
    # sort key is held for every visit of an authority at once.
    ordered = tuple(heapq.merge(*visits, key=_visit_order))
    tasks = [replace(t, visit_id=renamed[n].get(t.visit_id, t.visit_id))
             for n, s in enumerate(schedules) for t in s.recording_tasks]
    tasked = {t.visit_id for t in tasks}
    position = {v.id: n for n, v in enumerate(ordered) if v.id in tasked}
    return Schedule(
        today=request.today, start=request.today, end=request.end, seed=request.seed,
        visits=ordered,
        shortfalls=tuple(sorted((f for s in schedules for f in s.shortfalls),
                                key=lambda f: (f.deadline, f.case_ref, f.rule_id))),
        recording_tasks=tuple(sorted(tasks, key=lambda t: position[t.visit_id])),
        escalations=tuple(sorted((e for s in schedules for e in s.escalations),
                                 key=lambda e: (e.due, e.case_ref, e.rule_id))),
        birth_dates_needed=tuple(sorted((b for s in schedules for b in s.birth_dates_needed),
                                        key=lambda b: b.case_ref)),
        tasks=tuple(sorted((t for s in schedules for t in s.tasks),
                           key=lambda t: (t.due, t.case_ref, t.rule_id))),
        known_visits=tuple(sorted({v.visit_id for v in request.visits
                                   if v.day <= request.today})),
        parts=tuple(digests))


def _households(children: Iterable[Child]) -> dict[str, list[Child]]:
    found: dict[str, list[Child]] = {}
    for child in sorted(children, key=lambda c: c.case_ref):
        found.setdefault(child.household, []).append(child)
    return found


def _home_team(children: Sequence[Child], workers: dict[str, Worker], default_team: str) -> str:
    """The team of the household's first child with a known worker (as the planner finds it)."""
    for child in children:
        worker = workers.get(child.allocated_worker or "")
        if worker is not None:
            return worker.team
    return default_team


def _part(request: PlanRequest, index: _Index, root: str, children: list[Child],
          default_team: str) -> PlanRequest:
    """The request restricted to one part: its teams' workers, and the workers whose recorded
    visits its children have (for their roles; they never get this part's visits)."""
    refs = {c.case_ref for c in children}
    visits = _in_order(pair for ref in refs for pair in index.visits.get(ref, ()))
    own = index.members.get(root, [])
    own_ids = {w.id for _, w in own}
    visitors = {v.worker_id for v in visits} - own_ids
    workers = _in_order([*own, *(index.workers[w] for w in visitors if w in index.workers)])
    previous = None
    if request.previous is not None:
        households = {c.household for c in children}
        previous = replace(request.previous, visits=_in_order(
            pair for h in households for pair in index.kept.get(h, ())))
    kept = {v.id for v in previous.visits} if previous is not None else set()
    return replace(
        request, children=tuple(children), workers=workers,
        absences=_in_order(pair for w in own_ids for pair in index.absences.get(w, ())),
        visits=visits, previous=previous, default_team=default_team,
        # A part's duty rota is its own workers' shifts: a worker's shift is never shared
        # between parts planned apart, so its capacity is never given twice.
        duty=tuple(s for s in request.duty if s.worker_id in own_ids),
        moves={k: v for k, v in request.moves.items() if k in kept},
        directives={k: v for k, v in request.directives.items() if k in kept})


def _decided_worker(request: PlanRequest, visit_id: str) -> str | None:
    """The worker a manager gave the visit to (a visit handed to another team's worker joins
    the two teams' parts), if any."""
    directive = request.directives.get(visit_id)
    return directive.worker_id if directive is not None else None


#: The order of a schedule's visits: by start, then worker, then id (a visit's key, made in C).
_visit_order: Callable[[PlannedVisit], tuple[datetime, str, str]] = attrgetter(
    "start", "worker_id", "id")


def _distinct_ids(schedules: Sequence[Schedule]
                  ) -> tuple[list[Sequence[PlannedVisit]], list[dict[str, str]]]:
    """Each part's visits in :func:`_visit_order`, a visit whose id an earlier part already
    gave drawn a new one (never a kept visit: the previous plan's ids are reserved in every
    part); and each part's renames."""
    visits: list[Sequence[PlannedVisit]] = []
    taken: set[str] = set()
    renamed: list[dict[str, str]] = []
    for schedule in schedules:
        own = {v.id for v in schedule.visits}
        renames: dict[str, str] = {}
        for visit in schedule.visits:
            if visit.id in taken:
                renames[visit.id] = visit_id_for(visit.household, visit.due_by, visit.kind,
                                                 taken | own | set(renames.values()))
        visits.append(sorted((replace(v, id=renames[v.id]) if v.id in renames else v
                              for v in schedule.visits), key=_visit_order)
                      if renames else schedule.visits)
        taken |= own | set(renames.values())
        renamed.append(renames)
    return visits, renamed

"""An authority's plan as a merge of its teams' plans.

Teams share no diaries: a household's visits go to its own team (the allocated worker, a
colleague, the team manager).  The only way a worker of one team can hold a visit of another
team's household is a visit kept from the previous plan (a household moved between teams);
such teams are planned together.  So an authority is split into *parts* -- groups of teams
joined by such visits, each with its households, workers, absences, recorded and previous
visits -- each part is planned on its own, and the parts' schedules are merged in a fixed
order.  The merge is the same whichever order or process the parts were planned in, so
``--jobs`` never changes the output.

Pure: splitting and merging read nothing but their arguments.  Running the parts (in this
process or a pool) is the caller's business (:mod:`visitplanner.usecases`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from visitplanner.model import Child, PlannedVisit, Schedule, Worker
from visitplanner.planning import PlanRequest, visit_id_for


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
    if request.previous is not None:
        for visit in request.previous.visits:
            worker = workers.get(visit.worker_id)
            if worker is not None and visit.household in home:
                teams.join(home[visit.household], worker.team)
    parts: dict[str, list[str]] = {}
    for household in sorted(households):
        parts.setdefault(teams.find(home[household]), []).append(household)
    for team in sorted({w.team for w in request.workers}):
        parts.setdefault(teams.find(team), [])  # a team with no household still has a diary
    return tuple(_part(request, teams, root, [c for h in parts[root] for c in households[h]],
                       default_team)
                 for root in sorted(parts))


def kept_part(kept: Schedule, part: PlanRequest) -> Schedule:
    """What the kept plan holds for ``part``: its households' visits and recording tasks, its
    children's shortfalls, escalations and dates of birth needed."""
    households = {c.household for c in part.children}
    refs = {c.case_ref for c in part.children}
    visits = tuple(v for v in kept.visits if v.household in households)
    ids = {v.id for v in visits}
    return replace(
        kept, visits=visits,
        recording_tasks=tuple(t for t in kept.recording_tasks if t.visit_id in ids),
        shortfalls=tuple(f for f in kept.shortfalls if f.case_ref in refs),
        escalations=tuple(e for e in kept.escalations if e.case_ref in refs),
        birth_dates_needed=tuple(b for b in kept.birth_dates_needed if b.case_ref in refs),
        parts=())


def merge(request: PlanRequest, schedules: Sequence[Schedule],
          digests: Sequence[str] = ()) -> Schedule:
    """One schedule from the parts' schedules, ordered as :func:`visitplanner.planning.plan`
    orders one.  A new visit id drawn in two parts (a 48-bit clash) is drawn again for the
    later part, as one plan would have drawn it."""
    visits, renamed = _distinct_ids(schedules)
    ordered = tuple(sorted(visits, key=lambda v: (v.start, v.worker_id, v.id)))
    position = {v.id: n for n, v in enumerate(ordered)}
    tasks = [replace(t, visit_id=renamed[n].get(t.visit_id, t.visit_id))
             for n, s in enumerate(schedules) for t in s.recording_tasks]
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


def _part(request: PlanRequest, teams: _Teams, root: str, children: list[Child],
          default_team: str) -> PlanRequest:
    """The request restricted to one part: its teams' workers, and the workers whose recorded
    visits its children have (for their roles; they never get this part's visits)."""
    refs = {c.case_ref for c in children}
    households = {c.household for c in children}
    visits = tuple(v for v in request.visits if v.case_ref in refs)
    visitors = {v.worker_id for v in visits}
    workers = tuple(w for w in request.workers if teams.find(w.team) == root or w.id in visitors)
    own = {w.id for w in workers if teams.find(w.team) == root}
    previous = None
    if request.previous is not None:
        previous = replace(request.previous, visits=tuple(
            v for v in request.previous.visits if v.household in households))
    kept = {v.id for v in previous.visits} if previous is not None else set()
    return replace(
        request, children=tuple(children), workers=workers,
        absences=tuple(a for a in request.absences if a.worker_id in own),
        visits=visits, previous=previous, default_team=default_team,
        moves={k: v for k, v in request.moves.items() if k in kept})


def _distinct_ids(schedules: Sequence[Schedule]
                  ) -> tuple[list[PlannedVisit], list[dict[str, str]]]:
    """The parts' visits, a visit whose id an earlier part already gave drawn a new one (never
    a kept visit: the previous plan's ids are reserved in every part); and each part's
    renames."""
    visits: list[PlannedVisit] = []
    taken: set[str] = set()
    renamed: list[dict[str, str]] = []
    for schedule in schedules:
        own = {v.id for v in schedule.visits}
        renames: dict[str, str] = {}
        for visit in schedule.visits:
            if visit.id in taken:
                renames[visit.id] = visit_id_for(visit.household, visit.due_by, visit.kind,
                                                 taken | own | set(renames.values()))
        visits += [replace(v, id=renames[v.id]) if v.id in renames else v
                   for v in schedule.visits]
        taken |= own | set(renames.values())
        renamed.append(renames)
    return visits, renamed

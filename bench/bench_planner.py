"""Planner figures (not a test): time and memory to plan the examples and synthetic caseloads.

Run from the repository root:

    .venv/bin/python bench/bench_planner.py

Prints, for each case: children, workers, visits planned, cover and manager-cover visits,
visits moved earlier for absences, shortfalls, seconds and peak memory (tracemalloc, which
slows the run down; seconds are timed in a separate run without it).
"""

from __future__ import annotations

import random
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from visitplanner.model import LONDON, Absence, Child, PlanType, RecordedVisit, Role, Worker
from visitplanner.planner import PlanRequest, plan
from visitplanner.policy import load_policy
from visitplanner.usecases import plan_request
from visitplanner.workdays import WorkingCalendar
from visitplanner.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 23)
CHECKS = frozenset({"seen_alone", "seen_awake", "bedroom", "kitchen", "bathroom", "food",
                    "injuries", "household_changes", "sleeping_arrangements"})


def example(name: str) -> Callable[[], PlanRequest]:
    def build() -> PlanRequest:
        return plan_request(load_workspace(ROOT / "examples" / name), TODAY, weeks=6)
    return build


def synthetic(children: int, workers: int, seed: int = 1) -> Callable[[], PlanRequest]:
    """A Camden caseload: teams of 8 (one manager), 1-3 children per household, 3% absent."""
    def build() -> PlanRequest:
        rng = random.Random(seed)
        staff = _staff(workers, rng)
        visiting = [w for w in staff if w.role is not Role.TEAM_MANAGER]
        kids: list[Child] = []
        visits: list[RecordedVisit] = []
        household = 0
        while len(kids) < children:
            household += 1
            allocated = rng.choice(visiting)
            plan_type = rng.choice([PlanType.CIN, PlanType.CIN, PlanType.CP, PlanType.S47])
            last = TODAY - timedelta(days=rng.randint(1, 12))
            for k in range(min(rng.randint(1, 3), children - len(kids))):
                ref = f"S-{len(kids):05d}"
                kids.append(Child(
                    ref, f"H{household:05d}", "Synthetic Child",
                    TODAY - timedelta(days=rng.randint(100, 5500)), plan_type,
                    date(2026, 3, 1), allocated.id, conference_dates=(date(2026, 3, 1),),
                    visit_frequency_days=7 if plan_type is PlanType.S47 else None))
                visits.append(RecordedVisit(f"R{household}-{k}", ref, datetime.combine(
                    last, datetime.min.time().replace(hour=10), tzinfo=LONDON),
                    allocated.id, announced=False, checks=CHECKS))
        absences = tuple(Absence(w.id, TODAY + timedelta(days=rng.randint(0, 30)),
                                 TODAY + timedelta(days=rng.randint(31, 45)))
                         for w in visiting if rng.random() < 0.1)
        calendar = WorkingCalendar("ENG", frozenset({date(2026, 12, 29), date(2026, 12, 30),
                                                     date(2026, 12, 31)}))
        return PlanRequest(load_policy("camden", ROOT), calendar, tuple(kids), staff, absences,
                           tuple(visits), TODAY, 6, seed=1)
    return build


def _staff(count: int, rng: random.Random) -> tuple[Worker, ...]:
    staff = []
    for i in range(count):
        team = f"team-{i // 8}"
        role = Role.TEAM_MANAGER if i % 8 == 0 else rng.choice(
            [Role.SOCIAL_WORKER, Role.SOCIAL_WORKER, Role.SENIOR_SOCIAL_WORKER,
             Role.FAMILY_SUPPORT_WORKER])
        staff.append(Worker(f"w{i:03d}", "Synthetic Worker", f"w{i}@example.org", team, role,
                            visits_per_day=2 if role is Role.TEAM_MANAGER else 4))
    return tuple(staff)


def measure(name: str, build: Callable[[], PlanRequest]) -> None:
    request = build()
    started = time.perf_counter()
    schedule = plan(request)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    plan(request)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    def flagged(flag: str) -> int:
        return sum(flag in v.flags for v in schedule.visits)

    print(f"{name:<24} {len(request.children):>6} {len(request.workers):>5} "
          f"{len(schedule.visits):>7} {flagged('cover'):>6} {flagged('manager_cover'):>6} "
          f"{flagged('moved_earlier_for_absence'):>6} {len(schedule.shortfalls):>6} "
          f"{seconds:>8.2f} {peak / 2**20:>8.1f}")


def main() -> None:
    print(f"Plans of 6 weeks from {TODAY.isoformat()}")
    print(f"{'case':<24} {'child':>6} {'staff':>5} {'visits':>7} {'cover':>6} {'mgr':>6} "
          f"{'early':>6} {'short':>6} {'seconds':>8} {'peak MB':>8}")
    measure("example camden", example("camden"))
    measure("example walsall", example("walsall"))
    measure("synthetic 300/25", synthetic(300, 25))
    measure("synthetic 1000/80", synthetic(1000, 80))


if __name__ == "__main__":
    main()

"""Planner figures (not a test): time and memory to plan synthetic authorities.

Run from the repository root:

    .venv/bin/python bench/bench_planner.py [--sizes 60,1000,5000] [--jobs 2] [--weeks 13]

Each size is measured in a fresh process (so that peak memory is that size's): a synthetic
authority of that many children (:mod:`authority`: copies of the Camden example's team of
60 children and 7 workers, 13 weeks from 2026-11-23) is planned as the CLI plans it
(:func:`visitplanner.usecases.plan_in_parts`) in one process -- CPU seconds -- and on
``--jobs`` processes -- wall seconds, and the CPU of all of them --; then re-planned the same
day after one visit recorded as made (the plan step only), and placed again by a bare
earliest-deadline greedy (:mod:`greedy`) in the same process on the same visits.  Peak memory
is the process's maximum resident set (loading and planning, one process).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from visitplanner.core.model import Schedule
    from visitplanner.core.planning import PlanRequest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TODAY = date(2026, 11, 23)
COLUMNS = ("children", "workers", "visits", "plan CPU s", "jobs wall s", "jobs CPU s",
           "replan s", "greedy s", "ratio", "peak MiB")


def measure(children: int, jobs: int, weeks: int) -> dict[str, float]:
    from authority import synthetic_authority
    from greedy import greedy

    from visitplanner.usecases import plan_in_parts

    request = synthetic_authority(children, TODAY, weeks)
    started = time.process_time()
    schedule = plan_in_parts(request, jobs=1)
    cpu = time.process_time() - started

    wall_started, cpu_started = time.perf_counter(), _children_cpu() + time.process_time()
    plan_in_parts(request, jobs=jobs)
    wall = time.perf_counter() - wall_started
    jobs_cpu = _children_cpu() + time.process_time() - cpu_started

    replan = one_visit_made(request, schedule)
    started = time.process_time()
    plan_in_parts(replan, jobs=1)
    replan_cpu = time.process_time() - started

    started = time.process_time()
    greedy(request, schedule)
    bare = time.process_time() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"children": len(request.children), "workers": len(request.workers),
            "visits": len(schedule.visits), "plan CPU s": cpu, "jobs wall s": wall,
            "jobs CPU s": jobs_cpu, "replan s": replan_cpu,
            "greedy s": bare, "ratio": cpu / bare if bare else 0.0, "peak MiB": peak}


def one_visit_made(request: PlanRequest, schedule: Schedule) -> PlanRequest:
    """The same day's request after one visit of an ordinary team (the first team also holds
    every household with no known worker, see visitplanner.core.partition) was made: its first
    visit, recorded as made; ``schedule`` is the kept plan."""
    from visitplanner.core.model import Location, Outcome, RecordedVisit

    first = next((v for v in schedule.visits if v.team != schedule.visits[-1].team
                  and v.team.endswith(".1")), schedule.visits[0])
    made = RecordedVisit(visit_id="bench-made", case_ref=first.case_refs[0], at=first.start,
                         worker_id=first.worker_id, location=Location.HOME, announced=True,
                         outcome=Outcome.COMPLETED, checks=frozenset(first.checks[0].checks))
    return replace(request, visits=(*request.visits, made), previous=schedule)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="60,1000,5000")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--weeks", type=int, default=13)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.jobs, args.weeks)))
        return
    print(f"Synthetic authorities, {args.weeks} weeks from {TODAY.isoformat()}, "
          f"--jobs {args.jobs}")
    print(" | ".join(f"{c:>11}" for c in COLUMNS))
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(size), "--jobs",
                              str(args.jobs), "--weeks", str(args.weeks)],
                             check=True, capture_output=True, text=True).stdout
        row = json.loads(out.strip().splitlines()[-1])
        print(" | ".join(f"{row[c]:>11.0f}" if c in ("children", "workers", "visits")
                         else f"{row[c]:>11.2f}" for c in COLUMNS), flush=True)


if __name__ == "__main__":
    main()

"""England-size planning figure (not a test): one synthetic authority of ``--children``
children (400,000 by default: England's children on CIN, s47 and CP plans), planned once as
`visitplanner plan` plans it, team by team on ``--jobs`` processes.

Run from the repository root:

    .venv/bin/python bench/bench_england.py [--children 400000] [--jobs 2] [--weeks 13]

Prints one table row: children, workers, visits, seconds to build the inputs, wall seconds
and CPU seconds (this process and the pool's) of the plan, and the peak resident memory of
this process and of the largest pool process (MiB).  The issue's target on a 2-core machine:
at most 90 s wall and 4 GiB.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

TODAY = date(2026, 11, 23)


def main() -> None:
    from authority import synthetic_authority

    from visitplanner.usecases import plan_in_parts

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=400_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--weeks", type=int, default=13)
    args = parser.parse_args()
    started = time.perf_counter()
    request = synthetic_authority(args.children, TODAY, args.weeks)
    built = time.perf_counter() - started
    wall, cpu = time.perf_counter(), time.process_time() + _pool_cpu()
    schedule = plan_in_parts(request, jobs=args.jobs)
    wall, cpu = time.perf_counter() - wall, time.process_time() + _pool_cpu() - cpu
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pool = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print("children | workers | visits | build s | plan wall s | plan CPU s | peak MiB | "
          "pool peak MiB")
    print(f"{len(request.children)} | {len(request.workers)} | {len(schedule.visits)} | "
          f"{built:.1f} | {wall:.1f} | {cpu:.1f} | {own:.0f} | {pool:.0f}")


def _pool_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()

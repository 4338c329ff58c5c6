"""The plan step's cost in machine instructions (prints; not a test): a figure that does not move
with the machine's load.

The project's machine is shared, and its speed changes from day to day (the bare greedy at
5,000 children took 0.09 s one day and 0.37 s two days later) and within a run by 10-15 %.
A change that saves 2 % of the planner's CPU cannot be seen in seconds.  Valgrind's callgrind
counts the instructions a process runs instead: the same code on the same inputs gave the
same count within 0.05 % hours apart, beside the test suite or not (what is left comes from
answers held by ``id()``, whose addresses differ from run to run).

Each figure is two processes under callgrind (about a minute each at 120 children): both build
the synthetic authority (``authority.py``, ``--children``, 13 weeks from 2026-11-23) and plan it
once as ``visitplanner plan`` does (``usecases.plan_in_parts``, one process), which warms every
cache a second plan would find; the second process then plans it once more.  The difference is
one plan step.  Hash randomisation is fixed, so both see the same sets in the same order.

``--code ROOT`` also measures another checkout (a "before" figure), alongside on the second
core.  Needs valgrind (Debian's package ``valgrind``).

    .venv/bin/python bench/bench_instructions.py [--children 120] [--code ROOT]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: The child process: ``plans`` plans after the warming one; prints the number of visits.
MEASURE = """
import sys
sys.path.insert(0, {bench!r})
from datetime import date
from authority import synthetic_authority
from visitplanner.usecases import plan_in_parts
request = synthetic_authority({children}, date(2026, 11, 23), 13)
schedule = plan_in_parts(request, jobs=1)
for _ in range({plans}):
    plan_in_parts(request, jobs=1)
print(len(schedule.visits))
"""

#: callgrind's summary line: "==PID== Collected : 1234".
COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def instructions(code: Path, children: int, plans: int) -> tuple[int, int]:
    """Instructions run by a process planning ``plans`` times after the warming plan, with the
    visitplanner of ``code``; and the plan's number of visits."""
    environment = dict(os.environ, PYTHONHASHSEED="0", PYTHONPATH=str(code))
    script = MEASURE.format(bench=str(HERE), children=children, plans=plans)
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         sys.executable, "-c", script],
        cwd=code, env=environment, capture_output=True, text=True, check=True)
    found = COLLECTED.search(done.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no count:\n{done.stderr[-2000:]}")
    return int(found.group(1)), int(done.stdout.split()[-1])


def one_plan(code: Path, children: int) -> tuple[int, int]:
    """Instructions of one plan step with the visitplanner of ``code``, and its visits."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        without = pool.submit(instructions, code, children, 0)
        with_one = pool.submit(instructions, code, children, 1)
        (base, visits), (more, _) = without.result(), with_one.result()
    return more - base, visits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=120)
    parser.add_argument("--code", type=Path, action="append", default=[],
                        help="another checkout's root to measure as well (repeatable)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install valgrind")
    rows = [(str(code), *one_plan(code.resolve(), args.children))
            for code in (*args.code, ROOT)]
    print(f"Plan step in instructions, synthetic authority of {args.children} children, "
          "13 weeks from 2026-11-23")
    print(f"{'code':>40} | {'visits':>7} | {'M instructions':>14} | {'k per visit':>11}")
    for code, count, visits in rows:
        print(f"{code[-40:]:>40} | {visits:>7} | {count / 1e6:>14,.1f} | "
              f"{count / visits / 1e3:>11,.1f}")
    if len(rows) > 1:
        first, last = rows[0][1], rows[-1][1]
        print(f"this checkout against the first: {100 * (last - first) / first:+.2f} %")


if __name__ == "__main__":
    main()

"""Kept-plan figures (not a test): time to write and read plan.json for synthetic authorities.

Run from the repository root:

    .venv/bin/python bench/bench_planfile.py [--sizes 5000,50000] [--runs 3]

Each size is a synthetic authority of that many children (:mod:`authority`, 13 weeks from
2026-11-23), planned on two processes; its schedule is then written as ``visitplanner plan``
keeps it (:func:`visitplanner.inputs.planstore.save_schedule`) into a temporary workspace and read
back as every command reads it (:func:`~visitplanner.inputs.planstore.load_schedule`), ``--runs``
times each.  Printed per size: visits, the file's size, and the fastest write and read in CPU
seconds.  Every read is checked to give back the schedule that was written.

To compare with another checkout's codec, run this file with that checkout first on the path:
``PYTHONPATH=/path/to/checkout .venv/bin/python bench/bench_planfile.py``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TODAY = date(2026, 11, 23)
COLUMNS = ("children", "visits", "file MB", "write CPU s", "read CPU s")


def measure(children: int, runs: int) -> dict[str, float]:
    from authority import synthetic_authority

    from visitplanner.inputs.planstore import load_schedule, save_schedule
    from visitplanner.usecases import plan_in_parts

    schedule = plan_in_parts(synthetic_authority(children, TODAY, 13), jobs=2)
    writes, reads = [], []
    with tempfile.TemporaryDirectory(prefix="bench-planfile-") as tmp:
        root = Path(tmp)
        for _ in range(runs):
            started = time.process_time()
            path = save_schedule(root, schedule)
            writes.append(time.process_time() - started)
            started = time.process_time()
            back = load_schedule(root)
            reads.append(time.process_time() - started)
            if back != schedule:
                raise SystemExit("the plan read back is not the plan written")
        size = path.stat().st_size / 1e6
    return {"children": children, "visits": len(schedule.visits), "file MB": size,
            "write CPU s": min(writes), "read CPU s": min(reads)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000", help="children per authority, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="writes and reads of each (fastest)")
    options = parser.parse_args()
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for size in (int(s) for s in options.sizes.split(",")):
        row = measure(size, options.runs)
        print("| " + " | ".join(f"{row[c]:,.0f}" if c in ("children", "visits") else
                                f"{row[c]:.2f}" for c in COLUMNS) + " |", flush=True)


if __name__ == "__main__":
    main()

"""What compiling the planning core with mypyc would buy (prints; not a test, not the build).

An experiment for issue 9, kept so that it can be run again: the planner's CPU is spread over
thousands of small Python functions (no hot spot left to tune), and mypyc, which ships with
mypy, compiles type-annotated modules to C extensions without changing their source.  This
copies the checkout's ``visitplanner/`` to a temporary folder, compiles the modules of
:data:`COMPILED` there (needs gcc and the Python headers), and plans the same synthetic
authority (``authority.py``, ``--children``, 13 weeks from 2026-11-23) with the interpreted
and with the compiled copy, each in fresh processes, alternately.  Per build: the fastest plan
CPU seconds of ``--runs``, a digest of the plan as kept (plan.json's bytes) and whether the kept
plan reads back equal to the plan, as ``visitplanner plan`` relies on.

    .venv/bin/python bench/bench_mypyc.py [--children 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The modules compiled: the plan's values, its calendar, its rules and its steps.
COMPILED = ("core/model", "core/workdays", "core/policy/model", "core/history", "core/rules",
            "core/cover", "core/timeslots", "core/tags", "core/partition",
            *(f"core/planning/{m}" for m in ("needs", "visits", "engine", "placement", "state",
                                              "finish", "reconcile", "away")))
#: mypy's settings for the compile: the project's own (setup.cfg) are for checking, not this.
MYPY_SETTINGS = "[mypy]\npython_version = 3.11\nignore_missing_imports = True\n"

MEASURE = """
import hashlib, json, sys, time
sys.path.insert(0, {bench!r})
from datetime import date
from authority import synthetic_authority
import visitplanner.core.history as history
from visitplanner.inputs.planstore import schedule_from_json, schedule_json_bytes
from visitplanner.usecases import plan_in_parts
request = synthetic_authority({children}, date(2026, 11, 23), 13)
started = time.process_time()
schedule = plan_in_parts(request, jobs=1)
cpu = time.process_time() - started
kept = schedule_json_bytes(schedule)
print(json.dumps({{"cpu": cpu, "visits": len(schedule.visits),
                  "compiled": history.__file__.endswith(".so"),
                  "digest": hashlib.sha256(kept).hexdigest()[:16],
                  "reads back": schedule_from_json(kept) == schedule}}))
"""


def compiled_copy(scratch: Path) -> Path:
    """A copy of the package with :data:`COMPILED` built as C extensions, in ``scratch``."""
    shutil.copytree(ROOT / "visitplanner", scratch / "visitplanner",
                    ignore=shutil.ignore_patterns("__pycache__"))
    settings = scratch / "mypyc.ini"
    settings.write_text(MYPY_SETTINGS, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mypyc", "--config-file", str(settings),
                           *(f"visitplanner/{m}.py" for m in COMPILED)],
                          cwd=scratch, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"mypyc failed (gcc and the Python headers are needed):\n"
                         f"{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return scratch


def measure(code: Path, children: int) -> dict[str, object]:
    environment = dict(os.environ) | {"PYTHONPATH": str(code), "PYTHONHASHSEED": "0"}
    script = MEASURE.format(bench=str(ROOT / "bench"), children=children)
    done = subprocess.run([sys.executable, "-c", script], cwd=code, env=environment,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-mypyc-") as tmp:
        builds = {"interpreted": ROOT, "compiled": compiled_copy(Path(tmp))}
        runs: dict[str, list[dict[str, object]]] = {name: [] for name in builds}
        for _ in range(args.runs):
            for name, code in builds.items():
                runs[name].append(measure(code, args.children))
    print(f"{args.children} children, 13 weeks, plan_in_parts on one process, "
          f"fastest of {args.runs} (CPU s)")
    print(f"{'build':<12} {'compiled':>8} {'visits':>7} {'plan CPU s':>10} "
          f"{'plan.json digest':>17} {'reads back':>10}")
    for name, found in runs.items():
        first = found[0]
        digests = {run["digest"] for run in found}
        print(f"{name:<12} {first['compiled']!s:>8} {first['visits']:>7} "
              f"{min(float(str(run['cpu'])) for run in found):>10.2f} "
              f"{'/'.join(sorted(map(str, digests))):>17} "
              f"{all(run['reads back'] for run in found)!s:>10}")


if __name__ == "__main__":
    main()

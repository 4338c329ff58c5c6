"""Start-up figures (not a test): wall seconds of short CLI runs, as a user types them.

Run from the repository root:

    .venv/bin/python bench/bench_start.py [--runs 5]

Each command runs ``--runs`` times in a fresh process through the venv's ``visitplanner``
console script (or ``python -m visitplanner`` when there is none); the table gives the median
and the fastest run.  ``plan`` plans the bundled Camden example from Monday 23 November 2026
(a fixed day, so every run does the same work) in a temporary copy, with ``--no-keep`` so that
no run finds the previous one's plan: in a copy never planned (no state folder), and in one
planned once before, whose state folder keeps the bank holidays (``.visitplanner/
bank-holidays.json``: asking the holidays package costs about 0.2 s), its kept plan removed
before each run.  The first row is the bare interpreter, for scale.
Bytecode is kept as an installed wheel keeps it (see :mod:`compiled`), and each command runs
once untimed first, so that no row includes compiling.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from compiled import compiled_env  # noqa: E402

EXAMPLE = ROOT / "examples" / "camden"
TODAY = "2026-11-23"


def entry_point() -> list[str]:
    """The console script next to this interpreter, or ``python -m visitplanner``."""
    script = Path(sys.executable).with_name("visitplanner")
    return [str(script)] if script.exists() else [sys.executable, "-m", "visitplanner"]


def wall_seconds(command: list[str], runs: int, env: dict[str, str],
                 prepare: Callable[[], None]) -> list[float]:
    """``runs`` timed runs of ``command``, each after ``prepare`` (untimed), the first run
    untimed too."""
    prepare()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
    times = []
    for _ in range(runs):
        prepare()
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
        times.append(time.perf_counter() - started)
    return times


def nothing() -> None:
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (default 5)")
    runs = parser.parse_args().runs
    cli = entry_point()
    with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp:
        fresh, planned = Path(tmp) / "fresh" / "camden", Path(tmp) / "planned" / "camden"
        for workspace in (fresh, planned):
            shutil.copytree(EXAMPLE, workspace,
                            ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
        env = compiled_env(Path(tmp))
        plan = ["plan", "--from", TODAY, "--force", "--no-keep"]
        # Planned once (its state folder made, the bank holidays kept in it); each timed run
        # plans afresh all the same: the kept plan is removed first.
        subprocess.run([*cli, "-w", str(planned), *plan[:-1]], check=True,
                       stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
        kept_plan = planned / ".visitplanner" / "plan.json"
        rows: list[tuple[str, list[str], Callable[[], None]]] = [
            ("python -c pass", [sys.executable, "-c", "pass"], nothing),
            ("visitplanner --help", [*cli, "--help"], nothing),
            ("visitplanner plan --help", [*cli, "plan", "--help"], nothing),
            (f"visitplanner -w camden {' '.join(plan)} (never planned)",
             [*cli, "-w", str(fresh), *plan], nothing),
            (f"visitplanner -w camden {' '.join(plan)} (planned before)",
             [*cli, "-w", str(planned), *plan], lambda: kept_plan.unlink(missing_ok=True)),
        ]
        width = max(len(label) for label, _, _ in rows)
        print(f"{'command':<{width}}  {'median s':>8}  {'min s':>6}   ({runs} runs each)")
        for label, command, prepare in rows:
            times = wall_seconds(command, runs, env, prepare)
            print(f"{label:<{width}}  {statistics.median(times):>8.3f}  {min(times):>6.3f}",
                  flush=True)


if __name__ == "__main__":
    main()

"""Start-up figures (not a test): wall seconds of short CLI runs, as a user types them.

Run from the repository root:

    .venv/bin/python bench/bench_start.py [--runs 5]

Each command runs ``--runs`` times in a fresh process through the venv's ``visitplanner``
console script (or ``python -m visitplanner`` when there is none); the table gives the median
and the fastest run.  ``plan`` plans the bundled Camden example from Monday 23 November 2026
(a fixed day, so every run does the same work) in a temporary copy, with ``--no-keep`` so that
no run finds the previous one's plan.  The first row is the bare interpreter, for scale.
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


def wall_seconds(command: list[str], runs: int, env: dict[str, str]) -> list[float]:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (default 5)")
    runs = parser.parse_args().runs
    cli = entry_point()
    with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp:
        workspace = Path(tmp) / "camden"
        shutil.copytree(EXAMPLE, workspace,
                        ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
        rows = [
            ("python -c pass", [sys.executable, "-c", "pass"]),
            ("visitplanner --help", [*cli, "--help"]),
            ("visitplanner plan --help", [*cli, "plan", "--help"]),
            (f"visitplanner -w camden plan --from {TODAY} --force --no-keep",
             [*cli, "-w", str(workspace), "plan", "--from", TODAY, "--force", "--no-keep"]),
        ]
        env = compiled_env(Path(tmp))
        width = max(len(label) for label, _ in rows)
        print(f"{'command':<{width}}  {'median s':>8}  {'min s':>6}   ({runs} runs each)")
        for label, command in rows:
            times = wall_seconds(command, runs, env)
            print(f"{label:<{width}}  {statistics.median(times):>8.3f}  {min(times):>6.3f}",
                  flush=True)


if __name__ == "__main__":
    main()

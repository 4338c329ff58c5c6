"""`visitplanner plan` figures (not a test): the whole command on a synthetic authority's files.

Run from the repository root:

    .venv/bin/python bench/bench_cli_plan.py [--children 5000] [--jobs 2]

A workspace of about ``--children`` children is written to a temporary folder: the Camden
example's CSV files with its team copied as many times as needed, every id suffixed by the
copy's number (as :mod:`authority` builds it in memory; its school terms are shared).  Then,
each in a fresh process as a user types it (bytecode kept, as installed: see
:mod:`compiled`), timed in wall seconds with the CPU of the process:

* first plan: ``plan --from 2026-11-23 --force --jobs N`` with no kept plan;
* same day again: the same command, which finds the kept plan and keeps every part;
* one visit recorded: a visit of the first ordinary team's first planned day added to
  visits.csv as made, then the same command (only that team is planned again).

``--code ROOT`` runs the visitplanner of another checkout (a "before" figure).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EXAMPLE = ROOT / "examples" / "camden"
sys.path.insert(0, str(HERE))

from compiled import compiled_env  # noqa: E402

TODAY = "2026-11-23"
CHILDREN_A_COPY = 60
#: The columns of each copied file that hold ids (suffixed per copy); lists are ";"-separated.
ID_COLUMNS = {
    "children.csv": ("case_ref", "household", "allocated_worker"),
    "workers.csv": ("worker_id", "email", "team"),
    "absences.csv": ("worker_id",),
    "duty.csv": ("worker_id",),
    "visits.csv": ("visit_id", "worker_id", "case_refs", "children_seen", "seen_alone",
                   "seen_awake", "bedroom_seen"),
}


def write_workspace(folder: Path, children: int) -> int:
    """The example copied ``ceil(children / 60)`` times into ``folder``; the copies made."""
    copies = max(1, -(-children // CHILDREN_A_COPY))
    folder.mkdir(parents=True)
    for name in ("visitplanner.toml", "terms.csv"):
        (folder / name).write_bytes((EXAMPLE / name).read_bytes())
    for name, columns in ID_COLUMNS.items():
        rows = list(csv.DictReader(io.StringIO((EXAMPLE / name).read_text(encoding="utf-8"))))
        fieldnames = list(rows[0].keys()) if rows else []
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        for copy in range(copies):
            for row in rows:
                writer.writerow({k: _suffixed(v, copy) if k in columns else v
                                 for k, v in row.items()})
        (folder / name).write_text(out.getvalue(), encoding="utf-8")
    return copies


def _suffixed(value: str, copy: int) -> str:
    """Each id of a ";"-list with the copy's number (copy 0 keeps the example's ids); an
    e-mail address keeps its domain."""
    if copy == 0 or not value:
        return value
    def one(item: str) -> str:
        local, at, domain = item.partition("@")
        return f"{local}.{copy}{at}{domain}"
    return ";".join(one(item) for item in value.split(";"))


def record_first_visit(folder: Path) -> None:
    """Add the first planned visit of copy 1's team to visits.csv, as made (its day and time)."""
    plan = json.loads((folder / ".visitplanner" / "plan.json").read_text(encoding="utf-8"))
    visit = next(v for v in plan["schedule"]["visits"] if v["team"].endswith(".1"))
    start = visit["start"]
    refs = ";".join(visit["case_refs"])
    line = (f"BENCH-V1,{start[:10]},{start[11:16]},{visit['worker_id']},{refs},home,yes,"
            f"completed,{refs},,,,\n")
    with (folder / "visits.csv").open("a", encoding="utf-8") as out:
        out.write(line)


def timed(command: list[str], env: dict[str, str], code: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env, cwd=code)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--code", default=str(ROOT), help="the visitplanner checkout to run")
    options = parser.parse_args()
    code = Path(options.code).resolve()
    with tempfile.TemporaryDirectory(prefix="bench-cli-plan-") as tmp:
        workspace = Path(tmp) / "authority"
        copies = write_workspace(workspace, options.children)
        env = compiled_env(Path(tmp)) | {"PYTHONPATH": str(code)}
        command = [sys.executable, "-m", "visitplanner", "-w", str(workspace), "plan",
                   "--from", TODAY, "--force", "--jobs", str(options.jobs)]
        subprocess.run([sys.executable, "-m", "visitplanner", "--help"], check=True,
                       stdout=subprocess.DEVNULL, env=env, cwd=code)  # bytecode, not timed
        print(f"{copies * CHILDREN_A_COPY} children ({copies} teams), --jobs {options.jobs}")
        print("| step | wall s | CPU s |")
        print("|---|---|---|")
        for label, prepare in (("first plan", None), ("same day again", None),
                               ("one visit recorded", record_first_visit)):
            if prepare is not None:
                prepare(workspace)
            wall, cpu = timed(command, env, code)
            print(f"| {label} | {wall:.2f} | {cpu:.2f} |", flush=True)


if __name__ == "__main__":
    main()

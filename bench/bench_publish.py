"""Publish figures (not a test): time and memory to publish synthetic authorities.

Run from the repository root:

    .venv/bin/python bench/bench_publish.py [--sizes 1000,5000] [--weeks 13]

For each size a synthetic authority of that many children (:mod:`authority`: copies of the
Camden example's team, 13 weeks from 2026-11-23) is planned
(:func:`visitplanner.core.planning.plan`) in one process and handed to a second, fresh
one, which publishes it as ``visitplanner publish`` does -- load the kept state, build the
documents, write one .ics per calendar, keep the state (:mod:`visitplanner.cli.publish`) --
into a temporary folder:

* first publish: no state yet (CPU and wall seconds);
* nothing changed: the same plan again, with the state the first left (wall seconds);
* one visit changed: the same plan with one visit an hour later (wall seconds).

Memory is the publishing process's maximum resident set: once the plan is read back ("plan
MiB"), and after the three publishes ("peak MiB").
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TODAY = date(2026, 11, 23)
COLUMNS = ("children", "visits", "items", "first CPU s", "first wall s", "plan MiB", "peak MiB",
           "nothing changed s", "one changed s")
WHOLE = ("children", "visits", "items", "plan MiB", "peak MiB")


def plan_to(children: int, weeks: int, path: Path) -> None:
    """Plan a synthetic authority; keep what publishing needs in ``path`` (a pickle)."""
    from authority import EXAMPLE, synthetic_authority

    from visitplanner.core.planning import plan
    from visitplanner.inputs.workspace import load_workspace

    request = synthetic_authority(children, TODAY, weeks)
    schedule = plan(request)
    settings = load_workspace(EXAMPLE).settings
    kept = {"schedule": schedule, "children": request.children, "workers": request.workers,
            "policy": request.policy, "team_name": settings.workspace.team_name,
            "privacy": settings.workspace.privacy,
            "alarms_minutes": tuple(settings.publish.alarms_minutes),
            "cancelled_keep_days": settings.publish.cancelled_keep_days}
    path.write_bytes(pickle.dumps(kept))


def context(kept: dict[str, Any]) -> Any:
    """The :class:`PublishContext` ``publish_context`` would give for this authority."""
    from visitplanner.core.policy import recording_headings
    from visitplanner.publish import PublishContext

    teams = sorted({worker.team for worker in kept["workers"]})
    name = kept["team_name"]
    team_names = {team: f"{name} ({team})" if name else team for team in teams}
    return PublishContext(
        children=MappingProxyType({child.case_ref: child for child in kept["children"]}),
        workers=MappingProxyType({worker.id: worker for worker in kept["workers"]}),
        team_names=MappingProxyType(team_names),
        privacy=kept["privacy"],
        alarms_minutes=kept["alarms_minutes"],
        cancelled_keep_days=kept["cancelled_keep_days"],
        recording_headings=recording_headings(kept["policy"]),
    )


def publish(root: Path, schedule: Any, ctx: Any) -> int:
    """One `visitplanner publish` of ``schedule`` in workspace ``root``: items published."""
    from visitplanner.publish import (
        build_documents,
        calendar_names,
        load_state,
        publish_files,
        save_state,
    )

    before = load_state(root)
    documents, after = build_documents(schedule, ctx, before)
    publish_files(root / "calendars", documents, calendar_names(documents, ctx))
    save_state(root, after)
    return len(after.items)


def measure(path: Path) -> dict[str, float]:
    kept = pickle.loads(path.read_bytes())
    schedule = kept["schedule"]
    ctx = context(kept)
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        wall, cpu = time.perf_counter(), time.process_time()
        items = publish(root, schedule, ctx)
        first_wall, first_cpu = time.perf_counter() - wall, time.process_time() - cpu

        wall = time.perf_counter()
        publish(root, schedule, ctx)
        again = time.perf_counter() - wall

        visit = schedule.visits[len(schedule.visits) // 2]
        moved = replace(visit, start=visit.start + timedelta(hours=1),
                        end=visit.end + timedelta(hours=1))
        changed = replace(schedule, visits=tuple(moved if v is visit else v
                                                 for v in schedule.visits))
        wall = time.perf_counter()
        publish(root, changed, ctx)
        one = time.perf_counter() - wall
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"children": len(kept["children"]), "visits": len(schedule.visits), "items": items,
            "first CPU s": first_cpu, "first wall s": first_wall, "plan MiB": loaded,
            "peak MiB": peak,
            "nothing changed s": again, "one changed s": one}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--weeks", type=int, default=13)
    parser.add_argument("--plan", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plan:
        plan_to(int(args.plan[0]), args.weeks, Path(args.plan[1]))
        return
    if args.measure:
        print(json.dumps(measure(Path(args.measure))))
        return
    print(f"Synthetic authorities, {args.weeks} weeks from {TODAY.isoformat()}")
    print(" | ".join(f"{c:>17}" for c in COLUMNS), flush=True)
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            kept = Path(folder) / "plan.pickle"
            subprocess.run([sys.executable, __file__, "--plan", str(size), str(kept),
                            "--weeks", str(args.weeks)], check=True)
            out = subprocess.run([sys.executable, __file__, "--measure", str(kept)],
                                 check=True, capture_output=True, text=True).stdout
        row = json.loads(out.strip().splitlines()[-1])
        print(" | ".join(f"{row[c]:>17.0f}" if c in WHOLE else f"{row[c]:>17.2f}"
                         for c in COLUMNS), flush=True)


if __name__ == "__main__":
    main()

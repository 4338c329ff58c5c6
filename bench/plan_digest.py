"""Plans written out for comparison across an engine change (not a test).

Run from the repository root:

    .venv/bin/python bench/plan_digest.py write DIR [--n 60] [--authorities 5000] [--jobs 2]
    .venv/bin/python bench/plan_digest.py compare OLD NEW

``write`` plans both examples (fresh, and re-planned the next working day from the fresh plan
with the first day's visits recorded as made), the synthetic authority of 300 children, and
the oracle's random caseloads 0 .. n-1 of every policy, and writes each schedule's JSON to
DIR.  ``--authorities`` adds synthetic authorities of those sizes planned as
``visitplanner plan`` plans them (team by team, on ``--jobs`` processes), and re-planned the
same day after one visit recorded as made (the kept plan's unchanged teams kept as they are);
their parts' digests are left out, as they name the inputs rather than the plan.
``compare`` lists every file whose plan differs (visits, days, workers, checks, flags,
shortfalls), and exits 1 when any does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from authority import synthetic_authority  # noqa: E402
from bench_planner import one_visit_made  # noqa: E402
from oracle.caseloads import random_caseload  # noqa: E402
from oracle.trial import POLICY_FILES, policy_named, request_for  # noqa: E402

from visitplanner.core.model import Location, Outcome, RecordedVisit, Schedule  # noqa: E402
from visitplanner.core.planning import PlanRequest, plan  # noqa: E402
from visitplanner.inputs.planstore import schedule_from_json, schedule_to_json  # noqa: E402
from visitplanner.inputs.workspace import load_workspace  # noqa: E402
from visitplanner.usecases import plan_in_parts, plan_request  # noqa: E402

TODAY = date(2026, 11, 23)


def made_as_planned(request: PlanRequest, schedule: Schedule, day: date) -> PlanRequest:
    """The request of the next day: the visits planned for ``day`` recorded as made."""
    made = tuple(RecordedVisit(visit_id=f"{v.id}-{ref}", case_ref=ref, at=v.start,
                               worker_id=v.worker_id, location=Location.HOME,
                               announced=v.announced, outcome=Outcome.COMPLETED,
                               checks=frozenset(checks.checks))
                 for v in schedule.visits if v.day == day
                 for ref in v.case_refs
                 for checks in v.checks if checks.case_ref == ref)
    return replace(request, visits=(*request.visits, *made), today=day + timedelta(days=1),
                   previous=schedule)


def cases(n: int) -> dict[str, PlanRequest]:
    found: dict[str, PlanRequest] = {}
    for name in ("camden", "walsall"):
        request = plan_request(load_workspace(ROOT / "examples" / name), TODAY)
        found[f"example-{name}"] = request
        found[f"example-{name}-next-day"] = made_as_planned(request, plan(request), TODAY)
    found["authority-300"] = synthetic_authority(300, TODAY)
    for policy in POLICY_FILES:
        for seed in range(n):
            found[f"{policy}-{seed:03d}"] = request_for(random_caseload(policy_named(policy),
                                                                        seed))
    return found


def write(folder: Path, n: int, authorities: Sequence[int] = (), jobs: int = 1) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    planned = {name: plan(request) for name, request in cases(n).items()}
    for size in authorities:
        planned |= authority_plans(size, jobs)
    for name, schedule in planned.items():
        (folder / f"{name}.json").write_text(schedule_to_json(schedule), encoding="utf-8")


def authority_plans(size: int, jobs: int) -> dict[str, Schedule]:
    """A synthetic authority's plan, as the CLI makes it, and its same-day re-plan after one
    visit recorded as made (:func:`bench_planner.one_visit_made`), without parts' digests."""
    request = synthetic_authority(size, TODAY)
    fresh = plan_in_parts(request, jobs)
    again = plan_in_parts(one_visit_made(request, fresh), jobs)
    return {f"authority-{size}-parts": replace(fresh, parts=()),
            f"authority-{size}-replan": replace(again, parts=())}


def compare(old: Path, new: Path) -> int:
    """Plans compared as values, read back by this checkout: a change of how the same plan is
    written (an instant at offset zero as "Z" or "+00:00") is not a difference."""
    names = sorted({p.name for p in old.glob("*.json")} | {p.name for p in new.glob("*.json")})
    differ = [name for name in names if not (old / name).exists() or not (new / name).exists()
              or _read(old / name) != _read(new / name)]
    for name in differ:
        print(f"differs: {name}")
    print(f"{len(names)} plans compared, {len(differ)} differ")
    return 1 if differ else 0


def _read(path: Path) -> Schedule:
    return schedule_from_json(path.read_bytes(), where=str(path))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    writing = sub.add_parser("write")
    writing.add_argument("folder", type=Path)
    writing.add_argument("--n", type=int, default=60)
    writing.add_argument("--authorities", default="",
                         help="sizes of synthetic authorities to plan in parts, e.g. 5000")
    writing.add_argument("--jobs", type=int, default=1)
    comparing = sub.add_parser("compare")
    comparing.add_argument("old", type=Path)
    comparing.add_argument("new", type=Path)
    args = parser.parse_args()
    if args.command == "write":
        write(args.folder, args.n, [int(size) for size in args.authorities.split(",") if size],
              args.jobs)
        return 0
    return compare(args.old, args.new)


if __name__ == "__main__":
    raise SystemExit(main())

"""How long a manager waits for a decision's preview: the plan step of each decision kind on
a synthetic authority (not a test; prints a table).

    .venv/bin/python bench/bench_desk.py [--children 5000]

The authority (``authority.py``) is planned once and kept; then, as the desk's preview does
(:func:`visitplanner.jobs.decided_plan`), each decision is laid over the inputs and the
authority re-planned on one process (the desk plans inside its web server's thread: no fork),
and the per-worker preview made.  Teams whose inputs the decision leaves unchanged are kept
as they are (their parts' digests match), so a decision costs about one team's plan.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

TODAY = date(2026, 11, 23)


def main() -> None:
    from authority import synthetic_authority

    from visitplanner.decisions.model import (
        AbsenceDecision,
        Decision,
        DecisionStatus,
        Handover,
        Reassignment,
    )
    from visitplanner.decisions.overlay import Caseload, overlay
    from visitplanner.decisions.preview import preview
    from visitplanner.usecases import plan_in_parts

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=5000)
    args = parser.parse_args()
    request = synthetic_authority(args.children, TODAY)
    started = time.process_time()
    kept = plan_in_parts(request, jobs=1)
    first_plan = time.process_time() - started
    worker = next(v.worker_id for v in kept.visits if v.team.endswith(".3"))
    busy = {(v.worker_id, v.day) for v in kept.visits}
    away = {(a.worker_id, a.start + timedelta(days=n)) for a in request.absences
            for n in range((a.end - a.start).days + 1)}
    visit, colleague = next(
        (v, w.id) for v in kept.visits if v.worker_id == worker and v.day > TODAY
        for w in request.workers if w.team == v.team and w.id != worker
        and w.role.value == "social_worker" and (w.id, v.day) not in busy | away
        and v.day.weekday() in w.working_days)
    refs = tuple(sorted({c.case_ref for c in request.children if c.allocated_worker == worker}))
    changes = {
        "absence (2 weeks)": AbsenceDecision(worker, TODAY + timedelta(days=1),
                                             TODAY + timedelta(days=14), "sick"),
        "reassign one visit": Reassignment(visit.id, colleague),
        "hand over a caseload": Handover(refs, worker, colleague),
    }
    print(f"{len(request.children):,} children, {len(request.workers):,} workers, "
          f"{len(kept.visits):,} visits; first plan {first_plan:.2f} s CPU\n")
    print("| decision | plan step CPU s | preview CPU s | workers changed | visits moved | "
          "rejected |")
    print("|---|---|---|---|---|---|")
    base = replace(request, previous=kept)
    for name, change in changes.items():
        decision = Decision(1, change, "bench", datetime(2026, 11, 23, 9), "",
                            DecisionStatus.DRAFT, visit.team)
        started = time.process_time()
        laid = overlay(Caseload(base.children, base.workers, base.absences), [decision], kept)
        decided = replace(base, children=laid.caseload.children,
                          absences=laid.caseload.absences, directives=laid.directives)
        new = plan_in_parts(decided, jobs=1)
        planned = time.process_time() - started
        started = time.process_time()
        shown = preview(kept, new)
        previewed = time.process_time() - started
        moved = sum(len(w.gains) for w in shown.changed_workers)
        print(f"| {name} | {planned:.2f} | {previewed:.3f} | {len(shown.changed_workers)} | "
              f"{moved} | {len(shown.rejected)} |")


if __name__ == "__main__":
    main()

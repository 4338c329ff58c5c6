"""`visitplanner conflicts`: the workers' edits that disagree with the plan, as the sync keeps them.

Read-only (no lock, nothing written): the sync state (``.visitplanner/sync.sqlite``)
says which edits conflict; the kept plan says the visit's day, its worker and the
rule a rejected move breaks (:func:`visitplanner.publish.syncstatus.describe_conflicts`).
Never a child's name: visits are named by id.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from visitplanner.publish.syncstatus import ConflictReport


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the conflicts as JSON.")
@click.pass_obj
def conflicts(obj: object, as_json: bool) -> None:
    """List the workers' calendar edits that conflict with the plan.

    Open conflicts first: a visit the worker deleted, or a move the plan rejected,
    that `sync` put back (a put-back is named by the sync that made it; a rejected
    move until the first sync after the next `plan`).  Then the visits a worker
    deleted that `sync` left deleted ([caldav] on_worker_delete = "withdraw"): each
    needs reallocating, and is listed until the plan moves it to another calendar
    or cancels it.  Then the held ones: a worker's move or edit kept until the
    planner has judged it.
    """
    root: Path = getattr(obj, "workspace", Path("."))
    reports = load_conflict_reports(root)
    click.echo(_as_json(reports) if as_json else _as_text(reports))


def load_conflict_reports(root: Path) -> list[ConflictReport]:
    """Every conflict the sync state holds, described from the kept plan (none: no sync yet)."""
    from visitplanner.inputs.planstore import load_schedule
    from visitplanner.publish.syncstatus import (
        STATE_DIR,
        STATUS_FILE,
        SyncStatus,
        describe_conflicts,
    )

    if not (root / STATE_DIR / STATUS_FILE).exists():
        return []  # never synced: opening the state would create it
    status = SyncStatus.open(root)
    try:
        found = status.conflicts()
    finally:
        status.close()
    schedule = load_schedule(root)
    visits = {v.id: v for v in schedule.visits} if schedule is not None else {}
    return describe_conflicts(found, visits)


def _as_text(reports: Sequence[ConflictReport]) -> str:
    from visitplanner.publish.syncstatus import WITHDRAWN

    if not reports:
        return "No conflicts: every worker's calendar holds the plan."
    opened = [r for r in reports if r.is_open and r.kind != WITHDRAWN]
    withdrawn = [r for r in reports if r.kind == WITHDRAWN]
    held = [r for r in reports if not r.is_open and r.kind != WITHDRAWN]
    lines = [f"{_count(len(opened), 'open conflict')}: the plan was put back over a worker's "
             "edit (sync exits 8 for it once; for a rejected move, until the first sync after "
             "the next `visitplanner plan`):"
             if opened else "No open conflicts."]
    lines += [f"  {_line(r)}" for r in opened]
    if withdrawn:
        lines.append(f"{_count(len(withdrawn), 'visit')} withdrawn by workers, for the manager "
                     "to reallocate (not put back):")
        lines += [f"  {_line(r)}" for r in withdrawn]
    if held:
        lines.append(f"{_count(len(held), 'worker edit')} held until the planner has judged:")
        lines += [f"  {_line(r)}" for r in held]
    return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _line(report: ConflictReport) -> str:
    rule = f" [{report.rule}]" if report.rule else ""
    return f"{report.kind}{rule}: {report.text()}"


def _as_json(reports: Sequence[ConflictReport]) -> str:
    document = {
        "open": sum(r.is_open for r in reports),
        "conflicts": [asdict(r) for r in reports],
    }
    return json.dumps(document, indent=2, sort_keys=True)

"""`visitplanner publish`: the kept plan as one .ics file per worker and per team."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import click

from visitplanner import guards
from visitplanner.errors import PlanError, Problem, PublishError, VisitplannerError

if TYPE_CHECKING:
    from visitplanner.model import Schedule
    from visitplanner.publish import ChangeCounts, FilesWritten, PublishContext, PublishState
    from visitplanner.workspace import Workspace

#: The command named as the workspace lock's holder while calendars are published.
PUBLISH_COMMAND = "publish"
#: The override of the cancellation guard, shared by `publish` and `sync`.
ALLOW_CANCELLATIONS = click.option(
    guards.ALLOW_CANCELLATIONS_OPTION, "allow_cancellations", is_flag=True,
    help=f"Go ahead although more than {guards.CANCELLATIONS_ALWAYS_ALLOWED} and more than "
    f"{guards.CANCELLATION_SHARE_ALLOWED:.0%} of a calendar's future visits would be cancelled.")


def publish_context(workspace: Workspace) -> PublishContext:
    """What publishing needs from the workspace besides the plan (also used by `sync`)."""
    from visitplanner.policy import recording_headings
    from visitplanner.publish.ics import PublishContext

    teams = sorted({worker.team for worker in workspace.workers})
    name = workspace.settings.workspace.team_name
    if len(teams) == 1 and name:
        team_names = {teams[0]: name}
    else:
        team_names = {team: f"{name} ({team})" if name else team for team in teams}
    return PublishContext(
        children=MappingProxyType({child.case_ref: child for child in workspace.children}),
        workers=MappingProxyType({worker.id: worker for worker in workspace.workers}),
        team_names=MappingProxyType(team_names),
        privacy=workspace.settings.workspace.privacy,
        alarms_minutes=tuple(workspace.settings.publish.alarms_minutes),
        cancelled_keep_days=workspace.settings.publish.cancelled_keep_days,
        recording_headings=recording_headings(workspace.policy),
    )


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the .ics files (default: [publish] out in visitplanner.toml).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@ALLOW_CANCELLATIONS
@click.pass_obj
def publish(obj: object, out: Path | None, as_json: bool, allow_cancellations: bool) -> None:
    """Write the kept plan as one .ics calendar per worker and per team.

    Unchanged files are left untouched; changed visits keep their UID and get a
    higher SEQUENCE; withdrawn ones are published as CANCELLED for a while.  A run
    that would cancel many of a calendar's future visits is refused (nothing is
    written) unless --allow-cancellations is given.  Takes the workspace lock: a
    `plan`, `publish` or `sync` meanwhile waits for it.
    """
    from visitplanner.publish import count_changes
    from visitplanner.wslock import workspace_lock

    root: Path = getattr(obj, "workspace", Path("."))
    with workspace_lock(root, PUBLISH_COMMAND):
        out_dir, files, before, after = _publish(root, out, allow_cancellations)
    counts = count_changes(before, after)
    click.echo(
        _summary_json(out_dir, files, counts) if as_json else _summary_text(out_dir, files, counts)
    )


def _publish(root: Path, out: Path | None, allow_cancellations: bool
             ) -> tuple[Path, FilesWritten, PublishState, PublishState]:
    """Write the calendars and the published state: the folder, the files, and the
    published state before and after."""
    from visitplanner.planstore import PLAN_FILE, load_schedule
    from visitplanner.publish import (
        build_documents,
        calendar_names,
        load_state,
        publish_files,
        save_state,
    )
    from visitplanner.workspace import load_workspace

    workspace = load_workspace(root)
    schedule = load_schedule(root)
    if schedule is None:
        problem = Problem(
            str(PLAN_FILE), "no plan has been kept yet", "run `visitplanner plan` first"
        )
        raise PlanError("Nothing to publish", [problem])
    ctx = publish_context(workspace)
    before = load_state(root)
    documents, after = build_documents(schedule, ctx, before)
    if not allow_cancellations:
        refuse_mass_cancellation(PublishError, "publish", schedule, before, after)
    out_dir = out if out is not None else workspace.publish_dir
    files = publish_files(out_dir, documents, calendar_names(documents, ctx))
    save_state(root, after)
    return out_dir, files, before, after


def refuse_mass_cancellation(error: type[VisitplannerError], command: str, schedule: Schedule,
                             before: PublishState, after: PublishState) -> None:
    """Raise ``error`` when going from ``before`` to ``after`` would cancel more of a
    calendar's future visits than :mod:`visitplanner.guards` allows (also used by `sync`)."""
    losses = guards.calendar_losses(before.items, after.items, schedule.start)
    problems = guards.cancellation_problems(losses, schedule, command)
    if problems:
        raise error(guards.cancellation_refusal(losses, command), problems)


def _summary_text(out_dir: Path, files: FilesWritten, counts: ChangeCounts) -> str:
    written, unchanged = len(files.written), len(files.unchanged)
    return (
        f"{written + unchanged} calendars in {out_dir}: {written} written, {unchanged} unchanged\n"
        f"items: {counts.new} new, {counts.changed} changed, {counts.cancelled} cancelled, "
        f"{counts.unchanged} unchanged, {counts.dropped} dropped"
    )


def _summary_json(out_dir: Path, files: FilesWritten, counts: ChangeCounts) -> str:
    document = {
        "out": str(out_dir),
        "written": [path.name for path in files.written],
        "unchanged": [path.name for path in files.unchanged],
        "items": asdict(counts),
    }
    return json.dumps(document, indent=2, sort_keys=True)

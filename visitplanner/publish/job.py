"""Publishing a workspace's kept plan: the step `publish`, `sync` and the desk share.

Decide, then act: the documents are built and the cancellation guard passed before any
file is written.  No click here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from visitplanner.core import guards
from visitplanner.errors import InputError, PlanError, Problem, PublishError, VisitplannerError

if TYPE_CHECKING:
    from visitplanner.core.model import Schedule
    from visitplanner.inputs.workspace import Workspace
    from visitplanner.publish import FilesWritten, PublishContext, PublishState


#: A file whose presence says the calendars changed since the last CalDAV sync (a manager's
#: decision applied on the desk); a complete `visitplanner sync` removes it.
SYNC_QUEUE = Path(".visitplanner") / "sync-queued"


@dataclass(frozen=True, slots=True)
class Published:
    """What a publish wrote: the folder, the files, the published state before and after."""

    out_dir: Path
    files: FilesWritten
    before: PublishState
    after: PublishState


def publish_context(workspace: Workspace) -> PublishContext:
    """What publishing needs from the workspace besides the plan (also used by `sync`)."""
    from visitplanner.core.policy import recording_headings
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


def publish_workspace(root: Path, out: Path | None = None,
                      allow_cancellations: bool = False) -> Published:
    """Write the kept plan's calendars and the published state (``out``: the folder, None
    for the settings' ``[publish] out``)."""
    from visitplanner.inputs.planstore import PLAN_FILE, load_schedule
    from visitplanner.inputs.workspace import load_workspace
    from visitplanner.publish import (
        build_documents,
        calendar_names,
        load_state,
        publish_files,
        save_state,
    )

    workspace = load_workspace(root)
    schedule = load_schedule(root)
    if schedule is None:
        problem = Problem(
            str(PLAN_FILE), "no plan has been kept yet", "run `visitplanner plan` first"
        )
        raise PlanError("Nothing to publish", [problem])
    refuse_incomplete_export(workspace, schedule, "publish")
    ctx = publish_context(workspace)
    before = load_state(root)
    documents, after = build_documents(schedule, ctx, before)
    if not allow_cancellations:
        refuse_mass_cancellation(PublishError, "publish", schedule, before, after)
    out_dir = out if out is not None else workspace.publish_dir
    files = publish_files(out_dir, documents, calendar_names(documents, ctx))
    save_state(root, after)
    return Published(out_dir, files, before, after)


def refuse_incomplete_export(workspace: Workspace, schedule: Schedule, command: str) -> None:
    """Raise InputError when ``children.csv`` holds no child, or far fewer than the kept
    plan has visits to (:func:`visitplanner.core.guards.publish_export_problems`): publishing
    would write their visits again without the children (also used by `sync`)."""
    problems = guards.publish_export_problems(
        len(workspace.children), guards.kept_children(schedule), command)
    if problems:
        raise InputError(f"{command} refused: {guards.CHILDREN_FILE} looks incomplete; "
                         "nothing was written", problems)


def refuse_mass_cancellation(error: type[VisitplannerError], command: str, schedule: Schedule,
                             before: PublishState, after: PublishState) -> None:
    """Raise ``error`` when going from ``before`` to ``after`` would cancel more of a
    calendar's future visits than :mod:`visitplanner.core.guards` allows (also used by `sync`)."""
    losses = guards.calendar_losses(before.items, after.items, schedule.start)
    problems = guards.cancellation_problems(losses, schedule, command)
    if problems:
        raise error(guards.cancellation_refusal(losses, command), problems)

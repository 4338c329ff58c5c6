"""The main job's steps as functions the CLI and the desk share: plan a workspace (with the
managers' decisions laid over the export) and publish its calendars.

Each step decides first and acts last: everything is read and planned, every guard is
passed, and only then is anything written, so a refused step leaves the workspace as it
was.  No click here; ``today``, the clock's ``now`` and the environment come from the
caller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from visitplanner.core import guards
from visitplanner.core.model import Schedule
from visitplanner.decisions.model import Decision, DecisionStatus
from visitplanner.decisions.overlay import Caseload, Overlay, overlay
from visitplanner.decisions.preview import Preview, preview
from visitplanner.errors import InputError, PlanError, Problem, VisitplannerError
from visitplanner.inputs.settings import Settings
from visitplanner.inputs.workspace import Workspace

if TYPE_CHECKING:
    from visitplanner.decisions.store import Store
    from visitplanner.publish.job import Published


@dataclass(frozen=True, slots=True)
class PlanOrder:
    """What a plan is asked for: its first day and, None for the workspace's settings, its
    length and seed; ``jobs`` processes; ``force`` plans past the export's guards."""

    start: date
    weeks: int | None = None
    seed: int | None = None
    jobs: int = 1
    force: bool = False


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    """A plan made: the schedule, the kept plan it replaces (None: none), the decisions'
    overlay."""

    schedule: Schedule
    previous: Schedule | None
    overlay: Overlay


def store_url(root: Path, settings: Settings, environ: Mapping[str, str]) -> str | None:
    """The desk database's URL: the environment variable the settings name, else the
    settings' URL, else the workspace's SQLite file when it exists (None: no desk yet, so
    nothing has been decided)."""
    from visitplanner.decisions.location import DEFAULT_DATABASE, database_url

    desk = settings.desk
    configured = environ.get(desk.database_url_env) or desk.database_url
    if configured:
        return configured
    return database_url(root, None) if (root / DEFAULT_DATABASE).exists() else None


def desk_database_url(root: Path, settings: Settings, environ: Mapping[str, str]) -> str:
    """Where the desk keeps decisions: :func:`store_url`, else the workspace's SQLite file
    (made when first opened)."""
    from visitplanner.decisions.location import database_url

    return store_url(root, settings, environ) or database_url(root, None)


def applied_decisions(root: Path, settings: Settings, environ: Mapping[str, str]
                      ) -> list[Decision]:
    """The decisions the plan honours (none when no desk database exists)."""
    url = store_url(root, settings, environ)
    if url is None:
        return []
    from visitplanner.decisions.store import Store

    store = Store(url)
    try:
        return store.applied()
    finally:
        store.close()


#: A workspace and its kept plan already read (see :func:`plan_workspace`).
Loaded = tuple[Workspace, Schedule | None]


def plan_workspace(root: Path, order: PlanOrder, decisions: Sequence[Decision],
                   keep: bool = True, loaded: Loaded | None = None) -> PlanOutcome:
    """Read the workspace and the kept plan (or take them as ``loaded``, read just before),
    lay ``decisions`` over it, plan, pass the guards, and keep the new plan when ``keep``."""
    from visitplanner.inputs.planstore import load_schedule, save_schedule
    from visitplanner.inputs.workspace import load_workspace
    from visitplanner.publish.syncstatus import load_worker_edits
    from visitplanner.usecases import moves_from_edits

    ws, previous = loaded if loaded is not None else (load_workspace(root), load_schedule(root))
    check_children(len(ws.children), previous, order.force)
    outcome = decided_plan(ws, previous, order, decisions,
                           moves_from_edits(load_worker_edits(root)))
    refuse(PlanError, "The plan has no visits",
           guards.empty_plan_problems(outcome.schedule, len(ws.children)))
    if keep:
        save_schedule(root, outcome.schedule)
    return outcome


def decided_plan(ws: Workspace, previous: Schedule | None, order: PlanOrder,
                 decisions: Sequence[Decision], moves: Mapping[str, datetime]) -> PlanOutcome:
    """The plan of ``ws`` with ``decisions`` laid over it (pure apart from the process pool)."""
    from visitplanner.usecases import plan_in_parts, plan_request

    laid = overlay(Caseload(ws.children, ws.workers, ws.absences), decisions, previous)
    decided = replace(ws, children=laid.caseload.children, absences=laid.caseload.absences)
    request = replace(plan_request(decided, order.start, order.weeks, order.seed, previous,
                                   moves), directives=laid.directives)
    return PlanOutcome(plan_in_parts(request, order.jobs), previous, laid)


def check_children(children: int, previous: Schedule | None, force: bool) -> None:
    """No children at all is always refused; far fewer than the kept plan's, unless forced."""
    refuse(InputError, "There are no children to plan", guards.no_children_problems(children))
    refuse(InputError, "The children's export looks incomplete",
           guards.shrunk_export_problems(children, guards.kept_children(previous)), forced=force)


def refuse(error: type[VisitplannerError], message: str, problems: list[Problem],
           forced: bool = False) -> None:
    """Raise ``error`` listing a guard's ``problems``, unless it found none or the user
    overrode it (``forced``: ``--force`` was given)."""
    if problems and not forced:
        raise error(message, problems)


# ------------------------------------------------------------------- decisions

#: The id a draft has before it is stored (a preview from the command line's --dry-run).
UNSTORED = 0
#: The command named as the workspace lock's holder while a decision is applied.
DECIDE_COMMAND = "decide"


@dataclass(frozen=True, slots=True)
class Desk:
    """Where decisions are made: the workspace, the plan they are previewed in, the store."""

    root: Path
    order: PlanOrder
    store: Store


@dataclass(frozen=True, slots=True)
class Applied:
    """A decision applied: it, the plan kept, the calendars written, whether a CalDAV sync
    was queued."""

    decision: Decision
    outcome: PlanOutcome
    published: Published
    sync_queued: bool


def preview_decision(desk: Desk, decision: Decision, loaded: Loaded | None = None
                     ) -> tuple[Preview, PlanOutcome]:
    """The plan with ``decision`` added to the applied ones, against the kept plan (read, or
    ``loaded``).  Nothing is written."""
    applied = [d for d in desk.store.applied() if d.id != decision.id]
    outcome = plan_workspace(desk.root, desk.order, [*applied, decision], keep=False,
                             loaded=loaded)
    return preview(outcome.previous, outcome.schedule, outcome.overlay.disagreements), outcome


def apply_decision(desk: Desk, decision_id: int, by: str, now: datetime) -> Applied:
    """Plan with the draft ``decision_id``, then (the plan made and its guards passed) mark
    it applied, keep the plan and publish the calendars, all under the workspace lock.
    A refused plan leaves the draft a draft and the workspace as it was.  Publishing may
    cancel many of a worker's visits (a caseload handed over): the manager saw that in the
    preview before applying."""
    from visitplanner.inputs.planstore import save_schedule
    from visitplanner.inputs.wslock import workspace_lock
    from visitplanner.publish.job import publish_workspace

    with workspace_lock(desk.root, DECIDE_COMMAND):
        draft = desk.store.decision(decision_id)
        if draft is None:
            raise InputError(f"no decision {decision_id}", [Problem(
                "decisions", f"unknown decision {decision_id}", "preview the decision again")])
        outcome = plan_workspace(desk.root, desk.order, [*desk.store.applied(), draft],
                                 keep=False)
        decision = desk.store.move(decision_id, DecisionStatus.APPLIED, by, now)
        save_schedule(desk.root, outcome.schedule)
        published = publish_workspace(desk.root, allow_cancellations=True)
        queued = _queue_sync(desk.root, now)
    return Applied(decision, outcome, published, queued)


def withdraw_decision(desk: Desk, decision_id: int, by: str, now: datetime,
                      why: str) -> Applied:
    """Withdraw an applied decision, re-plan without it and publish (as
    :func:`apply_decision`)."""
    from visitplanner.inputs.planstore import save_schedule
    from visitplanner.inputs.wslock import workspace_lock
    from visitplanner.publish.job import publish_workspace

    with workspace_lock(desk.root, DECIDE_COMMAND):
        rest = [d for d in desk.store.applied() if d.id != decision_id]
        outcome = plan_workspace(desk.root, desk.order, rest, keep=False)
        decision = desk.store.move(decision_id, DecisionStatus.WITHDRAWN, by, now, why)
        save_schedule(desk.root, outcome.schedule)
        published = publish_workspace(desk.root, allow_cancellations=True)
        queued = _queue_sync(desk.root, now)
    return Applied(decision, outcome, published, queued)


def _queue_sync(root: Path, now: datetime) -> bool:
    """Mark the calendars as changed since the last CalDAV sync, when the workspace syncs
    (``visitplanner sync`` clears the mark)."""
    from visitplanner.inputs.fsutil import write_atomic
    from visitplanner.inputs.settings import SETTINGS_FILE, load_settings
    from visitplanner.publish.job import SYNC_QUEUE

    if load_settings(root / SETTINGS_FILE).caldav is None:
        return False
    write_atomic(root / SYNC_QUEUE, f"{now.isoformat()}\n".encode())
    return True

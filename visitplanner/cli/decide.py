"""The manager's decisions from the command line, for batch use: `absence add|list|remove`,
`reassign`, `handover`, `pin`, `decisions`.

Each change is checked (every problem at once), then, with --dry-run, previewed per worker
and forgotten; without it, stored, planned, kept and published (as the desk's Apply does).
Decisions live in the desk's database (``.visitplanner/desk.sqlite`` unless ``[desk]``
names another); the user who ran the command is recorded as its maker.
"""

from __future__ import annotations

import getpass
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from visitplanner.cli import Context
from visitplanner.cli.due import DATE, DATE_FORM, now_utc, today_in_london
from visitplanner.errors import InputError, Problem

if TYPE_CHECKING:
    from visitplanner.decisions.model import Change
    from visitplanner.jobs import Desk

WHY = click.option("--why", default="", help="Why (kept in the audit log; no names).")
DRY_RUN = click.option("--dry-run", is_flag=True,
                       help="Print what each worker gains and loses; change nothing.")
TODAY = click.option("--today", "start", type=DATE, metavar=DATE_FORM,
                     help="Re-plan as on this day (default: today).")


def open_desk(root: Path, start: date | None) -> Desk:
    """The workspace's decisions, planned from ``start`` (default: today)."""
    from visitplanner.decisions.store import Store
    from visitplanner.inputs.settings import SETTINGS_FILE, load_settings
    from visitplanner.jobs import Desk, PlanOrder, desk_database_url

    settings = load_settings(root / SETTINGS_FILE)
    url = desk_database_url(root, settings, os.environ)
    return Desk(root, PlanOrder(start or today_in_london(), jobs=1), Store(url))


def decide(ctx: Context, change: Change, why: str, dry_run: bool, start: date | None) -> None:
    """Check ``change``; preview it (--dry-run) or store, plan, keep and publish it."""
    from visitplanner.decisions.check import change_problems, decision_team
    from visitplanner.decisions.model import Decision, DecisionStatus
    from visitplanner.decisions.overlay import Caseload
    from visitplanner.decisions.preview import preview, preview_lines
    from visitplanner.inputs.planstore import load_schedule
    from visitplanner.inputs.workspace import load_workspace
    from visitplanner.jobs import UNSTORED, apply_decision, preview_decision

    ws = load_workspace(ctx.workspace)
    kept = load_schedule(ctx.workspace)
    caseload = Caseload(ws.children, ws.workers, ws.absences)
    problems = change_problems(change, caseload, kept)
    if problems:
        raise InputError("The decision was not made", problems)
    desk, by, now = open_desk(ctx.workspace, start), _who(), now_utc()
    team = decision_team(change, caseload, kept)
    if dry_run:
        draft = Decision(UNSTORED, change, by, now, why, DecisionStatus.DRAFT, team)
        result, _ = preview_decision(desk, draft, (ws, kept))
        click.echo("\n".join(["Preview (nothing changed):", *preview_lines(result)]))
        return
    stored = desk.store.draft(change, by, why, team, now)
    try:
        applied = apply_decision(desk, stored.id, by, now)
    except Exception:
        desk.store.move(stored.id, DecisionStatus.DISCARDED, by, now, "the re-plan was refused")
        raise
    outcome = applied.outcome
    lines = preview_lines(preview(outcome.previous, outcome.schedule,
                                  outcome.overlay.disagreements))
    sync = "; a CalDAV sync is queued (visitplanner sync)" if applied.sync_queued else ""
    click.echo("\n".join([f"Decision {stored.id} applied: the plan is kept and the calendars "
                          f"in {applied.published.out_dir} are published{sync}.", *lines]))


def _who() -> str:
    """The account running the command (recorded as the decision's maker)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


# ------------------------------------------------------------------- absence


@click.group()
def absence() -> None:
    """Record, list and remove a worker's absence (kept beside absences.csv)."""


@absence.command("add")
@click.argument("worker_id")
@click.option("--from", "first", type=DATE, metavar=DATE_FORM, required=True,
              help="First day away (inclusive).")
@click.option("--to", "last", type=DATE, metavar=DATE_FORM, required=True,
              help="Last day away (inclusive).")
@click.option("--reason", default="", help="e.g. sick, leave, training (no health details).")
@WHY
@DRY_RUN
@TODAY
@click.pass_obj
def absence_add(ctx: Context, worker_id: str, first: date, last: date, reason: str, why: str,
                dry_run: bool, start: date | None) -> None:
    """WORKER_ID is away from --from to --to (both inclusive): their visits go to cover."""
    from visitplanner.decisions.model import AbsenceDecision

    decide(ctx, AbsenceDecision(worker_id, first, last, reason), why, dry_run, start)


@absence.command("list")
@click.pass_obj
def absence_list(ctx: Context) -> None:
    """The absences recorded as decisions (applied ones), with their decision ids."""
    from visitplanner.decisions.model import AbsenceDecision

    desk = open_desk(ctx.workspace, None)
    rows = [(d.id, d.change) for d in desk.store.applied()
            if isinstance(d.change, AbsenceDecision)]
    for decision_id, change in rows:
        assert isinstance(change, AbsenceDecision)
        click.echo(f"{decision_id}\t{change.worker_id}\t{change.first.isoformat()}\t"
                   f"{change.last.isoformat()}\t{change.reason}")
    if not rows:
        click.echo("no absences recorded as decisions (absences.csv has the export's)")


@absence.command("remove")
@click.argument("decision_id", type=int)
@WHY
@TODAY
@click.pass_obj
def absence_remove(ctx: Context, decision_id: int, why: str, start: date | None) -> None:
    """Withdraw the absence DECISION_ID (see `absence list`), re-plan and publish."""
    withdraw(ctx, decision_id, why, start)


def withdraw(ctx: Context, decision_id: int, why: str, start: date | None) -> None:
    from visitplanner.jobs import withdraw_decision

    desk = open_desk(ctx.workspace, start)
    done = withdraw_decision(desk, decision_id, _who(), now_utc(), why)
    click.echo(f"Decision {done.decision.id} withdrawn: the plan is kept and the calendars "
               f"in {done.published.out_dir} are published.")


# ------------------------------------------------------------------- visits


@click.command()
@click.argument("visit_id")
@click.option("--to", "worker_id", help="The colleague who makes the visit.")
@click.option("--on", "day", type=DATE, metavar=DATE_FORM, help="The day of the visit.")
@WHY
@DRY_RUN
@TODAY
@click.pass_obj
def reassign(ctx: Context, visit_id: str, worker_id: str | None, day: date | None, why: str,
             dry_run: bool, start: date | None) -> None:
    """Give planned visit VISIT_ID (or its calendar UID) to a colleague and/or another day.

    The rules still judge it: a day past the visit's deadline, or a worker who cannot
    visit then, is rejected at the re-plan and the visit planned afresh (the preview says so).
    """
    from visitplanner.decisions.model import Reassignment

    change = Reassignment(visit_id.removesuffix("@visitplanner"), worker_id, day)
    decide(ctx, change, why, dry_run, start)


@click.command()
@click.argument("visit_id")
@WHY
@DRY_RUN
@TODAY
@click.pass_obj
def pin(ctx: Context, visit_id: str, why: str, dry_run: bool, start: date | None) -> None:
    """Keep planned visit VISIT_ID on its day with its worker on every re-plan."""
    from visitplanner.decisions.model import Pin

    decide(ctx, Pin(visit_id.removesuffix("@visitplanner")), why, dry_run, start)


@click.command()
@click.argument("who")
@click.option("--to", "to_worker", required=True, help="The new allocated worker.")
@WHY
@DRY_RUN
@TODAY
@click.pass_obj
def handover(ctx: Context, who: str, to_worker: str, why: str, dry_run: bool,
             start: date | None) -> None:
    """Hand a child (WHO is a case ref) or a worker's whole caseload (WHO is a worker id) to
    another worker: a new allocation, kept until children.csv agrees or it is withdrawn."""
    from visitplanner.decisions.check import caseload_of
    from visitplanner.decisions.model import Handover
    from visitplanner.decisions.overlay import Caseload
    from visitplanner.inputs.workspace import load_workspace

    ws = load_workspace(ctx.workspace)
    child = ws.child(who)
    if child is not None:
        change = Handover((child.case_ref,), child.allocated_worker or "", to_worker)
    elif ws.worker(who) is not None:
        change = Handover(caseload_of(who, Caseload(ws.children, ws.workers, ws.absences)), who,
                          to_worker)
    else:
        raise InputError("The decision was not made", [_unknown_who(who)])
    decide(ctx, change, why, dry_run, start)


def _unknown_who(who: str) -> Problem:
    return Problem("WHO", f"{who!r} is neither a case ref nor a worker id",
                   "give a case_ref from children.csv or a worker_id from workers.csv")


@click.command("withdraw")
@click.argument("decision_id", type=int)
@WHY
@TODAY
@click.pass_obj
def withdraw_command(ctx: Context, decision_id: int, why: str, start: date | None) -> None:
    """Withdraw the applied decision DECISION_ID (see `decisions`), re-plan and publish."""
    withdraw(ctx, decision_id, why, start)


@click.command()
@click.option("--all", "everything", is_flag=True, help="Drafts and discarded ones too.")
@click.pass_obj
def decisions(ctx: Context, everything: bool) -> None:
    """The decisions made (applied and withdrawn) and the audit log, newest first."""
    from visitplanner.decisions.model import describe

    desk = open_desk(ctx.workspace, None)
    for entry in desk.store.audit():
        decision = desk.store.decision(entry.decision_id)
        if decision is None or (not everything and entry.action in ("draft", "discarded")):
            continue
        # a withdrawal's own reason, else the decision's
        reason = entry.note or decision.why
        why = f" -- {reason}" if reason else ""
        click.echo(f"{entry.at:%Y-%m-%d %H:%M} UTC  #{entry.decision_id} {entry.action:9} "
                   f"{entry.by}: {entry.kind} {describe(decision.change)}{why}")

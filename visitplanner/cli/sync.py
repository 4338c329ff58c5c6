"""`visitplanner sync`: publish the kept plan to CalDAV calendars, reading workers' edits back.

Thin on purpose: the algorithm is :func:`visitplanner.publish.sync.sync_calendar`.
This module reads what only the CLI may read (the environment, a password
command), loops over the calendars, records worker edits for the planner, and
turns the per-calendar results into a summary and an exit code:
0 all synced, 7 (:class:`SyncError`) nothing synced, 8 (:class:`PartialSyncError`) some failed.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import asdict, replace
from pathlib import Path
from urllib.parse import quote

import click

from visitplanner.cli.publish import publish_context
from visitplanner.errors import PartialSyncError, PlanError, Problem, SyncError
from visitplanner.planstore import PLAN_FILE, load_schedule
from visitplanner.publish import build_documents, load_state, save_state
from visitplanner.publish.caldav_storage import CaldavStorage
from visitplanner.publish.sync import CalendarSyncResult, SyncPolicy, sync_calendar
from visitplanner.publish.syncstatus import SyncStatus, record_worker_edits
from visitplanner.settings import SETTINGS_FILE, CaldavSettings
from visitplanner.workspace import load_workspace

#: Show a progress bar from this many documents on.
PROGRESS_FROM = 50
COUNTS = ("created", "updated", "deleted", "unchanged", "conflicts")


@click.command()
@click.option(
    "--dry-run", is_flag=True, help="Read the server and say what would change; write nothing."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def sync(obj: object, dry_run: bool, as_json: bool) -> None:
    """Sync the kept plan to each worker's and team's CalDAV calendar.

    Only what changed is written; a visit a worker moved, edited or deleted in
    their own calendar is reported (.visitplanner/worker-edits.json) and, by
    default, kept as they left it.
    """
    root: Path = getattr(obj, "workspace", Path("."))
    workspace = load_workspace(root)
    settings = workspace.settings.caldav
    if settings is None:
        raise SyncError("Nothing to sync to", [_no_caldav_section()])
    schedule = load_schedule(root)
    if schedule is None:
        problem = Problem(str(PLAN_FILE), "no plan has been kept yet", "run `visitplanner plan`")
        raise PlanError("Nothing to sync", [problem])
    username, password = credentials(settings, os.environ, _run_password_command)
    documents, after = build_documents(schedule, publish_context(workspace), load_state(root))
    policy = SyncPolicy(conflict=settings.conflict, dry_run=dry_run)  # type: ignore[arg-type]
    results = _sync_all(root, settings, documents, (username, password), policy, as_json)
    click.echo(_summary_json(results, dry_run) if as_json else _summary_text(results, dry_run))
    _raise_for_failures(results)
    if not dry_run:
        save_state(root, after)  # SEQUENCE bookkeeping, as `publish` does


def _sync_all(
    root: Path,
    settings: CaldavSettings,
    documents: dict[str, dict[str, bytes]],
    login: tuple[str | None, str | None],
    policy: SyncPolicy,
    quiet: bool,
) -> list[CalendarSyncResult]:
    total = sum(len(docs) for docs in documents.values())
    status = SyncStatus.open(root)
    results = []
    with ExitStack() as stack:
        stack.callback(status.close)
        if total >= PROGRESS_FROM and not quiet:
            bar = stack.enter_context(
                click.progressbar(length=total, label="syncing", file=sys.stderr)
            )
            policy = _with_progress(policy, bar.update)
        for calendar_id in sorted(documents):
            url = calendar_url(settings, calendar_id)
            storage = CaldavStorage.connect(url, calendar_id, *login)
            stack.callback(storage.close)
            result = sync_calendar(storage, documents[calendar_id], status, policy)
            if not policy.dry_run:
                _record_edits(root, status, result)
            results.append(result)
    return results


def _with_progress(policy: SyncPolicy, update: Callable[[int], None]) -> SyncPolicy:
    return replace(policy, progress=update)


def _record_edits(root: Path, status: SyncStatus, result: CalendarSyncResult) -> None:
    """Hand worker edits to the planner, then let the sync state forget them."""
    resolved = [(result.calendar, uid) for uid in result.resolved]
    if result.worker_edits or resolved:
        record_worker_edits(root, result.worker_edits, resolved=resolved)
    status.acknowledge_worker_edits(result.calendar, result.worker_edits)


def calendar_url(settings: CaldavSettings, calendar_id: str) -> str:
    """The calendar's explicit URL if configured, else from ``calendar_url_template``
    (the id is URL-quoted)."""
    if calendar_id in settings.calendars:
        return settings.calendars[calendar_id]
    return settings.calendar_url_template.format(url=settings.url, calendar=quote(calendar_id))


def credentials(
    settings: CaldavSettings,
    environ: Mapping[str, str],
    run_command: Callable[[Sequence[str]], str],
) -> tuple[str | None, str | None]:
    """User name from ``username_env``; password from ``password_command`` or ``password_env``.

    Both unset means "no authentication" (a local test server).  Every problem
    is gathered and raised at once; a secret is never echoed.
    """
    username = environ.get(settings.username_env) or None
    problems: list[Problem] = []
    password: str | None
    if settings.password_command:
        try:
            password = run_command(shlex.split(settings.password_command))
        except SyncError as failure:
            problems.extend(failure.problems)
            password = None
    else:
        password = environ.get(settings.password_env) or None
    if username and not password and not problems:
        problems.append(_credential_problem(settings.password_env, "password"))
    if password and not username:
        problems.append(_credential_problem(settings.username_env, "user name"))
    if problems:
        raise SyncError("Cannot log in to the CalDAV server", problems)
    return username, password


def _run_password_command(argv: Sequence[str]) -> str:
    """Run the password command without a shell; its first output line is the password."""
    where = f"{SETTINGS_FILE}, [caldav] password_command"
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as failure:
        problem = Problem(
            where, f"could not run it ({type(failure).__name__})", "check the command"
        )
        raise SyncError("Cannot log in to the CalDAV server", [problem]) from None
    password = done.stdout.splitlines()[0] if done.stdout.strip() else ""
    if done.returncode != 0 or not password:
        what = (
            f"it exited with status {done.returncode}" if done.returncode else "it printed nothing"
        )
        raise SyncError(
            "Cannot log in to the CalDAV server", [Problem(where, what, "run it by hand to check")]
        )
    return password


def _credential_problem(variable: str, what: str) -> Problem:
    return Problem(
        f"environment variable {variable}", f"the {what} is not set", f"export {variable}=..."
    )


def _no_caldav_section() -> Problem:
    return Problem(
        f"{SETTINGS_FILE}, [caldav]",
        "there is no [caldav] section",
        "add one with url and calendar_url_template (see docs/sync.md)",
    )


def _raise_for_failures(results: list[CalendarSyncResult]) -> None:
    failed = [r for r in results if not r.ok]
    if not failed:
        return
    problems = [Problem(f"calendar {r.calendar}", r.error or "failed", _fix_for(r)) for r in failed]
    if len(failed) == len(results):
        raise SyncError("No calendar could be synced", problems)
    raise PartialSyncError(f"{len(failed)} of {len(results)} calendars failed to sync", problems)


def _fix_for(result: CalendarSyncResult) -> str:
    if "login" in (result.error or ""):
        return "check the user name and password (environment or password_command)"
    return "run `visitplanner sync` again: it resumes where it stopped"


def _totals(results: list[CalendarSyncResult]) -> dict[str, int]:
    return {name: sum(getattr(r, name) for r in results) for name in COUNTS}


def _summary_text(results: list[CalendarSyncResult], dry_run: bool) -> str:
    totals = _totals(results)
    ok = sum(r.ok for r in results)
    head = "dry run: would sync" if dry_run else "synced"
    lines = [
        f"{head} {ok} of {len(results)} calendars: "
        + ", ".join(f"{totals[name]} {name}" for name in COUNTS)
    ]
    edits = [e for r in results for e in r.worker_edits]
    if edits:
        lines.append(f"{len(edits)} worker edits recorded in .visitplanner/worker-edits.json:")
        lines += [f"  {e.calendar}: {e.uid} {e.kind} {e.start}".rstrip() for e in edits]
    return "\n".join(lines)


def _summary_json(results: list[CalendarSyncResult], dry_run: bool) -> str:
    calendars = [
        {
            "calendar": r.calendar,
            "ok": r.ok,
            "error": r.error,
            **{name: getattr(r, name) for name in COUNTS},
            "requests": r.requests,
            "full_reconcile": r.full_reconcile,
            "worker_edits": [asdict(e) for e in r.worker_edits],
        }
        for r in results
    ]
    document = {"dry_run": dry_run, "totals": _totals(results), "calendars": calendars}
    return json.dumps(document, indent=2, sort_keys=True)

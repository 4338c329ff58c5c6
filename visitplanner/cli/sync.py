"""`visitplanner sync`: publish the kept plan to CalDAV calendars, reading workers' edits back.

Thin on purpose: the algorithm is :func:`visitplanner.publish.sync.sync_calendar`.
This module reads what only the CLI may read (the environment, a password
command), loops over the calendars, records worker edits for the planner, and
turns the per-calendar results into a summary and an exit code:
0 all synced, 7 (:class:`SyncError`) nothing synced, 8 (:class:`PartialSyncError`) some
failed, or an *open conflict*, named in the summary: a worker's delete settled by this
sync (put back, or withdrawn for reallocating: ``[caldav] on_worker_delete``), reported
once; a move the plan rejected and put back, until the first sync after the next `plan`.
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
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit, urlunsplit

import click

from visitplanner.cli.publish import ALLOW_CANCELLATIONS
from visitplanner.errors import PartialSyncError, PlanError, Problem, SyncError

if TYPE_CHECKING:  # the CalDAV stack is imported by the functions that use it: it is slow
    from visitplanner.core.model import Schedule
    from visitplanner.inputs.settings import CaldavSettings
    from visitplanner.publish.caldav_storage import CaldavSession
    from visitplanner.publish.sync import CalendarSyncResult, PlanVerdicts, SyncPolicy
    from visitplanner.publish.syncstatus import ConflictReport, SyncStatus

#: The command named as the workspace lock's holder while calendars are synced.
SYNC_COMMAND = "sync"
#: Show a progress bar from this many documents on.
PROGRESS_FROM = 50
COUNTS = ("created", "updated", "deleted", "unchanged", "conflicts")
#: Why a calendar could not be synced, as `sync --json` names it (``error_kind``).
CONFIGURATION, SERVER_DOWN, TRANSIENT = "configuration", "server down", "transient"
ERROR_KIND_LABELS = {
    CONFIGURATION: "; retrying will not help",
    SERVER_DOWN: "; retried; a re-run once it is back resumes",
    TRANSIENT: "; retried",
}
#: The planner's flag on a visit whose worker move it did not keep.
REJECTED_FLAG = "moved_by_worker_rejected"


@click.command()
@click.option(
    "--dry-run", is_flag=True, help="Read the server and say what would change; write nothing."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@ALLOW_CANCELLATIONS
@click.pass_obj
def sync(obj: object, dry_run: bool, as_json: bool, allow_cancellations: bool) -> None:
    """Sync the kept plan to each worker's and team's CalDAV calendar.

    Only what changed is written; a visit a worker moved, edited or deleted in
    their own calendar is reported (.visitplanner/worker-edits.json).  A deleted
    visit the plan still has is settled once, by [caldav] on_worker_delete: put
    back with a note (recreate, the default), or left deleted and listed for the
    manager to reallocate (withdraw); that sync names it and exits 8, later ones do
    not.  A move is kept until the next `plan` has judged it, and put back if it
    breaks a rule, named with the rule; sync exits 8 until the first sync after the
    next `plan` (`visitplanner conflicts` lists them all).  A run that would cancel
    many of a calendar's future visits is refused before connecting (also with
    --dry-run) unless --allow-cancellations is given.  Takes the workspace lock (also
    with --dry-run, which reads the sync state): a `plan`, `publish` or `sync`
    meanwhile waits for it.
    """
    from visitplanner.inputs.wslock import workspace_lock
    from visitplanner.publish.job import SYNC_QUEUE

    root: Path = getattr(obj, "workspace", Path("."))
    with workspace_lock(root, SYNC_COMMAND):
        _sync(root, dry_run, as_json, allow_cancellations)
        if not dry_run:  # every calendar synced (a partial sync raised): nothing queued
            (root / SYNC_QUEUE).unlink(missing_ok=True)


def _sync(root: Path, dry_run: bool, as_json: bool, allow_cancellations: bool) -> None:
    """The whole sync, run under the workspace lock."""
    from visitplanner.inputs.planstore import PLAN_FILE, load_schedule
    from visitplanner.inputs.workspace import load_workspace
    from visitplanner.publish import build_documents, load_state, save_state
    from visitplanner.publish.job import (
        publish_context,
        refuse_incomplete_export,
        refuse_mass_cancellation,
    )
    from visitplanner.publish.sync import SyncPolicy

    workspace = load_workspace(root)
    settings = workspace.settings.caldav
    if settings is None:
        raise SyncError("Nothing to sync to", [_no_caldav_section()])
    schedule = load_schedule(root)
    if schedule is None:
        problem = Problem(str(PLAN_FILE), "no plan has been kept yet", "run `visitplanner plan`")
        raise PlanError("Nothing to sync", [problem])
    refuse_incomplete_export(workspace, schedule, "sync")
    before = load_state(root)
    documents, after = build_documents(schedule, publish_context(workspace), before)
    if not allow_cancellations:
        refuse_mass_cancellation(SyncError, "sync", schedule, before, after)
    username, password = credentials(settings, os.environ, _run_password_command)
    if username is None and password is None:
        click.echo(f"note: {_no_login_note(settings)}", err=True)
    policy = SyncPolicy(conflict=settings.conflict,  # type: ignore[arg-type]
                        on_worker_delete=settings.on_worker_delete,  # type: ignore[arg-type]
                        dry_run=dry_run)
    verdicts = plan_verdicts(root, schedule)
    results = _sync_all(root, settings, documents, (username, password), policy, as_json,
                        verdicts)
    reports = conflict_reports(results, schedule)
    click.echo(_summary_json(results, dry_run, reports) if as_json
               else _summary_text(results, dry_run, reports))
    _raise_for_failures(results, settings, authenticated=password is not None)
    if not dry_run:
        save_state(root, after)  # SEQUENCE bookkeeping, as `publish` does
    _raise_for_open_conflicts(reports)


def plan_verdicts(root: Path, schedule: Schedule) -> PlanVerdicts:
    """What the kept plan decided about workers' edits: its identity (``plan.json``'s inode,
    size and modification time: a new one whenever a plan is kept) and the visits whose
    worker move it rejected."""
    from visitplanner.inputs.planstore import PLAN_FILE
    from visitplanner.publish.ics import visit_uid
    from visitplanner.publish.sync import PlanVerdicts

    kept = (root / PLAN_FILE).stat()
    rejected = frozenset(visit_uid(v.id) for v in schedule.visits if REJECTED_FLAG in v.flags)
    return PlanVerdicts(f"{kept.st_ino}-{kept.st_size}-{kept.st_mtime_ns}", rejected)


def conflict_reports(results: list[CalendarSyncResult], schedule: Schedule
                     ) -> list[ConflictReport]:
    """The open conflicts of every calendar, for people (from the kept plan)."""
    from visitplanner.publish.syncstatus import describe_conflicts

    visits = {visit.id: visit for visit in schedule.visits}
    return describe_conflicts((c for r in results for c in r.open_conflicts), visits)


def _raise_for_open_conflicts(reports: Sequence[ConflictReport]) -> None:
    """Exit 8 while a conflict is open (each is named in the summary)."""
    if not reports:
        return
    count = len(reports)
    problem = _open_conflicts_problem(reports)
    raise PartialSyncError(f"{count} open conflict{'s' if count != 1 else ''} with workers' "
                           "calendars", [problem])


def _open_conflicts_problem(reports: Sequence[ConflictReport]) -> Problem:
    from visitplanner.publish.syncstatus import WITHDRAWN

    calendars = ", ".join(sorted({r.calendar for r in reports}))
    withdrawn = sum(r.kind == WITHDRAWN for r in reports)
    put_back = len(reports) - withdrawn
    what: list[str] = []
    fixes: list[str] = []
    if put_back:
        what.append(f"{put_back} worker edit{'s do' if put_back != 1 else ' does'} not stand: "
                    "the plan was put back")
        fixes.append("tell the workers why (`visitplanner explain VISIT`); a deleted visit put "
                     "back is named once, a rejected move until the first sync after the next "
                     "`visitplanner plan`")
    if withdrawn:
        what.append(f"{withdrawn} visit{'s' if withdrawn != 1 else ''} withdrawn by the worker "
                    f"need{'s' if withdrawn == 1 else ''} reallocating")
        fixes.append("reassign each withdrawn visit (`visitplanner reassign` or the desk)")
    return Problem(f"calendar{'s' if ',' in calendars else ''} {calendars}",
                   "; ".join(what) + " (listed above)", "; ".join(fixes))


def _sync_all(
    root: Path,
    settings: CaldavSettings,
    documents: dict[str, dict[str, bytes]],
    login: tuple[str | None, str | None],
    policy: SyncPolicy,
    quiet: bool,
    verdicts: PlanVerdicts | None = None,
) -> list[CalendarSyncResult]:
    """Sync every calendar, ``settings.concurrency`` at once, each thread over one kept-alive
    client and its own connection to the sync state; worker edits are recorded here, in
    this thread, one calendar at a time, as each one finishes."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from visitplanner.publish.caldav_storage import CaldavSession
    from visitplanner.publish.syncstatus import SyncStatus

    total = sum(len(docs) for docs in documents.values())
    status = SyncStatus.open(root)
    session = CaldavSession(*login)
    results: dict[str, CalendarSyncResult] = {}
    with ExitStack() as stack:
        stack.callback(status.close)
        stack.callback(session.close)
        if total >= PROGRESS_FROM and not quiet:
            bar = stack.enter_context(
                click.progressbar(length=total, label="syncing", file=sys.stderr)
            )
            policy = _with_progress(policy, bar.update)
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=settings.concurrency))
        running = {
            pool.submit(_sync_one, root, settings, calendar_id, documents[calendar_id], session,
                        policy, verdicts): calendar_id
            for calendar_id in sorted(documents)
        }
        for done in as_completed(running):
            result = done.result()
            if not policy.dry_run:
                _record_edits(root, status, result)
            results[result.calendar] = result
    return [results[calendar_id] for calendar_id in sorted(documents)]


def _sync_one(
    root: Path,
    settings: CaldavSettings,
    calendar_id: str,
    desired: dict[str, bytes],
    session: CaldavSession,
    policy: SyncPolicy,
    verdicts: PlanVerdicts | None,
) -> CalendarSyncResult:
    """One calendar, on a pool thread: its own connection to the sync state (SQLite
    connections stay in the thread that made them)."""
    from visitplanner.publish.sync import sync_calendar
    from visitplanner.publish.syncstatus import SyncStatus

    storage = session.storage(calendar_url(settings, calendar_id), calendar_id)
    status = SyncStatus.open(root)
    try:
        return sync_calendar(storage, desired, status, policy, verdicts)
    finally:
        status.close()


def _with_progress(policy: SyncPolicy, update: Callable[[int], None]) -> SyncPolicy:
    """Progress reported from the pool's threads, one at a time."""
    import threading

    lock = threading.Lock()

    def report(count: int) -> None:
        with lock:
            update(count)

    return replace(policy, progress=report)


def _record_edits(root: Path, status: SyncStatus, result: CalendarSyncResult) -> None:
    """Hand worker edits to the planner, then let the sync state forget them."""
    from visitplanner.publish.syncstatus import record_worker_edits

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

    Both unset means "no authentication" (a local test server; the CLI says
    so).  Only one of them set is a mistake, and names both variables.  Every
    problem is gathered and raised at once; a secret is never echoed.
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
        if password and not username:
            problems.append(_credential_problem(settings.username_env, "user name"))
    else:
        password = environ.get(settings.password_env) or None
        if bool(username) != bool(password):
            problems.append(_half_login_problem(settings, given_username=bool(username)))
    if problems:
        raise SyncError("Cannot log in to the CalDAV server", problems)
    return username, password


def _no_login_note(settings: CaldavSettings) -> str:
    return (
        f"no credentials in {settings.username_env} / {settings.password_env}: "
        "connecting without authentication"
    )


def _half_login_problem(settings: CaldavSettings, given_username: bool) -> Problem:
    given, missing = settings.username_env, settings.password_env
    if not given_username:
        given, missing = missing, given
    return Problem(
        f"environment variables {settings.username_env} and {settings.password_env}",
        f"{given} is set but {missing} is not: a login needs both",
        f"export {missing}=... (or unset {given} for a server without login)",
    )


def _run_password_command(argv: Sequence[str]) -> str:
    """Run the password command without a shell; its first output line is the password."""
    from visitplanner.inputs.settings import SETTINGS_FILE

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
    from visitplanner.inputs.settings import SETTINGS_FILE

    return Problem(
        f"{SETTINGS_FILE}, [caldav]",
        "there is no [caldav] section",
        "add one with url and calendar_url_template (see docs/sync.md)",
    )


def _raise_for_failures(
    results: list[CalendarSyncResult],
    settings: CaldavSettings | None = None,
    authenticated: bool = True,
) -> None:
    failed = [r for r in results if not r.ok]
    if not failed:
        return
    problems = [_failure_problem(r, settings, authenticated) for r in failed]
    if len(failed) == len(results):
        raise SyncError("No calendar could be synced", problems)
    raise PartialSyncError(f"{len(failed)} of {len(results)} calendars failed to sync", problems)


def _failure_problem(
    result: CalendarSyncResult, settings: CaldavSettings | None, authenticated: bool
) -> Problem:
    kind = error_kind(result)
    label = ERROR_KIND_LABELS.get(kind, "")
    what = f"{result.error or 'failed'} ({kind}{label})" if kind else result.error or "failed"
    return Problem(f"calendar {result.calendar}", what, _fix_for(result, settings, authenticated))


def error_kind(result: CalendarSyncResult) -> str:
    """``configuration`` (fix the settings or the server, then re-run), ``server down``
    (it answered, then stopped: re-run once it is back), ``transient`` (slow or failing:
    re-run later), or "" (ok, or not known)."""
    from visitplanner.publish.caldav_storage import (
        ServerDownError,
        ServerUnreachableError,
        TlsError,
    )
    from visitplanner.publish.storage import AuthError, NotFoundError, TransientError

    failure = result.failure
    if isinstance(failure, AuthError | NotFoundError | TlsError | ServerUnreachableError):
        return CONFIGURATION
    if isinstance(failure, ServerDownError):
        return SERVER_DOWN
    return TRANSIENT if isinstance(failure, TransientError) else ""


def _fix_for(
    result: CalendarSyncResult, settings: CaldavSettings | None, authenticated: bool
) -> str:
    """What to do about one calendar's failure, naming the setting or variable to change."""
    from visitplanner.publish.caldav_storage import ServerUnreachableError, TlsError
    from visitplanner.publish.storage import AuthError, NotFoundError, TransientError

    failure = result.failure
    where = _url_setting(settings, result.calendar)
    if isinstance(failure, AuthError):
        return _login_fix(failure.status, settings, authenticated, where)
    if isinstance(failure, NotFoundError):
        url = _shown_url(settings, result.calendar)
        return f"no calendar at {url}: check the {where}, or create the calendar on the server"
    if isinstance(failure, TlsError):
        return f"check the {where} (https:// to the server's TLS port) and its certificate"
    if isinstance(failure, ServerUnreachableError):
        return f"start the CalDAV server, or check the address: the {where}"
    if error_kind(result) == SERVER_DOWN:
        return "the server stopped during the sync: run `visitplanner sync` again once it is " \
            "back up; it resumes where it stopped"
    if isinstance(failure, TransientError):
        return "the server is slow or failing: run `visitplanner sync` again later; it resumes"
    return "run `visitplanner sync` again: it resumes where it stopped"


def _login_fix(
    status: int | None, settings: CaldavSettings | None, authenticated: bool, where: str
) -> str:
    user = settings.username_env if settings else "the user name variable"
    secret = settings.password_env if settings else "the password variable"
    if settings is not None and settings.password_command:
        secret = "[caldav] password_command"
    if status == 403:
        return f"the user in ${user} may not use this calendar: check the {where}, or its rights"
    if not authenticated:
        return f"the server wants a login: export {user}=... and {secret}=..."
    password = secret if secret.startswith("[") else f"${secret}"
    return f"check the user name in ${user} and the password in {password}"


def _url_setting(settings: CaldavSettings | None, calendar: str) -> str:
    from visitplanner.inputs.settings import SETTINGS_FILE

    if settings is not None and calendar in settings.calendars:
        return f'{SETTINGS_FILE} [caldav] calendars."{calendar}"'
    return f"url and calendar_url_template in {SETTINGS_FILE} [caldav]"


def _shown_url(settings: CaldavSettings | None, calendar: str) -> str:
    """The calendar's URL as configured, without any user name or password in it."""
    if settings is None:
        return calendar
    parts = urlsplit(calendar_url(settings, calendar))
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return urlunsplit(parts._replace(netloc=f"{host}:{parts.port}" if parts.port else host))


def _totals(results: list[CalendarSyncResult]) -> dict[str, int]:
    return {name: sum(getattr(r, name) for r in results) for name in COUNTS}


def _summary_text(
    results: list[CalendarSyncResult], dry_run: bool, reports: Sequence[ConflictReport] = ()
) -> str:
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
    return "\n".join([*lines, *_conflict_lines(reports)])


def _conflict_lines(reports: Sequence[ConflictReport]) -> list[str]:
    """The open conflicts: put back over the worker's edit, then withdrawn for reallocating."""
    from visitplanner.publish.syncstatus import WITHDRAWN

    put_back = [r for r in reports if r.kind != WITHDRAWN]
    withdrawn = [r for r in reports if r.kind == WITHDRAWN]
    lines = []
    if put_back:
        count = "1 worker edit does" if len(put_back) == 1 else f"{len(put_back)} worker edits do"
        lines.append(f"OPEN CONFLICTS: {count} not stand; the plan was put back "
                     "(`visitplanner conflicts` lists them):")
        lines += [f"  {report.text()}" for report in put_back]
    if withdrawn:
        count = "1 visit" if len(withdrawn) == 1 else f"{len(withdrawn)} visits"
        lines.append(f"WITHDRAWN: {count} deleted by the worker, not put back, to reallocate "
                     "(`visitplanner conflicts` keeps listing them):")
        lines += [f"  {report.text()}" for report in withdrawn]
    return lines


def _summary_json(
    results: list[CalendarSyncResult], dry_run: bool, reports: Sequence[ConflictReport] = ()
) -> str:
    calendars = [
        {
            "calendar": r.calendar,
            "ok": r.ok,
            "error": r.error,
            "error_kind": error_kind(r) or None,
            **{name: getattr(r, name) for name in COUNTS},
            "requests": r.requests,
            "full_reconcile": r.full_reconcile,
            "worker_edits": [asdict(e) for e in r.worker_edits],
        }
        for r in results
    ]
    document = {
        "dry_run": dry_run,
        "totals": _totals(results),
        "calendars": calendars,
        "open_conflicts": [asdict(report) for report in reports],
    }
    return json.dumps(document, indent=2, sort_keys=True)

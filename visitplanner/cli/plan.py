"""`visitplanner plan` and `visitplanner explain`."""

from __future__ import annotations

import os
from collections import Counter
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from visitplanner.cli import Context
from visitplanner.cli.due import DATE, DATE_FORM, today_in_london
from visitplanner.core import guards
from visitplanner.core.guards import MAX_START_DAYS_FROM_TODAY
from visitplanner.core.model import DUTY_FLAG, SHORT_NOTICE_FLAG, VisitKind
from visitplanner.core.timeslots import AFTER_SCHOOL
from visitplanner.errors import PlanError, Problem

#: The command named as the workspace lock's holder while a plan is made and kept.
PLAN_COMMAND = "plan"

if TYPE_CHECKING:
    from visitplanner.core.compare import PlanComparison
    from visitplanner.core.model import Schedule, Shortfall
    from visitplanner.decisions.model import Decision


@click.command("plan")
@click.option("--from", "start", type=DATE, metavar=DATE_FORM,
              help="First day of the plan (default: today; more than "
              f"{MAX_START_DAYS_FROM_TODAY} days from today needs --force).")
@click.option("--weeks", type=click.IntRange(1, 52), help="Plan length in weeks (default: "
              "the workspace's planning.weeks).")
@click.option("--seed", type=int, help="Seed for unannounced visits (default: planning.seed).")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option("--no-keep", is_flag=True, help="Do not keep the plan in the workspace.")
@click.option("--jobs", type=click.IntRange(1, 256), help="Processes to plan the teams on "
              "(default: every core; the plan is the same whatever the number).")
@click.option("--force", is_flag=True, help="Plan although the input looks wrong: a --from far "
              "from today, or far fewer children than the kept plan.")
@click.pass_obj
def plan(ctx: Context, start: date | None, weeks: int | None, seed: int | None,
         as_json: bool, no_keep: bool, jobs: int | None, force: bool) -> None:
    """Plan visits, assign them to workers and keep the plan for publish and sync.

    Keeping the plan takes the workspace lock (one writer at a time), so a second
    `plan`, `publish` or `sync` meanwhile waits; --no-keep takes none.
    """
    from visitplanner.inputs.planstore import schedule_to_json
    from visitplanner.inputs.wslock import workspace_lock
    from visitplanner.jobs import PlanOrder, plan_workspace, refuse

    today = today_in_london()
    refuse(PlanError, "The plan's first day looks wrong", guards.start_problems(start, today),
           forced=force)
    order = PlanOrder(start or today, weeks, seed, jobs or _cores(), force)
    root = ctx.workspace
    with nullcontext() if no_keep else workspace_lock(root, PLAN_COMMAND):
        outcome = plan_workspace(root, order, _applied(root), keep=not no_keep)
    if as_json:
        click.echo(schedule_to_json(outcome.schedule), nl=False)
        return
    click.echo(summary(outcome.schedule, outcome.previous))
    for disagreement in outcome.overlay.disagreements:
        click.echo(f"DECISION {disagreement.decision_id}: {disagreement.what}")


def _applied(root: Path) -> list[Decision]:
    """The managers' applied decisions (read from the desk's database, if there is one)."""
    from visitplanner.inputs.settings import SETTINGS_FILE, load_settings
    from visitplanner.jobs import applied_decisions

    return applied_decisions(root, load_settings(root / SETTINGS_FILE), os.environ)


def summary(schedule: Schedule, previous: Schedule | None) -> str:
    """A plan's figures and its shortfalls, for people."""
    flags = Counter(f for v in schedule.visits for f in v.flags)
    lines = [
        f"Plan {schedule.start.isoformat()} to {schedule.end.isoformat()} (seed {schedule.seed}): "
        f"{len(schedule.visits)} visits to "
        f"{len({r for v in schedule.visits for r in v.case_refs})} children",
        f"  unannounced: {sum(not v.announced for v in schedule.visits)}; "
        f"moved earlier for absence: {flags['moved_earlier_for_absence']}; "
        f"cover: {flags['cover']}; manager cover: {flags['manager_cover']}; "
        f"unallocated: {flags['unallocated']}; "
        f"failure would breach: {sum(v.failure_would_breach for v in schedule.visits)}",
        f"  duty: {flags[DUTY_FLAG]}; after school: {flags[AFTER_SCHOOL]}; "
        f"short notice: {flags[SHORT_NOTICE_FLAG]}; "
        f"away from home: {sum(v.kind is VisitKind.AWAY_FROM_HOME for v in schedule.visits)}; "
        f"tasks: {len(schedule.tasks)}",
    ]
    if previous is not None:
        from visitplanner.core.compare import compare_plans

        lines += comparison_lines(compare_plans(previous, schedule))
    for needed in schedule.birth_dates_needed:
        lines.append(f"DATE OF BIRTH NEEDED: {needed.case_ref} was expected on "
                     f"{needed.expected.isoformat()}; planned as born that day "
                     f"(checks on the baby included); {needed.worker_id or 'the team manager'} "
                     f"to record the date of birth in children.csv")
    if schedule.shortfalls:
        groups = shortfall_groups(schedule.shortfalls)
        children = len({s.case_ref for s in schedule.shortfalls})
        lines.append(f"SHORTFALLS: {len(groups)} deadlines of {children} children will be missed:")
        for (ref, deadline, planned, late, reason), rules in groups.items():
            when = f"planned {planned.isoformat()}" if planned else "no visit possible in this plan"
            lines.append(f"  {ref} due {deadline.isoformat()} ({', '.join(rules)}): {when}, "
                         f"{'at least ' if planned is None else ''}{late} day(s) late: {reason}")
    else:
        lines.append("No shortfalls: every deadline in the plan is met.")
    return "\n".join(lines)


def comparison_lines(comparison: PlanComparison) -> list[str]:
    """The plan compared with the kept one: overall, then one line per worker."""
    lines = [f"  compared with the kept plan: {comparison.overall.text()}"]
    lines += [f"    {worker}: {changes.text()}"
              for worker, changes in comparison.by_worker.items()]
    return lines


def _cores() -> int:
    """The cores this process may run on (the CLI's default for ``--jobs``)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def shortfall_groups(shortfalls: tuple[Shortfall, ...]) -> dict[tuple[Any, ...], list[str]]:
    """Shortfalls of one child with the same deadline and cause, listed once with their rules."""
    groups: dict[tuple[Any, ...], list[str]] = {}
    for s in shortfalls:
        key = (s.case_ref, s.deadline, s.planned_on, s.days_late, s.reason)
        groups.setdefault(key, []).append(s.rule_id)
    return groups


@click.command()
@click.argument("visit_id")
@click.pass_obj
def explain(ctx: Context, visit_id: str) -> None:
    """Say why a planned visit is on its day: rules, deadlines, sources, checklist.

    VISIT_ID is the visit's id (v-...) or its calendar event's UID (v-...@visitplanner).
    """
    from visitplanner.core.explain import explain_visit, find_visit
    from visitplanner.inputs.planstore import load_schedule
    from visitplanner.inputs.workspace import load_workspace

    schedule = load_schedule(ctx.workspace)
    if schedule is None:
        raise PlanError("no plan kept in this workspace", [Problem(
            str(ctx.workspace), "no .visitplanner/plan.json", "run `visitplanner plan` first")])
    visit = find_visit(schedule, visit_id)
    if visit is None:
        raise PlanError(f"no visit {visit_id!r} in the kept plan", [Problem(
            "plan", f"unknown visit id {visit_id!r}",
            "use an id from `visitplanner plan --json` (v-...), or the UID of the visit's "
            "calendar event (v-...@visitplanner)")])
    ws = load_workspace(ctx.workspace)
    click.echo(explain_visit(schedule, ws.policy, visit))

"""`visitplanner plan` and `visitplanner explain`."""

from __future__ import annotations

import os
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from visitplanner.cli import Context
from visitplanner.cli.due import today_in_london
from visitplanner.errors import PlanError, Problem

if TYPE_CHECKING:
    from visitplanner.model import Schedule, Shortfall


@click.command("plan")
@click.option("--from", "start", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="First day of the plan (default: today).")
@click.option("--weeks", type=click.IntRange(1, 52), help="Plan length in weeks (default: "
              "the workspace's planning.weeks).")
@click.option("--seed", type=int, help="Seed for unannounced visits (default: planning.seed).")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option("--no-keep", is_flag=True, help="Do not keep the plan in the workspace.")
@click.option("--jobs", type=click.IntRange(1, 256), help="Processes to plan the teams on "
              "(default: every core; the plan is the same whatever the number).")
@click.pass_obj
def plan(ctx: Context, start: datetime | None, weeks: int | None, seed: int | None,
         as_json: bool, no_keep: bool, jobs: int | None) -> None:
    """Plan visits, assign them to workers and keep the plan for publish and sync."""
    from visitplanner.planstore import load_schedule, save_schedule, schedule_to_json
    from visitplanner.publish.syncstatus import load_worker_edits
    from visitplanner.usecases import make_plan, moves_from_edits
    from visitplanner.workspace import load_workspace

    today = start.date() if start else today_in_london()
    ws = load_workspace(ctx.workspace)
    previous = load_schedule(ctx.workspace)
    moves = moves_from_edits(load_worker_edits(ctx.workspace))
    schedule = make_plan(ws, today, weeks, seed, previous, moves, jobs=jobs or _cores())
    if not no_keep:
        save_schedule(ctx.workspace, schedule)
    if as_json:
        click.echo(schedule_to_json(schedule), nl=False)
        return
    click.echo(summary(schedule, previous))


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
    ]
    if previous is not None:
        before = {v.id: v for v in previous.visits}
        kept = sum(1 for v in schedule.visits if before.get(v.id) == v)
        lines.append(f"  compared with the kept plan: {kept} unchanged, "
                     f"{len(schedule.visits) - kept} new or changed")
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
    """Say why a planned visit is on its day: rules, deadlines, sources, checklist."""
    from visitplanner.explain import explain_visit, find_visit
    from visitplanner.planstore import load_schedule
    from visitplanner.workspace import load_workspace

    schedule = load_schedule(ctx.workspace)
    if schedule is None:
        raise PlanError("no plan kept in this workspace", [Problem(
            str(ctx.workspace), "no .visitplanner/plan.json", "run `visitplanner plan` first")])
    visit = find_visit(schedule, visit_id)
    if visit is None:
        raise PlanError(f"no visit {visit_id!r} in the kept plan", [Problem(
            "plan", f"unknown visit id {visit_id!r}",
            "use an id from `visitplanner plan --json` or the calendar's X-VISITPLANNER-VISIT-ID")])
    ws = load_workspace(ctx.workspace)
    click.echo(explain_visit(schedule, ws.policy, visit))

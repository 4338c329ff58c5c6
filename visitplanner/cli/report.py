"""`visitplanner report [--from DATE] [--to DATE] [--by team|worker|plan]
[--json|--csv|--html FILE] [--ahead]`."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from visitplanner.cli import Context
from visitplanner.cli.due import DATE, DATE_FORM, today_in_london
from visitplanner.errors import InputError, PlanError, Problem

if TYPE_CHECKING:
    from visitplanner.core.model import Schedule
    from visitplanner.inputs.workspace import Workspace
    from visitplanner.report.measures import By, ComplianceReport
    from visitplanner.report.period import Period

#: The default period without --from: four weeks (28 days) ending on --to.
DEFAULT_DAYS = 28
BY_CHOICES = ("team", "worker", "plan")


@click.command()
@click.option("--from", "first", type=DATE, metavar=DATE_FORM,
              help=f"First day (inclusive; default: {DEFAULT_DAYS} days ending on --to, or "
              "the plan's first day with --ahead).")
@click.option("--to", "last", type=DATE, metavar=DATE_FORM,
              help="Last day (inclusive; default: yesterday, or the plan's last day with "
              "--ahead).")
@click.option("--by", type=click.Choice(BY_CHOICES), default="team", show_default=True,
              help="Group the figures by team, allocated worker or plan type.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the figures as CSV.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="Write the report as one self-contained HTML file.")
@click.option("--ahead", is_flag=True, help="Forecast: count the kept plan's visits as made.")
@click.pass_obj
def report(ctx: Context, first: date | None, last: date | None, by: str, as_json: bool,
           as_csv: bool, html_file: Path | None, ahead: bool) -> None:
    """How well visits kept to the policy: deadlines met in time, late and not met.

    Figures per rule, topic (visits, unannounced, re-visits, seen alone, seen awake,
    bedroom, other checks), team, worker and plan type, with the list behind each.
    """
    from visitplanner.inputs.workspace import load_workspace
    from visitplanner.report.measures import By
    from visitplanner.reporting import workspace_report

    if sum((as_json, as_csv, html_file is not None)) > 1:
        raise click.UsageError("give one of --json, --csv and --html")
    ws = load_workspace(ctx.workspace)
    schedule = _kept_plan(ctx.workspace) if ahead else None
    made = workspace_report(ws, _period(first, last, schedule), schedule)
    grouping = By(by)
    if as_json or as_csv:
        click.echo(_printed(made, ws, grouping, as_json), nl=False)
        return
    if html_file is not None:
        _write_html(html_file, made, ws, grouping)
        return
    from visitplanner.report.render_text import report_text

    click.echo(report_text(made, ws.policy, grouping))


def _printed(made: ComplianceReport, ws: Workspace, by: By, as_json: bool) -> str:
    if as_json:
        from visitplanner.report.render_json import report_json

        return report_json(made, ws.policy, by)
    from visitplanner.report.render_csv import report_csv

    return report_csv(made, ws.policy, by)


def _write_html(path: Path, made: ComplianceReport, ws: Workspace, by: By) -> None:
    """Write the HTML file, then print the headline and where the file is."""
    from visitplanner.inputs.fsutil import write_atomic
    from visitplanner.report.render_html import report_html
    from visitplanner.report.render_text import headline

    path.parent.mkdir(parents=True, exist_ok=True)
    page = report_html(made, ws.policy, by, ws.settings.workspace.team_name)
    write_atomic(path, page.encode("utf-8"))  # owner-only: it lists children
    click.echo(headline(made))
    click.echo(f"\nHTML report written to {path}")


def _kept_plan(root: Path) -> Schedule:
    from visitplanner.inputs.planstore import load_schedule

    schedule = load_schedule(root)
    if schedule is None:
        raise PlanError("no plan kept in this workspace: --ahead forecasts from it", [Problem(
            str(root), "no .visitplanner/plan.json", "run `visitplanner plan` first")])
    return schedule


def _period(first: date | None, last: date | None, schedule: Schedule | None) -> Period:
    """The period asked for, its defaults filled in; refused when it ends before it starts."""
    from visitplanner.report.period import Period

    if schedule is not None:
        last = last or schedule.end
        first = first or schedule.start
    last = last or today_in_london() - timedelta(days=1)
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise InputError("the report's period ends before it starts", [Problem(
            "--from/--to", f"--to {last.isoformat()} is before --from {first.isoformat()}",
            "give a --to on or after --from (both days are included)")])
    return Period(first, last)

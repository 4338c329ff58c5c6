"""`visitplanner due [--on DATE] [--json]`."""

from __future__ import annotations

import calendar
import json
import re
from datetime import MINYEAR, date, datetime
from typing import TYPE_CHECKING, Any

import click

from visitplanner.cli import Context

if TYPE_CHECKING:
    from visitplanner.core.due import ChildDue


def today_in_london() -> date:
    """The CLI's one reading of the clock: today's date in Europe/London."""
    from visitplanner.core.model import LONDON

    return datetime.now(LONDON).date()


def now_utc() -> datetime:
    """The CLI's reading of the clock for a record's time (an audit entry), in UTC without
    a zone (as the desk's database keeps it)."""
    from datetime import UTC

    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


#: A date option's form: four-digit year, two-digit month and day.
ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
DATE_FORM = "YYYY-MM-DD"


def date_mistake(text: str) -> str | None:
    """Why ``text`` is not a real date in the form YYYY-MM-DD, or None when it is one.

    >>> date_mistake("2026-02-30")
    '2026-02-30 is not a date: February 2026 has 28 days'
    >>> date_mistake("2026-02-28") is None
    True
    """
    match = ISO_DATE.fullmatch(text)
    if match is None:
        return f"{text!r} is not a date in the form {DATE_FORM} (e.g. 2026-11-23)"
    year, month, day = (int(part) for part in match.groups())
    if year < MINYEAR:
        return f"{text} is not a date: there is no year 0"
    if not 1 <= month <= 12:
        return f"{text} is not a date: there is no month {month} ({DATE_FORM})"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{text} is not a date: {calendar.month_name[month]} {year} has {days} days"
    return None


if TYPE_CHECKING:  # generic from click 8.4 on; setup.cfg allows click 8.1
    _DateType = click.ParamType[date]
else:
    _DateType = click.ParamType


class IsoDate(_DateType):
    """A date option: YYYY-MM-DD, a real calendar date; the error says what is wrong."""

    name = "date"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        mistake = date_mistake(str(value))
        if mistake is not None:
            self.fail(mistake, param, ctx)
        return date.fromisoformat(str(value))


DATE = IsoDate()


@click.command()
@click.option("--on", "on", type=DATE, metavar=DATE_FORM,
              help="Report as on this date (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--overdue", is_flag=True, help="Only children with something overdue.")
@click.pass_obj
def due(ctx: Context, on: date | None, as_json: bool, overdue: bool) -> None:
    """For each child: the next deadline of every rule, and what is overdue."""
    from visitplanner.core.due import due_report
    from visitplanner.inputs.workspace import load_workspace

    day = on or today_in_london()
    ws = load_workspace(ctx.workspace)
    workers = {w.id: w for w in ws.workers}
    report = due_report(ws.policy, ws.calendar, ws.children, workers, ws.visits, day,
                        ws.settings.workspace.records_from)
    shown = tuple(c for c in report if c.overdue) if overdue else report
    if as_json:
        click.echo(json.dumps({"on": day.isoformat(), "children": [_json(c) for c in shown]},
                              indent=2, sort_keys=True))
        return
    for child in shown:
        click.echo(_text(child))
    click.echo("\n" + footer(len(report), sum(1 for c in report if c.overdue), day, overdue))


def footer(children: int, overdue: int, day: date, only_overdue: bool) -> str:
    """The report's last line; with ``--overdue`` it still counts every child, so that
    "9 of 60" cannot be misread as "9 children in all"."""
    if only_overdue:
        verb = "has" if overdue == 1 else "have"
        return (f"{overdue} of {_children(children)} {verb} something overdue "
                f"on {day.isoformat()}.")
    return f"{_children(children)} on {day.isoformat()}; {overdue} with something overdue."


def _children(count: int) -> str:
    return f"{count} {'child' if count == 1 else 'children'}"


def _json(child: ChildDue) -> dict[str, Any]:
    return {
        "case_ref": child.case_ref, "household": child.household, "plan_type": child.plan_type,
        "notes": list(child.notes),
        "allocated_worker": child.allocated_worker,
        "next_visit_due": child.next_visit_due.isoformat() if child.next_visit_due else None,
        "items": [{
            "rule_id": i.deadline.rule_id, "action": i.deadline.action,
            "due": i.deadline.due.isoformat() if i.deadline.due else None,
            "status": i.status, "days_overdue": i.days_overdue, "what": i.deadline.what,
            "source": i.source} for i in child.items],
    }


def _text(child: ChildDue) -> str:
    worker = child.allocated_worker or "UNALLOCATED"
    lines = [f"{child.case_ref} ({child.plan_type}, household {child.household}, {worker})"]
    for item in child.items:
        when = item.deadline.due.isoformat() if item.deadline.due else "next visit"
        flag = f"OVERDUE {item.days_overdue}d" if item.status == "overdue" else item.status
        lines.append(f"  {when:<10}  {flag:<13} {item.deadline.rule_id}: {item.deadline.what}")
    lines += [f"  NOTE: {note}" for note in child.notes]
    return "\n".join(lines)

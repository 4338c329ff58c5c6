"""The compliance report of a loaded workspace: the step `visitplanner report` and the desk's
report page share (reads nothing itself; the workspace and the kept plan are passed in)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from visitplanner.core.model import Schedule
    from visitplanner.inputs.workspace import Workspace
    from visitplanner.report.measures import ComplianceReport
    from visitplanner.report.period import Period


def workspace_report(ws: Workspace, period: Period, schedule: Schedule | None) -> ComplianceReport:
    """The report over ``period``: from the recorded visits, or with the kept plan's."""
    from visitplanner.core.rules import facts_from_records
    from visitplanner.report.forecast import forecast_histories, recorded_since
    from visitplanner.report.measures import Caseload, compliance_report

    workers = {w.id: w for w in ws.workers}
    settings = ws.settings.workspace
    histories = facts_from_records(ws.visits, workers) if schedule is None else \
        forecast_histories(ws.visits, schedule, workers)
    caseload = Caseload(ws.policy, ws.calendar, ws.children, ws.workers, histories,
                        settings.records_from, settings.privacy)
    made = compliance_report(caseload, period, forecast=schedule is not None)
    notes = list(_notes(period, settings.records_from, made.unjudged))
    if schedule is not None and (since := recorded_since(ws.visits, schedule.start)):
        notes.append(f"{since} visit(s) recorded on or after the kept plan's first day "
                     f"({schedule.start.isoformat()}) are not in the forecast: run "
                     "`visitplanner plan` for a forecast from them")
    return replace(made, notes=tuple(notes))


def _notes(period: Period, records_from: date | None, unjudged: int) -> list[str]:
    if records_from is None or (period.first >= records_from and not unjudged):
        return []
    return [f"visits are recorded from {records_from.isoformat()}: {unjudged} deadline(s) "
            "of the period counted from before that day are not judged"]

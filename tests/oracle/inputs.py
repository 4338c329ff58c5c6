"""What the oracle judges a schedule against: the caseload, as plain values.

The oracle does not read the planner's request: a :class:`Caseload` carries the same
facts (policy, holiday region, closures, people, history, horizon, times) so that the
request is built from it and the judgement made from it independently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from visitplanner.core.model import Absence, Child, DutyShift, RecordedVisit, SchoolTerm, Worker
from visitplanner.core.policy import Policy
from visitplanner.core.timeslots import TimeSettings

#: The synthetic policy with the rule shapes the bundled policies lack.
SHAPES_POLICY = Path(__file__).resolve().parent / "policies" / "shapes.toml"


@dataclass(frozen=True, slots=True)
class Caseload:
    """One team's caseload on ``today``, planned for ``weeks`` whole weeks.

    ``closures`` are days the authority is shut (not working days); ``region`` names
    the bank holidays (ENG, WLS, SCT or NIR).  ``records_from``: the recorded history
    starts on this day; no deadline is counted from before it.  ``terms``: school terms
    (none: every working day is a school day).  ``duty``: the duty rota (who may visit on a
    day the office is shut, and how many visits).
    """

    policy: Policy
    region: str
    closures: frozenset[date]
    children: tuple[Child, ...]
    workers: tuple[Worker, ...]
    absences: tuple[Absence, ...]
    visits: tuple[RecordedVisit, ...]
    today: date
    weeks: int
    seed: int
    times: TimeSettings
    records_from: date | None = None
    label: str = ""
    terms: tuple[SchoolTerm, ...] = ()
    duty: tuple[DutyShift, ...] = ()

    @property
    def plan_end(self) -> date:
        """The last day of the plan (inclusive): ``weeks`` whole weeks from ``today``."""
        return self.today + timedelta(days=7 * self.weeks - 1)

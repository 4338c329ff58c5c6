"""The oracle's entry point: judge a schedule against a caseload.

A lapse is *open*, and must be in ``schedule.shortfalls``, when no recorded visit met it:
a planned visit meets it late, or nothing meets it by a deadline on or before the plan
end.  (A deadline missed and then met by a recorded visit is history, not the plan's
business.  One never met stays open even when its rule has stopped applying since: a
seen-awake check owed before the 3rd birthday and never made is still reported.)
Lapses and shortfalls are matched on (case_ref, rule_id, deadline):

- a *silent breach* is an open lapse the schedule does not report;
- a *false alarm* is a reported shortfall that matches no open lapse.

The verdict also lists planning faults and needless cover (:mod:`oracle.faults`).
"""

from __future__ import annotations

from dataclasses import dataclass

from oracle.calendar import Days
from oracle.facts import history, london_day
from oracle.faults import Fault, NeedlessCover, needless_cover, planning_faults, team_of
from oracle.inputs import Caseload
from oracle.intervals import midnight
from oracle.obligations import Lapse, Scope, lapses_for
from oracle.tasks import task_faults
from visitplanner.core.model import Child, Schedule, Shortfall


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the oracle found in one schedule."""

    lapses: tuple[Lapse, ...]
    open_lapses: tuple[Lapse, ...]
    faults: tuple[Fault, ...]
    needless_cover: tuple[NeedlessCover, ...]
    silent_breaches: tuple[Lapse, ...]
    false_alarms: tuple[Shortfall, ...]

    @property
    def clean(self) -> bool:
        return not (self.silent_breaches or self.false_alarms or self.faults
                    or self.needless_cover)


def judge(caseload: Caseload, schedule: Schedule) -> Verdict:
    """The oracle's verdict on ``schedule``, planned for ``caseload``."""
    days = Days(caseload.region, caseload.closures)
    lapses = tuple(all_lapses(caseload, schedule, days))
    open_lapses = tuple(la for la in lapses if la.is_open)
    reported = {(s.case_ref, s.rule_id, s.deadline) for s in schedule.shortfalls}
    owed = {la.key for la in open_lapses}
    team = team_of(caseload, days, schedule.visits)
    return Verdict(
        lapses=lapses, open_lapses=open_lapses,
        faults=(*planning_faults(team), *task_faults(caseload, schedule, days)),
        needless_cover=tuple(needless_cover(team)),
        silent_breaches=tuple(la for la in open_lapses if la.key not in reported),
        false_alarms=tuple(s for s in schedule.shortfalls
                           if (s.case_ref, s.rule_id, s.deadline) not in owed))


def all_lapses(caseload: Caseload, schedule: Schedule, days: Days) -> list[Lapse]:
    """Every lapse of every child and rule, one per (case_ref, rule_id, deadline)."""
    found: dict[tuple[object, ...], Lapse] = {}
    for child in caseload.children:
        scope = scope_of(caseload, schedule, days, child)
        for rule in caseload.policy.rules:
            for la in lapses_for(scope, rule):
                found.setdefault(la.key, la)
    return list(found.values())


def scope_of(caseload: Caseload, schedule: Schedule, days: Days, child: Child) -> Scope:
    """The child's facts and horizon; the plan anchor is 00:00 on plan start or records_from.

    Recorded visits before ``records_from`` are not part of the history (the record starts
    there, so no deadline is counted from before it).
    """
    first = max(child.plan_start, caseload.records_from or child.plan_start)
    recorded = tuple(v for v in caseload.visits
                     if caseload.records_from is None
                     or london_day(v.at) >= caseload.records_from)
    facts = history(child, recorded, schedule.visits, caseload.today, caseload.workers)
    return Scope(caseload.policy, days, child, facts, caseload.today, caseload.plan_end,
                 midnight(first))

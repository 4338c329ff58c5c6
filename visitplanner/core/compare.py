"""A new plan compared with the kept one: visits unchanged, changed, new and removed.

Pure.  Visits are matched by id (ids are stable across re-plans).  Only kept visits on
or after the new plan's first day take part: an earlier one left the plan because its
day passed (made, or recorded as not made), not because it was removed.

Overall, a visit in both plans is *unchanged* when it is equal in every field, else
*changed*; a visit only in the new plan is *new*, one only in the kept plan *removed*
(a dropped child's visits are removed).  Per worker, each worker's own diary is
compared the same way, so a visit given to another worker is *removed* for the first
and *new* for the second (and *changed* overall).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from visitplanner.core.model import PlannedVisit, Schedule

UNCHANGED = "unchanged"
CHANGED = "changed"
NEW = "new"
REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class VisitChanges:
    """How many visits are unchanged, changed, new and removed."""

    unchanged: int = 0
    changed: int = 0
    new: int = 0
    removed: int = 0

    def text(self) -> str:
        """``"40 unchanged, 2 changed, 3 new, 5 removed"``."""
        return (f"{self.unchanged} {UNCHANGED}, {self.changed} {CHANGED}, {self.new} {NEW}, "
                f"{self.removed} {REMOVED}")


@dataclass(frozen=True, slots=True)
class PlanComparison:
    """The counts for the whole plan and for each worker (by worker id, sorted)."""

    overall: VisitChanges
    by_worker: Mapping[str, VisitChanges]


def compare_plans(kept: Schedule, new: Schedule) -> PlanComparison:
    """``new`` compared with ``kept``, overall and per worker (see the module's rules)."""
    before = {v.id: v for v in kept.visits if v.day >= new.start}
    after = {v.id: v for v in new.visits}
    diaries_before, diaries_after = _diaries(before), _diaries(after)
    empty: dict[str, PlannedVisit] = {}
    by_worker = {worker: _changes(diaries_before.get(worker, empty),
                                  diaries_after.get(worker, empty))
                 for worker in sorted(diaries_before.keys() | diaries_after.keys())}
    return PlanComparison(_changes(before, after), MappingProxyType(by_worker))


def _diaries(visits: Mapping[str, PlannedVisit]) -> dict[str, dict[str, PlannedVisit]]:
    """Each worker's visits, by id: one pass over the plan (a pass per worker, in both
    plans, cost about 1.6 s of a same-day `plan` at 5,040 children)."""
    found: dict[str, dict[str, PlannedVisit]] = {}
    for vid, visit in visits.items():
        found.setdefault(visit.worker_id, {})[vid] = visit
    return found


def _changes(before: Mapping[str, PlannedVisit],
             after: Mapping[str, PlannedVisit]) -> VisitChanges:
    both = before.keys() & after.keys()
    unchanged = _count(before[vid] == after[vid] for vid in both)
    return VisitChanges(unchanged=unchanged, changed=len(both) - unchanged,
                        new=len(after.keys() - both), removed=len(before.keys() - both))


def _count(flags: Iterable[bool]) -> int:
    return sum(1 for flag in flags if flag)

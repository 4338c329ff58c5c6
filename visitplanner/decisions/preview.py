"""What a decision changes, per worker, in words and numbers.  Pure.

The preview compares the plan made with the decision against the kept plan (visits are
matched by id, which stays stable across re-plans; kept visits before the new plan's
first day are left out, as in :mod:`visitplanner.core.compare`).  For each worker it lists
the visits they **gain** (a new visit in their diary, or one given to them by a
colleague's absence or a handover), the visits they **lose**, the visits that **move**
to another day with them, and the visits that become **late**.  Shortfalls the decision
creates or removes and decisions the rules rejected are listed beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from visitplanner.core.model import PlannedVisit, Schedule, Shortfall
from visitplanner.core.planning.state import DECISION_REJECTED_FLAG
from visitplanner.decisions.overlay import Disagreement

LATE_FLAG = "late"


@dataclass(frozen=True, slots=True)
class VisitChange:
    """One visit before and after (None: not in that plan)."""

    visit_id: str
    case_refs: tuple[str, ...]
    before: PlannedVisit | None
    after: PlannedVisit | None

    @property
    def day(self) -> date:
        visit = self.after or self.before
        assert visit is not None  # a change has at least one side
        return visit.day


@dataclass(frozen=True, slots=True)
class WorkerPreview:
    """What one worker's diary gains, loses and sees moved or late."""

    worker_id: str
    gains: tuple[VisitChange, ...] = ()
    loses: tuple[VisitChange, ...] = ()
    moves: tuple[VisitChange, ...] = ()
    late: tuple[VisitChange, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.gains or self.loses or self.moves or self.late)

    def text(self) -> str:
        """``"w2: gains 3, loses 0, 1 moved, 0 late"``."""
        return (f"{self.worker_id}: gains {len(self.gains)}, loses {len(self.loses)}, "
                f"{len(self.moves)} moved, {len(self.late)} late")


@dataclass(frozen=True, slots=True)
class Preview:
    """A plan with the decision against the kept plan."""

    workers: tuple[WorkerPreview, ...]
    new_shortfalls: tuple[Shortfall, ...]
    resolved_shortfalls: tuple[Shortfall, ...]
    rejected: tuple[PlannedVisit, ...]
    disagreements: tuple[Disagreement, ...] = ()

    @property
    def changed_workers(self) -> tuple[WorkerPreview, ...]:
        return tuple(w for w in self.workers if w.changed)


def preview(kept: Schedule | None, new: Schedule,
            disagreements: Iterable[Disagreement] = ()) -> Preview:
    """``new`` against ``kept`` (None: nothing kept, every visit is gained)."""
    before = {v.id: v for v in (kept.visits if kept else ()) if v.day >= new.start}
    after = {v.id: v for v in new.visits}
    diaries: dict[str, dict[str, list[VisitChange]]] = {}
    for vid in sorted(before.keys() | after.keys()):
        for worker, heading, change in _entries(before.get(vid), after.get(vid)):
            diaries.setdefault(worker, {}).setdefault(heading, []).append(change)
    workers = tuple(_worker(worker, diaries[worker]) for worker in sorted(diaries))
    old = kept.shortfalls if kept else ()
    return Preview(
        workers=workers,
        new_shortfalls=_missing(new.shortfalls, old),
        resolved_shortfalls=_missing(old, new.shortfalls),
        rejected=tuple(v for v in new.visits if DECISION_REJECTED_FLAG in v.flags),
        disagreements=tuple(disagreements))


def _entries(before: PlannedVisit | None, after: PlannedVisit | None
             ) -> list[tuple[str, str, VisitChange]]:
    """(worker, heading, change) for each diary a visit's change shows in."""
    visit = after or before
    assert visit is not None
    change = VisitChange(visit.id, visit.case_refs, before, after)
    out: list[tuple[str, str, VisitChange]] = []
    if before is not None and (after is None or after.worker_id != before.worker_id):
        out.append((before.worker_id, "loses", change))
    if after is not None and (before is None or after.worker_id != before.worker_id):
        out.append((after.worker_id, "gains", change))
    if before is not None and after is not None and after.worker_id == before.worker_id \
            and after.day != before.day:
        out.append((after.worker_id, "moves", change))
    if after is not None and LATE_FLAG in after.flags and \
            (before is None or LATE_FLAG not in before.flags):
        out.append((after.worker_id, "late", change))
    return out


def _worker(worker_id: str, headings: Mapping[str, list[VisitChange]]) -> WorkerPreview:
    return WorkerPreview(worker_id, *(tuple(sorted(headings.get(h, ()), key=_order))
                                      for h in ("gains", "loses", "moves", "late")))


def _order(change: VisitChange) -> tuple[date, str]:
    return change.day, change.visit_id


def _missing(these: Iterable[Shortfall], of: Iterable[Shortfall]) -> tuple[Shortfall, ...]:
    """The shortfalls of ``these`` with no equal deadline (child, rule, date) in ``of``."""
    known = {(s.case_ref, s.rule_id, s.deadline) for s in of}
    return tuple(s for s in these if (s.case_ref, s.rule_id, s.deadline) not in known)


def preview_lines(result: Preview) -> list[str]:
    """The preview for people: each worker's figures and visits, then shortfalls and
    rejections (ids and case references only)."""
    lines = [] if result.changed_workers else ["no worker's diary changes"]
    for w in result.changed_workers:
        lines.append(w.text())
        lines += [f"  + {_line(c, c.after)}{_whose(' from', c.before)}" for c in w.gains]
        lines += [f"  - {_line(c, c.before)}{_whose(' to', c.after)}" for c in w.loses]
        lines += [f"  ~ {_line(c, c.after)} (was {_day(c.before)})" for c in w.moves]
        lines += [f"  ! late: {_line(c, c.after)}" for c in w.late]
    lines += [f"NEW SHORTFALL: {s.case_ref} {s.rule_id} due {s.deadline.isoformat()}: {s.reason}"
              for s in result.new_shortfalls]
    lines += [f"shortfall resolved: {s.case_ref} {s.rule_id} due {s.deadline.isoformat()}"
              for s in result.resolved_shortfalls]
    lines += [f"REJECTED: visit {v.id} ({', '.join(v.case_refs)}) could not be kept as decided "
              f"(its worker cannot visit that day, or the day is outside its window up to "
              f"{v.due_by.isoformat()}); planned {v.day.isoformat()} with {v.worker_id}"
              for v in result.rejected]
    lines += [f"note: {d.what}" for d in result.disagreements]
    return lines


def _whose(word: str, visit: PlannedVisit | None) -> str:
    """`` from sw.osei`` / `` to fsw.brennan``: the other side of a visit that changed hands
    (nothing for a visit new to or gone from the plan)."""
    return f"{word} {visit.worker_id}" if visit is not None else (
        " (new)" if word == " from" else " (no longer needed)")


def _line(change: VisitChange, visit: PlannedVisit | None) -> str:
    return f"{_day(visit)} {', '.join(change.case_refs)} ({change.visit_id})"


def _day(visit: PlannedVisit | None) -> str:
    return visit.start.strftime("%a %d %b") if visit is not None else "-"

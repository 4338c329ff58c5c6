"""Use cases: what a command does, between loading a workspace and printing a result.

The CLI calls these; they call the pure core.  ``today`` always comes from the
caller.  No click here (only the CLI imports it).
"""

from __future__ import annotations

import functools
import gc
import hashlib
import operator
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import fields
from datetime import date, datetime

from visitplanner.core.collector import collector_paused
from visitplanner.core.model import (
    BirthDateNeeded,
    ChildChecks,
    Escalation,
    PlannedVisit,
    Reason,
    RecordingTask,
    Schedule,
    Shortfall,
    TaskDue,
)
from visitplanner.core.partition import kept_parts, merge, split
from visitplanner.core.planning import PlanRequest, plan
from visitplanner.core.timeslots import TimeSettings, TimeWindow
from visitplanner.inputs.planstore import canonical_json
from visitplanner.inputs.workspace import Workspace


def time_settings(ws: Workspace) -> TimeSettings:
    """The workspace's planning times as the planner's value."""
    planning = ws.settings.planning
    return TimeSettings(
        day_start=planning.day_start, day_end=planning.day_end,
        visit_minutes=planning.visit_minutes, travel_minutes=planning.travel_minutes,
        windows=tuple(TimeWindow(w.name, w.start, w.end) for w in planning.time_windows))


def plan_request(ws: Workspace, today: date, weeks: int | None = None, seed: int | None = None,
                 previous: Schedule | None = None,
                 moves: Mapping[str, datetime] | None = None) -> PlanRequest:
    """The planner's input from a loaded workspace; settings supply what is not given."""
    planning = ws.settings.planning
    return PlanRequest(
        policy=ws.policy, calendar=ws.calendar, children=ws.children, workers=ws.workers,
        absences=ws.absences, visits=ws.visits, today=today,
        weeks=weeks if weeks is not None else planning.weeks,
        seed=seed if seed is not None else planning.seed,
        times=time_settings(ws), pin_working_days=planning.pin_working_days,
        previous=previous, moves=dict(moves or {}),
        records_from=ws.settings.workspace.records_from, duty=ws.duty,
        terms=ws.terms)


def make_plan(ws: Workspace, today: date, weeks: int | None = None, seed: int | None = None,
              previous: Schedule | None = None,
              moves: Mapping[str, datetime] | None = None, jobs: int = 1) -> Schedule:
    """Plan the workspace from ``today``; keep the previous plan's visits where they still fit.
    ``jobs``: processes to plan the teams on (the plan is the same whatever the number)."""
    return plan_in_parts(plan_request(ws, today, weeks, seed, previous, moves), jobs)


def plan_in_parts(request: PlanRequest, jobs: int = 1) -> Schedule:
    """The request planned team by team (:mod:`visitplanner.core.partition`), on ``jobs`` processes
    when there is more than one part.

    A part whose inputs are those the kept plan (``request.previous``) was made from -- the
    same children, workers, absences, recorded visits, moves, day and settings -- is kept as
    it is, not planned again: a visit recorded this morning re-plans its own team only.
    Otherwise the same schedule as one :func:`plan` of the request.

    Without the cyclic garbage collector throughout (see :mod:`visitplanner.core.collector`):
    paused around each part alone, it walked every part planned so far when it came back.
    """
    with collector_paused():
        parts = split(request)
        digests = part_digests(request, parts)
        kept = request.previous
        reused = set(kept.parts) & set(digests) if kept is not None else set()
        keep = [n for n, digest in enumerate(digests) if digest in reused]
        held = kept_parts(kept, parts, keep) if kept is not None else {}
        planned = iter(_plan_all([p for n, p in enumerate(parts) if n not in held], jobs))
        schedules = [held[n] if n in held else next(planned) for n in range(len(parts))]
        return merge(request, schedules, digests)


def part_digests(request: PlanRequest, parts: Sequence[PlanRequest]) -> list[str]:
    """A digest of each part's inputs (all but the kept plan itself): equal digests, equal
    plans.  The policy and calendar are common to all parts and read once."""
    common = _digest(request.policy, request.calendar)
    return [_digest(common, {name: getattr(part, name) for name in _PART_INPUTS})
            for part in parts]


#: What a part's plan is made from, besides the policy, the calendar and the kept plan.
_PART_INPUTS = tuple(f.name for f in fields(PlanRequest)
                     if f.name not in ("policy", "calendar", "previous"))


def _digest(*values: object) -> str:
    return hashlib.sha256(canonical_json(values)).hexdigest()


def _plan_all(parts: Sequence[PlanRequest], jobs: int) -> list[Schedule]:
    """Each part planned, in order, on ``jobs`` processes when there is more than one."""
    if jobs <= 1 or len(parts) <= 1:
        return [_planned(part) for part in parts]
    import multiprocessing  # only a pool needs these
    from concurrent.futures import ProcessPoolExecutor

    global _PARTS
    _PARTS = tuple(parts)
    # What this process holds is put out of the collector's sight (it makes no cycles): a
    # forked worker's collector would otherwise visit all of it, copying every page it shares.
    gc.freeze()
    try:
        # Forked workers find the parts in memory: sending each its policy and calendar again
        # cost more than planning it.  Batches, as one part is a few milliseconds.
        with ProcessPoolExecutor(max_workers=min(jobs, len(parts)),
                                 mp_context=multiprocessing.get_context(_START),
                                 initializer=_send_by_fields) as pool:
            batch = max(1, min(len(parts) // (4 * jobs), _MOST_PARTS_A_BATCH))
            return list(pool.map(_planned_part, range(len(parts)), chunksize=batch)
                        if _START == "fork" else pool.map(_planned, parts, chunksize=batch))
    finally:
        gc.unfreeze()
        _PARTS = ()
        _SHARED.clear()


#: The most parts a pool worker plans before sending their schedules back: each batch's
#: schedules arrive as one pickle, held whole beside the visits made from it.
_MOST_PARTS_A_BATCH = 16
#: The parts a pool is planning (read by forked workers, see ``plan_in_parts``).
_PARTS: tuple[PlanRequest, ...] = ()
#: Fork where the system has it (workers share the parts); else each is sent its part.
_START = "fork" if sys.platform.startswith("linux") else "spawn"


#: The values a part's schedule is made of.  A worker sends them back as their fields, and
#: this process builds them again with their constructors: pickle's own way with a slotted
#: dataclass (a generic ``__getstate__``/``__setstate__`` that lists the fields every time)
#: cost several times more, for tens of thousands of visits.
_SENT_BY_FIELDS = (Schedule, PlannedVisit, ChildChecks, Reason, Shortfall, RecordingTask,
                   Escalation, BirthDateNeeded, TaskDue)


def _send_by_fields() -> None:
    """Have the pool's pickler send :data:`_SENT_BY_FIELDS` by their fields (in a worker)."""
    from multiprocessing.reduction import ForkingPickler

    for cls in _SENT_BY_FIELDS:
        ForkingPickler.register(cls, _by_fields)


def _by_fields(value: object) -> tuple[Callable[..., object], tuple[object, ...]]:
    """How pickle makes ``value`` again: its class called with its fields, in order (by
    :func:`_rebuilt`, which shares equal field values)."""
    cls = type(value)
    return _rebuilt, (cls, *_field_values(cls)(value))  # type: ignore[arg-type]


#: Field values equal across many visits (days, quarter-hour starts, flags, checks), each
#: kept once in this process while a pool's schedules arrive: an authority's visits share
#: a few thousand of them, where each visit had its own copies (a third of its memory).
_SHARED: dict[object, object] = {}
_SHAREABLE = (date, datetime, tuple)


def _rebuilt(cls: type, *values: object) -> object:
    """``cls(*values)``, each day, time and tuple of texts among ``values`` the one already
    kept in :data:`_SHARED` when an equal one is (a time also by its zone, whose equal
    instants in two zones are different values to show)."""
    return cls(*(_shared(v) if type(v) in _SHAREABLE else v for v in values))


def _shared(value: object) -> object:
    if type(value) is tuple and not all(type(item) is str for item in value):
        return value
    key = (value, value.tzinfo) if type(value) is datetime else value
    return _SHARED.setdefault(key, value)


@functools.cache
def _field_values(cls: type) -> Callable[[object], tuple[object, ...]]:
    """A getter of the dataclass's fields' values in order (each one a constructor argument)."""
    found = fields(cls)
    assert len(found) > 1 and all(f.init for f in found), cls.__name__
    return operator.attrgetter(*(f.name for f in found))


def _planned_part(index: int) -> Schedule:
    return _planned(_PARTS[index])


def _planned(part: PlanRequest) -> Schedule:
    """``plan(part)`` without the cyclic garbage collector (see
    :mod:`visitplanner.core.collector`)."""
    with collector_paused():
        return plan(part)


def moves_from_edits(edits: Iterable[object]) -> dict[str, datetime]:
    """Visit id -> new start, from worker edits of kind "moved" found by the CalDAV sync."""
    moves: dict[str, datetime] = {}
    for edit in edits:
        if getattr(edit, "kind", None) != "moved" or not getattr(edit, "start", ""):
            continue
        uid = str(getattr(edit, "uid", ""))
        if uid.endswith("@visitplanner") and uid.startswith("v-"):
            moves[uid.removesuffix("@visitplanner")] = datetime.fromisoformat(
                str(edit.start))  # type: ignore[attr-defined]
    return moves

"""Guards: refusals that keep a slip (a year typo, a failed export) from emptying calendars.

Tried as a new user would, ``plan --from 2025-11-23`` and a header-only ``children.csv``
each gave a plan with no visits, and the next ``publish`` cancelled every item.  Each
guard here is a pure function of values (never the clock, never a file) that returns
the :class:`~visitplanner.errors.Problem` s it finds, an empty list when the run may go
ahead; the CLI raises them before anything is written, and says which option overrides
them (``plan --force``, ``publish/sync --allow-cancellations``).  An empty or much
smaller export is refused by ``publish`` and ``sync`` too, with no override.

The limits are named values below.  Days are calendar days; "future" means on or after
the plan's first day (``Schedule.start``), the day from which publishing withdraws
visits rather than leaving them as past.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from visitplanner.errors import Problem

if TYPE_CHECKING:
    from visitplanner.core.model import Schedule

#: ``plan --from`` may be at most this many calendar days before or after today.
MAX_START_DAYS_FROM_TODAY = 7
#: A workspace holding fewer children than this share of the kept plan's children ...
MIN_SHARE_OF_KEPT_CHILDREN = 0.5
#: ... is refused when the kept plan had visits to at least this many children.
KEPT_CHILDREN_TO_COMPARE = 10
#: A publish or sync may always cancel this many of one calendar's future visits ...
CANCELLATIONS_ALWAYS_ALLOWED = 5
#: ... and more only while they are at most this share of that calendar's future visits.
CANCELLATION_SHARE_ALLOWED = 0.20
#: Visits named (id and day) per calendar when a run is refused; the rest are counted.
VISITS_SHOWN = 3

CHILDREN_FILE = "children.csv"
FORCE_OPTION = "--force"
ALLOW_CANCELLATIONS_OPTION = "--allow-cancellations"
#: A visit's calendar UID is ``<visit id>@visitplanner`` and a visit id starts ``v-``
#: (record-by to-dos, shortfalls and escalations have other UIDs and are not counted).
VISIT_ID_PREFIX = "v-"
UID_SUFFIX = "@visitplanner"


# --------------------------------------------------------------------------- plan


def start_problems(start: date | None, today: date) -> list[Problem]:
    """``--from`` more than :data:`MAX_START_DAYS_FROM_TODAY` calendar days from ``today``
    (either way) is most likely a typo.  ``start`` None (no ``--from``) is always fine.

    >>> start_problems(date(2025, 11, 23), date(2026, 11, 23))[0].what
    '2025-11-23 is 365 days before today (2026-11-23)'
    >>> start_problems(date(2026, 11, 30), date(2026, 11, 23))
    []
    """
    if start is None or abs((start - today).days) <= MAX_START_DAYS_FROM_TODAY:
        return []
    days = abs((start - today).days)
    side = "before" if start < today else "after"
    return [Problem(
        "--from", f"{start.isoformat()} is {days} days {side} today ({today.isoformat()})",
        f"a plan more than {MAX_START_DAYS_FROM_TODAY} days from today is refused as a likely "
        f"typo: correct the date or leave --from out (today); if {start.isoformat()} is "
        f"meant, add {FORCE_OPTION}")]


def no_children_problems(children: int) -> list[Problem]:
    """A workspace without a single child is an export that failed, not a caseload."""
    if children:
        return []
    return [Problem(
        CHILDREN_FILE, "holds no children (only its heading row, or nothing)",
        f"export {CHILDREN_FILE} again from the case system, then run `visitplanner plan`")]


def shrunk_export_problems(children: int, kept_children: int) -> list[Problem]:
    """Far fewer children than the kept plan had (fewer than
    :data:`MIN_SHARE_OF_KEPT_CHILDREN` of them, once it had at least
    :data:`KEPT_CHILDREN_TO_COMPARE`) is most likely an incomplete export.

    >>> len(shrunk_export_problems(29, 60)), len(shrunk_export_problems(30, 60))
    (1, 0)
    """
    if not export_shrank(children, kept_children):
        return []
    return [Problem(
        CHILDREN_FILE, f"holds {children} children; the kept plan has visits to {kept_children}",
        f"check that the export is complete and export it again; if the caseload really "
        f"shrank, add {FORCE_OPTION} to plan these {children} children")]


def export_shrank(children: int, kept_children: int) -> bool:
    """True when ``children`` is fewer than :data:`MIN_SHARE_OF_KEPT_CHILDREN` of the kept
    plan's ``kept_children``, once that is at least :data:`KEPT_CHILDREN_TO_COMPARE`."""
    return (kept_children >= KEPT_CHILDREN_TO_COMPARE
            and children < kept_children * MIN_SHARE_OF_KEPT_CHILDREN)


def empty_plan_problems(schedule: Schedule, children: int) -> list[Problem]:
    """A plan of no visits for a workspace with children is a mistake, never a success.
    Not overridden by ``--force``: when a short plan really holds no visit, plan more weeks."""
    if schedule.visits or not children:
        return []
    return [Problem(
        f"plan {schedule.start.isoformat()} to {schedule.end.isoformat()}",
        f"no visits planned for {children} children",
        f"check --from and the dates in {CHILDREN_FILE} and visits.csv, or plan more weeks "
        f"(--weeks); the plan was not kept")]


def kept_children(schedule: Schedule | None) -> int:
    """How many children the kept plan has visits to (0 without a kept plan)."""
    if schedule is None:
        return 0
    return len({ref for visit in schedule.visits for ref in visit.case_refs})


# --------------------------------------------------------------------------- publish, sync


def publish_export_problems(children: int, kept_children: int, command: str) -> list[Problem]:
    """The export ``publish`` or ``sync`` (``command``) refuses: no children at all, or far
    fewer than the kept plan has visits to (:func:`export_shrank`).  Each visit of a child
    missing from the export would be published again without the child's details.  No
    option overrides it: the fix is a complete export, or a plan of the smaller caseload
    (``plan --force``), whose visits then name only the children the export holds.

    >>> [p.what for p in publish_export_problems(0, 60, "publish")]
    ['holds no children (only its heading row, or nothing)']
    >>> publish_export_problems(30, 60, "sync")
    []
    """
    left = "the kept plan and the calendars were left as they are"
    if not children:
        return [Problem(
            CHILDREN_FILE, "holds no children (only its heading row, or nothing)",
            f"export {CHILDREN_FILE} again from the case system, then run "
            f"`visitplanner {command}` again; {left}")]
    if not export_shrank(children, kept_children):
        return []
    return [Problem(
        CHILDREN_FILE, f"holds {children} children; the kept plan has visits to {kept_children}",
        f"check that the export is complete and export it again; if the caseload really shrank, "
        f"run `visitplanner plan {FORCE_OPTION}` first, then `visitplanner {command}`; {left}")]


class PublishedVisit(Protocol):
    """What the cancellation guard reads of a published item
    (:class:`visitplanner.publish.state.PublishedItem`)."""

    @property
    def calendars(self) -> tuple[str, ...]: ...

    @property
    def start(self) -> date | None: ...

    @property
    def cancelled_since(self) -> date | None: ...

    @property
    def past_since(self) -> date | None: ...


@dataclass(frozen=True, slots=True)
class FutureVisit:
    """A future visit on a calendar: its id and day (Europe/London)."""

    visit_id: str
    day: date


@dataclass(frozen=True, slots=True)
class CalendarLoss:
    """One calendar's future visits before the run (``future``) and those it would take."""

    calendar: str
    future: int
    going: tuple[FutureVisit, ...]

    @property
    def over_limit(self) -> bool:
        """More than :data:`CANCELLATIONS_ALWAYS_ALLOWED` visits *and* more than
        :data:`CANCELLATION_SHARE_ALLOWED` of the calendar's future visits."""
        going = len(self.going)
        return (going > CANCELLATIONS_ALWAYS_ALLOWED
                and going > CANCELLATION_SHARE_ALLOWED * self.future)


def calendar_losses(before: Mapping[str, PublishedVisit], after: Mapping[str, PublishedVisit],
                    plan_start: date) -> tuple[CalendarLoss, ...]:
    """Per calendar, the future visits published live in ``before`` that ``after`` (the
    state the run would keep) no longer holds live: published as CANCELLED, or dropped.

    Both map UIDs to published items.  Counted are visits only, live in ``before`` and
    on or after ``plan_start`` (inclusive); a visit given to another worker is still
    live, so it is not lost.  Calendars in the order of their ids.
    """
    held: dict[str, list[FutureVisit]] = {}
    for uid, item in before.items():
        day = _live_future_day(uid, item, plan_start)
        if day is None:
            continue
        for calendar in item.calendars:
            held.setdefault(calendar, []).append(FutureVisit(uid.removesuffix(UID_SUFFIX), day))
    return tuple(CalendarLoss(calendar, len(visits), _going(visits, after))
                 for calendar, visits in sorted(held.items()))


def losses_over_limit(losses: Iterable[CalendarLoss]) -> tuple[CalendarLoss, ...]:
    return tuple(loss for loss in losses if loss.over_limit)


def cancellation_problems(losses: Iterable[CalendarLoss], schedule: Schedule,
                          command: str) -> list[Problem]:
    """Each calendar over the limit (how many, which visits and days: never names), then
    the kept plan the cancellations come from and how to go ahead; [] when none is over."""
    over = losses_over_limit(losses)
    if not over:
        return []
    plan = (f"the kept plan ({schedule.start.isoformat()} to {schedule.end.isoformat()}, "
            f"{len(schedule.visits)} visits) no longer holds them")
    fix = (f"if the plan is wrong (a --from typo, an incomplete {CHILDREN_FILE}), correct it "
           f"and run `visitplanner plan` again; if these visits really go, run "
           f"`visitplanner {command} {ALLOW_CANCELLATIONS_OPTION}`")
    return [*(_loss_problem(loss) for loss in over), Problem(".visitplanner/plan.json", plan, fix)]


def cancellation_refusal(losses: Iterable[CalendarLoss], command: str) -> str:
    """The refusal's headline: how many visits, and the limit they break."""
    over = losses_over_limit(losses)
    visits = len({going.visit_id for loss in over for going in loss.going})
    return (f"{command} refused: it would cancel {visits} future visits, more than "
            f"{CANCELLATIONS_ALWAYS_ALLOWED} and more than {CANCELLATION_SHARE_ALLOWED:.0%} of "
            f"the future visits in {len(over)} calendar(s); nothing was written")


def _live_future_day(uid: str, item: PublishedVisit, plan_start: date) -> date | None:
    """The visit's day when ``item`` is a live visit on or after ``plan_start``, else None."""
    if not (uid.startswith(VISIT_ID_PREFIX) and uid.endswith(UID_SUFFIX)):
        return None
    if item.cancelled_since is not None or item.past_since is not None:
        return None
    day = item.start.date() if isinstance(item.start, datetime) else item.start
    return day if day is not None and day >= plan_start else None


def _going(visits: Iterable[FutureVisit],
           after: Mapping[str, PublishedVisit]) -> tuple[FutureVisit, ...]:
    """The visits ``after`` holds no longer, or only as CANCELLED; by day, then id."""
    going = [v for v in visits if _withdrawn(after.get(v.visit_id + UID_SUFFIX))]
    return tuple(sorted(going, key=lambda v: (v.day, v.visit_id)))


def _withdrawn(item: PublishedVisit | None) -> bool:
    return item is None or item.cancelled_since is not None


def _loss_problem(loss: CalendarLoss) -> Problem:
    shown = ", ".join(f"{g.visit_id} ({g.day.isoformat()})" for g in loss.going[:VISITS_SHOWN])
    rest = len(loss.going) - VISITS_SHOWN
    more = f" and {rest} more" if rest > 0 else ""
    return Problem(f"calendar {loss.calendar}",
                   f"{len(loss.going)} of its {loss.future} future visits would be cancelled: "
                   f"{shown}{more}")

"""Why a deadline will be missed, in words a team manager can act on.

Pure: the calendar, staff and dates come in; a sentence comes out.  Causes:
already overdue on the first day, no working day in the window (bank holidays,
closures, weekends), the allocated worker's absence, no capacity on the working
days there were, no worker of a fitting role; with any run of closed days named, and the
days the duty rota could have visited on but had no one free (:func:`rota_gaps`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from visitplanner.core.cover import (
    Bookings,
    Staff,
    absent_in,
    can_visit_on_duty,
    on_duty,
    role_fits,
)
from visitplanner.core.model import Role, Shortfall, Worker

#: A deadline already past on the plan's first day that is met within this many calendar days
#: of the first working day is reported simply as "already overdue" (no other cause is sought).
OVERDUE_GRACE = timedelta(days=7)


def missed_because(today: date, staff: Staff, allocated: Worker | None, team: str,
                   roles: frozenset[Role], earliest: date, due: date,
                   placed: date | None) -> str:
    """Why a visit due by ``due`` (inclusive) cannot happen from ``earliest`` to ``due``.

    A deadline already past on ``today`` that is met in the plan's first week is
    simply "already overdue"; otherwise every cause found is given.
    """
    overdue = f"already overdue on {today.isoformat()}"
    if due < today and placed is not None and \
            placed <= staff.calendar.earliest_working_day_on_or_after(today) + OVERDUE_GRACE:
        return overdue
    window = [d for d in days_between(earliest, due) if staff.calendar.is_working_day(d)]
    parts = [overdue] if due < today else []
    if earliest > due:
        parts.append(f"the household's previous visit is on or after the deadline "
                     f"({due.isoformat()}): no later visit can meet it")
        return "; ".join(parts)
    if not window:
        parts.append(f"no working day between {earliest.isoformat()} and {due.isoformat()} "
                     f"(bank holidays, closures, weekends)")
        return "; ".join(parts)
    if allocated is None:
        parts.append("no allocated worker whose role fits")
    elif absent_in(staff, allocated.id, earliest, due):
        parts.append(f"allocated worker {allocated.id} absent")
    working = [w for w in staff.colleagues(team, roles)
               if any(staff.works_on(w.id, d) for d in window)]
    days = ", ".join(f"{d:%a %d %b}" for d in window) if len(window) <= 3 else \
        f"{len(window)} working days"
    parts.append(f"no capacity in the team on the {days} before the deadline" if working
                 else "no worker of a fitting role working")
    reopens = staff.calendar.earliest_working_day_on_or_after(due + timedelta(days=1))
    parts += [f"closed {a:%a %d %b} to {b:%a %d %b}" for a, b in
              closed_runs(staff, earliest, reopens)]
    return "; ".join(parts)


def closed_runs(staff: Staff, first: date, last: date) -> list[tuple[date, date]]:
    """Runs of 3 or more non-working days in ``first``..``last`` (inclusive) that are more
    than a weekend: bank holidays and closures a manager may need to cover."""
    runs: list[tuple[date, date]] = []
    start: date | None = None
    for day in days_between(first, last + timedelta(days=1)):
        closed = day <= last and not staff.calendar.is_working_day(day)
        if closed and start is None:
            start = day
        elif not closed and start is not None:
            if (day - start).days >= 3:
                runs.append((start, day - timedelta(days=1)))
            start = None
    return runs


def rota_gaps(staff: Staff, bookings: Bookings, duty_day: Callable[[date], bool],
              roles: frozenset[Role], after_school: bool, first: date, last: date) -> str:
    """The days in ``first``..``last`` (inclusive, calendar days) the policy lets the duty
    rota visit on (``duty_day``) with no one of a fitting role on the rota free that day, as
    a clause ("no one on the duty rota on Mon 28 Dec to Thu 31 Dec"); "" when there are none.
    A duty visit on any of them would have met the deadline."""
    def free(day: date) -> bool:
        return any(role_fits(staff.workers[w], roles) and
                   can_visit_on_duty(staff, bookings, w, day, after_school)
                   for w in on_duty(staff, day))

    gaps = [d for d in days_between(first, last) if duty_day(d) and not free(d)]
    if not gaps:
        return ""
    return f"no one on the duty rota on {day_runs(gaps)}"


def day_runs(days: Sequence[date]) -> str:
    """Sorted ``days`` as runs of consecutive calendar days: "Fri 25 Dec, Mon 28 Dec to Thu
    31 Dec"."""
    runs: list[list[date]] = []
    for day in days:
        if runs and day - runs[-1][-1] == timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(f"{r[0]:%a %d %b}" if len(r) == 1 else f"{r[0]:%a %d %b} to {r[-1]:%a %d %b}"
                     for r in runs)


def days_between(first: date, last: date) -> list[date]:
    """Every calendar day from ``first`` to ``last``, both inclusive."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def one_per_deadline(shortfalls: Sequence[Shortfall]) -> tuple[Shortfall, ...]:
    """Each missed deadline once (placement and the dated-check pass may both find one),
    ordered by deadline, child and rule."""
    seen: dict[tuple[str, str, date], Shortfall] = {}
    for shortfall in shortfalls:
        seen.setdefault((shortfall.case_ref, shortfall.rule_id, shortfall.deadline), shortfall)
    return tuple(sorted(seen.values(), key=lambda s: (s.deadline, s.case_ref, s.rule_id)))

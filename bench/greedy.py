"""A bare earliest-deadline-first greedy: the floor against which the planner's cost is read.

Given the visits the planner chose (their households, deadlines and workers), it places each
on its worker's latest working day with room on or before the deadline, earliest deadline
first -- no rules, checks, cover, times or re-plan.  What the planner costs beyond this is
the price of its features.
"""

from __future__ import annotations

import heapq
from datetime import date, timedelta

from visitplanner.core.model import Schedule
from visitplanner.core.planning import PlanRequest


def greedy(request: PlanRequest, schedule: Schedule) -> int:
    """Place the schedule's visits again, bare; returns how many found a day by their deadline."""
    capacity = {w.id: w.visits_per_day for w in request.workers}
    weekdays = {w.id: w.working_days for w in request.workers}
    booked: dict[tuple[str, date], int] = {}
    queue = [(v.due_by, v.household, v.worker_id) for v in schedule.visits]
    heapq.heapify(queue)
    in_time = 0
    while queue:
        due, _, worker = heapq.heappop(queue)
        day = min(due, request.end)
        while day >= request.today:
            if day.weekday() in weekdays[worker] and \
                    request.calendar.is_working_day(day) and \
                    booked.get((worker, day), 0) < capacity[worker]:
                booked[(worker, day)] = booked.get((worker, day), 0) + 1
                in_time += 1
                break
            day -= timedelta(days=1)
    return in_time

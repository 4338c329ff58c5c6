"""Notice to families (``[policy] notice``): an announced visit is never moved closer to its
time than the notice, and a new one that has to start sooner says so.

The plan is made on ``today`` at a time the core does not know, so the notice is counted
from the end of ``today`` (00:00 the next day, Europe/London): a visit starting before that
instant plus the notice could not be announced in time, whenever today the plan was made.
The notice counts real hours (UTC arithmetic), so a clock change moves the wall time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from visitplanner.core.model import LONDON, SHORT_NOTICE_FLAG, PlannedVisit
from visitplanner.core.planning.state import PlanRequest


def notice_ends(request: PlanRequest) -> datetime | None:
    """The first instant a visit may start with the family given the policy's notice, counted
    from the end of ``today``; None when the policy sets no notice."""
    notice = request.policy.notice
    if notice is None:
        return None
    tomorrow = datetime.combine(request.today + timedelta(days=1), datetime.min.time(),
                                tzinfo=LONDON)
    return (tomorrow.astimezone(UTC) + timedelta(hours=notice.count)).astimezone(LONDON)


def within_notice(request: PlanRequest, start: datetime) -> bool:
    """True when a visit starting at ``start`` is sooner than the policy's notice."""
    ends = notice_ends(request)
    return ends is not None and start < ends


def flag_short_notice(request: PlanRequest, visits: Sequence[PlannedVisit]
                      ) -> list[PlannedVisit]:
    """``visits`` with each announced one that starts within the notice and is new or moved
    (not at the start the previous plan gave it, which the family has been told) flagged
    :data:`SHORT_NOTICE_FLAG`; the flag is decided afresh by every plan."""
    told = {v.id: v.start for v in request.previous.visits} if request.previous else {}
    return [_flagged(v, v.announced and within_notice(request, v.start)
                     and told.get(v.id) != v.start) for v in visits]


def _flagged(visit: PlannedVisit, short: bool) -> PlannedVisit:
    flags = tuple(sorted({*(f for f in visit.flags if f != SHORT_NOTICE_FLAG),
                          *((SHORT_NOTICE_FLAG,) if short else ())}))
    return visit if flags == visit.flags else replace(visit, flags=flags)

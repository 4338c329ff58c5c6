"""The rows behind every figure of a compliance report: deadlines, failed visits, escalations.

Each row names the child by case reference only; a renderer adds initials where the
workspace's privacy level allows (:func:`child_label`).  Dates are calendar dates and every
deadline is inclusive: a visit on the deadline day is in time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from visitplanner.core.model import Child


class Status(StrEnum):
    """How a deadline that fell in the period was met, as known on the period's last day."""

    IN_TIME = "in_time"
    LATE = "late"
    NOT_MET = "not_met"


class Topic(StrEnum):
    """What a deadline is about: the report's headline measures.

    ``VISITS``: cadences, first visits and quotas of visits that need not be unannounced.
    ``UNANNOUNCED``: quotas of unannounced visits (at least one in each window).
    ``REVISITS``: a failed visit re-done in time.  ``SEEN_ALONE``, ``SEEN_AWAKE``,
    ``BEDROOM``: the check rules of those checks.  ``OTHER_CHECKS``: every other check.
    """

    VISITS = "visits"
    UNANNOUNCED = "unannounced"
    REVISITS = "revisits"
    SEEN_ALONE = "seen_alone"
    SEEN_AWAKE = "seen_awake"
    BEDROOM = "bedroom"
    OTHER_CHECKS = "other_checks"


#: Each topic's heading, as the report prints it.
TOPIC_TITLES: Mapping[Topic, str] = {
    Topic.VISITS: "Visits in timescale",
    Topic.UNANNOUNCED: "Unannounced visit in each window",
    Topic.REVISITS: "Failed visits re-done in time",
    Topic.SEEN_ALONE: "Seen alone where required",
    Topic.SEEN_AWAKE: "Seen awake (under 3)",
    Topic.BEDROOM: "Bedroom seen at the cadence",
    Topic.OTHER_CHECKS: "Other checks at visits",
}

#: Privacy levels (``[workspace] privacy``) at which a child's initials join the case reference.
INITIALS_LEVELS = frozenset({"standard", "full"})

#: The group name of children with no allocated worker.
UNALLOCATED = "unallocated"


@dataclass(frozen=True, slots=True)
class Owner:
    """Whom a child's figures count toward: plan type, team and allocated worker.

    ``team`` is the allocated worker's team; a child with no allocated worker counts toward
    the first team by name (its team manager sees that the case is visited) and toward the
    worker group ``unallocated``.
    """

    plan_type: str
    team: str
    worker: str


@dataclass(frozen=True, slots=True)
class DeadlineItem:
    """One deadline of one rule for one child that fell in the period, and how it was met.

    ``due`` is the inclusive last day; ``anchor`` the day it counts from (the last visit
    that counted, the plan's start, the failed visit, the previous conference) or, for a
    check owed at every k-th visit, None.  ``met_on`` is the day of the visit that met it
    (None: not met by the period's last day).  ``days_late`` counts calendar days: the
    visit's day minus ``due`` when late, the period's last day minus ``due`` when not met,
    0 when in time.
    """

    case_ref: str
    rule_id: str
    kind: str
    topic: Topic
    owner: Owner
    due: date
    anchor: date | None
    met_on: date | None
    status: Status
    days_late: int
    what: str


@dataclass(frozen=True, slots=True)
class MissedVisit:
    """A visit in the period that failed (no access, cancelled) or where the child was not seen.

    It meets no deadline.  ``seen_next`` is the day of the child's next visit where the child
    was seen (None: not by the period's last day).  ``revisit_due`` is the earliest re-visit
    deadline a revisit rule set from it (None: no revisit rule covers this outcome), and
    ``revisit_status`` how that deadline was met.
    """

    case_ref: str
    day: date
    outcome: str
    visitor: str
    owner: Owner
    seen_next: date | None
    revisit_due: date | None
    revisit_status: Status | None


@dataclass(frozen=True, slots=True)
class RaisedEscalation:
    """An escalation rule's trigger that fired in the period: who had to be told, by when.

    ``fired`` is the day it fired, ``due`` the inclusive last day to tell ``notify``.
    ``cleared_on`` is the day of the next visit the rule counts (the trigger stopped
    holding; None: still holding on the period's last day).  The workspace does not record
    the telling itself: the report lists each escalation for the manager to confirm.
    """

    case_ref: str
    rule_id: str
    owner: Owner
    fired: date
    due: date
    notify: tuple[str, ...]
    cleared_on: date | None
    what: str


def child_label(child: Child, privacy: str) -> str:
    """How a report names a child: the case reference, plus initials above ``minimal``.

    Never the name, at any level: a report is printed and sent to leadership and inspectors.
    """
    if privacy in INITIALS_LEVELS and child.initials:
        return f"{child.case_ref} {child.initials}"
    return child.case_ref

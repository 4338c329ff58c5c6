"""Synthetic schedules and contexts for the ICS tests (synthetic people only)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import MappingProxyType

from visitplanner.core.model import (
    LONDON,
    Child,
    ChildChecks,
    PlannedVisit,
    PlanType,
    Reason,
    RecordingTask,
    Role,
    Schedule,
    Shortfall,
    VisitKind,
    Worker,
)
from visitplanner.publish.ics import PublishContext

#: Names that must never appear in a minimal calendar.
CHILD_NAMES = ("Zebedee Quorn", "Yolanda Quorn", "Xavier Pell")
ADDRESS = "14 Nowhere Row, Testville"


def child(
    case_ref: str,
    name: str,
    born: date,
    plan: PlanType,
    *,
    household: str = "HH-014",
    plan_start: date = date(2026, 1, 5),
    worker: str = "w-ana",
    address: str = ADDRESS,
) -> Child:
    """A synthetic child; by default one of Ana's siblings at ADDRESS, household HH-014."""
    return Child(
        case_ref, household, name, born, plan, plan_start, allocated_worker=worker, address=address
    )


CHILDREN = (
    child("C-0031", "Zebedee Quorn", date(2015, 5, 1), PlanType.CP),
    child("C-0032", "Yolanda Quorn", date(2018, 9, 12), PlanType.CP),
    child(
        "C-0040",
        "Xavier Pell",
        date(2012, 2, 2),
        PlanType.CIN,
        household="HH-020",
        plan_start=date(2026, 2, 1),
        worker="w-ben",
        address="",
    ),
)
WORKERS = (
    Worker("w-ana", "Ana Testworker", "ana@example.org", "west", Role.SOCIAL_WORKER),
    Worker("w-ben", "Ben Testworker", "ben@example.org", "west", Role.SOCIAL_WORKER),
    Worker("w-mgr", "Mo Testmanager", "mo@example.org", "west", Role.TEAM_MANAGER),
)
HEADINGS = ("purpose", "present", "discussion with parent/carer", "analysis", "actions")


def context(
    privacy: str = "minimal", keep_days: int = 28, workers: tuple[Worker, ...] = WORKERS
) -> PublishContext:
    return PublishContext(
        children=MappingProxyType({c.case_ref: c for c in CHILDREN}),
        workers=MappingProxyType({w.id: w for w in workers}),
        team_names=MappingProxyType({"west": "Family Help West"}),
        privacy=privacy,
        alarms_minutes=(1440, 60),
        cancelled_keep_days=keep_days,
        recording_headings={plan.value: HEADINGS for plan in PlanType},
    )


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def visit(
    visit_id: str,
    day: date,
    *,
    hour: int = 10,
    worker: str = "w-ana",
    household: str = "HH-014",
    case_refs: tuple[str, ...] = ("C-0031", "C-0032"),
    kind: VisitKind = VisitKind.ROUTINE,
    announced: bool = True,
    allocated: str | None = None,
    team: str = "west",
) -> PlannedVisit:
    return PlannedVisit(
        id=visit_id,
        household=household,
        case_refs=case_refs,
        start=at(day, hour),
        end=at(day, hour) + timedelta(hours=1),
        worker_id=worker,
        team=team,
        kind=kind,
        announced=announced,
        checks=tuple(ChildChecks(ref, ("seen_alone", "bedroom")) for ref in case_refs),
        due_by=day + timedelta(days=3),
        reasons=tuple(
            Reason("cp_10_working_days", ref, day + timedelta(days=3), "Policy 4.2")
            for ref in case_refs
        ),
        allocated_worker_id=allocated,
    )


def schedule(today: date, visits: tuple[PlannedVisit, ...], **extra: object) -> Schedule:
    return Schedule(
        today=today, start=today, end=today + timedelta(weeks=6), seed=1, visits=visits, **extra
    )  # type: ignore[arg-type]


def sample_schedule(today: date = date(2026, 3, 23)) -> Schedule:
    """A week: ordinary, unannounced, first and cover visits, a recording task, a shortfall."""
    visits = (
        visit("v-1", date(2026, 3, 30)),
        visit("v-2", date(2026, 3, 31), hour=15, announced=False),
        visit(
            "v-3",
            date(2026, 4, 1),
            worker="w-ben",
            household="HH-020",
            case_refs=("C-0040",),
            kind=VisitKind.FIRST,
        ),
        visit("v-4", date(2026, 4, 2), worker="w-mgr", allocated="w-ana", kind=VisitKind.REVISIT),
    )
    tasks = (RecordingTask("v-1", "w-ana", date(2026, 4, 2), "record_3_working_days"),)
    shortfalls = (
        Shortfall(
            "C-0040",
            "HH-020",
            "cin_first_visit",
            date(2026, 3, 27),
            date(2026, 4, 1),
            5,
            "no worker free before the deadline",
            "west",
        ),
    )
    return schedule(today, visits, recording_tasks=tasks, shortfalls=shortfalls)

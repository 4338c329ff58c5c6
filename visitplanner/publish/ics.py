"""Planned visits as iCalendar (RFC 5545): one document per component, and feeds.

:func:`build_documents` is pure: it turns a :class:`~visitplanner.model.Schedule`
plus a :class:`PublishContext` and the previous :class:`PublishState` into
documents and the next state.  Files are written at the edge
(:func:`visitplanner.publish.publish_files`); the CalDAV sync uploads the same
per-UID documents.  ``docs/ics.md`` documents every property we write.

Stability rules (so that subscribed clients update events in place):

* UIDs come from the plan: ``<visit id>@visitplanner``,
  ``record-<visit id>@visitplanner``,
  ``shortfall-<case ref>-<rule id>-<YYYYMMDD>@visitplanner``,
  ``escalate-<case ref>-<rule id>-<YYYYMMDD fired>@visitplanner``.
* DTSTAMP is never "now": midnight UTC of the schedule's ``today`` when the
  content changed, else the stamp published last time.
* SEQUENCE starts at 0 and rises by 1 each time the content changes
  (including when an item is withdrawn and published as CANCELLED).
* The VTIMEZONE covers 2020-2040 whatever the year, so unchanged input gives
  byte-identical output.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType

from icalendar import Alarm, Calendar, Component, Event, Timezone, Todo
from icalendar.enums import CLASS, STATUS, TRANSP

from visitplanner.model import (
    LONDON,
    Child,
    Escalation,
    PlannedVisit,
    RecordingTask,
    Role,
    Schedule,
    Shortfall,
    VisitKind,
    Worker,
)
from visitplanner.publish.state import PublishedItem, PublishState

PRIVACY_LEVELS = ("minimal", "standard", "full")
PRODID = "-//visitplanner//visitplanner//EN"
TZID = "Europe/London"
#: The VTIMEZONE's fixed range: it must not depend on the year we publish in.
TIMEZONE_FIRST_DATE = date(2020, 1, 1)
TIMEZONE_LAST_DATE = date(2041, 1, 1)
#: How often subscribing clients should fetch a feed again.
REFRESH_INTERVAL = timedelta(hours=1)

_MANAGER_ROLES = frozenset({Role.PRACTICE_MANAGER, Role.TEAM_MANAGER})
_KIND_TITLES = {
    VisitKind.FIRST: "First visit",
    VisitKind.ROUTINE: "Visit",
    VisitKind.REVISIT: "Re-visit",
    VisitKind.AWAY_FROM_HOME: "Visit away from home",
}
#: Stands in for DTSTAMP while hashing; never published.
_PLACEHOLDER_STAMP = datetime(2000, 1, 1, tzinfo=UTC)

Documents = dict[str, dict[str, bytes]]


@dataclass(frozen=True, slots=True)
class PublishContext:
    """Everything publishing needs that is not in the Schedule.

    ``privacy`` is ``minimal`` (case references only), ``standard`` (plus
    initials) or ``full`` (names and address).  ``alarms_minutes``: one
    reminder per value, that many minutes before each visit.
    ``cancelled_keep_days``: calendar days a withdrawn item stays published
    as CANCELLED.  ``recording_headings``: the policy's record headings per
    plan type ("CIN", "S47", "CP"): a visit shows those of its children's plans.
    """

    children: Mapping[str, Child]
    workers: Mapping[str, Worker]
    team_names: Mapping[str, str]
    privacy: str = "minimal"
    alarms_minutes: tuple[int, ...] = (1440, 60)
    cancelled_keep_days: int = 28
    recording_headings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.privacy not in PRIVACY_LEVELS:
            raise ValueError(
                f"privacy must be one of {', '.join(PRIVACY_LEVELS)}, not {self.privacy!r}"
            )


@dataclass(frozen=True, slots=True)
class _Draft:
    """A component before its DTSTAMP and SEQUENCE are known."""

    uid: str
    component: Event | Todo
    calendars: tuple[str, ...]
    summary: str
    start: date | None
    end: date | None


def visit_uid(visit_id: str) -> str:
    return f"{visit_id}@visitplanner"


def record_uid(visit_id: str) -> str:
    return f"record-{visit_id}@visitplanner"


def shortfall_uid(shortfall: Shortfall) -> str:
    deadline = f"{shortfall.deadline:%Y%m%d}"
    return f"shortfall-{shortfall.case_ref}-{shortfall.rule_id}-{deadline}@visitplanner"


def escalation_uid(escalation: Escalation) -> str:
    """Stable across re-plans: the same trigger firing on the same day is the same to-do."""
    fired = f"{escalation.fired:%Y%m%d}"
    return f"escalate-{escalation.case_ref}-{escalation.rule_id}-{fired}@visitplanner"


def team_calendar_id(team: str) -> str:
    return f"team-{team}"


def build_documents(
    schedule: Schedule, ctx: PublishContext, state: PublishState
) -> tuple[Documents, PublishState]:
    """Every calendar's documents, and the state to keep for next time.

    Returns ``{calendar id: {UID: bytes}}`` where each bytes value is a
    complete VCALENDAR holding one VEVENT or VTODO plus the Europe/London
    VTIMEZONE.  Calendar ids are worker ids and ``team-<team>``; every worker
    in ``ctx`` and every team gets a calendar, even an empty one.  Items the
    plan no longer holds are published as CANCELLED from ``schedule.today``
    until ``cancelled_keep_days`` calendar days later (then dropped) -- except
    those that left the plan because their day has passed (a visit made, or
    its record-by task): they stay exactly as last published, then drop.  An
    escalation that leaves the plan was resolved (the child was seen), so it
    is always published as CANCELLED, however late.
    """
    stamp_today = datetime.combine(schedule.today, time(0), tzinfo=UTC)
    drafts = _drafts(schedule, ctx)
    documents: Documents = {calendar: {} for calendar in _calendar_ids(schedule, ctx)}
    items: dict[str, PublishedItem] = {}
    for draft in drafts:
        item = _live_item(draft, state.items.get(draft.uid), stamp_today)
        items[draft.uid] = _file(documents, item, _finish(draft.component, item))
    for uid in sorted(state.items.keys() - items.keys()):
        previous = state.items[uid]
        if _left_as_past(previous, state, schedule.start):
            kept = _past_item(previous, schedule.today, ctx.cancelled_keep_days)
            if kept is not None:
                items[uid] = kept
                _file_bytes(documents, kept, kept.document.encode("utf-8"))
            continue
        withdrawn = _withdrawn_item(previous, schedule.today, ctx.cancelled_keep_days, stamp_today)
        if withdrawn is not None:
            items[uid] = _file(documents, withdrawn, _cancelled_component(withdrawn))
    ordered = {cal: dict(sorted(documents[cal].items())) for cal in sorted(documents)}
    return ordered, PublishState(MappingProxyType(dict(sorted(items.items()))))


def render_feed(documents_for_one_calendar: Mapping[str, bytes], calendar_name: str) -> bytes:
    """One .ics holding every component of one calendar (by UID) and one VTIMEZONE."""
    calendar = _new_calendar(calendar_name)
    calendar.add_component(london_timezone())
    for uid in sorted(documents_for_one_calendar):
        for component in Calendar.from_ical(documents_for_one_calendar[uid]).subcomponents:
            if component.name != "VTIMEZONE":
                calendar.add_component(component)
    result: bytes = calendar.to_ical()
    return result


def calendar_names(calendar_ids: Iterable[str], ctx: PublishContext) -> dict[str, str]:
    """A display name for each calendar (X-WR-CALNAME): the worker's or the team's name."""
    teams = {team_calendar_id(team): name for team, name in ctx.team_names.items()}
    names = {}
    for calendar in calendar_ids:
        if calendar in ctx.workers:
            names[calendar] = f"Visits - {ctx.workers[calendar].name}"
        elif calendar in teams:
            names[calendar] = f"Visits - {teams[calendar]}"
        else:
            names[calendar] = f"Visits - {calendar.removeprefix('team-')}"
    return names


@functools.cache
def _london_timezone_bytes() -> bytes:
    timezone = Timezone.from_tzid(
        TZID, first_date=TIMEZONE_FIRST_DATE, last_date=TIMEZONE_LAST_DATE
    )
    result: bytes = timezone.to_ical()
    return result


def london_timezone() -> Timezone:
    """A fresh Europe/London VTIMEZONE covering 2020-2040 (same bytes every year)."""
    timezone = Timezone.from_ical(_london_timezone_bytes())
    assert isinstance(timezone, Timezone)
    return timezone


# -- deciding SEQUENCE, DTSTAMP and CANCELLED ---------------------------------


def _content_hash(component: Component) -> str:
    return hashlib.sha256(component.to_ical()).hexdigest()


def _live_item(
    draft: _Draft, previous: PublishedItem | None, stamp_today: datetime
) -> PublishedItem:
    """The state of a component the plan holds: new, changed (SEQUENCE + 1) or unchanged."""
    content_hash = _content_hash(draft.component)
    if previous is None:
        sequence, stamp = 0, stamp_today
    elif previous.content_hash == content_hash and previous.cancelled_since is None:
        sequence, stamp = previous.sequence, previous.stamp
    else:
        sequence, stamp = previous.sequence + 1, max(previous.stamp, stamp_today)
    return PublishedItem(
        uid=draft.uid,
        component=draft.component.name,
        content_hash=content_hash,
        sequence=sequence,
        stamp=stamp,
        calendars=draft.calendars,
        summary=draft.summary,
        start=draft.start,
        end=draft.end,
    )


def _left_as_past(item: PublishedItem, state: PublishState, plan_start: date) -> bool:
    """True when ``item`` left the plan because its day is before the plan's first day.

    A record-by task goes with its visit: the record is still owed once the
    visit is made.  An item already published as CANCELLED stays cancelled.
    """
    if item.cancelled_since is not None or not item.document:
        return False
    if item.uid.startswith("escalate-"):
        return False  # an escalation leaves the plan when resolved, never by its day passing
    if item.past_since is not None:
        return True
    moment = item.start
    if item.uid.startswith("record-"):
        visit = state.items.get(item.uid.removeprefix("record-"))
        moment = visit.start if visit is not None else None
    day = moment.date() if isinstance(moment, datetime) else moment
    return day is not None and day < plan_start


def _past_item(previous: PublishedItem, today: date, keep_days: int) -> PublishedItem | None:
    """A past item kept unchanged from the day it left the plan, for ``keep_days`` calendar days."""
    since = previous.past_since or today
    if today >= since + timedelta(days=keep_days):
        return None
    return replace(previous, past_since=since)


def _withdrawn_item(
    previous: PublishedItem, today: date, keep_days: int, stamp_today: datetime
) -> PublishedItem | None:
    """A withdrawn component: CANCELLED from today, None once kept ``keep_days`` calendar days."""
    if previous.cancelled_since is None:
        previous = replace(
            previous,
            sequence=previous.sequence + 1,
            stamp=max(previous.stamp, stamp_today),
            cancelled_since=today,
        )
    assert previous.cancelled_since is not None
    if today >= previous.cancelled_since + timedelta(days=keep_days):
        return None
    return previous


def _finish(component: Event | Todo, item: PublishedItem) -> Event | Todo:
    component.DTSTAMP = item.stamp
    component.sequence = item.sequence
    return component


def _cancelled_component(item: PublishedItem) -> Event | Todo:
    """The CANCELLED copy of a withdrawn item: same UID, higher SEQUENCE, no reminders."""
    summary = f"Cancelled: {item.summary}"
    common = {"uid": item.uid, "stamp": item.stamp, "sequence": item.sequence, "summary": summary}
    if item.component == "VTODO":
        return Todo.new(**common, end=item.end, status=STATUS.CANCELLED)  # type: ignore[arg-type]
    event = Event.new(
        **common,  # type: ignore[arg-type]
        start=_in_london(item.start),
        end=_in_london(item.end),
        status=STATUS.CANCELLED,
        transparency=TRANSP.TRANSPARENT,
    )
    return event


def _in_london(moment: date | None) -> date | None:
    return moment.astimezone(LONDON) if isinstance(moment, datetime) else moment


def _file(documents: Documents, item: PublishedItem, component: Event | Todo) -> PublishedItem:
    """File the component in each of the item's calendars; the item, remembering the bytes."""
    document = _document(component)
    _file_bytes(documents, item, document)
    return replace(item, document=document.decode("utf-8"))


def _file_bytes(documents: Documents, item: PublishedItem, document: bytes) -> None:
    for calendar in item.calendars:
        documents.setdefault(calendar, {})[item.uid] = document


def _document(component: Event | Todo) -> bytes:
    calendar = _new_calendar(None)
    calendar.add_component(london_timezone())
    calendar.add_component(component)
    result: bytes = calendar.to_ical()
    return result


def _new_calendar(name: str | None) -> Calendar:
    refresh = REFRESH_INTERVAL if name is not None else None
    calendar = Calendar.new(prodid=PRODID, name=name, refresh_interval=refresh)
    del calendar["UID"]  # Calendar.new invents a random UID; output must be deterministic
    if name is not None:
        calendar.add("X-PUBLISHED-TTL", "PT1H")  # REFRESH_INTERVAL in the spelling Outlook reads
    return calendar


# -- which calendars -----------------------------------------------------------


def _calendar_ids(schedule: Schedule, ctx: PublishContext) -> set[str]:
    teams = {worker.team for worker in ctx.workers.values()} | {v.team for v in schedule.visits}
    workers = set(ctx.workers) | {v.worker_id for v in schedule.visits}
    return workers | {team_calendar_id(team) for team in teams if team}


def _shortfall_calendars(
    shortfall: Shortfall, ctx: PublishContext, schedule: Schedule
) -> tuple[str, ...]:
    return _team_calendars(shortfall.team, shortfall.case_ref, ctx, schedule)


def _team_calendars(
    team: str, case_ref: str, ctx: PublishContext, schedule: Schedule
) -> tuple[str, ...]:
    """``team``'s calendar; else the child's allocated worker's team's; else every team's."""
    allocated = _allocated_worker(case_ref, ctx)
    if not team and allocated is not None and allocated in ctx.workers:
        team = ctx.workers[allocated].team
    if team:
        return (team_calendar_id(team),)
    return tuple(sorted(c for c in _calendar_ids(schedule, ctx) if c.startswith("team-")))


def _allocated_worker(case_ref: str, ctx: PublishContext) -> str | None:
    child = ctx.children.get(case_ref)
    return child.allocated_worker if child is not None else None


def _escalation_calendars(
    escalation: Escalation, ctx: PublishContext, schedule: Schedule
) -> tuple[str, ...]:
    """The team calendar (found as for a shortfall), and the allocated worker's, if any.

    The allocated worker is the escalation's, else the child's in the workspace.
    """
    teams = _team_calendars(escalation.team, escalation.case_ref, ctx, schedule)
    allocated = escalation.allocated_worker_id or _allocated_worker(escalation.case_ref, ctx)
    return teams + ((allocated,) if allocated and allocated not in teams else ())


# -- drafting components -------------------------------------------------------


def _drafts(schedule: Schedule, ctx: PublishContext) -> list[_Draft]:
    visits = {visit.id: visit for visit in schedule.visits}
    tasks = {task.visit_id: task for task in schedule.recording_tasks}
    drafts = [_visit_draft(visit, tasks.get(visit.id), ctx) for visit in schedule.visits]
    drafts += [
        _record_draft(task, visits.get(task.visit_id), ctx) for task in schedule.recording_tasks
    ]
    drafts += [
        _shortfall_draft(s, _shortfall_calendars(s, ctx, schedule), ctx)
        for s in schedule.shortfalls
    ]
    drafts += [
        _escalation_draft(e, _escalation_calendars(e, ctx, schedule), ctx)
        for e in schedule.escalations
    ]
    uids = [draft.uid for draft in drafts]
    duplicates = sorted({uid for uid in uids if uids.count(uid) > 1})
    if duplicates:
        raise ValueError(f"the schedule gives more than one item the UID {', '.join(duplicates)}")
    return drafts


def _visit_draft(visit: PlannedVisit, task: RecordingTask | None, ctx: PublishContext) -> _Draft:
    uid, summary = visit_uid(visit.id), _visit_summary(visit, ctx)
    start, end = visit.start.astimezone(LONDON), visit.end.astimezone(LONDON)
    event = Event.new(
        uid=uid,
        stamp=_PLACEHOLDER_STAMP,
        start=start,
        end=end,
        summary=summary,
        description=_visit_description(visit, task, ctx),
        categories=_visit_categories(visit, ctx),
        classification=None if visit.announced else CLASS.PRIVATE,
        status=STATUS.CONFIRMED,
        location=_address(visit.case_refs, ctx) or None,
    )
    _drop_placeholders(event)
    _add_visit_properties(event, visit, task)
    for minutes in sorted(set(ctx.alarms_minutes), reverse=True):
        event.add_component(
            Alarm.new_display(description=summary, trigger=timedelta(minutes=-minutes))
        )
    calendars = (
        (visit.worker_id, team_calendar_id(visit.team)) if visit.team else (visit.worker_id,)
    )
    return _Draft(uid, event, calendars, summary, start, end)


def _record_draft(task: RecordingTask, visit: PlannedVisit | None, ctx: PublishContext) -> _Draft:
    what = _visit_summary(visit, ctx) if visit is not None else f"visit {task.visit_id}"
    uid, summary = record_uid(task.visit_id), f"Record: {what[0].lower()}{what[1:]}"
    todo = Todo.new(
        uid=uid,
        stamp=_PLACEHOLDER_STAMP,
        end=task.due,
        summary=summary,
        description=_record_description(task, visit, ctx),
        categories=["recording"],
        status=STATUS.NEEDS_ACTION,
        related_to=[visit_uid(task.visit_id)],
    )
    _drop_placeholders(todo)
    todo.add("X-VISITPLANNER-KIND", "record")
    todo.add("X-VISITPLANNER-RULE", task.rule_id)
    todo.add("X-VISITPLANNER-WORKER", task.worker_id)
    return _Draft(uid, todo, (task.worker_id,), summary, None, task.due)


def _shortfall_draft(
    shortfall: Shortfall, calendars: tuple[str, ...], ctx: PublishContext
) -> _Draft:
    """A missed deadline as an all-day event on the deadline (visible in every calendar app)."""
    late = _late_text(shortfall, "")
    summary = f"Shortfall {_child_label(shortfall.case_ref, ctx)}: {shortfall.rule_id}, {late}"
    uid, end = shortfall_uid(shortfall), shortfall.deadline + timedelta(days=1)
    event = Event.new(
        uid=uid,
        stamp=_PLACEHOLDER_STAMP,
        start=shortfall.deadline,
        end=end,
        summary=summary,
        description=_shortfall_description(shortfall),
        categories=["shortfall"],
        status=STATUS.CONFIRMED,
        transparency=TRANSP.TRANSPARENT,
    )
    _drop_placeholders(event)
    event.add("X-VISITPLANNER-KIND", "shortfall")
    event.add("X-VISITPLANNER-CASE-REF", shortfall.case_ref)
    event.add("X-VISITPLANNER-RULE", shortfall.rule_id)
    event.add("X-VISITPLANNER-DUE-BY", shortfall.deadline)
    event.add("X-VISITPLANNER-DAYS-LATE", str(shortfall.days_late))
    return _Draft(uid, event, calendars, summary, shortfall.deadline, end)


def _escalation_draft(
    escalation: Escalation, calendars: tuple[str, ...], ctx: PublishContext
) -> _Draft:
    """Someone must be told by ``due``: a top-priority to-do due that day (all-day DUE)."""
    summary = f"Escalate: {_escalation_child_label(escalation.case_ref, ctx)}"
    if escalation.notify:
        summary += f" — tell {_roles_text(escalation.notify)}"
    uid = escalation_uid(escalation)
    todo = Todo.new(
        uid=uid,
        stamp=_PLACEHOLDER_STAMP,
        end=escalation.due,
        summary=summary,
        description=_escalation_description(escalation),
        categories=["escalation"],
        status=STATUS.NEEDS_ACTION,
        priority=1,
    )
    _drop_placeholders(todo)
    todo.add("X-VISITPLANNER-KIND", "escalation")
    todo.add("X-VISITPLANNER-CASE-REF", escalation.case_ref)
    todo.add("X-VISITPLANNER-HOUSEHOLD", escalation.household)
    todo.add("X-VISITPLANNER-RULE", escalation.rule_id)
    todo.add("X-VISITPLANNER-NOTIFY", ",".join(escalation.notify))
    todo.add("X-VISITPLANNER-FIRED", escalation.fired)
    return _Draft(uid, todo, calendars, summary, None, escalation.due)


def _drop_placeholders(component: Event | Todo) -> None:
    """Remove the stand-in DTSTAMP (set later) and an empty CATEGORIES line."""
    del component["DTSTAMP"]
    if not component.categories:
        del component["CATEGORIES"]


# -- content -------------------------------------------------------------------


def _is_cover(visit: PlannedVisit) -> bool:
    return visit.allocated_worker_id is not None and visit.allocated_worker_id != visit.worker_id


def _visit_categories(visit: PlannedVisit, ctx: PublishContext) -> list[str]:
    visitor = ctx.workers.get(visit.worker_id)
    by_manager = (
        visitor is not None and visitor.role in _MANAGER_ROLES
    ) or "manager_cover" in visit.flags
    categories = {
        "unannounced": not visit.announced,
        "first visit": visit.kind is VisitKind.FIRST,
        "re-visit": visit.kind is VisitKind.REVISIT,
        "away from home": visit.kind is VisitKind.AWAY_FROM_HOME,
        "cover": _is_cover(visit),
        "manager cover": _is_cover(visit) and by_manager,
    }
    return [name for name, applies in categories.items() if applies]


def _visit_title(visit: PlannedVisit) -> str:
    title = _KIND_TITLES[visit.kind]
    return title if visit.announced else f"Unannounced {title[0].lower()}{title[1:]}"


def _visit_summary(visit: PlannedVisit, ctx: PublishContext) -> str:
    children = ", ".join(_child_label(ref, ctx) for ref in visit.case_refs)
    return f"{_visit_title(visit)} {visit.household} ({children})"


def _child_label(case_ref: str, ctx: PublishContext) -> str:
    """The case reference, plus initials (standard) or the name (full)."""
    child = ctx.children.get(case_ref)
    if child is None or ctx.privacy == "minimal":
        return case_ref
    if ctx.privacy == "standard":
        return f"{case_ref} {child.initials}"
    return f"{child.name} {case_ref}"


def _escalation_child_label(case_ref: str, ctx: PublishContext) -> str:
    """The case reference, plus initials above ``minimal``: never a name (a manager's to-do
    list is shown on more screens than a visit)."""
    child = ctx.children.get(case_ref)
    if child is None or ctx.privacy == "minimal":
        return case_ref
    return f"{case_ref} {child.initials}"


def _roles_text(roles: Iterable[str]) -> str:
    return ", ".join(role.replace("_", " ") for role in roles)


def _address(case_refs: Iterable[str], ctx: PublishContext) -> str:
    """The household's address, at privacy ``full`` only."""
    if ctx.privacy != "full":
        return ""
    addresses = [ctx.children[ref].address for ref in case_refs if ref in ctx.children]
    return next((address for address in addresses if address), "")


def _worker_label(worker_id: str, ctx: PublishContext) -> str:
    worker = ctx.workers.get(worker_id)
    return f"{worker.name} ({worker_id})" if worker is not None else worker_id


def _visit_description(visit: PlannedVisit, task: RecordingTask | None, ctx: PublishContext) -> str:
    lines = [f"Household {visit.household}: visit by {_worker_label(visit.worker_id, ctx)}"]
    if _is_cover(visit) and visit.allocated_worker_id is not None:
        lines[0] += f", covering for {_worker_label(visit.allocated_worker_id, ctx)}"
    if not visit.announced:
        lines.append("Unannounced: do not tell the family in advance.")
    lines.append(f"Due by: {visit.due_by:%a %d %b %Y}")
    if visit.failure_would_breach:
        lines.append("No slack: if this visit fails, a deadline is missed.")
    address = _address(visit.case_refs, ctx)
    if address:
        lines.append(f"Address: {address}")
    for child_checks in visit.checks:
        lines += ["", f"{_child_label(child_checks.case_ref, ctx)}:"]
        lines.append(f"  Checks: {_checks_text(child_checks.checks)}")
        lines += [
            f"  Rule {r.rule_id}: by {r.deadline:%a %d %b %Y} ({r.source})"
            for r in visit.reasons
            if r.case_ref == child_checks.case_ref
        ]
    lines += _recording_lines(task, _headings_for(visit.case_refs, ctx))
    return "\n".join(lines)


def _checks_text(checks: Iterable[str]) -> str:
    return "; ".join(check.replace("_", " ") for check in checks) or "none"


def _headings_for(case_refs: Iterable[str], ctx: PublishContext) -> tuple[str, ...]:
    """The record headings of the children's plans, in order, each once (siblings may differ)."""
    headings: list[str] = []
    for ref in case_refs:
        child = ctx.children.get(ref)
        plan = child.plan_type.value if child is not None else ""
        headings += [h for h in ctx.recording_headings.get(plan, ()) if h not in headings]
    return tuple(headings)


def _recording_lines(task: RecordingTask | None, headings: tuple[str, ...]) -> list[str]:
    if task is None and not headings:
        return []
    due = f" by {task.due:%a %d %b %Y}" if task is not None else ""
    return ["", f"Record{due}, under these headings:"] + [f"- {h}" for h in headings]


def _record_description(
    task: RecordingTask, visit: PlannedVisit | None, ctx: PublishContext
) -> str:
    due = f"{task.due:%a %d %b %Y}"
    lines = [f"Write the record of visit {task.visit_id} by {due} (rule {task.rule_id})."]
    if visit is not None:
        start = f"{visit.start.astimezone(LONDON):%a %d %b %Y %H:%M}"
        lines.append(f"Visit: {start}, household {visit.household}")
    headings = _headings_for(visit.case_refs if visit is not None else (), ctx)
    if headings:
        lines += ["", "Headings:"] + [f"- {h}" for h in headings]
    return "\n".join(lines)


def _shortfall_description(shortfall: Shortfall) -> str:
    planned = f"{shortfall.planned_on:%a %d %b %Y}" if shortfall.planned_on else "no visit planned"
    return "\n".join(
        [
            f"Case {shortfall.case_ref}, household {shortfall.household}",
            f"Rule {shortfall.rule_id}: deadline {shortfall.deadline:%a %d %b %Y}",
            f"First planned: {planned} ({_late_text(shortfall)})",
            f"Why: {shortfall.reason}",
        ]
    )


def _late_text(shortfall: Shortfall, unit: str = "calendar ") -> str:
    """How late, in calendar days; "at least" when no visit is planned at all (the
    count then runs only to the plan's end)."""
    plural = "s" if shortfall.days_late != 1 else ""
    days = f"{shortfall.days_late} {unit}day{plural} late"
    return days if shortfall.planned_on is not None else f"at least {days}"


def _escalation_description(escalation: Escalation) -> str:
    tell = _roles_text(escalation.notify) or "(no one named)"
    lines = [
        f"Case {escalation.case_ref}, household {escalation.household}",
        f"What happened: {escalation.what}",
    ]
    if escalation.action:
        lines.append(f"Action: {escalation.action}")
    lines += [
        f"Tell {tell} by {escalation.due:%a %d %b %Y}",
        f"Rule {escalation.rule_id}, fired {escalation.fired:%a %d %b %Y}",
    ]
    return "\n".join(lines)


def _add_visit_properties(event: Event, visit: PlannedVisit, task: RecordingTask | None) -> None:
    """The machine-readable X-VISITPLANNER-* properties (docs/ics.md)."""
    event.add("X-VISITPLANNER-KIND", visit.kind.value)
    event.add("X-VISITPLANNER-HOUSEHOLD", visit.household)
    event.add("X-VISITPLANNER-WORKER", visit.worker_id)
    event.add("X-VISITPLANNER-ANNOUNCED", "TRUE" if visit.announced else "FALSE")
    event.add("X-VISITPLANNER-DUE-BY", visit.due_by)
    for case_ref in visit.case_refs:
        event.add("X-VISITPLANNER-CASE-REF", case_ref)
    for child_checks in visit.checks:
        checks = ",".join(child_checks.checks)
        event.add("X-VISITPLANNER-CHECKS", checks, parameters={"X-CASE-REF": child_checks.case_ref})
    for reason in visit.reasons:
        parameters = {"X-CASE-REF": reason.case_ref, "X-DEADLINE": f"{reason.deadline:%Y%m%d}"}
        event.add("X-VISITPLANNER-RULE", reason.rule_id, parameters=parameters)
    if _is_cover(visit) and visit.allocated_worker_id is not None:
        event.add("X-VISITPLANNER-COVER-FOR", visit.allocated_worker_id)
    if visit.failure_would_breach:
        event.add("X-VISITPLANNER-NO-SLACK", "TRUE")
    if task is not None:
        event.add("X-VISITPLANNER-RECORD-BY", task.due)

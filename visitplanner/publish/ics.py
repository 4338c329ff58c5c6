"""Planned visits as iCalendar (RFC 5545): one document per component, and feeds.

:func:`build_documents` is pure: it turns a :class:`~visitplanner.core.model.Schedule`
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
* The VTIMEZONE states Europe/London's yearly rules (RRULE), so unchanged input
  gives byte-identical output whatever the year.

What servers keep (``docs/ics.md``): no property holds a comma-separated list of
values where a server might keep only the first (Radicale does): one
``X-VISITPLANNER-CHECK`` line per check, yearly rules in the VTIMEZONE.

Speed (an authority publishes tens of thousands of items): an item is rendered
(icalendar component -> bytes) only when its *fingerprint* -- a digest of the plan
values it is drawn from, the workspace records it names, the context and the
renderer itself -- differs from the one kept in the state; otherwise the document
published last time is reused as it is.  A feed is assembled from the documents'
bytes; only a document not rendered by this renderer, or holding text that a parse
might spell differently, is parsed again, as it always was.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import types
import typing
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from pathlib import Path
from types import MappingProxyType

import icalendar
from icalendar import Alarm, Calendar, Component, Event, Timezone, Todo
from icalendar.enums import CLASS, STATUS, TRANSP
from icalendar.parser import Contentline

import visitplanner
from visitplanner.core.collector import collector_paused
from visitplanner.core.model import (
    DUTY_FLAG,
    LONDON,
    SHORT_NOTICE_FLAG,
    Child,
    Escalation,
    PlannedVisit,
    RecordingTask,
    Role,
    Schedule,
    Shortfall,
    TaskDue,
    VisitKind,
    Worker,
)
from visitplanner.errors import Problem, PublishError
from visitplanner.publish.state import PublishedItem, PublishState

MINIMAL, STANDARD, FULL = "minimal", "standard", "full"
#: The privacy levels, from the one showing least to the one showing most.
PRIVACY_LEVELS = (MINIMAL, STANDARD, FULL)
PRODID = "-//visitplanner//visitplanner//EN"
TZID = "Europe/London"
#: Europe/London as two yearly rules (EU summer time since 1996: the last Sunday of March
#: and of October, at 01:00 UTC), not one RDATE list per observance: Radicale keeps only the
#: first value of a comma-separated list (Kozea/Radicale#1558), and a client building the
#: zone from a truncated list shows every later summer-time visit an hour late.  Rules
#: survive every server, and are the same bytes whatever the year we publish in.
_LONDON_TIMEZONE = (
    "BEGIN:VTIMEZONE\r\n"
    f"TZID:{TZID}\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "DTSTART:19960331T010000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "TZNAME:BST\r\n"
    "TZOFFSETFROM:+0000\r\n"
    "TZOFFSETTO:+0100\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "DTSTART:19961027T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "TZNAME:GMT\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0000\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
).encode("ascii")
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
_END = b"END:VCALENDAR\r\n"
_UID_SUFFIX = "@visitplanner"
#: What must never be written raw in a content line: a line break would end the line and
#: start another (calendar content injected from the data), and many readers take NUL for
#: the end of the text.  (The other control characters are refused when a workspace is read.)
_UNWRITABLE = re.compile(r"[\x00\r\n]")
#: What a past item keeps when it is written again at a lower privacy level: its times,
#: fixed words and identifiers (docs/ics.md), which hold no name, initials or address.
#: Everything else goes (SUMMARY and DESCRIPTION are written anew; LOCATION, reminders).
_NAMING_NO_ONE = frozenset({
    "DTSTART", "DTEND", "DUE", "STATUS", "CLASS", "TRANSP", "CATEGORIES", "PRIORITY",
    "RELATED-TO", "X-VISITPLANNER-KIND", "X-VISITPLANNER-HOUSEHOLD", "X-VISITPLANNER-WORKER",
    "X-VISITPLANNER-ANNOUNCED", "X-VISITPLANNER-DUE-BY", "X-VISITPLANNER-CASE-REF",
    "X-VISITPLANNER-CHECK", "X-VISITPLANNER-RULE", "X-VISITPLANNER-COVER-FOR",
    "X-VISITPLANNER-CHECKS",  # the earlier comma-separated form, on items kept from then
    "X-VISITPLANNER-NO-SLACK", "X-VISITPLANNER-RECORD-BY", "X-VISITPLANNER-DAYS-LATE",
    "X-VISITPLANNER-NOTIFY", "X-VISITPLANNER-FIRED",
})
#: A document's component, unfolded, that a parse gives back byte for byte: every line a
#: name, parameters of plain characters only, and a value without control characters.
_PLAIN_LINES = re.compile(
    rb"(?:[A-Z0-9-]+(?:;[A-Z0-9-]+=[A-Za-z0-9._/+-]+)*:[^\x00-\x1f\x7f]*\r\n)+"
)

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
    privacy: str = MINIMAL
    alarms_minutes: tuple[int, ...] = (1440, 60)
    cancelled_keep_days: int = 28
    recording_headings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.privacy not in PRIVACY_LEVELS:
            raise ValueError(
                f"privacy must be one of {', '.join(PRIVACY_LEVELS)}, not {self.privacy!r}"
            )


#: A context at level ``minimal``: a summary there names case references only, so it
#: needs no workspace records (:func:`_summaries`).
_MINIMAL_CONTEXT = PublishContext(
    children=MappingProxyType({}), workers=MappingProxyType({}),
    team_names=MappingProxyType({}), privacy=MINIMAL,
)


@dataclass(frozen=True, slots=True)
class _Draft:
    """A component before it is built, and before its DTSTAMP and SEQUENCE are known.

    ``fingerprint`` digests everything ``build`` reads: equal fingerprints, equal
    components (see :class:`_Fingerprints`).  ``privacy`` is the level it is drawn at and
    ``minimal_summary`` its summary at level ``minimal`` (both kept in the state).
    """

    uid: str
    component: str  # "VEVENT" | "VTODO"
    calendars: tuple[str, ...]
    summary: str
    start: date | None
    end: date | None
    fingerprint: str
    build: Callable[[], Event | Todo]
    privacy: str
    minimal_summary: str


class _Rendered(bytes):
    """A document this renderer made whose component a parse gives back byte for byte:
    a feed takes its bytes as they are (:func:`_feed_part`).  Equal to the same bytes."""

    __slots__ = ()


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


def task_uid(task: TaskDue) -> str:
    """Stable while the task's deadline stands: the same meeting due the same day."""
    return f"task-{task.case_ref}-{task.rule_id}-{task.due:%Y%m%d}@visitplanner"


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

    Every item shows no more than ``ctx.privacy`` allows: one kept as past or as
    CANCELLED that was written at a level showing more is written again with the
    summary of level ``minimal`` and none of the detail (SEQUENCE + 1).
    """
    with collector_paused():
        return _build_documents(schedule, ctx, state)


def _build_documents(
    schedule: Schedule, ctx: PublishContext, state: PublishState
) -> tuple[Documents, PublishState]:
    stamp_today = datetime.combine(schedule.today, time(0), tzinfo=UTC)
    calendar_ids = _calendar_ids(schedule, ctx)
    documents: Documents = {calendar: {} for calendar in calendar_ids}
    items: dict[str, PublishedItem] = {}
    for draft in _drafts(schedule, ctx, calendar_ids):
        previous = state.items.get(draft.uid)
        item = _unchanged_item(draft, previous)
        if item is not None:
            _file_bytes(documents, item, _kept_document(item))
        else:
            body = _Body(draft.build())
            item = _live_item(draft, body.content_hash, previous, stamp_today)
            item = _file(documents, item, _document(body.final(item.stamp, item.sequence)))
        items[draft.uid] = item
    for uid in sorted(state.items.keys() - items.keys()):
        previous = state.items[uid]
        if _left_as_past(previous, state, schedule.start):
            kept = _kept_past(previous, schedule.today, ctx, stamp_today)
        else:
            kept = _kept_cancelled(previous, schedule.today, ctx, stamp_today)
        if kept is not None:
            items[uid] = kept[0]
            _file_bytes(documents, *kept)
    ordered = {cal: dict(sorted(documents[cal].items())) for cal in sorted(documents)}
    return ordered, PublishState(MappingProxyType(dict(sorted(items.items()))))


def render_feed(documents_for_one_calendar: Mapping[str, bytes], calendar_name: str) -> bytes:
    """One .ics holding every component of one calendar (by UID) and one VTIMEZONE."""
    documents = documents_for_one_calendar
    parts = [_calendar_head(calendar_name), _london_timezone_bytes()]
    parts += [_feed_part(documents[uid]) for uid in sorted(documents)]
    parts.append(_END)
    return b"".join(parts)


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


def london_timezone() -> Timezone:
    """A fresh Europe/London VTIMEZONE: yearly rules (same bytes every year)."""
    timezone = Timezone.from_ical(_LONDON_TIMEZONE)
    if not isinstance(timezone, Timezone):
        raise _unexpected_icalendar("the Europe/London VTIMEZONE")
    return timezone


@functools.cache
def _london_timezone_bytes() -> bytes:
    """The VTIMEZONE as every document and feed holds it (:func:`london_timezone`'s bytes)."""
    result: bytes = london_timezone().to_ical()
    return result


# -- deciding SEQUENCE, DTSTAMP and CANCELLED ---------------------------------


def _unchanged_item(draft: _Draft, previous: PublishedItem | None) -> PublishedItem | None:
    """The item as :func:`_live_item` would give it, when the draft's fingerprint is the one
    published last time (live, not cancelled): the component need not be built again."""
    if (
        previous is None
        or previous.fingerprint != draft.fingerprint
        or previous.cancelled_since is not None
        or not previous.document
    ):
        return None
    return PublishedItem(
        uid=draft.uid,
        component=draft.component,
        content_hash=previous.content_hash,
        sequence=previous.sequence,
        stamp=previous.stamp,
        calendars=draft.calendars,
        summary=draft.summary,
        start=draft.start,
        end=draft.end,
        document=previous.document,
        fingerprint=draft.fingerprint,
        verbatim=previous.verbatim,
        privacy=draft.privacy,
        minimal_summary=draft.minimal_summary,
    )


def _live_item(
    draft: _Draft, content_hash: str, previous: PublishedItem | None, stamp_today: datetime
) -> PublishedItem:
    """The state of a component the plan holds: new, changed (SEQUENCE + 1) or unchanged."""
    if previous is None:
        sequence, stamp = 0, stamp_today
    elif previous.content_hash == content_hash and previous.cancelled_since is None:
        sequence, stamp = previous.sequence, previous.stamp
    else:
        sequence, stamp = previous.sequence + 1, max(previous.stamp, stamp_today)
    return PublishedItem(
        uid=draft.uid,
        component=draft.component,
        content_hash=content_hash,
        sequence=sequence,
        stamp=stamp,
        calendars=draft.calendars,
        summary=draft.summary,
        start=draft.start,
        end=draft.end,
        fingerprint=draft.fingerprint,
        privacy=draft.privacy,
        minimal_summary=draft.minimal_summary,
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
    since = previous.cancelled_since
    if since is None:
        since = today
        previous = replace(
            previous,
            sequence=previous.sequence + 1,
            stamp=max(previous.stamp, stamp_today),
            cancelled_since=since,
        )
    if today >= since + timedelta(days=keep_days):
        return None
    return previous


def _kept_past(
    previous: PublishedItem, today: date, ctx: PublishContext, stamp_today: datetime
) -> tuple[PublishedItem, bytes] | None:
    """A past item and its document: as last published, or written again without its
    detail when it was written at a level showing more than ``ctx.privacy``."""
    kept = _past_item(previous, today, ctx.cancelled_keep_days)
    if kept is None:
        return None
    if _shows_more(kept.privacy, ctx.privacy):
        return _redacted_past(kept, ctx.privacy, stamp_today)
    return kept, _kept_document(kept)


def _kept_cancelled(
    previous: PublishedItem, today: date, ctx: PublishContext, stamp_today: datetime
) -> tuple[PublishedItem, bytes] | None:
    """A withdrawn item and its CANCELLED document (its summary no more than ``ctx.privacy``
    allows); None once dropped."""
    lowered = _lowered_summary(previous, ctx.privacy, stamp_today)
    withdrawn = _withdrawn_item(lowered, today, ctx.cancelled_keep_days, stamp_today)
    if withdrawn is None:
        return None
    fingerprint = _cancelled_fingerprint(withdrawn)
    if withdrawn.fingerprint == fingerprint and withdrawn.document:
        return withdrawn, _kept_document(withdrawn)  # cancelled before, as it is now
    withdrawn = replace(withdrawn, fingerprint=fingerprint)
    return _remembering(withdrawn, _document(_to_ical(_cancelled_component(withdrawn))))


# -- privacy of what is kept ----------------------------------------------------


def _shows_more(written_at: str, allowed: str) -> bool:
    """True when level ``written_at`` shows more than level ``allowed``.  A level not known
    ("": a state kept by an older version) is taken as ``full``: safe by default."""
    return _privacy_rank(written_at) > _privacy_rank(allowed)


def _privacy_rank(level: str) -> int:
    return PRIVACY_LEVELS.index(level if level in PRIVACY_LEVELS else FULL)


def _minimal_summary(item: PublishedItem) -> str:
    """The item's summary at level ``minimal``; its UID's identifiers when not known."""
    return item.minimal_summary or item.uid.removesuffix(_UID_SUFFIX)


def _lowered_summary(item: PublishedItem, privacy: str, stamp_today: datetime) -> PublishedItem:
    """``item`` with a summary ``privacy`` allows, for its CANCELLED copy: as it is when it
    was written at ``privacy`` or below, else with the minimal summary.  A CANCELLED copy
    already published then changes (SEQUENCE + 1); a live item's rises as it is cancelled."""
    if not _shows_more(item.privacy, privacy):
        return item
    lowered = replace(item, summary=_minimal_summary(item), privacy=MINIMAL)
    if item.cancelled_since is None:
        return lowered
    return replace(lowered, sequence=item.sequence + 1, stamp=max(item.stamp, stamp_today))


def _redacted_past(
    item: PublishedItem, privacy: str, stamp_today: datetime
) -> tuple[PublishedItem, bytes]:
    """A past item written at a level above ``privacy``, written again (SEQUENCE + 1) with
    the minimal summary and only the properties in :data:`_NAMING_NO_ONE`."""
    summary = _minimal_summary(item)
    body = _Body(_redacted_component(item, summary, privacy))
    redacted = replace(
        item,
        summary=summary,
        privacy=MINIMAL,
        content_hash=body.content_hash,
        sequence=item.sequence + 1,
        stamp=max(item.stamp, stamp_today),
        fingerprint="",  # drawn from no plan value: never taken for a draft's rendering
    )
    return _remembering(redacted, _document(body.final(redacted.stamp, redacted.sequence)))


def _redacted_component(item: PublishedItem, summary: str, privacy: str) -> Event | Todo:
    redacted = Todo() if item.component == "VTODO" else Event()
    redacted.add("UID", item.uid)
    for name, value in _published_component(item).items():
        if name in _NAMING_NO_ONE:
            redacted[name] = value
    redacted.add("SUMMARY", summary)
    redacted.add("DESCRIPTION", f"Details removed: the calendars' privacy level was lowered "
                                f"to {privacy} after this was published.")
    return redacted


def _published_component(item: PublishedItem) -> Component:
    """The event or to-do of the document ``item`` remembers (empty when it holds none)."""
    parsed = Calendar.from_ical(item.document).subcomponents
    return next((c for c in parsed if c.name != "VTIMEZONE"), Component())


def _finish(component: Event | Todo, stamp: datetime, sequence: int) -> Event | Todo:
    component.DTSTAMP = stamp
    component.sequence = sequence
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


def _file(documents: Documents, item: PublishedItem, document: bytes) -> PublishedItem:
    """File the document in each of the item's calendars; the item, remembering the bytes."""
    item, filed = _remembering(item, document)
    _file_bytes(documents, item, filed)
    return item


def _remembering(item: PublishedItem, document: bytes) -> tuple[PublishedItem, bytes]:
    """The item remembering ``document``, and the bytes to file (a :class:`_Rendered` when a
    feed may take them as they are)."""
    verbatim = _is_verbatim(document)
    remembered = replace(item, document=document.decode("utf-8"), verbatim=verbatim)
    return remembered, _Rendered(document) if verbatim else document


def _file_bytes(documents: Documents, item: PublishedItem, document: bytes) -> None:
    for calendar in item.calendars:
        documents.setdefault(calendar, {})[item.uid] = document


def _document(body: bytes) -> bytes:
    """The VCALENDAR holding a component (its bytes: ``body``) and the VTIMEZONE: the bytes
    ``to_ical`` gives for that calendar (its content lines, one after the other), put
    together without building it."""
    return _document_head() + _london_timezone_bytes() + body + _END


# -- writing components ----------------------------------------------------------


class _Body:
    """A component's bytes, written once: ``content_hash`` digests them without DTSTAMP and
    SEQUENCE (what decides whether the content changed), and :meth:`final` gives them with
    the DTSTAMP and SEQUENCE decided.

    The component is written with stand-ins for both; every content line is folded on its
    own and a line's place does not depend on its value, so cutting the two lines out gives
    the bytes of the component without them, and putting others in their place the bytes
    of the component with those.  (Should a stand-in line not be found exactly once, the
    component is simply written twice.)
    """

    __slots__ = ("_component", "_lines", "_pieces", "content_hash")

    def __init__(self, component: Event | Todo) -> None:
        self._component = component
        body = _to_ical(_finish(component, _PLACEHOLDER_STAMP, 0))
        spans: list[tuple[int, int, str]] = []
        for name, line in (("DTSTAMP", _stamp_line(type(component), _PLACEHOLDER_STAMP)),
                           ("SEQUENCE", _sequence_line(type(component), 0))):
            at = body.find(b"\r\n" + line)
            if at < 0 or body.find(b"\r\n" + line, at + 1) >= 0:
                break
            spans.append((at + 2, at + 2 + len(line), name))
        if len(spans) == 2:
            (start1, end1, name1), (start2, end2, name2) = sorted(spans)
            self._pieces: tuple[bytes, ...] = (body[:start1], body[end1:start2], body[end2:])
            self._lines = (name1, name2)
            content = b"".join(self._pieces)
        else:
            self._pieces = ()
            self._lines = ("", "")
            del component["DTSTAMP"], component["SEQUENCE"]
            content = _to_ical(component)
        self.content_hash = hashlib.sha256(content).hexdigest()

    def final(self, stamp: datetime, sequence: int) -> bytes:
        """The component's bytes with this DTSTAMP and SEQUENCE."""
        if not self._pieces:
            return _to_ical(_finish(self._component, stamp, sequence))
        kind = type(self._component)
        lines = {"DTSTAMP": _stamp_line(kind, stamp), "SEQUENCE": _sequence_line(kind, sequence)}
        first, second = self._lines
        return b"".join(
            (self._pieces[0], lines[first], self._pieces[1], lines[second], self._pieces[2])
        )


@functools.lru_cache(maxsize=256)
def _stamp_line(kind: type[Event] | type[Todo], stamp: datetime) -> bytes:
    """The DTSTAMP content line (and its CRLF) a ``kind`` component writes for ``stamp``."""
    component = kind()
    component.DTSTAMP = stamp
    return _only_line(component)


@functools.lru_cache(maxsize=256)
def _sequence_line(kind: type[Event] | type[Todo], sequence: int) -> bytes:
    """The SEQUENCE content line (and its CRLF) a ``kind`` component writes for ``sequence``."""
    component = kind()
    component.sequence = sequence
    return _only_line(component)


def _only_line(component: Event | Todo) -> bytes:
    written = _to_ical(component)
    begin, end = f"BEGIN:{component.name}\r\n".encode(), f"END:{component.name}\r\n".encode()
    if not (written.startswith(begin) and written.endswith(end) and written.count(b"\r\n") == 3):
        raise _unexpected_icalendar(f"a {component.name} holding only {', '.join(component)}")
    return written[len(begin) : -len(end)]


def _to_ical(component: Component) -> bytes:
    """``component.to_ical()``: its content lines, folded, each followed by CRLF.  A line of
    plain ASCII is folded here (:func:`_fold`), the same bytes as icalendar's folding in a
    fraction of the time; any other line by icalendar (``Contentline.to_ical``)."""
    fold = _fold if _folds_as_icalendar() else _icalendar_fold
    lines = [fold(line) for line in _content_lines(component) if line]
    return b"\r\n".join(lines) + b"\r\n"


def _content_lines(component: Component) -> list[Contentline]:
    """``component.content_lines()``; PublishError when a line would hold a raw line break
    or NUL.  Values are checked at load, but a kept plan can be edited by hand, and
    icalendar checks for a raw line break by ``assert``, which ``python -O`` strips: then
    it would end the line and start calendar content of its own."""
    try:
        lines: list[Contentline] = component.content_lines()
    except AssertionError:
        raise _unwritable_text_error(component) from None
    if _UNWRITABLE.search("".join(lines)):
        raise _unwritable_text_error(component)
    return lines


def _unwritable_text_error(component: Component) -> PublishError:
    """Names the item and the property, never the value (it may hold a child's name)."""
    uid = str(component.get("UID", ""))
    name = next((name for name, value in component.property_items(sorted=False)
                 if _holds_unwritable(value)), "a property")
    return PublishError("Calendars could not be written; nothing was written", [Problem(
        f"calendar item {uid!r}", f"{name} holds a line break or a NUL character",
        "remove it where it comes from (children.csv, workers.csv, visits.csv or "
        "visitplanner.toml), then run `visitplanner plan` and publish again")])


def _holds_unwritable(value: object) -> bool:
    """True when a property's value as written, or one of its parameters, holds a raw line
    break or NUL."""
    to_ical = getattr(value, "to_ical", None)
    texts = [to_ical() if to_ical is not None else value, *getattr(value, "params", {}).values()]
    return any(_UNWRITABLE.search(t.decode("utf-8", "replace") if isinstance(t, bytes) else str(t))
               for t in texts)


def _unexpected_icalendar(what: str) -> PublishError:
    """icalendar wrote ``what`` otherwise than this renderer relies on (another release)."""
    return PublishError("Calendars could not be written", [Problem(
        f"icalendar {icalendar.__version__}", f"writes {what} in a form this visitplanner "
        "does not expect", "install the icalendar release visitplanner names (setup.cfg: "
        "icalendar 7), e.g. `pip install 'icalendar>=7,<8'`, and publish again")])


#: icalendar's content line, and its folding (typed here: icalendar leaves them untyped).
_content_line: Callable[[str], Contentline] = Contentline
_icalendar_fold: Callable[[Contentline], bytes] = Contentline.to_ical


def _fold(line: Contentline) -> bytes:
    """RFC 5545 folding as icalendar does it (``icalendar.parser.string._foldline``), for an
    ASCII line: at most 74 characters a line, a fold never just after a backslash or caret
    (that character starts the next line instead, so an escape is not split)."""
    if not line.isascii():
        return _icalendar_fold(line)
    if len(line) <= _FOLD_AT:
        return line.encode("ascii")
    parts: list[str] = []
    start = 0
    while len(line) - start > _FOLD_AT:
        end = start + _FOLD_AT
        if line[end - 1] in "\\^":
            end -= 1
        parts.append(line[start:end])
        start = end
    parts.append(line[start:])
    return "\r\n ".join(parts).encode("ascii")


#: Characters of a folded line (one octet each in ASCII): 75 octets, less a character.
_FOLD_AT = 74


@functools.cache
def _folds_as_icalendar() -> bool:
    """True when :func:`_fold` gives icalendar's bytes for lines of every length up to three
    folds, and with a backslash or caret anywhere near a fold (checked once, against the
    icalendar installed: should it fold otherwise, it folds every line)."""
    samples = ["x" * length for length in range(1, 4 * _FOLD_AT)]
    folds = (_FOLD_AT, 2 * _FOLD_AT, 3 * _FOLD_AT)
    for length in [n for fold in folds for n in range(fold - 3, fold + 4)]:
        for escape in ("\\", "^", "\\n", "\\\\"):
            for at in range(length):
                if at % _FOLD_AT in (0, 1, _FOLD_AT - 3, _FOLD_AT - 2, _FOLD_AT - 1):
                    samples.append(("y" * at + escape + "y" * length)[:length])
    samples += ["\\" * 200, "^" * 200, "\\n" * 100, "a\\" * 100]
    lines = [_content_line(text) for text in samples]
    return all(_fold(line) == _icalendar_fold(line) for line in lines)


def _kept_document(item: PublishedItem) -> bytes:
    """The document ``item`` remembers, as bytes: a :class:`_Rendered` when this renderer
    made it and found it verbatim."""
    document = item.document.encode("utf-8")
    if item.verbatim and item.fingerprint.startswith(f"{_renderer()}."):
        return _Rendered(document)
    return document


def _is_verbatim(document: bytes) -> bool:
    """True when a parse of ``document`` writes its component again byte for byte, as far
    as can be told from its text: one component after our head and VTIMEZONE, each line
    (unfolded) a name, parameters of plain characters only and a value without control
    characters (a parse may write other parameters, or such a value, differently)."""
    prefix = _document_head() + _london_timezone_bytes()
    if not (document.startswith(prefix) and document.endswith(_END)):
        return False
    body = document[len(prefix) : -len(_END)]
    if not body.startswith((b"BEGIN:VEVENT\r\n", b"BEGIN:VTODO\r\n")) or b"VTIMEZONE" in body:
        return False
    return _PLAIN_LINES.fullmatch(body.replace(b"\r\n ", b"")) is not None


def _feed_part(document: bytes) -> bytes:
    """A document's components but its VTIMEZONE, as a feed holds them: the document's own
    bytes when this renderer made it and a parse gives them back; else parsed and written
    again (as every document was before: a document kept from an older version)."""
    if isinstance(document, _Rendered):
        return document[len(_document_head()) + len(_london_timezone_bytes()) : -len(_END)]
    parts: list[bytes] = [
        component.to_ical()
        for component in Calendar.from_ical(document).subcomponents
        if component.name != "VTIMEZONE"
    ]
    return b"".join(parts)


@functools.cache
def _document_head() -> bytes:
    """A per-item VCALENDAR's first lines: up to its components."""
    return _calendar_head(None)


def _calendar_head(name: str | None) -> bytes:
    empty: bytes = _new_calendar(name).to_ical()
    if not empty.endswith(_END):
        raise _unexpected_icalendar("an empty VCALENDAR")
    return empty[: -len(_END)]


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


def _team_calendars(
    team: str, case_ref: str, ctx: PublishContext, every_team: tuple[str, ...]
) -> tuple[str, ...]:
    """``team``'s calendar; else the child's allocated worker's team's; else every team's."""
    allocated = _allocated_worker(case_ref, ctx)
    if not team and allocated is not None and allocated in ctx.workers:
        team = ctx.workers[allocated].team
    if team:
        return (team_calendar_id(team),)
    return every_team


def _allocated_worker(case_ref: str, ctx: PublishContext) -> str | None:
    child = ctx.children.get(case_ref)
    return child.allocated_worker if child is not None else None


def _escalation_calendars(
    escalation: Escalation, ctx: PublishContext, every_team: tuple[str, ...]
) -> tuple[str, ...]:
    """The team calendar (found as for a shortfall), and the allocated worker's, if any.

    The allocated worker is the escalation's, else the child's in the workspace.
    """
    teams = _team_calendars(escalation.team, escalation.case_ref, ctx, every_team)
    allocated = escalation.allocated_worker_id or _allocated_worker(escalation.case_ref, ctx)
    return teams + ((allocated,) if allocated and allocated not in teams else ())


# -- fingerprints --------------------------------------------------------------


@functools.cache
def _renderer() -> str:
    """Which renderer this is: a digest of this module's source, the versions of
    visitplanner and icalendar, the VTIMEZONE and how dates are spelt.  A fingerprint
    starts with it, so a document kept from another renderer is never reused as this one's."""
    try:
        source = Path(__file__).read_bytes()
    except OSError:  # no source beside the module: the versions must do
        source = b""
    parts = [
        visitplanner.__version__.encode(),
        icalendar.__version__.encode(),
        source,
        _london_timezone_bytes(),
        _document_head(),
        f"{date(2001, 1, 1):%a %d %b %Y}".encode(),
    ]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:16]


#: Field names of each dataclass met while fingerprinting.
_FIELDS: dict[type, tuple[str, ...]] = {}


def _canon(value: object) -> object:
    """``value`` as nested tuples of text and numbers whose ``repr`` is the same in every
    process (sets sorted, dates spelt out, datetimes also as London sees them).  Types it
    does not know are refused rather than guessed at: a fingerprint must see every value."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Enum):
        return (type(value).__name__, _canon(value.value))
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return ("datetime", value.isoformat())
        return ("datetime", value.isoformat(), str(value.tzinfo),
                value.astimezone(LONDON).isoformat())
    if isinstance(value, date):
        return ("date", value.isoformat())
    if isinstance(value, timedelta):
        return ("timedelta", value.days, value.seconds, value.microseconds)
    if isinstance(value, tuple | list):
        return tuple(_canon(item) for item in value)
    if isinstance(value, set | frozenset):
        return ("set", *sorted((_canon(item) for item in value), key=repr))
    if isinstance(value, Mapping):
        pairs = sorted(((_canon(k), _canon(v)) for k, v in value.items()), key=repr)
        return ("map", *pairs)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if _repr_is_stable(type(value)):
            return repr(value)  # spells every value too (see there), in a third of the time
        names = _FIELDS.get(type(value))
        if names is None:
            names = _FIELDS[type(value)] = tuple(f.name for f in dataclasses.fields(value))
        return (type(value).__name__, *(_canon(getattr(value, name)) for name in names))
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")


#: What a stable ``repr`` may be made of (the plan's visits, tasks, shortfalls, escalations).
_STABLE_LEAVES = (str, int, float, bool, type(None), date, datetime, timedelta, Enum)


@functools.cache
def _repr_is_stable(cls: type) -> bool:
    """True when the dataclass ``cls`` has the ``repr`` dataclasses write, of every field,
    and holds, by its annotations, only text, numbers, dates, enums, and tuples or lists or
    other such dataclasses of them: its ``repr`` then spells every value in full, and the
    same in every process (no set or mapping, whose order can change between processes)."""
    generated = getattr(cls.__repr__, "__wrapped__", None)  # dataclass's, not the class's own
    if generated is None or not generated.__qualname__.endswith("<locals>.__repr__"):
        return False
    try:
        hints = typing.get_type_hints(cls)
    except (NameError, TypeError):
        return False
    fields = dataclasses.fields(cls)
    return all(f.repr and _stable_hint(hints[f.name]) for f in fields)


def _stable_hint(hint: object) -> bool:
    origin = typing.get_origin(hint)
    if origin in (tuple, list, typing.Union, types.UnionType):
        return all(arg is Ellipsis or _stable_hint(arg) for arg in typing.get_args(hint))
    if origin is typing.Literal:
        return all(isinstance(arg, str | int | bool) for arg in typing.get_args(hint))
    if not isinstance(hint, type):
        return False
    if dataclasses.is_dataclass(hint):
        return _repr_is_stable(hint)
    return issubclass(hint, _STABLE_LEAVES)


class _Fingerprints:
    """The fingerprint of each draft: :func:`_renderer`, then a digest of the context
    (but its children and workers), the draft's plan values, the workspace records of
    the children and workers it names, and its calendars.  Whatever a component is
    drawn from is in there, so equal fingerprints mean equal components."""

    def __init__(self, ctx: PublishContext) -> None:
        self._ctx = ctx
        rest = [getattr(ctx, f.name) for f in dataclasses.fields(ctx)
                if f.name not in ("children", "workers")]
        self._prefix = f"{_renderer()}."
        self._context = hashlib.sha256(repr(_canon(rest)).encode("utf-8")).hexdigest()
        self._children: dict[str, str] = {}
        self._workers: dict[str, str] = {}

    def __call__(
        self,
        kind: str,
        values: tuple[object, ...],
        case_refs: Iterable[str],
        worker_ids: Iterable[str | None],
        calendars: tuple[str, ...],
    ) -> str:
        # Each part is a digest or a repr, so holds no NUL: joined with NULs, different
        # parts give different texts.
        parts = [self._context, kind, *map(_text, values), *map(self._child, case_refs)]
        parts += [self._worker(worker) for worker in worker_ids if worker is not None]
        parts.append(repr(calendars))
        return self._prefix + hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()

    def _child(self, case_ref: str) -> str:
        known = self._children.get(case_ref)
        if known is None:
            child = self._ctx.children.get(case_ref)
            known = self._children[case_ref] = repr(("child", case_ref, _canon(child)))
        return known

    def _worker(self, worker_id: str) -> str:
        known = self._workers.get(worker_id)
        if known is None:
            worker = self._ctx.workers.get(worker_id)
            known = self._workers[worker_id] = repr(("worker", worker_id, _canon(worker)))
        return known


def _text(value: object) -> str:
    """``repr(_canon(value))``, and for a plan value whose ``repr`` is stable that ``repr``."""
    kind: type = type(value)
    if dataclasses.is_dataclass(kind) and _repr_is_stable(kind):
        return repr(value)
    return repr(_canon(value))


def _cancelled_fingerprint(item: PublishedItem) -> str:
    """The fingerprint of :func:`_cancelled_component`'s input (what it reads of ``item``)."""
    values = (item.component, item.uid, item.stamp, item.sequence, item.summary, item.start,
              item.end, item.calendars)
    text = repr(("cancelled", _canon(values)))
    return f"{_renderer()}.{hashlib.sha256(text.encode('utf-8')).hexdigest()}"


def _visit_records(visit: PlannedVisit | None) -> tuple[list[str], list[str | None]]:
    """The children and workers a visit's components name (their workspace records)."""
    if visit is None:
        return [], []
    case_refs = [*visit.case_refs, *(checks.case_ref for checks in visit.checks)]
    return case_refs, [visit.worker_id, visit.allocated_worker_id]


# -- drafting components -------------------------------------------------------


def _drafts(schedule: Schedule, ctx: PublishContext, calendar_ids: set[str]) -> list[_Draft]:
    fingerprints = _Fingerprints(ctx)
    every_team = tuple(sorted(c for c in calendar_ids if c.startswith("team-")))
    visits = {visit.id: visit for visit in schedule.visits}
    tasks = {task.visit_id: task for task in schedule.recording_tasks}
    drafts = [
        _visit_draft(visit, tasks.get(visit.id), ctx, fingerprints) for visit in schedule.visits
    ]
    drafts += [
        _record_draft(task, visits.get(task.visit_id), ctx, fingerprints)
        for task in schedule.recording_tasks
    ]
    drafts += [
        _shortfall_draft(s, _team_calendars(s.team, s.case_ref, ctx, every_team), ctx,
                         fingerprints)
        for s in schedule.shortfalls
    ]
    drafts += [
        _escalation_draft(e, _escalation_calendars(e, ctx, every_team), ctx, fingerprints)
        for e in schedule.escalations
    ]
    drafts += [_task_draft(t, _task_calendars(t, ctx, every_team), ctx, fingerprints)
               for t in schedule.tasks]
    counts = Counter(draft.uid for draft in drafts)
    duplicates = sorted(uid for uid, count in counts.items() if count > 1)
    if duplicates:
        raise ValueError(f"the schedule gives more than one item the UID {', '.join(duplicates)}")
    return drafts


def _visit_draft(
    visit: PlannedVisit, task: RecordingTask | None, ctx: PublishContext,
    fingerprints: _Fingerprints,
) -> _Draft:
    uid = visit_uid(visit.id)
    summary, minimal = _summaries(functools.partial(_visit_summary, visit), ctx)
    start, end = visit.start.astimezone(LONDON), visit.end.astimezone(LONDON)
    calendars = (
        (visit.worker_id, team_calendar_id(visit.team)) if visit.team else (visit.worker_id,)
    )
    case_refs, workers = _visit_records(visit)
    fingerprint = fingerprints("visit", (visit, task), case_refs, workers, calendars)
    build = functools.partial(_visit_event, visit, task, ctx, uid, summary, start, end)
    return _Draft(uid, "VEVENT", calendars, summary, start, end, fingerprint, build,
                  ctx.privacy, minimal)


def _visit_event(
    visit: PlannedVisit, task: RecordingTask | None, ctx: PublishContext, uid: str,
    summary: str, start: datetime, end: datetime,
) -> Event:
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
    return event


def _record_draft(
    task: RecordingTask, visit: PlannedVisit | None, ctx: PublishContext,
    fingerprints: _Fingerprints,
) -> _Draft:
    uid = record_uid(task.visit_id)
    summary, minimal = _summaries(functools.partial(_record_summary, task, visit), ctx)
    calendars = (task.worker_id,)
    case_refs, workers = _visit_records(visit)
    fingerprint = fingerprints("record", (task, visit), case_refs, workers, calendars)
    build = functools.partial(_record_todo, task, visit, ctx, uid, summary)
    return _Draft(uid, "VTODO", calendars, summary, None, task.due, fingerprint, build,
                  ctx.privacy, minimal)


def _record_todo(
    task: RecordingTask, visit: PlannedVisit | None, ctx: PublishContext, uid: str, summary: str
) -> Todo:
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
    return todo


def _shortfall_draft(
    shortfall: Shortfall, calendars: tuple[str, ...], ctx: PublishContext,
    fingerprints: _Fingerprints,
) -> _Draft:
    """A missed deadline as an all-day event on the deadline (visible in every calendar app)."""
    summary, minimal = _summaries(functools.partial(_shortfall_summary, shortfall), ctx)
    uid, end = shortfall_uid(shortfall), shortfall.deadline + timedelta(days=1)
    fingerprint = fingerprints("shortfall", (shortfall,), [shortfall.case_ref], [], calendars)
    build = functools.partial(_shortfall_event, shortfall, uid, summary, end)
    return _Draft(uid, "VEVENT", calendars, summary, shortfall.deadline, end, fingerprint, build,
                  ctx.privacy, minimal)


def _shortfall_event(shortfall: Shortfall, uid: str, summary: str, end: date) -> Event:
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
    return event


def _escalation_draft(
    escalation: Escalation, calendars: tuple[str, ...], ctx: PublishContext,
    fingerprints: _Fingerprints,
) -> _Draft:
    """Someone must be told by ``due``: a top-priority to-do due that day (all-day DUE)."""
    summary, minimal = _summaries(functools.partial(_escalation_summary, escalation), ctx)
    uid = escalation_uid(escalation)
    fingerprint = fingerprints("escalation", (escalation,), [escalation.case_ref], [], calendars)
    build = functools.partial(_escalation_todo, escalation, uid, summary)
    return _Draft(uid, "VTODO", calendars, summary, None, escalation.due, fingerprint, build,
                  ctx.privacy, minimal)


def _task_calendars(task: TaskDue, ctx: PublishContext, every_team: tuple[str, ...]
                    ) -> tuple[str, ...]:
    """The allocated worker's calendar for a worker's task, else the team's."""
    if task.owner == "worker" and task.worker_id:
        return (task.worker_id,)
    return _team_calendars(task.team, task.case_ref, ctx, every_team)


def _task_draft(task: TaskDue, calendars: tuple[str, ...], ctx: PublishContext,
                fingerprints: _Fingerprints) -> _Draft:
    """A meeting or task due by ``task.due``: a to-do due that day (all-day DUE)."""
    summary, minimal = _summaries(functools.partial(_task_summary, task), ctx)
    uid = task_uid(task)
    fingerprint = fingerprints("task", (task,), [task.case_ref], [], calendars)
    build = functools.partial(_task_todo, task, uid, summary)
    return _Draft(uid, "VTODO", calendars, summary, None, task.due, fingerprint, build,
                  ctx.privacy, minimal)


def _task_summary(task: TaskDue, ctx: PublishContext) -> str:
    return f"Task: {_escalation_child_label(task.case_ref, ctx)} — {task.rule_id}"


def _task_todo(task: TaskDue, uid: str, summary: str) -> Todo:
    todo = Todo.new(
        uid=uid,
        stamp=_PLACEHOLDER_STAMP,
        end=task.due,
        summary=summary,
        description=f"Case {task.case_ref}, household {task.household}\n"
                    f"To do: {task.what}\nBy {task.due:%a %d %b %Y} (rule {task.rule_id})",
        categories=["task"],
        status=STATUS.NEEDS_ACTION,
    )
    _drop_placeholders(todo)
    todo.add("X-VISITPLANNER-KIND", "task")
    todo.add("X-VISITPLANNER-CASE-REF", task.case_ref)
    todo.add("X-VISITPLANNER-RULE", task.rule_id)
    return todo


def _escalation_todo(escalation: Escalation, uid: str, summary: str) -> Todo:
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
    return todo


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
        # A duty visit is in the duty worker's calendar for a family they may not know;
        # a short-notice one needs the family told at once.
        "duty": DUTY_FLAG in visit.flags,
        "short notice": SHORT_NOTICE_FLAG in visit.flags,
    }
    return [name for name, applies in categories.items() if applies]


def _visit_title(visit: PlannedVisit) -> str:
    title = _KIND_TITLES[visit.kind]
    return title if visit.announced else f"Unannounced {title[0].lower()}{title[1:]}"


def _summaries(summarise: Callable[[PublishContext], str], ctx: PublishContext
               ) -> tuple[str, str]:
    """A summary at ``ctx``'s privacy level, and at level ``minimal`` (what a kept copy
    shows once the level is lowered): ``summarise`` gives it for a context."""
    summary = summarise(ctx)
    return summary, summary if ctx.privacy == MINIMAL else summarise(_MINIMAL_CONTEXT)


def _visit_summary(visit: PlannedVisit, ctx: PublishContext) -> str:
    children = ", ".join(_child_label(ref, ctx) for ref in visit.case_refs)
    return f"{_visit_title(visit)} {visit.household} ({children})"


def _record_summary(task: RecordingTask, visit: PlannedVisit | None, ctx: PublishContext) -> str:
    what = _visit_summary(visit, ctx) if visit is not None else f"visit {task.visit_id}"
    return f"Record: {what[0].lower()}{what[1:]}"


def _shortfall_summary(shortfall: Shortfall, ctx: PublishContext) -> str:
    late = _late_text(shortfall, "")
    return f"Shortfall {_child_label(shortfall.case_ref, ctx)}: {shortfall.rule_id}, {late}"


def _escalation_summary(escalation: Escalation, ctx: PublishContext) -> str:
    summary = f"Escalate: {_escalation_child_label(escalation.case_ref, ctx)}"
    if escalation.notify:
        summary += f" — tell {_roles_text(escalation.notify)}"
    return summary


def _child_label(case_ref: str, ctx: PublishContext) -> str:
    """The case reference, plus initials (standard) or the name (full)."""
    child = ctx.children.get(case_ref)
    if child is None or ctx.privacy == MINIMAL:
        return case_ref
    if ctx.privacy == STANDARD:
        return f"{case_ref} {child.initials}"
    return f"{child.name} {case_ref}"


def _escalation_child_label(case_ref: str, ctx: PublishContext) -> str:
    """The case reference, plus initials above ``minimal``: never a name (a manager's to-do
    list is shown on more screens than a visit)."""
    child = ctx.children.get(case_ref)
    if child is None or ctx.privacy == MINIMAL:
        return case_ref
    return f"{case_ref} {child.initials}"


def _roles_text(roles: Iterable[str]) -> str:
    return ", ".join(role.replace("_", " ") for role in roles)


def _address(case_refs: Iterable[str], ctx: PublishContext) -> str:
    """The household's address, at privacy ``full`` only."""
    if ctx.privacy != FULL:
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
        plan = str(child.plan_type) if child is not None else ""
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
        # One line per check: a server may keep only the first of a comma-separated list.
        for check in child_checks.checks:
            parameters = {"X-CASE-REF": child_checks.case_ref}
            event.add("X-VISITPLANNER-CHECK", check, parameters=parameters)
    for reason in visit.reasons:
        parameters = {"X-CASE-REF": reason.case_ref, "X-DEADLINE": f"{reason.deadline:%Y%m%d}"}
        event.add("X-VISITPLANNER-RULE", reason.rule_id, parameters=parameters)
    if _is_cover(visit) and visit.allocated_worker_id is not None:
        event.add("X-VISITPLANNER-COVER-FOR", visit.allocated_worker_id)
    if visit.failure_would_breach:
        event.add("X-VISITPLANNER-NO-SLACK", "TRUE")
    if task is not None:
        event.add("X-VISITPLANNER-RECORD-BY", task.due)

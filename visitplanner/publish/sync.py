"""One-way publish with read-back: make a calendar hold the planner's documents.

The one public entry point is :func:`sync_calendar`.  For one calendar it:

1. **creates the collection** the first time (MKCALENDAR, where allowed);
2. **reads back** what changed on the server: with the stored sync token
   (RFC 6578) when there is one, else -- and when the server refuses the token,
   and every ``policy.full_reconcile_every`` syncs anyway -- with a full listing
   of ETags.  An item whose ETag moved although we did not write it was changed
   by someone else: it is fetched and classified as a worker edit, ``moved``
   (DTSTART/DTEND changed), ``edited`` (anything else) or ``deleted``;
3. **writes only what changed**: a document whose bytes differ from what we last
   wrote is updated with ``If-Match`` (the stored ETag), a new one created with
   ``If-None-Match: *`` at a name derived from its UID, a dropped one deleted
   with ``If-Match``.  Bytes are sent exactly as given (SEQUENCE is the ICS
   side's business).

Conflicts.  A worker's edit is never overwritten silently.  With
``conflict="keep_worker_edit"`` (the default) their version stays -- a deleted
visit is not re-created -- and each such item counts as a conflict on every sync
until the planner *changes that visit's document* (it has seen the edit, in
``worker-edits.json``, and decided): then the new document is written, with
``If-Match`` on the worker's ETag, and the edit is reported as resolved.  With
``conflict="overwrite"`` our version is put back at once (still reported).

The plan's verdicts.  Given :class:`PlanVerdicts` (the CLI always gives them), the
sync puts the plan back where a worker's edit does not stand, and keeps each such
case as a :class:`~visitplanner.publish.syncstatus.SyncConflict`:

- a visit the worker **deleted** is settled once, by ``policy.on_worker_delete``:
  ``"recreate"`` (the default) creates it again at once, with SEQUENCE above any
  the server has held and :data:`PUT_BACK_NOTE` first in its DESCRIPTION (a
  ``deleted`` conflict); ``"withdraw"`` leaves it deleted and keeps a
  ``withdrawn`` conflict -- the visit needs reallocating -- until the plan takes
  it out of that calendar or cancels it; it is never created there again
  meanwhile.  A visit the plan has cancelled stays deleted, and is no conflict;
- a **move** is held until a plan has been kept since it was detected (the
  planner has judged it: ``stamp`` changed), then the plan's version is written,
  also when its bytes did not change; a move the plan rejected
  (``moved_by_worker_rejected``) is kept as a ``rejected`` conflict;
- an **edit** of anything else is held, as without verdicts.

Open conflicts (the CLI exits 8) are reported once: a ``deleted`` or ``withdrawn``
one in the sync that settled it, and again only if that sync's worker edits were
never handed on (a crash; see ``close_settled``); then a put-back is forgotten and
a withdrawal stays listed, no longer open.  A ``rejected`` one is open until the
first sync under a plan kept after it.

Crashes.  Before each write the item's row records the write in flight; state
is committed before every request (one commit holds all that the previous
answer changed, :meth:`SyncStatus.batched`).  On the next run an item whose ETag changed
while a write was in flight is fetched: if it holds what we were writing
(compared by :func:`fingerprint`, so a server reordering properties does not
matter) the write is adopted, else it is a worker edit.  A create that finds
its name taken (412) does the same check, so a retry never duplicates.

Faults.  A :class:`~visitplanner.publish.storage.TransientError` (5xx, timeout,
dropped connection) is retried ``policy.max_attempts`` times with exponential
backoff (``policy.sleep`` is injectable); any other storage error ends this
calendar's sync and is reported in :attr:`CalendarSyncResult.error` -- other
calendars are unaffected.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Literal, TypeVar

from icalendar import Calendar, Component
from icalendar.prop import vCategory

from visitplanner.core.model import LONDON
from visitplanner.publish.storage import (
    InvalidSyncTokenError,
    NotFoundError,
    PreconditionFailedError,
    Storage,
    StorageError,
    TransientError,
    href_for_uid,
)
from visitplanner.publish.syncstatus import (
    PENDING_DELETE,
    PUT_BACK,
    WITHDRAWN,
    ConflictKind,
    EditKind,
    ItemState,
    SyncConflict,
    SyncStatus,
    WorkerEdit,
)

ConflictSetting = Literal["keep_worker_edit", "overwrite"]
CONFLICT_SETTINGS: tuple[ConflictSetting, ...] = ("keep_worker_edit", "overwrite")
#: What a sync with the plan's verdicts does with a visit a worker deleted that the plan
#: still has (``[caldav] on_worker_delete``): put it back, or leave it for reallocating.
WorkerDeleteSetting = Literal["recreate", "withdraw"]
RECREATE: WorkerDeleteSetting = "recreate"
WITHDRAW: WorkerDeleteSetting = "withdraw"
WORKER_DELETE_SETTINGS: tuple[WorkerDeleteSetting, ...] = (RECREATE, WITHDRAW)
T = TypeVar("T")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SyncPolicy:
    """How to sync: conflict rule, reconcile cadence, retries, and injectable effects.

    ``on_worker_delete``: see the module docstring (only with :class:`PlanVerdicts`).
    ``full_reconcile_every``: a full ETag listing on every Nth sync even when the
    sync token works (1 = always).  Retries wait ``backoff_seconds * 2**n``
    (n = 0, 1, ...) between ``max_attempts`` attempts.  ``progress`` is called
    with 1 per document handled.  ``dry_run``: read the server, write nothing
    (neither to the server nor to the sync state).
    """

    conflict: ConflictSetting = "keep_worker_edit"
    on_worker_delete: WorkerDeleteSetting = RECREATE
    full_reconcile_every: int = 10
    max_attempts: int = 4
    backoff_seconds: float = 0.5
    dry_run: bool = False
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], datetime] = _utc_now
    progress: Callable[[int], None] | None = None


@dataclass(frozen=True, slots=True)
class PlanVerdicts:
    """What the kept plan says about workers' edits (see the module docstring).

    ``stamp`` identifies the kept plan and changes whenever a plan is kept (the
    CLI uses ``plan.json``'s inode, size and modification time).  ``rejected``:
    the UIDs of the visits whose worker move the plan did not keep.
    """

    stamp: str
    rejected: frozenset[str] = frozenset()


#: What to do with an item whose worker edit is held: keep the worker's version,
#: write the plan's, or leave both alone (a delete that agrees with the plan).
HoldDecision = Literal["keep", "write", "leave"]


@dataclass(frozen=True, slots=True)
class CalendarSyncResult:
    """What one calendar's sync did.  ``error`` is set when it could not finish.

    ``conflicts``: worker edits kept instead of our version (this run).
    ``worker_edits``: edits detected and not yet acknowledged -- those of this
    run, and any of a run that crashed before reporting them.  Record them
    (:func:`~visitplanner.publish.syncstatus.record_worker_edits`), then call
    :meth:`SyncStatus.acknowledge_worker_edits`.  ``resolved``: UIDs whose
    earlier worker edit the planner's new document has now replaced.
    ``open_conflicts``: this calendar's conflicts still open after the run (only
    with :class:`PlanVerdicts`).  ``failure``: the storage error behind
    ``error``, so that a caller can tell a configuration problem (refused login,
    no such calendar) from a transient one (timeout, 5xx) by its class.
    """

    calendar: str
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    conflicts: int = 0
    worker_edits: tuple[WorkerEdit, ...] = ()
    resolved: tuple[str, ...] = ()
    open_conflicts: tuple[SyncConflict, ...] = ()
    full_reconcile: bool = False
    requests: int = 0
    error: str | None = None
    failure: StorageError | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None


def sync_calendar(
    storage: Storage,
    desired: Mapping[str, bytes],
    status: SyncStatus,
    policy: SyncPolicy | None = None,
    verdicts: PlanVerdicts | None = None,
) -> CalendarSyncResult:
    """Make the calendar ``storage`` hold ``desired`` (UID -> complete VCALENDAR bytes).

    The calendar id is ``storage.name``; ``status`` keeps the state between
    runs (committed after every request).  ``verdicts``: the kept plan's, to put
    the plan back over workers' edits that do not stand (None: only hold them).
    Never raises a storage error: a failure is returned in
    :attr:`CalendarSyncResult.error` with the counts of what was done before it.
    See the module docstring for the algorithm.
    """
    policy = policy or SyncPolicy()
    if policy.dry_run:
        status = status.copy_in_memory()
    run = _Run(storage, status, policy, dict(desired), verdicts)
    with status.batched():
        try:
            run.close_settled()
            run.ensure_collection()
            run.read_back()
            run.write_all()
            run.refresh_token()
        except StorageError as failure:
            return run.result(error=str(failure) or type(failure).__name__, failure=failure)
        return run.result()


# ---------------------------------------------------------------------- reading documents


def document_hash(data: bytes) -> str:
    """SHA-256 of the exact bytes: 'did the planner's document change?'."""
    return hashlib.sha256(data).hexdigest()


#: Properties that say when or by whom a copy was written, not what the visit is: a
#: server or a client may rewrite them (and SEQUENCE is raised by the sync itself,
#: :func:`with_sequence_above`), so they are no part of a document's meaning.
BOOKKEEPING_PROPERTIES = frozenset({"DTSTAMP", "LAST-MODIFIED", "CREATED", "SEQUENCE"})
#: Parameters that only say how a value is spelt: times are compared as instants.
SPELLING_PARAMETERS = frozenset({"TZID", "VALUE"})
#: The main component's SEQUENCE line (the VTIMEZONE has none; ours come first).
_SEQUENCE_LINE = re.compile(rb"\r\nSEQUENCE:(\d+)\r\n")
#: Readings kept in memory: a sync reads each document it writes once, not three times.
READINGS_CACHED = 8192


@dataclass(frozen=True, slots=True)
class Reading:
    """What the sync needs of one document, from one parse.

    ``fingerprint``: see :func:`fingerprint`.  ``start`` / ``end``: the event's or
    to-do's times (end: DTEND, DUE or start + DURATION), None when absent.
    ``sequence``: its SEQUENCE (0 when absent).
    """

    fingerprint: str
    start: date | datetime | None = None
    end: date | datetime | None = None
    cancelled: bool = False
    sequence: int = 0

    @property
    def time_keys(self) -> tuple[str | None, str | None]:
        return _key(self.start), _key(self.end)


@functools.lru_cache(maxsize=READINGS_CACHED)
def read_document(data: bytes) -> Reading:
    """Parse ``data`` once: its meaning's fingerprint, times, status and SEQUENCE."""
    try:
        calendar = Calendar.from_ical(data)
    except ValueError:
        return Reading("raw:" + document_hash(data.replace(b"\r\n", b"\n")))
    lines = sorted(_meaning_lines(calendar))
    mark = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    main = next((c for c in calendar.walk() if c.name in ("VEVENT", "VTODO")), None)
    if main is None:
        return Reading(mark)
    start, end = _times(main)
    cancelled = str(main.get("STATUS", "")).upper() == "CANCELLED"
    return Reading(mark, start, end, cancelled, _sequence(main))


def fingerprint(data: bytes) -> str:
    """A hash of what a document *means*: adopt a server's copy by meaning, not bytes.

    Blind to what servers change without changing the visit: property order and
    line folding (Radicale and Xandikos both reorder), how a time is spelt (a
    TZID or UTC: times are compared as instants), the VTIMEZONE (servers rewrite
    it), one list value per line or a list on one line (``CATEGORIES``), and
    :data:`BOOKKEEPING_PROPERTIES`.  Everything else counts: UID, times, STATUS,
    SUMMARY, DESCRIPTION, every check, alarms ... so any edit a worker makes shows.

    >>> a = b"BEGIN:VCALENDAR\\r\\nBEGIN:VEVENT\\r\\nUID:x\\r\\nSUMMARY:Visit\\r\\nSEQUENCE:1\\r\\n"
    >>> b = b"BEGIN:VCALENDAR\\r\\nBEGIN:VEVENT\\r\\nSEQUENCE:2\\r\\nSUMMARY:Visit\\r\\nUID:x\\r\\n"
    >>> end = b"END:VEVENT\\r\\nEND:VCALENDAR\\r\\n"
    >>> fingerprint(a + end) == fingerprint(b + end)
    True
    """
    return read_document(data).fingerprint


def _meaning_lines(component: Component, path: str = "") -> list[str]:
    if component.name == "VTIMEZONE":
        return []
    here = f"{path}/{component.name}"
    lines = [
        f"{here}:{name}:{text}:{_meaning_params(value)}"
        for name, values in component.items()
        if name not in BOOKKEEPING_PROPERTIES
        for value in (values if isinstance(values, list) else [values])
        for text in _meaning_values(value)
    ]
    for sub in component.subcomponents:
        lines.extend(_meaning_lines(sub, here))
    return lines


def _meaning_values(value: object) -> list[str]:
    """The value(s) of one property line as meaning: instants in UTC, list items one by one."""
    if isinstance(value, vCategory):
        return [str(category) for category in value.cats]
    decoded = getattr(value, "dt", None)
    if isinstance(decoded, date | datetime):
        return [_key(decoded) or ""]
    to_ical = getattr(value, "to_ical", None)
    text = to_ical() if to_ical is not None else value
    return [text.decode("utf-8") if isinstance(text, bytes) else str(text)]


def _meaning_params(value: object) -> list[tuple[str, str]]:
    params = getattr(value, "params", {})
    return sorted((k, str(v)) for k, v in params.items() if k not in SPELLING_PARAMETERS)


def _times(component: Component) -> tuple[date | datetime | None, date | datetime | None]:
    start = component.decoded("DTSTART", None)
    end = component.decoded("DTEND", None) or component.decoded("DUE", None)
    duration = component.decoded("DURATION", None)
    if end is None and start is not None and isinstance(duration, timedelta):
        end = start + duration
    return start, end


def _sequence(component: Component) -> int:
    try:
        return int(component.get("SEQUENCE", 0))
    except (TypeError, ValueError):
        return 0


def _key(value: date | datetime | None) -> str | None:
    """A comparable key: aware times in UTC, floating times and dates as written."""
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).isoformat()
    return value.isoformat()


def _local(value: date | datetime | None) -> str:
    """ISO local wall-clock time (Europe/London) for the planner; '' if absent."""
    if value is None:
        return ""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(LONDON).replace(tzinfo=None).isoformat()
    return value.isoformat()


def is_cancelled(data: bytes) -> bool:
    """Whether the document's event or to-do is withdrawn (``STATUS:CANCELLED``)."""
    return read_document(data).cancelled


# ---------------------------------------------------------------------- the put-back note

#: First in the DESCRIPTION of a visit put back after a worker deleted it: why it is
#: back and what to do, and nothing about the child or the family (no comma: some
#: servers split TEXT at commas).
PUT_BACK_NOTE = ("Put back by visitplanner: this visit was deleted from this calendar but the "
                 "plan still needs it. If you cannot make it please tell your manager instead "
                 "of deleting it.")
#: Content lines are folded at this many octets (RFC 5545 section 3.1).
FOLD_OCTETS = 75
_MAIN_COMPONENTS = (b"VEVENT", b"VTODO")
_TEXT_ESCAPES = {"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n"}


def with_put_back_note(data: bytes) -> bytes:
    """``data`` with :data:`PUT_BACK_NOTE` and a blank line first in its event's or
    to-do's DESCRIPTION (added when it has none).

    Only that property's lines are rewritten (refolded, RFC 5545 section 3.1); an
    alarm's DESCRIPTION and every other byte stay as they are.

    >>> doc = (b"BEGIN:VCALENDAR\\r\\nBEGIN:VEVENT\\r\\nUID:x\\r\\nDESCRIPTION:Due by: Mon\\r\\n"
    ...        b"END:VEVENT\\r\\nEND:VCALENDAR\\r\\n")
    >>> event = Calendar.from_ical(with_put_back_note(doc)).walk("VEVENT")[0]
    >>> str(event["DESCRIPTION"]) == PUT_BACK_NOTE + "\\n\\nDue by: Mon"
    True
    """
    lines = data.split(b"\r\n")
    own = _main_property_lines(lines)
    if not own:
        return data
    note = _escaped(PUT_BACK_NOTE).encode("utf-8")
    found = next((i for i in own if _property_name(lines[i]) == b"DESCRIPTION"), None)
    if found is None:  # first among the properties
        lines[own[0] : own[0]] = _folded(b"DESCRIPTION:" + note)
        return b"\r\n".join(lines)
    last = found + 1
    while last < len(lines) and lines[last][:1] in (b" ", b"\t"):
        last += 1
    logical = lines[found] + b"".join(line[1:] for line in lines[found + 1 : last])
    colon = _value_colon(logical)
    logical = logical[: colon + 1] + note + b"\\n\\n" + logical[colon + 1 :]
    lines[found:last] = _folded(logical)
    return b"\r\n".join(lines)


def _main_property_lines(lines: list[bytes]) -> list[int]:
    """Indices of the first event's or to-do's own property lines (the first physical line
    of each; not its alarms' lines)."""
    own: list[int] = []
    depth, inside = 0, False
    for index, line in enumerate(lines):
        upper = line.upper()
        if upper.startswith(b"BEGIN:"):
            depth += 1
            inside = inside or (depth == 2 and upper[6:].strip() in _MAIN_COMPONENTS)
        elif upper.startswith(b"END:"):
            if inside and depth == 2:
                return own
            depth -= 1
        elif inside and depth == 2 and line[:1] not in (b" ", b"\t"):
            own.append(index)
    return own


def _property_name(line: bytes) -> bytes:
    return re.split(rb"[;:]", line, maxsplit=1)[0].upper()


def _value_colon(line: bytes) -> int:
    """Where a content line's value starts (the first colon outside a quoted parameter)."""
    quoted = False
    for index, byte in enumerate(line):
        if byte == ord('"'):
            quoted = not quoted
        elif byte == ord(":") and not quoted:
            return index
    return len(line)


def _escaped(text: str) -> str:
    """``text`` as an RFC 5545 TEXT value (section 3.3.11)."""
    return "".join(_TEXT_ESCAPES.get(char, char) for char in text)


def _folded(logical: bytes) -> list[bytes]:
    """One content line folded into physical lines of at most :data:`FOLD_OCTETS` octets,
    never inside a UTF-8 character or an escape."""
    lines: list[bytes] = []
    rest = logical
    while len(rest) > FOLD_OCTETS:
        cut = FOLD_OCTETS
        while cut > 1 and (rest[cut] & 0xC0 == 0x80 or rest[cut - 1] == ord("\\")):
            cut -= 1
        lines.append(rest[:cut])
        rest = b" " + rest[cut:]
    return [*lines, rest]


# ---------------------------------------------------------------------- the run


@dataclass
class _Counts:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    conflicts: int = 0
    requests: int = 0
    full: bool = False
    resolved: list[str] = field(default_factory=list)


class _Run:
    """One calendar's sync in progress (mutable working state, private)."""

    def __init__(
        self,
        storage: Storage,
        status: SyncStatus,
        policy: SyncPolicy,
        desired: dict[str, bytes],
        verdicts: PlanVerdicts | None = None,
    ) -> None:
        self.storage = storage
        self.calendar = storage.name
        self.status = status
        self.policy = policy
        self.desired = desired
        self.verdicts = verdicts
        self.counts = _Counts()
        self.items = status.items(self.calendar)
        self.unreported: set[str] = set()

    def result(
        self, error: str | None = None, failure: StorageError | None = None
    ) -> CalendarSyncResult:
        c = self.counts
        return CalendarSyncResult(
            calendar=self.calendar,
            created=c.created,
            updated=c.updated,
            deleted=c.deleted,
            unchanged=c.unchanged,
            conflicts=c.conflicts,
            worker_edits=tuple(self.status.worker_edits(self.calendar)),
            resolved=tuple(c.resolved),
            open_conflicts=tuple(x for x in self.status.conflicts(self.calendar) if x.is_open),
            full_reconcile=c.full,
            requests=c.requests,
            error=error,
            failure=failure,
        )

    # -------------------------------------------------------------- plumbing

    def call(self, function: Callable[..., T], *args: object) -> T:
        """Call the storage, retrying transient failures with exponential backoff.

        The state is committed first: a write in flight is on disk before it is sent.
        """
        self.status.checkpoint()
        for attempt in range(self.policy.max_attempts):
            self.counts.requests += 1
            try:
                return function(*args)
            except TransientError:
                if attempt + 1 >= self.policy.max_attempts:
                    raise
                self.policy.sleep(self.policy.backoff_seconds * 2**attempt)
        raise AssertionError("unreachable")

    def save(self, state: ItemState, **changes: str | int | None) -> ItemState:
        state = self.status.update(self.calendar, state, **changes)
        self.items[state.uid] = state
        return state

    def forget(self, uid: str) -> None:
        self.status.remove(self.calendar, uid)
        self.items.pop(uid, None)

    def tick(self) -> None:
        if self.policy.progress is not None:
            self.policy.progress(1)

    def now(self) -> str:
        return self.policy.clock().astimezone(UTC).isoformat(timespec="seconds")

    # -------------------------------------------------------------- 0. conflicts

    def close_settled(self) -> None:
        """Open conflicts that have been reported stop being open.

        A worker's delete, put back or withdrawn, has been reported once its edit was
        handed on (acknowledged: no longer in the sync state's worker edits): a put-back
        is forgotten, a withdrawal stays, no longer open.  A rejected move closes under
        a plan kept after it: the planner has seen it.
        """
        if self.verdicts is None:
            return
        pending = {edit.uid for edit in self.status.worker_edits(self.calendar)}
        for conflict in self.status.conflicts(self.calendar):
            if not conflict.is_open:
                continue
            if conflict.kind == "rejected":
                if conflict.plan_stamp != self.verdicts.stamp:
                    self.close_conflict(conflict.uid)
            elif conflict.uid in pending:
                continue  # not handed on yet (a crash): reported again
            elif conflict.kind == WITHDRAWN:
                self.status.put_conflict(replace(conflict, reported=True))
            else:
                self.close_conflict(conflict.uid)

    def close_conflict(self, uid: str) -> None:
        self.status.remove_conflict(self.calendar, uid)
        self.counts.resolved.append(uid)

    def keep_conflict(self, uid: str, kind: ConflictKind, worker_start: str = "") -> None:
        """Record ``uid``'s conflict under the current plan (only with verdicts)."""
        if self.verdicts is None:
            return
        known = self.status.conflict(self.calendar, uid)
        self.status.put_conflict(
            SyncConflict(
                calendar=self.calendar,
                uid=uid,
                kind=kind,
                worker_start=worker_start or (known.worker_start if known else ""),
                detected=known.detected if known else self.now(),
                plan_stamp=self.verdicts.stamp,
            )
        )

    # -------------------------------------------------------------- 1. collection

    def ensure_collection(self) -> None:
        if self.status.collection_checked(self.calendar) or self.policy.dry_run:
            return
        self.call(self.storage.ensure_collection)
        self.status.mark_collection_checked(self.calendar)

    # -------------------------------------------------------------- 2. read-back

    def read_back(self) -> None:
        token = self.status.token(self.calendar)
        every = max(1, self.policy.full_reconcile_every)
        full = token is None or self.status.syncs_since_full(self.calendar) + 1 >= every
        changed: Mapping[str, str] = {}
        deleted: set[str] = set()
        if not full:
            try:
                changes = self.call(self.storage.changes_since, token)
                changed, deleted, token = changes.changed, set(changes.deleted), changes.token
            except InvalidSyncTokenError:
                full = True
        if full:
            changed, deleted, token = self.full_listing()
        self.counts.full = full
        self.inspect(changed, deleted)
        if full:
            self.adopt_strangers(changed)
        self.status.set_token(self.calendar, token, full)

    def refresh_token(self) -> None:
        """After creating items, move the token past our own writes.

        Otherwise a server may report nothing for an item we created and a
        worker then deleted (it did not exist at the old token: RFC 6578
        allows leaving it out), and that delete would go unseen.  After updates
        and deletes alone no request is needed: an item we updated existed at the
        old token, so the next sync hears of a worker's delete, and it reports our
        own update with the ETag we stored, which is taken for what it is.
        """
        token = self.status.token(self.calendar)
        if self.policy.dry_run or token is None or not self.counts.created:
            return
        try:
            changes = self.call(self.storage.changes_since, token)
        except InvalidSyncTokenError:
            return
        self.inspect(changes.changed, set(changes.deleted))
        self.status.store_token(self.calendar, changes.token)

    def full_listing(self) -> tuple[dict[str, str], set[str], str | None]:
        """Every href and ETag: an initial sync-collection (which gives a token) or a PROPFIND."""
        token: str | None
        try:
            changes = self.call(self.storage.changes_since, None)
            listing, token = dict(changes.changed), changes.token
        except InvalidSyncTokenError:
            listing, token = self.call(self.storage.list), None
        known = {s.href for s in self.items.values() if s.etag is not None}
        return listing, known - listing.keys(), token

    def inspect(self, changed: Mapping[str, str], deleted: set[str]) -> None:
        """Classify what changed remotely: our own writes, landed writes, worker edits."""
        by_href = {state.href: state for state in self.items.values()}
        suspects = [
            by_href[href]
            for href, etag in changed.items()
            if href in by_href and (by_href[href].etag != etag or by_href[href].pending_hash)
        ]
        for href in deleted:
            if href in by_href:
                self.gone(by_href[href])
        fetched = self.call(self.storage.get, [s.href for s in suspects]) if suspects else {}
        for state in suspects:
            if state.href in fetched:
                self.changed(state, *fetched[state.href])
            else:
                self.gone(state)
        for state in list(self.items.values()):
            if state.pending_hash:  # a write in flight that never reached the server
                self.save(state, pending_hash=None, pending_fp=None)

    def adopt_strangers(self, listing: Mapping[str, str]) -> None:
        """Items at our names that the sync state does not know (it was lost, or a create's
        answer never came): one that means what we would write is ours, adopted without a
        write; any other is left to the create, which meets it (412) and keeps it as a
        worker's edit -- without our earlier version, it cannot be told apart from one."""
        known = {state.href for state in self.items.values()}
        wanted = {href_for_uid(uid): uid for uid in self.desired}
        strangers = [href for href in listing if href in wanted and href not in known]
        if not strangers:
            return
        for href, (data, etag) in self.call(self.storage.get, strangers).items():
            uid = wanted[href]
            ours = self.desired[uid]
            mine = (read_document(ours).fingerprint,
                    read_document(with_put_back_note(ours)).fingerprint)
            if read_document(data).fingerprint in mine:
                self.confirm(ItemState(uid=uid, href=href), etag, document_hash(ours), data)

    def changed(self, state: ItemState, data: bytes, etag: str) -> None:
        """The item at ``state.href`` now holds ``data`` (ETag ``etag``); whose version is it?"""
        reading = read_document(data)
        mark = reading.fingerprint
        state = self.saw_sequence(state, reading.sequence)
        if state.pending_hash not in (None, PENDING_DELETE) and mark == state.pending_fp:
            self.confirm(state, etag, state.pending_hash, data)  # our write landed
        elif mark == state.fingerprint and state.etag is not None:
            # Same content as ours (a server touch, or a worker undoing their edit).
            if state.held:
                self.counts.resolved.append(state.uid)
            self.save(
                state, etag=etag, pending_hash=None, pending_fp=None, held=None, held_hash=None
            )
            if state.held:
                self.settle(state.uid, None)  # the worker's version is ours again
        elif state.etag == etag and state.pending_hash:
            self.save(state, pending_hash=None, pending_fp=None)  # in-flight write never landed
        else:
            moved = state.fingerprint is not None and reading.time_keys != (state.start, state.end)
            self.worker_edit(state, "moved" if moved else "edited", data, etag)

    def saw_sequence(self, state: ItemState, sequence: int) -> ItemState:
        """Remember the highest SEQUENCE the server has held for the item."""
        if sequence <= (state.sequence_seen if state.sequence_seen is not None else -1):
            return state
        return self.save(state, sequence_seen=sequence)

    def above_seen(self, state: ItemState, data: bytes) -> bytes:
        """``data`` with its SEQUENCE raised above any the server has held, where it is not.

        A worker's client raises SEQUENCE when they edit; a rewrite of ours at the same
        number could be taken for an old copy (RFC 5545 section 3.8.7.4).  The ICS side's
        own numbering is kept whenever it is already above.
        """
        if state.sequence_seen is None:
            return data
        floor = state.sequence_seen + 1
        found = _SEQUENCE_LINE.search(data)
        if found is None or int(found.group(1)) >= floor:
            return data
        return data[: found.start(1)] + str(floor).encode() + data[found.end(1) :]

    def gone(self, state: ItemState) -> None:
        """The item is no longer on the server."""
        if state.pending_hash == PENDING_DELETE:
            self.forget(state.uid)  # our delete landed
        elif state.etag is None and state.pending_hash:
            # Reported gone, so our create did land; someone removed it since.
            self.worker_edit(state, "deleted", None, None)
        elif state.etag is None or state.held == "deleted":
            self.save(state, pending_hash=None, pending_fp=None)
        else:
            self.worker_edit(state, "deleted", None, None)

    def worker_edit(
        self, state: ItemState, kind: EditKind, data: bytes | None, etag: str | None
    ) -> ItemState:
        reading = read_document(data) if data is not None else Reading("")
        start, end = reading.start, reading.end
        detected = self.now()
        self.status.add_worker_edit(
            WorkerEdit(
                calendar=self.calendar,
                uid=state.uid,
                kind=kind,
                start=_local(start),
                end=_local(end),
                detected=detected,
            )
        )
        if self.verdicts is not None:
            self.status.remove_conflict(self.calendar, state.uid)  # a new edit: a new conflict
            self.keep_conflict(state.uid, self.conflict_kind(kind), _local(start))
        wanted = self.desired.get(state.uid)
        return self.save(
            state,
            etag=etag,
            held=kind,
            held_hash=document_hash(wanted) if wanted is not None else None,
            pending_hash=None,
            pending_fp=None,
        )

    def conflict_kind(self, kind: EditKind) -> ConflictKind:
        """The conflict a worker's edit makes (a delete's, by ``on_worker_delete``); the
        writes correct it where the plan has cancelled or dropped the visit."""
        if kind != "deleted":
            return kind
        return WITHDRAWN if self.policy.on_worker_delete == WITHDRAW else PUT_BACK

    def confirm(self, state: ItemState, etag: str, local_hash: str, data: bytes) -> ItemState:
        """Record that the server holds our ``data`` with ``etag``."""
        reading = read_document(data)
        start, end = reading.time_keys
        state = self.saw_sequence(state, reading.sequence)
        return self.save(
            state,
            etag=etag,
            local_hash=local_hash,
            fingerprint=reading.fingerprint,
            start=start,
            end=end,
            pending_hash=None,
            pending_fp=None,
            held=None,
            held_hash=None,
        )

    # -------------------------------------------------------------- 3. writes

    def write_all(self) -> None:
        self.unreported = {edit.uid for edit in self.status.worker_edits(self.calendar)}
        for uid in sorted(self.desired):
            self.write_one(uid, self.desired[uid])
            self.tick()
        for uid in sorted(set(self.items) - set(self.desired)):
            self.drop_one(self.items[uid])
            self.tick()

    def write_one(self, uid: str, data: bytes) -> None:
        state = self.items.get(uid) or ItemState(uid=uid, href=href_for_uid(uid))
        wanted = document_hash(data)
        decision = self.decide_hold(state, wanted, data) if state.held else None
        if decision == "keep" and state.held == "deleted":
            self.delete_stands(uid)
            return
        if decision == "keep":
            self.counts.conflicts += 1
            return
        if decision == "leave":  # the worker's delete agrees with the plan
            if self.verdicts is not None:
                self.status.remove_conflict(self.calendar, uid)
            self.counts.unchanged += 1
            return
        if state.etag is None:
            put_back = (decision == "write" and state.held == "deleted"
                        and self.verdicts is not None)
            self.create(state, with_put_back_note(data) if put_back else data, wanted)
        elif state.local_hash == wanted and not state.held:
            self.counts.unchanged += 1
        else:
            self.update(state, data)
        if decision == "write":
            self.settle(uid, self.settled_kind(state))

    def delete_stands(self, uid: str) -> None:
        """A worker's delete is left standing: a conflict in the sync that reports it,
        then settled (with verdicts: kept as withdrawn, the visit to be reallocated)."""
        if self.verdicts is None:
            reported = uid not in self.unreported
        else:
            known = self.status.conflict(self.calendar, uid)
            reported = known is not None and known.kind == WITHDRAWN and known.reported
            if known is None or known.kind != WITHDRAWN:
                self.keep_conflict(uid, WITHDRAWN)
        if reported:
            self.counts.unchanged += 1
        else:
            self.counts.conflicts += 1

    def drop_one(self, state: ItemState) -> None:
        decision = self.decide_hold(state, None, None) if state.held else None
        if decision in ("keep", "leave"):
            self.counts.conflicts += 1
            return
        if state.etag is None:
            self.forget(state.uid)  # nothing on the server to delete
        else:
            self.delete(state)
        if decision == "write":
            self.settle(state.uid, None)

    def decide_hold(self, state: ItemState, wanted: str | None, data: bytes | None) -> HoldDecision:
        """Held worker edit: keep their version, write the plan's, or leave a delete be.

        With verdicts, a deleted item as :meth:`decide_delete` says, and a move is
        written once a plan has been kept since it was seen; with ``overwrite``, write;
        otherwise write once the plan's document changed.  An edit the planner has
        not been told of yet (``unreported``) is always kept.
        """
        if self.verdicts is not None and state.held == "deleted":
            return self.decide_delete(data)
        if self.policy.conflict == "overwrite":
            return "write"
        if state.uid in self.unreported:
            # The planner has not seen this edit yet: its document cannot be a
            # decision about it.  The baseline moves to the plan it will see.
            if wanted != state.held_hash:
                self.save(state, held_hash=wanted)
            if self.verdicts is not None:  # reported now, so seen by the next plan
                self.keep_conflict(state.uid, "moved" if state.held == "moved" else "edited")
            return "keep"
        known = self.status.conflict(self.calendar, state.uid) if self.verdicts else None
        if self.verdicts is not None and state.held == "moved" and known is not None:
            judged = known.plan_stamp != self.verdicts.stamp
        else:
            judged = wanted != state.held_hash
        if not judged:
            return "keep"
        self.counts.resolved.append(state.uid)
        return "write"

    def decide_delete(self, data: bytes | None) -> HoldDecision:
        """A worker's delete, judged by the plan's document (None: the plan dropped the
        item from this calendar: forget it) and ``on_worker_delete``."""
        if data is None:
            return "write"
        if is_cancelled(data):
            return "leave"
        return "write" if self.policy.on_worker_delete == RECREATE else "keep"

    def settled_kind(self, state: ItemState) -> ConflictKind | None:
        """The open conflict a written hold leaves: a deleted visit put back, a rejected
        move undone; None when the worker's edit simply gave way to a new plan."""
        if self.verdicts is None:
            return None
        if state.held == "deleted":
            return PUT_BACK
        if state.held == "moved" and state.uid in self.verdicts.rejected:
            return "rejected"
        return None

    def settle(self, uid: str, kind: ConflictKind | None) -> None:
        """After a hold was written or left: keep the open conflict it leaves, or none.

        Not when the item is held again (a new worker edit came in meanwhile), except
        in a dry run, which writes nothing and reports what it would have settled.
        """
        if self.verdicts is None:
            return
        now = self.items.get(uid)
        if now is not None and now.held and not self.policy.dry_run:
            return
        if kind is None:
            self.status.remove_conflict(self.calendar, uid)
        else:
            self.keep_conflict(uid, kind)

    def create(self, state: ItemState, data: bytes, local_hash: str | None = None) -> None:
        """Create ``data``; ``local_hash``: the plan's document's, when ``data`` is its
        put-back copy (:func:`with_put_back_note`)."""
        if self.policy.dry_run:
            self.counts.created += 1
            return
        local_hash = local_hash or document_hash(data)
        sent = self.above_seen(state, data)
        state = self.save(state, pending_hash=local_hash, pending_fp=fingerprint(sent))
        try:
            etag = self.call(self.storage.create, state.href, sent)
        except PreconditionFailedError:
            self.name_taken(state, self.desired.get(state.uid, data))
            return
        self.confirm(state, etag, local_hash, sent)
        self.counts.created += 1

    def name_taken(self, state: ItemState, data: bytes) -> None:
        """Our create met an existing item at our name: adopt it if it is ours."""
        found = self.call(self.storage.get, [state.href]).get(state.href)
        if found is None:
            raise PreconditionFailedError(f"{state.href} exists but cannot be read")
        self.changed(state, *found)
        state = self.items[state.uid]
        if state.held:
            self.write_one(state.uid, data)  # a conflict, or overwrite: the policy decides
        else:
            self.counts.created += 1

    def update(self, state: ItemState, data: bytes) -> None:
        if self.policy.dry_run:
            self.counts.updated += 1
            return
        assert state.etag is not None
        state = self.save(state, pending_hash=document_hash(data), pending_fp=fingerprint(data))
        sent = self.above_seen(state, data)
        try:
            etag = self.call(self.storage.update, state.href, sent, state.etag)
        except PreconditionFailedError:
            self.changed_under_us(state, data)
            return
        except NotFoundError:
            self.gone_under_us(state, data)
            return
        self.confirm(state, etag, document_hash(data), sent)
        self.counts.updated += 1

    def changed_under_us(self, state: ItemState, data: bytes | None) -> None:
        """412: someone wrote the item between our read-back and our write."""
        found = self.call(self.storage.get, [state.href]).get(state.href)
        if found is None:
            self.gone_under_us(state, data)
            return
        self.changed(state, *found)
        self.retry_after_edit(self.items[state.uid], data)

    def gone_under_us(self, state: ItemState, data: bytes | None) -> None:
        """404: someone deleted the item between our read-back and our write."""
        if data is None:  # we were deleting it anyway
            self.forget(state.uid)
            self.counts.deleted += 1
            return
        self.gone(state)
        self.retry_after_edit(self.items[state.uid], data)

    def retry_after_edit(self, state: ItemState, data: bytes | None) -> None:
        decided = self.policy.conflict == "overwrite" or (
            self.verdicts is not None and state.held == "deleted")
        if state.held and not decided:
            self.counts.conflicts += 1
        elif state.held and data is not None:
            self.write_one(state.uid, data)
        elif state.held:
            self.drop_one(state)
        elif data is not None:  # it was our own write after all (a retried request)
            self.counts.updated += 1
        else:
            self.counts.deleted += 1

    def delete(self, state: ItemState) -> None:
        if self.policy.dry_run:
            self.counts.deleted += 1
            return
        assert state.etag is not None
        state = self.save(state, pending_hash=PENDING_DELETE, pending_fp=None)
        try:
            self.call(self.storage.delete, state.href, state.etag)
        except PreconditionFailedError:
            self.changed_under_us(state, None)
            return
        except NotFoundError:
            pass  # already gone: a retried delete that had landed, or a worker's
        self.forget(state.uid)
        self.counts.deleted += 1

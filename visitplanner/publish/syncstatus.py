"""What the sync remembers between runs, and the worker edits it hands to the planner.

Sync state lives in SQLite at ``<workspace>/.visitplanner/sync.sqlite``, one row
per calendar and one per item.  A sync keeps its changes in a batch
(:meth:`SyncStatus.batched`) committed before each request it sends, so a sync
interrupted at any point resumes from what the server really holds; outside a
batch every change is committed at once.

Before each write the item's row records the write *in flight* (``pending_*``);
the next run uses it to tell "our write landed but we never heard back" from "a
worker edited the item" (see :mod:`visitplanner.publish.sync`).

Worker edits (a visit a worker moved, edited or deleted in their own calendar)
are written to ``<workspace>/.visitplanner/worker-edits.json`` for the planner:
:func:`record_worker_edits` and :func:`load_worker_edits`.

Conflicts (:class:`SyncConflict`) are the worker edits that disagree with the plan,
kept here between runs: a worker's version *held* until the planner has judged it
(``moved``, ``edited``), the *open* ones, where the sync put the plan's version back
over the worker's (``deleted``, ``rejected``), and the visits a worker deleted that
the sync left deleted for the manager to reallocate (``withdrawn``, with
``[caldav] on_worker_delete = "withdraw"``).  :func:`describe_conflicts` says what
each one is for people, from the kept plan: visit, day, worker, the rule.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from visitplanner.inputs.fsutil import write_atomic

if TYPE_CHECKING:
    from visitplanner.core.model import PlannedVisit, Reason

STATE_DIR = ".visitplanner"
STATUS_FILE = "sync.sqlite"
WORKER_EDITS_FILE = "worker-edits.json"

EditKind = Literal["moved", "edited", "deleted"]
ConflictKind = Literal["moved", "edited", "deleted", "rejected", "withdrawn"]

#: A worker's delete the sync settled by putting the visit back (``on_worker_delete =
#: "recreate"``), and one it left standing, for the manager to reallocate (``"withdraw"``).
PUT_BACK: ConflictKind = "deleted"
WITHDRAWN: ConflictKind = "withdrawn"
#: Conflicts the sync has settled and names in its summary (``sync`` exits 8): a put-back
#: delete and a withdrawal until a sync has reported them (:attr:`SyncConflict.reported`),
#: a rejected move until a plan is kept after it was undone.
OPEN_KINDS: frozenset[str] = frozenset({PUT_BACK, "rejected", WITHDRAWN})
#: Conflicts where the worker's version is kept until the planner has judged it.
HELD_KINDS: frozenset[str] = frozenset({"moved", "edited"})
#: A visit's calendar UID is its id with this suffix (``v-...@visitplanner``).
VISIT_UID_SUFFIX = "@visitplanner"

#: The status database holds calendar data: its owner alone may read it.
PRIVATE_MODE = 0o600

#: Seconds a connection waits for another's write to finish (calendars synced at once).
BUSY_TIMEOUT_SECONDS = 30

#: ``pending_hash`` value of a delete in flight.
PENDING_DELETE = "DELETE"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calendars (
    calendar TEXT PRIMARY KEY,
    token TEXT,
    syncs_since_full INTEGER NOT NULL DEFAULT 0,
    collection_checked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS items (
    calendar TEXT NOT NULL,
    uid TEXT NOT NULL,
    href TEXT NOT NULL,
    etag TEXT,
    local_hash TEXT,
    fingerprint TEXT,
    start TEXT,
    "end" TEXT,
    pending_hash TEXT,
    pending_fp TEXT,
    held TEXT,
    held_hash TEXT,
    sequence_seen INTEGER,
    PRIMARY KEY (calendar, uid)
);
CREATE TABLE IF NOT EXISTS worker_edits (
    calendar TEXT NOT NULL,
    uid TEXT NOT NULL,
    kind TEXT NOT NULL,
    start TEXT NOT NULL,
    "end" TEXT NOT NULL,
    detected TEXT NOT NULL,
    PRIMARY KEY (calendar, uid)
);
CREATE TABLE IF NOT EXISTS conflicts (
    calendar TEXT NOT NULL,
    uid TEXT NOT NULL,
    kind TEXT NOT NULL,
    worker_start TEXT NOT NULL,
    detected TEXT NOT NULL,
    plan_stamp TEXT NOT NULL,
    reported INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (calendar, uid)
);
"""


@dataclass(frozen=True, slots=True)
class ItemState:
    """One item as the sync last knew it.

    ``etag``: the server's ETag when we last saw the item (None: never confirmed).
    ``local_hash`` / ``fingerprint``: SHA-256 of the bytes we last wrote and of
    their meaning (see :func:`visitplanner.publish.sync.fingerprint`).
    ``start`` / ``end``: the times we last wrote, as comparable keys.
    ``pending_hash`` / ``pending_fp``: a write in flight (``PENDING_DELETE`` for a delete).
    ``held``: a worker's edit we keep (moved/edited/deleted); ``held_hash`` the
    planner's document hash at the time, so a later re-plan can be told apart.
    ``sequence_seen``: the highest SEQUENCE any copy on the server has carried (ours
    or a worker's), so that every write goes above it (RFC 5545 section 3.8.7.4).
    """

    uid: str
    href: str
    etag: str | None = None
    local_hash: str | None = None
    fingerprint: str | None = None
    start: str | None = None
    end: str | None = None
    pending_hash: str | None = None
    pending_fp: str | None = None
    held: str | None = None
    held_hash: str | None = None
    sequence_seen: int | None = None


@dataclass(frozen=True, slots=True)
class WorkerEdit:
    """A change a worker made to a published visit, for the planner to consume.

    ``start`` / ``end`` are ISO 8601 local wall-clock times of the worker's
    version (empty for a delete); ``detected`` is when the sync noticed it (ISO, UTC).
    """

    calendar: str
    uid: str
    kind: EditKind
    start: str
    end: str
    detected: str


@dataclass(frozen=True, slots=True)
class SyncConflict:
    """A worker's edit of one item that disagrees with the plan, kept between syncs.

    ``kind``: ``moved`` or ``edited`` -- the worker's version is *held* (kept on
    the server) until the planner has judged it; ``deleted`` -- the worker deleted
    an item the plan still has, and the sync put it back; ``withdrawn`` -- the
    worker deleted it and the sync left it deleted: the visit needs reallocating
    (kept until the plan takes it out of that calendar or cancels it);
    ``rejected`` -- the plan did not keep the worker's move (it breaks a rule), and
    the sync put the planned version back.  Those three are *open* (:attr:`is_open`):
    a ``deleted`` or ``withdrawn`` one until a later sync finds it reported (the
    edit handed to the planner: ``reported``; a put-back is then forgotten), a
    ``rejected`` one until a plan is kept after ``plan_stamp``, the kept plan's
    identity when the sync settled it.  ``worker_start``: ISO local start of the
    worker's version ('' for a delete); ``detected``: when the sync first saw the
    edit (ISO, UTC).
    """

    calendar: str
    uid: str
    kind: ConflictKind
    worker_start: str
    detected: str
    plan_stamp: str
    reported: bool = False

    @property
    def is_open(self) -> bool:
        return self.kind in OPEN_KINDS and not self.reported


class SyncStatus:
    """The SQLite store of sync state for every calendar of a workspace."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._batching = False
        self._db.executescript(_SCHEMA)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """A database made by an earlier release gains the columns added since."""
        for table, name, kind in _ADDED_COLUMNS:
            have = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
            if name not in have:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")

    @classmethod
    def open(cls, root: Path) -> SyncStatus:
        """Open ``root/.visitplanner/sync.sqlite``, creating it readable by its owner only.

        Write-ahead logging, so that the calendars synced at once (one connection each)
        read while another writes; ``synchronous=NORMAL``: a commit survives the process
        being killed at any point (what the sync's resume relies on), without an fsync.
        """
        folder = Path(root) / STATE_DIR
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / STATUS_FILE
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_MODE))
        os.chmod(path, PRIVATE_MODE)
        connection = sqlite3.connect(
            path, isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False
        )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        return cls(connection)

    @classmethod
    def in_memory(cls) -> SyncStatus:
        return cls(sqlite3.connect(":memory:", isolation_level=None))

    def copy_in_memory(self) -> SyncStatus:
        """A throwaway copy (for ``--dry-run``: read the server, change nothing here)."""
        target = sqlite3.connect(":memory:", isolation_level=None)
        self._db.backup(target)
        return SyncStatus(target)

    def close(self) -> None:
        self.checkpoint()
        self._db.close()

    # ------------------------------------------------------------------ batches

    @contextmanager
    def batched(self) -> Iterator[SyncStatus]:
        """Keep changes in one transaction until :meth:`checkpoint` (and at the end).

        The sync checkpoints before every request, so what a request depends on (a
        write in flight) is committed before it is sent, and all that a request's answer
        changed goes in one commit.  A crash (any exception escaping) rolls back only
        what was not yet checkpointed, as a killed process would lose it.
        """
        self._batching = True
        try:
            yield self
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        finally:
            self._batching = False
        self.checkpoint()

    def checkpoint(self) -> None:
        """Commit what the current batch holds (nothing to do outside a batch)."""
        if self._db.in_transaction:
            self._db.execute("COMMIT")

    def _write(self, sql: str, args: tuple[object, ...] = ()) -> None:
        if self._batching and not self._db.in_transaction:
            self._db.execute("BEGIN")
        self._db.execute(sql, args)

    # ------------------------------------------------------------------ calendars

    def token(self, calendar: str) -> str | None:
        row = self._calendar_row(calendar)
        return row[0] if row else None

    def syncs_since_full(self, calendar: str) -> int:
        row = self._calendar_row(calendar)
        return int(row[1]) if row else 0

    def collection_checked(self, calendar: str) -> bool:
        row = self._calendar_row(calendar)
        return bool(row[2]) if row else False

    def set_token(self, calendar: str, token: str | None, full: bool) -> None:
        """Store the token after a read-back; ``full`` resets the full-reconcile counter."""
        self._ensure_calendar(calendar)
        counter = "0" if full else "syncs_since_full + 1"
        self._write(
            f"UPDATE calendars SET token = ?, syncs_since_full = {counter} WHERE calendar = ?",
            (token, calendar),
        )

    def store_token(self, calendar: str, token: str) -> None:
        """Replace the token without counting a sync (a refresh after our own writes)."""
        self._ensure_calendar(calendar)
        self._write("UPDATE calendars SET token = ? WHERE calendar = ?", (token, calendar))

    def mark_collection_checked(self, calendar: str) -> None:
        self._ensure_calendar(calendar)
        self._write(
            "UPDATE calendars SET collection_checked = 1 WHERE calendar = ?", (calendar,)
        )

    # ------------------------------------------------------------------ items

    def items(self, calendar: str) -> dict[str, ItemState]:
        """Every item of ``calendar``: uid -> state."""
        columns = ", ".join(f'"{f.name}"' for f in fields(ItemState))
        rows = self._db.execute(f"SELECT {columns} FROM items WHERE calendar = ?", (calendar,))
        return {row[0]: ItemState(*row) for row in rows}

    def item(self, calendar: str, uid: str) -> ItemState | None:
        return self.items_for(calendar, [uid]).get(uid)

    def items_for(self, calendar: str, uids: Iterable[str]) -> dict[str, ItemState]:
        wanted = set(uids)
        return {uid: s for uid, s in self.items(calendar).items() if uid in wanted}

    def put(self, calendar: str, state: ItemState) -> None:
        """Insert or replace one item's state (committed at once)."""
        values = asdict(state)
        columns = ", ".join(f'"{name}"' for name in ["calendar", *values])
        marks = ", ".join("?" * (len(values) + 1))
        self._write(
            f"INSERT OR REPLACE INTO items ({columns}) VALUES ({marks})",
            (calendar, *values.values()),
        )

    def update(self, calendar: str, state: ItemState, **changes: str | int | None) -> ItemState:
        """Store ``state`` with ``changes`` applied, and return the new state."""
        new = replace(state, **changes)  # type: ignore[arg-type]
        self.put(calendar, new)
        return new

    def remove(self, calendar: str, uid: str) -> None:
        self._write("DELETE FROM items WHERE calendar = ? AND uid = ?", (calendar, uid))

    # ------------------------------------------------------------------ worker edits

    def add_worker_edit(self, edit: WorkerEdit) -> None:
        """Keep a detected edit until it is acknowledged (it survives a crash)."""
        self._write(
            "INSERT OR REPLACE INTO worker_edits VALUES (?, ?, ?, ?, ?, ?)",
            (edit.calendar, edit.uid, edit.kind, edit.start, edit.end, edit.detected),
        )

    def worker_edits(self, calendar: str) -> list[WorkerEdit]:
        """Edits detected and not yet acknowledged, in order of detection."""
        rows = self._db.execute(
            'SELECT calendar, uid, kind, start, "end", detected FROM worker_edits'
            " WHERE calendar = ? ORDER BY rowid",
            (calendar,),
        )
        return [WorkerEdit(*row) for row in rows]

    def acknowledge_worker_edits(self, calendar: str, edits: Iterable[WorkerEdit]) -> None:
        """Forget edits once they are safely recorded (see :func:`record_worker_edits`)."""
        for edit in edits:
            self._write(
                "DELETE FROM worker_edits WHERE calendar = ? AND uid = ? AND detected = ?",
                (calendar, edit.uid, edit.detected),
            )

    # ------------------------------------------------------------------ conflicts

    def put_conflict(self, conflict: SyncConflict) -> None:
        """Keep (or replace) the one conflict of ``conflict.uid`` in its calendar."""
        self._write(
            f"INSERT OR REPLACE INTO conflicts ({_CONFLICT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (conflict.calendar, conflict.uid, conflict.kind, conflict.worker_start,
             conflict.detected, conflict.plan_stamp, int(conflict.reported)),
        )

    def conflict(self, calendar: str, uid: str) -> SyncConflict | None:
        row = self._db.execute(
            f"SELECT {_CONFLICT_COLUMNS} FROM conflicts WHERE calendar = ? AND uid = ?",
            (calendar, uid),
        ).fetchone()
        return None if row is None else _conflict_of(row)

    def conflicts(self, calendar: str | None = None) -> list[SyncConflict]:
        """The conflicts of ``calendar`` (of every calendar when None), by calendar and UID."""
        where, args = ("WHERE calendar = ?", (calendar,)) if calendar is not None else ("", ())
        rows = self._db.execute(
            f"SELECT {_CONFLICT_COLUMNS} FROM conflicts {where} ORDER BY calendar, uid", args
        )
        return [_conflict_of(row) for row in rows]

    def remove_conflict(self, calendar: str, uid: str) -> None:
        self._write("DELETE FROM conflicts WHERE calendar = ? AND uid = ?", (calendar, uid))

    def calendars(self) -> Iterator[str]:
        for (name,) in self._db.execute("SELECT calendar FROM calendars ORDER BY calendar"):
            yield name

    def _calendar_row(self, calendar: str) -> tuple[str | None, int, int] | None:
        row = self._db.execute(
            "SELECT token, syncs_since_full, collection_checked FROM calendars WHERE calendar = ?",
            (calendar,),
        ).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def _ensure_calendar(self, calendar: str) -> None:
        self._write("INSERT OR IGNORE INTO calendars (calendar) VALUES (?)", (calendar,))


_CONFLICT_COLUMNS = "calendar, uid, kind, worker_start, detected, plan_stamp, reported"
#: Columns added after the first release: table, column, type (see ``_add_missing_columns``).
_ADDED_COLUMNS = (
    ("items", "sequence_seen", "INTEGER"),
    ("conflicts", "reported", "INTEGER NOT NULL DEFAULT 0"),
)


def _conflict_of(row: tuple[Any, ...]) -> SyncConflict:
    calendar, uid, kind, worker_start, detected, plan_stamp, reported = row
    return SyncConflict(calendar, uid, kind, worker_start, detected, plan_stamp, bool(reported))


# ---------------------------------------------------------------------- worker edits


def worker_edits_path(root: Path) -> Path:
    return Path(root) / STATE_DIR / WORKER_EDITS_FILE


def load_worker_edits(root: Path) -> list[WorkerEdit]:
    """The worker edits recorded so far (empty if none), oldest first."""
    path = worker_edits_path(root)
    if not path.exists():
        return []
    return [WorkerEdit(**entry) for entry in json.loads(path.read_text(encoding="utf-8"))]


def record_worker_edits(
    root: Path, edits: Iterable[WorkerEdit], resolved: Iterable[tuple[str, str]] = ()
) -> list[WorkerEdit]:
    """Merge ``edits`` into ``worker-edits.json`` (atomically) and return the new list.

    One entry per (calendar, uid): a newer edit replaces an older one.  The
    (calendar, uid) pairs in ``resolved`` (edits the planner has since acted on,
    see :attr:`CalendarSyncResult.resolved`) are removed.
    """
    merged = {(e.calendar, e.uid): e for e in load_worker_edits(root)}
    for calendar_uid in resolved:
        merged.pop(calendar_uid, None)
    for edit in edits:
        merged.pop((edit.calendar, edit.uid), None)
        merged[(edit.calendar, edit.uid)] = edit
    result = list(merged.values())
    text = json.dumps([asdict(e) for e in result], indent=2) + "\n"
    write_atomic(worker_edits_path(root), text.encode("utf-8"))
    return result


# ---------------------------------------------------------------------- conflicts, for people


@dataclass(frozen=True, slots=True)
class ConflictReport:
    """One conflict as `sync` and `conflicts` show it: never a child's name.

    ``visit``: the visit id (``v-...``), or the item's UID when it is not a visit;
    ``day``: the planned day (ISO; the item's own when the plan does not have it);
    ``worker``: who makes the visit in the plan (else the calendar); ``rule``: the
    id of the rule the worker's edit breaks ('' when none is known); ``what``: what
    the worker did, why it does not stand, and what the sync did about it.
    """

    visit: str
    day: str
    worker: str
    calendar: str
    kind: ConflictKind
    rule: str
    what: str
    is_open: bool

    def text(self) -> str:
        """``v-... on 2026-11-25, sw.osei: <what>`` (and the calendar when not the worker's)."""
        where = self.worker if self.calendar == self.worker else \
            f"{self.worker}, in calendar {self.calendar}"
        return f"{self.visit} on {self.day or 'an unknown day'}, {where}: {self.what}"


def visit_id_of(uid: str) -> str:
    """The visit id in a visit's calendar UID (``v-...@visitplanner`` -> ``v-...``)."""
    return uid.removesuffix(VISIT_UID_SUFFIX)


def describe_conflicts(
    conflicts: Iterable[SyncConflict], visits: Mapping[str, PlannedVisit]
) -> list[ConflictReport]:
    """Each conflict for people, from the kept plan's ``visits`` (by visit id): open first."""
    reports = [describe_conflict(c, visits.get(visit_id_of(c.uid))) for c in conflicts]
    return sorted(reports, key=lambda r: (not r.is_open, r.day, r.visit, r.calendar))


def describe_conflict(conflict: SyncConflict, visit: PlannedVisit | None) -> ConflictReport:
    """One conflict, with ``visit`` the plan's visit of its UID (None: not a planned visit)."""
    moved_to = _day_of(conflict.worker_start)
    rule = broken_rule(visit, moved_to) if visit is not None and moved_to is not None else None
    return ConflictReport(
        visit=visit_id_of(conflict.uid),
        day=visit.day.isoformat() if visit is not None else "",
        worker=visit.worker_id if visit is not None else conflict.calendar,
        calendar=conflict.calendar,
        kind=conflict.kind,
        rule=rule.rule_id if rule is not None else "",
        what=_conflict_text(conflict, visit, moved_to, rule),
        is_open=conflict.is_open,
    )


def broken_rule(visit: PlannedVisit, moved_to: date) -> Reason | None:
    """The rule a move of ``visit`` to ``moved_to`` breaks: past ``visit.due_by`` (the last
    day allowed, inclusive), the reason with the earliest deadline; None on or before it
    (the day keeps every deadline, and the planner had another cause)."""
    if moved_to <= visit.due_by or not visit.reasons:
        return None
    return min(visit.reasons, key=lambda reason: (reason.deadline, reason.rule_id))


def _conflict_text(
    conflict: SyncConflict, visit: PlannedVisit | None, moved_to: date | None, rule: Reason | None
) -> str:
    if conflict.kind == PUT_BACK:
        return "deleted by the worker; put back in their calendar (the plan still has it)"
    if conflict.kind == WITHDRAWN:
        return ("withdrawn by the worker: needs reallocating (deleted from their calendar and "
                "not put back; reassign it: `visitplanner reassign` or the desk)")
    if conflict.kind == "edited":
        return "edited by the worker; their version is kept until the plan changes this visit"
    moved = f"moved by the worker to {moved_to.isoformat()}" if moved_to else "moved by the worker"
    if rule is not None and visit is not None:
        breaks = "would break" if conflict.kind == "moved" else "breaks"
        what = f": {rule.what}" if rule.what else ""
        moved += (f", after the visit is due ({visit.due_by.isoformat()}): {breaks} rule "
                  f"{rule.rule_id}{what}")
    elif conflict.kind == "rejected":
        moved += (": not a day the plan can keep (a day the worker cannot visit, or before "
                  "the visit may take place; see `visitplanner explain`)")
    if conflict.kind == "moved":
        return f"{moved}; their version is kept until `visitplanner plan` has judged the move"
    return f"{moved}; put back on {visit.day.isoformat()}" if visit else f"{moved}; put back"


def _day_of(moment: str) -> date | None:
    """The date of an ISO local date-time ('' or malformed: None)."""
    try:
        return date.fromisoformat(moment[:10]) if moment else None
    except ValueError:
        return None

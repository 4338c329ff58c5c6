"""Decisions and desk accounts in a database, through SQLAlchemy.

An SQLite file in the workspace (``.visitplanner/desk.sqlite``) by default, nothing to
install; PostgreSQL for a shared desk (``[desk] database_url``, or the environment
variable ``[desk] database_url_env`` names).
The schema is made and upgraded by Alembic (``migrations/``) when the store opens.

Nothing a manager records is lost with two at once: each decision is one INSERT in its
own transaction, and a status change is an UPDATE guarded by the status it expects
(``WHERE status = 'draft'``), so of two managers applying the same draft exactly one
succeeds and the other is told.  Times are UTC, passed in by the caller (no clock here).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, create_engine, delete, event, func, select, update
from sqlalchemy.orm import Session

from visitplanner.decisions.model import (
    AbsenceDecision,
    Change,
    Decision,
    DecisionKind,
    DecisionStatus,
    Handover,
    Pin,
    Reassignment,
)
from visitplanner.decisions.tables import AuditRow, DecisionRow, LoginFailureRow, UserRow
from visitplanner.errors import InputError, Problem, VisitplannerError

#: Wrong passwords allowed per account within :data:`FAILURE_WINDOW` before logins wait.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
#: Desk roles: a manager changes their teams' plans, a viewer only looks.
MANAGER, VIEWER = "manager", "viewer"
ROLES = (MANAGER, VIEWER)
#: Alembic's commands work through module-wide proxies (``alembic.context``, ``alembic.op``),
#: so two stores opening at once in one process would tangle their migrations: one at a time.
_MIGRATING = threading.Lock()


class DecisionConflictError(VisitplannerError):
    """A decision was not in the status the change expected (another manager got there
    first)."""

    exit_code = 10


class TooManyAttemptsError(VisitplannerError):
    """Too many wrong passwords for one account: logins wait for a while."""

    exit_code = 11


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: str
    teams: tuple[str, ...]

    @property
    def can_change(self) -> bool:
        return self.role == MANAGER

    def sees(self, team: str) -> bool:
        return team in self.teams


@dataclass(frozen=True, slots=True)
class AuditEntry:
    decision_id: int
    action: str
    by: str
    at: datetime
    note: str
    kind: str
    team: str



class Store:
    """The desk's database.  Opening it creates or upgrades the schema."""

    def __init__(self, url: str) -> None:
        database = _sqlite_file(url)
        if database is not None:
            database.parent.mkdir(parents=True, exist_ok=True)
        self.engine = _engine(url)
        with _opening(database):
            upgrade(self.engine)
        self._hasher = PasswordHasher()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with Session(self.engine) as session, session.begin():
            yield session

    def close(self) -> None:
        """Give back the store's connections (a short-lived store: one command's)."""
        self.engine.dispose()

    # ---------------------------------------------------------------- accounts

    def add_user(self, name: str, password: str, role: str, teams: Sequence[str],
                 now: datetime) -> User:
        """A new account; refused (InputError) for an unknown role, no team, a short
        password or a name already taken."""
        problems = _account_problems(name, password, role, teams)
        with self._session() as s:
            if s.scalar(select(UserRow).where(UserRow.name == name)) is not None:
                problems.append(Problem(f"account {name}", "the name is taken",
                                        "choose another name"))
            if problems:
                raise InputError("The account was not created", problems)
            s.add(UserRow(name=name, password_hash=self._hasher.hash(password), role=role,
                          teams=",".join(teams), created_at=now))
        return User(name, role, tuple(teams))

    def user(self, name: str) -> User | None:
        with self._session() as s:
            row = s.scalar(select(UserRow).where(UserRow.name == name))
            return _user(row) if row is not None else None

    def log_in(self, name: str, password: str, now: datetime) -> User | None:
        """The account when the password is right; None otherwise (a failure is kept).
        Raises TooManyAttemptsError after :data:`MAX_FAILURES` wrong passwords in
        :data:`FAILURE_WINDOW`, even for the right password, until the window has passed."""
        with self._session() as s:
            since = now - FAILURE_WINDOW
            failures = s.scalar(select(func.count()).select_from(LoginFailureRow).where(
                LoginFailureRow.name == name, LoginFailureRow.at > since)) or 0
            if failures >= MAX_FAILURES:
                raise TooManyAttemptsError(
                    f"too many wrong passwords for this account: wait "
                    f"{int(FAILURE_WINDOW.total_seconds() // 60)} minutes and try again")
            row = s.scalar(select(UserRow).where(UserRow.name == name))
            if row is not None and self._verified(row.password_hash, password):
                s.execute(delete(LoginFailureRow).where(LoginFailureRow.name == name))
                return _user(row)
            s.add(LoginFailureRow(name=name, at=now))
            return None

    def _verified(self, hashed: str, password: str) -> bool:
        try:
            return self._hasher.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            return False

    # ---------------------------------------------------------------- decisions

    def draft(self, change: Change, by: str, why: str, team: str, now: datetime) -> Decision:
        """A new draft decision (previewed, not yet applied)."""
        with self._session() as s:
            row = DecisionRow(kind=str(change.kind), change=_change_json(change),
                              status=str(DecisionStatus.DRAFT), team=team, made_by=by,
                              made_at=now, why=why)
            s.add(row)
            s.flush()
            s.add(AuditRow(decision_id=row.id, action=str(DecisionStatus.DRAFT), by=by, at=now,
                           note=why))
            return _decision(row)

    def move(self, decision_id: int, to: DecisionStatus, by: str, now: datetime,
             note: str = "") -> Decision:
        """Change a decision's status (draft -> applied or discarded, applied -> withdrawn);
        raises DecisionConflictError when it is not in the status that change starts from."""
        if to is DecisionStatus.DRAFT:
            raise DecisionConflictError(f"decision {decision_id} cannot go back to draft")
        start = DecisionStatus.APPLIED if to is DecisionStatus.WITHDRAWN else DecisionStatus.DRAFT
        with self._session() as s:
            done = s.execute(update(DecisionRow).where(
                DecisionRow.id == decision_id, DecisionRow.status == str(start)).values(
                status=str(to)))
            if getattr(done, "rowcount", 0) != 1:
                raise DecisionConflictError(
                    f"decision {decision_id} is not {start}: it was changed meanwhile "
                    "(reload the page to see its status)")
            s.add(AuditRow(decision_id=decision_id, action=str(to), by=by, at=now, note=note))
            row = s.get(DecisionRow, decision_id)
            assert row is not None  # just updated
            return _decision(row)

    def decision(self, decision_id: int) -> Decision | None:
        with self._session() as s:
            row = s.get(DecisionRow, decision_id)
            return _decision(row) if row is not None else None

    def decisions(self, status: DecisionStatus | None = None,
                  teams: Sequence[str] | None = None) -> list[Decision]:
        """Decisions oldest first, of one status and of some teams when given."""
        query = select(DecisionRow).order_by(DecisionRow.id)
        if status is not None:
            query = query.where(DecisionRow.status == str(status))
        if teams is not None:
            query = query.where(DecisionRow.team.in_(list(teams)))
        with self._session() as s:
            return [_decision(row) for row in s.scalars(query)]

    def applied(self) -> list[Decision]:
        """The decisions the plan honours, oldest first."""
        return self.decisions(DecisionStatus.APPLIED)

    def audit(self, teams: Sequence[str] | None = None) -> list[AuditEntry]:
        """The audit log, newest first."""
        query = select(AuditRow, DecisionRow).join(
            DecisionRow, AuditRow.decision_id == DecisionRow.id).order_by(AuditRow.id.desc())
        if teams is not None:
            query = query.where(DecisionRow.team.in_(list(teams)))
        with self._session() as s:
            return [AuditEntry(a.decision_id, a.action, a.by, a.at, a.note, d.kind, d.team)
                    for a, d in s.execute(query)]


def _engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    # Two desks or a desk and the CLI may write at once: wait for the other's transaction
    # rather than fail, and let readers read while one writes (WAL).
    engine = create_engine(url, connect_args={"timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_file(url: str) -> Path | None:
    """The file of an SQLite database URL (None for another database, or one in memory)."""
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        return None
    return Path(url.removeprefix("sqlite:///"))


#: How long a process opening an SQLite store waits for another one opening it, in seconds.
OPENING_WAIT_SECONDS = 120


@contextmanager
def _opening(database: Path | None) -> Iterator[None]:
    """For an SQLite file, one process at a time between its first connection and the end of
    its migration (a file lock beside the database).  Two processes opening a new database
    at once each turn it to WAL and then take the write lock; SQLite answers the second
    "database is locked" at once, without waiting, when both upgrade their locks together
    (seen on a loaded CI machine), so they are kept apart here rather than retried."""
    if database is None:
        yield
        return
    from filelock import FileLock, Timeout

    lock = FileLock(f"{database}.opening.lock", timeout=OPENING_WAIT_SECONDS, mode=0o600)
    try:
        with lock:
            yield
    except Timeout as waited:
        from visitplanner.inputs.wslock import WorkspaceBusyError

        raise WorkspaceBusyError(
            f"the desk's database {database.name} was being opened by another visitplanner "
            f"for over {OPENING_WAIT_SECONDS} s (fix: wait for it to start, or stop it, then "
            "run the command again)") from waited


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def upgrade(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration."""
    config = Config()
    config.set_main_option("script_location", str(files("visitplanner.decisions") /
                                                   "migrations"))
    with _MIGRATING, engine.begin() as connection:
        _lock_for_migration(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


#: The PostgreSQL advisory lock key migrations hold (any fixed number; ours).
_MIGRATION_LOCK_KEY = 0x76706465736B  # "vpdesk"


def _lock_for_migration(connection: Any) -> None:
    """Hold the database's own lock while migrating, so two processes opening a new database
    at once (a desk and a decision command) do not both create the tables: PostgreSQL's
    advisory lock for this transaction, SQLite's write lock (BEGIN IMMEDIATE)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_KEY})")
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _account_problems(name: str, password: str, role: str, teams: Sequence[str]
                      ) -> list[Problem]:
    where = f"account {name}"
    problems = []
    if not name or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
        problems.append(Problem(where, "the name is empty or has spaces or symbols",
                                "use letters, digits, '-', '_' or '.'"))
    if role not in ROLES:
        problems.append(Problem(where, f"unknown role {role!r}", f"use one of {', '.join(ROLES)}"))
    if not teams:
        problems.append(Problem(where, "no team given", "give --team TEAM (repeat for more)"))
    if len(password) < 10:
        problems.append(Problem(where, "the password is shorter than 10 characters",
                                "choose a longer password"))
    return problems


def _user(row: UserRow) -> User:
    return User(row.name, row.role, tuple(t for t in row.teams.split(",") if t))


# ------------------------------------------------------------------- change <-> JSON


def _change_json(change: Change) -> str:
    if isinstance(change, AbsenceDecision):
        body: dict[str, Any] = {"worker_id": change.worker_id, "first": change.first.isoformat(),
                                "last": change.last.isoformat(), "reason": change.reason}
    elif isinstance(change, Reassignment):
        body = {"visit_id": change.visit_id, "worker_id": change.worker_id,
                "day": change.day.isoformat() if change.day else None}
    elif isinstance(change, Handover):
        body = {"case_refs": list(change.case_refs), "from_worker": change.from_worker,
                "to_worker": change.to_worker}
    else:
        body = {"visit_id": change.visit_id}
    return json.dumps(body, sort_keys=True)


def change_from_json(kind: str, text: str) -> Change:
    body = json.loads(text)
    if kind == DecisionKind.ABSENCE:
        return AbsenceDecision(body["worker_id"], date.fromisoformat(body["first"]),
                               date.fromisoformat(body["last"]), body.get("reason", ""))
    if kind == DecisionKind.REASSIGN:
        day = body.get("day")
        return Reassignment(body["visit_id"], body.get("worker_id"),
                            date.fromisoformat(day) if day else None)
    if kind == DecisionKind.HANDOVER:
        return Handover(tuple(body["case_refs"]), body["from_worker"], body["to_worker"])
    return Pin(body["visit_id"])


def _decision(row: DecisionRow) -> Decision:
    return Decision(row.id, change_from_json(row.kind, row.change), row.made_by, row.made_at,
                    row.why, DecisionStatus(row.status), row.team)

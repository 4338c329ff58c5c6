"""The desk's store keeps accounts and decisions the same on SQLite and on PostgreSQL: every
rule here runs against a fresh SQLite file and a fresh database on a real PostgreSQL
server (started once per session by :mod:`pgserver`; skipped when not installed)."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from functools import partial
from importlib.resources import files
from pathlib import Path
from typing import TypeVar

import pytest
from alembic.script import ScriptDirectory
from pgserver import fresh_database, postgres_url  # noqa: F401 (a fixture, found by name)
from sqlalchemy import inspect, select, text

from visitplanner.decisions.model import (
    AbsenceDecision,
    Change,
    Decision,
    DecisionStatus,
    Handover,
    Pin,
    Reassignment,
)
from visitplanner.decisions.store import (
    FAILURE_WINDOW,
    MAX_FAILURES,
    AuditEntry,
    DecisionConflictError,
    Store,
    TooManyAttemptsError,
    User,
)
from visitplanner.decisions.tables import UserRow
from visitplanner.errors import InputError

NOW = datetime(2026, 11, 23, 9, 0, 0, 123456)
PASSWORD = "a long enough password"
WEST, EAST = "camden-west", "camden-east"
ABSENCE = AbsenceDecision("W01", date(2026, 11, 24), date(2026, 11, 27), "training")
PIN = Pin("V-2026-11-25-C003")

_databases = itertools.count(1)
T = TypeVar("T")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a new SQLite file, or a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/desk.sqlite"
        return
    with fresh_database(request.getfixturevalue("postgres_url"),
                        f"desk_{next(_databases)}") as url:
        yield url


@pytest.fixture
def open_store(store_url: str) -> Iterator[Callable[[], Store]]:
    """Opens another Store on the same database, as a second desk would; all are closed
    at the end."""
    opened: list[Store] = []

    def open_() -> Store:
        store = Store(store_url)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.engine.dispose()


@pytest.fixture
def store(open_store: Callable[[], Store]) -> Store:
    return open_store()


def at_once(*calls: Callable[[], T], timeout: float = 45) -> list[T | BaseException]:
    """Run the calls in threads released together; each one's result or exception.  A call
    still running after ``timeout`` seconds (stuck on a lock) fails the test."""
    start = threading.Barrier(len(calls))
    outcomes: list[T | BaseException | None] = [None] * len(calls)

    def run(index: int) -> None:
        start.wait(timeout=10)
        try:
            outcomes[index] = calls[index]()
        except Exception as error:
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = [i for i, thread in enumerate(threads) if thread.is_alive()]
    assert not stuck, f"calls {stuck} still running after {timeout} s"
    return [o for o in outcomes if o is not None]


def draft(store: Store, change: Change = ABSENCE, by: str = "mgr.west", why: str = "cover",
          team: str = WEST, now: datetime = NOW) -> Decision:
    return store.draft(change, by, why, team, now)


# ------------------------------------------------------------------------------- schema


def test_opening_a_store_makes_the_schema_by_the_migration_up_to_head(store: Store) -> None:
    migrations = ScriptDirectory(str(files("visitplanner.decisions") / "migrations"))
    with store.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        assert list(version) == [migrations.get_current_head()]
        assert {"users", "decisions", "audit", "login_failures"} <= set(
            inspect(connection).get_table_names())


def test_reopening_a_store_keeps_what_it_holds(open_store: Callable[[], Store]) -> None:
    first = open_store()
    first.add_user("mgr.west", PASSWORD, "manager", [WEST], NOW)
    kept = draft(first)
    second = open_store()
    assert second.user("mgr.west") == User("mgr.west", "manager", (WEST,))
    assert second.decisions() == [kept]


# ----------------------------------------------------------------------------- accounts


def test_a_password_is_stored_hashed_never_as_typed(store: Store) -> None:
    store.add_user("mgr.west", PASSWORD, "manager", [WEST, EAST], NOW)
    with store.engine.connect() as connection:
        stored = connection.execute(select(UserRow.password_hash)).scalar_one()
    assert stored.startswith("$argon2")
    assert PASSWORD not in stored
    assert store.log_in("mgr.west", PASSWORD, NOW) == User("mgr.west", "manager", (WEST, EAST))


def test_a_wrong_password_or_an_unknown_name_logs_nobody_in(store: Store) -> None:
    store.add_user("mgr.west", PASSWORD, "manager", [WEST], NOW)
    assert store.log_in("mgr.west", PASSWORD + "!", NOW) is None
    assert store.log_in("nobody", PASSWORD, NOW) is None


def test_after_five_wrong_passwords_the_right_one_waits_until_the_window_has_passed(
        store: Store) -> None:
    store.add_user("mgr.west", PASSWORD, "manager", [WEST], NOW)
    store.add_user("mgr.east", PASSWORD, "manager", [EAST], NOW)
    for minute in range(MAX_FAILURES):
        assert store.log_in("mgr.west", "a wrong guess", NOW + timedelta(minutes=minute)) is None
    with pytest.raises(TooManyAttemptsError):
        store.log_in("mgr.west", PASSWORD, NOW + timedelta(minutes=MAX_FAILURES))
    assert store.log_in("mgr.east", PASSWORD, NOW + timedelta(minutes=MAX_FAILURES)) is not None
    later = NOW + timedelta(minutes=MAX_FAILURES - 1) + FAILURE_WINDOW + timedelta(seconds=1)
    assert store.log_in("mgr.west", PASSWORD, later) == User("mgr.west", "manager", (WEST,))


def test_the_right_password_forgets_the_wrong_ones_before_it(store: Store) -> None:
    store.add_user("mgr.west", PASSWORD, "manager", [WEST], NOW)
    for _ in range(2):
        for _ in range(MAX_FAILURES - 1):
            assert store.log_in("mgr.west", "a wrong guess", NOW) is None
        assert store.log_in("mgr.west", PASSWORD, NOW) is not None


def test_an_account_is_refused_with_every_problem_listed_at_once(store: Store) -> None:
    store.add_user("mgr.west", PASSWORD, "manager", [WEST], NOW)
    with pytest.raises(InputError) as refused:
        store.add_user("mgr.west", "short", "boss", [EAST], NOW)
    problems = [p.what for p in refused.value.problems]
    assert len(problems) == 3
    assert "the name is taken" in problems
    assert "unknown role 'boss'" in problems
    assert "the password is shorter than 10 characters" in problems
    assert store.user("mgr.west") == User("mgr.west", "manager", (WEST,))


# ---------------------------------------------------------------------------- decisions


@pytest.mark.parametrize("change", [
    ABSENCE,
    AbsenceDecision("W02", date(2026, 12, 1), date(2026, 12, 1)),
    Reassignment("V-2026-11-24-C001", "W03", date(2026, 11, 26)),
    Reassignment("V-2026-11-24-C001", "W03"),
    Reassignment("V-2026-11-24-C001", day=date(2026, 11, 26)),
    Handover(("C001", "C002", "C007"), "W01", "W04"),
    PIN,
], ids=["absence", "absence-no-reason", "reassign", "reassign-worker", "reassign-day",
        "handover", "pin"])
def test_a_change_comes_back_from_the_store_unchanged(store: Store, change: Change) -> None:
    made = store.draft(change, "mgr.west", "why: ünïcode ✓", WEST, NOW)
    expected = Decision(made.id, change, "mgr.west", NOW, "why: ünïcode ✓",
                        DecisionStatus.DRAFT, WEST)
    assert made == expected
    assert store.decision(made.id) == expected


def test_a_draft_changes_the_plan_only_once_applied(store: Store) -> None:
    made = draft(store)
    assert store.applied() == []
    assert store.decisions(DecisionStatus.DRAFT) == [made]
    applied = store.move(made.id, DecisionStatus.APPLIED, "mgr.west", NOW)
    assert applied.status is DecisionStatus.APPLIED
    assert store.applied() == [applied]
    assert store.decisions(DecisionStatus.DRAFT) == []


def test_decisions_are_listed_oldest_first_of_the_teams_asked_for(store: Store) -> None:
    west = [draft(store, why=f"west {i}") for i in range(3)]
    east = draft(store, PIN, team=EAST)
    assert store.decisions() == [*west, east]
    assert store.decisions(teams=[WEST]) == west
    assert store.decisions(teams=[EAST]) == [east]
    assert store.decisions(teams=[]) == []


def test_an_applied_decision_can_be_withdrawn(store: Store) -> None:
    made = draft(store)
    store.move(made.id, DecisionStatus.APPLIED, "mgr.west", NOW)
    withdrawn = store.move(made.id, DecisionStatus.WITHDRAWN, "mgr.west", NOW, "not needed")
    assert withdrawn.status is DecisionStatus.WITHDRAWN
    assert store.applied() == []


@pytest.mark.parametrize(("first", "then"), [
    ((), DecisionStatus.WITHDRAWN),
    ((DecisionStatus.APPLIED,), DecisionStatus.APPLIED),
    ((DecisionStatus.DISCARDED,), DecisionStatus.APPLIED),
    ((DecisionStatus.APPLIED, DecisionStatus.WITHDRAWN), DecisionStatus.WITHDRAWN),
], ids=["withdraw-a-draft", "apply-twice", "apply-a-discarded", "withdraw-twice"])
def test_a_change_from_a_status_the_decision_is_not_in_is_refused_and_changes_nothing(
        store: Store, first: tuple[DecisionStatus, ...], then: DecisionStatus) -> None:
    made = draft(store)
    for status in first:
        store.move(made.id, status, "mgr.west", NOW)
    before = (store.decision(made.id), store.audit())
    with pytest.raises(DecisionConflictError):
        store.move(made.id, then, "mgr.east", NOW)
    assert (store.decision(made.id), store.audit()) == before


def test_the_audit_log_lists_each_action_newest_first_with_who_and_why(store: Store) -> None:
    times = [NOW + timedelta(minutes=m) for m in range(5)]
    absence = draft(store, by="mgr.west", why="W01 on training", now=times[0])
    pin = draft(store, PIN, by="mgr.east", why="family asked", team=EAST, now=times[1])
    store.move(absence.id, DecisionStatus.APPLIED, "mgr.west", times[2], "previewed")
    store.move(pin.id, DecisionStatus.DISCARDED, "mgr.east", times[3])
    store.move(absence.id, DecisionStatus.WITHDRAWN, "lead", times[4], "training cancelled")
    assert store.audit() == [
        AuditEntry(absence.id, "withdrawn", "lead", times[4], "training cancelled",
                   "absence", WEST),
        AuditEntry(pin.id, "discarded", "mgr.east", times[3], "", "pin", EAST),
        AuditEntry(absence.id, "applied", "mgr.west", times[2], "previewed", "absence", WEST),
        AuditEntry(pin.id, "draft", "mgr.east", times[1], "family asked", "pin", EAST),
        AuditEntry(absence.id, "draft", "mgr.west", times[0], "W01 on training", "absence",
                   WEST),
    ]
    assert [(e.decision_id, e.action) for e in store.audit(teams=[EAST])] == [
        (pin.id, "discarded"), (pin.id, "draft")]


# -------------------------------------------------------------------- two desks at once


def test_of_two_managers_applying_the_same_draft_at_once_exactly_one_succeeds(
        open_store: Callable[[], Store]) -> None:
    desks = (open_store(), open_store())
    for round_ in range(5):
        made = draft(desks[0], why=f"round {round_}")
        outcomes = at_once(*(partial(desk.move, made.id, DecisionStatus.APPLIED, by, NOW)
                             for desk, by in zip(desks, ("mgr.west", "lead"), strict=True)))
        won = [o for o in outcomes if isinstance(o, Decision)]
        lost = [o for o in outcomes if not isinstance(o, Decision)]
        assert len(won) == 1, outcomes
        assert [type(o) for o in lost] == [DecisionConflictError], outcomes
        assert won[0].status is DecisionStatus.APPLIED
        assert [e.action for e in desks[1].audit() if e.decision_id == made.id] == [
            "applied", "draft"]


def test_desks_opening_a_new_database_at_once_all_open_it(
        open_store: Callable[[], Store]) -> None:
    outcomes = at_once(*[open_store] * 4)
    assert [o for o in outcomes if not isinstance(o, Store)] == []
    assert [d.id for d in open_store().decisions()] == []


def test_two_managers_deciding_at_once_never_lose_a_decision(
        open_store: Callable[[], Store]) -> None:
    desks, per_desk = 4, 25

    def decide(desk: int) -> list[Decision]:
        store = open_store()
        return [draft(store, PIN, by=f"mgr.{desk}", why=f"{desk}/{i}") for i in range(per_desk)]

    outcomes = at_once(*(partial(decide, desk) for desk in range(desks)))
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    made = [decision for outcome in outcomes if isinstance(outcome, list)
            for decision in outcome]
    ids = [d.id for d in made]
    assert len(set(ids)) == desks * per_desk
    kept = open_store().decisions()
    assert sorted(kept, key=lambda d: d.id) == sorted(made, key=lambda d: d.id)
    assert {d.why for d in kept} == {f"{d}/{i}" for d in range(desks) for i in range(per_desk)}


def _open_and_list(url: str) -> str:
    """In a process of its own: open the store (migrating a new database) and read it."""
    try:
        opened = Store(url)
        opened.applied()
        opened.close()
    except Exception as error:  # reported back to the test, which names it
        return f"{type(error).__name__}: {error}"
    return "ok"


def test_processes_opening_a_new_database_at_once_all_open_it(store_url: str) -> None:
    # A desk and a decision command starting together on a new database: the migration is
    # made once, under the database's own lock, and every process then reads it.
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(3) as pool:
        assert pool.map(_open_and_list, [store_url] * 3) == ["ok"] * 3


def test_a_decision_never_goes_back_to_draft(store: Store) -> None:
    made = draft(store)
    with pytest.raises(DecisionConflictError):
        store.move(made.id, DecisionStatus.DRAFT, "mgr.west", NOW)
    assert [e.action for e in store.audit()] == ["draft"]


def test_a_process_opening_an_sqlite_store_waits_for_another_opening_it(tmp_path: Path) -> None:
    # Two processes opening a new SQLite database at once could both upgrade their locks
    # and one be told "database is locked" at once (seen on a loaded CI machine): an opening
    # waits for the other, beside the database.
    from filelock import FileLock

    database = tmp_path / ".visitplanner" / "desk.sqlite"
    database.parent.mkdir()
    opened = threading.Event()

    def open_it() -> None:
        Store(f"sqlite:///{database}").engine.dispose()
        opened.set()

    with FileLock(f"{database}.opening.lock"):
        opener = threading.Thread(target=open_it)
        opener.start()
        assert not opened.wait(1.0)  # held: it waits
    assert opened.wait(30)
    opener.join()


def test_an_opening_that_waits_too_long_says_what_holds_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from filelock import FileLock

    from visitplanner.decisions import store as store_module
    from visitplanner.inputs.wslock import WorkspaceBusyError

    monkeypatch.setattr(store_module, "OPENING_WAIT_SECONDS", 0.2)
    database = tmp_path / "desk.sqlite"
    with FileLock(f"{database}.opening.lock"), pytest.raises(WorkspaceBusyError) as busy:
        Store(f"sqlite:///{database}")
    assert "desk.sqlite was being opened by another visitplanner" in busy.value.render()
    assert "run the command again" in busy.value.render()

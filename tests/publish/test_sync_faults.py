"""Faults the sync must survive: crashes, dead servers, 5xx, bad passwords."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import MemoryBackend, ServerBackend
from sync_docs import document, documents, uid

from visitplanner.publish.caldav_storage import CaldavStorage
from visitplanner.publish.devserver import DevServer
from visitplanner.publish.memory import MemoryStorage, SimulatedCrash
from visitplanner.publish.storage import AuthError, StorageError, TransientError, href_for_uid
from visitplanner.publish.sync import SyncPolicy, sync_calendar
from visitplanner.publish.syncstatus import (
    SyncStatus,
    WorkerEdit,
    load_worker_edits,
    record_worker_edits,
)

NO_WAIT = SyncPolicy(sleep=lambda _seconds: None)


def replanned() -> dict[str, bytes]:
    """Visits 0-9 published; then 1 and 4 change, 7 is dropped and 12 is new."""
    desired = documents(10)
    desired[uid(1)] = document(1, version=1)
    desired[uid(4)] = document(4, version=1)
    del desired[uid(7)]
    desired[uid(12)] = document(12)
    return desired


@pytest.mark.parametrize("crash_at", range(1, 8))  # the re-plan sync makes 7 requests
def test_a_crash_after_any_request_resumes_without_duplicates_or_losses(crash_at: int) -> None:
    store, status = MemoryStorage(name="w-001"), SyncStatus.in_memory()
    assert sync_calendar(store, documents(10), status, NO_WAIT).ok
    store.worker_put(href_for_uid(uid(3)), store.items[href_for_uid(uid(3))][0] + b"")  # a touch
    store.crash_after(crash_at)
    with pytest.raises(SimulatedCrash):
        sync_calendar(store, replanned(), status, NO_WAIT)
    result = sync_calendar(store, replanned(), status, NO_WAIT)
    assert result.ok
    assert sorted(href_for_uid(u) for u in replanned()) == sorted(store.items)
    for event_uid, data in replanned().items():
        assert store.items[href_for_uid(event_uid)][0] == data
    # A touch that changed nothing is not a worker edit, and nothing is left to do.
    again = sync_calendar(store, replanned(), status, NO_WAIT)
    assert (again.worker_edits, again.conflicts, again.unchanged) == ((), 0, len(replanned()))


def test_a_crash_after_a_create_landed_adopts_it_instead_of_duplicating() -> None:
    store, status = MemoryStorage(name="w-001"), SyncStatus.in_memory()
    store.crash_after(3)  # MKCALENDAR, the first listing, then the first create
    with pytest.raises(SimulatedCrash):
        sync_calendar(store, documents(3), status, NO_WAIT)
    assert len(store.items) == 1  # the server has it; our state never heard back
    result = sync_calendar(store, documents(3), status, NO_WAIT)
    # The read-back finds the landed create holds what we were writing: adopted, not redone.
    assert (result.created, result.worker_edits, store.writes, len(store.items)) == (2, (), 3, 3)


@pytest.mark.servers
@pytest.mark.parametrize("kind", ["radicale", "xandikos"])
def test_server_killed_mid_sync_then_restarted_resumes_cleanly(
    kind: str, request: pytest.FixtureRequest
) -> None:
    server: DevServer = request.getfixturevalue(kind)
    backend = ServerBackend(server.start())
    calendar, status = backend.new_calendar(), SyncStatus.in_memory()
    storage = backend.storage(calendar)
    creates = Counter[str]()

    def kill_on_sixth_create(method: str, _args: tuple[object, ...]) -> None:
        creates[method] += 1
        if method == "create" and creates[method] == 6:
            server.kill()

    storage.before = kill_on_sixth_create
    try:
        broken = sync_calendar(storage, documents(15), status, NO_WAIT)
        assert not broken.ok and broken.created == 5
        server.start()
        result = sync_calendar(backend.storage(calendar), documents(15), status, NO_WAIT)
        assert result.ok and result.created == 10
        assert backend.remote_uids(calendar) == sorted(documents(15))  # no duplicates
    finally:
        server.start()
        backend.close()


def test_transient_errors_are_retried_with_backoff() -> None:
    store, status, waits = MemoryStorage(name="w-001"), SyncStatus.in_memory(), []
    store.fail_next(3)
    policy = SyncPolicy(sleep=waits.append, backoff_seconds=0.25, max_attempts=4)
    result = sync_calendar(store, documents(2), status, policy)
    assert result.ok and result.created == 2
    assert waits == [0.25, 0.5, 1.0]


def test_retries_are_bounded_and_the_failure_is_reported() -> None:
    store, status = MemoryStorage(name="w-001"), SyncStatus.in_memory()
    assert sync_calendar(store, documents(2), status, NO_WAIT).ok
    store.fail_next(50, TransientError("503 Service Unavailable"))
    result = sync_calendar(store, documents(3), status, NO_WAIT)
    assert not result.ok and "503" in (result.error or "")
    assert result.requests == NO_WAIT.max_attempts


def test_a_4xx_is_not_retried() -> None:
    store, status = MemoryStorage(name="w-001"), SyncStatus.in_memory()
    store.fail_next(1, StorageError("PUT on w-001: HTTP 400"))
    result = sync_calendar(store, documents(1), status, NO_WAIT)
    assert (result.ok, result.requests) == (False, 1)


@pytest.mark.servers
def test_wrong_password_gives_a_clear_error(radicale: DevServer) -> None:
    storage = CaldavStorage.connect(
        radicale.calendar_url("w-001"), "w-001", radicale.username, "not-the-password"
    )
    try:
        result = sync_calendar(storage, documents(1), SyncStatus.in_memory(), NO_WAIT)
        with pytest.raises(AuthError):
            storage.list()
    finally:
        storage.close()
    assert not result.ok
    assert result.error == f"the server at 127.0.0.1:{radicale.port} refused the login (HTTP 401)"
    assert isinstance(result.failure, AuthError) and result.failure.status == 401


def test_dry_run_reads_but_writes_nothing_anywhere() -> None:
    backend = MemoryBackend()
    status = SyncStatus.in_memory()
    storage = backend.storage("w-001")
    assert sync_calendar(storage, documents(3), status, NO_WAIT).ok
    backend.worker_move("w-001", uid(0), hours=1)
    before = status.items("w-001")
    dry = SyncPolicy(sleep=lambda _s: None, dry_run=True)
    result = sync_calendar(storage, replanned(), status, dry)
    assert (result.created, result.updated, result.conflicts) == (7, 1, 1)
    assert [e.kind for e in result.worker_edits] == ["moved"]
    assert storage.writes == ["create", "create", "create"]  # from the first, real sync
    assert status.items("w-001") == before


def test_sync_state_survives_reopening(tmp_path: Path) -> None:
    store = MemoryStorage(name="w-001")
    status = SyncStatus.open(tmp_path)
    assert sync_calendar(store, documents(3), status, NO_WAIT).ok
    status.close()
    reopened = SyncStatus.open(tmp_path)
    result = sync_calendar(store, documents(3), reopened, NO_WAIT)
    reopened.close()
    assert (result.unchanged, store.writes) == (3, 3)
    assert (tmp_path / ".visitplanner" / "sync.sqlite").exists()


def test_worker_edits_file_keeps_the_latest_edit_per_visit(tmp_path: Path) -> None:
    moved = WorkerEdit("w-001", uid(1), "moved", "2030-03-05T12:00:00", "2030-03-05T13:00:00", "t1")
    record_worker_edits(tmp_path, [moved])
    deleted = WorkerEdit("w-001", uid(1), "deleted", "", "", "t2")
    other = WorkerEdit("team-east", uid(2), "edited", "2030-03-06T10:00:00", "", "t2")
    record_worker_edits(tmp_path, [deleted, other])
    assert load_worker_edits(tmp_path) == [deleted, other]
    record_worker_edits(tmp_path, [], resolved=[("w-001", uid(1))])
    assert load_worker_edits(tmp_path) == [other]


def test_resource_names_are_deterministic_and_distinct() -> None:
    assert href_for_uid("v-ab12cd34@visitplanner") == "v-ab12cd34_40visitplanner.ics"
    assert href_for_uid("a_40b") != href_for_uid("a@b")
    assert href_for_uid("v-1/../x") == "v-1_2F.._2Fx.ics"


def test_a_worker_delete_of_an_unconfirmed_create_is_seen_through_the_sync_token() -> None:
    store, status = MemoryStorage(name="w-001"), SyncStatus.in_memory()
    assert sync_calendar(store, documents(1), status, NO_WAIT).ok
    store.crash_after(2)  # the token read-back, then the create of visit 1 lands
    with pytest.raises(SimulatedCrash):
        sync_calendar(store, documents(2), status, NO_WAIT)
    store.worker_delete(href_for_uid(uid(1)))
    result = sync_calendar(store, documents(2), status, NO_WAIT)
    assert [(e.uid, e.kind) for e in result.worker_edits] == [(uid(1), "deleted")]
    assert href_for_uid(uid(1)) not in store.items  # flagged, not re-created


def test_a_sync_state_from_before_sequence_tracking_is_opened_and_kept(tmp_path: Path) -> None:
    import sqlite3

    folder = tmp_path / ".visitplanner"
    folder.mkdir()
    old = sqlite3.connect(folder / "sync.sqlite")
    old.execute(
        "CREATE TABLE items (calendar TEXT NOT NULL, uid TEXT NOT NULL, href TEXT NOT NULL, "
        'etag TEXT, local_hash TEXT, fingerprint TEXT, start TEXT, "end" TEXT, '
        "pending_hash TEXT, pending_fp TEXT, held TEXT, held_hash TEXT, "
        "PRIMARY KEY (calendar, uid))"
    )
    old.execute("INSERT INTO items (calendar, uid, href) VALUES ('w-001', 'u', 'u.ics')")
    old.commit()
    old.close()
    status = SyncStatus.open(tmp_path)
    try:
        assert status.items("w-001")["u"].sequence_seen is None
    finally:
        status.close()

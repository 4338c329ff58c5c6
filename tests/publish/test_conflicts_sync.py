"""Putting the plan back over workers' edits that do not stand (issue 10), against memory, a
real Radicale and a real Xandikos.

With the kept plan's verdicts (:class:`PlanVerdicts`: which plan is kept, which moves it
rejected) the sync re-creates a visit the worker deleted (the default ``on_worker_delete``;
the setting's own rules are in test_worker_delete_setting.py) and reports it once, holds a
move until a plan has judged it, then writes the plan's version, and keeps an undone move
as an open conflict until a sync under the next plan.  Without verdicts it only holds edits
(the contract suite, test_sync_contract.py, pins that).
"""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
import pytest
from conftest import Backend, MemoryBackend, RecordingStorage
from sync_docs import document, documents, uid

from visitplanner.publish.sync import CalendarSyncResult, PlanVerdicts, SyncPolicy, sync_calendar
from visitplanner.publish.syncstatus import SyncStatus

FIXED_NOW = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
PLAN_A, PLAN_B, PLAN_C = PlanVerdicts("plan-a"), PlanVerdicts("plan-b"), PlanVerdicts("plan-c")


@pytest.fixture
def status() -> SyncStatus:
    return SyncStatus.in_memory()


def synced(backend: Backend, calendar: str, desired: dict[str, bytes], status: SyncStatus,
           verdicts: PlanVerdicts | None, acknowledge: bool = True, **policy: object
           ) -> tuple[RecordingStorage, CalendarSyncResult]:
    storage = backend.storage(calendar)
    settings: dict[str, object] = {"sleep": lambda _s: None, "clock": lambda: FIXED_NOW}
    result = sync_calendar(storage, desired, status,
                           SyncPolicy(**(settings | policy)),  # type: ignore[arg-type]
                           verdicts)
    assert result.ok, result.error
    if acknowledge:  # as the CLI does once the edits are in worker-edits.json
        status.acknowledge_worker_edits(calendar, result.worker_edits)
    return storage, result


def open_kinds(result: CalendarSyncResult) -> list[tuple[str, str]]:
    return [(c.uid, c.kind) for c in result.open_conflicts]


def cancelled_copy(data: bytes) -> bytes:
    calendar = icalendar.Calendar.from_ical(data)
    event = next(c for c in calendar.walk() if c.name == "VEVENT")
    event.add("status", "CANCELLED")
    return bytes(calendar.to_ical())


def rejected(*numbers: int, stamp: str) -> PlanVerdicts:
    return PlanVerdicts(stamp, frozenset(uid(n) for n in numbers))


# --------------------------------------------------------------------------- deleted


def test_a_visit_the_worker_deleted_is_created_again_in_the_same_sync(
        backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(4), status, PLAN_A)
    backend.worker_delete(calendar, uid(2))
    storage, result = synced(backend, calendar, documents(4), status, PLAN_A)
    assert [(e.uid, e.kind) for e in result.worker_edits] == [(uid(2), "deleted")]
    assert storage.writes == ["create"] and result.created == 1 and result.conflicts == 0
    assert backend.remote_uids(calendar) == sorted(documents(4))
    assert open_kinds(result) == [(uid(2), "deleted")]
    assert result.open_conflicts[0].detected == "2030-03-01T08:00:00+00:00"


def test_a_put_back_is_open_in_the_sync_that_made_it_and_settled_at_the_next(
        backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(3), status, PLAN_A)
    backend.worker_delete(calendar, uid(1))
    _, put_back = synced(backend, calendar, documents(3), status, PLAN_A)
    assert open_kinds(put_back) == [(uid(1), "deleted")]
    storage, again = synced(backend, calendar, documents(3), status, PLAN_A)
    assert open_kinds(again) == [] and storage.writes == [] and again.resolved == (uid(1),)
    assert status.conflicts(calendar) == []
    _, replanned = synced(backend, calendar, documents(3), status, PLAN_B)
    assert open_kinds(replanned) == [] and replanned.resolved == ()


def test_a_put_back_whose_report_was_lost_is_reported_again(
        backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(2), status, PLAN_A)
    backend.worker_delete(calendar, uid(0))
    synced(backend, calendar, documents(2), status, PLAN_A, acknowledge=False)  # then a crash
    storage, again = synced(backend, calendar, documents(2), status, PLAN_A)
    assert open_kinds(again) == [(uid(0), "deleted")] and storage.writes == []
    _, settled = synced(backend, calendar, documents(2), status, PLAN_A)
    assert open_kinds(settled) == []


def test_deleting_a_put_back_visit_again_opens_the_conflict_again(
        backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(3), status, PLAN_A)
    backend.worker_delete(calendar, uid(0))
    synced(backend, calendar, documents(3), status, PLAN_A)
    backend.worker_delete(calendar, uid(0))
    storage, result = synced(backend, calendar, documents(3), status, PLAN_B)
    assert storage.writes == ["create"] and open_kinds(result) == [(uid(0), "deleted")]
    assert result.open_conflicts[0].plan_stamp == "plan-b"


def test_a_visit_the_plan_cancelled_stays_deleted_and_is_no_conflict(
        backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(3), status, PLAN_A)
    backend.worker_delete(calendar, uid(1))
    withdrawn = documents(3) | {uid(1): cancelled_copy(document(1))}
    storage, result = synced(backend, calendar, withdrawn, status, PLAN_B)
    assert storage.writes == [] and (result.conflicts, open_kinds(result)) == (0, [])
    assert uid(1) not in backend.remote_uids(calendar)
    storage, again = synced(backend, calendar, withdrawn, status, PLAN_B)  # and stays deleted
    assert storage.writes == [] and (again.conflicts, open_kinds(again)) == (0, [])
    assert uid(1) not in backend.remote_uids(calendar)


def test_a_deleted_visit_the_plan_dropped_is_forgotten(
        backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(3), status, PLAN_A)
    backend.worker_delete(calendar, uid(2))
    fewer = {u: d for u, d in documents(3).items() if u != uid(2)}
    storage, result = synced(backend, calendar, fewer, status, PLAN_B)
    assert storage.writes == [] and (result.conflicts, open_kinds(result)) == (0, [])
    assert status.item(calendar, uid(2)) is None


def test_overwrite_puts_a_deleted_visit_back_and_names_it_too(
        backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(2), status, PLAN_A, conflict="overwrite")
    backend.worker_delete(calendar, uid(1))
    storage, result = synced(backend, calendar, documents(2), status, PLAN_A,
                             conflict="overwrite")
    assert storage.writes == ["create"] and open_kinds(result) == [(uid(1), "deleted")]


def test_a_dry_run_names_the_put_back_it_would_make_and_writes_nothing(
        backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(2), status, PLAN_A)
    backend.worker_delete(calendar, uid(0))
    storage, result = synced(backend, calendar, documents(2), status, PLAN_A,
                             acknowledge=False, dry_run=True)
    assert storage.writes == [] and result.created == 1
    assert open_kinds(result) == [(uid(0), "deleted")]
    assert status.conflicts(calendar) == [] and uid(0) not in backend.remote_uids(calendar)


# --------------------------------------------------------------------------- moved


def test_a_move_is_held_while_the_kept_plan_is_the_one_it_was_seen_under(
        backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(3), status, PLAN_A)
    backend.worker_move(calendar, uid(1), hours=2)
    storage, result = synced(backend, calendar, documents(3), status, PLAN_A)
    assert (result.conflicts, storage.writes, open_kinds(result)) == (1, [], [])
    assert [(c.uid, c.kind) for c in status.conflicts(calendar)] == [(uid(1), "moved")]
    # Our document changed (a new publish), but no plan has judged the move: still held.
    republished = documents(3) | {uid(1): document(1, version=1)}
    storage, again = synced(backend, calendar, republished, status, PLAN_A)
    assert (again.conflicts, storage.writes) == (1, [])


def test_a_move_the_new_plan_rejected_is_undone_even_when_its_document_is_unchanged(
        backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(3), status, PLAN_A)
    backend.worker_move(calendar, uid(1), hours=48)
    synced(backend, calendar, documents(3), status, PLAN_A)
    storage, result = synced(backend, calendar, documents(3), status,
                             rejected(1, stamp="plan-b"))
    assert storage.writes == ["update"] and result.resolved == (uid(1),)
    assert [(c.uid, c.kind, c.worker_start) for c in result.open_conflicts] == [
        (uid(1), "rejected", "2030-03-07T10:00:00")]
    _, settled = synced(backend, calendar, documents(3), status, rejected(1, stamp="plan-b"))
    assert open_kinds(settled) == [(uid(1), "rejected")]  # until a sync under the next plan
    storage, closed = synced(backend, calendar, documents(3), status, PLAN_C)
    assert (storage.writes, open_kinds(closed), status.conflicts(calendar)) == ([], [], [])


def test_a_move_the_new_plan_kept_leaves_no_conflict(
        backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(3), status, PLAN_A)
    backend.worker_move(calendar, uid(2), hours=1)
    synced(backend, calendar, documents(3), status, PLAN_A)
    accepted = documents(3) | {uid(2): document(2, shift_hours=1)}
    storage, result = synced(backend, calendar, accepted, status, PLAN_B)
    assert storage.writes == ["update"] and result.resolved == (uid(2),)
    assert (open_kinds(result), status.conflicts(calendar)) == ([], [])


def test_a_move_reported_late_waits_for_a_plan_that_has_seen_it(
        backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(2), status, PLAN_A)
    backend.worker_move(calendar, uid(0), hours=3)
    synced(backend, calendar, documents(2), status, PLAN_A, acknowledge=False)  # then a crash
    # A plan kept meanwhile never saw the move (it was not in worker-edits.json yet).
    storage, reported = synced(backend, calendar, documents(2), status, PLAN_B)
    assert (reported.conflicts, storage.writes) == (1, [])
    storage, again = synced(backend, calendar, documents(2), status, PLAN_B)
    assert (again.conflicts, storage.writes) == (1, [])
    storage, judged = synced(backend, calendar, documents(2), status, rejected(0, stamp="plan-c"))
    assert storage.writes == ["update"] and open_kinds(judged) == [(uid(0), "rejected")]


def test_a_move_the_worker_undid_leaves_no_conflict(status: SyncStatus) -> None:
    # In memory only: a real server's client re-serialises the event, so an undo by hand
    # is an edit of its own there.
    backend = MemoryBackend()
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(2), status, PLAN_A)
    backend.worker_move(calendar, uid(1), hours=2)
    synced(backend, calendar, documents(2), status, PLAN_A)
    backend.worker_move(calendar, uid(1), hours=-2)
    storage, result = synced(backend, calendar, documents(2), status, PLAN_A)
    assert (storage.writes, result.conflicts, result.resolved) == ([], 0, (uid(1),))
    assert status.conflicts(calendar) == []


# --------------------------------------------------------------------------- token refresh


def test_an_update_needs_no_token_refresh_and_the_next_sync_takes_it_for_our_own(
        backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(3), status, None)
    changed = documents(3) | {uid(1): document(1, version=1)}
    storage, result = synced(backend, calendar, changed, status, None)
    assert result.updated == 1
    # One report of what changed before the write, none after it.
    assert storage.calls.count("changes_since") == 1
    assert storage.calls[-1] == "update"
    storage, result = synced(backend, calendar, changed, status, None)
    assert (result.unchanged, result.worker_edits, storage.writes) == (3, (), [])
    assert "get" not in storage.calls  # our own update, known by its ETag


def test_a_worker_deleting_a_visit_we_just_updated_is_heard_at_the_next_sync(
        backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(3), status, None)
    changed = documents(3) | {uid(1): document(1, version=1)}
    synced(backend, calendar, changed, status, None)
    backend.worker_delete(calendar, uid(1))
    _, result = synced(backend, calendar, changed, status, None)
    assert [(e.uid, e.kind) for e in result.worker_edits] == [(uid(1), "deleted")]

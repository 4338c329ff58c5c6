"""The sync contract, run against memory, a real Radicale and a real Xandikos.

Each rule here is what a worker or the planner relies on: no duplicates, no
writes when nothing changed, a worker's own change never undone silently.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, date, datetime

import pytest
from conftest import Backend, RecordingStorage, _shift
from ics_samples import context, schedule, visit
from served_meaning import Meaning, meaning
from sync_docs import document, documents, uid

from visitplanner.core.model import ChildChecks, PlannedVisit
from visitplanner.publish import PublishState, build_documents
from visitplanner.publish.storage import href_for_uid
from visitplanner.publish.sync import SyncPolicy, sync_calendar
from visitplanner.publish.syncstatus import SyncStatus

FIXED_NOW = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)


def policy(**changes: object) -> SyncPolicy:
    settings: dict[str, object] = {"sleep": lambda _s: None, "clock": lambda: FIXED_NOW}
    settings.update(changes)
    return SyncPolicy(**settings)  # type: ignore[arg-type]


@pytest.fixture
def status() -> SyncStatus:
    return SyncStatus.in_memory()


def synced(
    backend: Backend,
    calendar: str,
    desired: dict[str, bytes],
    status: SyncStatus,
    **policy_changes: object,
) -> tuple[RecordingStorage, object]:
    storage = backend.storage(calendar)
    result = sync_calendar(storage, desired, status, policy(**policy_changes))
    assert result.ok, result.error
    status.acknowledge_worker_edits(calendar, result.worker_edits)  # as the CLI does
    return storage, result


def test_first_sync_creates_every_event_once(backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    storage, result = synced(backend, calendar, documents(12), status)
    assert (result.created, result.updated, result.deleted) == (12, 0, 0)  # type: ignore[attr-defined]
    assert backend.remote_uids(calendar) == sorted(documents(12))
    assert storage.calls.count("ensure_collection") == 1


def test_no_op_sync_makes_no_writes(backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(12), status)
    storage, result = synced(backend, calendar, documents(12), status)
    assert storage.writes == []
    assert result.unchanged == 12  # type: ignore[attr-defined]
    storage, _ = synced(backend, calendar, documents(12), status)
    assert storage.calls == ["changes_since"]  # one request: the sync token says "nothing new"


def test_after_a_replan_only_changed_events_are_written(
    backend: Backend, status: SyncStatus
) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(12), status)
    desired = documents(12)
    for n in (2, 5):
        desired[uid(n)] = document(n, version=1)
    del desired[uid(7)]
    desired[uid(40)] = document(40)
    storage, result = synced(backend, calendar, desired, status)
    assert Counter(storage.writes) == {"update": 2, "delete": 1, "create": 1}
    assert (result.updated, result.deleted, result.created, result.unchanged) == (2, 1, 1, 9)  # type: ignore[attr-defined]
    assert backend.remote_uids(calendar) == sorted(desired)


def test_worker_move_is_detected_and_kept(backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(5), status)
    backend.worker_move(calendar, uid(3), hours=2)
    storage, result = synced(backend, calendar, documents(5), status)
    edits = result.worker_edits  # type: ignore[attr-defined]
    assert [(e.uid, e.kind, e.start, e.end) for e in edits] == [
        (uid(3), "moved", "2030-03-07T12:00:00", "2030-03-07T13:00:00")
    ]
    assert edits[0].detected == "2030-03-01T08:00:00+00:00"
    assert result.conflicts == 1 and storage.writes == []  # type: ignore[attr-defined]
    # Still kept, still a conflict, on the next sync; and not reported twice.
    storage, again = synced(backend, calendar, documents(5), status)
    assert (again.conflicts, again.worker_edits, storage.writes) == (1, (), [])  # type: ignore[attr-defined]


def test_worker_retitle_is_an_edit_not_a_move(backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(3), status)
    backend.worker_retitle(calendar, uid(1), "Visit (parked nearby)")
    _, result = synced(backend, calendar, documents(3), status)
    assert [(e.uid, e.kind) for e in result.worker_edits] == [(uid(1), "edited")]  # type: ignore[attr-defined]


def test_overwrite_setting_puts_our_version_back(backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(3), status)
    backend.worker_move(calendar, uid(1), hours=1)
    storage, result = synced(backend, calendar, documents(3), status, conflict="overwrite")
    assert [e.kind for e in result.worker_edits] == ["moved"]  # type: ignore[attr-defined]
    assert storage.writes == ["update"]
    _, after = synced(backend, calendar, documents(3), status)
    assert (after.conflicts, after.worker_edits) == (0, ())  # type: ignore[attr-defined]


def test_a_new_plan_for_a_moved_visit_replaces_the_worker_version(
    backend: Backend, status: SyncStatus
) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(3), status)
    backend.worker_move(calendar, uid(1), hours=1)
    synced(backend, calendar, documents(3), status)
    replanned = documents(3) | {uid(1): document(1, version=2)}
    storage, result = synced(backend, calendar, replanned, status)
    assert (storage.writes, result.resolved, result.conflicts) == (["update"], (uid(1),), 0)  # type: ignore[attr-defined]


def test_worker_delete_is_flagged_and_not_recreated(backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(4), status)
    backend.worker_delete(calendar, uid(2))
    storage, result = synced(backend, calendar, documents(4), status)
    assert [(e.uid, e.kind, e.start) for e in result.worker_edits] == [(uid(2), "deleted", "")]  # type: ignore[attr-defined]
    assert storage.writes == [] and result.conflicts == 1  # type: ignore[attr-defined]
    assert uid(2) not in backend.remote_uids(calendar)
    storage, _ = synced(backend, calendar, documents(4), status, conflict="overwrite")
    assert storage.writes == ["create"]
    assert backend.remote_uids(calendar) == sorted(documents(4))


def test_conflict_412_between_read_back_and_write_keeps_the_worker_edit(
    backend: Backend, status: SyncStatus
) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(3), status)
    storage = backend.storage(calendar)

    def worker_edits_first(method: str, args: tuple[object, ...]) -> None:
        if method == "update" and args[0] == href_for_uid(uid(1)):
            backend.worker_move(calendar, uid(1), hours=3)

    storage.before = worker_edits_first
    replanned = documents(3) | {uid(1): document(1, version=1)}
    result = sync_calendar(storage, replanned, status, policy())
    assert result.ok and result.conflicts == 1
    assert [(e.uid, e.kind) for e in result.worker_edits] == [(uid(1), "moved")]
    assert "Home visit CASE-0001 (plan 0)" in _remote_summaries(backend, calendar)


def test_invalid_sync_token_falls_back_to_a_full_reconcile(
    backend: Backend, status: SyncStatus
) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(4), status)
    backend.worker_retitle(calendar, uid(0), "Moved to the afternoon?")
    status.set_token(calendar, "http://example.invalid/sync/999", full=False)
    storage, result = synced(backend, calendar, documents(4), status)
    assert result.full_reconcile  # type: ignore[attr-defined]
    assert [(e.uid, e.kind) for e in result.worker_edits] == [(uid(0), "edited")]  # type: ignore[attr-defined]
    assert storage.writes == []
    # The fallback stored a real token: the next sync is incremental again.
    storage, again = synced(backend, calendar, documents(4), status)
    assert storage.calls == ["changes_since"] and not again.full_reconcile  # type: ignore[attr-defined]


def test_full_reconcile_runs_every_nth_sync(backend: Backend, status: SyncStatus) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(2), status, full_reconcile_every=3)
    fulls = [
        synced(backend, calendar, documents(2), status, full_reconcile_every=3)[1].full_reconcile  # type: ignore[attr-defined]
        for _ in range(4)
    ]
    assert fulls == [False, False, True, False]  # the first sync was the full one


def _remote_summaries(backend: Backend, calendar: str) -> str:
    storage = backend.storage(calendar)
    return b"".join(data for data, _ in storage.get(storage.list()).values()).decode()


# ------------------------------------------------------------------ what the server keeps

#: Visits either side of both clock changes of 2027 (28 March, 31 October).
AROUND_THE_CLOCK_CHANGES_OF_2027 = (
    date(2027, 3, 26),
    date(2027, 3, 29),
    date(2027, 6, 15),
    date(2027, 10, 29),
    date(2027, 11, 1),
    date(2027, 12, 20),
)
MANY_CHECKS = ("seen_alone", "bedroom", "kitchen", "food", "injuries")


def _visits_around_the_clock_changes() -> tuple[PlannedVisit, ...]:
    return tuple(
        dataclasses.replace(
            visit(f"v-{n}", day, hour=9 + n),
            checks=(ChildChecks("C-0031", MANY_CHECKS), ChildChecks("C-0032", MANY_CHECKS[1:])),
        )
        for n, day in enumerate(AROUND_THE_CLOCK_CHANGES_OF_2027)
    )


def _meant(planned: PlannedVisit, sent: bytes) -> Meaning:
    """What the visit must mean to a reader: times from the plan (the time-zone database),
    every check of every child; the description as sent."""
    return Meaning(
        uid=f"{planned.id}@visitplanner",
        start=planned.start.astimezone(UTC),
        end=planned.end.astimezone(UTC),
        status="CONFIRMED",
        checks=tuple(sorted((c.case_ref, check) for c in planned.checks for check in c.checks)),
        description=meaning(sent).description,
    )


def test_what_the_server_stores_means_what_was_sent(backend: Backend, status: SyncStatus) -> None:
    # Read back through an independent parser that builds the zone from the served VTIMEZONE,
    # as a calendar app does: a server that cuts a list would show summer visits an hour late.
    planned = _visits_around_the_clock_changes()
    built, _ = build_documents(schedule(date(2027, 3, 22), planned), context(), PublishState())
    sent = built["w-ana"]
    calendar = backend.new_calendar()
    storage, _ = synced(backend, calendar, sent, status)
    stored = storage.get(href_for_uid(u) for u in sent)
    assert len(stored) == len(planned)
    for one in planned:
        event_uid = f"{one.id}@visitplanner"
        served, _etag = stored[href_for_uid(event_uid)]
        assert meaning(served) == _meant(one, sent[event_uid]), backend.kind


# ------------------------------------------------------------------ conflicts end


def _served_sequence(backend: Backend, calendar: str, event_uid: str) -> int:
    storage = backend.storage(calendar)
    data, _ = storage.get([href_for_uid(event_uid)])[href_for_uid(event_uid)]
    line = next(x for x in data.decode().splitlines() if x.startswith("SEQUENCE:"))
    return int(line.removeprefix("SEQUENCE:"))


def _worker_edits_with_sequence(backend: Backend, calendar: str, event_uid: str, seq: int) -> None:
    """The worker's app moves the visit and raises SEQUENCE, as RFC 5545 asks of it."""

    def move_and_count(event: object) -> None:
        _shift(event, 1)
        del event["SEQUENCE"]  # type: ignore[attr-defined]
        event.add("sequence", seq)  # type: ignore[attr-defined]

    backend._edit(calendar, event_uid, move_and_count)  # type: ignore[attr-defined]


def test_a_worker_delete_is_reported_once_then_settled(
    backend: Backend, status: SyncStatus
) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(4), status)
    backend.worker_delete(calendar, uid(2))
    _, detected = synced(backend, calendar, documents(4), status)
    assert (detected.conflicts, len(detected.worker_edits)) == (1, 1)  # type: ignore[attr-defined]
    for _ in range(2):  # settled: the delete stands, and is never reported again
        storage, later = synced(backend, calendar, documents(4), status)
        assert (later.conflicts, later.worker_edits, storage.writes) == (0, (), [])  # type: ignore[attr-defined]
    assert uid(2) not in backend.remote_uids(calendar)


def test_our_rewrite_goes_above_the_sequence_of_the_workers_edit(
    backend: Backend, status: SyncStatus
) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(3), status)
    _worker_edits_with_sequence(backend, calendar, uid(1), 1)
    theirs = _served_sequence(backend, calendar, uid(1))  # caldav's save() raises it again
    replanned = documents(3) | {uid(1): document(1, version=1)}  # SEQUENCE 1: not above
    synced(backend, calendar, replanned, status, conflict="overwrite")
    assert _served_sequence(backend, calendar, uid(1)) == theirs + 1
    # The next plan's version goes above ours too, whatever the ICS side numbered it.
    synced(backend, calendar, documents(3) | {uid(1): document(1, version=2)}, status)
    assert _served_sequence(backend, calendar, uid(1)) == max(theirs + 2, 2)


def test_a_visit_put_back_after_a_workers_delete_goes_above_the_sequence_they_saw(
    backend: Backend, status: SyncStatus
) -> None:
    calendar = backend.new_calendar()
    synced(backend, calendar, documents(3), status)
    backend.worker_delete(calendar, uid(1))
    synced(backend, calendar, documents(3), status, conflict="overwrite")
    assert _served_sequence(backend, calendar, uid(1)) == 1

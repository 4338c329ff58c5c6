"""Adopt by meaning, not bytes: after a crash or a lost answer, a server's copy that
means what we sent is ours, never a worker's edit (memory, Radicale, Xandikos).

The documents are real ones (VTIMEZONE, several checks per child), so a server that
reorders properties or rewrites the zone is met as it is.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest
from conftest import Backend
from ics_samples import context, schedule, visit

from visitplanner.publish import PublishState, build_documents
from visitplanner.publish.memory import SimulatedCrash
from visitplanner.publish.storage import TransientError
from visitplanner.publish.sync import SyncPolicy, fingerprint, sync_calendar
from visitplanner.publish.syncstatus import SyncStatus

POLICY = SyncPolicy(sleep=lambda _s: None, clock=lambda: datetime(2027, 3, 1, tzinfo=UTC))


def real_documents(count: int = 6) -> dict[str, bytes]:
    visits = tuple(visit(f"v-{n}", date(2027, 3, 24 + n)) for n in range(count))
    built, _ = build_documents(schedule(date(2027, 3, 22), visits), context(), PublishState())
    return built["w-ana"]


def lose_the_answer_of(method: str, nth: int) -> object:
    """An ``after`` hook: the ``nth`` call of ``method`` is carried out, then times out."""
    seen = Counter[str]()

    def hook(called: str, _args: tuple[object, ...]) -> None:
        seen[called] += 1
        if called == method and seen[called] == nth:
            raise TransientError("no answer within 30 s")

    return hook


def test_a_create_whose_answer_was_lost_is_adopted_not_a_worker_edit(backend: Backend) -> None:
    calendar, sent, status = backend.new_calendar(), real_documents(), SyncStatus.in_memory()
    storage = backend.storage(calendar)
    storage.after = lose_the_answer_of("create", 3)  # type: ignore[assignment]
    result = sync_calendar(storage, sent, status, POLICY)
    assert (result.ok, result.worker_edits, result.conflicts) == (True, (), 0)
    assert backend.remote_uids(calendar) == sorted(sent)  # no duplicate
    again = backend.storage(calendar)
    assert sync_calendar(again, sent, status, POLICY).unchanged == len(sent)
    assert again.writes == []


def test_an_update_whose_answer_was_lost_is_adopted_not_a_worker_edit(backend: Backend) -> None:
    calendar, status = backend.new_calendar(), SyncStatus.in_memory()
    assert sync_calendar(backend.storage(calendar), real_documents(), status, POLICY).ok
    replanned = real_documents()
    first = sorted(replanned)[0]
    replanned[first] = replanned[first].replace(b"SUMMARY:", b"SUMMARY:Moved: ")
    storage = backend.storage(calendar)
    storage.after = lose_the_answer_of("update", 1)  # type: ignore[assignment]
    result = sync_calendar(storage, replanned, status, POLICY)
    assert (result.ok, result.worker_edits, result.conflicts, result.updated) == (True, (), 0, 1)


def test_a_crash_after_a_create_landed_adopts_it_on_the_next_run(backend: Backend) -> None:
    calendar, sent, status = backend.new_calendar(), real_documents(), SyncStatus.in_memory()
    storage = backend.storage(calendar)

    def crash_after_the_second_create(method: str, _args: tuple[object, ...]) -> None:
        if storage.calls.count("create") == 2 and method == "create":
            raise SimulatedCrash("the client died")

    storage.after = crash_after_the_second_create
    with pytest.raises(SimulatedCrash):
        sync_calendar(storage, sent, status, POLICY)
    result = sync_calendar(backend.storage(calendar), sent, status, POLICY)
    assert (result.ok, result.worker_edits, result.conflicts) == (True, (), 0)
    assert backend.remote_uids(calendar) == sorted(sent)


def test_lost_sync_state_adopts_every_copy_that_means_what_was_sent(backend: Backend) -> None:
    calendar, sent = backend.new_calendar(), real_documents()
    assert sync_calendar(backend.storage(calendar), sent, SyncStatus.in_memory(), POLICY).ok
    fresh = SyncStatus.in_memory()  # the workspace's .visitplanner/ was lost
    storage = backend.storage(calendar)
    result = sync_calendar(storage, sent, fresh, POLICY)
    assert (result.ok, result.worker_edits, storage.writes) == (True, (), [])
    assert backend.remote_uids(calendar) == sorted(sent)
    storage = backend.storage(calendar)
    assert sync_calendar(storage, sent, fresh, POLICY).unchanged == len(sent)
    assert storage.writes == []


# ------------------------------------------------------------------ the meaning itself


def changed(document: bytes, old: bytes, new: bytes) -> bytes:
    assert old in document, old
    return document.replace(old, new, 1)


def test_meaning_ignores_order_time_spelling_and_bookkeeping_but_not_a_lost_check() -> None:
    sent = next(iter(real_documents(1).values()))
    summary = next(line for line in sent.split(b"\r\n") if line.startswith(b"SUMMARY:"))
    moved_up = changed(changed(sent, summary + b"\r\n", b""), b"BEGIN:VEVENT\r\n",
                       b"BEGIN:VEVENT\r\n" + summary + b"\r\n")
    restamped = changed(changed(sent, b"SEQUENCE:0", b"SEQUENCE:4"), b"DTSTAMP:2027",
                        b"DTSTAMP:2029")
    in_utc = changed(sent, b"DTSTART;TZID=Europe/London:20270324T100000",
                     b"DTSTART:20270324T100000Z")  # 24 March 2027 is still GMT
    assert {fingerprint(d) for d in (moved_up, restamped, in_utc)} == {fingerprint(sent)}
    cut = changed(sent, b"X-VISITPLANNER-CHECK;X-CASE-REF=C-0031:bedroom\r\n", b"")
    an_hour_late = changed(sent, b"DTSTART;TZID=Europe/London:20270324T100000",
                           b"DTSTART:20270324T110000Z")
    assert fingerprint(cut) != fingerprint(sent) != fingerprint(an_hour_late)

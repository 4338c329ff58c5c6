"""A worker's delete is settled once, by ``[caldav] on_worker_delete`` (issue 13), against
memory, a real Radicale and a real Xandikos.

``recreate`` (the default) puts the visit back once, with SEQUENCE above any the server
has held and a note first in its DESCRIPTION, and names it in that sync only;
``withdraw`` leaves it deleted, names it once, and keeps it listed as needing
reallocating until the plan takes it out of that calendar or cancels it.  Every test
reads back what the server stores and parses it.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
from conftest import Backend, MemoryBackend, RecordingStorage
from sync_docs import BASE, document, documents, event_bytes, uid

from visitplanner.errors import InputError
from visitplanner.inputs.settings import SPEC, load_settings
from visitplanner.publish.memory import SimulatedCrash
from visitplanner.publish.sync import (
    FOLD_OCTETS,
    PUT_BACK_NOTE,
    RECREATE,
    WORKER_DELETE_SETTINGS,
    CalendarSyncResult,
    PlanVerdicts,
    SyncPolicy,
    sync_calendar,
    with_put_back_note,
)
from visitplanner.publish.syncstatus import SyncStatus, describe_conflicts

FIXED_NOW = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
PLAN_A, PLAN_B, PLAN_C = PlanVerdicts("plan-a"), PlanVerdicts("plan-b"), PlanVerdicts("plan-c")
#: Visit 1 in its third version of the plan: SEQUENCE 2 on the server before the delete.
SEEN_SEQUENCE = 2


@pytest.fixture
def status() -> SyncStatus:
    return SyncStatus.in_memory()


def plan() -> dict[str, bytes]:
    """Three visits; visit 1 at SEQUENCE 2, as after two changes of the plan."""
    return documents(3) | {uid(1): document(1, version=SEEN_SEQUENCE)}


def synced(backend: Backend, calendar: str, desired: dict[str, bytes], status: SyncStatus,
           verdicts: PlanVerdicts, on_worker_delete: str = RECREATE,
           storage: RecordingStorage | None = None) -> tuple[RecordingStorage, CalendarSyncResult]:
    """One sync as the CLI runs it: with verdicts, edits acknowledged once handed on."""
    storage = storage or backend.storage(calendar)
    policy = SyncPolicy(sleep=lambda _s: None, clock=lambda: FIXED_NOW,
                        on_worker_delete=on_worker_delete)  # type: ignore[arg-type]
    result = sync_calendar(storage, desired, status, policy, verdicts)
    assert result.ok, result.error
    status.acknowledge_worker_edits(calendar, result.worker_edits)
    return storage, result


def served(backend: Backend, calendar: str) -> list[Any]:
    """Every VEVENT the server stores in ``calendar``, parsed from the documents read back."""
    storage = backend.storage(calendar)
    items = storage.get(storage.list())
    return [event for data, _ in items.values()
            for event in icalendar.Calendar.from_ical(data).walk("VEVENT")]


def served_by_uid(backend: Backend, calendar: str) -> dict[str, Any]:
    events = served(backend, calendar)
    counts = Counter(str(event["UID"]) for event in events)
    assert [u for u, n in counts.items() if n > 1] == []  # no duplicates
    return {str(event["UID"]): event for event in events}


def reports_of(results: list[CalendarSyncResult], event_uid: str) -> list[str]:
    """The kind of each open conflict of ``event_uid`` named by each sync, in order."""
    return [c.kind for r in results for c in r.open_conflicts if c.uid == event_uid]


def published_with_visit_1_deleted(backend: Backend, status: SyncStatus) -> str:
    calendar = backend.new_calendar()
    synced(backend, calendar, plan(), status, PLAN_A)
    assert int(served_by_uid(backend, calendar)[uid(1)]["SEQUENCE"]) == SEEN_SEQUENCE
    backend.worker_delete(calendar, uid(1))
    return calendar


# --------------------------------------------------------------------------- recreate


def test_recreate_puts_a_deleted_visit_back_once_above_every_sequence_the_server_held(
        backend: Backend, status: SyncStatus) -> None:
    calendar = published_with_visit_1_deleted(backend, status)
    storage, first = synced(backend, calendar, plan(), status, PLAN_A)
    assert storage.writes == ["create"] and first.created == 1
    event = served_by_uid(backend, calendar)[uid(1)]
    assert int(event["SEQUENCE"]) > SEEN_SEQUENCE
    assert str(event["DESCRIPTION"]) == PUT_BACK_NOTE
    assert str(event["SUMMARY"]) == f"Home visit CASE-0001 (plan {SEEN_SEQUENCE})"
    assert event.decoded("DTSTART") == BASE + timedelta(days=1)

    results = [first]
    for verdicts in (PLAN_A, PLAN_A, PLAN_B):  # later syncs, under the same plan and the next
        storage, later = synced(backend, calendar, plan(), status, verdicts)
        assert (storage.writes, later.conflicts, later.worker_edits) == ([], 0, ())
        results.append(later)
    assert reports_of(results, uid(1)) == ["deleted"]  # reported exactly once
    assert [(e.uid, e.kind) for e in first.worker_edits] == [(uid(1), "deleted")]
    assert results[1].resolved == (uid(1),)  # settled: the planner is told it is over
    assert status.conflicts(calendar) == []
    assert sorted(served_by_uid(backend, calendar)) == sorted(plan())


def test_a_put_back_visit_the_plan_changes_later_loses_the_note_and_keeps_sequence_rising(
        backend: Backend, status: SyncStatus) -> None:
    calendar = published_with_visit_1_deleted(backend, status)
    synced(backend, calendar, plan(), status, PLAN_A)
    put_back = int(served_by_uid(backend, calendar)[uid(1)]["SEQUENCE"])
    changed = plan() | {uid(1): document(1, version=SEEN_SEQUENCE + 1)}  # the ICS side's +1
    storage, result = synced(backend, calendar, changed, status, PLAN_B)
    assert storage.writes == ["update"] and result.open_conflicts == ()
    event = served_by_uid(backend, calendar)[uid(1)]
    assert int(event["SEQUENCE"]) > put_back and "DESCRIPTION" not in event


def test_deleting_a_put_back_visit_again_is_a_new_delete_settled_once_more(
        backend: Backend, status: SyncStatus) -> None:
    calendar = published_with_visit_1_deleted(backend, status)
    _, first = synced(backend, calendar, plan(), status, PLAN_A)
    put_back = int(served_by_uid(backend, calendar)[uid(1)]["SEQUENCE"])
    backend.worker_delete(calendar, uid(1))
    _, second = synced(backend, calendar, plan(), status, PLAN_A)
    _, third = synced(backend, calendar, plan(), status, PLAN_A)
    assert reports_of([first, second, third], uid(1)) == ["deleted", "deleted"]
    assert int(served_by_uid(backend, calendar)[uid(1)]["SEQUENCE"]) > put_back


def test_a_crash_after_the_put_back_landed_adopts_it_and_reports_it_once_more(
        status: SyncStatus) -> None:
    backend = MemoryBackend()
    calendar = published_with_visit_1_deleted(backend, status)
    storage = backend.storage(calendar)

    def crash(method: str, _args: tuple[Any, ...]) -> None:
        if method == "create":
            raise SimulatedCrash  # the server made it; the client never heard back

    storage.after = crash
    with pytest.raises(SimulatedCrash):
        synced(backend, calendar, plan(), status, PLAN_A, storage=storage)
    storage, resumed = synced(backend, calendar, plan(), status, PLAN_A)
    assert storage.writes == [] and resumed.conflicts == 0
    assert [(e.uid, e.kind) for e in resumed.worker_edits] == [(uid(1), "deleted")]  # no other
    assert reports_of([resumed], uid(1)) == ["deleted"]  # the crashed sync never reported it
    _, settled = synced(backend, calendar, plan(), status, PLAN_A)
    assert settled.open_conflicts == () and settled.worker_edits == ()
    assert str(served_by_uid(backend, calendar)[uid(1)]["DESCRIPTION"]) == PUT_BACK_NOTE


def test_a_lost_sync_state_adopts_a_put_back_copy_as_ours(status: SyncStatus) -> None:
    backend = MemoryBackend()
    calendar = published_with_visit_1_deleted(backend, status)
    synced(backend, calendar, plan(), status, PLAN_A)
    storage, fresh = synced(backend, calendar, plan(), SyncStatus.in_memory(), PLAN_A)
    assert (storage.writes, fresh.worker_edits, fresh.open_conflicts) == ([], (), ())


# --------------------------------------------------------------------------- withdraw


def test_withdraw_leaves_a_deleted_visit_deleted_and_reports_it_once(
        backend: Backend, status: SyncStatus) -> None:
    calendar = published_with_visit_1_deleted(backend, status)
    results = []
    newer = plan() | {uid(1): document(1, version=SEEN_SEQUENCE + 1)}
    for desired, verdicts in ((plan(), PLAN_A), (plan(), PLAN_A), (plan(), PLAN_B),
                              (newer, PLAN_C)):
        storage, result = synced(backend, calendar, desired, status, verdicts, "withdraw")
        assert storage.writes == []  # never created again, also when the plan changes it
        assert uid(1) not in served_by_uid(backend, calendar)
        results.append(result)
    assert reports_of(results, uid(1)) == ["withdrawn"]  # reported exactly once
    assert [r.conflicts for r in results] == [1, 0, 0, 0]
    assert [(e.uid, e.kind) for e in results[0].worker_edits] == [(uid(1), "deleted")]
    kept = status.conflicts(calendar)
    assert [(c.uid, c.kind, c.is_open) for c in kept] == [(uid(1), "withdrawn", False)]
    [report] = describe_conflicts(kept, {})
    assert report.what.startswith("withdrawn by the worker: needs reallocating")
    assert sorted(served_by_uid(backend, calendar)) == [uid(0), uid(2)]


def test_a_withdrawn_visit_the_plan_gives_another_worker_is_forgotten_here_and_created_there(
        backend: Backend, status: SyncStatus) -> None:
    calendar = published_with_visit_1_deleted(backend, status)
    synced(backend, calendar, plan(), status, PLAN_A, "withdraw")
    reassigned = {u: d for u, d in plan().items() if u != uid(1)}
    storage, result = synced(backend, calendar, reassigned, status, PLAN_B, "withdraw")
    assert (storage.writes, result.open_conflicts, status.conflicts(calendar)) == ([], (), [])
    assert status.item(calendar, uid(1)) is None
    other = backend.new_calendar()
    synced(backend, other, {uid(1): plan()[uid(1)]}, status, PLAN_B, "withdraw")
    assert list(served_by_uid(backend, other)) == [uid(1)]


def test_a_withdrawn_visit_the_plan_cancelled_stays_deleted_and_is_no_conflict(
        backend: Backend, status: SyncStatus) -> None:
    calendar = published_with_visit_1_deleted(backend, status)
    synced(backend, calendar, plan(), status, PLAN_A, "withdraw")
    cancelled = plan() | {uid(1): cancelled_copy(plan()[uid(1)])}
    storage, result = synced(backend, calendar, cancelled, status, PLAN_B, "withdraw")
    assert (storage.writes, result.open_conflicts, status.conflicts(calendar)) == ([], (), [])
    assert uid(1) not in served_by_uid(backend, calendar)


def test_a_withdrawal_whose_report_was_lost_is_reported_again_once(status: SyncStatus) -> None:
    backend = MemoryBackend()
    calendar = published_with_visit_1_deleted(backend, status)
    policy = SyncPolicy(sleep=lambda _s: None, on_worker_delete="withdraw")
    lost = sync_calendar(backend.storage(calendar), plan(), status, policy, PLAN_A)
    assert reports_of([lost], uid(1)) == ["withdrawn"]  # never handed on: a crash
    _, again = synced(backend, calendar, plan(), status, PLAN_A, "withdraw")
    _, settled = synced(backend, calendar, plan(), status, PLAN_A, "withdraw")
    assert reports_of([again, settled], uid(1)) == ["withdrawn"]


def test_switching_to_recreate_puts_a_withdrawn_visit_back_and_reports_it_once(
        status: SyncStatus) -> None:
    backend = MemoryBackend()
    calendar = published_with_visit_1_deleted(backend, status)
    synced(backend, calendar, plan(), status, PLAN_A, "withdraw")
    synced(backend, calendar, plan(), status, PLAN_A, "withdraw")
    storage, back = synced(backend, calendar, plan(), status, PLAN_A, "recreate")
    assert storage.writes == ["create"] and reports_of([back], uid(1)) == ["deleted"]
    assert int(served_by_uid(backend, calendar)[uid(1)]["SEQUENCE"]) > SEEN_SEQUENCE


def cancelled_copy(data: bytes) -> bytes:
    calendar = icalendar.Calendar.from_ical(data)
    event = next(c for c in calendar.walk() if c.name == "VEVENT")
    event.add("status", "CANCELLED")
    return bytes(calendar.to_ical())


# --------------------------------------------------------------------------- the note


def long_visit_document() -> bytes:
    """A visit shaped as the ICS side writes one: a long folded description with commas,
    escapes and non-ASCII, and alarms with descriptions of their own."""
    calendar = icalendar.Calendar.from_ical(event_bytes(uid(7), BASE, "Visit CAM-H030"))
    event = calendar.walk("VEVENT")[0]
    event.add("description", "Household CAM-H030: visit by Zoë Ł (sw.zoe), covering; "
                             "Due by: Tue 05 Jan 2027\n\n" + "Record, under these headings " * 8)
    for minutes in (1440, 60):
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", "Visit CAM-H030")
        alarm.add("trigger", timedelta(minutes=-minutes))
        event.add_component(alarm)
    return bytes(calendar.to_ical())


def test_the_note_goes_first_in_the_description_and_nothing_else_changes() -> None:
    original = long_visit_document()
    noted = with_put_back_note(original)
    before = icalendar.Calendar.from_ical(original).walk("VEVENT")[0]
    after = icalendar.Calendar.from_ical(noted).walk("VEVENT")[0]
    assert str(after["DESCRIPTION"]) == f"{PUT_BACK_NOTE}\n\n{before['DESCRIPTION']}"
    assert [str(a["DESCRIPTION"]) for a in after.walk("VALARM")] == ["Visit CAM-H030"] * 2
    assert all(len(line) <= FOLD_OCTETS for line in noted.split(b"\r\n"))
    noted.decode("utf-8")  # no character split by a fold
    assert without_event_description(noted) == without_event_description(original)


def without_event_description(data: bytes) -> list[bytes]:
    """The unfolded content lines but the event's own DESCRIPTION (the first one)."""
    lines = data.replace(b"\r\n ", b"").split(b"\r\n")
    first = next(i for i, line in enumerate(lines) if line.startswith(b"DESCRIPTION"))
    return lines[:first] + lines[first + 1:]


def test_the_note_is_added_as_the_description_of_a_visit_without_one() -> None:
    event = icalendar.Calendar.from_ical(with_put_back_note(document(3))).walk("VEVENT")[0]
    assert str(event["DESCRIPTION"]) == PUT_BACK_NOTE


def test_the_note_names_no_person_case_or_household() -> None:
    assert not any(char.isdigit() for char in PUT_BACK_NOTE)
    assert "," not in PUT_BACK_NOTE and ";" not in PUT_BACK_NOTE  # one TEXT value anywhere


# --------------------------------------------------------------------------- the setting


CALDAV = '[workspace]\npolicy = "camden"\n[caldav]\nurl = "https://dav.example.org/"\n'


def test_on_worker_delete_defaults_to_recreate_and_offers_the_sync_s_choices(
        tmp_path: Path) -> None:
    (tmp_path / "visitplanner.toml").write_text(CALDAV, encoding="utf-8")
    caldav = load_settings(tmp_path / "visitplanner.toml").caldav
    assert caldav is not None and caldav.on_worker_delete == "recreate"
    option = next(o for s in SPEC if s.name == "caldav" for o in s.options
                  if o.key == "on_worker_delete")
    assert all(option.convert(choice) == choice for choice in WORKER_DELETE_SETTINGS)


def test_a_bad_on_worker_delete_is_a_located_error_naming_the_closest_choice(
        tmp_path: Path) -> None:
    path = tmp_path / "visitplanner.toml"
    path.write_text(CALDAV + 'on_worker_delete = "withdrawn"\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_settings(path)
    assert [p.render() for p in caught.value.problems] == [
        'visitplanner.toml, key caldav.on_worker_delete: "withdrawn" is not one of recreate, '
        "withdraw (fix: did you mean withdraw?)"]



def test_conflicts_kept_before_deletes_were_settled_once_are_opened_and_still_open(
        tmp_path: Path) -> None:
    import sqlite3

    (tmp_path / ".visitplanner").mkdir()
    old = sqlite3.connect(tmp_path / ".visitplanner" / "sync.sqlite")
    old.execute("CREATE TABLE conflicts (calendar TEXT NOT NULL, uid TEXT NOT NULL, kind TEXT "
                "NOT NULL, worker_start TEXT NOT NULL, detected TEXT NOT NULL, plan_stamp TEXT "
                "NOT NULL, PRIMARY KEY (calendar, uid))")
    old.execute("INSERT INTO conflicts VALUES ('w-001', 'u', 'deleted', '', 'then', 'plan-a')")
    old.commit()
    old.close()
    status = SyncStatus.open(tmp_path)
    try:
        [kept] = status.conflicts("w-001")
        assert (kept.kind, kept.reported, kept.is_open) == ("deleted", False, True)
    finally:
        status.close()

"""Re-publishing: stable UIDs, SEQUENCE + 1 on change, CANCELLED on withdrawal, identical bytes."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import icalendar
from ics_samples import WORKERS, context, sample_schedule, schedule, visit

from visitplanner.core.model import Role, Worker
from visitplanner.publish import (
    PublishState,
    build_documents,
    calendar_names,
    count_changes,
    feed_path,
    load_state,
    publish_files,
    save_state,
)
from visitplanner.publish.state import state_from_json, state_to_json

MONDAY = date(2026, 3, 23)


def component(document: bytes) -> icalendar.Component:
    calendar = icalendar.Calendar.from_ical(document)
    return next(c for c in calendar.subcomponents if c.name != "VTIMEZONE")


def first_and_second(second_schedule, first_schedule=None, ctx=None):
    ctx = ctx or context()
    docs1, state1 = build_documents(first_schedule or sample_schedule(), ctx, PublishState())
    docs2, state2 = build_documents(second_schedule, ctx, state1)
    return docs1, state1, docs2, state2


def test_identical_inputs_give_identical_bytes():
    once = build_documents(sample_schedule(), context(), PublishState())
    again = build_documents(sample_schedule(), context(), PublishState())
    assert once == again


def test_republishing_an_unchanged_plan_later_changes_no_byte():
    later = replace(sample_schedule(), today=MONDAY + timedelta(days=2))
    docs1, state1, docs2, state2 = first_and_second(later)
    assert docs1 == docs2
    assert state_to_json(state1) == state_to_json(state2)


def test_a_moved_visit_keeps_its_uid_and_its_sequence_rises_by_one():
    plan = sample_schedule()
    moved = replace(
        plan.visits[0],
        start=plan.visits[0].start + timedelta(hours=4),
        end=plan.visits[0].end + timedelta(hours=4),
    )
    replanned = replace(plan, today=MONDAY + timedelta(days=1), visits=(moved, *plan.visits[1:]))
    docs1, state1, docs2, state2 = first_and_second(replanned)
    before, after = (
        component(docs1["w-ana"]["v-1@visitplanner"]),
        component(docs2["w-ana"]["v-1@visitplanner"]),
    )
    assert (before["SEQUENCE"], after["SEQUENCE"]) == (0, 1)
    assert after["DTSTART"].dt.hour == 14
    assert after["DTSTAMP"].dt.date() == MONDAY + timedelta(days=1)
    # only the moved visit and its recording task (which names the visit's time) changed
    assert component(docs2["w-ana"]["record-v-1@visitplanner"])["SEQUENCE"] == 1
    assert docs1["w-ana"]["v-2@visitplanner"] == docs2["w-ana"]["v-2@visitplanner"]
    assert docs1["w-ben"] == docs2["w-ben"]
    counts = count_changes(state1, state2)
    assert (counts.changed, counts.unchanged, counts.new, counts.cancelled) == (2, 4, 0, 0)


def test_a_withdrawn_visit_is_published_cancelled_with_a_higher_sequence():
    plan = sample_schedule()
    withdrawn = replace(
        plan, today=MONDAY + timedelta(days=1), visits=plan.visits[1:], recording_tasks=()
    )
    _, state1, docs2, state2 = first_and_second(withdrawn)
    cancelled = component(docs2["w-ana"]["v-1@visitplanner"])
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["SEQUENCE"] == 1
    assert str(cancelled["SUMMARY"]) == "Cancelled: Visit HH-014 (C-0031, C-0032)"
    assert cancelled["DTSTART"].params["TZID"] == "Europe/London"
    assert "v-1@visitplanner" in docs2["team-west"]
    task = component(docs2["w-ana"]["record-v-1@visitplanner"])
    assert (task.name, task["STATUS"], task["DUE"].dt) == ("VTODO", "CANCELLED", date(2026, 4, 2))
    counts = count_changes(state1, state2)
    assert (counts.cancelled, counts.unchanged, counts.new) == (2, 4, 0)


def test_cancelled_copy_stays_unchanged_then_is_dropped_after_the_keep_days():
    plan = sample_schedule()
    ctx = context(keep_days=28)
    _, state1 = build_documents(plan, ctx, PublishState())
    withdrawn = replace(plan, visits=plan.visits[1:], recording_tasks=())
    day1 = replace(withdrawn, today=date(2026, 3, 24))
    docs2, state2 = build_documents(day1, ctx, state1)
    docs3, state3 = build_documents(replace(withdrawn, today=date(2026, 4, 20)), ctx, state2)
    assert docs3["w-ana"]["v-1@visitplanner"] == docs2["w-ana"]["v-1@visitplanner"]
    docs4, state4 = build_documents(replace(withdrawn, today=date(2026, 4, 21)), ctx, state3)
    assert "v-1@visitplanner" not in docs4["w-ana"]
    assert "v-1@visitplanner" not in state4.items
    assert count_changes(state3, state4).dropped == 2


def test_a_cancelled_visit_planned_again_comes_back_with_a_higher_sequence():
    plan = sample_schedule()
    ctx = context()
    _, state1 = build_documents(plan, ctx, PublishState())
    _, state2 = build_documents(
        replace(plan, visits=plan.visits[1:], recording_tasks=()), ctx, state1
    )
    docs3, state3 = build_documents(plan, ctx, state2)
    back = component(docs3["w-ana"]["v-1@visitplanner"])
    assert (back["STATUS"], back["SEQUENCE"]) == ("CONFIRMED", 2)
    assert state3.items["v-1@visitplanner"].cancelled_since is None


def test_a_privacy_change_is_a_content_change():
    _, state1 = build_documents(sample_schedule(), context("minimal"), PublishState())
    _, state2 = build_documents(sample_schedule(), context("standard"), state1)
    assert state2.items["v-1@visitplanner"].sequence == 1


def test_state_survives_a_json_round_trip():
    _, state = build_documents(sample_schedule(), context(), PublishState())
    assert state_from_json(state_to_json(state)) == state


def test_state_is_kept_in_the_workspace_privately(tmp_path: Path):
    _, state = build_documents(sample_schedule(), context(), PublishState())
    save_state(tmp_path, state)
    path = tmp_path / ".visitplanner" / "published.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_state(tmp_path) == state
    assert load_state(tmp_path / "elsewhere") == PublishState()


def _write(out: Path, sched, ctx=None, state: PublishState | None = None):
    ctx = ctx or context()
    documents, new_state = build_documents(sched, ctx, state or PublishState())
    return publish_files(out, documents, calendar_names(documents, ctx)), new_state


def test_files_are_one_per_calendar_and_private(tmp_path: Path):
    written, _ = _write(tmp_path / "out", sample_schedule())
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["team-west.ics", "w-ana.ics", "w-ben.ics", "w-mgr.ics"]
    assert sorted(p.name for p in written.written) == names
    for path in written.written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (
        b"X-WR-CALNAME:Visits - Family Help West"
        in (tmp_path / "out" / "team-west.ics").read_bytes()
    )


def test_republishing_leaves_unchanged_files_untouched(tmp_path: Path):
    out = tmp_path / "out"
    _, state1 = _write(out, sample_schedule())
    plan = sample_schedule()
    moved_ben = replace(
        plan.visits[2],
        start=plan.visits[2].start + timedelta(days=1),
        end=plan.visits[2].end + timedelta(days=1),
    )
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    os.utime(out / "w-ana.ics", ns=(1, 1))  # any rewrite would change this
    replanned = replace(plan, visits=(plan.visits[0], plan.visits[1], moved_ben, plan.visits[3]))
    written, _ = _write(out, replanned, state=state1)
    assert sorted(p.name for p in written.written) == ["team-west.ics", "w-ben.ics"]
    assert (out / "w-ana.ics").read_bytes() == before["w-ana.ics"][0]
    assert (out / "w-ana.ics").stat().st_mtime_ns == 1
    assert (out / "w-mgr.ics").read_bytes() == before["w-mgr.ics"][0]


def test_hostile_worker_ids_cannot_write_outside_the_output_folder(tmp_path: Path):
    out = tmp_path / "deep" / "out"
    hostile = ("../../etc/passwd", "a/b", ".hidden", "..", "")
    workers = WORKERS + tuple(
        Worker(w, "Hostile Testworker", "h@example.org", "west", Role.SOCIAL_WORKER)
        for w in hostile
    )
    plan = schedule(
        MONDAY,
        tuple(visit(f"v-{i}", MONDAY + timedelta(days=1), worker=w) for i, w in enumerate(hostile)),
    )
    written, _ = _write(out, plan, ctx=context(workers=workers))
    files = sorted(out.iterdir())
    assert len(files) == len(workers) + 1 == len(written.written)
    for path in files:
        assert path.parent == out and path.is_file()
        assert not path.name.startswith(".")
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(
        p.name for p in files
    )
    assert feed_path(out, "../../etc/passwd").parent == out


def test_a_visit_whose_day_has_passed_stays_as_published_with_its_record_task():
    plan = sample_schedule()
    made = plan.visits[0]
    next_day = made.day + timedelta(days=1)
    later = replace(plan, today=next_day, start=next_day, visits=plan.visits[1:],
                    recording_tasks=tuple(t for t in plan.recording_tasks
                                          if t.visit_id != made.id))
    docs1, state1, docs2, state2 = first_and_second(later)
    uid, record = f"{made.id}@visitplanner", f"record-{made.id}@visitplanner"
    # Made (or at least past), not withdrawn: the same bytes, not CANCELLED; the record is owed.
    assert docs2["w-ana"][uid] == docs1["w-ana"][uid]
    assert docs2["w-ana"][record] == docs1["w-ana"][record]
    assert component(docs2["w-ana"][uid])["STATUS"] != "CANCELLED"
    assert count_changes(state1, state2).cancelled == 0
    # ... until the keep days have passed, when it drops out.
    dropped_day = next_day + timedelta(days=context().cancelled_keep_days)
    docs3, _ = build_documents(replace(later, today=dropped_day), context(), state2)
    assert uid not in docs3["w-ana"] and record not in docs3["w-ana"]

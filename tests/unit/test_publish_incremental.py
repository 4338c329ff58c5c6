"""Publishing at scale (issue 9): an item is rendered only when what it is drawn from changed.

The bundled examples are planned over a few weeks (each plan kept from the one before, as
``visitplanner plan`` does) and published with the state each publish leaves, as the CLI
does.  Every publish is compared with a reference: the same items published the way every
publish was before, each component built and written by icalendar and each feed parsed
from its documents.  Same bytes, same SEQUENCE, DTSTAMP and cancellations.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import MappingProxyType

import pytest
from icalendar import Calendar, Event, Todo

from visitplanner.core.model import Schedule
from visitplanner.inputs.workspace import load_workspace
from visitplanner.publish import (
    PublishedItem,
    PublishState,
    build_documents,
    calendar_names,
    ics,
    load_state,
    publish_files,
    render_feed,
    save_state,
)
from visitplanner.publish.ics import Documents, PublishContext
from visitplanner.publish.job import publish_context
from visitplanner.usecases import make_plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TODAY = date(2026, 11, 23)
#: Days after TODAY the examples are planned again: visits made, moved, withdrawn, dropped.
LATER = (10, 45)


# ---------------------------------------------------------------- the reference: as before


def icalendar_document(component: Event | Todo) -> bytes:
    """A component's document as icalendar writes the whole calendar."""
    calendar = ics._new_calendar(None)
    calendar.add_component(ics.london_timezone())
    calendar.add_component(component)
    written: bytes = calendar.to_ical()
    return written


def icalendar_feed(documents: dict[str, bytes], name: str) -> bytes:
    """A feed as it was made before: every document parsed, its components written again."""
    calendar = ics._new_calendar(name)
    calendar.add_component(ics.london_timezone())
    for uid in sorted(documents):
        for component in Calendar.from_ical(documents[uid]).subcomponents:
            if component.name != "VTIMEZONE":
                calendar.add_component(component)
    written: bytes = calendar.to_ical()
    return written


def reference_documents(
    schedule: Schedule, ctx: PublishContext, state: PublishState
) -> tuple[Documents, dict[str, PublishedItem]]:
    """What ``build_documents`` gave before issue 9: every item built, hashed and written by
    icalendar, whatever the state holds."""
    stamp_today = datetime.combine(schedule.today, time(0), tzinfo=UTC)
    calendar_ids = ics._calendar_ids(schedule, ctx)
    documents: Documents = {calendar: {} for calendar in calendar_ids}
    items: dict[str, PublishedItem] = {}

    def file(item: PublishedItem, document: bytes) -> None:
        for calendar in item.calendars:
            documents.setdefault(calendar, {})[item.uid] = document
        items[item.uid] = without_memory(replace(item, document=document.decode("utf-8")))

    for draft in ics._drafts(schedule, ctx, calendar_ids):
        component = draft.build()
        content_hash = hashlib.sha256(component.to_ical()).hexdigest()
        item = ics._live_item(draft, content_hash, state.items.get(draft.uid), stamp_today)
        component.DTSTAMP = item.stamp
        component.sequence = item.sequence
        file(item, icalendar_document(component))
    for uid in sorted(state.items.keys() - items.keys()):
        previous = state.items[uid]
        if ics._left_as_past(previous, state, schedule.start):
            kept = ics._past_item(previous, schedule.today, ctx.cancelled_keep_days)
            if kept is not None:
                file(kept, kept.document.encode("utf-8"))
            continue
        withdrawn = ics._withdrawn_item(previous, schedule.today, ctx.cancelled_keep_days,
                                        stamp_today)
        if withdrawn is not None:
            file(withdrawn, icalendar_document(ics._cancelled_component(withdrawn)))
    return documents, items


def without_memory(item: PublishedItem) -> PublishedItem:
    """The item but what only spares work (fingerprint, verbatim): what it says it published."""
    return replace(item, fingerprint="", verbatim=False)


# ---------------------------------------------------------------- the examples, planned


def plans(example: str) -> tuple[PublishContext, list[Schedule]]:
    workspace = load_workspace(EXAMPLES / example)
    schedule = make_plan(workspace, TODAY)
    schedules = [schedule]
    for days in LATER:
        schedule = make_plan(workspace, TODAY + timedelta(days=days), previous=schedule)
        schedules.append(schedule)
    return publish_context(workspace), schedules


@pytest.fixture(scope="module")
def camden() -> tuple[PublishContext, list[Schedule]]:
    return plans("camden")


@pytest.fixture(scope="module")
def walsall() -> tuple[PublishContext, list[Schedule]]:
    return plans("walsall")


class Renders:
    """Counts the components written (each draft whose document is not reused)."""

    def __init__(self) -> None:
        self.uids: list[str] = []


@pytest.fixture()
def renders(monkeypatch: pytest.MonkeyPatch) -> Iterator[Renders]:
    seen = Renders()
    real = ics._Body

    class Counting(real):  # type: ignore[misc, valid-type]
        __slots__ = ()

        def __init__(self, component: Event | Todo) -> None:
            seen.uids.append(str(component["UID"]))
            super().__init__(component)

    monkeypatch.setattr(ics, "_Body", Counting)
    yield seen


# ---------------------------------------------------------------- tests


def test_camden_published_twice_gives_the_same_bytes_and_renders_nothing_the_second_time(
        camden: tuple[PublishContext, list[Schedule]], renders: Renders) -> None:
    ctx, schedules = camden
    fresh_documents, fresh_state = build_documents(schedules[0], ctx, PublishState())
    assert len(renders.uids) == len(fresh_state.items) > 100
    renders.uids.clear()
    again_documents, again_state = build_documents(schedules[0], ctx, fresh_state)
    assert renders.uids == []
    assert again_documents == fresh_documents
    assert again_state == fresh_state
    names = calendar_names(fresh_documents, ctx)
    for calendar in fresh_documents:
        assert (render_feed(again_documents[calendar], names[calendar])
                == render_feed(fresh_documents[calendar], names[calendar]))


def test_a_changed_visit_is_rendered_again_and_the_others_are_not(
        camden: tuple[PublishContext, list[Schedule]], renders: Renders) -> None:
    ctx, schedules = camden
    plan = schedules[0]
    documents, state = build_documents(plan, ctx, PublishState())
    moved = replace(plan.visits[5], start=plan.visits[5].start + timedelta(hours=1),
                    end=plan.visits[5].end + timedelta(hours=1))
    changed = replace(plan, today=plan.today + timedelta(days=1),
                      visits=(*plan.visits[:5], moved, *plan.visits[6:]))
    renders.uids.clear()
    new_documents, new_state = build_documents(changed, ctx, state)
    uid = ics.visit_uid(moved.id)
    assert renders.uids == [uid]
    assert new_state.items[uid].sequence == state.items[uid].sequence + 1
    assert new_state.items[uid].stamp == datetime.combine(changed.today, time(0), tzinfo=UTC)
    unchanged = [other for other in state.items if other != uid]
    assert all(new_state.items[other] == state.items[other] for other in unchanged)
    for calendar, by_uid in new_documents.items():
        for other, document in by_uid.items():
            assert (document == documents[calendar][other]) is (other != uid)
    expected, items = reference_documents(changed, ctx, state)
    assert new_documents == expected
    assert {u: without_memory(item) for u, item in new_state.items.items()} == items


@pytest.mark.parametrize(("example", "privacy"), [("camden", "minimal"), ("walsall", "full")])
def test_weeks_of_publishing_give_what_publishing_gave_before(
        example: str, privacy: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Each plan published with the state the last publish kept (through the files, as the
    CLI keeps it), against the reference given the same state; then once more unchanged."""
    ctx, schedules = request.getfixturevalue(example)
    context = replace(ctx, privacy=privacy)
    seen: set[str] = set()
    for schedule in schedules:
        before = load_state(tmp_path)
        documents, after = build_documents(schedule, context, before)
        expected, items = reference_documents(schedule, context, before)
        assert documents == expected
        assert {uid: without_memory(i) for uid, i in after.items.items()} == items
        names = calendar_names(documents, context)
        for calendar in feeds_to_check(documents):
            assert (render_feed(documents[calendar], names[calendar])
                    == icalendar_feed(expected[calendar], names[calendar]))
        save_state(tmp_path, after)
        assert load_state(tmp_path) == after
        assert build_documents(schedule, context, after) == (documents, after)
        seen |= {"cancelled" for i in after.items.values() if i.cancelled_since}
        seen |= {"past" for i in after.items.values() if i.past_since}
        seen |= {"changed" for uid, i in after.items.items()
                 if uid in before.items and i.sequence > before.items[uid].sequence}
    assert seen == {"cancelled", "past", "changed"}


def feeds_to_check(documents: Documents) -> list[str]:
    """The team calendars (every visit, shortfall and escalation of the team) and the worker
    calendar holding most items (its visits' recording tasks too): the reference is slow."""
    teams = [calendar for calendar in documents if calendar.startswith("team-")]
    workers = sorted((c for c in documents if c not in teams), key=lambda c: -len(documents[c]))
    return teams + workers[:1]


def test_a_state_kept_before_issue_9_publishes_the_same_bytes_and_sequences(
        walsall: tuple[PublishContext, list[Schedule]], renders: Renders) -> None:
    """A state without fingerprints (kept by an older version) renders everything once, with
    the SEQUENCE and DTSTAMP the content hashes decide; then nothing again."""
    ctx, schedules = walsall
    _, first = build_documents(schedules[0], ctx, PublishState())
    older = PublishState(MappingProxyType(
        {uid: without_memory(item) for uid, item in first.items.items()}))
    renders.uids.clear()
    documents, state = build_documents(schedules[1], ctx, older)
    live = [uid for uid, item in state.items.items()
            if item.cancelled_since is None and item.past_since is None]
    assert sorted(renders.uids) == sorted(live)
    expected, items = reference_documents(schedules[1], ctx, older)
    assert documents == expected
    assert {uid: without_memory(item) for uid, item in state.items.items()} == items
    renders.uids.clear()
    assert build_documents(schedules[1], ctx, state) == (documents, state)
    assert renders.uids == []


def test_documents_of_another_renderer_are_rendered_again(
        walsall: tuple[PublishContext, list[Schedule]], renders: Renders,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A fingerprint names the renderer: after an upgrade (another icalendar, another
    visitplanner) every item is written again, and the content hash decides the SEQUENCE."""
    ctx, schedules = walsall
    documents, state = build_documents(schedules[0], ctx, PublishState())
    monkeypatch.setattr(ics, "_renderer", lambda: "0123456789abcdef")
    renders.uids.clear()
    again_documents, again_state = build_documents(schedules[0], ctx, state)
    assert len(renders.uids) == len(state.items)
    assert again_documents == documents
    assert {u: without_memory(i) for u, i in again_state.items.items()} == {
        u: without_memory(i) for u, i in state.items.items()}
    assert all(i.fingerprint.startswith("0123456789abcdef.") for i in again_state.items.values())


def test_a_change_in_the_workspace_renders_the_items_naming_it(
        camden: tuple[PublishContext, list[Schedule]], renders: Renders) -> None:
    ctx, schedules = camden
    plan = schedules[0]
    _, state = build_documents(plan, replace(ctx, privacy="standard"), PublishState())
    ref = plan.visits[0].case_refs[0]
    renamed = replace(ctx.children[ref], name="Quentin Zzyzx")
    children = MappingProxyType({**ctx.children, ref: renamed})
    renders.uids.clear()
    _, after = build_documents(plan, replace(ctx, privacy="standard", children=children), state)
    naming = sorted(uid for uid, item in after.items.items()
                    if item.sequence != state.items[uid].sequence)
    assert sorted(renders.uids) == naming  # initials changed: exactly those items are new
    assert ics.visit_uid(plan.visits[0].id) in naming
    assert len(naming) < len(after.items) / 4


def test_publish_files_writes_nothing_when_nothing_changed(
        walsall: tuple[PublishContext, list[Schedule]], tmp_path: Path) -> None:
    ctx, schedules = walsall
    documents, state = build_documents(schedules[0], ctx, PublishState())
    first = publish_files(tmp_path, documents, calendar_names(documents, ctx))
    again_documents, _ = build_documents(schedules[0], ctx, state)
    again = publish_files(tmp_path, again_documents, calendar_names(documents, ctx))
    assert again.written == () and len(again.unchanged) == len(first.written)

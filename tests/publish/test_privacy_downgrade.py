"""A privacy level applies to everything published from then on (issue 10): once it is
lowered, no item kept from before -- a past visit, its record-by task, a shortfall, an
item published as CANCELLED -- still shows what the new level withholds.

Each test publishes at a level that shows names, lowers it, publishes again, and reads the
files back with vobject (an independent parser), unfolded and unescaped as a reader sees
them.  Synthetic people only (``ics_samples``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from types import MappingProxyType

import icalendar
import vobject
from ics_samples import ADDRESS, CHILD_NAMES, context, sample_schedule, schedule, visit

from visitplanner.core.model import VisitKind
from visitplanner.publish import (
    PublishState,
    build_documents,
    calendar_names,
    publish_files,
    save_state,
)
from visitplanner.publish.ics import PublishContext

MONDAY = date(2026, 3, 23)
#: The day the level is lowered: v-1 and v-2 (30, 31 March) and the shortfall (27 March)
#: are past; v-3 was withdrawn a week before (CANCELLED since 24 March); v-4 goes now.
LOWERED_ON = date(2026, 4, 1)
#: What levels below ``full`` withhold: names, surnames, the address.
NAMES_AND_ADDRESS = (*CHILD_NAMES, "Quorn", "Pell", ADDRESS)
#: What level ``minimal`` withholds besides: initials.
INITIALS = ("ZQ", "YQ", "XP")


def plans() -> tuple:
    """Three publishes: as planned, v-3 withdrawn the next day, then a plan from
    LOWERED_ON holding a new visit only (v-4 withdrawn)."""
    planned = sample_schedule(MONDAY)
    withdrawn = replace(planned, today=MONDAY + timedelta(days=1),
                        visits=tuple(v for v in planned.visits if v.id != "v-3"))
    later = schedule(LOWERED_ON, (visit("v-5", LOWERED_ON + timedelta(days=2)),))
    return planned, withdrawn, later


def publish_lowering(before: str, after: str) -> tuple[dict, PublishState, PublishState]:
    """Publish twice at ``before``, then once at ``after``: the last documents, the state
    before the last publish, and after it."""
    planned, withdrawn, later = plans()
    _, state = build_documents(planned, context(before), PublishState())
    _, state = build_documents(withdrawn, context(before), state)
    documents, lowered = build_documents(later, context(after), state)
    return documents, state, lowered


def write(documents: dict, ctx: PublishContext, out: Path) -> None:
    publish_files(out, documents, calendar_names(documents, ctx))


def what_a_reader_sees(feed: bytes) -> list[str]:
    """The feed unfolded (RFC 5545 3.1) and unescaped (3.3.11), and every value and
    parameter as vobject reads them: a fold or an escape cannot hide a name."""
    unfolded = re.sub(r"\r\n[ \t]", "", feed.decode("utf-8"))
    escapes = {"\\n": "\n", "\\N": "\n", "\\,": ",", "\\;": ";", "\\\\": "\\"}
    seen = [unfolded, re.sub(r"\\[nN,;\\]", lambda m: escapes[m[0]], unfolded)]
    stack = list(vobject.readComponents(feed.decode("utf-8")))
    while stack:
        item = stack.pop()
        if isinstance(item, vobject.base.Component):
            stack += item.getChildren()
        else:
            seen += [str(item.value), *(str(v) for vs in item.params.values() for v in vs)]
    return seen


def found_in(folder: Path, secrets: tuple[str, ...]) -> list[tuple[str, str]]:
    """(file, secret) for each secret a reader sees in an .ics file of ``folder``."""
    return [(path.name, secret) for path in sorted(folder.glob("*.ics"))
            for secret in secrets if any(secret in text for text in what_a_reader_sees(
                path.read_bytes()))]


def component(documents: dict, calendar: str, uid: str) -> icalendar.Component:
    return parsed(documents[calendar][uid])


def parsed(document: bytes | str) -> icalendar.Component:
    calendar = icalendar.Calendar.from_ical(document)
    return next(c for c in calendar.subcomponents if c.name != "VTIMEZONE")


def test_lowering_the_level_from_full_to_minimal_leaves_no_name_in_any_published_file(
        tmp_path: Path) -> None:
    out = tmp_path / "calendars"
    planned, withdrawn, later = plans()
    documents, state = build_documents(planned, context("full"), PublishState())
    write(documents, context("full"), out)
    assert found_in(out, NAMES_AND_ADDRESS)  # the search can fail: full shows them
    documents, state = build_documents(withdrawn, context("full"), state)
    write(documents, context("full"), out)

    documents, lowered = build_documents(later, context("minimal"), state)
    write(documents, context("minimal"), out)

    assert {item.past_since for item in lowered.items.values()} >= {LOWERED_ON}  # some kept
    assert {item.cancelled_since for item in lowered.items.values()} >= {
        MONDAY + timedelta(days=1), LOWERED_ON}  # cancelled before, and now
    assert found_in(out, NAMES_AND_ADDRESS + INITIALS) == []


def test_nothing_the_workspace_keeps_names_a_child_once_the_level_is_lowered(
        tmp_path: Path) -> None:
    _, _, lowered = publish_lowering("full", "minimal")
    save_state(tmp_path, lowered)
    kept = [path for path in (tmp_path / ".visitplanner").iterdir() if path.is_file()]
    assert kept
    for path in kept:
        text = path.read_text(encoding="utf-8")
        assert [s for s in NAMES_AND_ADDRESS if s in text] == [], path.name


def test_lowering_the_level_from_full_to_standard_leaves_no_name_or_address(
        tmp_path: Path) -> None:
    documents, _, _ = publish_lowering("full", "standard")
    write(documents, context("standard"), tmp_path)
    assert found_in(tmp_path, NAMES_AND_ADDRESS) == []


def test_a_past_visit_written_again_keeps_its_time_privacy_class_and_identifiers() -> None:
    documents, before, _ = publish_lowering("full", "minimal")
    past = component(documents, "w-ana", "v-2@visitplanner")  # unannounced, 31 March
    was = parsed(before.items["v-2@visitplanner"].document)
    assert str(past["SUMMARY"]) == "Unannounced visit HH-014 (C-0031, C-0032)"
    assert past["SEQUENCE"] == was["SEQUENCE"] + 1
    assert past["DTSTAMP"].dt.date() == LOWERED_ON
    assert (past["DTSTART"].dt, past["DTEND"].dt) == (was["DTSTART"].dt, was["DTEND"].dt)
    assert (past["CLASS"], past["STATUS"]) == ("PRIVATE", "CONFIRMED")
    assert [str(r) for r in past["X-VISITPLANNER-CASE-REF"]] == ["C-0031", "C-0032"]
    assert "LOCATION" not in past and past.walk("VALARM") == []
    assert "privacy level was lowered to minimal" in str(past["DESCRIPTION"])


def test_the_record_task_and_the_shortfall_kept_as_past_show_case_references_only() -> None:
    documents, _, _ = publish_lowering("full", "minimal")
    record = component(documents, "w-ana", "record-v-1@visitplanner")
    assert str(record["SUMMARY"]) == "Record: visit HH-014 (C-0031, C-0032)"
    assert str(record["RELATED-TO"]) == "v-1@visitplanner"
    shortfall = component(documents, "team-west",
                          "shortfall-C-0040-cin_first_visit-20260327@visitplanner")
    assert str(shortfall["SUMMARY"]) == "Shortfall C-0040: cin_first_visit, 5 days late"


def test_an_item_cancelled_at_the_higher_level_is_cancelled_again_without_the_names() -> None:
    documents, before, lowered = publish_lowering("full", "minimal")
    cancelled_before = component(documents, "w-ben", "v-3@visitplanner")
    assert str(cancelled_before["SUMMARY"]) == "Cancelled: First visit HH-020 (C-0040)"
    assert cancelled_before["STATUS"] == "CANCELLED"
    assert cancelled_before["SEQUENCE"] == before.items["v-3@visitplanner"].sequence + 1
    cancelled_now = component(documents, "w-mgr", "v-4@visitplanner")
    assert str(cancelled_now["SUMMARY"]) == "Cancelled: Re-visit HH-014 (C-0031, C-0032)"
    assert lowered.items["v-4@visitplanner"].summary == "Re-visit HH-014 (C-0031, C-0032)"


def test_publishing_again_at_the_lowered_level_changes_no_byte() -> None:
    documents, _, lowered = publish_lowering("full", "minimal")
    _, _, later = plans()
    again = build_documents(replace(later, today=LOWERED_ON + timedelta(days=1)),
                            context("minimal"), lowered)
    assert again == (documents, lowered)


def test_raising_the_level_leaves_kept_items_as_last_published() -> None:
    _, before, raised = publish_lowering("minimal", "full")
    for uid, item in raised.items.items():
        if item.past_since is not None or (item.cancelled_since is not None
                                           and before.items[uid].cancelled_since is not None):
            assert item.document == before.items[uid].document, uid


def test_a_state_kept_without_its_levels_is_taken_as_kept_at_full() -> None:
    planned, _, later = plans()
    _, state = build_documents(planned, context("minimal"), PublishState())
    older = PublishState(MappingProxyType({
        uid: replace(item, privacy="", minimal_summary="") for uid, item in state.items.items()}))
    documents, kept = build_documents(later, context("full"), older)
    assert kept.items["v-1@visitplanner"].document == state.items["v-1@visitplanner"].document
    documents, kept = build_documents(later, context("minimal"), older)
    past = component(documents, "w-ana", "v-1@visitplanner")
    assert str(past["SUMMARY"]) == "v-1"  # what the UID says: nothing more is known
    assert past["SEQUENCE"] == 1


def test_a_visit_still_planned_is_drawn_at_the_new_level() -> None:
    planned, _, _ = plans()
    _, state = build_documents(planned, context("full"), PublishState())
    back = replace(planned, today=MONDAY + timedelta(days=2))
    documents, _ = build_documents(back, context("minimal"), state)
    event = component(documents, "w-ana", "v-1@visitplanner")
    assert str(event["SUMMARY"]) == "Visit HH-014 (C-0031, C-0032)"
    assert event["X-VISITPLANNER-KIND"] == VisitKind.ROUTINE.value

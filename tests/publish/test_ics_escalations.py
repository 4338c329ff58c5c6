"""Escalations as to-dos in the team's and the allocated worker's calendars; shortfall wording."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import icalendar
from ics_samples import CHILD_NAMES, context, sample_schedule

from visitplanner.core.model import Escalation, Schedule, Shortfall
from visitplanner.publish import PublishState, build_documents, count_changes
from visitplanner.publish.state import state_to_json

UID = "escalate-C-0031-cp_not_seen_escalation-20260320@visitplanner"


def escalation(**changes: object) -> Escalation:
    base = Escalation(
        case_ref="C-0031",
        household="HH-014",
        rule_id="cp_not_seen_escalation",
        notify=("team_manager", "conference_chair"),
        fired=date(2026, 3, 20),
        due=date(2026, 3, 24),
        what="child not seen at two visits in a row",
        action="strategy discussion",
        team="west",
        allocated_worker_id="w-ana",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def with_escalation(*escalations: Escalation) -> Schedule:
    return replace(sample_schedule(), escalations=escalations)


def todo(document: bytes) -> icalendar.Component:
    calendar = icalendar.Calendar.from_ical(document)
    return next(c for c in calendar.subcomponents if c.name == "VTODO")


def test_an_escalation_is_a_top_priority_todo_in_the_team_and_the_allocated_workers_calendar():
    documents, _ = build_documents(with_escalation(escalation()), context(), PublishState())
    assert documents["team-west"][UID] == documents["w-ana"][UID]
    assert all(UID not in documents[c] for c in ("w-ben", "w-mgr"))
    task = todo(documents["w-ana"][UID])
    assert task.decoded("DUE") == date(2026, 3, 24)
    assert b"DUE;VALUE=DATE:20260324" in documents["w-ana"][UID]
    assert task["SUMMARY"] == "Escalate: C-0031 — tell team manager, conference chair"
    assert task["PRIORITY"] == 1 and task["STATUS"] == "NEEDS-ACTION"
    assert task.categories == ["escalation"]
    assert task["X-VISITPLANNER-KIND"] == "escalation"
    assert task["X-VISITPLANNER-RULE"] == "cp_not_seen_escalation"
    assert task["X-VISITPLANNER-CASE-REF"] == "C-0031"
    assert task["DESCRIPTION"].splitlines() == [
        "Case C-0031, household HH-014",
        "What happened: child not seen at two visits in a row",
        "Action: strategy discussion",
        "Tell team manager, conference chair by Tue 24 Mar 2026",
        "Rule cp_not_seen_escalation, fired Fri 20 Mar 2026",
    ]


def test_an_escalation_never_carries_a_childs_name_at_any_privacy_level():
    for privacy in ("minimal", "standard", "full"):
        documents, _ = build_documents(
            with_escalation(escalation()), context(privacy), PublishState()
        )
        text = documents["team-west"][UID].decode("utf-8")
        assert not [name for name in CHILD_NAMES if name in text], privacy
        assert "Nowhere Row" not in text
    minimal, _ = build_documents(with_escalation(escalation()), context(), PublishState())
    assert todo(minimal["team-west"][UID])["SUMMARY"].startswith("Escalate: C-0031 — ")


def test_without_a_team_an_escalation_goes_to_the_allocated_workers_team():
    documents, _ = build_documents(
        with_escalation(escalation(team="", allocated_worker_id=None)), context(), PublishState()
    )
    holding = sorted(calendar for calendar, docs in documents.items() if UID in docs)
    assert holding == ["team-west", "w-ana"]  # the child's allocated worker, from the workspace


def test_republishing_an_escalation_is_byte_identical():
    plan = with_escalation(escalation())
    first, state1 = build_documents(plan, context(), PublishState())
    second, state2 = build_documents(replace(plan, today=plan.today + timedelta(days=1)),
                                     context(), state1)
    assert first == second
    assert state_to_json(state1) == state_to_json(state2)


def test_an_escalation_that_leaves_the_plan_is_cancelled_with_a_higher_sequence():
    plan = with_escalation(escalation())
    first, state1 = build_documents(plan, context(), PublishState())
    # The child was seen after the due day: resolved, not "past" -- it is still withdrawn.
    later = plan.today + timedelta(days=5)
    seen = replace(plan, today=later, start=later, escalations=())
    second, state2 = build_documents(seen, context(), state1)
    for calendar in ("team-west", "w-ana"):
        task = todo(second[calendar][UID])
        assert task["STATUS"] == "CANCELLED"
        assert task["SEQUENCE"] == todo(first[calendar][UID])["SEQUENCE"] + 1 == 1
        assert task["SUMMARY"].startswith("Cancelled: Escalate: C-0031")
    assert count_changes(state1, state2).cancelled == 1


def test_the_same_trigger_fired_again_on_another_day_is_another_todo():
    first, _ = build_documents(with_escalation(escalation()), context(), PublishState())
    again, _ = build_documents(
        with_escalation(escalation(fired=date(2026, 3, 27), due=date(2026, 3, 31))),
        context(),
        PublishState(),
    )
    assert UID in first["team-west"]
    assert "escalate-C-0031-cp_not_seen_escalation-20260327@visitplanner" in again["team-west"]


def _shortfall_description(shortfall: Shortfall) -> str:
    plan = replace(sample_schedule(), shortfalls=(shortfall,))
    documents, _ = build_documents(plan, context(), PublishState())
    text = next(d for uid, d in documents["team-west"].items() if uid.startswith("shortfall-"))
    event = next(c for c in icalendar.Calendar.from_ical(text).walk() if c.name == "VEVENT")
    return f"{event['SUMMARY']}\n{event['DESCRIPTION']}"


def test_a_shortfall_with_no_visit_planned_is_at_least_n_days_late():
    planned = sample_schedule().shortfalls[0]
    unplanned = replace(planned, planned_on=None)
    assert "(5 calendar days late)" in _shortfall_description(planned)
    assert ", 5 days late" in _shortfall_description(planned)
    text = _shortfall_description(unplanned)
    assert "First planned: no visit planned (at least 5 calendar days late)" in text
    assert "cin_first_visit, at least 5 days late" in text

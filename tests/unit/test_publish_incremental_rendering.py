"""Publishing at scale (issue 9): the shortcuts that write and reuse documents.

A document is written from one pass of icalendar over its component (lines folded here when
plain ASCII), a feed takes a document's bytes as they are when a parse would give them back,
and an item is reused when its fingerprint is the one kept.  Each shortcut is checked
against icalendar itself, on the sample calendars and on text no workspace should hold.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from icalendar.parser import Contentline
from ics_samples import CHILDREN, WORKERS, context, sample_schedule, schedule, visit
from test_publish_incremental import icalendar_document, icalendar_feed, reference_documents

from visitplanner.core.model import (
    Child,
    Escalation,
    PlannedVisit,
    RecordingTask,
    Shortfall,
    Worker,
)
from visitplanner.publish import PublishState, build_documents, calendar_names, ics, render_feed
from visitplanner.publish.ics import PublishContext

ROOT = Path(__file__).resolve().parents[2]
MONDAY = date(2026, 3, 23)
SWEEP = settings(max_examples=40, derandomize=True, database=None, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------- folding


@SWEEP
@given(st.text(alphabet="ab\\^n,;: ", max_size=400))
def test_a_plain_ascii_line_is_folded_as_icalendar_folds_it(text: str) -> None:
    line = Contentline(text)
    assert ics._fold(line) == line.to_ical()


@pytest.mark.parametrize("text", ["é" * 80, "a" * 73 + "—" + "b" * 10, "😀" * 40, "x" * 74])
def test_any_other_line_is_folded_by_icalendar(text: str) -> None:
    line = Contentline(text)
    assert ics._fold(line) == line.to_ical()


def test_the_folding_check_fails_for_another_folding(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ics._folds_as_icalendar.__wrapped__()
    monkeypatch.setattr(ics, "_FOLD_AT", 73)
    assert not ics._folds_as_icalendar.__wrapped__()


def test_a_component_is_written_as_icalendar_writes_it() -> None:
    ctx = context("full")
    drafts = ics._drafts(sample_schedule(), ctx, ics._calendar_ids(sample_schedule(), ctx))
    stamp = datetime(2026, 3, 24, tzinfo=UTC)
    for draft in drafts:
        body = ics._Body(draft.build())
        without = draft.build()
        assert body.content_hash == hashlib.sha256(without.to_ical()).hexdigest()
        finished = ics._finish(draft.build(), stamp, 7)
        assert body.final(stamp, 7) == finished.to_ical() == ics._to_ical(finished)
        assert ics._document(body.final(stamp, 7)) == icalendar_document(finished)


# ---------------------------------------------------------------- text no workspace should hold

ODD = st.text(
    alphabet=st.sampled_from(list("aZ09 -_.,;:\"'\\^/()é—😀\t\x0b\x85\u2028\u00a0")),
    min_size=1, max_size=90,
)


def odd_context(name: str, address: str) -> PublishContext:
    children = {c.case_ref: replace(c, name=name, address=address) for c in CHILDREN}
    return replace(context("full"), children=MappingProxyType(children))


@SWEEP
@given(household=ODD, case_ref=ODD, name=ODD, address=ODD, rule=ODD)
def test_odd_text_is_published_as_before(household: str, case_ref: str, name: str,
                                         address: str, rule: str) -> None:
    assume(case_ref not in ("C-0031", "C-0032"))
    ctx = odd_context(name, address)
    children = {**ctx.children, case_ref: replace(CHILDREN[0], case_ref=case_ref, name=name)}
    ctx = replace(ctx, children=MappingProxyType(children))
    plan = sample_schedule()
    odd_visit = visit("v-9", date(2026, 3, 31), household=household, case_refs=(case_ref, "C-0031"))
    tasks = (*plan.recording_tasks, RecordingTask("v-9", "w-ana", date(2026, 4, 3), rule))
    shortfalls = (*plan.shortfalls, Shortfall(case_ref, household, rule, date(2026, 3, 27),
                                              None, 4, address, "west"))
    escalations = (Escalation(case_ref, household, rule, ("team_manager",), MONDAY, MONDAY,
                              name, address, "west", "w-ana"),)
    odd = replace(plan, visits=(*plan.visits, odd_visit), recording_tasks=tasks,
                  shortfalls=shortfalls, escalations=escalations)
    documents, state = build_documents(odd, ctx, PublishState())
    expected, _ = reference_documents(odd, ctx, PublishState())
    assert documents == expected
    names = calendar_names(documents, ctx)
    feeds = {c: render_feed(documents[c], names[c]) for c in documents}
    assert feeds == {c: icalendar_feed(expected[c], names[c]) for c in expected}
    later = replace(odd, today=MONDAY + timedelta(days=1))
    again, again_state = build_documents(later, ctx, state)
    assert again == documents and again_state == state
    assert {c: render_feed(again[c], names[c]) for c in again} == feeds


def test_a_document_a_parse_would_write_otherwise_is_parsed_for_its_feed() -> None:
    # A parameter value ending in a space: icalendar quotes it, or reads it back without
    # the space.  Such a document is not "verbatim": its feed is made by parsing it.
    ctx = context()
    children = {**ctx.children, "C-9 ": replace(CHILDREN[0], case_ref="C-9 ")}
    ctx = replace(ctx, children=MappingProxyType(children))
    plan = schedule(MONDAY, (visit("v-1", date(2026, 3, 30), case_refs=("C-9 ",)),
                             visit("v-2", date(2026, 3, 31))))
    documents, state = build_documents(plan, ctx, PublishState())
    verbatim = {uid: item.verbatim for uid, item in state.items.items()}
    assert verbatim == {"v-1@visitplanner": False, "v-2@visitplanner": True}
    assert not isinstance(documents["w-ana"]["v-1@visitplanner"], ics._Rendered)
    assert isinstance(documents["w-ana"]["v-2@visitplanner"], ics._Rendered)
    expected, _ = reference_documents(plan, ctx, PublishState())
    assert render_feed(documents["w-ana"], "Ana") == icalendar_feed(expected["w-ana"], "Ana")


def test_documents_from_elsewhere_are_parsed_for_their_feed() -> None:
    documents, _ = build_documents(sample_schedule(), context(), PublishState())
    plain = {uid: bytes(document) for uid, document in documents["w-ana"].items()}
    assert not any(isinstance(document, ics._Rendered) for document in plain.values())
    assert render_feed(plain, "Ana") == render_feed(documents["w-ana"], "Ana")


# ---------------------------------------------------------------- fingerprints


def changed(value: object) -> object:
    """Another value of the same kind."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, Enum):
        return next(member for member in type(value) if member is not value)
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, datetime):
        return value + timedelta(minutes=1)
    if isinstance(value, date):
        return value + timedelta(days=1)
    if isinstance(value, frozenset):
        return value ^ ({6} if value and all(isinstance(v, int) for v in value) else {"x"})
    if isinstance(value, tuple):
        return value[:-1] if value else ("x",)
    if value is None:
        return "w-ben"
    raise AssertionError(f"no other value for {value!r}")


def field_changes(value: Any) -> list[tuple[str, Any]]:
    """Each field's name, and ``value`` with that field alone changed."""
    return [(f.name, replace(value, **{f.name: changed(getattr(value, f.name))}))
            for f in fields(value)]


def visit_fingerprint(plan_visit: PlannedVisit, task: RecordingTask | None,
                      ctx: PublishContext) -> str:
    return ics._visit_draft(plan_visit, task, ctx, ics._Fingerprints(ctx)).fingerprint


def test_a_fingerprint_changes_with_every_value_a_component_is_drawn_from() -> None:
    ctx = context("full")
    plan = sample_schedule()
    first = replace(plan.visits[3], flags=("manager_cover",), failure_would_breach=True)
    task = RecordingTask(first.id, "w-mgr", date(2026, 4, 6), "record_3_working_days")
    base = visit_fingerprint(first, task, ctx)
    for name, other in field_changes(first):
        assert visit_fingerprint(other, task, ctx) != base, name
    for name, other in field_changes(task):
        assert visit_fingerprint(first, other, ctx) != base, name
    for child in (c for c in CHILDREN if c.case_ref in first.case_refs):
        for name, other in field_changes(child):
            children = MappingProxyType({**ctx.children, child.case_ref: other})
            assert visit_fingerprint(first, task, replace(ctx, children=children)) != base, name
    for worker in (w for w in WORKERS if w.id in (first.worker_id, first.allocated_worker_id)):
        for name, other in field_changes(worker):
            workers = MappingProxyType({**ctx.workers, worker.id: other})
            assert visit_fingerprint(first, task, replace(ctx, workers=workers)) != base, name
    for name, other_ctx in [("privacy", replace(ctx, privacy="standard")),
                            ("alarms_minutes", replace(ctx, alarms_minutes=(30,))),
                            ("recording_headings", replace(ctx, recording_headings={})),
                            ("team_names", replace(ctx, team_names={})),
                            ("cancelled_keep_days", replace(ctx, cancelled_keep_days=3))]:
        assert visit_fingerprint(first, task, other_ctx) != base, name
    assert visit_fingerprint(first, task, context("full")) == base


def test_a_cancelled_fingerprint_changes_with_every_field_it_is_drawn_from() -> None:
    _, state = build_documents(sample_schedule(), context(), PublishState())
    item = state.items["v-1@visitplanner"]
    base = ics._cancelled_fingerprint(item)
    for name in ("component", "uid", "stamp", "sequence", "summary", "start", "end",
                 "calendars"):
        other = replace(item, **{name: changed(getattr(item, name))})
        assert ics._cancelled_fingerprint(other) != base, name


def test_plan_values_have_a_stable_repr_and_workspace_records_are_spelt_out() -> None:
    for kind in (PlannedVisit, RecordingTask, Shortfall, Escalation):
        assert ics._repr_is_stable(kind), kind
    for kind in (Child, Worker):  # they hold sets: their repr can change between processes
        assert not ics._repr_is_stable(kind), kind
    with pytest.raises(TypeError):
        ics._canon(object())


FINGERPRINTS = """
import json, sys
sys.path.insert(0, "tests/publish")
from ics_samples import context, sample_schedule
from visitplanner.publish import PublishState, build_documents
_, state = build_documents(sample_schedule(), context("full"), PublishState())
print(json.dumps({uid: item.fingerprint for uid, item in state.items.items()}))
"""


def test_fingerprints_are_the_same_in_every_process() -> None:
    results = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", FINGERPRINTS], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=True, timeout=120)
        results.append(json.loads(done.stdout.splitlines()[-1]))
    _, state = build_documents(sample_schedule(), context("full"), PublishState())
    here = {uid: item.fingerprint for uid, item in state.items.items()}
    assert results[0] == results[1] == here

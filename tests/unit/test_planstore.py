"""The kept plan: Schedule to JSON and back, deterministic, atomic, private."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from datetime import UTC, date
from fractions import Fraction
from pathlib import Path

import pytest
from ics_samples import sample_schedule

from visitplanner.core.model import LONDON, Role, VisitKind, Worker
from visitplanner.errors import PlanError
from visitplanner.inputs.planstore import (
    canonical_json,
    load_schedule,
    save_schedule,
    schedule_from_json,
    schedule_to_json,
)


def test_a_schedule_survives_the_round_trip_exactly():
    plan = replace(sample_schedule(), notes=("note one", "note two"))
    assert schedule_from_json(schedule_to_json(plan)) == plan


def test_a_digest_text_writes_a_value_as_its_fields_with_sets_sorted():
    worker = Worker("w1", "Worker One", "w1@example.org", "north", Role.SOCIAL_WORKER,
                    frozenset({4, 0}))
    assert canonical_json(worker) == (
        b'{"email":"w1@example.org","id":"w1","name":"Worker One","role":"social_worker",'
        b'"team":"north","visits_per_day":3,"working_days":[0,4]}')
    assert canonical_json({"b": date(2026, 11, 23), "a": frozenset({"y", "x"}),
                           "share": Fraction(1, 2)}) == \
        b'{"a":["x","y"],"b":"2026-11-23","share":"1/2"}'


def test_a_digest_text_refuses_a_value_it_cannot_write_exactly():
    with pytest.raises(TypeError, match="no canonical JSON for object"):
        canonical_json({"a": object()})


def test_the_json_is_deterministic_and_sorted():
    text = schedule_to_json(sample_schedule())
    assert text == schedule_to_json(sample_schedule())
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_dates_are_iso_and_instants_carry_their_offset():
    document = json.loads(schedule_to_json(sample_schedule()))
    first = document["schedule"]["visits"][0]
    assert first["start"] == "2026-03-30T10:00:00+01:00"
    assert first["due_by"] == "2026-04-02"
    assert first["kind"] == "routine"
    assert document["format"] == 1


def test_an_instant_in_gmt_is_written_with_z_and_an_older_plus_zero_offset_still_reads():
    plan = sample_schedule()
    winter = plan.visits[0].start.replace(month=11, day=23)
    gmt = replace(plan, visits=(replace(plan.visits[0], start=winter),))
    text = schedule_to_json(gmt)
    assert '"start": "2026-11-23T10:00:00Z"' in text
    older = text.replace("2026-11-23T10:00:00Z", "2026-11-23T10:00:00+00:00")
    for written in (text, older):
        back = schedule_from_json(written).visits[0].start
        assert (back, back.tzinfo, back.hour) == (winter, LONDON, 10)


def test_a_naive_instant_is_never_written():
    plan = sample_schedule()
    naive = replace(plan.visits[0], start=plan.visits[0].start.replace(tzinfo=None))
    with pytest.raises(ValueError, match="naive datetime"):
        schedule_to_json(replace(plan, visits=(naive,)))


def test_a_wrong_value_is_named_by_where_it_is():
    text = schedule_to_json(sample_schedule()).replace('"kind": "routine"', '"kind": "weekly"', 1)
    with pytest.raises(PlanError) as caught:
        schedule_from_json(text)
    assert "$.visits[" in caught.value.render() and ".kind" in caught.value.render()


def test_instants_come_back_in_london_time():
    plan = sample_schedule()
    utc = replace(plan.visits[0], start=plan.visits[0].start.astimezone(UTC))
    back = schedule_from_json(schedule_to_json(replace(plan, visits=(utc,))))
    assert back.visits[0].start.tzinfo is LONDON
    assert back.visits[0].start.hour == 10


def test_the_visit_order_of_the_schedule_is_kept():
    plan = sample_schedule()
    reversed_plan = replace(plan, visits=plan.visits[::-1])
    back = schedule_from_json(schedule_to_json(reversed_plan))
    assert [v.id for v in back.visits] == ["v-4", "v-3", "v-2", "v-1"]
    assert back.visits[1].kind is VisitKind.FIRST


def test_save_and_load_use_the_workspace_folder_privately(tmp_path: Path):
    assert load_schedule(tmp_path) is None
    path = save_schedule(tmp_path, sample_schedule())
    assert path == tmp_path / ".visitplanner" / "plan.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_schedule(tmp_path) == sample_schedule()


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("not json", "not JSON"),
        ('{"format": 99, "schedule": {}}', "plan format 99"),
        ('{"format": 1, "schedule": {"today": "2026-01-01"}}', "not a plan"),
        (
            '{"format": 1, "schedule": {"today": "yesterday", "start": "2026-01-01", '
            '"end": "2026-01-02", '
            '"seed": 1, "visits": []}}',
            "not a plan",
        ),
    ],
)
def test_a_broken_plan_file_is_a_plan_error_that_says_to_plan_again(text: str, what: str):
    with pytest.raises(PlanError) as caught:
        schedule_from_json(text)
    assert what in caught.value.render()
    assert "run `visitplanner plan` again" in caught.value.render()


def test_an_instant_without_offset_is_refused():
    text = schedule_to_json(sample_schedule()).replace(
        "2026-03-30T10:00:00+01:00", "2026-03-30T10:00:00"
    )
    with pytest.raises(PlanError, match="cannot be read"):
        schedule_from_json(text)


def test_a_bare_schedule_without_optional_lists_loads(tmp_path: Path):
    minimal = {
        "format": 1,
        "schedule": {
            "today": "2026-01-05",
            "start": "2026-01-05",
            "end": "2026-02-16",
            "seed": 3,
            "visits": [],
        },
    }
    plan = schedule_from_json(json.dumps(minimal))
    assert (plan.today, plan.seed, plan.visits, plan.shortfalls) == (date(2026, 1, 5), 3, (), ())

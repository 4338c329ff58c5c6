"""The documents users read stay in step with the code they describe."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from visitplanner.core.explain import FLAG_TEXT
from visitplanner.core.model import (
    BirthDateNeeded,
    ChildChecks,
    Escalation,
    PlannedVisit,
    Reason,
    RecordingTask,
    Schedule,
    Shortfall,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("value", [Schedule, PlannedVisit, Reason, Shortfall, RecordingTask,
                                   ChildChecks, Escalation, BirthDateNeeded])
def test_every_field_of_the_plan_json_is_documented(value: type) -> None:
    text = (DOCS / "plan-json.md").read_text(encoding="utf-8")
    missing = [f.name for f in dataclasses.fields(value) if f"`{f.name}`" not in text
               and f"{{{f.name}" not in text and f", {f.name}" not in text]
    assert missing == []


def test_every_planner_flag_is_documented_and_explained() -> None:
    text = (DOCS / "plan-json.md").read_text(encoding="utf-8")
    assert [flag for flag in FLAG_TEXT if f"`{flag}`" not in text] == []

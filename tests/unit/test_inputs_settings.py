"""visitplanner.toml values that would be planned or written wrongly are refused (issue 10):
a date-time as a time of day, an unbounded horizon, an output folder outside the workspace."""

from __future__ import annotations

import shutil
import tomllib
from datetime import time
from pathlib import Path

import pytest

from visitplanner.inputs.settings import MAX_WEEKS, parse_settings
from visitplanner.inputs.workspace import load_workspace

EXAMPLE = Path(__file__).parents[2] / "examples" / "camden"
CLOCK_FIX = '(fix: write it as "HH:MM" (24 hour), e.g. "09:30")'
OUTSIDE_FIX = ('(fix: give a folder inside the workspace, e.g. "calendars"; to write elsewhere, '
               "give --out on the command line)")


def problems(section: str, line: str) -> list[str]:
    table = "" if section == "workspace" else f"[{section}]\n"
    data = tomllib.loads(f'[workspace]\npolicy = "camden"\n{table}{line}\n')
    settings, found = parse_settings(data)
    assert (settings is None) == bool(found)
    return [problem.render() for problem in found]


@pytest.mark.parametrize("value", ["2026-01-05T09:00:00", "2026-01-05 09:00:00",
                                   "2026-01-05T09:00:00Z", "2026-01-05T09:00:00+01:00"])
def test_a_date_time_as_day_start_is_refused_with_the_key_and_the_fix(value: str) -> None:
    (found,) = problems("planning", f"day_start = {value}")
    assert found.startswith("visitplanner.toml, key planning.day_start: ")
    assert "is a date and time, not a time of day" in found
    assert found.endswith('(fix: write only the time, as "HH:MM" (24 hour), e.g. "09:30")')


def test_a_time_with_seconds_is_refused_and_a_whole_minute_taken() -> None:
    assert problems("planning", "day_start = 09:00:30") == [
        f"visitplanner.toml, key planning.day_start: 09:00:30 has seconds {CLOCK_FIX}"]
    assert problems("planning", "day_start = 09:00:00") == []


def test_a_date_as_day_end_is_not_a_time_of_day() -> None:
    assert problems("planning", "day_end = 2026-01-05") == [
        f"visitplanner.toml, key planning.day_end: 2026-01-05 is not a time of day {CLOCK_FIX}"]


@pytest.mark.parametrize("weeks", [MAX_WEEKS + 1, 100_000])
def test_planning_weeks_beyond_the_bound_is_refused_naming_the_bound(weeks: int) -> None:
    assert problems("planning", f"weeks = {weeks}") == [
        f"visitplanner.toml, key planning.weeks: {weeks} is more than {MAX_WEEKS} "
        f"(fix: use a whole number from 1 to {MAX_WEEKS})"]


def test_planning_weeks_within_the_bound_is_taken() -> None:
    assert problems("planning", f"weeks = {MAX_WEEKS}") == problems("planning", "weeks = 1") == []


@pytest.mark.parametrize("out", ["../calendars", "../../etc", "a/../../b", "/tmp/calendars",
                                 "/"])
def test_publish_out_leaving_the_workspace_is_refused(out: str) -> None:
    assert problems("publish", f'out = "{out}"') == [
        f'visitplanner.toml, key publish.out: "{out}" is outside the workspace {OUTSIDE_FIX}']


def test_publish_out_inside_the_workspace_is_taken(tmp_path: Path) -> None:
    root = tmp_path / "camden"
    shutil.copytree(EXAMPLE, root)
    settings = root / "visitplanner.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        'out = "calendars"', 'out = "feeds/ics"'), encoding="utf-8")
    workspace = load_workspace(root)
    assert workspace.publish_dir == root / "feeds" / "ics"
    assert workspace.settings.planning.day_start == time(9, 0)



@pytest.mark.parametrize("value", ["West\\nBEGIN:VEVENT", "West\\u0000", "West\\tTeam"])
def test_a_team_name_with_a_line_break_or_control_character_is_refused_unquoted(
        value: str) -> None:
    assert problems("workspace", f'team_name = "{value}"') == [
        "visitplanner.toml, key workspace.team_name: holds a line break or another control "
        "character (fix: write it on one line, without control characters)"]

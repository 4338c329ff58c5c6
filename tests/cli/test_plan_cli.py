"""`visitplanner plan` and `visitplanner explain` on a copy of the Camden example."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from visitplanner.cli import cli, main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "camden"


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    target = tmp_path / "camden"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
    return target


def run(workspace: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["-w", str(workspace), *args])
    return result.exit_code, result.output


def test_planning_twice_prints_the_same_json_byte_for_byte(workspace: Path) -> None:
    code1, first = run(workspace, "plan", "--from", "2026-11-23", "--force", "--json")
    code2, second = run(workspace, "plan", "--from", "2026-11-23", "--force", "--json")
    assert (code1, code2) == (0, 0)
    assert first == second
    schedule = json.loads(first)["schedule"]
    assert schedule["start"] == "2026-11-23" and schedule["end"] == "2027-01-03"
    assert len(schedule["visits"]) > 100


def test_explain_prints_the_rules_and_their_source_quotes(workspace: Path) -> None:
    _, text = run(workspace, "plan", "--from", "2026-11-23", "--force", "--json")
    visit = json.loads(text)["schedule"]["visits"][0]
    code, out = run(workspace, "explain", visit["id"])
    assert code == 0
    assert f"Visit {visit['id']}" in out
    for reason in visit["reasons"]:
        assert reason["rule_id"] in out
        assert reason["source"] in out
    assert "Checklist:" in out


def exit_of(workspace: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run the real entry point (as the `visitplanner` command does): exit code and stderr."""
    with pytest.raises(SystemExit) as stopped:
        main(["-w", str(workspace), *args])
    return int(stopped.value.code or 0), capsys.readouterr().err


def test_explaining_an_unknown_visit_exits_5_and_names_the_id(
        workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = exit_of(workspace, capsys, "explain", "v-000000000000")
    assert code == 5
    assert "no .visitplanner/plan.json" in err and "run `visitplanner plan` first" in err
    run(workspace, "plan", "--from", "2026-11-23", "--force")
    code, err = exit_of(workspace, capsys, "explain", "v-000000000000")
    assert code == 5
    assert "no visit 'v-000000000000' in the kept plan" in err
    assert "visitplanner plan --json" in err
    assert "Traceback" not in err

"""`visitplanner publish` and `feed-token rotate` on a copy of the example workspace."""

from __future__ import annotations

import json
import shutil
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from ics_samples import visit

from visitplanner.cli import cli
from visitplanner.core.model import Schedule
from visitplanner.inputs.planstore import save_schedule
from visitplanner.inputs.workspace import load_workspace
from visitplanner.publish.feeds import load_tokens

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "camden"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "camden"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
    return root


def keep_plan(root: Path) -> Schedule:
    loaded = load_workspace(root)
    children = [c for c in loaded.children if c.allocated_worker][:3]
    team = loaded.worker(children[0].allocated_worker or "").team  # type: ignore[union-attr]
    visits = tuple(
        visit(
            f"v-{i}",
            date(2026, 3, 30) + timedelta(days=i),
            worker=c.allocated_worker or "",
            household=c.household,
            case_refs=(c.case_ref,),
            team=team,
        )
        for i, c in enumerate(children)
    )
    plan = Schedule(
        today=date(2026, 3, 23),
        start=date(2026, 3, 23),
        end=date(2026, 5, 4),
        seed=1,
        visits=visits,
    )
    save_schedule(root, plan)
    return plan


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["-w", str(root), *args], catch_exceptions=False)


def test_publish_writes_every_calendar_privately_and_reports_what_changed(workspace: Path):
    keep_plan(workspace)
    result = run(workspace, "publish", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    loaded = load_workspace(workspace)
    expected = {f"{w.id}.ics" for w in loaded.workers} | {
        f"team-{w.team}.ics" for w in loaded.workers
    }
    assert set(summary["written"]) == expected
    assert summary["items"] == {
        "new": 3,
        "changed": 0,
        "cancelled": 0,
        "unchanged": 0,
        "dropped": 0,
    }
    for name in expected:
        assert stat.S_IMODE((workspace / "calendars" / name).stat().st_mode) == 0o600
    team = (workspace / "calendars" / f"team-{loaded.workers[0].team}.ics").read_bytes()
    assert b"X-WR-CALNAME:Visits - Camden Family Help West (synthetic example)" in team
    assert b"Purpose of visit" in team  # the policy's recording headings reach the description
    assert not any(c.name.encode() in team for c in loaded.children)


def test_publishing_twice_changes_nothing(workspace: Path):
    keep_plan(workspace)
    run(workspace, "publish")
    before = {p.name: p.read_bytes() for p in (workspace / "calendars").iterdir()}
    result = run(workspace, "publish")
    assert "0 written" in result.output and "3 unchanged, 0 dropped" in result.output
    assert {p.name: p.read_bytes() for p in (workspace / "calendars").iterdir()} == before


def test_publish_without_a_kept_plan_says_to_plan_first(workspace: Path):
    result = CliRunner().invoke(cli, ["-w", str(workspace), "publish"])
    assert result.exit_code != 0
    assert "run `visitplanner plan` first" in result.exception.render()  # type: ignore[union-attr]
    assert result.exception.exit_code == 5  # type: ignore[union-attr]


def test_publish_out_option_chooses_the_folder(workspace: Path, tmp_path: Path):
    keep_plan(workspace)
    assert run(workspace, "publish", "--out", str(tmp_path / "elsewhere")).exit_code == 0
    assert any((tmp_path / "elsewhere").glob("team-*.ics"))
    assert not (workspace / "calendars").exists()


def test_rotate_prints_a_url_once_and_stores_only_its_hash(workspace: Path):
    worker = load_workspace(workspace).workers[0].id
    result = run(workspace, "feed-token", "rotate", worker)
    url = result.output.strip()
    assert url.startswith("http://127.0.0.1:8080/feeds/") and url.endswith(".ics")
    token = url.removeprefix("http://127.0.0.1:8080/feeds/").removesuffix(".ics")
    assert load_tokens(workspace).calendar_for(token) == worker
    assert token not in (workspace / ".visitplanner" / "feed-tokens.json").read_text()


def test_rotate_refuses_an_unknown_calendar(workspace: Path):
    result = CliRunner().invoke(cli, ["-w", str(workspace), "feed-token", "rotate", "nobody"])
    assert result.exit_code != 0
    assert "no calendar 'nobody'" in result.exception.render()  # type: ignore[union-attr]

"""The manager's decisions from the command line: absence, reassign, handover, pin,
withdraw and the audit list; --dry-run previews per worker and changes nothing."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from visitplanner.cli import cli
from visitplanner.errors import VisitplannerError
from visitplanner.inputs.planstore import load_schedule

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "camden"
TODAY = ("--today", "2026-11-23")


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("camden") / "ws"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
    assert run(root, "plan", "--from", "2026-11-23", "--force")[0] == 0
    assert run(root, "publish")[0] == 0
    return root


@pytest.fixture
def workspace(planned: Path, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(planned, root)
    return root


def run(root: Path, *args: str) -> tuple[int, str]:
    """Run the CLI; a user error as `main` shows it: (exit code, output)."""
    result = CliRunner().invoke(cli, ["-w", str(root), *args])
    error = result.exception
    if isinstance(error, VisitplannerError):
        return error.exit_code, result.output + error.render()
    if error is not None and not isinstance(error, SystemExit):
        raise error
    return result.exit_code, result.output


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "desk.sqlite" not in p.name):
        h.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return h.hexdigest()


def osei_visits_while_away(root: Path) -> list[str]:
    schedule = load_schedule(root)
    assert schedule is not None
    return [v.id for v in schedule.visits if v.worker_id == "sw.osei" and
            "2026-11-24" <= v.day.isoformat() <= "2026-12-07"]


ABSENCE = ("absence", "add", "sw.osei", "--from", "2026-11-24", "--to", "2026-12-07",
           "--reason", "sick", *TODAY)


def test_a_dry_run_previews_who_gains_and_loses_and_changes_nothing(workspace: Path) -> None:
    before = digest(workspace)
    code, out = run(workspace, *ABSENCE, "--dry-run")
    assert code == 0, out
    assert out.startswith("Preview (nothing changed):")
    assert re.search(r"^sw\.osei: gains 0, loses \d+", out, re.M)
    assert re.search(r"^  \+ .* from sw\.osei$", out, re.M)
    assert digest(workspace) == before


def test_an_absence_applied_survives_a_later_plan_and_is_undone_by_its_removal(
        workspace: Path) -> None:
    assert osei_visits_while_away(workspace) != []
    code, out = run(workspace, *ABSENCE, "--why", "off sick")
    assert code == 0, out
    assert "Decision 1 applied" in out
    assert osei_visits_while_away(workspace) == []
    assert run(workspace, "plan", "--from", "2026-11-23", "--force")[0] == 0
    assert osei_visits_while_away(workspace) == []
    code, listed = run(workspace, "absence", "list")
    assert listed.startswith("1\tsw.osei\t2026-11-24\t2026-12-07\tsick")
    assert run(workspace, "absence", "remove", "1", *TODAY)[0] == 0
    assert osei_visits_while_away(workspace) != []
    code, log = run(workspace, "decisions")
    assert re.search(r"#1 withdrawn .*: absence sw\.osei away", log)
    assert re.search(r"#1 applied .*: absence sw\.osei away .* -- off sick", log)


def test_a_visit_is_given_to_a_named_colleague(workspace: Path) -> None:
    schedule = load_schedule(workspace)
    assert schedule is not None
    visit = next(v for v in schedule.visits if v.worker_id == "sw.osei" and
                 v.day.isoformat() == "2026-11-24")
    code, out = run(workspace, "reassign", f"{visit.id}@visitplanner", "--to", "sw.adebayo",
                    *TODAY)
    assert code == 0, out
    after = load_schedule(workspace)
    assert after is not None
    moved = next(v for v in after.visits if v.id == visit.id)
    assert (moved.worker_id, moved.day) == ("sw.adebayo", visit.day)


def test_a_child_is_handed_over_and_a_pin_is_kept(workspace: Path) -> None:
    code, out = run(workspace, "handover", "CAM-0020", "--to", "sw.adebayo", *TODAY)
    assert code == 0, out
    schedule = load_schedule(workspace)
    assert schedule is not None
    theirs = [v for v in schedule.visits if "CAM-0020" in v.case_refs]
    assert theirs and {v.allocated_worker_id or v.worker_id for v in theirs} == {"sw.adebayo"}
    code, out = run(workspace, "pin", theirs[-1].id, *TODAY)
    assert code == 0, out


def test_a_decision_naming_unknown_things_is_refused_listing_each_and_writes_nothing(
        workspace: Path) -> None:
    before = digest(workspace)
    code, out = run(workspace, "reassign", "v-nosuchvisit", "--to", "sw.nobody", *TODAY)
    assert code != 0
    assert "no visit 'v-nosuchvisit' in the kept plan" in out
    assert "unknown worker 'sw.nobody'" in out
    code, out = run(workspace, "handover", "nobody", "--to", "sw.adebayo", *TODAY)
    assert code != 0 and "neither a case ref nor a worker id" in out
    assert digest(workspace) == before

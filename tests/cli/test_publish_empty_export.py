"""`publish` and `sync` refuse an export that failed upstream, as `plan` does (issue 10).

A header-only ``children.csv`` (or one holding far fewer children than the kept plan
visits) would have every visit of the missing children published again without them.
Each test starts from a copy of the Camden example, planned and published, and checks
that the refusal exits 4, names the file and the fix, and leaves every file as it was.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from visitplanner.cli import cli, main
from visitplanner.errors import InputError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "camden"
PLAN = ("plan", "--from", "2026-11-23", "--force")  # the example's day, confirmed
#: The workspace lock's own files: taken and let go by every run, refused or not.
LOCK_FILES = frozenset({"lock", "lock-holder.json"})


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("published") / "camden"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
    for command in (PLAN, ("publish",)):
        result = CliRunner().invoke(cli, ["-w", str(root), *command])
        assert result.exit_code == 0, result.output
    return root


@pytest.fixture()
def workspace(published: Path, tmp_path: Path) -> Path:
    root = tmp_path / "camden"
    shutil.copytree(published, root)
    return root


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of the workspace but the lock's: its bytes and modification time."""
    return {str(path.relative_to(root)): (path.read_bytes(), path.stat().st_mtime_ns)
            for path in sorted(root.rglob("*"))
            if path.is_file() and path.name not in LOCK_FILES}


def headings_only(root: Path, *exports: str) -> None:
    for name in exports:
        path = root / name
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")


def keep_first_households(root: Path, count: int) -> None:
    """Cut children.csv, and visits.csv with it, to the first ``count`` households."""
    children = rows(root / "children.csv")
    households = sorted({child["household"] for child in children})[:count]
    kept = [child for child in children if child["household"] in households]
    refs = {child["case_ref"] for child in kept}
    write_rows(root / "children.csv", kept)
    write_rows(root / "visits.csv", [v for v in rows(root / "visits.csv")
                                     if set(v["case_refs"].split(";")) <= refs])


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def write_rows(path: Path, kept: list[dict[str, str]]) -> None:
    with path.open(encoding="utf-8", newline="") as stream:
        heading = next(csv.reader(stream))
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, heading)
        writer.writeheader()
        writer.writerows(kept)


def refusal(root: Path, *command: str) -> InputError:
    result = CliRunner().invoke(cli, ["-w", str(root), *command])
    assert isinstance(result.exception, InputError), result.output
    return result.exception


def entry_point(root: Path, capsys: pytest.CaptureFixture[str], *command: str
                ) -> tuple[int, str, str]:
    """The real `visitplanner` entry point: exit code, stdout and stderr."""
    try:
        main(["-w", str(root), *command])
    except SystemExit as stopped:
        code = int(stopped.code or 0)
    else:
        code = 0
    out, err = capsys.readouterr()
    return code, out, err


def test_publish_refuses_a_header_only_children_csv_and_writes_nothing(workspace: Path) -> None:
    headings_only(workspace, "children.csv", "visits.csv")
    before = snapshot(workspace)
    refused = refusal(workspace, "publish")
    assert refused.exit_code == 4
    assert refused.message == "publish refused: children.csv looks incomplete; nothing was written"
    (problem,) = refused.problems
    assert problem.where == "children.csv" and "holds no children" in problem.what
    assert "export children.csv again" in problem.fix and "`visitplanner publish`" in problem.fix
    assert snapshot(workspace) == before


def test_the_refusal_exits_4_with_one_located_message_and_no_traceback(
        workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    headings_only(workspace, "children.csv", "visits.csv")
    calendars = snapshot(workspace / "calendars")
    code, out, err = entry_point(workspace, capsys, "publish")
    assert (code, out) == (4, "")
    assert "children.csv: holds no children" in err and "Traceback" not in err
    assert snapshot(workspace / "calendars") == calendars


def test_sync_refuses_a_header_only_children_csv_before_connecting(
        workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The example's [caldav] names a local server that is not running: a sync that got as
    # far as connecting would fail otherwise (exit 7), and without a login it would say so.
    headings_only(workspace, "children.csv", "visits.csv")
    before = snapshot(workspace)
    code, out, err = entry_point(workspace, capsys, "sync")
    assert (code, out) == (4, "")
    assert "sync refused: children.csv looks incomplete" in err
    assert "`visitplanner sync`" in err and "note:" not in err
    assert snapshot(workspace) == before


def test_publish_refuses_far_fewer_children_than_the_kept_plan_visits(workspace: Path) -> None:
    keep_first_households(workspace, 3)
    before = snapshot(workspace)
    (problem,) = refusal(workspace, "publish").problems
    assert problem.where == "children.csv"
    assert problem.what.endswith("children; the kept plan has visits to 60")
    assert "visitplanner plan --force" in problem.fix
    assert snapshot(workspace) == before


def test_a_plan_of_the_smaller_caseload_is_what_lets_publish_past_the_export_guard(
        workspace: Path) -> None:
    keep_first_households(workspace, 3)
    assert CliRunner().invoke(cli, ["-w", str(workspace), *PLAN]).exit_code == 0
    result = CliRunner().invoke(cli, ["-w", str(workspace), "publish"])
    # Now the cancellation guard speaks (exit 6): most visits would go.
    assert result.exception is not None and getattr(result.exception, "exit_code", 0) == 6


def test_a_complete_export_publishes_as_before(workspace: Path) -> None:
    before = snapshot(workspace / "calendars")
    result = CliRunner().invoke(cli, ["-w", str(workspace), "publish"])
    assert result.exit_code == 0, result.output
    assert "0 written" in result.output
    assert snapshot(workspace / "calendars") == before

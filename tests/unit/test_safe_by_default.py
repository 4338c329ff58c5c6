"""Safe by default (issue 10): a slip in the input never silently empties the calendars.

Each test runs the real entry point on a copy of the Camden example with the CLI's clock
set to Monday 23 November 2026, as the README's example runs.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from visitplanner.cli import main
from visitplanner.cli import plan as plan_command

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "camden"
TODAY = date(2026, 11, 23)
PLAN = Path(".visitplanner") / "plan.json"
PUBLISHED = Path(".visitplanner") / "published.json"

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture()
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(plan_command, "today_in_london", lambda: TODAY)
    root = tmp_path / "camden"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
    return root


@pytest.fixture()
def run(workspace: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """``run("plan", "--from", ...)``: the exit code, stdout and stderr of the real command."""
    def invoke(*args: str) -> tuple[int, str, str]:
        try:
            main(["-w", str(workspace), *args])
            code = 0
        except SystemExit as stopped:
            code = int(stopped.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err
    return invoke


def keep_households(root: Path, count: int) -> set[str]:
    """Cut children.csv down to its first ``count`` households (and visits.csv to theirs),
    as an export that stopped half-way would; the case refs kept."""
    children = rows(root / "children.csv")
    households = sorted({c["household"] for c in children})[:count]
    kept = [c for c in children if c["household"] in households]
    write_rows(root / "children.csv", kept)
    refs = {c["case_ref"] for c in kept}
    visits = [v for v in rows(root / "visits.csv") if set(v["case_refs"].split(";")) <= refs]
    write_rows(root / "visits.csv", visits)
    return refs


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def write_rows(path: Path, table: list[dict[str, str]]) -> None:
    heading = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, heading)
        writer.writeheader()
        writer.writerows(table)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file the tool writes: the kept plan, the publish state and the calendars."""
    files = [root / PLAN, root / PUBLISHED, *sorted((root / "calendars").glob("*.ics"))]
    return {str(path.relative_to(root)): path.read_bytes() for path in files if path.exists()}


# --------------------------------------------------------------------------- plan --from


def test_a_year_typo_in_from_is_refused_naming_the_option_and_the_plan_is_kept(
        workspace: Path, run: Run) -> None:
    assert run("plan")[0] == 0
    kept = (workspace / PLAN).read_bytes()
    code, out, err = run("plan", "--from", "2025-11-23")
    assert code == 5 and out == ""
    assert "--from: 2025-11-23 is 365 days before today (2026-11-23)" in err
    assert "add --force" in err and "Traceback" not in err
    assert (workspace / PLAN).read_bytes() == kept


def test_a_from_within_a_week_of_today_needs_no_force(run: Run) -> None:
    code, out, _ = run("plan", "--from", "2026-11-30", "--no-keep")
    assert code == 0 and out.startswith("Plan 2026-11-30 to ")


def test_a_plan_with_children_but_no_visits_is_an_error_and_is_not_kept(
        workspace: Path, run: Run) -> None:
    code, out, err = run("plan", "--from", "2020-01-06", "--weeks", "1", "--force")
    assert code == 5 and out == ""
    assert "no visits planned for 60 children" in err
    assert "every deadline in the plan is met" not in err
    assert not (workspace / PLAN).exists()


# --------------------------------------------------------------------------- the export


def test_an_export_without_children_is_refused_naming_children_csv(
        workspace: Path, run: Run) -> None:
    for name in ("children.csv", "visits.csv", "absences.csv"):
        write_rows(workspace / name, [])
    for force in ((), ("--force",)):
        code, out, err = run("plan", *force)
        assert code == 4 and out == ""
        assert "children.csv" in err and "Traceback" not in err
    assert not (workspace / PLAN).exists()


def test_far_fewer_children_than_the_kept_plan_is_refused_unless_forced(
        workspace: Path, run: Run) -> None:
    assert run("plan")[0] == 0
    kept = (workspace / PLAN).read_bytes()
    refs = keep_households(workspace, 5)
    code, _, err = run("plan")
    assert code == 4
    assert f"children.csv: holds {len(refs)} children; the kept plan has visits to 60" in err
    assert "--force" in err
    assert (workspace / PLAN).read_bytes() == kept
    code, out, _ = run("plan", "--force")
    assert code == 0 and f"visits to {len(refs)} children" in out


# --------------------------------------------------------------------------- the comparison


def test_the_comparison_with_the_kept_plan_counts_a_dropped_childs_visits_as_removed(
        workspace: Path, run: Run) -> None:
    _, first, _ = run("plan", "--json")
    visits = json.loads(first)["schedule"]["visits"]
    households = sorted({v["household"] for v in visits})
    keep_households(workspace, len(households) - 1)
    dropped = [v for v in visits if v["household"] == households[-1]]
    code, out, _ = run("plan")
    assert code == 0
    line = next(x for x in out.splitlines() if "compared with the kept plan" in x)
    removed = int(line.split(", ")[-1].removesuffix(" removed"))
    assert removed >= len(dropped) > 0
    for worker in {v["worker_id"] for v in dropped}:
        assert any(x.startswith(f"    {worker}: ") and x.endswith(" removed")
                   for x in out.splitlines())


# --------------------------------------------------------------------------- publish, sync


def test_publish_and_sync_refuse_to_cancel_most_future_visits_unless_allowed(
        workspace: Path, run: Run) -> None:
    assert run("plan")[0] == 0
    assert run("publish")[0] == 0
    keep_households(workspace, 3)
    assert run("plan", "--force")[0] == 0
    before = snapshot(workspace)

    code, out, err = run("publish")
    assert code == 6 and out == ""
    assert "publish refused: it would cancel" in err and "nothing was written" in err
    assert "calendar team-camden-west: " in err and " future visits would be cancelled: v-" in err
    assert "visitplanner publish --allow-cancellations" in err
    names = {c["name"] for c in rows(EXAMPLE / "children.csv")}
    assert not any(name in err for name in names)
    assert snapshot(workspace) == before

    code, out, err = run("sync")
    assert code == 7 and "sync refused: it would cancel" in err
    assert "visitplanner sync --allow-cancellations" in err
    assert "note: no credentials" not in err  # refused before any login or connection
    assert not (workspace / ".visitplanner" / "sync.sqlite").exists()
    assert snapshot(workspace) == before

    code, out, _ = run("publish", "--allow-cancellations", "--json")
    assert code == 0 and json.loads(out)["items"]["cancelled"] > 0
    assert snapshot(workspace) != before


def test_publish_after_a_small_change_needs_no_override(workspace: Path, run: Run) -> None:
    assert run("plan")[0] == 0
    assert run("publish")[0] == 0
    households = sorted({c["household"] for c in rows(workspace / "children.csv")})
    keep_households(workspace, len(households) - 1)
    assert run("plan")[0] == 0
    code, out, _ = run("publish", "--json")
    assert code == 0 and json.loads(out)["items"]["cancelled"] > 0


# --------------------------------------------------------------------------- dates, explain


@pytest.mark.parametrize(("args", "why"), [
    (("plan", "--from", "2026-02-30"), "2026-02-30 is not a date: February 2026 has 28 days"),
    (("due", "--on", "2026-13-01"), "2026-13-01 is not a date: there is no month 13"),
    (("due", "--on", "23/11/2026"), "is not a date in the form YYYY-MM-DD"),
])
def test_a_date_that_does_not_exist_is_refused_saying_why(
        run: Run, args: tuple[str, ...], why: str) -> None:
    code, _, err = run(*args)
    assert code == 2
    assert why in err and "does not match the format" not in err


def test_explain_accepts_the_calendar_uid_and_names_only_what_is_written(run: Run) -> None:
    _, text, _ = run("plan", "--json")
    visit_id = json.loads(text)["schedule"]["visits"][0]["id"]
    code, out, _ = run("explain", f"{visit_id}@visitplanner")
    assert code == 0 and out.startswith(f"Visit {visit_id}:")
    code, _, err = run("explain", "v-000000000000@visitplanner")
    assert code == 5 and "v-...@visitplanner" in err
    assert "X-VISITPLANNER-VISIT-ID" not in err

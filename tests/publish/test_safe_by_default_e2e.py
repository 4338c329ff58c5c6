"""Safe by default, end to end (issue 10, "Done when"): a slip in the input, run through
`plan`, then `publish`, then `sync`, cancels nothing on a real Radicale.

Each test starts from the Camden example after a normal plan, publish and sync (planned
from 23 Nov 2026 with --force, as the example's day is more than a week from today), then
makes the mistake and runs the three commands as a user would, and reads back what the
server stores: every event and to-do, its STATUS, start and SEQUENCE.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sync_docs import EXAMPLE
from test_conflicts_cli import PLAN, Workspace, run_cli

from visitplanner.publish.devserver import DevServer

pytestmark = pytest.mark.servers

PLAN_FILE = Path(".visitplanner") / "plan.json"
#: Calendar -> UID -> (STATUS, start, SEQUENCE): what the server holds.
Snapshot = dict[str, dict[str, tuple[str, str, str]]]


@pytest.fixture(scope="module")
def published_example(tmp_path_factory: pytest.TempPathFactory, radicale: DevServer
                      ) -> Workspace:
    """The Camden example planned, published and synced as the README says."""
    root = tmp_path_factory.mktemp("safe") / "camden"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
    example = Workspace(root, radicale, "safe0-")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("VISITPLANNER_CALDAV_USERNAME", radicale.username)
        env.setenv("VISITPLANNER_CALDAV_PASSWORD", radicale.password)
        for command in (PLAN, ("publish",), ("sync", "--json")):
            assert run_cli(root, *command) == 0, command
    return example


@pytest.fixture
def workspace(published_example: Workspace, tmp_path: Path, radicale: DevServer,
              capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
              ) -> Iterator[Workspace]:
    """A clone of the published example, its calendars its own on the server."""
    radicale.start()
    monkeypatch.setenv("VISITPLANNER_CALDAV_USERNAME", radicale.username)
    monkeypatch.setenv("VISITPLANNER_CALDAV_PASSWORD", radicale.password)
    chosen = published_example.clone(tmp_path / "camden")
    chosen.capsys = capsys
    yield chosen
    chosen.close()


def cancelled(snapshot: Snapshot) -> list[str]:
    return sorted(uid for items in snapshot.values()
                  for uid, (status, _, _) in items.items() if status == "CANCELLED")


def assert_nothing_cancelled_on_the_server(workspace: Workspace, before: Snapshot) -> None:
    """Every calendar holds the same items, none cancelled, each on its day."""
    after = workspace.server_snapshot()
    assert cancelled(after) == []
    assert {calendar: {uid: when for uid, (_, when, _) in items.items()}
            for calendar, items in after.items()} == \
        {calendar: {uid: when for uid, (_, when, _) in items.items()}
         for calendar, items in before.items()}


def assert_nothing_changed_on_the_server(workspace: Workspace, before: Snapshot) -> None:
    assert_nothing_cancelled_on_the_server(workspace, before)
    assert workspace.server_snapshot() == before  # not even a SEQUENCE raised


def publish_then_sync(workspace: Workspace, *sync_options: str
                      ) -> tuple[dict[str, int], dict[str, int]]:
    """Run both, as a user would after `plan`: publish's item counts and sync's totals."""
    code, out, err = workspace.run("publish", "--json")
    assert code == 0, err
    items: dict[str, int] = json.loads(out)["items"]
    code, out, err = workspace.run("sync", "--json", *sync_options)
    assert code == 0, err
    totals: dict[str, int] = json.loads(out)["totals"]
    return items, totals


def publish_then_sync_change_nothing(workspace: Workspace) -> None:
    items, totals = publish_then_sync(workspace)
    assert items["unchanged"] > 0
    assert (items["new"], items["changed"], items["cancelled"], items["dropped"]) == (0, 0, 0, 0)
    assert (totals["created"], totals["updated"], totals["deleted"]) == (0, 0, 0)


def test_a_year_typo_in_from_run_through_plan_publish_sync_cancels_nothing(
        workspace: Workspace) -> None:
    before = workspace.server_snapshot()
    assert len(before) == 8 and sum(map(len, before.values())) > 300
    assert cancelled(before) == []
    kept = (workspace.root / PLAN_FILE).read_bytes()

    code, out, err = workspace.run("plan", "--from", "2025-11-23")
    assert (code, out) == (5, "") and "--from: 2025-11-23 is " in err and "--force" in err
    code, out, err = workspace.run("plan", "--from", "2025-11-23", "--force")  # confirmed
    assert (code, out) == (5, "")
    assert "The plan has no visits" in err and "no visits planned for 60 children" in err
    assert (workspace.root / PLAN_FILE).read_bytes() == kept

    publish_then_sync_change_nothing(workspace)
    assert_nothing_changed_on_the_server(workspace, before)


def empty(workspace: Workspace, *exports: str) -> None:
    """Leave only the heading row in each export, as an export that failed upstream."""
    for name in exports:
        export = workspace.root / name
        export.write_text(export.read_text(encoding="utf-8").splitlines()[0] + "\n",
                          encoding="utf-8")


def plan_refuses_the_empty_export(workspace: Workspace) -> None:
    kept = (workspace.root / PLAN_FILE).read_bytes()
    for command in (("plan",), PLAN):  # from today, and forced from the example's day
        code, out, err = workspace.run(*command)
        assert (code, out) == (4, ""), err
        assert "children.csv" in err and "Traceback" not in err
    assert (workspace.root / PLAN_FILE).read_bytes() == kept


def test_a_header_only_children_csv_run_through_plan_publish_sync_cancels_nothing(
        workspace: Workspace) -> None:
    before = workspace.server_snapshot()
    empty(workspace, "children.csv")
    plan_refuses_the_empty_export(workspace)
    # The recorded visits now name unknown children: publish and sync refuse the workspace.
    for command in ("publish", "sync"):
        code, out, err = workspace.run(command)
        assert (code, out) == (4, ""), err
        assert "visits.csv" in err and "is not in children.csv" in err
    assert_nothing_changed_on_the_server(workspace, before)


def test_a_whole_export_of_headings_only_run_through_plan_publish_sync_cancels_nothing(
        workspace: Workspace) -> None:
    before = workspace.server_snapshot()
    empty(workspace, "children.csv", "visits.csv", "absences.csv")
    plan_refuses_the_empty_export(workspace)
    # The kept plan still has every visit, but publishing it now would write each one
    # again without its children's details: publish and sync refuse the export as plan does.
    calendars = sorted((workspace.root / "calendars").iterdir())
    kept = [path.read_bytes() for path in calendars]
    for command in ("publish", "sync"):
        code, out, err = workspace.run(command)
        assert (code, out) == (4, ""), err
        assert f"{command} refused: children.csv looks incomplete" in err
    assert [path.read_bytes() for path in calendars] == kept
    assert_nothing_changed_on_the_server(workspace, before)


def test_a_kept_plan_that_drops_most_visits_is_refused_by_publish_and_by_sync(
        workspace: Workspace) -> None:
    # An export cut short that the user forced through `plan`: the guards of publish and
    # sync are what stands between it and every phone.
    before = workspace.server_snapshot()
    keep_first_households(workspace.root, 3)
    code, _, err = workspace.run("plan", "--force", "--from", "2026-11-23")
    assert code == 0, err

    code, out, err = workspace.run("publish")
    assert (code, out) == (6, "") and "publish refused: it would cancel" in err
    code, out, err = workspace.run("sync")
    assert (code, out) == (7, "") and "sync refused: it would cancel" in err
    assert "visitplanner sync --allow-cancellations" in err
    assert_nothing_changed_on_the_server(workspace, before)

    # The override is what would let it through (a dry run: no PUTs): the check above can
    # fail.
    code, out, err = workspace.run("sync", "--allow-cancellations", "--dry-run", "--json")
    assert code == 0, err
    assert json.loads(out)["totals"]["updated"] > 100  # the CANCELLED copies
    assert_nothing_changed_on_the_server(workspace, before)


def keep_first_households(root: Path, count: int) -> None:
    """Cut children.csv (and visits.csv) to the first ``count`` households."""
    children = _rows(root / "children.csv")
    households = sorted({c["household"] for c in children})[:count]
    kept = [c for c in children if c["household"] in households]
    refs = {c["case_ref"] for c in kept}
    _write_rows(root / "children.csv", kept)
    _write_rows(root / "visits.csv", [v for v in _rows(root / "visits.csv")
                                      if set(v["case_refs"].split(";")) <= refs])


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    heading = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, heading)
        writer.writeheader()
        writer.writerows(rows)

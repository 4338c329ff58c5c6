"""Workers' edits that do not stand (issue 10): `sync` puts the plan back, names each one and
exits 8 (a deleted visit once, by `[caldav] on_worker_delete`, issue 13; a rejected move until
the first sync after the next `plan`); `visitplanner conflicts` lists them.

The real CLI on a copy of the Camden example, against a local Radicale; the worker edits
their calendar with a second client (caldav's object API), as their phone would.
"""

from __future__ import annotations

import csv
import itertools
import json
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import caldav
import icalendar
import pytest
from sync_docs import EXAMPLE

from visitplanner.cli import main
from visitplanner.publish.caldav_storage import CaldavStorage
from visitplanner.publish.devserver import DevServer, point_workspace_at
from visitplanner.publish.sync import PUT_BACK_NOTE
from visitplanner.publish.syncstatus import load_worker_edits

pytestmark = pytest.mark.servers

PLAN = ("plan", "--force", "--from", "2026-11-23")
#: The calendars of the module's synced example are named "<BASE_PREFIX><calendar id>".
BASE_PREFIX = "conflicts0-"
_prefixes = itertools.count(1)


def run_cli(root: Path, *args: str) -> int:
    """The real entry point on the workspace ``root``: its exit code."""
    try:
        main(["-w", str(root), *args])
    except SystemExit as stopped:
        return int(stopped.code or 0)
    return 0


class Workspace:
    """A copy of the Camden example whose calendars live on Radicale under their own
    ``prefix`` (so no other test's calendars are touched), and the worker's second client."""

    def __init__(self, root: Path, server: DevServer, prefix: str) -> None:
        self.root, self.server, self.prefix = root, server, prefix
        self.clients: list[Any] = []
        self.capsys: pytest.CaptureFixture[str] | None = None
        template = f"{{url}}/{server.username}/{prefix}{{calendar}}/"
        point_workspace_at(root, server.url, template)

    def clone(self, root: Path) -> Workspace:
        """A copy of this workspace and of its calendars on the server, as they are now.

        Much faster than syncing a fresh copy (hundreds of PUTs): Radicale keeps each
        calendar as a folder, items, sync tokens and all, so a copy of the folder is
        the same calendar under another name.
        """
        shutil.copytree(self.root, root)
        clone = Workspace(root, self.server, f"clone{next(_prefixes)}-")
        user = self.server.folder / "collections" / "collection-root" / self.server.username
        for folder in sorted(user.glob(f"{self.prefix}*")):
            shutil.copytree(folder, user / (clone.prefix + folder.name[len(self.prefix):]))
        return clone

    def run(self, *args: str) -> tuple[int, str, str]:
        """The real entry point: exit code, stdout, stderr."""
        assert self.capsys is not None
        code = run_cli(self.root, *args)
        out = self.capsys.readouterr()
        return code, out.out, out.err

    def url(self, calendar: str) -> str:
        return f"{self.server.url}/{self.server.username}/{self.prefix}{calendar}/"

    def visits(self) -> list[dict[str, Any]]:
        plan = json.loads((self.root / ".visitplanner" / "plan.json").read_text())
        return list(plan["schedule"]["visits"])

    def visit(self, visit_id: str) -> dict[str, Any]:
        return next(v for v in self.visits() if v["id"] == visit_id)

    def server_events(self, calendar: str) -> dict[str, Any]:
        """UID -> the VEVENT the server holds in ``calendar``."""
        storage = CaldavStorage.connect(self.url(calendar), calendar, self.server.username,
                                        self.server.password)
        try:
            items = storage.get(storage.list())
        finally:
            storage.close()
        events = {}
        for data, _ in items.values():
            for component in icalendar.Calendar.from_ical(data).walk("VEVENT"):
                events[str(component["UID"])] = component
        return events

    def calendars(self) -> list[str]:
        """The ids of this workspace's calendars on the server."""
        user = self.server.folder / "collections" / "collection-root" / self.server.username
        return sorted(f.name[len(self.prefix):] for f in user.glob(f"{self.prefix}*"))

    def server_snapshot(self) -> dict[str, dict[str, tuple[str, str, str]]]:
        """Calendar -> UID -> (STATUS, DTSTART, SEQUENCE) of every event and to-do the server
        holds: what a phone would show."""
        snapshot: dict[str, dict[str, tuple[str, str, str]]] = {}
        for calendar in self.calendars():
            storage = CaldavStorage.connect(self.url(calendar), calendar, self.server.username,
                                            self.server.password)
            try:
                items = storage.get(storage.list())
            finally:
                storage.close()
            snapshot[calendar] = {
                str(c["UID"]): (str(c.get("STATUS", "")), _when(c), str(c.get("SEQUENCE", "")))
                for data, _ in items.values()
                for c in icalendar.Calendar.from_ical(data).walk()
                if c.name in ("VEVENT", "VTODO")
            }
        return snapshot

    def worker_event(self, calendar: str, uid: str) -> Any:
        client = caldav.DAVClient(url=self.server.url, username=self.server.username,
                                  password=self.server.password)
        self.clients.append(client)
        return client.calendar(url=self.url(calendar)).get_event_by_uid(uid)

    def worker_deletes(self, visit: dict[str, Any]) -> None:
        self.worker_event(visit["worker_id"], uid_of(visit)).delete()

    def worker_moves(self, visit: dict[str, Any], **shift: int) -> None:
        """The worker moves the visit by ``timedelta(**shift)`` in their calendar app."""
        event = self.worker_event(visit["worker_id"], uid_of(visit))
        component = event.icalendar_component
        start, end = component.decoded("DTSTART"), component.decoded("DTEND")
        del component["DTSTART"], component["DTEND"]
        component.add("dtstart", start + timedelta(**shift))
        component.add("dtend", end + timedelta(**shift))
        event.save()

    def close(self) -> None:
        for client in self.clients:
            client.close()


def _when(component: Any) -> str:
    """An event's start, a to-do's due date (ISO), or ''."""
    for name in ("DTSTART", "DUE"):
        if name in component:
            return str(component.decoded(name).isoformat())
    return ""


def uid_of(visit: dict[str, Any]) -> str:
    return f"{visit['id']}@visitplanner"


def day_of(visit: dict[str, Any]) -> date:
    return date.fromisoformat(visit["start"][:10])


@pytest.fixture(scope="module")
def synced_example(tmp_path_factory: pytest.TempPathFactory, radicale: DevServer) -> Workspace:
    """The Camden example planned from 23 Nov 2026 and synced once: every calendar holds
    the plan.  Tests work on clones of it."""
    root = tmp_path_factory.mktemp("conflicts") / "camden"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
    example = Workspace(root, radicale, BASE_PREFIX)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("VISITPLANNER_CALDAV_USERNAME", radicale.username)
        env.setenv("VISITPLANNER_CALDAV_PASSWORD", radicale.password)
        assert run_cli(root, *PLAN) == 0
        assert run_cli(root, "sync", "--json") == 0
    return example


@pytest.fixture
def workspace(synced_example: Workspace, tmp_path: Path, radicale: DevServer,
              capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
              ) -> Iterator[Workspace]:
    """A clone of the synced example, with calendars of its own on the server."""
    radicale.start()
    monkeypatch.setenv("VISITPLANNER_CALDAV_USERNAME", radicale.username)
    monkeypatch.setenv("VISITPLANNER_CALDAV_PASSWORD", radicale.password)
    chosen = synced_example.clone(tmp_path / "camden")
    chosen.capsys = capsys
    code, out, err = chosen.run("sync", "--json")  # the clone holds the plan already
    assert code == 0, err
    totals = json.loads(out)["totals"]
    assert totals["unchanged"] > 300
    assert (totals["created"], totals["updated"], totals["deleted"]) == (0, 0, 0)
    yield chosen
    chosen.close()


def no_slack_visit(workspace: Workspace) -> dict[str, Any]:
    """A visit on its last allowed day (``due_by``), after the plan's first two days."""
    return next(v for v in workspace.visits()
                if v["start"][:10] == v["due_by"] and v["start"][:10] > "2026-11-24")


def visit_with_a_deadline_within_a_week(workspace: Workspace) -> dict[str, Any]:
    """A visit a move by a week takes past its due day."""
    return next(v for v in workspace.visits()
                if "2026-11-24" < v["start"][:10] <= v["due_by"] < "2026-12-01")


def children_names() -> set[str]:
    with (EXAMPLE / "children.csv").open(encoding="utf-8", newline="") as stream:
        return {row["name"] for row in csv.DictReader(stream)}


# --------------------------------------------------------------------------- deleted


def assert_synced_without_naming(workspace: Workspace, visit: dict[str, Any]) -> None:
    """A sync exits 0, names nothing about ``visit`` and leaves it off the worker's calendar."""
    code, out, err = workspace.run("sync")
    assert code == 0, err
    assert "WITHDRAWN" not in out and visit["id"] not in out
    assert uid_of(visit) not in workspace.server_events(visit["worker_id"])



def test_a_visit_the_worker_deleted_is_put_back_with_a_note_named_once_and_sync_exits_8_once(
        workspace: Workspace) -> None:
    visit = no_slack_visit(workspace)
    before = workspace.server_events(visit["worker_id"])[uid_of(visit)]
    workspace.worker_deletes(visit)
    assert uid_of(visit) not in workspace.server_events(visit["worker_id"])

    code, out, err = workspace.run("sync")
    assert code == 8, err
    back = workspace.server_events(visit["worker_id"])[uid_of(visit)]  # back on their phone
    assert int(back["SEQUENCE"]) > int(before["SEQUENCE"])
    assert str(back["DESCRIPTION"]) == f"{PUT_BACK_NOTE}\n\n{before['DESCRIPTION']}"
    line = (f"  {visit['id']} on {visit['start'][:10]}, {visit['worker_id']}: deleted by the "
            "worker; put back in their calendar")
    assert "OPEN CONFLICTS: 1 worker edit does not stand" in out
    assert any(x.startswith(line) for x in out.splitlines()), out
    assert "error: 1 open conflict with workers' calendars" in err
    assert "a deleted visit put back is named once" in err

    code, out, _ = workspace.run("sync")  # settled: never named again
    assert code == 0 and "OPEN CONFLICTS" not in out and line.strip() not in out
    assert workspace.run("conflicts")[1].startswith("No conflicts")
    assert load_worker_edits(workspace.root) == []  # settled: the planner is not told again
    assert workspace.run(*PLAN)[0] == 0
    code, out, _ = workspace.run("sync")
    assert code == 0 and "OPEN CONFLICTS" not in out
    assert len([u for u in workspace.server_events(visit["worker_id"]) if u == uid_of(visit)]) == 1


def test_with_withdraw_a_deleted_visit_stays_deleted_named_once_and_listed_to_reallocate(
        workspace: Workspace) -> None:
    settings = workspace.root / "visitplanner.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        'conflict = "keep_worker_edit"', 'conflict = "keep_worker_edit"\n'
        'on_worker_delete = "withdraw"'), encoding="utf-8")
    visit = no_slack_visit(workspace)
    workspace.worker_deletes(visit)

    code, out, err = workspace.run("sync")
    assert code == 8, err
    line = (f"  {visit['id']} on {visit['start'][:10]}, {visit['worker_id']}: withdrawn by the "
            "worker: needs reallocating")
    assert "WITHDRAWN: 1 visit deleted by the worker, not put back, to reallocate" in out
    assert any(x.startswith(line) for x in out.splitlines()), out
    assert "1 visit withdrawn by the worker needs reallocating" in err
    assert uid_of(visit) not in workspace.server_events(visit["worker_id"])

    assert_synced_without_naming(workspace, visit)  # never put back, never named again
    assert workspace.run(*PLAN)[0] == 0
    assert_synced_without_naming(workspace, visit)
    code, listed, _ = workspace.run("conflicts")
    assert code == 0 and listed.startswith("No open conflicts.\n1 visit withdrawn by workers, "
                                           "for the manager to reallocate (not put back):")
    assert any(x.startswith(f"  withdrawn: {line.strip()}") for x in listed.splitlines())
    report = json.loads(workspace.run("conflicts", "--json")[1])
    assert report["open"] == 0
    assert [(c["visit"], c["kind"], c["is_open"]) for c in report["conflicts"]] == [
        (visit["id"], "withdrawn", False)]
    assert not any(name in listed for name in children_names())


def test_conflicts_lists_the_open_ones_as_text_and_json_without_names(
        workspace: Workspace) -> None:
    assert workspace.run("conflicts") == (
        0, "No conflicts: every worker's calendar holds the plan.\n", "")
    visit = no_slack_visit(workspace)
    workspace.worker_deletes(visit)
    assert workspace.run("sync")[0] == 8

    code, out, _ = workspace.run("conflicts")
    assert code == 0
    assert out.startswith("1 open conflict: the plan was put back over a worker's edit")
    assert f"  deleted: {visit['id']} on {visit['start'][:10]}, {visit['worker_id']}: " in out
    code, out, _ = workspace.run("conflicts", "--json")
    report = json.loads(out)
    assert code == 0 and report["open"] == 1
    assert report["conflicts"] == [{
        "visit": visit["id"], "day": visit["start"][:10], "worker": visit["worker_id"],
        "calendar": visit["worker_id"], "kind": "deleted", "rule": "", "is_open": True,
        "what": "deleted by the worker; put back in their calendar (the plan still has it)"}]
    assert not any(name in out for name in children_names())


def test_dry_run_names_a_deleted_visit_and_exits_8_writing_nothing(
        workspace: Workspace) -> None:
    visit = no_slack_visit(workspace)
    workspace.worker_deletes(visit)
    code, out, _ = workspace.run("sync", "--dry-run")
    assert code == 8 and f"{visit['id']} on {visit['start'][:10]}" in out
    assert uid_of(visit) not in workspace.server_events(visit["worker_id"])
    assert workspace.run("conflicts")[1].startswith("No conflicts")  # nothing was kept
    assert workspace.run("sync")[0] == 8
    assert uid_of(visit) in workspace.server_events(visit["worker_id"])


# --------------------------------------------------------------------------- moved


def test_a_move_past_the_deadline_is_held_then_undone_naming_the_rule_it_breaks(
        workspace: Workspace) -> None:
    visit = visit_with_a_deadline_within_a_week(workspace)
    workspace.worker_moves(visit, days=7)
    moved_to = (day_of(visit) + timedelta(days=7)).isoformat()

    code, out, _ = workspace.run("sync")  # held: the planner has not judged the move yet
    assert code == 0 and "OPEN CONFLICTS" not in out
    assert f"{uid_of(visit)} moved {moved_to}" in out
    _, listed, _ = workspace.run("conflicts")
    assert listed.startswith("No open conflicts.\n1 worker edit held until the planner")
    assert "would break rule" in listed and "kept until `visitplanner plan`" in listed
    on_server = workspace.server_events(visit["worker_id"])[uid_of(visit)]
    assert on_server.decoded("DTSTART").date().isoformat() == moved_to

    assert workspace.run(*PLAN)[0] == 0
    replanned = workspace.visit(visit["id"])
    assert "moved_by_worker_rejected" in replanned["flags"]
    code, out, err = workspace.run("sync")
    assert code == 8, err
    reasons = sorted(replanned["reasons"], key=lambda r: (r["deadline"], r["rule_id"]))
    rule = reasons[0]
    line = (f"  {visit['id']} on {replanned['start'][:10]}, {visit['worker_id']}: moved by the "
            f"worker to {moved_to}, after the visit is due ({replanned['due_by']}): breaks rule "
            f"{rule['rule_id']}: {rule['what']}; put back on {replanned['start'][:10]}")
    assert line in out.splitlines(), out
    on_server = workspace.server_events(visit["worker_id"])[uid_of(visit)]
    assert on_server.decoded("DTSTART").date().isoformat() == replanned["start"][:10]
    report = json.loads(workspace.run("conflicts", "--json")[1])["conflicts"]
    assert [(c["kind"], c["rule"]) for c in report] == [("rejected", rule["rule_id"])]

    assert workspace.run(*PLAN)[0] == 0
    assert workspace.run("sync")[0] == 0
    assert workspace.run("conflicts")[1].startswith("No conflicts")


def test_a_move_that_keeps_the_rules_is_kept_and_is_no_conflict(workspace: Workspace) -> None:
    visit = visit_with_a_deadline_within_a_week(workspace)
    workspace.worker_moves(visit, hours=-1)  # an hour earlier, the same day
    assert workspace.run("sync")[0] == 0
    assert workspace.run(*PLAN)[0] == 0
    assert "moved_by_worker" in workspace.visit(visit["id"])["flags"]
    code, out, _ = workspace.run("sync")
    assert code == 0 and "OPEN CONFLICTS" not in out
    assert workspace.run("conflicts")[1].startswith("No conflicts")

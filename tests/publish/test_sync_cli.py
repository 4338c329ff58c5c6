"""`visitplanner sync` on the bundled example workspace, against a local Radicale."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sync_docs import LOCAL_CALDAV, planned_camden_copy

from visitplanner.cli import Context
from visitplanner.cli.sync import _raise_for_failures, credentials, sync
from visitplanner.errors import PartialSyncError, SyncError
from visitplanner.publish.devserver import DevServer, point_workspace_at
from visitplanner.publish.job import SYNC_QUEUE
from visitplanner.publish.sync import CalendarSyncResult
from visitplanner.publish.syncstatus import load_worker_edits

SETTINGS = LOCAL_CALDAV


@pytest.fixture(scope="module")
def planned_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return planned_camden_copy(tmp_path_factory)


def point_at(root: Path, server: DevServer, calendar_template: str | None = None) -> None:
    point_workspace_at(root, server.url, calendar_template or server.calendar_url_template)


def run_sync(root: Path, server: DevServer, *args: str, password: str | None = None) -> object:
    env = {
        "VISITPLANNER_CALDAV_USERNAME": server.username,
        "VISITPLANNER_CALDAV_PASSWORD": password or server.password,
    }
    runner = CliRunner()
    return runner.invoke(sync, list(args), obj=Context(workspace=root, verbose=False), env=env)


@pytest.mark.servers
def test_sync_publishes_the_example_then_has_nothing_to_do(
    planned_workspace: Path, radicale: DevServer
) -> None:
    point_at(planned_workspace, radicale)
    queued = planned_workspace / SYNC_QUEUE  # as the desk leaves it after applying a decision
    queued.write_text("2026-11-23T09:00:00\n", encoding="utf-8")
    first = run_sync(planned_workspace, radicale, "--dry-run")
    assert queued.exists()
    first = run_sync(planned_workspace, radicale, "--json")
    assert first.exit_code == 0, first.output  # type: ignore[attr-defined]
    assert not queued.exists()
    totals = json.loads(first.output)["totals"]  # type: ignore[attr-defined]
    assert totals["created"] > 20 and totals["updated"] == totals["deleted"] == 0
    again = run_sync(planned_workspace, radicale, "--json")
    report = json.loads(again.output)  # type: ignore[attr-defined]
    assert report["totals"]["unchanged"] == totals["created"]
    assert all(c["requests"] == 1 for c in report["calendars"])
    dry = run_sync(planned_workspace, radicale, "--dry-run")
    assert "dry run: would sync 8 of 8 calendars: 0 created" in dry.output  # type: ignore[attr-defined]
    assert load_worker_edits(planned_workspace) == []


@pytest.mark.servers
def test_wrong_password_is_exit_7_with_a_clear_message(
    planned_workspace: Path, radicale: DevServer
) -> None:
    point_at(planned_workspace, radicale)
    result = run_sync(planned_workspace, radicale, password="wrong")
    error = result.exception  # type: ignore[attr-defined]
    assert isinstance(error, SyncError) and not isinstance(error, PartialSyncError)
    assert error.exit_code == 7
    assert "refused the login (HTTP 401)" in error.render()
    assert "check the user name in $VISITPLANNER_CALDAV_USERNAME" in error.render()


def test_exit_code_tells_all_synced_from_some_failed_from_none() -> None:
    good = CalendarSyncResult("w-001", created=3)
    bad = CalendarSyncResult("team-east", error="team-east: PUT: HTTP 507")
    _raise_for_failures([good, good])  # 0: nothing raised
    with pytest.raises(PartialSyncError) as some:
        _raise_for_failures([good, bad])
    assert some.value.exit_code == 8 and "calendar team-east" in some.value.render()
    with pytest.raises(SyncError) as none:
        _raise_for_failures([bad])
    assert none.value.exit_code == 7 and not isinstance(none.value, PartialSyncError)


def test_credentials_come_from_the_environment_or_a_command() -> None:
    env = {"VP_USER": "planner", "VP_PASSWORD": "secret"}
    assert credentials(SETTINGS, env, lambda argv: "unused") == ("planner", "secret")
    with_command = dataclasses.replace(SETTINGS, password_command="pass show 'cal dav'")
    seen: list[list[str]] = []

    def fake_pass(argv: object) -> str:
        seen.append(list(argv))  # type: ignore[call-overload]
        return "from-command"

    assert credentials(with_command, env, fake_pass) == ("planner", "from-command")
    assert seen == [["pass", "show", "cal dav"]]  # split like a shell, run without one
    assert credentials(SETTINGS, {}, lambda argv: "") == (None, None)


def test_a_user_without_a_password_is_refused_before_any_request() -> None:
    with pytest.raises(SyncError) as raised:
        credentials(SETTINGS, {"VP_USER": "planner"}, lambda argv: "")
    assert "VP_PASSWORD" in raised.value.render()

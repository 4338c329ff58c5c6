"""`visitplanner sync` failures say what is wrong, where (host:port), and what to change."""

from __future__ import annotations

import dataclasses
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sync_docs import LOCAL_CALDAV, planned_camden_copy

from visitplanner.cli import Context
from visitplanner.cli.sync import credentials, error_kind, sync
from visitplanner.errors import SyncError
from visitplanner.publish.caldav_storage import CaldavStorage, server_address
from visitplanner.publish.devserver import DevServer, free_port, point_workspace_at
from visitplanner.publish.sync import SyncPolicy, sync_calendar
from visitplanner.publish.syncstatus import SyncStatus

USER_VAR, PASSWORD_VAR = "VISITPLANNER_CALDAV_USERNAME", "VISITPLANNER_CALDAV_PASSWORD"
NO_LOGIN = {USER_VAR: None, PASSWORD_VAR: None}
SETTINGS = LOCAL_CALDAV


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return planned_camden_copy(tmp_path_factory)


def point_at(root: Path, url: str, template: str = "{url}/visitplanner/{calendar}/") -> None:
    point_workspace_at(root, url, template)


def run_sync(root: Path, env: dict[str, str | None]) -> Result:
    runner = CliRunner()
    context = Context(workspace=root, verbose=False)
    return runner.invoke(sync, ["--dry-run"], obj=context, env=env)


def rendered(result: Result) -> str:
    assert isinstance(result.exception, SyncError), result.output
    return result.exception.render()


# ------------------------------------------------------------------ credentials


def test_no_credentials_at_all_is_a_note_then_a_connection_refused_names_host_and_port(
    workspace: Path,
) -> None:
    port = free_port()  # nothing listens there: the connection is refused
    point_at(workspace, f"http://127.0.0.1:{port}")
    started = time.monotonic()
    result = run_sync(workspace, NO_LOGIN)
    assert time.monotonic() - started < 10  # a refused connection is not retried with backoff
    assert isinstance(result.exception, SyncError) and result.exception.exit_code == 7
    assert (
        f"note: no credentials in {USER_VAR} / {PASSWORD_VAR}: connecting without authentication"
        in result.stderr
    )
    text = rendered(result)
    assert f"calendar sw.osei: connection refused by 127.0.0.1:{port} (configuration;" in text
    assert "fix: start the CalDAV server, or check the address" in text
    assert "ConnectionError" not in text and "run `visitplanner sync` again" not in text


def test_only_a_user_name_is_an_error_naming_both_variables_before_any_request() -> None:
    with pytest.raises(SyncError) as raised:
        credentials(SETTINGS, {"VP_USER": "planner"}, lambda argv: "")
    text = raised.value.render()
    assert "VP_USER is set but VP_PASSWORD is not" in text
    assert "export VP_PASSWORD=..." in text


def test_only_a_password_is_an_error_naming_both_variables_and_never_the_password() -> None:
    with pytest.raises(SyncError) as raised:
        credentials(SETTINGS, {"VP_PASSWORD": "hunter2-secret"}, lambda argv: "")
    text = raised.value.render()
    assert "VP_PASSWORD is set but VP_USER is not" in text
    assert "hunter2-secret" not in text


def test_both_or_neither_credential_is_accepted() -> None:
    both = {"VP_USER": "planner", "VP_PASSWORD": "secret"}
    assert credentials(SETTINGS, both, lambda argv: "") == ("planner", "secret")
    assert credentials(SETTINGS, {}, lambda argv: "") == (None, None)
    command = dataclasses.replace(SETTINGS, password_command="pass show dav")
    with pytest.raises(SyncError) as raised:
        credentials(command, {}, lambda argv: "from-command")
    assert "VP_USER" in raised.value.render()


# ------------------------------------------------------------------ a real Radicale


@pytest.fixture
def radicale_running(radicale: DevServer) -> Iterator[DevServer]:
    radicale.start()  # another test may have stopped it
    yield radicale


@pytest.mark.servers
def test_a_wrong_password_is_a_configuration_error_naming_the_variable_never_the_password(
    workspace: Path, radicale_running: DevServer
) -> None:
    server = radicale_running
    point_at(workspace, server.url, server.calendar_url_template)
    env = {USER_VAR: server.username, PASSWORD_VAR: "wrong-secret-123"}
    result = run_sync(workspace, env)
    text = rendered(result)
    assert f"the server at 127.0.0.1:{server.port} refused the login (HTTP 401)" in text
    assert "(configuration;" in text
    assert f"check the user name in ${USER_VAR} and the password in ${PASSWORD_VAR}" in text
    assert "wrong-secret-123" not in text + result.output


@pytest.mark.servers
def test_no_login_against_a_server_that_wants_one_says_which_variables_to_set(
    workspace: Path, radicale_running: DevServer
) -> None:
    server = radicale_running
    point_at(workspace, server.url, server.calendar_url_template)
    text = rendered(run_sync(workspace, NO_LOGIN))
    assert "refused the login (HTTP 401)" in text
    assert f"the server wants a login: export {USER_VAR}=... and {PASSWORD_VAR}=..." in text


@pytest.mark.servers
def test_a_missing_calendar_is_a_configuration_error_showing_its_url(
    workspace: Path, radicale_running: DevServer
) -> None:
    server = radicale_running
    # A dry run creates nothing, so a calendar that is not there is a 404.
    point_at(workspace, server.url, "{url}/" + server.username + "/nowhere-{calendar}/")
    env = {USER_VAR: server.username, PASSWORD_VAR: server.password}
    text = rendered(run_sync(workspace, env))
    assert f"HTTP 404 from 127.0.0.1:{server.port}" in text
    assert (
        f"no calendar at http://127.0.0.1:{server.port}/{server.username}/nowhere-sw.osei/: "
        "check the url and calendar_url_template in visitplanner.toml [caldav]"
    ) in text


@pytest.mark.servers
def test_https_to_a_plain_http_server_is_a_tls_failure(
    workspace: Path, radicale_running: DevServer
) -> None:
    server = radicale_running
    point_at(workspace, f"https://127.0.0.1:{server.port}", server.calendar_url_template)
    env = {USER_VAR: server.username, PASSWORD_VAR: server.password}
    text = rendered(run_sync(workspace, env))
    assert f"TLS handshake with 127.0.0.1:{server.port} failed" in text
    assert "(configuration;" in text and "https:// to the server's TLS port" in text


# ------------------------------------------------------------------ transient


def test_a_server_that_never_answers_is_a_transient_error_after_the_retries(tmp_path: Path) -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        port = silent.getsockname()[1]
        storage = CaldavStorage.connect(f"http://127.0.0.1:{port}/cal/", "w-001", timeout=1)
        status = SyncStatus.open(tmp_path)
        try:
            policy = SyncPolicy(max_attempts=2, sleep=lambda _s: None, dry_run=True)
            result = sync_calendar(storage, {}, status, policy)
        finally:
            status.close()
            storage.close()
    assert result.error == f"no answer from 127.0.0.1:{port} within 1 s"
    assert result.requests == 2  # retried: it may answer next time
    assert error_kind(result) == "transient"


def test_server_address_never_shows_a_user_name_or_password() -> None:
    assert server_address("https://alice:secret@dav.example.org/cal/") == "dav.example.org:443"
    assert server_address("http://127.0.0.1:5232/x/") == "127.0.0.1:5232"

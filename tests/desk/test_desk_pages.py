"""The desk's pages driven through Flask's test client: accounts, roles, CSRF, the board,
and a decision previewed, applied or discarded."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

import pytest
import vobject
from conftest import MANAGER, OTHER, PASSWORD, TEAM, VIEWER
from flask.testing import FlaskClient

from visitplanner.inputs.planstore import load_schedule

TOKEN = re.compile(r'name="[\w-]*csrf_token" type="hidden" value="([^"]+)"|'
                   r'name="csrf_token" value="([^"]+)"')


def token(client: FlaskClient, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    match = TOKEN.search(page)
    assert match, f"no CSRF token on {url}"
    return match[1] or match[2]


def log_in(client: FlaskClient, name: str, password: str = PASSWORD) -> int:
    csrf = token(client, "/login")
    return client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": csrf}).status_code


def folder_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "desk.sqlite" not in p.name):
        digest.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return digest.hexdigest()


def absence_form(csrf: str | None, **fields: str) -> dict[str, str]:
    """The absence form as posted (its fields carry the form's prefix)."""
    values = {"worker": "sw.osei", "first": "2026-11-24", "last": "2026-12-07",
              "reason": "sick", **fields}
    form = {f"absence-{key}": value for key, value in values.items()}
    return form | ({"absence-csrf_token": csrf} if csrf is not None else {})


def propose_absence(client: FlaskClient, worker: str = "sw.osei") -> str:
    """Post the absence form; the preview page's URL."""
    csrf = token(client, f"/team/{TEAM}/decide")
    answer = client.post(f"/team/{TEAM}/decide/absence", data=absence_form(
        csrf, worker=worker, why="off sick for two weeks"))
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return answer.headers["Location"]


# ------------------------------------------------------------------- accounts


def test_every_page_but_login_needs_an_account(client: FlaskClient) -> None:
    assert client.get(f"/team/{TEAM}").headers["Location"].endswith("/login")


def test_a_wrong_password_is_refused_and_the_sixth_try_waits_even_when_right(
        client: FlaskClient) -> None:
    assert [log_in(client, MANAGER, "wrong password!") for _ in range(5)] == [401] * 5
    assert log_in(client, MANAGER) == 429


def test_the_session_cookie_is_http_only_and_same_site(client: FlaskClient) -> None:
    csrf = token(client, "/login")
    answer = client.post("/login", data={"name": MANAGER, "password": PASSWORD,
                                         "csrf_token": csrf})
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_post_without_the_csrf_token_is_refused(client: FlaskClient) -> None:
    assert log_in(client, MANAGER) == 302
    answer = client.post(f"/team/{TEAM}/decide/absence", data=absence_form(None))
    assert answer.status_code == 400


def test_a_manager_cannot_see_another_team(client: FlaskClient) -> None:
    log_in(client, OTHER)
    assert client.get(f"/team/{TEAM}").status_code == 403
    assert client.get(f"/team/{TEAM}/child/CAM-0001").status_code == 403


def test_a_viewer_sees_the_board_but_cannot_decide(client: FlaskClient, workspace: Path
                                                    ) -> None:
    log_in(client, VIEWER)
    assert client.get(f"/team/{TEAM}").status_code == 200
    before = folder_digest(workspace)
    assert client.get(f"/team/{TEAM}/decide").status_code == 403
    csrf = token(client, f"/team/{TEAM}")
    answer = client.post(f"/team/{TEAM}/decide/absence", data=absence_form(csrf))
    assert answer.status_code == 403
    assert folder_digest(workspace) == before


# ------------------------------------------------------------------- the board


def test_the_board_shows_each_workers_load_and_what_is_at_risk_with_its_source(
        client: FlaskClient) -> None:
    log_in(client, MANAGER)
    page = client.get(f"/team/{TEAM}").get_data(as_text=True)
    assert "sw.osei" in page and "w/c 23 Nov" in page
    assert re.search(r'class="load">\d+ / \d+<', page)
    assert "shortfall" in page and "no slack" in page
    # a rule's source sentence is quoted beside it
    assert "must be seen" in page or "visited" in page


def test_a_childs_timeline_lists_recorded_and_planned_visits(client: FlaskClient) -> None:
    log_in(client, MANAGER)
    page = client.get(f"/team/{TEAM}/child/CAM-0001").get_data(as_text=True)
    assert "recorded" in page and "planned" in page


# ------------------------------------------------------------------- decisions


def test_an_absence_is_previewed_per_worker_and_changes_nothing_until_applied(
        client: FlaskClient, workspace: Path) -> None:
    log_in(client, MANAGER)
    before = folder_digest(workspace)
    page = client.get(propose_absence(client)).get_data(as_text=True)
    assert "Per worker" in page and "loses" in page and "gains" in page
    assert folder_digest(workspace) == before


def test_applying_an_absence_replans_and_publishes_the_cover(client: FlaskClient,
                                                             workspace: Path) -> None:
    log_in(client, MANAGER)
    preview = propose_absence(client)
    csrf = token(client, preview)
    answer = client.post(f"{preview}/apply", data={"csrf_token": csrf})
    assert answer.status_code == 302
    schedule = load_schedule(workspace)
    assert schedule is not None
    away = [v for v in schedule.visits if v.worker_id == "sw.osei" and
            "2026-11-24" <= v.day.isoformat() <= "2026-12-07"]
    assert away == []
    covered = [v for v in schedule.visits if v.allocated_worker_id == "sw.osei" and
               "2026-11-24" <= v.day.isoformat() <= "2026-12-07"]
    assert covered
    # the covering worker's calendar, read back by an independent parser, has the visit
    visit = covered[0]
    ics = (workspace / "calendars" / f"{visit.worker_id}.ics").read_text(encoding="utf-8")
    uids = {str(e.uid.value) for e in vobject.readOne(ics).vevent_list}
    assert f"{visit.id}@visitplanner" in uids
    audit = client.get(f"/team/{TEAM}/audit").get_data(as_text=True)
    assert "applied" in audit and MANAGER in audit and "off sick for two weeks" in audit


def test_discard_leaves_everything_as_it_was(client: FlaskClient, workspace: Path) -> None:
    log_in(client, MANAGER)
    before = folder_digest(workspace)
    preview = propose_absence(client)
    csrf = token(client, preview)
    assert client.post(f"{preview}/discard", data={"csrf_token": csrf}).status_code == 302
    assert folder_digest(workspace) == before
    assert "discarded" in client.get(f"/team/{TEAM}/audit").get_data(as_text=True)


def test_a_draft_applied_twice_is_applied_once(client: FlaskClient) -> None:
    log_in(client, MANAGER)
    preview = propose_absence(client)
    csrf = token(client, preview)
    assert client.post(f"{preview}/apply", data={"csrf_token": csrf}).status_code == 302
    assert client.post(f"{preview}/apply", data={"csrf_token": csrf}).status_code == 409


def test_a_bad_absence_is_refused_naming_the_field(client: FlaskClient) -> None:
    log_in(client, MANAGER)
    csrf = token(client, f"/team/{TEAM}/decide")
    answer = client.post(f"/team/{TEAM}/decide/absence", data=absence_form(
        csrf, first="2026-12-07", last="2026-11-24"))
    assert answer.status_code == 400
    assert "is before from" in answer.get_data(as_text=True)


def test_no_name_or_password_reaches_the_logs(client: FlaskClient, workspace: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    log_in(client, MANAGER)
    preview = propose_absence(client)
    client.post(f"{preview}/apply", data={"csrf_token": token(client, preview)})
    client.get(f"/team/{TEAM}")
    names = [line.split(",")[2] for line in
             (workspace / "children.csv").read_text(encoding="utf-8").splitlines()[1:]]
    logged = caplog.text
    assert PASSWORD not in logged
    assert [n for n in names if n and n in logged] == []


def test_the_team_report_is_the_compliance_report_of_its_children(client: FlaskClient) -> None:
    log_in(client, MANAGER)
    answer = client.get(f"/team/{TEAM}/report?from=2026-09-01&to=2026-11-22")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<svg" in page and "in timescale" in page.lower()
    assert "script-src" not in answer.headers["Content-Security-Policy"]
    # nothing loaded from elsewhere (an SVG's xmlns is a name, not a fetch)
    assert "<script" not in page and not re.search(r'(src|href)="https?:', page)
    assert client.get(f"/team/{TEAM}/report?from=2026-11-22&to=2026-09-01").status_code == 400


def test_the_desk_reads_the_workspace_again_only_when_a_file_changed(workspace: Path) -> None:
    import os

    from visitplanner.desk.loaded import Loaded

    loaded = Loaded()
    first = loaded.get(workspace)
    assert loaded.get(workspace) is first
    children = workspace / "children.csv"
    later = children.stat().st_mtime_ns + 1_000_000_000
    os.utime(children, ns=(later, later))
    assert loaded.get(workspace) is not first

"""The desk in a real headless Chromium (Debian's, through Playwright), served by waitress
on 127.0.0.1 as `visitplanner desk` serves it, with Secure session cookies.

A manager logs in, records an absence, reads the preview, applies it and sees the covering
worker's calendar feed change; hands a caseload over; a viewer cannot change anything; a
manager of another team cannot see this one.  Screenshots of the board and the preview are
kept in tests/artefacts/.
"""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browserkit import chromium, require_chromium, save_screenshot
from conftest import MANAGER, NOW, OTHER, PASSWORD, TEAM, VIEWER, desk_config

from visitplanner.decisions.store import Store
from visitplanner.desk.app import create_app
from visitplanner.inputs.planstore import load_schedule
from visitplanner.publish.feeds import feed_url, rotate_token

if TYPE_CHECKING:
    from playwright.sync_api import Page


@pytest.fixture
def served(workspace: Path) -> Iterator[str]:
    """The desk on a free port of 127.0.0.1: its base URL."""
    require_chromium()
    import waitress

    config = desk_config(workspace, secure=True)
    store = Store(config.store_url)
    for name, role, teams in ((MANAGER, "manager", [TEAM]), (VIEWER, "viewer", [TEAM]),
                              (OTHER, "manager", ["camden-east"])):
        store.add_user(name, PASSWORD, role, teams, NOW)
    server = waitress.create_server(create_app(config), host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()


def log_in(page: Page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Account").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return str(answer.read().decode("utf-8"))


def test_a_manager_records_an_absence_previews_applies_and_the_cover_feed_changes(
        served: str, workspace: Path, tmp_path: Path) -> None:
    kept = load_schedule(workspace)
    assert kept is not None
    with chromium(tmp_path / "profile") as browser:
        page = browser.new_page()
        log_in(page, served, MANAGER)
        page.get_by_role("heading", name=f"Team {TEAM}").wait_for()
        assert page.get_by_role("table", name="load").is_visible()
        assert page.get_by_role("table", name="at risk").is_visible()
        save_screenshot(page, "desk-board.png", full_page=True)

        page.get_by_role("link", name="Decide…").click()
        absence = page.get_by_role("form", name="Record an absence")
        absence.get_by_label("Worker").select_option("sw.osei")
        absence.get_by_label("From (first day away)").fill("2026-11-24")
        absence.get_by_label("To (last day away, inclusive)").fill("2026-12-07")
        absence.get_by_label("Why").fill("off sick for two weeks")
        absence.get_by_role("button", name="Preview").click()
        page.get_by_role("heading", name="Preview: absence").wait_for()
        preview = page.get_by_role("region", name="per worker").inner_text()
        assert "loses" in preview and "gains" in preview
        save_screenshot(page, "desk-preview.png", full_page=True)

        # who covers: the preview names them; their feed before and after Apply
        page.get_by_role("button", name="Apply").click()
        page.get_by_text("applied").first.wait_for()
        after = load_schedule(workspace)
        assert after is not None
        covered = [v for v in after.visits if v.allocated_worker_id == "sw.osei" and
                   v.worker_id != "sw.osei" and
                   "2026-11-24" <= v.day.isoformat() <= "2026-12-07"]
        assert covered, "someone covers sw.osei's families"
        cover = covered[0]
        feed = fetch(feed_url(served, rotate_token(workspace, cover.worker_id)))
        assert f"UID:{cover.id}@visitplanner" in feed

        # hand sw.marchetti's whole caseload to sw.adebayo
        page.get_by_role("link", name="Decide…").click()
        handover = page.get_by_role("form", name="Hand a child or a whole caseload to another "
                                                 "worker")
        handover.get_by_label("Child or whole caseload").select_option("worker:sw.marchetti")
        handover.get_by_label("New allocated worker").select_option("sw.adebayo")
        handover.get_by_role("button", name="Preview").click()
        page.get_by_role("heading", name="Preview: handover").wait_for()
        page.get_by_role("button", name="Apply").click()
        page.get_by_text("applied").first.wait_for()
        final = load_schedule(workspace)
        assert final is not None
        # Cover and duty-rota visits (examples/camden/duty.csv) are for others' families.
        marchetti_after = [v for v in final.visits if v.worker_id == "sw.marchetti"
                           and not {"cover", "duty"} & set(v.flags)]
        assert marchetti_after == []


def test_a_viewer_cannot_change_anything_and_another_teams_manager_sees_nothing(
        served: str, tmp_path: Path) -> None:
    with chromium(tmp_path / "profile") as browser:
        page = browser.new_page()
        log_in(page, served, VIEWER)
        page.get_by_role("heading", name=f"Team {TEAM}").wait_for()
        assert page.get_by_role("link", name="Decide…").count() == 0
        assert status(page, f"{served}/team/{TEAM}/decide") == 403
        page.get_by_role("button", name="Log out").click()
        log_in(page, served, OTHER)
        assert status(page, f"{served}/team/{TEAM}") == 403
        assert "not yours" in page.content()


def status(page: Page, url: str) -> int:
    answer = page.goto(url)
    assert answer is not None
    return answer.status

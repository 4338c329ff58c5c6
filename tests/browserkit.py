"""Headless Chromium for the tests: Debian's own, driven through Playwright's sync API.

Nothing downloads a browser: Playwright is pointed at ``/usr/bin/chromium`` (installed by
``scripts/system-packages.sh``), and a test is skipped, saying so, when it is missing.  Each
browser starts with a fresh user-data folder and no network chatter of its own (no sync,
component updates or background requests), so a test sees only what its page loads.

    from browserkit import chromium, save_screenshot

    def test_the_page_renders(tmp_path):
        with chromium(tmp_path / "profile") as browser:
            page = browser.new_page()
            page.goto(path.as_uri())
            save_screenshot(page, "page.png")

Shared by the report's browser test and the manager's desk's.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, ViewportSize

#: Debian's Chromium (package ``chromium``).
CHROMIUM = Path("/usr/bin/chromium")
#: Why a browser test is skipped on a machine without it.
MISSING = ("Chromium not found at /usr/bin/chromium: install Debian's chromium "
           "(scripts/system-packages.sh)")
#: Headless, no sandbox (containers), no GPU, and no network of the browser's own.
ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync")
#: Where screenshots are kept as test artefacts (ignored by git).
ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
#: Milliseconds Playwright waits for the browser to start and for each action.
TIMEOUT_MS = 20_000
#: The page's size in CSS pixels: an A4-ish page at screen resolution.
VIEWPORT: ViewportSize = {"width": 1100, "height": 1600}


def require_chromium() -> None:
    """Skip the calling test, with :data:`MISSING`, when Debian's Chromium is not installed."""
    if not CHROMIUM.is_file():
        pytest.skip(MISSING)


@contextmanager
def chromium(user_data_dir: Path | None = None) -> Iterator[BrowserContext]:
    """A headless Chromium browser context with a fresh user-data folder (``user_data_dir``,
    which must not exist yet or be empty; default: a temporary folder, removed after)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with _profile(user_data_dir) as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=list(ARGS),
            viewport=VIEWPORT, timeout=TIMEOUT_MS)
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


@contextmanager
def _profile(user_data_dir: Path | None) -> Iterator[Path]:
    if user_data_dir is not None:
        user_data_dir.mkdir(parents=True, exist_ok=True)
        yield user_data_dir
        return
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as folder:
        yield Path(folder)


def save_screenshot(page: Page, name: str, full_page: bool = False) -> Path:
    """Save the page as ``tests/artefacts/<name>`` (the folder is made) and return the path:
    what the viewport shows, or the whole page with ``full_page`` (slower on a long page)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / name
    page.screenshot(path=str(path), full_page=full_page)
    return path

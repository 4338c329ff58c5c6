"""The HTML report in a real headless Chromium: it renders, its charts show, a screenshot is kept.

The report is the Camden example's (its day is Monday 23 November 2026), from 1 September
to 22 November 2026; the screenshot is kept as ``tests/artefacts/report.png``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browserkit import chromium, require_chromium, save_screenshot
from click.testing import CliRunner

from visitplanner.cli import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "camden"


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_chromium()
    target = tmp_path_factory.mktemp("report") / "report.html"
    result = CliRunner().invoke(cli, ["-w", str(EXAMPLE), "report", "--from", "2026-09-01",
                                      "--to", "2026-11-22", "--html", str(target)])
    assert result.exit_code == 0, result.output
    return target


def test_the_report_renders_with_visible_charts_and_a_screenshot_is_kept(
        report_file: Path, tmp_path: Path) -> None:
    with chromium(tmp_path / "profile") as browser:
        page = browser.new_page()
        page.goto(report_file.as_uri())
        assert page.get_by_role("heading", name="Summary").is_visible()
        assert page.get_by_role("cell", name="Visits in timescale").is_visible()
        charts = page.locator("figure svg")
        assert charts.count() == 2
        sizes = [charts.nth(i).bounding_box() for i in range(charts.count())]
        assert all(box is not None and box["width"] > 100 and box["height"] > 100
                   for box in sizes), sizes
        # Each chart drew something: the trend's line and the workers' bars.
        assert page.locator("#trend svg path").count() > 5
        assert page.locator("#workers svg path").count() > 5
        shot = save_screenshot(page, "report.png")
    assert shot.stat().st_size > 10_000

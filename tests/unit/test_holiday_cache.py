"""Bank holidays kept between commands (issue 9: ``plan`` on the Camden example in 0.6 s).

Asking the holidays package costs about 0.2 s a command; the years a command asked are kept
in the workspace with the package's version and used by the next command instead.  Each
import check runs a fresh interpreter (see ``test_fast_start``); the figures are in
``bench/bench_start.py``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import holidays
import pytest
from holidays.version import __version__ as PACKAGE_VERSION
from unit.test_fast_start import EXAMPLE, loaded, modules_after, run_cli

from visitplanner.cli import main
from visitplanner.core import workdays
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.inputs.holiday_cache import (
    CACHE_FILE,
    installed_version,
    keep_found_tables,
    use_kept_tables,
)
from visitplanner.inputs.planstore import PLAN_FILE

PLAN = ("plan", "--from", "2026-11-23", "--force")


@pytest.fixture(autouse=True)
def nothing_remembered(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts, and leaves the others, with no table given or found."""
    monkeypatch.setattr(workdays, "_GIVEN", {})
    monkeypatch.setattr(workdays, "_FOUND", {})
    workdays._bank_holidays.cache_clear()
    yield
    workdays._bank_holidays.cache_clear()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "camden"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
    return root


def kept(workspace: Path) -> dict[str, object]:
    return json.loads((workspace / CACHE_FILE).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def package_answer(region: str, year: int) -> dict[str, str]:
    """The package asked directly, as the kept file writes its answer."""
    table = holidays.country_holidays("GB", subdiv=region, years=(year - 1, year),
                                      language="en_GB")
    return {day.isoformat(): str(name) for day, name in sorted(table.items()) if day.year == year}


def test_the_version_is_read_without_importing_the_package() -> None:
    assert installed_version() == PACKAGE_VERSION
    modules = modules_after("from visitplanner.inputs.holiday_cache import installed_version\n"
                            "assert installed_version()\n")
    assert loaded(modules, ("holidays",)) == []


def test_a_plan_keeps_the_years_it_counted_as_the_package_gives_them(workspace: Path) -> None:
    main(["-w", str(workspace), *PLAN])
    found = kept(workspace)
    assert found["holidays"] == PACKAGE_VERSION
    years = found["years"]
    assert isinstance(years, dict)
    assert {"ENG/2026", "ENG/2027"} <= years.keys()
    for key, table in years.items():
        region, year = key.split("/")
        assert table == package_answer(region, int(year))


def test_the_next_command_counts_working_days_without_asking_the_package(
        workspace: Path) -> None:
    main(["-w", str(workspace), *PLAN])
    # Each plan made afresh: without a kept plan (whose teams may be kept as they are,
    # counting no working day at all), and keeping none.
    (workspace / PLAN_FILE).unlink()
    fresh = (*PLAN, "--no-keep")
    again = modules_after(run_cli("-w", str(workspace), *fresh))
    assert "visitplanner.core.planning" in again  # it planned
    assert loaded(again, ("holidays",)) == []
    # The check can fail: a workspace with nothing kept asks the package.
    (workspace / CACHE_FILE).unlink()
    assert loaded(modules_after(run_cli("-w", str(workspace), *fresh)), ("holidays",)) == \
        ["holidays"]


def test_a_kept_table_is_what_the_calendar_counts(workspace: Path) -> None:
    # Planted: a made-up bank holiday on a Wednesday.  Only a test would plant one.
    planted = {"format": 1, "holidays": installed_version(),
               "years": {"ENG/2026": {"2026-12-02": "Planted Day"}}}
    (workspace / CACHE_FILE).parent.mkdir()
    (workspace / CACHE_FILE).write_text(json.dumps(planted), encoding="utf-8")
    assert use_kept_tables(workspace) == 1
    assert not WorkingCalendar().is_working_day(date(2026, 12, 2))
    assert WorkingCalendar().is_working_day(date(2026, 12, 25)) is True  # not in the table


@pytest.mark.parametrize("text", [
    '{"format": 1, "holidays": "0.1", "years": {"ENG/2026": {"2026-12-02": "Planted Day"}}}',
    '{"format": 99, "holidays": "VERSION", "years": {"ENG/2026": {"2026-12-02": "Planted"}}}',
    '{"format": 1, "holidays": "VERSION", "years": {"ENG/2026": {"2026-13-02": "Planted"}}}',
    '{"format": 1, "holidays": "VERSION", "years": ["ENG/2026"]}',
    "not json at all",
], ids=["another-version", "another-format", "a-bad-day", "a-bad-shape", "not-json"])
def test_a_kept_file_not_made_by_this_version_is_not_used_and_is_made_again(
        workspace: Path, text: str) -> None:
    (workspace / CACHE_FILE).parent.mkdir()
    (workspace / CACHE_FILE).write_text(text.replace("VERSION", str(installed_version())),
                                        encoding="utf-8")
    assert use_kept_tables(workspace) == 0
    main(["-w", str(workspace), *PLAN])
    assert WorkingCalendar().is_working_day(date(2026, 12, 2))
    found = kept(workspace)
    assert found["holidays"] == PACKAGE_VERSION
    assert found["years"]["ENG/2026"] == package_answer("ENG", 2026)  # type: ignore[index]


def test_a_command_that_fails_keeps_nothing(workspace: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["-w", str(workspace), "plan", "--from", "2020-01-06", "--weeks", "1", "--force"])
    assert exit_.value.code != 0  # no visits planned: refused
    assert not (workspace / CACHE_FILE).exists()


def test_nothing_new_to_keep_leaves_the_file_alone(workspace: Path) -> None:
    main(["-w", str(workspace), *PLAN])
    before = (workspace / CACHE_FILE).read_bytes()
    found = {("ENG", 2026): {date(2026, 12, 2): "Planted Day"}}  # a year kept already
    assert keep_found_tables(workspace, found) is False
    assert (workspace / CACHE_FILE).read_bytes() == before


def test_a_workspace_with_no_state_folder_is_not_given_one_for_the_tables(
        workspace: Path) -> None:
    # A command that only reads (`due`, `plan --no-keep`) in a workspace never planned.
    main(["-w", str(workspace), *PLAN, "--no-keep"])
    assert not (workspace / ".visitplanner").exists()
    assert keep_found_tables(workspace, {("ENG", 2031): {}}) is False


def test_only_the_years_this_command_asked_for_are_kept(workspace: Path) -> None:
    # Years another command of the same process asked (the desk, a test) are not this one's.
    WorkingCalendar().is_working_day(date(2031, 6, 2))
    main(["-w", str(workspace), *PLAN])
    years = kept(workspace)["years"]
    assert isinstance(years, dict) and "ENG/2031" not in years and "ENG/2026" in years

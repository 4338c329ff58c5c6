"""The duty rota (duty.csv) and school terms (terms.csv) read from a workspace: optional
files, every problem located."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from visitplanner.core.model import DutyShift, SchoolTerm
from visitplanner.errors import InputError
from visitplanner.inputs.workspace import load_workspace, read_tables

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "camden"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".visitplanner", "calendars"))
    for name in ("duty.csv", "terms.csv"):
        (root / name).unlink(missing_ok=True)
    return root


def test_without_the_files_there_is_no_rota_and_no_terms(workspace: Path) -> None:
    ws = load_workspace(workspace)
    assert (ws.duty, ws.terms) == ((), ())


def test_a_duty_row_takes_the_workers_visits_per_day_unless_it_says(workspace: Path) -> None:
    (workspace / "duty.csv").write_text(
        "worker_id,date,visits\nsw.osei,2026-12-29,\nsw.adebayo,2026-12-29,2\n", "utf-8")
    assert load_workspace(workspace).duty == (DutyShift("sw.osei", date(2026, 12, 29), 3),
                                              DutyShift("sw.adebayo", date(2026, 12, 29), 2))


def test_duty_problems_are_located_every_one_at_once(workspace: Path) -> None:
    (workspace / "duty.csv").write_text(
        "worker_id,date,visits\nsw.nobody,2026-12-29,\nsw.osei,2026-12-32,\n"
        "sw.osei,2026-12-30,0\nsw.adebayo,2026-12-29,\nsw.adebayo,2026-12-29,\n", "utf-8")
    with pytest.raises(InputError) as caught:
        load_workspace(workspace)
    where = [p.where for p in caught.value.problems]
    assert where == ["duty.csv, row 2, column worker_id", "duty.csv, row 3, column date",
                     "duty.csv, row 4, column visits", "duty.csv, row 6, column date"]


def test_terms_are_read_in_date_order_and_may_not_overlap(workspace: Path) -> None:
    (workspace / "terms.csv").write_text(
        "from,to,name\n2027-01-05,2027-02-12,spring 1\n2026-11-02,2026-12-18,autumn 2\n",
        "utf-8")
    assert load_workspace(workspace).terms == (
        SchoolTerm(date(2026, 11, 2), date(2026, 12, 18), "autumn 2"),
        SchoolTerm(date(2027, 1, 5), date(2027, 2, 12), "spring 1"))
    (workspace / "terms.csv").write_text(
        "from,to\n2026-11-02,2026-12-18\n2026-12-01,2027-01-10\n2027-02-01,2027-01-20\n", "utf-8")
    _, problems = read_tables(workspace)
    assert [(p.where, p.what) for p in problems] == [
        ("terms.csv, row 3, column from",
         "the term 2026-12-01 to 2027-01-10 overlaps the term 2026-11-02 to 2026-12-18"),
        ("terms.csv, row 4, column to", "2027-01-20 is before from 2027-02-01")]

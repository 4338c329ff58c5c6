"""`visitplanner.cli.main`: user errors list every problem and exit with their code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from visitplanner.cli import main
from visitplanner.errors import InputError

CAMDEN = Path(__file__).parents[2] / "examples" / "camden"
# Bella's row with the comma before referral_date lost: 13 cells under 14 headings.
GOOD_ROW = "CAM-0001,CAM-H001,Bella Ashdown,2022-10-03,,CP,2026-06-16,,2026-06-16;"
SHORT_ROW = "CAM-0001,CAM-H001,Bella Ashdown,2022-10-03,,CP,2026-06-16,2026-06-16;"
MISALIGNED = ("  - children.csv, row 2: has 13 cells, the header has 14 (fix: check for a missing "
              "or extra comma or an unquoted comma in a cell)")


def broken_camden(tmp_path: Path) -> Path:
    root = tmp_path / "camden"
    shutil.copytree(CAMDEN, root)
    children = root / "children.csv"
    text = children.read_text(encoding="utf-8")
    assert GOOD_ROW in text
    children.write_text(text.replace(GOOD_ROW, SHORT_ROW), encoding="utf-8")
    return root


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    out, err = capsys.readouterr()
    assert isinstance(exit_.value.code, int)
    return exit_.value.code, out, err


def test_a_workspace_problem_is_listed_and_exits_with_the_input_error_code(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(["-w", str(broken_camden(tmp_path)), "due"], capsys)
    assert code == InputError.exit_code == 4
    assert err.splitlines() == [
        f"error: workspace {tmp_path / 'camden'} has problems (1 problem)", MISALIGNED]
    assert "Traceback" not in err and out == ""


def test_verbose_lists_every_problem_then_the_traceback_and_keeps_the_exit_code(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(["-w", str(broken_camden(tmp_path)), "-v", "due"], capsys)
    assert code == 4
    lines = err.splitlines()
    assert lines[:3] == [f"error: workspace {tmp_path / 'camden'} has problems (1 problem)",
                         MISALIGNED, "Traceback (most recent call last):"]
    assert lines[-1].endswith("InputError: workspace " f"{tmp_path / 'camden'} has problems")


def test_verbose_output_quotes_no_personal_cell_of_a_misaligned_row(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, err = run_main(["-w", str(broken_camden(tmp_path)), "-v", "due"], capsys)
    for personal in ("Bella", "Ashdown", "2022-10-03", "Tansy Close"):
        assert personal not in out + err

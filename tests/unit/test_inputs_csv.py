"""CSV inputs that look harmless but are not (issue 10): each is refused where it is, or
accepted when it is only a spreadsheet's habit, and a flood of problems is listed in short."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from visitplanner.cli import main
from visitplanner.errors import InputError
from visitplanner.inputs.csvsheet import PROBLEMS_LISTED
from visitplanner.inputs.workspace import load_tables, read_tables

EXAMPLE = Path(__file__).parents[2] / "examples" / "camden"
HEADER = "case_ref,household,name,date_of_birth,plan_type,plan_start,address\n"
ROWS = ("C1,H1,Ada Synthetic,2019-02-28,CP,2026-01-05,1 Any Street\n"
        "C2,H1,Bo Synthetic,2021-06-01,CP,2026-01-05,1 Any Street\n"
        "C3,H2,Cy Synthetic,2020-03-01,CIN,2026-02-01,2 Any Street\n")
WORKERS = ("worker_id,name,email,team,role\n"
           "sw1,Sam Worker,sam@example.org,west,social_worker\n")
QUOTE_FIX = ('quote the whole cell and double each " inside it ("like ""this"""), '
             'or remove the stray ")')


def workspace(tmp_path: Path, children: str, workers: str = WORKERS) -> Path:
    (tmp_path / "children.csv").write_text(children, encoding="utf-8")
    (tmp_path / "workers.csv").write_text(workers, encoding="utf-8")
    return tmp_path


def problems(root: Path) -> list[str]:
    return [problem.render() for problem in read_tables(root)[1]]


def case_refs(root: Path) -> list[str]:
    return [child.case_ref for child in load_tables(root).children]


# ---------------------------------------------------------------- empty files


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", " \r\n \t\r\n", ",,,\n,,\n"])
def test_a_children_file_of_whitespace_only_is_refused_naming_the_file(
        tmp_path: Path, text: str) -> None:
    (found,) = problems(workspace(tmp_path, text))
    assert found.startswith("children.csv: ")
    assert found.endswith("(fix: add the header row (see docs/workspace.md))")


def test_a_blank_first_row_is_refused_as_a_missing_header(tmp_path: Path) -> None:
    assert problems(workspace(tmp_path, "\n" + HEADER + ROWS)) == [
        "children.csv, row 1: is blank (fix: put the header row first, on row 1)"]


# ---------------------------------------------------------------- headings


def test_a_blank_heading_with_data_under_it_is_refused_with_its_column_number(
        tmp_path: Path) -> None:
    header = HEADER.replace("name,", "name,,")
    rows = ROWS.replace("Synthetic,", "Synthetic,,").replace("Cy Synthetic,,", "Cy Synthetic,x,")
    assert problems(workspace(tmp_path, header + rows)) == [
        "children.csv, row 1, column 4: has no heading, but row 4 has a value in this column "
        "(fix: give the column its heading, or delete the column)"]


def test_trailing_empty_columns_as_spreadsheets_export_them_are_ignored(tmp_path: Path) -> None:
    header = HEADER.replace("\n", ",,,\n")
    rows = ROWS.replace("\n", ",,,\n")
    assert case_refs(workspace(tmp_path, header + rows)) == ["C1", "C2", "C3"]


def test_a_named_column_given_twice_is_still_refused(tmp_path: Path) -> None:
    header = HEADER.replace("address", "address,name")
    rows = ROWS.replace("\n", ",x\n")
    assert "children.csv, row 1: column name appears twice (fix: remove or rename one of them)" \
        in problems(workspace(tmp_path, header + rows))


# ---------------------------------------------------------------- quotes


def test_a_quote_left_open_inside_a_row_is_located_and_the_rows_after_it_are_read(
        tmp_path: Path) -> None:
    rows = ROWS.replace("C2,H1,Bo Synthetic", 'C2,H1,"Bo Synthetic')
    root = workspace(tmp_path, HEADER + rows)
    assert problems(root) == [
        f"children.csv, row 3: has an unbalanced double quote (fix: {QUOTE_FIX}"]
    assert [c.case_ref for c in read_tables(root)[0].children] == ["C1", "C3"]


def test_a_quote_left_open_at_the_end_of_a_row_is_located_not_merged(tmp_path: Path) -> None:
    rows = ROWS.replace("1 Any Street\nC2", '"1 Any Street\nC2')
    assert problems(workspace(tmp_path, HEADER + rows)) == [
        f"children.csv, row 2: has an unbalanced double quote (fix: {QUOTE_FIX}"]


def test_text_after_a_closing_quote_is_an_unbalanced_quote(tmp_path: Path) -> None:
    rows = ROWS.replace("Bo Synthetic", '"Bo" Synthetic')
    assert problems(workspace(tmp_path, HEADER + rows)) == [
        f"children.csv, row 3: has an unbalanced double quote (fix: {QUOTE_FIX}"]


def test_a_quote_closed_rows_later_is_a_line_break_in_a_column_that_takes_none(
        tmp_path: Path) -> None:
    # The stray quote opens in C1's name and a second stray one closes it in C3's row: as
    # CSV that is one cell, with C2's row inside it.  A name never holds a line break.
    rows = ROWS.replace("Ada Synthetic", '"Ada Synthetic').replace("Cy Synthetic", 'Cy Synthetic"')
    assert problems(workspace(tmp_path, HEADER + rows)) == [
        "children.csv, row 2, column name: holds a line break (its quoted cells run from line 2 "
        "to line 4: is a double quote open?) (fix: remove the line break, or close the double "
        "quote left open before it)"]


def test_a_quoted_address_over_two_lines_is_accepted(tmp_path: Path) -> None:
    rows = ROWS.replace("2 Any Street", '"Flat 2\n2 Any Street"')
    tables = load_tables(workspace(tmp_path, HEADER + rows))
    assert tables.children[2].address == "Flat 2\n2 Any Street"


def test_a_row_after_a_two_line_cell_keeps_its_spreadsheet_row_number(tmp_path: Path) -> None:
    rows = ROWS.replace("1 Any Street\nC2", '"Flat 1\n1 Any Street"\nC2').replace(
        "2020-03-01", "2020-02-30")
    assert problems(workspace(tmp_path, HEADER + rows))[0].startswith(
        "children.csv, row 4, column date_of_birth: is not a date")


# ---------------------------------------------------------------- identifiers


PATTERN_FIX = ("(fix: use 1 to 64 letters, digits, '.', '_' and '-', starting with a letter "
               "or digit)")


@pytest.mark.parametrize(("column", "value", "what"), [
    ("case_ref", "C2\nBEGIN:VEVENT", "holds a line break"),
    ("case_ref", "C2\x00", "holds the control character U+0000"),
    ("case_ref", "C2;X", "'C2;X' is not a valid case ref"),
    ("case_ref", "C2,X", "'C2,X' is not a valid case ref"),
    ("case_ref", "C2:X", "'C2:X' is not a valid case ref"),
    ("case_ref", "-C2", "'-C2' is not a valid case ref"),
    ("case_ref", "C" * 65, f"'{'C' * 40}...' is not a valid case ref"),
    ("household", "H 1", "'H 1' is not a valid household"),
    ("household", "H\\1", "'H\\\\1' is not a valid household"),
])
def test_an_identifier_that_would_break_calendar_output_is_refused_where_it_is(
        tmp_path: Path, column: str, value: str, what: str) -> None:
    quoted = '"' + value.replace('"', '""') + '"'
    rows = ROWS.replace("C2,H1", f"{quoted},H1") if column == "case_ref" else \
        ROWS.replace("C3,H2", f"C3,{quoted}")
    (found,) = problems(workspace(tmp_path, HEADER + rows))
    row = 3 if column == "case_ref" else 4
    assert found.startswith(f"children.csv, row {row}, column {column}: {what}")
    refused_by_pattern = what.endswith(f"is not a valid {column.replace('_', ' ')}")
    assert found.endswith(PATTERN_FIX) == refused_by_pattern
    assert "\n" not in found and "\x00" not in found


def test_a_worker_id_or_team_with_a_line_break_or_space_is_refused(tmp_path: Path) -> None:
    workers = WORKERS + '"sw\n2",Two,two@example.org,west,social_worker\n' \
                        "sw3,Three,three@example.org,west team,social_worker\n"
    found = problems(workspace(tmp_path, HEADER + ROWS, workers))
    assert found[0].startswith("workers.csv, row 3, column worker_id: holds a line break")
    assert found[1] == ("workers.csv, row 4, column team: 'west team' is not a valid team "
                        "(fix: use 1 to 64 letters, digits, '.', '_' and '-', starting with a "
                        "letter or digit)")


def test_a_control_character_in_a_personal_cell_is_refused_without_its_value(
        tmp_path: Path) -> None:
    rows = ROWS.replace("Bo Synthetic", "Bo\x07Synthetic")
    assert problems(workspace(tmp_path, HEADER + rows)) == [
        "children.csv, row 3, column name: holds the control character U+0007 "
        "(fix: delete it (re-export the file, or retype the cell))"]


# ---------------------------------------------------------------- many problems


def test_a_hundred_thousand_bad_dates_list_the_first_few_and_count_the_rest(
        tmp_path: Path) -> None:
    rows = "".join(f"C{i},H{i},Synthetic {i},2019-02-30,CP,2026-01-05,\n" for i in range(100_000))
    found = problems(workspace(tmp_path, HEADER + rows))
    assert len(found) == PROBLEMS_LISTED + 1
    assert found[-1] == (f"children.csv, column date_of_birth: and {100_000 - PROBLEMS_LISTED:,} "
                         "more problems like those above, not listed (fix: correct those listed, "
                         "then run again to see the rest)")


def test_each_kind_of_problem_is_capped_on_its_own(tmp_path: Path) -> None:
    rows = "".join(f"C{i},H{i},Synthetic,2019-02-30,XX,2026-01-05,\n" for i in range(30))
    found = problems(workspace(tmp_path, HEADER + rows))
    assert len(found) == 2 * PROBLEMS_LISTED + 2
    assert sorted(p.split(":")[0] for p in found[-2:]) == [
        "children.csv, column date_of_birth", "children.csv, column plan_type"]


# ---------------------------------------------------------------- through the CLI


def test_a_broken_export_exits_with_the_input_error_code_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "camden"
    shutil.copytree(EXAMPLE, root)
    children = root / "children.csv"
    children.write_text(children.read_text(encoding="utf-8").replace(
        "CAM-0002,", '"CAM-0002\n,', 1), encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["-w", str(root), "plan", "--no-keep"])
    assert exit_.value.code == InputError.exit_code
    err = capsys.readouterr().err
    assert "children.csv, row 3" in err and "Traceback" not in err
    assert not (root / ".visitplanner").exists()

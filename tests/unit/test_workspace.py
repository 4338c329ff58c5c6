"""Loading a workspace's CSV files: domain values, and every problem located and explained."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from visitplanner.core.model import LONDON, Location, Outcome, PlanType, Role
from visitplanner.errors import InputError
from visitplanner.inputs.visit_rows import VISIT_COLUMNS
from visitplanner.inputs.workspace import (
    ABSENCE_COLUMNS,
    CHILD_COLUMNS,
    WORKER_COLUMNS,
    load_tables,
    load_workspace,
    read_tables,
)

REPO = Path(__file__).parents[2]
DOC = REPO / "docs" / "workspace.md"

CHILDREN = """\
case_ref,household,name,date_of_birth,expected_due_date,plan_type,plan_start,allocated_worker
C1,H1,Ada Synthetic,2019-02-28,,CP,2026-01-05,sw1
C2,H1,Bo Synthetic,2021-06-01,,CP,2026-01-05,sw1
C3,H2,Baby Synthetic,,2026-07-01,CIN,2026-02-01,
"""
WORKERS = """\
worker_id,name,email,team,role,working_days,visits_per_day
sw1,Sam Worker,sam@example.org,west,social_worker,Mon;Tue;Wed,4
hv1,Hal Visitor,hal@example.org,west,health_visitor,,
"""
SETTINGS = '[workspace]\npolicy = "camden"\n'
CHILD_HEADER = ("case_ref,household,name,date_of_birth,expected_due_date,plan_type,plan_start,"
                "referral_date,conference_dates,categories,education,allocated_worker,"
                "visit_frequency_days,address\n")


def workspace(tmp_path: Path, **files: str) -> Path:
    """A workspace in tmp_path: valid children.csv and workers.csv unless overridden.

    Keyword names are file stems (``children``, ``visits``...); None leaves a file out.
    """
    contents = {"children": CHILDREN, "workers": WORKERS, **files}
    for stem, text in contents.items():
        if text is not None:
            (tmp_path / f"{stem}.csv").write_text(text, encoding="utf-8")
    return tmp_path


def problems(root: Path) -> list[str]:
    return [problem.render() for problem in read_tables(root)[1]]


def one_problem(root: Path) -> str:
    found = problems(root)
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------- values


def test_valid_files_load_into_domain_values(tmp_path: Path) -> None:
    tables = load_tables(workspace(tmp_path, absences="worker_id,from,to,reason\n"
                                                      "sw1,2026-03-02,2026-03-06,leave\n"))
    ada, _, unborn = tables.children
    assert (ada.case_ref, ada.household, ada.birth_date, ada.plan_type) == (
        "C1", "H1", date(2019, 2, 28), PlanType.CP)
    assert ada.allocated_worker == "sw1"
    assert unborn.birth_date is None and unborn.due_date == date(2026, 7, 1)
    assert unborn.allocated_worker is None
    sam, hal = tables.workers
    assert sam.working_days == frozenset({0, 1, 2}) and sam.visits_per_day == 4
    assert hal.role is Role.HEALTH_VISITOR
    assert hal.working_days == frozenset({0, 1, 2, 3, 4}) and hal.visits_per_day == 3
    (absence,) = tables.absences
    assert (absence.start, absence.end) == (date(2026, 3, 2), date(2026, 3, 6))
    assert tables.child_rows == {"C1": 2, "C2": 3, "C3": 4}


def test_optional_child_columns_are_parsed(tmp_path: Path) -> None:
    children = ("case_ref,household,name,date_of_birth,plan_type,plan_start,referral_date,"
                "conference_dates,categories,education,visit_frequency_days,address\n"
                "C1,H1,Ada Synthetic,2019-02-28,cp,2026-01-05,2025-12-01,"
                "2026-03-05;2026-01-05,Neglect;emotional,early_years,10,1 Test Street\n")
    (child,) = load_tables(workspace(tmp_path, children=children)).children
    assert child.plan_type == PlanType.CP
    assert child.referral_date == date(2025, 12, 1)
    assert child.conference_dates == (date(2026, 1, 5), date(2026, 3, 5))
    assert child.categories == frozenset({"neglect", "emotional"})
    assert child.education == "early_years"
    assert child.visit_frequency_days == 10
    assert child.address == "1 Test Street"


def test_a_household_visit_becomes_one_record_per_child_with_its_own_outcome(
        tmp_path: Path) -> None:
    visits = ("visit_id,date,time,worker_id,case_refs,children_seen,seen_alone,bedroom_seen,"
              "checks,announced,location\n"
              "V1,2026-02-02,10:30,sw1,C1;C2,C1,C1,C1,kitchen;food,no,elsewhere\n")
    ada, bo = load_tables(workspace(tmp_path, visits=visits)).visits
    assert (ada.visit_id, ada.case_ref, bo.visit_id, bo.case_ref) == ("V1", "C1", "V1", "C2")
    assert ada.at == datetime(2026, 2, 2, 10, 30, tzinfo=LONDON)
    assert ada.outcome is Outcome.COMPLETED
    assert ada.checks == frozenset({"seen_alone", "bedroom", "kitchen", "food"})
    assert bo.outcome is Outcome.NOT_SEEN and bo.checks == frozenset()
    assert not ada.announced and ada.location is Location.ELSEWHERE


def test_a_completed_visit_without_children_seen_saw_every_child(tmp_path: Path) -> None:
    visits = "visit_id,date,worker_id,case_refs,seen_awake\nV1,2026-02-02,sw1,C1;C2,C2\n"
    ada, bo = load_tables(workspace(tmp_path, visits=visits)).visits
    assert ada.outcome is Outcome.COMPLETED and bo.outcome is Outcome.COMPLETED
    assert ada.checks == frozenset() and bo.checks == frozenset({"seen_awake"})
    assert ada.at == datetime(2026, 2, 2, 12, 0, tzinfo=LONDON)  # no time: noon
    assert ada.announced and ada.location is Location.HOME


def test_a_failed_visit_gives_every_child_its_outcome(tmp_path: Path) -> None:
    visits = "visit_id,date,worker_id,case_refs,outcome\nV1,2026-02-02,sw1,C1;C2,no_access\n"
    records = load_tables(workspace(tmp_path, visits=visits)).visits
    assert [(v.case_ref, v.outcome) for v in records] == [
        ("C1", Outcome.NO_ACCESS), ("C2", Outcome.NO_ACCESS)]


def test_a_time_in_the_autumn_overlap_is_the_first_summer_time_instant(tmp_path: Path) -> None:
    visits = "visit_id,date,time,worker_id,case_refs\nV1,2026-10-25,01:30,sw1,C1\n"
    (visit,) = load_tables(workspace(tmp_path, visits=visits)).visits
    assert visit.at.utcoffset() == timedelta(hours=1)


def test_a_byte_order_mark_and_blank_lines_are_accepted(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    (root / "workers.csv").write_bytes(b"\xef\xbb\xbf" + WORKERS.encode() + b"\n\n")
    assert [w.id for w in load_tables(root).workers] == ["sw1", "hv1"]


# --------------------------------------------------------------------------- problems


def test_a_bad_date_names_file_row_column_value_and_a_close_valid_date(tmp_path: Path) -> None:
    children = CHILDREN + "C4,H3,Di Synthetic,2019-02-28,,CIN,2026-02-30,\n"
    found = one_problem(workspace(tmp_path, children=children))
    assert found == (
        "children.csv, row 5, column plan_start: '2026-02-30' is not a date "
        "(fix: write the date as YYYY-MM-DD, e.g. 2026-02-28)")
    assert found.replace("row 5", "row 4") in DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("column, cell, expected", [
    ("date_of_birth", "30/02/2019", "is not a date (value not shown: personal data) "
     "(fix: write the date as YYYY-MM-DD, e.g. 2026-01-31)"),
    ("expected_due_date", "2026-13-01", "is not a date (value not shown: personal data) "
     "(fix: write the date as YYYY-MM-DD, e.g. 2026-01-31)"),
])
def test_a_bad_personal_date_is_reported_without_its_value(tmp_path: Path, column: str,
                                                          cell: str, expected: str) -> None:
    dates = {"date_of_birth": "2019-02-28", "expected_due_date": "", column: cell}
    children = (CHILDREN + f"C4,H3,Di Synthetic,{dates['date_of_birth']},"
                f"{dates['expected_due_date']},CIN,2026-01-05,\n")
    found = one_problem(workspace(tmp_path, children=children))
    assert found == f"children.csv, row 5, column {column}: {expected}"
    assert cell not in found and "2019-02" not in found


def test_a_bad_workers_email_is_reported_without_its_value(tmp_path: Path) -> None:
    workers = WORKERS + "sw2,Pat Worker,pat.worker-at-example.org,west,social_worker,,\n"
    found = one_problem(workspace(tmp_path, workers=workers))
    assert found == ("workers.csv, row 4, column email: is not an email address "
                     "(value not shown: personal data) (fix: write it as name@example.org)")
    assert "pat" not in found


def test_personal_columns_of_children_and_workers_are_declared() -> None:
    assert CHILD_COLUMNS.personal == ("name", "address", "date_of_birth", "expected_due_date")
    assert WORKER_COLUMNS.personal == ("name", "email")


def test_a_british_date_is_refused_with_its_iso_form_as_the_fix(tmp_path: Path) -> None:
    children = CHILDREN.replace("2026-02-01", "01/02/2026")
    assert one_problem(workspace(tmp_path, children=children)) == (
        "children.csv, row 4, column plan_start: '01/02/2026' is not a date "
        "(fix: write the date as YYYY-MM-DD, e.g. 2026-02-01)")


def test_every_problem_in_every_file_is_reported_at_once(tmp_path: Path) -> None:
    children = CHILDREN + "C4,H3,Di Synthetic,2019-02-28,,CPP,2026-01-35,sw9\n"
    workers = WORKERS + "sw2,Pat Worker,pat@example.org,west,socal_worker,Mon;Tues,0\n"
    visits = "visit_id,date,worker_id,case_refs,announced\nV1,2026-02-02,sw3,C9,maybe\n"
    assert problems(workspace(tmp_path, children=children, workers=workers, visits=visits)) == [
        "children.csv, row 5, column plan_type: 'CPP' is not a plan type (fix: did you mean CP?)",
        "children.csv, row 5, column plan_start: '2026-01-35' is not a date "
        "(fix: write the date as YYYY-MM-DD, e.g. 2026-01-31)",
        "children.csv, row 5, column allocated_worker: 'sw9' is not in workers.csv "
        "(fix: did you mean sw2? correct it, or add it to workers.csv)",
        "workers.csv, row 4, column role: 'socal_worker' is not a role "
        "(fix: did you mean social_worker?)",
        "workers.csv, row 4, column working_days: 'Tues' is not a weekday "
        "(fix: did you mean Tue? Days are written Mon;Tue;Wed;Thu;Fri;Sat;Sun)",
        "workers.csv, row 4, column visits_per_day: '0' is not a whole number of at least 1 "
        "(fix: write a whole number such as 3)",
        "visits.csv, row 2, column worker_id: 'sw3' is not in workers.csv "
        "(fix: did you mean sw2? correct it, or add it to workers.csv)",
        "visits.csv, row 2, column case_refs: case ref 'C9' is not in children.csv "
        "(fix: correct it, or add it to children.csv)",
        "visits.csv, row 2, column announced: 'maybe' is not yes or no (fix: write yes or no)",
    ]


def test_a_missing_required_file_is_reported(tmp_path: Path) -> None:
    assert one_problem(workspace(tmp_path, workers=None)).startswith(
        "workers.csv: not found in ")


def test_a_missing_required_column_is_reported_once_not_on_every_row(tmp_path: Path) -> None:
    children = CHILDREN.replace(",household,", ",").replace(",H1,", ",").replace(",H2,", ",")
    assert one_problem(workspace(tmp_path, children=children)) == (
        "children.csv, row 1: required column household is missing "
        "(fix: add a column headed household)")


def test_an_unknown_column_is_an_error_suggesting_the_intended_one(tmp_path: Path) -> None:
    workers = WORKERS.replace("visits_per_day", "visits_per_dya")
    assert one_problem(workspace(tmp_path, workers=workers)) == (
        "workers.csv, row 1, column visits_per_dya: unknown column "
        "(fix: rename it to visits_per_day)")


def test_an_empty_required_cell_is_reported(tmp_path: Path) -> None:
    workers = WORKERS + "sw2,Pat Worker,,west,social_worker,,\n"
    assert one_problem(workspace(tmp_path, workers=workers)) == (
        "workers.csv, row 4, column email: is empty (fix: fill in email; it is required)")


def test_a_row_with_more_cells_than_the_header_is_one_problem_not_parsed(
        tmp_path: Path) -> None:
    workers = WORKERS + "sw2,Pat, Worker,pat@example.org,west,social_worker,Mon,3\n"
    found = one_problem(workspace(tmp_path, workers=workers))
    assert found == (
        "workers.csv, row 4: has 8 cells, the header has 7 (fix: check for a missing or extra "
        "comma or an unquoted comma in a cell)")
    assert "Worker" not in found and "pat@" not in found


def test_a_row_with_fewer_cells_than_the_header_is_one_problem_quoting_no_cell(
        tmp_path: Path) -> None:
    # The camden case: a comma lost before conference_dates shifts the quoted address
    # into visit_frequency_days; its cells must not be parsed, nor any value quoted.
    children = CHILD_HEADER + (
        "C1,H1,Ada Synthetic,2019-02-28,,CP,2026-01-05,2026-01-05;2026-04-05,neglect,school,"
        'sw1,,"59 Tansy Close, Camden"\n')
    found = one_problem(workspace(tmp_path, children=children))
    assert found == (
        "children.csv, row 2: has 13 cells, the header has 14 (fix: check for a missing or "
        "extra comma or an unquoted comma in a cell)")
    for value in ("Tansy", "Ada", "2019-02-28", "neglect", "school"):
        assert value not in found


def test_a_misaligned_row_is_left_out_but_its_case_ref_still_counts(tmp_path: Path) -> None:
    children = CHILDREN + "C4,H3,Di Synthetic,2019-02-28,CIN,2026-01-05,\n"
    visits = "visit_id,date,worker_id,case_refs\nV1,2026-02-02,sw1,C4\n"
    tables, found = read_tables(workspace(tmp_path, children=children, visits=visits))
    assert [p.render() for p in found] == [
        "children.csv, row 5: has 7 cells, the header has 8 (fix: check for a missing or "
        "extra comma or an unquoted comma in a cell)"]
    assert [c.case_ref for c in tables.children] == ["C1", "C2", "C3"]
    assert [v.case_ref for v in tables.visits] == ["C4"]


def test_trailing_empty_cells_beyond_the_header_are_harmless(tmp_path: Path) -> None:
    workers = WORKERS + "sw2,Pat Worker,pat@example.org,west,social_worker,,,,\n"
    assert problems(workspace(tmp_path, workers=workers)) == []


@pytest.mark.parametrize("stem, header, row, expected", [
    ("children", "", "C1,H9,Ed Synthetic,2018-01-01,,CIN,2026-01-05,",
     "children.csv, row 5, column case_ref: case ref 'C1' is also on row 2"),
    ("workers", "", "sw1,Sam Again,sam2@example.org,west,social_worker,,",
     "workers.csv, row 4, column worker_id: worker id 'sw1' is also on row 2"),
])
def test_duplicate_ids_are_reported_with_the_first_row(tmp_path: Path, stem: str, header: str,
                                                       row: str, expected: str) -> None:
    base = {"children": CHILDREN, "workers": WORKERS}[stem]
    assert one_problem(workspace(tmp_path, **{stem: base + row + "\n"})).startswith(expected)


def test_a_duplicate_visit_id_is_reported(tmp_path: Path) -> None:
    visits = ("visit_id,date,worker_id,case_refs\nV1,2026-02-02,sw1,C1\n"
              "V1,2026-02-03,sw1,C2\n")
    assert one_problem(workspace(tmp_path, visits=visits)) == (
        "visits.csv, row 3, column visit_id: visit id 'V1' is also at visits.csv, row 2 "
        "(fix: give each visit its own id; list all children of a visit in case_refs)")


def test_an_absence_of_an_unknown_worker_or_ending_before_it_starts_is_reported(
        tmp_path: Path) -> None:
    absences = ("worker_id,from,to\nsw1,2026-03-06,2026-03-02\nxx9,2026-03-02,2026-03-02\n")
    assert problems(workspace(tmp_path, absences=absences)) == [
        "absences.csv, row 2, column to: 2026-03-02 is before from 2026-03-06 "
        "(fix: give the last day away, on or after the first)",
        "absences.csv, row 3, column worker_id: 'xx9' is not in workers.csv "
        "(fix: correct it, or add it to workers.csv)",
    ]


def test_a_plan_cannot_start_before_birth_unless_it_began_before_birth(tmp_path: Path) -> None:
    born = CHILDREN + "C4,H3,Di Synthetic,2026-03-01,,CP,2026-01-10,\n"
    pre_birth = CHILDREN + "C4,H3,Di Synthetic,2026-03-01,2026-03-05,CP,2026-01-10,\n"
    found = one_problem(workspace(tmp_path, children=born))
    assert found == (
        "children.csv, row 5, column plan_start: plan_start 2026-01-10 is before date_of_birth "
        "(value not shown: personal data) (fix: check both dates; for a plan made before birth "
        "also give expected_due_date)")
    assert "2026-03-01" not in found
    assert problems(workspace(tmp_path, children=pre_birth)) == []


def test_a_child_needs_a_date_of_birth_or_an_expected_due_date(tmp_path: Path) -> None:
    children = CHILDREN + "C4,H3,Di Synthetic,,,CIN,2026-01-05,\n"
    assert one_problem(workspace(tmp_path, children=children)) == (
        "children.csv, row 5, column date_of_birth: neither date_of_birth nor expected_due_date "
        "is given (fix: give the date of birth, or the expected due date for an unborn child)")


@pytest.mark.parametrize("value", ["0", "weekly", "-5", "2.5"])
def test_visit_frequency_days_must_be_a_positive_whole_number(tmp_path: Path, value: str) -> None:
    children = ("case_ref,household,name,date_of_birth,plan_type,plan_start,visit_frequency_days\n"
                f"C1,H1,Ada Synthetic,2019-02-28,CP,2026-01-05,{value}\n")
    assert one_problem(workspace(tmp_path, children=children)) == (
        f"children.csv, row 2, column visit_frequency_days: '{value}' is not a whole number of "
        "at least 1 (fix: write a whole number such as 3)")


def test_a_visit_before_the_childs_birth_is_reported_by_case_ref_not_name(tmp_path: Path) -> None:
    visits = "visit_id,date,worker_id,case_refs\nV1,2021-05-01,sw1,C1;C2\n"
    found = one_problem(workspace(tmp_path, visits=visits))
    assert found == ("visits.csv, row 2, column date: the visit on 2021-05-01 is before C2's "
                     "date of birth (value not shown: personal data) (fix: check the visit "
                     "date and the child's date of birth)")
    assert "Synthetic" not in found and "2021-06-01" not in found


def test_children_seen_may_only_name_children_of_the_visit(tmp_path: Path) -> None:
    visits = "visit_id,date,worker_id,case_refs,children_seen\nV1,2026-02-02,sw1,C1,C1;C2\n"
    assert one_problem(workspace(tmp_path, visits=visits)) == (
        "visits.csv, row 2, column children_seen: 'C2' is not in case_refs "
        "(fix: list only children named in case_refs, or add it there)")


def test_a_failed_visit_cannot_have_seen_a_child(tmp_path: Path) -> None:
    visits = ("visit_id,date,worker_id,case_refs,outcome,seen_alone\n"
              "V1,2026-02-02,sw1,C1,cancelled,C1\n")
    assert one_problem(workspace(tmp_path, visits=visits)) == (
        "visits.csv, row 2, column seen_alone: the outcome is cancelled, so no child was seen "
        "(fix: empty seen_alone, or set outcome to completed)")


def test_a_child_seen_alone_must_have_been_seen(tmp_path: Path) -> None:
    visits = ("visit_id,date,worker_id,case_refs,children_seen,seen_alone\n"
              "V1,2026-02-02,sw1,C1;C2,C1,C2\n")
    assert one_problem(workspace(tmp_path, visits=visits)).startswith(
        "visits.csv, row 2, column seen_alone: 'C2' is listed but was not seen")


def test_a_time_the_clocks_skip_is_an_error_with_the_clock_time_as_fix(tmp_path: Path) -> None:
    visits = "visit_id,date,time,worker_id,case_refs\nV1,2026-03-29,01:30,sw1,C1\n"
    assert one_problem(workspace(tmp_path, visits=visits)) == (
        "visits.csv, row 2, column time: 01:30 on 2026-03-29 does not exist in London: the "
        "clocks went forward an hour (fix: write the time shown on the clock, e.g. 02:30)")


@pytest.mark.parametrize("column, value, expected", [
    ("outcome", "seen", "'seen' is not a outcome"),
    ("location", "school", "'school' is not a location"),
    ("time", "9.30am", "'9.30am' is not a time of day"),
    ("checks", "Kitchen!", "'Kitchen!' is not a check name"),
])
def test_bad_visit_cells_are_reported(tmp_path: Path, column: str, value: str,
                                      expected: str) -> None:
    visits = f"visit_id,date,worker_id,case_refs,{column}\nV1,2026-02-02,sw1,C1,{value}\n"
    assert one_problem(workspace(tmp_path, visits=visits)).startswith(
        f"visits.csv, row 2, column {column}: {expected}")


def test_a_file_that_is_not_utf8_says_how_to_save_it(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    (root / "children.csv").write_bytes(CHILDREN.replace("Bo", "Zoë").encode("latin-1"))
    found = problems(root)
    assert found[0] == ("children.csv, line 3: is not UTF-8 text (byte 0xeb cannot be read) "
                        '(fix: save it as "CSV UTF-8 (Comma delimited)" (Excel) or re-export '
                        "it as UTF-8)")


def test_a_utf16_file_is_named_as_such(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    (root / "workers.csv").write_bytes(WORKERS.encode("utf-16"))
    assert problems(root)[0].startswith("workers.csv: is UTF-16 text")


def test_a_semicolon_separated_file_is_recognised(tmp_path: Path) -> None:
    assert one_problem(workspace(tmp_path, workers=WORKERS.replace(",", ";"))).startswith(
        "workers.csv, row 1: the columns are not separated by commas")


# --------------------------------------------------------------------------- SSD layout


def test_an_ssd_cin_visits_export_loads_one_record_per_row(tmp_path: Path) -> None:
    visits = ("cinv_cin_visit_id,cinv_person_id,cinv_cin_visit_date,cinv_cin_visit_seen,"
              "cinv_cin_visit_seen_alone,cinv_cin_visit_bedroom\n"
              "9001,C1,2026-02-02 14:15:00.000,Y,Y,N\n"
              "9002,C2,2026-02-03 00:00:00,N,,\n"
              "9003,C2,2026-02-04,,,\n")
    ada, bo_missed, bo_unrecorded = load_tables(workspace(tmp_path, visits=visits)).visits
    assert (ada.visit_id, ada.case_ref, ada.outcome) == ("9001", "C1", Outcome.COMPLETED)
    assert ada.at == datetime(2026, 2, 2, 14, 15, tzinfo=LONDON)
    assert ada.checks == frozenset({"seen_alone"})
    assert ada.worker_id == "" and ada.announced and ada.location is Location.HOME
    assert bo_missed.outcome is Outcome.NOT_SEEN
    assert bo_missed.at.time() == time(12, 0)  # a SQL date-only midnight means "no time"
    assert bo_unrecorded.outcome is Outcome.NOT_SEEN  # unrecorded never counts as seen


def test_ssd_cp_visits_in_both_files_count_once_and_may_name_the_worker(tmp_path: Path) -> None:
    cp = ("cppv_cp_visit_id,cppv_person_id,cppv_cp_plan_id,cppv_cp_visit_date,cppv_cp_visit_seen,"
          "cppv_cp_visit_seen_alone,cppv_cp_visit_bedroom,worker_id\n"
          "77,C1,P1,2026-02-02T10:00:00,Yes,No,Yes,sw1\n")
    cin = ("cinv_cin_visit_id,cinv_person_id,cinv_cin_visit_date,cinv_cin_visit_seen,worker_id\n"
           "77,C1,2026-02-02 10:00,Y,sw1\n")
    root = workspace(tmp_path, ssd_cp_visits=cp)
    (root / "ssd_cin_visits.csv").write_text(
        cin.replace("cinv_cin_visit_seen,", "cinv_cin_visit_seen,cinv_cin_visit_bedroom,")
        .replace(",Y,sw1", ",Y,Y,sw1"), encoding="utf-8")
    (visit,) = load_tables(root).visits
    assert (visit.visit_id, visit.worker_id, visit.checks) == ("77", "sw1", frozenset({"bedroom"}))


def test_ssd_rows_are_checked_like_any_other(tmp_path: Path) -> None:
    visits = ("cppv_cp_visit_id,cppv_person_id,cppv_cp_visit_date,cppv_cp_visit_seen,"
              "cppv_cp_visit_seen_alone,cppv_visit_officer\n"
              "1,C9,2026-02-30,N,Y,\n")
    assert problems(workspace(tmp_path, visits=visits)) == [
        "visits.csv, row 1, column cppv_visit_officer: unknown column "
        "(fix: rename it to cppv_cp_visit_id)",
        "visits.csv, row 2, column cppv_person_id: 'C9' is not in children.csv "
        "(fix: correct it, or add it to children.csv)",
        "visits.csv, row 2, column cppv_cp_visit_date: '2026-02-30' is not a date "
        "(fix: write the date as YYYY-MM-DD, e.g. 2026-02-28)",
        "visits.csv, row 2, column cppv_cp_visit_seen: the child is recorded as not seen, but "
        "seen alone or bedroom seen (fix: correct the seen flags of this visit)",
    ]


# --------------------------------------------------------------------------- whole workspace


def test_settings_and_csv_problems_are_reported_together(tmp_path: Path) -> None:
    root = workspace(tmp_path, children=CHILDREN.replace("2026-01-05,sw1\nC2", "2026-01-5,sw1\nC2"))
    (root / "visitplanner.toml").write_text('[workspace]\npolicy = "camden"\nprivacy = "all"\n',
                                            encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_workspace(root)
    assert caught.value.message == f"workspace {root} has problems"
    assert [p.where for p in caught.value.problems] == [
        "visitplanner.toml, key workspace.privacy", "children.csv, row 2, column plan_start"]


def test_the_doc_column_tables_match_the_columns_read() -> None:
    text = DOC.read_text(encoding="utf-8")
    tables = [("## children.csv", CHILD_COLUMNS), ("## workers.csv", WORKER_COLUMNS),
              ("## absences.csv", ABSENCE_COLUMNS), ("## visits.csv", VISIT_COLUMNS)]
    for heading, columns in tables:
        section = text.split(heading)[1].split("\n## ")[0].split("###")[0]
        documented = re.findall(r"^\| `(\w+)` \|", section, re.M)
        assert set(documented) == set(columns.known), heading


CAMDEN = REPO / "config" / "camden.toml"


@pytest.mark.skipif(not CAMDEN.exists(), reason="config/camden.toml is not written yet")
def test_a_valid_workspace_loads_with_its_policy_and_calendar(tmp_path: Path) -> None:
    root = workspace(tmp_path, visits="visit_id,date,worker_id,case_refs\nV1,2026-02-02,sw1,C1\n")
    (root / "visitplanner.toml").write_text(
        SETTINGS + 'closures = ["2026-12-29"]\nholiday_region = "ENG"\n', encoding="utf-8")
    loaded = load_workspace(root)
    assert loaded.settings.workspace.policy == "camden"
    assert loaded.policy is not None
    assert not loaded.calendar.is_working_day(date(2026, 12, 29))
    assert loaded.calendar.is_working_day(date(2026, 12, 24))
    assert [c.case_ref for c in loaded.children] == ["C1", "C2", "C3"]
    worker = loaded.worker("sw1")
    assert worker is not None and worker.role is Role.SOCIAL_WORKER
    assert loaded.worker("nobody") is None and loaded.child("C404") is None
    assert [v.visit_id for v in loaded.visits_for("C1")] == ["V1"]
    assert loaded.publish_dir == root / "calendars"


@pytest.mark.skipif(not CAMDEN.exists(), reason="config/camden.toml is not written yet")
def test_a_plan_looser_than_the_policy_is_reported_at_the_childs_row(tmp_path: Path) -> None:
    children = ("case_ref,household,name,date_of_birth,plan_type,plan_start,visit_frequency_days\n"
                "C1,H1,Ada Synthetic,2019-02-28,CIN,2026-01-05,\n"
                "C2,H2,Bo Synthetic,2019-02-28,CP,2026-01-05,90\n")
    root = workspace(tmp_path, children=children)
    (root / "visitplanner.toml").write_text(SETTINGS, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_workspace(root)
    (problem,) = caught.value.problems
    assert problem.where == "children.csv, row 3, column visit_frequency_days"
    assert problem.what.startswith("90 days is looser than rule")

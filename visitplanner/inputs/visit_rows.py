"""Recorded visits from visits.csv, in visitplanner's own layout or the SSD tables' layout.

Standard Safeguarding Dataset layout
------------------------------------
``visits.csv`` (and the optional files ``ssd_cin_visits.csv`` / ``ssd_cp_visits.csv``)
may be an export of the SSD tables ``ssd_cin_visits`` or ``ssd_cp_visits``, recognised
by their column prefix (``cinv_`` / ``cppv_``).  Column names are those of the
data-to-insight/ssd-data-model specification, files ``data/objects/ssd_cin_visits.yml``
and ``data/objects/ssd_cp_visits.yml`` (checked against the table definitions in the
repository's SQL Server extract scripts, which also carry ``cinv_person_id`` /
``cppv_person_id``).  See :data:`SSD_LAYOUTS`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path

from visitplanner.core.model import (
    Child,
    Location,
    Outcome,
    RecordedVisit,
)
from visitplanner.inputs.csvsheet import (
    CHILDREN_FILE,
    DEFAULT_VISIT_TIME,
    NOT_SHOWN,
    WORKERS_FILE,
    Columns,
    Row,
    Sheet,
    check_header,
    clock_cell,
    closest_reference,
    london_cell,
    parse_csv,
    read_text,
)

SSD_VISIT_FILES = ("ssd_cin_visits.csv", "ssd_cp_visits.csv")
VISIT_COLUMNS = Columns(
    ("visit_id", "date", "worker_id", "case_refs"),
    ("time", "location", "announced", "outcome", "children_seen", "seen_alone", "seen_awake",
     "bedroom_seen", "checks", "visit_type", "checks_not_made"),
)
_CHECK = re.compile(r"[a-z][a-z0-9_]*")
#: A visit row's type when it gives none (the policy's statutory visits).
STATUTORY_TYPE = "statutory"

@dataclass(frozen=True, slots=True)
class SsdLayout:
    """Column names of one SSD visits table, and what visitplanner reads from each.

    ``person_id`` is the child's id in the case-management system; visitplanner
    takes it *as the case reference*, so children.csv's ``case_ref`` must hold the
    same id.  The SSD tables record no worker, time, location or announcement:
    the optional extra column ``worker_id`` may supply the worker (else it is
    empty: unknown), the time is 12:00 unless the date carries one, the location
    is home and the visit counts as announced.
    """

    table: str
    visit_id: str
    person_id: str
    date: str
    seen: str
    seen_alone: str
    bedroom: str
    ignored: tuple[str, ...]

    @property
    def columns(self) -> Columns:
        return Columns((self.visit_id, self.person_id, self.date),
                       (self.seen, self.seen_alone, self.bedroom, "worker_id", *self.ignored))


SSD_LAYOUTS = (
    SsdLayout("ssd_cin_visits", "cinv_cin_visit_id", "cinv_person_id", "cinv_cin_visit_date",
              "cinv_cin_visit_seen", "cinv_cin_visit_seen_alone", "cinv_cin_visit_bedroom",
              ignored=("cinv_cin_plan_id",)),
    SsdLayout("ssd_cp_visits", "cppv_cp_visit_id", "cppv_person_id", "cppv_cp_visit_date",
              "cppv_cp_visit_seen", "cppv_cp_visit_seen_alone", "cppv_cp_visit_bedroom",
              ignored=("cppv_cp_plan_id",)),
)



# --------------------------------------------------------------------------- visits


@dataclass(frozen=True, slots=True)
class Known:
    """What a visit row may refer to: every worker id and case ref in the files
    (including rows with problems; None when a file is unusable), and the children
    that parsed."""

    worker_ids: frozenset[str] | None
    case_refs: frozenset[str] | None
    children: Mapping[str, Child]


# The checks a visits.csv column records, per child listed in it.
_CHECK_COLUMNS = {"seen_alone": "seen_alone", "seen_awake": "seen_awake", "bedroom_seen": "bedroom"}
_LIST_COLUMNS = ("children_seen", *_CHECK_COLUMNS)


def read_visit_csv(path: Path) -> Sheet:
    text, sheet = read_text(path, required=False)
    if text is None:
        return sheet
    sheet = parse_csv(path.name, text)
    sheet.layout = ssd_layout(sheet.header)
    check_header(sheet, sheet.layout.columns if sheet.layout else VISIT_COLUMNS)
    return sheet


def ssd_layout(header: Iterable[str]) -> SsdLayout | None:
    """The SSD table whose columns ``header`` uses (by prefix ``cinv_``/``cppv_``), if any."""
    header = tuple(header)
    for layout in SSD_LAYOUTS:
        prefix = layout.visit_id.split("_")[0] + "_"
        if any(column.startswith(prefix) for column in header):
            return layout
    return None


def parse_visits(sheets: Iterable[Sheet], known: Known) -> list[RecordedVisit]:
    """Every visit row as one RecordedVisit per child, sorted by time, visit id, case ref.

    The same visit of the same child exported twice identically (as the two SSD
    tables can) counts once; twice with different details is a problem.
    """
    kept: dict[tuple[str, str], tuple[RecordedVisit, str]] = {}
    first_rows: dict[str, str] = {}
    for sheet in sheets:
        for row in sheet.rows:
            if sheet.layout is None:
                visits = _native_visits(row, known, first_rows)
            else:
                visits = _ssd_visits(row, sheet.layout, known)
            for visit in visits:
                _keep_once(kept, visit, row)
    return sorted((visit for visit, _ in kept.values()),
                  key=lambda v: (v.at, v.visit_id, v.case_ref))


def _keep_once(kept: dict[tuple[str, str], tuple[RecordedVisit, str]], visit: RecordedVisit,
               row: Row) -> None:
    key = (visit.visit_id, visit.case_ref)
    if key not in kept:
        kept[key] = (visit, row.where())
    elif kept[key][0] != visit:
        row.problem("", f"visit {visit.visit_id} of {visit.case_ref} is also at {kept[key][1]}, "
                        "with different details", "keep one record of each visit")


def _native_visits(row: Row, known: Known, first_rows: dict[str, str]) -> list[RecordedVisit]:
    visit_id = row.required("visit_id")
    if visit_id and visit_id in first_rows:
        row.problem("visit_id", f"visit id {visit_id!r} is also at {first_rows[visit_id]}",
                    "give each visit its own id; list all children of a visit in case_refs")
    first_rows.setdefault(visit_id, row.where())
    day, clock = row.date_value("date", required=True), clock_cell(row, "time")
    worker_id = row.reference("worker_id", known.worker_ids, WORKERS_FILE)
    refs = _case_refs(row, known)
    location = row.choice("location", Location, Location.HOME)
    announced = row.boolean("announced", True)
    outcome = row.choice("outcome", Outcome, Outcome.COMPLETED)
    checks, not_made = _checks(row), _checks(row, "checks_not_made")
    visit_type = _visit_type(row)
    at = london_cell(row, "time", day, clock) if day and clock else None
    per_child = _per_child(row, refs, outcome) if outcome else {}
    if day:
        _check_after_birth(row, "date", day, refs, known)
    if row.failed or at is None or location is None or announced is None:
        return []
    return [RecordedVisit(visit_id, ref, at, worker_id, location, announced, child_outcome,
                          child_checks | checks if child_outcome is Outcome.COMPLETED
                          else frozenset(), visit_type,
                          # Tried and not made: only where the child was seen.
                          not_made - child_checks - checks
                          if child_outcome is Outcome.COMPLETED else frozenset())
            for ref, (child_outcome, child_checks) in per_child.items()]


def _visit_type(row: Row) -> str:
    """The row's visit type: a lower-case word, "statutory" when blank (whether the policy
    knows it is checked against the policy, see ``workspace.policy_problems``)."""
    raw = row.text("visit_type")
    if not raw:
        return STATUTORY_TYPE
    if not _CHECK.fullmatch(raw):
        row.problem("visit_type", f"{raw!r} is not a visit type",
                    'write a lower-case word such as "statutory" or "direct_work", or leave it '
                    "blank for a statutory visit")
    return raw


def _case_refs(row: Row, known: Known) -> tuple[str, ...]:
    refs = tuple(dict.fromkeys(row.items("case_refs")))  # de-duplicated, order kept
    if not refs:
        row.required("case_refs")
    for ref in refs:
        if known.case_refs is not None and ref not in known.case_refs:
            row.problem("case_refs", f"case ref {ref!r} is not in {CHILDREN_FILE}",
                        closest_reference(ref, known.case_refs, CHILDREN_FILE))
    return refs


def _checks(row: Row, column: str = "checks") -> frozenset[str]:
    """The check names listed in ``column`` (``;``-separated, any case)."""
    checks = set()
    for item in row.items(column):
        if _CHECK.fullmatch(item.lower()):
            checks.add(item.lower())
        else:
            row.problem(column, f"{item!r} is not a check name",
                        "use lower-case words joined by _, e.g. kitchen;bathroom;food")
    return frozenset(checks)


def _per_child(row: Row, refs: tuple[str, ...], outcome: Outcome
               ) -> dict[str, tuple[Outcome, frozenset[str]]]:
    """Each child's outcome and checks, from the row outcome and the list columns."""
    lists = {column: row.items(column) for column in _LIST_COLUMNS}
    for column, items in lists.items():
        for ref in items:
            if ref not in refs:
                row.problem(column, f"{ref!r} is not in case_refs",
                            "list only children named in case_refs, or add it there")
    if outcome is not Outcome.COMPLETED:
        for column in (c for c, items in lists.items() if items):
            row.problem(column, f"the outcome is {outcome}, so no child was seen",
                        f"empty {column}, or set outcome to completed")
        return {ref: (outcome, frozenset()) for ref in refs}
    seen = set(lists["children_seen"]) or set(refs)
    for column in _CHECK_COLUMNS:
        for ref in (r for r in lists[column] if r in refs and r not in seen):
            row.problem(column, f"{ref!r} is listed but was not seen (not in children_seen)",
                        "add it to children_seen, or remove it here")
    return {ref: (Outcome.COMPLETED, frozenset(check for column, check in _CHECK_COLUMNS.items()
                                              if ref in lists[column]))
            if ref in seen else (Outcome.NOT_SEEN, frozenset())
            for ref in refs}


def _check_after_birth(row: Row, column: str, day: date, refs: Iterable[str],
                       known: Known) -> None:
    # A child with an expected due date had a pre-birth plan: visits before birth were
    # visits to the expectant parent, and are real.
    for ref in refs:
        child = known.children.get(ref)
        if child and child.birth_date and child.due_date is None and day < child.birth_date:
            row.problem(column, f"the visit on {day} is before {ref}'s date of birth "
                                f"{NOT_SHOWN}",
                        "check the visit date and the child's date of birth")


def _ssd_visits(row: Row, layout: SsdLayout, known: Known) -> list[RecordedVisit]:
    """One SSD row (one child, one visit) as a RecordedVisit; see :class:`SsdLayout`."""
    visit_id = row.required(layout.visit_id)
    case_ref = row.reference(layout.person_id, known.case_refs, CHILDREN_FILE)
    day, clock = _ssd_datetime(row, layout.date)
    worker_id = row.reference("worker_id", known.worker_ids, WORKERS_FILE, required=False)
    seen = row.boolean(layout.seen, None)
    checks = frozenset(check for column, check in ((layout.seen_alone, "seen_alone"),
                                                   (layout.bedroom, "bedroom"))
                       if row.boolean(column, None))
    if seen is False and checks:
        row.problem(layout.seen, "the child is recorded as not seen, but seen alone or "
                                 "bedroom seen", "correct the seen flags of this visit")
    at = london_cell(row, layout.date, day, clock) if day and clock else None
    if day:
        _check_after_birth(row, layout.date, day, (case_ref,), known)
    if row.failed or at is None:
        return []
    # Only a "Y" counts the child as seen: an unrecorded flag must not satisfy a rule.
    outcome = Outcome.COMPLETED if seen else Outcome.NOT_SEEN
    return [RecordedVisit(visit_id, case_ref, at, worker_id, outcome=outcome,
                          checks=checks if seen else frozenset())]


def _ssd_datetime(row: Row, column: str) -> tuple[date | None, time | None]:
    """An SSD DATETIME cell: ``YYYY-MM-DD`` with an optional ``HH:MM[:SS[.fff]]``.

    Midnight exactly is how a date without a time comes out of SQL, so it means
    "time not recorded" (12:00).
    """
    raw = row.required(column)
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?", raw)
    if not raw:
        return None, None
    day = row.parse_date(column, match[1] if match else raw)
    if match is None or match[2] is None:
        return day, DEFAULT_VISIT_TIME
    hours, minutes = int(match[2]), int(match[3])
    if hours > 23 or minutes > 59:
        row.problem(column, f"{raw!r} has no valid time of day", "write HH:MM as 00:00 to 23:59")
        return day, None
    clock = time(hours, minutes)
    return day, DEFAULT_VISIT_TIME if clock == time(0, 0) else clock

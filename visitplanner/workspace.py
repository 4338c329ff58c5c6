"""A workspace folder loaded into domain values, with every problem located.

:func:`load_workspace` reads ``visitplanner.toml`` (:mod:`visitplanner.settings`), the
CSV files described in ``docs/workspace.md`` and the policy the settings name, and
returns one :class:`Workspace`.  :func:`read_tables` does the CSV part alone, without a
policy, so it can be used and tested on its own.

Problems are gathered, never raised one at a time: each is an
:class:`~visitplanner.errors.Problem` located as a spreadsheet user sees the file
(the header is row 1, the first data row is row 2), e.g.
``children.csv, row 4, column date_of_birth: '2019-02-30' is not a date``.

Messages carry case references and worker ids, never names.

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

import csv
import difflib
import io
import re
from calendar import monthrange
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from visitplanner.errors import InputError, PolicyError, Problem
from visitplanner.model import (
    LONDON,
    Absence,
    Child,
    Location,
    Outcome,
    PlanType,
    RecordedVisit,
    Role,
    Worker,
)
from visitplanner.policy import Policy, child_problems, load_policy
from visitplanner.settings import SETTINGS_FILE, Settings, load_settings
from visitplanner.workdays import WorkingCalendar

CHILDREN_FILE = "children.csv"
WORKERS_FILE = "workers.csv"
ABSENCES_FILE = "absences.csv"
VISITS_FILE = "visits.csv"
#: Optional extra visit files, for an authority exporting both SSD tables.
SSD_VISIT_FILES = ("ssd_cin_visits.csv", "ssd_cp_visits.csv")

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class Columns:
    """The columns a CSV file may have: all ``required`` ones must be present."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def known(self) -> tuple[str, ...]:
        return self.required + self.optional


CHILD_COLUMNS = Columns(
    ("case_ref", "household", "name", "plan_type", "plan_start"),
    ("date_of_birth", "expected_due_date", "referral_date", "conference_dates", "categories",
     "education", "allocated_worker", "visit_frequency_days", "address"),
)
WORKER_COLUMNS = Columns(("worker_id", "name", "email", "team", "role"),
                         ("working_days", "visits_per_day"))
ABSENCE_COLUMNS = Columns(("worker_id", "from", "to"), ("reason",))
VISIT_COLUMNS = Columns(
    ("visit_id", "date", "worker_id", "case_refs"),
    ("time", "location", "announced", "outcome", "children_seen", "seen_alone", "seen_awake",
     "bedroom_seen", "checks"),
)

CATEGORIES = ("neglect", "physical", "emotional", "sexual")
EDUCATION = ("school", "early_years", "none", "home", "alternative")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEFAULT_VISIT_TIME = time(12, 0)
_WORKER_ID = re.compile(r"[A-Za-z0-9._-]+")
_CHECK = re.compile(r"[a-z][a-z0-9_]*")


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


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class Tables:
    """The CSV files' rows as domain values (rows with problems are left out).

    ``child_rows`` maps each case reference to its row in children.csv, so later
    checks (the policy's) can point at the row.
    """

    children: tuple[Child, ...] = ()
    workers: tuple[Worker, ...] = ()
    absences: tuple[Absence, ...] = ()
    visits: tuple[RecordedVisit, ...] = ()
    child_rows: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Workspace:
    """Everything one team's plan is made from, validated."""

    root: Path
    settings: Settings
    policy: Policy
    calendar: WorkingCalendar
    children: tuple[Child, ...]
    workers: tuple[Worker, ...]
    absences: tuple[Absence, ...]
    visits: tuple[RecordedVisit, ...]

    def worker(self, worker_id: str) -> Worker | None:
        return next((w for w in self.workers if w.id == worker_id), None)

    def child(self, case_ref: str) -> Child | None:
        return next((c for c in self.children if c.case_ref == case_ref), None)

    def visits_for(self, case_ref: str) -> tuple[RecordedVisit, ...]:
        """The child's recorded visits, oldest first."""
        return tuple(v for v in self.visits if v.case_ref == case_ref)

    def absences_for(self, worker_id: str) -> tuple[Absence, ...]:
        return tuple(a for a in self.absences if a.worker_id == worker_id)

    @property
    def publish_dir(self) -> Path:
        """Where ICS files go: ``[publish] out``, relative to the workspace."""
        return self.root / self.settings.publish.out

    @property
    def state_dir(self) -> Path:
        """What visitplanner records itself (``.visitplanner/``)."""
        return self.root / ".visitplanner"


# --------------------------------------------------------------------------- loading


def load_workspace(root: Path) -> Workspace:
    """Load and validate the workspace folder ``root``.

    Raises InputError("workspace ROOT has problems") listing every problem in the
    settings, the CSV files and the children's plans against the policy.  A broken
    policy file raises PolicyError when it is the only trouble; otherwise its
    problems are listed with the others.
    """
    problems: list[Problem] = []
    settings = _settings_or_problems(root, problems)
    tables, table_problems = read_tables(root)
    problems += table_problems
    if settings is None:
        raise InputError(f"workspace {root} has problems", problems)
    try:
        policy = load_policy(settings.workspace.policy, base=root)
    except PolicyError as exc:
        if not problems:
            raise
        raise InputError(f"workspace {root} has problems", [*problems, *exc.problems]) from None
    problems += policy_problems(policy, tables)
    if problems:
        raise InputError(f"workspace {root} has problems", problems)
    calendar = WorkingCalendar(region=settings.workspace.holiday_region,
                               closures=settings.workspace.closures)
    return Workspace(root, settings, policy, calendar, tables.children, tables.workers,
                     tables.absences, tables.visits)


def _settings_or_problems(root: Path, problems: list[Problem]) -> Settings | None:
    try:
        return load_settings(root / SETTINGS_FILE)
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def policy_problems(policy: Policy, tables: Tables) -> list[Problem]:
    """Each child's plan checked against the policy, located at the child's row."""
    problems = []
    for child in tables.children:
        row = tables.child_rows.get(child.case_ref)
        for column, what, fix in child_problems(policy, child):
            where = f"{CHILDREN_FILE}, row {row}" + (f", column {column}" if column else "")
            problems.append(Problem(where, what, fix))
    return problems


def load_tables(root: Path) -> Tables:
    """The CSV files of ``root`` as values; raises InputError listing every problem."""
    tables, problems = read_tables(root)
    if problems:
        raise InputError(f"workspace {root} has problems", problems)
    return tables


def read_tables(root: Path) -> tuple[Tables, list[Problem]]:
    """Read every CSV file of ``root``: the values that parsed, and every problem.

    Problems come in file order (children, workers, absences, visits), and within a
    file in row order.  A row with a problem is left out of the values; references
    to it (its case_ref or worker_id) still count as known, so one bad row does not
    cause a cascade of "unknown case ref" problems elsewhere.
    """
    child_sheet = read_csv(root / CHILDREN_FILE, CHILD_COLUMNS, required=True)
    worker_sheet = read_csv(root / WORKERS_FILE, WORKER_COLUMNS, required=True)
    absence_sheet = read_csv(root / ABSENCES_FILE, ABSENCE_COLUMNS)
    visit_sheets = [_read_visit_csv(root / name) for name in (VISITS_FILE, *SSD_VISIT_FILES)]
    worker_ids = worker_sheet.ids("worker_id")
    workers = parse_workers(worker_sheet)
    children, child_rows = parse_children(child_sheet, worker_ids)
    absences = parse_absences(absence_sheet, worker_ids)
    known = Known(worker_ids, child_sheet.ids("case_ref"), {c.case_ref: c for c in children})
    visits = parse_visits(visit_sheets, known)
    sheets = [child_sheet, worker_sheet, absence_sheet, *visit_sheets]
    problems = [problem for sheet in sheets for problem in sheet.problems]
    tables = Tables(tuple(children), tuple(workers), tuple(absences), tuple(visits), child_rows)
    return tables, problems


# --------------------------------------------------------------------------- CSV files


class Sheet:
    """One CSV file as read: header, data rows and the problems found in it.

    A mutable accumulator used only while loading; the values it yields are frozen.
    """

    def __init__(self, name: str, header: tuple[str, ...] = (),
                 rows: Iterable[tuple[int, dict[str, str]]] = (), layout: SsdLayout | None = None
                 ) -> None:
        self.name = name
        self.header = header
        self.layout = layout
        self.problems: list[Problem] = []
        self.rows = [Row(self, number, cells) for number, cells in rows]
        # Rows with more cells than headings: reported, not parsed (their cells are
        # shifted, so every further message would be noise), but their ids still count.
        self.misaligned: list[Row] = []

    def values(self, column: str) -> frozenset[str]:
        """Every non-empty value of ``column``, including rows that have problems."""
        return frozenset(row.text(column) for row in self.rows + self.misaligned) - {""}

    def ids(self, column: str) -> frozenset[str] | None:
        """The ids other files may refer to; None when the file or column is unusable
        (already reported), so that references to it are not checked."""
        return self.values(column) if column in self.header else None

    def add(self, where: str, what: str, fix: str = "") -> None:
        self.problems.append(Problem(where, what, fix))


def read_csv(path: Path, columns: Columns, required: bool = False) -> Sheet:
    """Read ``path`` and check its header against ``columns``.

    A missing optional file is an empty sheet.  Row numbers are as a spreadsheet
    shows them: the header is row 1, the first data row is row 2.
    """
    text, sheet = _read_text(path, required)
    if text is None:
        return sheet
    sheet = _parse_csv(path.name, text)
    _check_header(sheet, columns)
    return sheet


def _read_text(path: Path, required: bool) -> tuple[str | None, Sheet]:
    sheet = Sheet(path.name)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if required:
            sheet.add(path.name, f"not found in {path.parent}",
                      f"add {path.name} to the workspace (see docs/workspace.md)")
        return None, sheet
    except OSError as exc:
        sheet.add(path.name, f"cannot be read: {exc.strerror}", "check the file's permissions")
        return None, sheet
    text = _decode(raw, sheet)
    return text, sheet


def _decode(raw: bytes, sheet: Sheet) -> str | None:
    fix = 'save it as "CSV UTF-8 (Comma delimited)" (Excel) or re-export it as UTF-8'
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        sheet.add(sheet.name, "is UTF-16 text (Excel's Unicode Text), not UTF-8", fix)
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        sheet.add(f"{sheet.name}, line {line}",
                  f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be read)", fix)
        return None


def _parse_csv(name: str, text: str) -> Sheet:
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        sheet = Sheet(name)
        sheet.add(name, f"is not a readable CSV file: {exc}", "re-export it as CSV")
        return sheet
    if not records:
        sheet = Sheet(name)
        sheet.add(name, "is empty", "add the header row (see docs/workspace.md)")
        return sheet
    header = tuple(cell.strip() for cell in records[0])
    sheet = Sheet(name, header)
    # Record i (0-based) is spreadsheet row i + 1; blank lines keep their row number.
    for number, record in enumerate(records[1:], start=2):
        if any(cell.strip() for cell in record):
            _add_row(sheet, number, record)
    return sheet


def _add_row(sheet: Sheet, number: int, record: list[str]) -> None:
    if len(record) > len(sheet.header) and any(c.strip() for c in record[len(sheet.header):]):
        sheet.add(f"{sheet.name}, row {number}",
                  f"has {len(record)} cells but the header has {len(sheet.header)} columns",
                  'put cells containing commas in double quotes, or add the missing heading')
        target = sheet.misaligned
    else:
        target = sheet.rows
    cells = {col: cell.strip() for col, cell in zip(sheet.header, record, strict=False) if col}
    target.append(Row(sheet, number, cells))


def _check_header(sheet: Sheet, columns: Columns) -> None:
    if not sheet.header:
        return
    where = f"{sheet.name}, row 1"
    if len(sheet.header) == 1 and re.search(r"[;\t]", sheet.header[0]):
        sheet.add(where, "the columns are not separated by commas",
                  "save the file as comma-separated CSV")
        sheet.rows.clear()
        return
    for column in columns.required:
        if column not in sheet.header:
            sheet.add(where, f"required column {column} is missing",
                      f"add a column headed {column}")
    seen: set[str] = set()
    for column in sheet.header:
        if column in seen:
            sheet.add(where, f"column {column} appears twice", "remove or rename one of them")
        seen.add(column)
        if column and column not in columns.known:
            sheet.add(f"{where}, column {column}", "unknown column",
                      _closest(column, columns.known, "rename it to"))


def _closest(raw: str, choices: Iterable[str], verb: str = "did you mean") -> str:
    """A fix naming the closest of ``choices`` (difflib), or listing them all."""
    choices = sorted(choices)
    close = difflib.get_close_matches(raw, choices, n=1, cutoff=0.6)
    if close:
        return f"{verb} {close[0]}?" if verb == "did you mean" else f"{verb} {close[0]}"
    return f"use one of: {', '.join(choices)}"


def _closest_reference(raw: str, known: Iterable[str], file: str) -> str:
    """Like :func:`_closest`, but never lists every id (there may be hundreds)."""
    close = difflib.get_close_matches(raw, sorted(known), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}? " if close else ""
    return f"{hint}correct it, or add it to {file}"


# --------------------------------------------------------------------------- cells


class Row:
    """One data row's cells, with parsers that record a located problem on failure.

    Every parser returns None (or the default) when the cell is bad, after adding
    the problem to the sheet; :attr:`failed` then tells the caller to drop the row.
    """

    def __init__(self, sheet: Sheet, number: int, cells: dict[str, str]) -> None:
        self.sheet = sheet
        self.number = number
        self.cells = cells
        self.failed = False

    def where(self, column: str = "") -> str:
        base = f"{self.sheet.name}, row {self.number}"
        return f"{base}, column {column}" if column else base

    def problem(self, column: str, what: str, fix: str = "") -> None:
        self.failed = True
        self.sheet.add(self.where(column), what, fix)

    def text(self, column: str) -> str:
        return self.cells.get(column, "")

    def required(self, column: str) -> str:
        value = self.text(column)
        # A column missing from the header was reported once, at row 1.
        if not value and column in self.sheet.header:
            self.problem(column, "is empty", f"fill in {column}; it is required")
        elif not value:
            self.failed = True
        return value

    def date_value(self, column: str, required: bool = False) -> date | None:
        raw = self.required(column) if required else self.text(column)
        return self.parse_date(column, raw) if raw else None

    def parse_date(self, column: str, raw: str) -> date | None:
        # fromisoformat alone would also take 20190228 and week dates; insist on YYYY-MM-DD.
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            try:
                return date.fromisoformat(raw)
            except ValueError:
                pass
        self.problem(column, f"{raw!r} is not a date",
                     f"write the date as YYYY-MM-DD, e.g. {_date_example(raw)}")
        return None

    def date_list(self, column: str) -> tuple[date, ...]:
        parsed = [self.parse_date(column, item) for item in self.items(column)]
        return tuple(sorted(d for d in parsed if d is not None))

    def items(self, column: str) -> tuple[str, ...]:
        """A ``;``-separated list cell, blanks dropped, order kept."""
        return tuple(item.strip() for item in self.text(column).split(";") if item.strip())

    def choice(self, column: str, enum: type[E], default: E | None = None) -> E | None:
        raw = self.required(column) if default is None else self.text(column)
        if not raw:
            return default
        by_value = {member.value.lower(): member for member in enum}
        if raw.lower() in by_value:
            return by_value[raw.lower()]
        self.problem(column, f"{raw!r} is not a {column.replace('_', ' ')}",
                     _closest(raw, [m.value for m in enum]))
        return None

    def word(self, column: str, choices: tuple[str, ...], default: str) -> str:
        raw = self.text(column).lower()
        if not raw or raw in choices:
            return raw or default
        self.problem(column, f"{raw!r} is not one of {', '.join(choices)}",
                     _closest(raw, choices))
        return default

    def boolean(self, column: str, default: bool | None) -> bool | None:
        raw = self.text(column).lower()
        if not raw:
            return default
        if raw in _TRUE or raw in _FALSE:
            return raw in _TRUE
        self.problem(column, f"{raw!r} is not yes or no", "write yes or no")
        return default

    def integer(self, column: str, default: int | None, minimum: int = 1) -> int | None:
        raw = self.text(column)
        if not raw:
            return default
        if re.fullmatch(r"\d+", raw) and int(raw) >= minimum:
            return int(raw)
        self.problem(column, f"{raw!r} is not a whole number of at least {minimum}",
                     f"write a whole number such as {max(minimum, 3)}")
        return None

    def reference(self, column: str, known: Set[str] | None, file: str,
                  required: bool = True) -> str:
        """A worker id or case ref that must appear in ``file``."""
        value = self.required(column) if required else self.text(column)
        if value and known is not None and value not in known:
            self.problem(column, f"{value!r} is not in {file}",
                         _closest_reference(value, known, file))
        return value


_TRUE = frozenset({"yes", "y", "true", "1"})
_FALSE = frozenset({"no", "n", "false", "0"})


def _date_example(raw: str) -> str:
    """A valid ISO date close to what was written: last day of the month, or dd/mm/yyyy."""
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw)
    british = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", raw)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif british:
        day, month, year = (int(part) for part in british.groups())
    else:
        return "2026-01-31"
    if not 1 <= month <= 12 or year < 1:
        return "2026-01-31"
    day = min(max(day, 1), monthrange(year, month)[1])
    return date(year, month, day).isoformat()


def _clock(row: Row, column: str) -> time | None:
    raw = row.text(column)
    if not raw:
        return DEFAULT_VISIT_TIME
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", raw)
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    row.problem(column, f"{raw!r} is not a time of day", "write it as HH:MM (24 hour), e.g. 14:30")
    return None


def _london(row: Row, column: str, day: date, clock: time) -> datetime | None:
    """``day`` at ``clock`` in London; None (and a problem) in the spring-forward gap.

    In the autumn overlap (01:00 to 02:00 happens twice) the first, summer-time, instant is taken.
    """
    local = datetime.combine(day, clock, tzinfo=LONDON)
    if local.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) == local.replace(tzinfo=None):
        return local
    later = (datetime.combine(day, clock) + timedelta(hours=1)).time()
    row.problem(column, f"{clock:%H:%M} on {day} does not exist in London: the clocks went "
                        "forward an hour", f"write the time shown on the clock, e.g. {later:%H:%M}")
    return None


# --------------------------------------------------------------------------- workers


def parse_workers(sheet: Sheet) -> list[Worker]:
    """workers.csv rows as Workers, checking worker ids are well formed and unique."""
    workers = []
    first_row: dict[str, int] = {}
    for row in sheet.rows:
        worker = _worker(row)
        worker_id = row.text("worker_id")
        if worker_id and worker_id in first_row:
            row.problem("worker_id", f"worker id {worker_id!r} is also on row "
                        f"{first_row[worker_id]}", "give each worker one row and a unique id")
        first_row.setdefault(worker_id, row.number)
        if worker is not None and not row.failed:
            workers.append(worker)
    return workers


def _worker(row: Row) -> Worker | None:
    worker_id = row.required("worker_id")
    if worker_id and not _WORKER_ID.fullmatch(worker_id):
        row.problem("worker_id", f"{worker_id!r} has characters other than letters, digits, "
                    ". _ -", "use only letters, digits, '.', '_' and '-'")
    name, team = row.required("name"), row.required("team")
    email = row.required("email")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        row.problem("email", f"{email!r} is not an email address", "write it as name@example.org")
    role = row.choice("role", Role)
    days = _working_days(row)
    per_day = row.integer("visits_per_day", default=3, minimum=1)
    if row.failed or role is None or per_day is None:
        return None
    return Worker(worker_id, name, email, team, role, days, per_day)


_WEEKDAY_NUMBERS = {name.lower(): i for i, name in enumerate(WEEKDAYS)} | {
    name.lower(): i for i, name in enumerate(
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))}


def _working_days(row: Row) -> frozenset[int]:
    """``Mon;Tue`` as weekday numbers (Monday = 0); empty means Monday to Friday."""
    days = set()
    for item in row.items("working_days"):
        number = _WEEKDAY_NUMBERS.get(item.lower())
        if number is None:
            row.problem("working_days", f"{item!r} is not a weekday",
                        _weekday_fix(item))
        else:
            days.add(number)
    return frozenset(days) if days else frozenset(range(5))


def _weekday_fix(raw: str) -> str:
    close = difflib.get_close_matches(raw.title(), WEEKDAYS, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]}? " if close else ""
    return f"{hint}Days are written Mon;Tue;Wed;Thu;Fri;Sat;Sun"


# --------------------------------------------------------------------------- children


def parse_children(sheet: Sheet, worker_ids: Set[str] | None) -> tuple[list[Child], dict[str, int]]:
    """children.csv rows as Children, and each case ref's row number."""
    children = []
    rows: dict[str, int] = {}
    for row in sheet.rows:
        child = _child(row, worker_ids)
        case_ref = row.text("case_ref")
        if case_ref and case_ref in rows:
            row.problem("case_ref", f"case ref {case_ref!r} is also on row {rows[case_ref]}",
                        "give each child one row and its own case reference")
        rows.setdefault(case_ref, row.number)
        if child is not None and not row.failed:
            children.append(child)
    return children, rows


def _child(row: Row, worker_ids: Set[str] | None) -> Child | None:
    case_ref, household = row.required("case_ref"), row.required("household")
    name = row.required("name")
    plan_type = row.choice("plan_type", PlanType)
    plan_start = row.date_value("plan_start", required=True)
    birth, due = _birth_and_due(row)
    allocated = row.reference("allocated_worker", worker_ids, WORKERS_FILE, required=False)
    frequency = row.integer("visit_frequency_days", default=None, minimum=1)
    referral, conferences = row.date_value("referral_date"), row.date_list("conference_dates")
    categories, education = _categories(row), row.word("education", EDUCATION, "school")
    if plan_start and birth and plan_start < birth and due is None:
        row.problem("plan_start", f"plan_start {plan_start} is before date_of_birth {birth}",
                    "check both dates; for a plan made before birth also give expected_due_date")
    if row.failed or plan_type is None or plan_start is None:
        return None
    return Child(case_ref, household, name, birth, plan_type, plan_start,
                 allocated_worker=allocated or None, due_date=due, referral_date=referral,
                 conference_dates=conferences, categories=categories, education=education,
                 visit_frequency_days=frequency, address=row.text("address"))


def _birth_and_due(row: Row) -> tuple[date | None, date | None]:
    birth, due = row.date_value("date_of_birth"), row.date_value("expected_due_date")
    if not row.text("date_of_birth") and not row.text("expected_due_date"):
        row.problem("date_of_birth", "neither date_of_birth nor expected_due_date is given",
                    "give the date of birth, or the expected due date for an unborn child")
    return birth, due


def _categories(row: Row) -> frozenset[str]:
    found = set()
    for item in row.items("categories"):
        if item.lower() in CATEGORIES:
            found.add(item.lower())
        else:
            row.problem("categories", f"{item!r} is not a plan category",
                        _closest(item.lower(), CATEGORIES))
    return frozenset(found)


# --------------------------------------------------------------------------- absences


def parse_absences(sheet: Sheet, worker_ids: Set[str] | None) -> list[Absence]:
    """absences.csv rows as Absences (``from`` and ``to`` both inclusive)."""
    absences = []
    for row in sheet.rows:
        worker_id = row.reference("worker_id", worker_ids, WORKERS_FILE)
        start, end = row.date_value("from", required=True), row.date_value("to", required=True)
        if start and end and end < start:
            row.problem("to", f"{end} is before from {start}",
                        "give the last day away, on or after the first")
        if not row.failed and start and end:
            absences.append(Absence(worker_id, start, end, row.text("reason")))
    return absences


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


def _read_visit_csv(path: Path) -> Sheet:
    text, sheet = _read_text(path, required=False)
    if text is None:
        return sheet
    sheet = _parse_csv(path.name, text)
    sheet.layout = ssd_layout(sheet.header)
    _check_header(sheet, sheet.layout.columns if sheet.layout else VISIT_COLUMNS)
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
    day, clock = row.date_value("date", required=True), _clock(row, "time")
    worker_id = row.reference("worker_id", known.worker_ids, WORKERS_FILE)
    refs = _case_refs(row, known)
    location = row.choice("location", Location, Location.HOME)
    announced = row.boolean("announced", True)
    outcome = row.choice("outcome", Outcome, Outcome.COMPLETED)
    checks = _checks(row)
    at = _london(row, "time", day, clock) if day and clock else None
    per_child = _per_child(row, refs, outcome) if outcome else {}
    if day:
        _check_after_birth(row, "date", day, refs, known)
    if row.failed or at is None or location is None or announced is None:
        return []
    return [RecordedVisit(visit_id, ref, at, worker_id, location, announced, child_outcome,
                          child_checks | checks if child_outcome is Outcome.COMPLETED
                          else frozenset())
            for ref, (child_outcome, child_checks) in per_child.items()]


def _case_refs(row: Row, known: Known) -> tuple[str, ...]:
    refs = tuple(dict.fromkeys(row.items("case_refs")))  # de-duplicated, order kept
    if not refs:
        row.required("case_refs")
    for ref in refs:
        if known.case_refs is not None and ref not in known.case_refs:
            row.problem("case_refs", f"case ref {ref!r} is not in {CHILDREN_FILE}",
                        _closest_reference(ref, known.case_refs, CHILDREN_FILE))
    return refs


def _checks(row: Row) -> frozenset[str]:
    checks = set()
    for item in row.items("checks"):
        if _CHECK.fullmatch(item.lower()):
            checks.add(item.lower())
        else:
            row.problem("checks", f"{item!r} is not a check name",
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
                                f"{child.birth_date}",
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
    at = _london(row, layout.date, day, clock) if day and clock else None
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

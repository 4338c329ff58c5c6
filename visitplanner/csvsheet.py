"""Reading CSV files as a spreadsheet user sees them: sheets, rows, typed cells, located problems.

Rows are numbered as in a spreadsheet (the header is row 1, the first data row
is row 2).  Every cell reader records a :class:`~visitplanner.errors.Problem`
(file, row, column, bad value, fix) instead of raising, so that a file's
problems are all reported at once.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from calendar import monthrange
from collections.abc import Iterable, Set
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # the SSD layout is the visits module's; only a type here
    from visitplanner.visit_rows import SsdLayout

from visitplanner.errors import Problem
from visitplanner.model import (
    LONDON,
)

#: The workspace's CSV files (docs/workspace.md).
CHILDREN_FILE = "children.csv"
WORKERS_FILE = "workers.csv"
ABSENCES_FILE = "absences.csv"
VISITS_FILE = "visits.csv"
#: Optional extra visit files, for an authority exporting both SSD tables.
DEFAULT_VISIT_TIME = time(12, 0)
#: Said instead of a personal cell's value: messages and logs never quote one.
NOT_SHOWN = "(value not shown: personal data)"

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class Columns:
    """The columns a CSV file may have: all ``required`` ones must be present.

    ``personal`` columns hold a person's details (name, address, date of birth...):
    a problem with one of their cells never quotes the value.
    """

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    personal: tuple[str, ...] = ()

    @property
    def known(self) -> tuple[str, ...]:
        return self.required + self.optional



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
        self.personal: frozenset[str] = frozenset()
        self.rows = [Row(self, number, cells) for number, cells in rows]
        # Rows with more or fewer cells than headings: reported once, not parsed (their
        # cells are shifted, so every further message would be noise and could quote a
        # personal cell under another column's name), but their ids still count.
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
    text, sheet = read_text(path, required)
    if text is None:
        return sheet
    sheet = parse_csv(path.name, text)
    check_header(sheet, columns)
    return sheet


def read_text(path: Path, required: bool) -> tuple[str | None, Sheet]:
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


def parse_csv(name: str, text: str) -> Sheet:
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
    if _misaligned(sheet.header, record):
        sheet.add(f"{sheet.name}, row {number}",
                  f"has {len(record)} cells, the header has {len(sheet.header)}",
                  "check for a missing or extra comma or an unquoted comma in a cell")
        target = sheet.misaligned
    else:
        target = sheet.rows
    cells = {col: cell.strip() for col, cell in zip(sheet.header, record, strict=False) if col}
    target.append(Row(sheet, number, cells))


def _misaligned(header: tuple[str, ...], record: list[str]) -> bool:
    """True when ``record``'s cells cannot be matched to the headings one to one.

    Empty cells beyond the last heading (trailing commas) and missing cells under
    trailing blank headings are harmless: spreadsheets write both.
    """
    if len(record) > len(header):
        return any(cell.strip() for cell in record[len(header):])
    named = len(header)
    while named and not header[named - 1]:
        named -= 1
    return len(record) < named


def check_header(sheet: Sheet, columns: Columns) -> None:
    sheet.personal = frozenset(columns.personal)
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
                      closest(column, columns.known, "rename it to"))


def closest(raw: str, choices: Iterable[str], verb: str = "did you mean") -> str:
    """A fix naming the closest of ``choices`` (difflib), or listing them all."""
    choices = sorted(choices)
    close = difflib.get_close_matches(raw, choices, n=1, cutoff=0.6)
    if close:
        return f"{verb} {close[0]}?" if verb == "did you mean" else f"{verb} {close[0]}"
    return f"use one of: {', '.join(choices)}"


def closest_reference(raw: str, known: Iterable[str], file: str) -> str:
    """Like :func:`closest`, but never lists every id (there may be hundreds)."""
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

    def about(self, column: str, raw: str, what: str) -> str:
        """``'raw' what``, or for a personal column ``what`` with the value withheld."""
        if column in self.sheet.personal:
            return f"{what} {NOT_SHOWN}"
        return f"{raw!r} {what}"

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
        # The example is derived from the value, so a personal cell gets a neutral one.
        example = "2026-01-31" if column in self.sheet.personal else _date_example(raw)
        self.problem(column, self.about(column, raw, "is not a date"),
                     f"write the date as YYYY-MM-DD, e.g. {example}")
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
        self.problem(column, self.about(column, raw, f"is not a {column.replace('_', ' ')}"),
                     closest(raw, [m.value for m in enum]))
        return None

    def word(self, column: str, choices: tuple[str, ...], default: str) -> str:
        raw = self.text(column).lower()
        if not raw or raw in choices:
            return raw or default
        self.problem(column, self.about(column, raw, f"is not one of {', '.join(choices)}"),
                     closest(raw, choices))
        return default

    def boolean(self, column: str, default: bool | None) -> bool | None:
        raw = self.text(column).lower()
        if not raw:
            return default
        if raw in _TRUE or raw in _FALSE:
            return raw in _TRUE
        self.problem(column, self.about(column, raw, "is not yes or no"), "write yes or no")
        return default

    def integer(self, column: str, default: int | None, minimum: int = 1) -> int | None:
        raw = self.text(column)
        if not raw:
            return default
        if re.fullmatch(r"\d+", raw) and int(raw) >= minimum:
            return int(raw)
        what = f"is not a whole number of at least {minimum}"
        self.problem(column, self.about(column, raw, what),
                     f"write a whole number such as {max(minimum, 3)}")
        return None

    def reference(self, column: str, known: Set[str] | None, file: str,
                  required: bool = True) -> str:
        """A worker id or case ref that must appear in ``file``."""
        value = self.required(column) if required else self.text(column)
        if value and known is not None and value not in known:
            self.problem(column, self.about(column, value, f"is not in {file}"),
                         closest_reference(value, known, file))
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


def clock_cell(row: Row, column: str) -> time | None:
    raw = row.text(column)
    if not raw:
        return DEFAULT_VISIT_TIME
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", raw)
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    row.problem(column, row.about(column, raw, "is not a time of day"),
                "write it as HH:MM (24 hour), e.g. 14:30")
    return None


def london_cell(row: Row, column: str, day: date, clock: time) -> datetime | None:
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



"""Reading CSV files as a spreadsheet user sees them: sheets, rows, typed cells, located problems.

Rows are numbered as in a spreadsheet (the header is row 1, the first data row
is row 2).  Every cell reader records a :class:`~visitplanner.errors.Problem`
(file, row, column, bad value, fix) instead of raising, so that a file's
problems are all reported at once.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import re
from calendar import monthrange
from collections import Counter
from collections.abc import Iterable, Set
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # the SSD layout is the visits module's; only a type here
    from visitplanner.inputs.visit_rows import SsdLayout

from visitplanner.core.model import (
    LONDON,
)
from visitplanner.errors import Problem

#: The workspace's CSV files (docs/workspace.md).
CHILDREN_FILE = "children.csv"
WORKERS_FILE = "workers.csv"
ABSENCES_FILE = "absences.csv"
VISITS_FILE = "visits.csv"
DUTY_FILE = "duty.csv"
TERMS_FILE = "terms.csv"
EVENTS_FILE = "events.csv"
TASKS_FILE = "tasks.csv"
#: Also named by :mod:`visitplanner.core.policy`'s messages (the core does not import this module).
PLAN_VALUES_FILE = "plan_values.csv"
#: Optional extra visit files, for an authority exporting both SSD tables.
DEFAULT_VISIT_TIME = time(12, 0)
#: Said instead of a personal cell's value: messages and logs never quote one.
NOT_SHOWN = "(value not shown: personal data)"
#: Problems of one kind (one column, or one kind of row) listed per file; the rest are counted.
PROBLEMS_LISTED = 20
#: What an identifier (case_ref, household, worker_id, team) may be: it names calendars,
#: files and URLs and goes into calendar entries, so no space, line break, control
#: character or iCalendar delimiter (``; , : \``) can get in (docs/workspace.md).
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
IDENTIFIER_RULE = ("1 to 64 letters, digits, '.', '_' and '-', starting with a letter or digit")
#: Characters no cell may hold (tab is allowed; line breaks only where Columns.multiline says).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\r\n]")
_UNUSUAL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # either of the above
#: A date cell as it must be written (fromisoformat alone would also take 20190228).
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_QUOTE_FIX = ('quote the whole cell and double each " inside it ("like ""this"""), '
              'or remove the stray "')
_LINE_BREAK_FIX = "remove the line break, or close the double quote left open before it"

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class Columns:
    """The columns a CSV file may have: all ``required`` ones must be present.

    ``personal`` columns hold a person's details (name, address, date of birth...):
    a problem with one of their cells never quotes the value.  Only ``multiline``
    columns (free text such as an address) may hold a line break (in a quoted cell);
    anywhere else one means a double quote was left open.
    """

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    personal: tuple[str, ...] = ()
    multiline: tuple[str, ...] = ()

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
        self.personal: frozenset[str] = frozenset()
        self.rows = [Row(self, number, cells) for number, cells in rows]
        # Rows with more or fewer cells than headings, or with a broken quote: reported
        # once, not parsed (their cells are shifted, so every further message would be
        # noise and could quote a personal cell under another column's name), but their
        # ids still count.
        self.misaligned: list[Row] = []
        # Rows whose quoted cells run over several lines: row number -> (first, last line).
        self.spans: dict[int, tuple[int, int]] = {}
        self._listed: list[tuple[int, Problem]] = []
        self._counts: Counter[str] = Counter()

    def values(self, column: str) -> frozenset[str]:
        """Every non-empty value of ``column``, including rows that have problems."""
        return frozenset(row.text(column) for row in self.rows + self.misaligned) - {""}

    def ids(self, column: str) -> frozenset[str] | None:
        """The ids other files may refer to; None when the file or column is unusable
        (already reported), so that references to it are not checked."""
        return self.values(column) if column in self.header else None

    def add(self, where: str, what: str, fix: str = "", kind: str = "", row: int = 0) -> None:
        """Record a problem of spreadsheet ``row`` (0: of the whole file).  Of each ``kind``
        (e.g. ``"column date_of_birth"``) only the first :data:`PROBLEMS_LISTED` are
        listed; the rest are counted in :attr:`problems`."""
        if kind:
            self._counts[kind] += 1
            if self._counts[kind] > PROBLEMS_LISTED:
                return
        self._listed.append((row, Problem(where, what, fix)))

    @property
    def problems(self) -> list[Problem]:
        """The problems listed, in row order, then one per kind counting those left out."""
        listed = [problem for _, problem in sorted(self._listed, key=lambda item: item[0])]
        more = [Problem(f"{self.name}, {kind}", f"and {count - PROBLEMS_LISTED:,} more "
                        "problems like those above, not listed",
                        "correct those listed, then run again to see the rest")
                for kind, count in self._counts.items() if count > PROBLEMS_LISTED]
        return listed + more


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
    """``text`` as a sheet: the first row is the header, every other non-blank row a row.

    A row with a broken double quote is reported where it is and read no further; the
    rows after it are read as rows (a quote left open never swallows them).
    """
    records = _records(text)
    if not any(record.filled for record in records):
        sheet = Sheet(name)
        sheet.add(name, "is empty" if not text.strip() else "holds only blank cells",
                  "add the header row (see docs/workspace.md)")
        return sheet
    if not records[0].filled:
        sheet = Sheet(name)
        sheet.add(f"{name}, row 1", "is blank", "put the header row first, on row 1")
        return sheet
    sheet = Sheet(name, tuple(cell.strip() for cell in records[0].cells))
    if records[0].broken:
        sheet.add(f"{name}, row 1", "has an unbalanced double quote", _QUOTE_FIX)
    for record in records[1:]:
        if record.filled:
            _add_row(sheet, record)
    _check_unheaded_cells(sheet, records[1:])
    return sheet


@dataclass(frozen=True, slots=True)
class _Record:
    """One CSV record: spreadsheet row ``number``, its ``first`` and ``last`` lines, its
    cells; ``broken`` says why the quoting is wrong (the cells are then its first line's)."""

    number: int
    first: int
    last: int
    cells: list[str]
    broken: str = ""

    @property
    def filled(self) -> bool:
        return any(cell.strip() for cell in self.cells)


class _Lines:
    """The lines of a text, as csv.reader reads them, with a position that can go back."""

    def __init__(self, text: str) -> None:
        self.lines = list(io.StringIO(text, newline=""))
        self.position = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.position >= len(self.lines):
            raise StopIteration
        self.position += 1
        return self.lines[self.position - 1]


def _records(text: str) -> list[_Record]:
    """Every record of ``text``, read strictly: a record whose quoting is broken keeps
    only its first line (read leniently, for its ids), and reading goes on at the next line."""
    lines = _Lines(text)
    reader = csv.reader(lines, strict=True)
    records: list[_Record] = []
    while True:
        first = lines.position + 1
        try:
            cells = next(reader)
        except StopIteration:
            return records
        except csv.Error as exc:
            lines.position = first  # back to the line after the broken record's first
            cells = next(csv.reader([lines.lines[first - 1]]), [])
            records.append(_Record(len(records) + 1, first, first, cells, str(exc)))
            continue
        records.append(_Record(len(records) + 1, first, lines.position, cells))


def _add_row(sheet: Sheet, record: _Record) -> None:
    where = f"{sheet.name}, row {record.number}"
    if record.last > record.first:
        sheet.spans[record.number] = (record.first, record.last)
    if record.broken:
        line = f" (line {record.first})" if record.first != record.number else ""
        sheet.add(where, f"has an unbalanced double quote{line}", _QUOTE_FIX, kind="quotes",
                  row=record.number)
        target = sheet.misaligned
    elif _misaligned(sheet.header, record.cells):
        sheet.add(where, f"has {len(record.cells)} cells, the header has {len(sheet.header)}"
                  + _span_note(sheet, record.number),
                  "check for a missing or extra comma or an unquoted comma in a cell",
                  kind="rows with the wrong number of cells", row=record.number)
        target = sheet.misaligned
    else:
        target = sheet.rows
    cells = {col: cell.strip() for col, cell in zip(sheet.header, record.cells, strict=False)
             if col}
    target.append(Row(sheet, record.number, cells))


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


def _span_note(sheet: Sheet, number: int) -> str:
    if number not in sheet.spans:
        return ""
    first, last = sheet.spans[number]
    return f" (its quoted cells run from line {first} to line {last}: is a double quote open?)"


def _check_unheaded_cells(sheet: Sheet, records: list[_Record]) -> None:
    """A value under a blank heading would be dropped unseen: report each such column."""
    blank = [i for i, heading in enumerate(sheet.header) if not heading]
    for index in blank:
        row = next((r.number for r in records if not r.broken and index < len(r.cells)
                    and r.cells[index].strip()), None)
        if row is not None:
            sheet.add(f"{sheet.name}, row 1, column {index + 1}",
                      f"has no heading, but row {row} has a value in this column",
                      "give the column its heading, or delete the column")


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
    for column in filter(None, sheet.header):  # blank headings: _check_unheaded_cells
        if column in seen:
            sheet.add(where, f"column {column} appears twice", "remove or rename one of them")
        seen.add(column)
        if column not in columns.known:
            sheet.add(f"{where}, column {column}", "unknown column",
                      closest(column, columns.known, "rename it to"))
    _check_characters(sheet, columns)


def _check_characters(sheet: Sheet, columns: Columns) -> None:
    """No cell holds a control character; only ``multiline`` columns hold a line break
    (anywhere else one is a double quote left open, and the row is read no further)."""
    kept = []
    for row in sheet.rows:
        if _UNUSUAL.search("".join(row.cells.values())) and _broken_line(row, columns):
            sheet.misaligned.append(row)
        else:
            kept.append(row)
    sheet.rows[:] = kept


def _broken_line(row: Row, columns: Columns) -> bool:
    """Report the row's control characters; True when a line break shows a quote left open."""
    for column, cell in row.cells.items():
        if _LINE_BREAK.search(cell) and column not in columns.multiline:
            row.sheet.add(row.where(column),
                          "holds a line break" + _span_note(row.sheet, row.number),
                          _LINE_BREAK_FIX, kind="quotes", row=row.number)
            return True
        control = _CONTROL.search(cell)
        if control:
            row.problem(column, f"holds the control character U+{ord(control[0]):04X}",
                        "delete it (re-export the file, or retype the cell)")
    return False


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
        self.sheet.add(self.where(column), what, fix, kind=f"column {column}" if column else "rows",
                       row=self.number)

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
        if _ISO_DATE.fullmatch(raw):
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
        raw = self.cells.get(column, "")
        if not raw:  # most list cells are empty: asked of every visit row many times
            return ()
        return tuple(item.strip() for item in raw.split(";") if item.strip())

    def choice(self, column: str, enum: type[E], default: E | None = None) -> E | None:
        raw = self.required(column) if default is None else self.text(column)
        if not raw:
            return default
        found: E | None = _members_by_value(enum).get(raw.lower())
        if found is not None:
            return found
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

    def identifier(self, column: str) -> str:
        """A required id (case_ref, household, worker_id, team) matching :data:`IDENTIFIER`."""
        value = self.required(column)
        # A control character was reported already, with the cell's other characters.
        if value and not IDENTIFIER.fullmatch(value) and not _CONTROL.search(value):
            shown = repr(value if len(value) <= 40 else value[:40] + "...")
            self.problem(column, f"{shown} is not a valid {column.replace('_', ' ')}",
                         f"use {IDENTIFIER_RULE}")
        return value

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


@functools.cache
def _members_by_value(enum: type[E]) -> dict[str, E]:
    """An enumeration's members by their lower-case values, found once per enumeration."""
    return {member.value.lower(): member for member in enum}

"""A workspace folder loaded into domain values, with every problem located.

:func:`load_workspace` reads ``visitplanner.toml`` (:mod:`visitplanner.inputs.settings`), the
CSV files described in ``docs/workspace.md`` and the policy the settings name, and
returns one :class:`Workspace`.  :func:`read_tables` does the CSV part alone, without a
policy, so it can be used and tested on its own.

Problems are gathered, never raised one at a time: each is an
:class:`~visitplanner.errors.Problem` located as a spreadsheet user sees the file
(the header is row 1, the first data row is row 2), e.g.
``children.csv, row 4, column date_of_birth: '2019-02-30' is not a date``.

Messages carry case references and worker ids, never names: a cell of a personal
column (:attr:`Columns.personal`: name, address, dates of birth and due, email) is
never quoted.

Recorded visits (including the Standard Safeguarding Dataset layout) are read by
:mod:`visitplanner.inputs.visit_rows`; CSV cells by :mod:`visitplanner.inputs.csvsheet`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from visitplanner.core.collector import collector_paused
from visitplanner.core.model import (
    DEFAULT_PLAN_TYPES,
    SWITCH_OFF,
    SWITCH_ON,
    Absence,
    Child,
    ChildEvent,
    DutyShift,
    Every,
    PlanValue,
    RecordedVisit,
    Role,
    SchoolTerm,
    Worker,
)
from visitplanner.core.policy import Policy, child_problems, load_policy, plan_value_problems
from visitplanner.core.policy.model import Interval, RuleKind, Unit
from visitplanner.core.policy.spec import SpecError, to_length
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.errors import InputError, PolicyError, Problem
from visitplanner.inputs.csvsheet import (
    ABSENCES_FILE,
    CHILDREN_FILE,
    DUTY_FILE,
    EVENTS_FILE,
    NOT_SHOWN,
    PLAN_VALUES_FILE,
    TASKS_FILE,
    TERMS_FILE,
    VISITS_FILE,
    WORKERS_FILE,
    Columns,
    Row,
    Sheet,
    closest,
    read_csv,
)
from visitplanner.inputs.settings import SETTINGS_FILE, Settings, load_settings
from visitplanner.inputs.visit_rows import (
    SSD_VISIT_FILES,
    Known,
    parse_visits,
    read_visit_csv,
)

CHILD_COLUMNS = Columns(
    ("case_ref", "household", "name", "plan_type", "plan_start"),
    ("date_of_birth", "expected_due_date", "referral_date", "conference_dates", "categories",
     "education", "allocated_worker", "visit_frequency_days", "address", "away_visits_every",
     "service"),
    personal=("name", "address", "date_of_birth", "expected_due_date"),
    multiline=("address",),
)
WORKER_COLUMNS = Columns(("worker_id", "name", "email", "team", "role"),
                         ("working_days", "visits_per_day"), personal=("name", "email"))
ABSENCE_COLUMNS = Columns(("worker_id", "from", "to"), ("reason",), multiline=("reason",))
DUTY_COLUMNS = Columns(("worker_id", "date"), ("visits", "note"))
TERM_COLUMNS = Columns(("from", "to"), ("name",))
EVENT_COLUMNS = Columns(("case_ref", "event", "date"), ("note",), multiline=("note",))
TASK_COLUMNS = Columns(("case_ref", "rule_id", "done"), ("note",), multiline=("note",))
PLAN_VALUE_COLUMNS = Columns(("case_ref", "rule_id", "value", "from"), ("set_by", "approved_by"))
CATEGORIES = ("neglect", "physical", "emotional", "sexual")
EDUCATION = ("school", "early_years", "none", "home", "alternative")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


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
    duty: tuple[DutyShift, ...] = ()
    terms: tuple[SchoolTerm, ...] = ()
    #: Each plan value's row in plan_values.csv, by (case_ref, rule_id, from).
    plan_value_rows: Mapping[tuple[str, str, date], int] = field(default_factory=dict)
    #: Where each visit type given in a visits file is first given ("visits.csv, row 5, ...").
    visit_type_cells: Mapping[str, str] = field(default_factory=dict)
    #: Where each event name of events.csv is first given.
    event_cells: Mapping[str, str] = field(default_factory=dict)
    #: Where each rule id of tasks.csv is first given.
    task_cells: Mapping[str, str] = field(default_factory=dict)


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
    #: The duty rota (duty.csv): who visits on days the office is shut.
    duty: tuple[DutyShift, ...] = ()
    #: School terms (terms.csv); none given: every working day is a school day.
    terms: tuple[SchoolTerm, ...] = ()

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
    # Tens of thousands of rows make hundreds of thousands of small values and no cycles:
    # the collector's passes over them cost a third of the reading (5,000 children).
    with collector_paused():
        return _load_workspace(root)


def _load_workspace(root: Path) -> Workspace:
    problems: list[Problem] = []
    settings = _settings_or_problems(root, problems)
    policy, broken = _policy_or_error(root, settings)
    # children.csv's plan types are the policy's (CIN, S47 and CP when it cannot be read).
    tables, table_problems = read_tables(root, policy.plan_types if policy else
                                         DEFAULT_PLAN_TYPES)
    problems += table_problems
    if settings is None:
        raise InputError(f"workspace {root} has problems", problems)
    if broken is not None:
        if not problems:
            raise broken
        raise InputError(f"workspace {root} has problems", [*problems, *broken.problems])
    assert policy is not None
    problems += policy_problems(policy, tables) + visit_type_problems(policy, tables) + \
        event_problems(policy, tables) + task_problems(policy, tables)
    if problems:
        raise InputError(f"workspace {root} has problems", problems)
    # The workspace may override the bank-holiday calendar the policy names.
    region = settings.workspace.holiday_region or policy.holiday_region or "ENG"
    calendar = WorkingCalendar(region=region, closures=settings.workspace.closures)
    return Workspace(root, settings, policy, calendar, tables.children, tables.workers,
                     tables.absences, tables.visits, tables.duty, tables.terms)


def _policy_or_error(root: Path, settings: Settings | None
                     ) -> tuple[Policy | None, PolicyError | None]:
    """The workspace's policy, or why it cannot be read (neither without settings)."""
    if settings is None:
        return None, None
    try:
        return load_policy(settings.workspace.policy, base=root), None
    except PolicyError as exc:
        return None, exc


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
        for value in child.plan_values:
            number = tables.plan_value_rows.get((child.case_ref, value.rule_id, value.start))
            for column, what, fix in plan_value_problems(policy, child, value):
                problems.append(Problem(f"{PLAN_VALUES_FILE}, row {number}, column {column}",
                                        what, fix))
    return problems


def visit_type_problems(policy: Policy, tables: Tables) -> list[Problem]:
    """A visit type the policy does not declare, located where it is first given."""
    return [Problem(where, f"visit type {given!r} is not one of the policy's visit_types "
                    f"({', '.join(policy.visit_types)})",
                    fix=f"{closest(given, policy.visit_types)} (or add it to visit_types in "
                    "the policy's [policy] table)")
            for given, where in sorted(tables.visit_type_cells.items())
            if given not in policy.visit_types]


def event_problems(policy: Policy, tables: Tables) -> list[Problem]:
    """An events.csv event the policy does not declare, located where it is first given."""
    return [Problem(where, f"event {given!r} is not one of the policy's events "
                    f"({', '.join(policy.events) or 'none'})",
                    fix=f"{closest(given, policy.events)} (or add it to events in the "
                    "policy's [policy] table)" if policy.events else
                    "add it to events in the policy's [policy] table, or remove the row")
            for given, where in sorted(tables.event_cells.items())
            if given not in policy.events]


def task_problems(policy: Policy, tables: Tables) -> list[Problem]:
    """A tasks.csv rule id that is no task rule of the policy, where first given."""
    ids = [r.id for r in policy.rules_of(RuleKind.TASK)]
    return [Problem(where, f"{given!r} is not a task rule of policy {policy.id}",
                    closest(given, ids) if ids else "the policy has no task rules: remove the row")
            for given, where in sorted(tables.task_cells.items()) if given not in ids]


def first_cells(sheets: Sequence[Sheet], column: str) -> dict[str, str]:
    """Each non-blank value of ``column`` in ``sheets``, with where it is first given."""
    found: dict[str, str] = {}
    for sheet in sheets:
        for row in sheet.rows:
            value = row.text(column)
            if value:
                found.setdefault(value, row.where(column))
    return found


def load_tables(root: Path) -> Tables:
    """The CSV files of ``root`` as values; raises InputError listing every problem."""
    tables, problems = read_tables(root)
    if problems:
        raise InputError(f"workspace {root} has problems", problems)
    return tables


def read_tables(root: Path, plan_types: Sequence[str] = DEFAULT_PLAN_TYPES
                ) -> tuple[Tables, list[Problem]]:
    """Read every CSV file of ``root``: the values that parsed, and every problem.

    Problems come in file order (children, workers, absences, visits), and within a
    file in row order.  A row with a problem is left out of the values; references
    to it (its case_ref or worker_id) still count as known, so one bad row does not
    cause a cascade of "unknown case ref" problems elsewhere.
    """
    child_sheet = read_csv(root / CHILDREN_FILE, CHILD_COLUMNS, required=True)
    worker_sheet = read_csv(root / WORKERS_FILE, WORKER_COLUMNS, required=True)
    absence_sheet = read_csv(root / ABSENCES_FILE, ABSENCE_COLUMNS)
    duty_sheet = read_csv(root / DUTY_FILE, DUTY_COLUMNS)
    term_sheet = read_csv(root / TERMS_FILE, TERM_COLUMNS)
    plan_sheet = read_csv(root / PLAN_VALUES_FILE, PLAN_VALUE_COLUMNS)
    event_sheet = read_csv(root / EVENTS_FILE, EVENT_COLUMNS)
    task_sheet = read_csv(root / TASKS_FILE, TASK_COLUMNS)
    visit_sheets = [read_visit_csv(root / name) for name in (VISITS_FILE, *SSD_VISIT_FILES)]
    worker_ids = worker_sheet.ids("worker_id")
    workers = parse_workers(worker_sheet)
    children, child_rows = parse_children(child_sheet, worker_ids, plan_types)
    absences = parse_absences(absence_sheet, worker_ids)
    duty = parse_duty(duty_sheet, worker_ids, {w.id: w.visits_per_day for w in workers})
    terms = parse_terms(term_sheet)
    plan_values, plan_rows = parse_plan_values(plan_sheet, child_sheet.ids("case_ref"))
    children = with_events(with_plan_values(children, plan_values),
                           parse_events(event_sheet, child_sheet.ids("case_ref")),
                           parse_tasks_done(task_sheet, child_sheet.ids("case_ref")))
    known = Known(worker_ids, child_sheet.ids("case_ref"), {c.case_ref: c for c in children})
    visits = parse_visits(visit_sheets, known)
    sheets = [child_sheet, worker_sheet, absence_sheet, duty_sheet, term_sheet, plan_sheet,
              event_sheet, task_sheet, *visit_sheets]
    problems = [problem for sheet in sheets for problem in sheet.problems]
    tables = Tables(tuple(children), tuple(workers), tuple(absences), tuple(visits), child_rows,
                    tuple(duty), tuple(terms), plan_rows, first_cells(visit_sheets, "visit_type"),
                    first_cells([event_sheet], "event"), first_cells([task_sheet], "rule_id"))
    return tables, problems


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
    worker_id = row.identifier("worker_id")
    name, team = row.required("name"), row.identifier("team")
    email = row.required("email")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        row.problem("email", row.about("email", email, "is not an email address"),
                    "write it as name@example.org")
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


def parse_children(sheet: Sheet, worker_ids: Set[str] | None,
                   plan_types: Sequence[str] = DEFAULT_PLAN_TYPES
                   ) -> tuple[list[Child], dict[str, int]]:
    """children.csv rows as Children (``plan_type`` one of ``plan_types``, any case), and
    each case ref's row number."""
    children = []
    rows: dict[str, int] = {}
    for row in sheet.rows:
        child = _child(row, worker_ids, plan_types)
        case_ref = row.text("case_ref")
        if case_ref and case_ref in rows:
            row.problem("case_ref", f"case ref {case_ref!r} is also on row {rows[case_ref]}",
                        "give each child one row and its own case reference")
        rows.setdefault(case_ref, row.number)
        if child is not None and not row.failed:
            children.append(child)
    return children, rows


def _plan_type(row: Row, plan_types: Sequence[str]) -> str | None:
    """The row's plan type as the policy spells it (matched in any case)."""
    raw = row.required("plan_type")
    if not raw:
        return None
    by_key = {p.lower(): p for p in plan_types}
    if raw.lower() in by_key:
        return by_key[raw.lower()]
    row.problem("plan_type", row.about("plan_type", raw, "is not a plan type"),
                closest(raw, plan_types))
    return None


def _child(row: Row, worker_ids: Set[str] | None, plan_types: Sequence[str]) -> Child | None:
    case_ref, household = row.identifier("case_ref"), row.identifier("household")
    name = row.required("name")
    plan_type = _plan_type(row, plan_types)
    plan_start = row.date_value("plan_start", required=True)
    birth, due = _birth_and_due(row)
    allocated = row.reference("allocated_worker", worker_ids, WORKERS_FILE, required=False)
    frequency = row.integer("visit_frequency_days", default=None, minimum=1)
    away = _away_visits_every(row)
    referral, conferences = row.date_value("referral_date"), row.date_list("conference_dates")
    categories, education = _categories(row), row.word("education", EDUCATION, "school")
    if plan_start and birth and plan_start < birth and due is None:
        row.problem("plan_start", f"plan_start {plan_start} is before date_of_birth "
                    f"{NOT_SHOWN}",
                    "check both dates; for a plan made before birth also give expected_due_date")
    if row.failed or plan_type is None or plan_start is None:
        return None
    return Child(case_ref, household, name, birth, plan_type, plan_start,
                 allocated_worker=allocated or None, due_date=due, referral_date=referral,
                 conference_dates=conferences, categories=categories, education=education,
                 visit_frequency_days=frequency, address=row.text("address"),
                 away_visits_every=away, service=row.text("service"))


def _away_visits_every(row: Row) -> Every | None:
    """The plan's cadence of visits away from the family home (blank: none)."""
    raw = row.text("away_visits_every")
    if not raw:
        return None
    try:
        interval = to_length(raw)
    except SpecError as error:
        row.problem("away_visits_every", str(error),
                    error.fix or 'write how often, e.g. "1 month" or "4 weeks", or leave it blank')
        return None
    return Every(interval.count, interval.unit.value)


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
                        closest(item.lower(), CATEGORIES))
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




# --------------------------------------------------------------------------- duty rota


def parse_duty(sheet: Sheet, worker_ids: Set[str] | None,
               per_day: Mapping[str, int]) -> list[DutyShift]:
    """duty.csv rows as DutyShifts: a worker on duty on one date, with up to ``visits``
    visits (default: the worker's ``visits_per_day``).  A worker appears once per date."""
    shifts = []
    first_row: dict[tuple[str, date], int] = {}
    for row in sheet.rows:
        worker_id = row.reference("worker_id", worker_ids, WORKERS_FILE)
        day = row.date_value("date", required=True)
        visits = row.integer("visits", default=per_day.get(worker_id, 1), minimum=1)
        if day is not None and worker_id:
            key = (worker_id, day)
            if key in first_row:
                row.problem("date", f"{worker_id} is already on duty on {day} (row "
                            f"{first_row[key]})", "give each worker one row per duty day")
            first_row.setdefault(key, row.number)
        if not row.failed and day is not None and visits is not None:
            shifts.append(DutyShift(worker_id, day, visits))
    return shifts


# --------------------------------------------------------------------------- events


def parse_events(sheet: Sheet, case_refs: Set[str] | None) -> dict[str, list[ChildEvent]]:
    """events.csv rows as each child's events (in date order); whether the policy knows an
    event's name is checked against the policy later (:func:`event_problems`)."""
    found: dict[str, list[ChildEvent]] = {}
    for row in sheet.rows:
        case_ref = row.reference("case_ref", case_refs, CHILDREN_FILE)
        name = row.required("event").lower()
        day = row.date_value("date", required=True)
        if name and not EVENT_NAME.fullmatch(name):
            row.problem("event", f"{name!r} is not an event name",
                        "use a lower-case word joined by _, e.g. strategy_discussion")
        if not row.failed and day is not None:
            found.setdefault(case_ref, []).append(ChildEvent(name, day))
    for events in found.values():
        events.sort(key=lambda e: (e.day, e.name))
    return found


#: What an events.csv event name looks like (as the policy's ``events`` spells them).
EVENT_NAME = re.compile(r"[a-z][a-z0-9_]*")


def with_events(children: list[Child], events: Mapping[str, list[ChildEvent]],
                done: Mapping[str, list[ChildEvent]]) -> list[Child]:
    """The children with their events.csv events and tasks.csv tasks done."""
    return [replace(c, events=tuple(events.get(c.case_ref, ())),
                    tasks_done=tuple(done.get(c.case_ref, ())))
            if c.case_ref in events or c.case_ref in done else c for c in children]


def parse_tasks_done(sheet: Sheet, case_refs: Set[str] | None) -> dict[str, list[ChildEvent]]:
    """tasks.csv rows (a task rule done for a child on a day) as each child's tasks done,
    named by the rule id; whether the policy has that task rule is checked later."""
    found: dict[str, list[ChildEvent]] = {}
    for row in sheet.rows:
        case_ref = row.reference("case_ref", case_refs, CHILDREN_FILE)
        rule_id, day = row.required("rule_id"), row.date_value("done", required=True)
        if not row.failed and day is not None:
            found.setdefault(case_ref, []).append(ChildEvent(rule_id, day))
    return found


# --------------------------------------------------------------------------- school terms


def parse_terms(sheet: Sheet) -> list[SchoolTerm]:
    """terms.csv rows as SchoolTerms (``from`` and ``to`` both inclusive), which must not
    overlap."""
    terms: list[SchoolTerm] = []
    for row in sheet.rows:
        first, last = row.date_value("from", required=True), row.date_value("to", required=True)
        if first and last and last < first:
            row.problem("to", f"{last} is before from {first}",
                        "give the term's last day, on or after its first")
        elif first and last:
            clash = next((t for t in terms if t.first <= last and first <= t.last), None)
            if clash is not None:
                row.problem("from", f"the term {first} to {last} overlaps the term "
                            f"{clash.first} to {clash.last}",
                            "give each term once, without overlap")
        if not row.failed and first and last:
            terms.append(SchoolTerm(first, last, row.text("name")))
    return sorted(terms, key=lambda t: t.first)


# --------------------------------------------------------------------------- plan values


def parse_plan_values(sheet: Sheet, case_refs: Set[str] | None) -> tuple[
        dict[str, list[PlanValue]], dict[tuple[str, str, date], int]]:
    """plan_values.csv rows as each child's PlanValues (oldest ``from`` first within a rule),
    and each value's row.  A child has one value per rule and ``from`` date; whether the
    rule takes it is checked against the policy later (:func:`policy_problems`)."""
    found: dict[str, list[PlanValue]] = {}
    rows: dict[tuple[str, str, date], int] = {}
    for row in sheet.rows:
        case_ref = row.reference("case_ref", case_refs, CHILDREN_FILE)
        rule_id, start = row.required("rule_id"), row.date_value("from", required=True)
        switch = row.text("value").lower() if row.text("value").lower() in SWITCHES else ""
        interval = Interval(0, Unit.DAYS) if switch else _plan_interval(row)
        if case_ref and rule_id and start is not None:
            key = (case_ref, rule_id, start)
            if key in rows:
                row.problem("from", f"case {case_ref} already has a value for rule {rule_id} "
                            f"from {start} (row {rows[key]})",
                            "give one value per rule and date; a later value starts a new row")
            rows.setdefault(key, row.number)
        if row.failed or interval is None or start is None:
            continue
        found.setdefault(case_ref, []).append(PlanValue(
            rule_id, interval.count, interval.unit.value, start, row.text("set_by"),
            frozenset(row.items("approved_by")), switch))
    for values in found.values():
        values.sort(key=lambda v: (v.rule_id, v.start))
    return found, rows


#: plan_values.csv values that switch a rule off or on instead of giving an interval.
SWITCHES = (SWITCH_OFF, SWITCH_ON)


def _plan_interval(row: Row) -> Interval | None:
    raw = row.required("value")
    if not raw:
        return None
    try:
        return to_length(raw)
    except SpecError as error:
        row.problem("value", str(error), error.fix or 'write e.g. "2 weeks" or "10 working_days", '
                    'or off / on to switch the rule off or on for the child')
        return None


def with_plan_values(children: list[Child],
                     values: Mapping[str, list[PlanValue]]) -> list[Child]:
    """The children, each carrying its plan values (a child with none is unchanged)."""
    return [replace(c, plan_values=tuple(values[c.case_ref])) if c.case_ref in values else c
            for c in children]

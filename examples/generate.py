"""Generate the synthetic example workspaces ``examples/camden`` and ``examples/walsall``.

Every person here is invented: names are drawn from fixed lists of given names and
family names, addresses from invented street names, and e-mail addresses use the
reserved ``example.org`` domain.  The data is deterministic (``random.Random(seed)``,
stdlib only), so running this twice writes byte-identical files::

    python examples/generate.py            # rewrites examples/camden and examples/walsall
    python examples/generate.py /tmp/out   # writes /tmp/out/camden and /tmp/out/walsall

The example's "today" is Monday 2026-11-23.  Each team is described as data at the
top of this file: its workers, their absences, and its households (which children,
which plan, who holds the case, and which story the visit history tells).  The
visit history then runs back about ten weeks before today.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

TODAY = date(2026, 11, 23)
HISTORY_START = TODAY - timedelta(weeks=10)


# --------------------------------------------------------------------------- #
# Team composition, as data
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class WorkerSpec:
    id: str
    name: str
    role: str
    working_days: str = ""  # empty: Mon-Fri
    visits_per_day: int = 3


@dataclass(frozen=True)
class AbsenceSpec:
    worker_id: str
    start: date
    end: date
    reason: str


@dataclass(frozen=True)
class ChildSpec:
    """One child.  ``age`` in whole years today; None with ``due`` for an unborn child."""

    plan: str
    age: int | None
    categories: str = ""
    every: int | None = None  # visit_frequency_days
    education: str = ""  # empty: derived from age
    born: date | None = None  # fixed date of birth when a feature depends on it
    due: date | None = None


@dataclass(frozen=True)
class HouseholdSpec:
    """A household of siblings visited together.

    ``opened``: the plan (or s47 enquiry) start date, also the initial conference of
    a CP plan.  ``referred``: referral date, given for recent cases.  ``story`` picks
    the visit history: ``normal``, ``overdue`` (last completed visit long ago),
    ``failed_twice`` (two failed visits in a row, recently), ``not_seen_last`` (the
    latest visit did not see the child), ``new`` (no visit yet).
    """

    worker: str  # empty: unallocated
    opened: date
    children: tuple[ChildSpec, ...]
    referred: date | None = None
    story: str = "normal"


@dataclass(frozen=True)
class Practice:
    """How a team's recorded visits look, roughly following its policy."""

    cin_working_days: int = 15
    cp_days: int = 10
    alone_from_age: int = 3
    bedroom_cin: float = 0.6
    bedroom_cp: float = 0.5
    awake_under_3: float = 0.9
    unannounced: float = 0.2
    neglect_checks_every_visit: bool = False  # bedroom, kitchen, bathroom at every visit
    away_from_home_per_month: float = 0.3
    seen_alone: float = 0.97
    #: Checks a completed visit always records, by the strictest plan in the household: the
    #: policy asks for them at every visit and the team's records show them.
    every_visit: tuple[tuple[str, str], ...] = (
        ("CIN", "household_changes"),
        ("S47", "household_changes"),
        ("CP", "household_changes;food;injuries;network_contact"),
    )


@dataclass(frozen=True)
class TeamSpec:
    folder: str
    policy: str
    team: str
    team_name: str
    prefix: str
    town: str
    seed: int
    workers: tuple[WorkerSpec, ...]
    absences: tuple[AbsenceSpec, ...]
    households: tuple[HouseholdSpec, ...]
    practice: Practice = field(default_factory=Practice)
    duty_workers: tuple[str, ...] = ()  # who visits unallocated cases
    support_worker: str = ""  # family support worker: extra visits to some CIN families
    core_group_visitor: str = ""  # health visitor: visits to under-3s at home


def d(text: str) -> date:
    return date.fromisoformat(text)


def cin(age: int | None, **details: Any) -> ChildSpec:
    return ChildSpec("CIN", age, **details)


def s47(age: int | None, **details: Any) -> ChildSpec:
    return ChildSpec("S47", age, **details)


def cp(age: int | None, **details: Any) -> ChildSpec:
    return ChildSpec("CP", age, **details)


def hh(worker: str, opened: str, *children: ChildSpec, **details: Any) -> HouseholdSpec:
    return HouseholdSpec(worker, d(opened), tuple(children), **details)


CAMDEN = TeamSpec(
    folder="camden",
    policy="camden",
    team="camden-west",
    team_name="Camden Family Help West (synthetic example)",
    prefix="CAM",
    town="Camden",
    seed=20261123,
    workers=(
        WorkerSpec("tm.fairclough", "Helen Fairclough", "team_manager", visits_per_day=2),
        WorkerSpec("ssw.lindqvist", "Tomas Lindqvist", "senior_social_worker", visits_per_day=4),
        WorkerSpec("sw.adebayo", "Kemi Adebayo", "social_worker", visits_per_day=4),
        WorkerSpec("sw.marchetti", "Luca Marchetti", "social_worker", visits_per_day=4),
        WorkerSpec("sw.osei", "Abena Osei", "social_worker", "Mon;Tue;Wed", visits_per_day=3),
        WorkerSpec("fsw.brennan", "Ciara Brennan", "family_support_worker", visits_per_day=4),
        WorkerSpec("hv.thornbury", "Rachel Thornbury", "health_visitor", visits_per_day=4),
    ),
    absences=(
        AbsenceSpec("sw.adebayo", d("2026-12-14"), d("2027-01-01"), "leave"),
        AbsenceSpec("sw.marchetti", d("2026-12-03"), d("2026-12-03"), "training"),
        AbsenceSpec("sw.osei", d("2026-11-30"), d("2026-12-04"), "leave"),
    ),
    households=(
        # Child protection plans
        hh("ssw.lindqvist", "2026-06-16", cp(4, categories="neglect"), cp(7, categories="neglect")),
        hh("ssw.lindqvist", "2026-10-20",  # pre-birth plan; the toddler is at home all day
           cp(None, categories="physical", due=d("2026-12-18"), every=7),
           cp(2, categories="physical", education="none", every=7)),
        hh("sw.adebayo", "2026-09-01", cp(0, categories="physical", every=7)),
        hh("sw.adebayo", "2026-04-14",
           cp(9, categories="emotional"), cp(12, categories="emotional"),
           cp(15, categories="emotional")),
        hh("sw.marchetti", "2026-08-05", cp(1, categories="neglect"), cp(5, categories="neglect")),
        hh("sw.marchetti", "2026-02-10", cp(11, categories="sexual")),
        hh("sw.osei", "2026-07-07", cp(8, categories="emotional"), cp(10, categories="emotional")),
        hh("ssw.lindqvist", "2026-10-06", cp(0, categories="physical", every=7), cin(6)),
        hh("sw.adebayo", "2026-09-22", cp(14, categories="physical"), cin(16)),
        hh("sw.marchetti", "2026-10-27",
           cp(6, categories="emotional"), cp(2, categories="emotional")),
        hh("sw.osei", "2026-05-19", cp(13, categories="emotional")),
        hh("ssw.lindqvist", "2026-08-25", cp(5, categories="physical", every=7)),
        hh("sw.adebayo", "2026-07-21", cp(7, categories="physical"), cp(9, categories="physical")),
        hh("sw.marchetti", "2026-03-03", cp(16, categories="emotional")),
        # Section 47 enquiries, visit interval set by social worker and supervisor
        hh("ssw.lindqvist", "2026-11-03",
           s47(3, every=5), s47(8, every=5), referred=d("2026-11-02")),
        hh("sw.adebayo", "2026-11-10", s47(11, every=7), referred=d("2026-11-09")),
        hh("sw.marchetti", "2026-11-12", s47(0, every=5), referred=d("2026-11-12")),
        hh("ssw.lindqvist", "2026-10-29",
           s47(6, every=7), s47(9, every=7), s47(13, every=7), referred=d("2026-10-28")),
        hh("sw.osei", "2026-11-17", s47(15, every=7), referred=d("2026-11-16")),
        # Child in need plans
        hh("sw.adebayo", "2026-05-05", cin(5), cin(8)),
        hh("sw.adebayo", "2026-07-14",  # the younger turns 3 during the plan period
           cin(2, born=d("2023-12-10"), education="early_years"), cin(6)),
        hh("sw.marchetti", "2026-04-21", cin(8, education="none")),
        hh("sw.marchetti", "2026-09-08", cin(14)),
        hh("sw.osei", "2026-06-30", cin(1), cin(4)),
        hh("sw.osei", "2026-03-24", cin(12), cin(15)),
        hh("sw.adebayo", "2026-02-17", cin(10), story="overdue"),
        hh("sw.marchetti", "2026-08-18", cin(7), cin(11), story="failed_twice"),
        hh("", "2026-10-13", cin(9), referred=d("2026-10-09")),
        hh("", "2026-11-19", cin(4), referred=d("2026-11-19"), story="new"),
        hh("sw.adebayo", "2026-01-13", cin(13)),
        hh("sw.marchetti", "2026-06-09", cin(0), cin(3)),
        hh("sw.osei", "2026-09-29", cin(6), cin(10), referred=d("2026-09-28")),
        hh("ssw.lindqvist", "2026-08-11", cin(16)),
        hh("sw.adebayo", "2026-10-19", cin(1), cin(3), cin(5), referred=d("2026-10-15")),
        hh("sw.adebayo", "2026-02-24", cin(11), cin(14)),
        hh("sw.marchetti", "2026-07-28", cin(2, education="early_years")),
        hh("sw.osei", "2026-04-07", cin(15)),
    ),
    practice=Practice(),
    duty_workers=("ssw.lindqvist", "tm.fairclough"),
    support_worker="fsw.brennan",
    core_group_visitor="hv.thornbury",
)

WALSALL = TeamSpec(
    folder="walsall",
    policy="walsall",
    team="walsall-north",
    team_name="Walsall Children's Social Care North (synthetic example)",
    prefix="WAL",
    town="Walsall",
    seed=20261124,
    workers=(
        WorkerSpec("tm.whitfield", "Diane Whitfield", "team_manager", visits_per_day=2),
        WorkerSpec("pm.rahmani", "Farida Rahmani", "practice_manager", visits_per_day=2),
        WorkerSpec("sw.kowalczyk", "Marta Kowalczyk", "social_worker", visits_per_day=4),
        WorkerSpec("sw.ellison", "Daniel Ellison", "social_worker", visits_per_day=4),
    ),
    absences=(AbsenceSpec("sw.ellison", d("2026-12-07"), d("2026-12-11"), "leave"),),
    households=(
        hh("sw.kowalczyk", "2026-06-02", cp(3, categories="neglect"), cp(6, categories="neglect")),
        hh("sw.kowalczyk", "2026-09-15", cp(9, categories="neglect")),
        hh("sw.ellison", "2026-04-21", cp(14, categories="emotional"), story="not_seen_last"),
        hh("sw.ellison", "2026-08-11", cp(0, categories="physical", every=7)),
        hh("sw.kowalczyk", "2026-10-13",
           cp(5, categories="physical"), cp(8, categories="physical"),
           cp(11, categories="physical")),
        hh("sw.ellison", "2026-03-17", cp(12, categories="sexual")),
        hh("pm.rahmani", "2026-07-28",
           cp(1, categories="emotional"), cp(4, categories="emotional")),
        hh("sw.ellison", "2026-10-27", cp(7, categories="emotional")),
        hh("sw.kowalczyk", "2026-05-12",
           cp(10, categories="emotional"), cp(13, categories="emotional")),
        hh("sw.ellison", "2026-08-25", cp(2, categories="physical")),
    ),
    practice=Practice(
        cp_days=14,
        alone_from_age=0,
        bedroom_cp=0.3,
        every_visit=(("CP", "living_arrangements"),),
        unannounced=0.25,
        neglect_checks_every_visit=True,
    ),
    duty_workers=("pm.rahmani",),
)

TEAMS = (CAMDEN, WALSALL)

GIVEN_NAMES = (
    "Aaliyah", "Amir", "Ava", "Bilal", "Callum", "Chloe", "Darius", "Demi", "Eden", "Elif",
    "Ethan", "Fatima", "Freya", "Gabriel", "Grace", "Hamza", "Harley", "Ines", "Isaac", "Jada",
    "Jayden", "Kai", "Kayla", "Leon", "Lily", "Logan", "Maya", "Mason", "Nadia", "Noah",
    "Nia", "Oscar", "Olivia", "Precious", "Reuben", "Ruby", "Sami", "Sienna", "Tariq", "Tia",
    "Tyler", "Yusuf", "Zara", "Zain", "Amara", "Brody", "Cerys", "Dylan", "Esme", "Finley",
    "Hana", "Ibrahim", "Jonah", "Keira", "Lucas", "Mia", "Nathan", "Poppy", "Rhys", "Summer",
    "Theo", "Yasmin", "Alfie", "Bella", "Connor", "Daisy", "Evie", "Harvey",
)

FAMILY_NAMES = (
    "Ashdown", "Brightwell", "Carrow", "Dunmore", "Elsworth", "Fenwick", "Garside", "Hollins",
    "Ingleby", "Jessop", "Kershaw", "Lathom", "Marchant", "Northcott", "Orrell", "Pennock",
    "Quarrie", "Redfern", "Sandell", "Thwaite", "Varley", "Wetherall", "Yardley", "Adeyemi",
    "Bakshi", "Chowdhury", "Demirel", "Fofanah", "Gashi", "Haidari", "Iqbal-Shah", "Mensah-Boateng",
    "Nowicki", "Owusu-Ansah", "Popescu", "Rahimi", "Santoro", "Tekle", "Vasquez-Hill", "Zielinski",
    "Ambrose", "Blakeley", "Corbishley", "Delacroix-Mann", "Eastwood-Pike", "Farrant",
    "Greenhalgh", "Hartigan", "Illingworth", "Kavanagh-Reid", "Lockwood", "Okafor-Lyle",
    "Nettleton", "Okoro-Hale", "Prendergast", "Rushworth", "Stanforth", "Tillotson",
)

STREETS = (
    "Larkspur Road", "Tansy Close", "Foxglove Street", "Cinder Lane", "Heron Walk",
    "Millbrook Terrace", "Orchard Rise", "Quillet Gardens", "Saltings Way", "Wrenfield Court",
)

VISIT_TIMES = (
    "09:30", "10:00", "10:30", "11:00", "11:30", "13:30", "14:00", "14:30", "15:30", "16:00",
)
UNANNOUNCED_TIMES = ("08:15", "08:40", "11:15", "12:45", "16:10", "17:20")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")

CHILD_COLUMNS = (
    "case_ref", "household", "name", "date_of_birth", "expected_due_date", "plan_type",
    "plan_start", "referral_date", "conference_dates", "categories", "education",
    "allocated_worker", "visit_frequency_days", "address",
)
WORKER_COLUMNS = ("worker_id", "name", "email", "team", "role", "working_days", "visits_per_day")
ABSENCE_COLUMNS = ("worker_id", "from", "to", "reason")
VISIT_COLUMNS = (
    "visit_id", "date", "time", "worker_id", "case_refs", "location", "announced", "outcome",
    "children_seen", "seen_alone", "seen_awake", "bedroom_seen", "checks",
)


# --------------------------------------------------------------------------- #
# Dates
# --------------------------------------------------------------------------- #


def add_working_days(day: date, count: int) -> date:
    """The date ``count`` working days (Mon-Fri) after ``day`` (``day`` itself not counted).

    No bank holiday falls in the history window (2026-09-14 to 2026-11-22), so
    weekends are the only days skipped.
    """
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def on_or_before(day: date, weekdays: frozenset[int]) -> date:
    """The latest calendar day not after ``day`` (inclusive) on one of ``weekdays``."""
    while day.weekday() not in weekdays:
        day -= timedelta(days=1)
    return day


def on_or_after(day: date, weekdays: frozenset[int]) -> date:
    """The earliest calendar day not before ``day`` (inclusive) on one of ``weekdays``."""
    while day.weekday() not in weekdays:
        day += timedelta(days=1)
    return day


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` calendar months later (clamped to the 28th)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, min(day.day, 28))


def conference_dates(initial: date) -> list[date]:
    """Initial conference, review at 3 months, then every 6 months (calendar months).

    All conferences up to today, plus the next one, which is booked.
    """
    dates = [initial]
    months = 3
    while dates[-1] <= TODAY:
        dates.append(on_or_after(add_months(initial, months), frozenset(range(5))))
        months += 6
    return dates


def birth_date(spec: ChildSpec, rng: random.Random) -> date | None:
    """A date of birth giving the child ``spec.age`` whole years today."""
    if spec.born is not None or spec.age is None:
        return spec.born
    youngest = add_months(TODAY, -12 * spec.age) - timedelta(days=1)
    return youngest - timedelta(days=rng.randint(20, 340))


# --------------------------------------------------------------------------- #
# Children, workers, absences
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Child:
    case_ref: str
    household: str
    spec: ChildSpec
    born: date | None
    row: dict[str, str]

    @property
    def age(self) -> int | None:
        return self.spec.age


@dataclass(frozen=True)
class Household:
    id: str
    spec: HouseholdSpec
    children: tuple[Child, ...]


def education(spec: ChildSpec) -> str:
    if spec.education:
        return spec.education
    if spec.age is None or spec.age <= 1:
        return "none"  # unborn, or a baby at home with a parent
    return "early_years" if spec.age <= 3 else "school"


def child_row(household: str, hspec: HouseholdSpec, spec: ChildSpec,
              case_ref: str, name: str, born: date | None, address: str) -> dict[str, str]:
    conferences = conference_dates(hspec.opened) if spec.plan == "CP" else []
    return {
        "case_ref": case_ref,
        "household": household,
        "name": name,
        "date_of_birth": born.isoformat() if born else "",
        "expected_due_date": spec.due.isoformat() if spec.due else "",
        "plan_type": spec.plan,
        "plan_start": hspec.opened.isoformat(),
        "referral_date": hspec.referred.isoformat() if hspec.referred else "",
        "conference_dates": ";".join(c.isoformat() for c in conferences),
        "categories": spec.categories,
        "education": education(spec),
        "allocated_worker": hspec.worker,
        "visit_frequency_days": str(spec.every) if spec.every else "",
        "address": address,
    }


def build_households(team: TeamSpec, rng: random.Random) -> list[Household]:
    """Every household with its children, names and case references in order."""
    given = rng.sample(GIVEN_NAMES, k=sum(len(h.children) for h in team.households))
    families = rng.sample(FAMILY_NAMES, k=len(team.households) + 10)
    spare_families = families[len(team.households):]
    households: list[Household] = []
    number = 0
    for index, hspec in enumerate(team.households, start=1):
        household_id = f"{team.prefix}-H{index:03d}"
        address = f"{rng.randint(2, 140)} {rng.choice(STREETS)}, {team.town}"
        children = []
        for spec in hspec.children:
            number += 1
            family = families[index - 1]
            if len(hspec.children) > 1 and spec is hspec.children[-1] and rng.random() < 0.25:
                family = spare_families.pop()  # a half-sibling with another family name
            name = f"Unborn {family}" if spec.age is None else f"{given[number - 1]} {family}"
            case_ref = f"{team.prefix}-{number:04d}"
            born = birth_date(spec, rng)
            row = child_row(household_id, hspec, spec, case_ref, name, born, address)
            children.append(Child(case_ref, household_id, spec, born, row))
        households.append(Household(household_id, hspec, tuple(children)))
    return households


def worker_row(team: TeamSpec, worker: WorkerSpec) -> dict[str, str]:
    email = worker.name.lower().replace(" ", ".") + f"@{team.folder}.example.org"
    return {
        "worker_id": worker.id,
        "name": worker.name,
        "email": email,
        "team": team.team,
        "role": worker.role,
        "working_days": worker.working_days,
        "visits_per_day": str(worker.visits_per_day),
    }


def absence_row(absence: AbsenceSpec) -> dict[str, str]:
    return {
        "worker_id": absence.worker_id,
        "from": absence.start.isoformat(),
        "to": absence.end.isoformat(),
        "reason": absence.reason,
    }


# --------------------------------------------------------------------------- #
# Visit history
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Visit:
    day: date
    time: str
    worker: str
    children: tuple[Child, ...]
    outcome: str = "completed"
    announced: bool = True
    location: str = "home"
    seen: tuple[Child, ...] = ()
    alone: tuple[Child, ...] = ()
    awake: tuple[Child, ...] = ()
    bedroom: tuple[Child, ...] = ()
    checks: str = ""


def working_weekdays(team: TeamSpec, worker_id: str) -> frozenset[int]:
    for worker in team.workers:
        if worker.id == worker_id and worker.working_days:
            return frozenset(WEEKDAYS.index(day) for day in worker.working_days.split(";"))
    return frozenset(range(5))


def next_due(household: Household, practice: Practice, day: date) -> date:
    """The latest date the next visit may fall on, counting from ``day`` (exclusive)."""
    dues = []
    for child in household.children:
        if child.spec.every:
            dues.append(day + timedelta(days=child.spec.every))
        elif child.spec.plan == "CP":
            dues.append(day + timedelta(days=practice.cp_days))
        else:
            dues.append(add_working_days(day, practice.cin_working_days))
    return min(dues)


def draw_outcome(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.05:
        return "no_access"
    if roll < 0.09:
        return "cancelled"
    if roll < 0.13:
        return "not_seen"
    return "completed"


def attempt_days(household: Household, team: TeamSpec, start: date,
                 last: date, rng: random.Random) -> list[tuple[date, str]]:
    """Visit days and outcomes from ``start`` up to ``last``, which is always completed.

    Most visits come a few days before they are due, one in ten a few days late;
    a failed or not-seen visit is followed by another within 1-3 working days.
    """
    weekdays = working_weekdays(team, household.spec.worker)
    attempts: list[tuple[date, str]] = []
    day = on_or_after(start, weekdays)
    while day < last - timedelta(days=3):
        outcome = draw_outcome(rng)
        attempts.append((day, outcome))
        if outcome == "completed":
            slack = -rng.randint(1, 4) if rng.random() < 0.1 else rng.randint(0, 3)
            day = on_or_before(next_due(household, team.practice, day) - timedelta(days=slack),
                               weekdays)
        else:
            day = on_or_after(add_working_days(day, rng.randint(1, 3)), weekdays)
    attempts.append((last, "completed"))
    return attempts


def story_attempts(household: Household, team: TeamSpec,
                   rng: random.Random) -> list[tuple[date, str]]:
    """The visit days and outcomes the household's ``story`` calls for."""
    spec = household.spec
    first = (spec.referred or spec.opened) + timedelta(days=rng.randint(1, 4))
    start = max(first, HISTORY_START + timedelta(days=rng.randint(0, 10)))
    weekdays = working_weekdays(team, spec.worker)
    if spec.story == "new":
        return []
    if spec.story == "overdue":
        return attempt_days(household, team, start, d("2026-09-24"), rng)
    if spec.story == "failed_twice":
        history = attempt_days(household, team, start, d("2026-11-04"), rng)
        return [*history, (d("2026-11-18"), "no_access"), (d("2026-11-20"), "cancelled")]
    if spec.story == "not_seen_last":
        return [*attempt_days(household, team, start, d("2026-11-10"), rng),
                (d("2026-11-19"), "not_seen")]
    # The last visit is recent enough that nobody but the "overdue" story is overdue today.
    interval = (next_due(household, team.practice, TODAY) - TODAY).days
    gap = rng.randint(1, max(1, interval - 3))
    last = on_or_before(max(TODAY - timedelta(days=gap), start), weekdays)
    return attempt_days(household, team, start, last, rng)


def visitor(household: Household, team: TeamSpec, rng: random.Random) -> str:
    if household.spec.worker:
        return household.spec.worker
    return rng.choice(team.duty_workers)


def checked(children: Iterable[Child], chance: float, rng: random.Random) -> tuple[Child, ...]:
    return tuple(child for child in children if rng.random() < chance)


def record(household: Household, team: TeamSpec, day: date, outcome: str,
           number: int, rng: random.Random) -> Visit:
    """One home visit to the whole household, with what was seen, roughly per policy."""
    practice = team.practice
    announced = rng.random() >= practice.unannounced
    time = rng.choice(VISIT_TIMES if announced else UNANNOUNCED_TIMES)
    base = Visit(day, time, visitor(household, team, rng), household.children, outcome, announced)
    if outcome != "completed":
        return base
    born = [c for c in household.children if c.age is not None]
    neglect = any("neglect" in c.spec.categories for c in born)
    protection = any(c.spec.plan != "CIN" for c in born)  # CP plan or s47 enquiry
    bedroom_chance = practice.bedroom_cp if protection else practice.bedroom_cin
    checks_chance = 0.9
    if neglect and practice.neglect_checks_every_visit:
        bedroom_chance = checks_chance = 1.0
    awake_chance = practice.awake_under_3 if number % 2 else 0.6
    neglect_checks = "kitchen;bathroom;food" if neglect and rng.random() < checks_chance else ""
    return Visit(
        day, time, base.worker, household.children, outcome, announced,
        alone=checked([c for c in born if (c.age or 0) >= practice.alone_from_age],
                      practice.seen_alone, rng),
        awake=checked([c for c in born if (c.age or 0) < 3], awake_chance, rng),
        bedroom=tuple(born) if rng.random() < bedroom_chance else (),
        checks=merged_checks(neglect_checks, routine_checks(practice, born)),
    )


def routine_checks(practice: Practice, children: Iterable[Child]) -> str:
    """The checks recorded at every visit for the plans of ``children``."""
    plans = {c.spec.plan for c in children}
    return ";".join(checks for plan, checks in practice.every_visit if plan in plans)


def merged_checks(*lists: str) -> str:
    """Semicolon lists joined, each check once, in a stable order."""
    return ";".join(sorted({c for text in lists for c in text.split(";") if c}))


def partly_seen(visit: Visit) -> Visit:
    """A visit that saw the younger children but not the eldest (out when the worker called)."""
    eldest = max((c for c in visit.children if c.age is not None), key=lambda c: c.age or 0)
    seen = tuple(c for c in visit.children if c is not eldest)
    return Visit(visit.day, visit.time, visit.worker, visit.children, "completed",
                 visit.announced, seen=seen, alone=tuple(c for c in visit.alone if c in seen),
                 awake=visit.awake, bedroom=visit.bedroom, checks=visit.checks)


def home_visits(household: Household, team: TeamSpec, rng: random.Random) -> list[Visit]:
    visits = []
    for number, (day, outcome) in enumerate(story_attempts(household, team, rng)):
        visit = record(household, team, day, outcome, number, rng)
        several = sum(c.age is not None for c in household.children) > 1
        if outcome == "not_seen" and several and rng.random() < 0.5:
            visit = partly_seen(visit)
        visits.append(visit)
    return visits


def away_from_home_visits(household: Household, team: TeamSpec,
                          rng: random.Random) -> list[Visit]:
    """Visits at school to a school-age child on a CP plan (not statutory home visits)."""
    pupils = [c for c in household.children
              if c.spec.plan == "CP" and c.row["education"] == "school"]
    if not pupils or household.spec.story != "normal":
        return []
    visits = []
    chance = team.practice.away_from_home_per_month
    for month_start in (d("2026-09-21"), d("2026-10-19"), d("2026-11-09")):
        if month_start >= household.spec.opened and rng.random() < chance:
            day = on_or_after(month_start + timedelta(days=rng.randint(0, 8)), frozenset(range(5)))
            child = rng.choice(pupils)
            visits.append(Visit(day, "12:30", visitor(household, team, rng), (child,),
                                location="elsewhere", alone=(child,)))
    return visits


def core_group_visits(household: Household, team: TeamSpec, rng: random.Random) -> list[Visit]:
    """Health visitor visits to under-3s on a CP plan who are at home all day."""
    little = [c for c in household.children if c.spec.plan == "CP" and c.age is not None
              and c.age < 3 and c.row["education"] == "none"]
    if not team.core_group_visitor or not little or household.spec.story != "normal":
        return []
    visits = []
    day = on_or_after(max(household.spec.opened, HISTORY_START) + timedelta(days=rng.randint(3, 9)),
                      frozenset(range(5)))
    while day < TODAY:
        visits.append(Visit(day, rng.choice(VISIT_TIMES), team.core_group_visitor, tuple(little),
                            awake=checked(little, 0.8, rng)))
        day = on_or_after(day + timedelta(days=rng.randint(12, 18)), frozenset(range(5)))
    return visits


def support_visits(household: Household, team: TeamSpec, rng: random.Random) -> list[Visit]:
    """Family support worker sessions with some CIN families, between social work visits."""
    on_cin = all(c.spec.plan == "CIN" for c in household.children)
    if not team.support_worker or not on_cin or household.spec.story != "normal":
        return []
    if rng.random() >= 0.3:
        return []
    visits = []
    first = max(household.spec.opened, HISTORY_START) + timedelta(days=rng.randint(2, 9))
    day = on_or_after(first, frozenset(range(5)))
    while day < TODAY:
        visits.append(Visit(day, rng.choice(VISIT_TIMES), team.support_worker, household.children))
        day = on_or_after(day + timedelta(days=rng.randint(12, 16)), frozenset(range(5)))
    return visits


def visit_history(team: TeamSpec, households: list[Household], rng: random.Random) -> list[Visit]:
    visits: list[Visit] = []
    for household in households:
        visits += home_visits(household, team, rng)
        visits += away_from_home_visits(household, team, rng)
        visits += core_group_visits(household, team, rng)
        visits += support_visits(household, team, rng)
    visits = within_capacity(team, sorted(visits, key=lambda v: (v.day, v.children[0].case_ref)))
    visits = without_clashes(visits, rng)
    return sorted(visits, key=lambda v: (v.day, v.time, v.children[0].case_ref))


def capacity(team: TeamSpec, worker_id: str) -> int:
    return next(w.visits_per_day for w in team.workers if w.id == worker_id)


def within_capacity(team: TeamSpec, visits: list[Visit]) -> list[Visit]:
    """Move a visit that would overload its worker to the day before or after.

    A visit only moves to one of the worker's working days, and never past the
    household's previous or next visit, so retries still follow failed visits.
    """
    load: Counter[tuple[str, date]] = Counter()
    placed: list[Visit] = []
    for index, visit in enumerate(visits):
        household = visit.children[0].household
        earlier = [v.day for v in placed if v.children[0].household == household]
        later = [v.day for v in visits[index + 1:] if v.children[0].household == household]
        low = max(earlier, default=date.min)
        high = min(later, default=TODAY)
        weekdays = working_weekdays(team, visit.worker)
        for shift in (0, -1, 1, -2, 2, -3, 3):
            day = visit.day + timedelta(days=shift)
            free = load[visit.worker, day] < capacity(team, visit.worker)
            if free and day.weekday() in weekdays and low < day < high:
                visit = replace(visit, day=day)
                break
        load[visit.worker, visit.day] += 1
        placed.append(visit)
    return placed


def without_clashes(visits: list[Visit], rng: random.Random) -> list[Visit]:
    """Give each of a worker's visits on one day its own time, at least 90 minutes apart."""
    taken: dict[tuple[str, date], list[int]] = {}
    result = []
    for visit in visits:
        times = taken.setdefault((visit.worker, visit.day), [])
        choices = [visit.time, *rng.sample(VISIT_TIMES, k=len(VISIT_TIMES))]
        time = next((t for t in choices if gap_to(t, times) >= 90),
                    max(choices, key=lambda t: gap_to(t, times)))
        times.append(minutes(time))
        result.append(replace(visit, time=time))
    return result


def gap_to(time: str, others: list[int]) -> int:
    """Minutes from ``time`` to the nearest of ``others`` (a day's length when none)."""
    return min((abs(minutes(time) - other) for other in others), default=24 * 60)


def minutes(time: str) -> int:
    hours, mins = time.split(":")
    return int(hours) * 60 + int(mins)


def refs(children: Iterable[Child]) -> str:
    return ";".join(c.case_ref for c in children)


def visit_row(team: TeamSpec, number: int, visit: Visit) -> dict[str, str]:
    return {
        "visit_id": f"{team.prefix}-V{number:04d}",
        "date": visit.day.isoformat(),
        "time": visit.time,
        "worker_id": visit.worker,
        "case_refs": refs(visit.children),
        "location": visit.location,
        "announced": "yes" if visit.announced else "no",
        "outcome": visit.outcome,
        "children_seen": refs(visit.seen),
        "seen_alone": refs(visit.alone),
        "seen_awake": refs(visit.awake),
        "bedroom_seen": refs(visit.bedroom),
        "checks": visit.checks,
    }


# --------------------------------------------------------------------------- #
# Files
# --------------------------------------------------------------------------- #


SETTINGS = """\
# Synthetic example workspace: every person in it is invented.
# Regenerate with: python examples/generate.py

[workspace]
policy = "{policy}"
team_name = "{team_name}"
privacy = "minimal"
holiday_region = "ENG"
closures = ["2026-12-29", "2026-12-30", "2026-12-31"]
# The visit history exported starts here: no deadline is counted from before it.
records_from = "2026-09-14"

[planning]
weeks = 6
seed = 1
pin_working_days = 5
visit_minutes = 60
travel_minutes = 30
day_start = "09:00"
day_end = "17:00"
time_windows = [
  {{ name = "early_morning", start = "08:00", end = "09:30" }},
  {{ name = "school_hours",  start = "10:00", end = "14:30" }},
  {{ name = "after_school",  start = "15:30", end = "18:00" }},
]

[publish]
out = "calendars"
alarms_minutes = [1440, 60]
cancelled_keep_days = 28

[caldav]
# A local Radicale (see examples/README.md); the user "visitplanner" owns the calendars.
url = "http://127.0.0.1:5232/"
calendar_url_template = "{{url}}visitplanner/{{calendar}}/"
username_env = "VISITPLANNER_CALDAV_USERNAME"
password_env = "VISITPLANNER_CALDAV_PASSWORD"
conflict = "keep_worker_edit"
"""


def csv_text(columns: tuple[str, ...], rows: Iterable[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def workspace_files(team: TeamSpec) -> dict[str, str]:
    """File name -> text for one team's workspace."""
    rng = random.Random(team.seed)
    households = build_households(team, rng)
    visits = visit_history(team, households, rng)
    children = (c.row for h in households for c in h.children)
    return {
        "visitplanner.toml": SETTINGS.format(policy=team.policy, team_name=team.team_name),
        "children.csv": csv_text(CHILD_COLUMNS, children),
        "workers.csv": csv_text(WORKER_COLUMNS, (worker_row(team, w) for w in team.workers)),
        "absences.csv": csv_text(ABSENCE_COLUMNS, (absence_row(a) for a in team.absences)),
        "visits.csv": csv_text(
            VISIT_COLUMNS, (visit_row(team, n, v) for n, v in enumerate(visits, start=1))
        ),
    }


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder, so no file is ever half-written."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
        stream.write(text)
    os.chmod(temporary, 0o644)  # mkstemp makes 0600; these files are shared and committed
    os.replace(temporary, path)


def generate(out: Path) -> list[Path]:
    """Write every team's workspace under ``out`` (``out/camden``, ``out/walsall``)."""
    written = []
    for team in TEAMS:
        folder = out / team.folder
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in workspace_files(team).items():
            write_atomically(folder / name, text)
            written.append(folder / name)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=Path(__file__).resolve().parent,
                        help="folder to write camden/ and walsall/ into (default: examples/)")
    for path in generate(parser.parse_args().out):
        print(path)


if __name__ == "__main__":
    main()

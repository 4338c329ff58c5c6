"""Read a policy file, validate it against the spec, report every problem at once."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, replace
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from visitplanner.core.model import BUILTIN_EVENTS, DEFAULT_PLAN_TYPES
from visitplanner.core.policy.model import (
    STATUTORY,
    Counting,
    DutyRota,
    Policy,
    Rule,
    RuleKind,
    Trigger,
    Unit,
    VisitFilter,
)
from visitplanner.core.policy.spec import FIELDS, KINDS, POLICY_FIELDS, SpecError
from visitplanner.errors import PolicyError, Problem

#: The bundled policies (``NAME.toml``), package data read through :mod:`importlib.resources`
#: so that an installed wheel finds them.  In a checkout each file there links to its source
#: in the project's top-level ``config/``.
BUNDLED: Traversable = files("visitplanner.core.policy.bundled")
#: The project's ``config/`` folder: the bundled policies' source, present in a checkout only.
CONFIG_DIR = Path(__file__).resolve().parents[3] / "config"
POLICY_SUFFIX = ".toml"

EVENTS = frozenset(BUILTIN_EVENTS)
ANCHORS = frozenset({"last_failed_visit", "first_failed_visit"})
BETWEEN_EVENTS = frozenset({"conference"})
PLAN_VALUES = frozenset({"visit_frequency_days"})


def bundled_names() -> tuple[str, ...]:
    """The names of the bundled policies (``camden``, ``walsall``), sorted."""
    return tuple(sorted(entry.name.removesuffix(POLICY_SUFFIX) for entry in BUNDLED.iterdir()
                        if entry.name.endswith(POLICY_SUFFIX)))


def find_policy(name_or_path: str, base: Path) -> Traversable:
    """The file a workspace or the command line means by ``name_or_path``.

    A bundled policy's name (``camden``) means the bundled policy, even when ``base``
    holds a file or folder of that name; anything else (``camden.toml``,
    ``./camden``, ``policies/local.toml``) is a file relative to ``base``.
    """
    if name_or_path in bundled_names():
        return BUNDLED / f"{name_or_path}{POLICY_SUFFIX}"
    return base / name_or_path


def load_policy(name_or_path: str, base: Path) -> Policy:
    """Load and validate a policy; raise :class:`PolicyError` listing every problem."""
    source = find_policy(name_or_path, base)
    try:
        raw = source.read_bytes()
    except OSError as error:
        known = ", ".join(bundled_names())
        raise PolicyError(f"cannot read policy {name_or_path!r}", [Problem(
            str(source), error.strerror or str(error),
            f"name a bundled policy ({known}) or a .toml file")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PolicyError(f"cannot read policy {name_or_path!r}",
                          [_not_utf8_problem(str(source), raw, error)]) from None
    return parse_policy(text, source.name)


def _not_utf8_problem(where: str, raw: bytes, error: UnicodeDecodeError) -> Problem:
    """Located by line and byte offset, as a CSV's problem is (the text is not repeated)."""
    line = raw.count(b"\n", 0, error.start) + 1
    return Problem(f"{where}, line {line}",
                   f"is not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start} "
                   "cannot be read)", "save the file as UTF-8")


def parse_policy(text: str, filename: str) -> Policy:
    """Parse policy TOML ``text``; ``filename`` locates problems in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"policy {filename} is not valid TOML", [Problem(
            filename, str(error), "correct the TOML syntax at that line and column")]) from None
    problems: list[Problem] = []
    policy = _build(data, filename, problems)
    if problems or policy is None:
        raise PolicyError(f"policy {filename} has problems", problems)
    return policy


def _build(data: dict[str, Any], filename: str, problems: list[Problem]) -> Policy | None:
    header = _header(data, filename, problems)
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list) or not raw_rules:
        problems.append(Problem(f"{filename}, key rules", "no [[rules]] found",
                                "add at least one [[rules]] table"))
        raw_rules = []
    for key in sorted(set(data) - {"policy", "rules"}):
        problems.append(Problem(f"{filename}, key {key}", "unknown top-level table",
                                "use only [policy] and [[rules]]"))
    documents = header.get("documents", {})
    declared = Declared(documents, header.get("plan_types", DEFAULT_PLAN_TYPES))
    rules = [_rule(raw, f"{filename}, rules[{i}]", declared, problems)
             for i, raw in enumerate(raw_rules)]
    _check_unique_ids(raw_rules, filename, problems)
    _check_duty_source(header.get("duty"), documents, filename, problems)
    _check_duty_plans(header.get("duty"), declared.plan_types, filename, problems)
    _check_visit_types(header.get("visit_types", (STATUTORY,)), rules, filename, problems)
    _check_events(header.get("events", ()), rules, filename, problems)
    if problems:
        return None
    return Policy(
        id=header["id"], name=header["name"],
        documents=tuple(sorted(documents.items())),
        days_unit=header.get("days", Unit.CALENDAR_DAYS),
        counting=header.get("counting", Counting.DAY_0),
        rules=tuple(r for r in rules if r), notes=header.get("notes", ()),
        holiday_region=header.get("holiday_region", ""),
        duty=header.get("duty", DutyRota()),
        visit_types=header.get("visit_types", (STATUTORY,)), notice=header.get("notice"),
        events=header.get("events", ()), plan_types=declared.plan_types)


@dataclass(frozen=True, slots=True)
class Declared:
    """What the ``[policy]`` table declares that each rule is checked against."""

    documents: dict[str, str]
    plan_types: tuple[str, ...]


def _check_duty_plans(duty: DutyRota | None, plan_types: tuple[str, ...], filename: str,
                      problems: list[Problem]) -> None:
    """The ``[policy.duty]`` table names only plan types the policy knows."""
    unknown = sorted(duty.plans - set(plan_types)) if duty is not None else []
    if unknown:
        problems.append(Problem(f"{filename}, key policy.duty.plans",
                                f"{', '.join(map(repr, unknown))}: not a plan type of the "
                                f"policy (plan_types: {', '.join(plan_types)})",
                                "add it to plan_types in [policy], or correct the spelling"))


def _check_events(declared: tuple[str, ...], rules: list[Rule | None], filename: str,
                  problems: list[Problem]) -> None:
    """Every event a rule counts from is built in or one of the policy's ``events``."""
    known = sorted(EVENTS | set(declared))
    for i, rule in enumerate(rules):
        if rule is not None and rule.before and rule.before not in known:
            problems.append(Problem(
                f"{filename}, rules[{i}] ({rule.id}).before", f"unknown event {rule.before!r}",
                f"use one of {', '.join(known)}"))
        if rule is not None and rule.event and rule.event not in known:
            problems.append(Problem(
                f"{filename}, rules[{i}] ({rule.id}).event", f"unknown event {rule.event!r}",
                f"use one of {', '.join(known)}, or add it to events in [policy] (the "
                "workspace then records it in events.csv)"))


def _check_visit_types(declared: tuple[str, ...], rules: list[Rule | None], filename: str,
                       problems: list[Problem]) -> None:
    """Every type a rule counts is one of the policy's ``visit_types``."""
    for i, rule in enumerate(rules):
        unknown = sorted(rule.counts.types - set(declared)) if rule else []
        if unknown and rule:
            problems.append(Problem(
                f"{filename}, rules[{i}] ({rule.id}).counts.types",
                f"{', '.join(map(repr, unknown))} not in [policy] visit_types "
                f"({', '.join(declared)})",
                "add it to visit_types in [policy], or correct the spelling"))


def _header(data: dict[str, Any], filename: str, problems: list[Problem]) -> dict[str, Any]:
    raw = data.get("policy")
    if not isinstance(raw, dict):
        problems.append(Problem(f"{filename}, key policy", "missing [policy] table",
                                "add [policy] with id, name, days and documents"))
        return {}
    values = _convert(raw, POLICY_FIELDS, f"{filename}, key policy", problems)
    for key in ("id", "name", "documents"):
        if key not in raw:
            problems.append(Problem(f"{filename}, key policy.{key}", "missing",
                                    f"add {key} = {POLICY_FIELDS[key].example}"))
    if values.get("days") not in (None, Unit.CALENDAR_DAYS, Unit.WORKING_DAYS):
        problems.append(Problem(f"{filename}, key policy.days", "must be a day unit",
                                'use "calendar_days" or "working_days"'))
    return values


def _convert(raw: dict[str, Any], fields: dict[str, Any], where: str,
             problems: list[Problem]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in raw.items():
        field = fields.get(key)
        if field is None:
            close = difflib.get_close_matches(key, fields, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(fields)}"
            problems.append(Problem(f"{where}.{key}", "unknown key", hint))
            continue
        try:
            values[key] = field.convert(value)
        except SpecError as error:
            problems.append(Problem(f"{where}.{key}", str(error), error.fix))
    return values


def _rule(raw: Any, where: str, declared: Declared, problems: list[Problem]) -> Rule | None:
    if not isinstance(raw, dict):
        problems.append(Problem(where, "a rule must be a table", "write it as [[rules]]"))
        return None
    if isinstance(raw.get("id"), str):
        where = f"{where} ({raw['id']})"
    before = len(problems)
    values = _convert(raw, FIELDS, where, problems)
    kind = values.get("kind")
    if "id" not in values or "source" not in values or kind is None:
        for key in ("id", "kind", "source"):
            if key not in raw:
                problems.append(Problem(f"{where}.{key}", "missing",
                                        f"every rule needs {key} = {FIELDS[key].example}"))
        return None
    _check_keys(values, set(raw), kind, where, problems)
    _check_meaning(values, set(raw), kind, where, declared.documents, problems)
    unknown = sorted(values.get("plans", frozenset()) - set(declared.plan_types))
    if unknown:
        problems.append(Problem(f"{where}.plans", f"{', '.join(map(repr, unknown))}: not a plan "
                                f"type of the policy (plan_types: "
                                f"{', '.join(declared.plan_types)})",
                                "add it to plan_types in [policy], or correct the spelling"))
    if len(problems) > before:
        return None
    values.setdefault("plans", frozenset(declared.plan_types))
    if "missed" in values:
        # Only a visit that makes the missed checks answers them (the re-visit, the reset).
        counts = values.get("counts", VisitFilter())
        values["counts"] = replace(counts, checks=counts.checks | values["missed"])
    return Rule(**values)


def _check_keys(values: dict[str, Any], given: set[str], kind: RuleKind, where: str,
                problems: list[Problem]) -> None:
    spec = KINDS[kind]
    # A required key that is present but invalid was reported by _convert already.
    for key in sorted(spec.required - given):
        problems.append(Problem(f"{where}.{key}", f"a {kind.value} rule needs {key}",
                                f"add {key} = {FIELDS[key].example}"))
    for key in sorted(set(values) - spec.required - spec.optional):
        problems.append(Problem(f"{where}.{key}", f"a {kind.value} rule does not take {key}",
                                "remove it, or change the rule's kind"))


def _check_meaning(values: dict[str, Any], given: set[str], kind: RuleKind, where: str,
                   documents: dict[str, str], problems: list[Problem]) -> None:
    """Checks across keys.  "Needs X" looks at the keys ``given``: a key that is present
    but invalid was reported by _convert already, and is not also missing."""
    def bad(key: str, what: str, fix: str) -> None:
        problems.append(Problem(f"{where}.{key}", what, fix))

    doc = values["source"].document
    if doc not in documents:
        bad("source.document", f"{doc!r} is not in [policy.documents]",
            f"use one of {', '.join(documents) or '(none defined)'} or add it to documents")
    if "anchor" in values and values["anchor"] not in ANCHORS:
        bad("anchor", f"unknown anchor {values['anchor']!r}",
            f"use one of {', '.join(sorted(ANCHORS))}")
    if "between" in values and values["between"] not in BETWEEN_EVENTS:
        bad("between", f"unknown event {values['between']!r}", 'use "conference"')
    if "plan_value" in values and values["plan_value"] not in PLAN_VALUES:
        bad("plan_value", f"unknown plan column {values['plan_value']!r}",
            f"use one of {', '.join(sorted(PLAN_VALUES))}")
    if kind is RuleKind.CADENCE and "every" not in given and \
            values.get("requires_plan_value") is not True:
        bad("every", "a cadence rule needs every",
            'add every = "10 days", or requires_plan_value = true to leave it to the conference')
    if "relax" in values and "every" in values:
        _check_relax(values, bad)
    elif "relax" in values and "every" not in given:
        bad("relax", "relaxing needs the cadence's own every to relax from",
            'add every = "4 weeks", or remove relax')
    if kind is RuleKind.REVISIT and not ({"after", "missed"} & given):
        bad("after", "a revisit needs after (failed outcomes), missed (checks not made), or both",
            'add after = ["no_access"], or missed = ["seen_alone"]')
    if kind is RuleKind.TASK:
        _check_task(given, bad)
    if kind is RuleKind.RATIO and len({"window", "last"} & given) != 1:
        bad("window", "a ratio needs exactly one of window (a span) and last (a number of "
            "visits)", 'add window = "3 months", or last = 6')
    if kind is RuleKind.QUOTA and not ({"at_least", "at_most"} & given):
        bad("at_least", "a quota needs at_least or at_most", "add at_least = 1")
    if kind is RuleKind.CHECK and len({"every_kth", "between", "within"} & given) != 1:
        bad("every_kth", "a check needs exactly one of every_kth, between, within",
            "keep one; write two rules for two schedules")
    if kind is RuleKind.ESCALATION and "trigger" in values:  # else reported already
        _check_trigger(values, given, bad)


def _check_task(given: set[str], bad: Any) -> None:
    """A task counts from an event (with within, perhaps then every), comes before one (with
    within), or recurs (every alone)."""
    if "event" in given and "before" in given:
        bad("before", "a task comes after an event or before one, not both",
            "keep event or before; write two rules for two tasks")
    elif ("event" in given or "before" in given) and "within" not in given:
        bad("within", "a task from or before an event needs within", 'add within = "10 days"')
    elif not ({"event", "before", "every"} & given):
        bad("every", "a task needs event, before or every", 'add every = "4 weeks"')


def _check_relax(values: dict[str, Any], bad: Any) -> None:
    """The floor a plan value may relax to is no shorter than the rule's own ``every`` (a bare
    "N days" compares as calendar days here)."""
    floor, every = values["relax"].floor, values["every"]
    if every.is_longer_than(floor):
        bad("relax.floor", f"the floor {floor} is shorter than every {every}",
            f"give a floor of at least {every}, or remove relax")
    if not values["relax"].approvers:
        bad("relax.approvers", "no approvers are named",
            'name who must agree, e.g. approvers = ["team_manager"]')


def _check_trigger(values: dict[str, Any], given: set[str], bad: Any) -> None:
    trigger = values["trigger"]
    if trigger is Trigger.CONSECUTIVE_FAILURES and "after" not in given:
        bad("after", "consecutive_failures needs the outcomes that count as failures",
            'add after = ["no_access", "cancelled"]')
    if trigger is Trigger.MISSED_CHECK and "missed" not in given:
        bad("missed", "missed_check needs the checks whose not being made fires it",
            'add missed = ["seen_alone"]')
    if trigger in (Trigger.NOT_SEEN_FOR, Trigger.NOT_SEEN_ALONE_FOR) and "period" not in given:
        bad("period", f"{trigger.value} needs a period", 'add period = "10 days"')


def _check_duty_source(duty: DutyRota | None, documents: dict[str, str], filename: str,
                       problems: list[Problem]) -> None:
    """The ``[policy.duty]`` table cites a document of ``[policy.documents]``, as a rule does."""
    if duty is None or duty.source is None or duty.source.document in documents:
        return
    problems.append(Problem(f"{filename}, key policy.duty.source.document",
                            f"{duty.source.document!r} is not in [policy.documents]",
                            f"use one of {', '.join(documents) or '(none defined)'}"))


def _check_unique_ids(raw_rules: list[Any], filename: str, problems: list[Problem]) -> None:
    # Read the raw tables, so a duplicate is reported even when either rule has other problems.
    seen: set[str] = set()
    for raw in raw_rules:
        rule_id = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(rule_id, str):
            continue
        if rule_id in seen:
            problems.append(Problem(f"{filename}, rule {rule_id}", "duplicate rule id",
                                    "give each rule its own id"))
        seen.add(rule_id)

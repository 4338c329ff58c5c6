"""The policy format as one table: it validates files, supplies defaults and writes the reference.

Like khal's ``khal.spec`` and Radicale's config schema, :data:`FIELDS` names
every key a rule may carry (with its converter and help) and :data:`KINDS`
says which keys each rule kind requires and allows.  :func:`reference_markdown`
renders docs/policy-format.md from these tables; a test checks the committed
file is current, so the docs cannot drift from the validator.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from visitplanner.core.model import BUILTIN_EVENTS, Location, Outcome, Role
from visitplanner.core.policy.model import (
    STATUTORY,
    TASK_OWNERS,
    Condition,
    Counting,
    DutyRota,
    Interval,
    Relax,
    RuleKind,
    Source,
    Switch,
    Trigger,
    Unit,
    VisitFilter,
)
from visitplanner.core.workdays import REGIONS


class SpecError(ValueError):
    """A value does not fit its key; the message says what is wrong, ``fix`` what would fit."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.fix = fix


Converter = Callable[[Any], Any]

_INTERVAL = re.compile(r"^\s*(\d+)\s+([a-z_]+?)s?\s*$")
_UNIT_WORDS = {
    "day": Unit.DAYS,
    "calendar_day": Unit.CALENDAR_DAYS,
    "working_day": Unit.WORKING_DAYS,
    "week": Unit.WEEKS,
    "month": Unit.MONTHS,
    "hour": Unit.HOURS,
}


#: The longest interval a policy may give, by unit: ten years (working days: about ten
#: years of them).  A longer one is a typo, and could not be counted (dates end at 9999).
MAX_INTERVAL: Mapping[Unit, int] = MappingProxyType({
    Unit.DAYS: 3650,
    Unit.CALENDAR_DAYS: 3650,
    Unit.WORKING_DAYS: 2500,
    Unit.WEEKS: 520,
    Unit.MONTHS: 120,
    Unit.HOURS: 87600,
})


def to_interval(raw: Any) -> Interval:
    """Parse ``"15 working_days"``, ``"10 days"``, ``"3 months"``, ``"24 hours"``.

    From 0 up to :data:`MAX_INTERVAL` of its unit (both included).
    """
    match = _INTERVAL.match(raw) if isinstance(raw, str) else None
    if not match or match.group(2) not in _UNIT_WORDS:
        raise SpecError(
            f"{raw!r} is not an interval: write a whole number and a unit, e.g. "
            '"10 days", "15 working_days", "2 weeks", "3 months", "24 hours"'
        )
    interval = Interval(int(match.group(1)), _UNIT_WORDS[match.group(2)])
    longest = Interval(MAX_INTERVAL[interval.unit], interval.unit)
    if interval.count > longest.count:
        raise SpecError(f"{raw!r} is longer than the longest interval allowed, {longest}",
                        f"give at most {longest}, ten years")
    return interval


def to_notice(raw: Any) -> Interval:
    """Notice to families: a whole number of hours (``"24 hours"``)."""
    interval = to_interval(raw)
    if interval.unit is not Unit.HOURS:
        raise SpecError(f"{raw!r} is not in hours", 'give the notice in hours, e.g. "24 hours"')
    return interval


def to_task_owner(raw: Any) -> str:
    if raw not in TASK_OWNERS:
        raise SpecError(f"{raw!r} is not a task owner", f"use one of {', '.join(TASK_OWNERS)}")
    return str(raw)


def to_share(raw: Any) -> Fraction:
    """A share above 0 and at most 1: ``"1/2"``, ``"2/3"`` or ``"50%"``."""
    text = raw.strip() if isinstance(raw, str) else ""
    try:
        share = Fraction(text[:-1]) / 100 if text.endswith("%") else Fraction(text)
    except (ValueError, ZeroDivisionError):
        share = Fraction(-1)
    if not 0 < share <= 1:
        raise SpecError(f"{raw!r} is not a share", 'write a fraction such as "1/2" or "2/3", '
                        'or a percentage such as "50%"')
    return share


def to_length(raw: Any) -> Interval:
    """An interval that is a span of time (a cadence, a window, a period): at least 1 unit."""
    interval = to_interval(raw)
    if interval.count < 1:
        raise SpecError(f"{raw!r} is no time at all", f'give at least "1 {interval.unit.value}"')
    return interval


def _enum(enum: type[Any], what: str) -> Converter:
    def convert(raw: Any) -> Any:
        try:
            return enum(raw)
        except ValueError:
            allowed = ", ".join(repr(m.value) for m in enum)
            raise SpecError(f"{raw!r} is not {what}: use one of {allowed}") from None

    return convert


def _set_of(item: Converter, what: str) -> Converter:
    def convert(raw: Any) -> frozenset[Any]:
        if not isinstance(raw, list):
            raise SpecError(f"expected a list of {what}, e.g. [...], got {raw!r}")
        return frozenset(item(x) for x in raw)

    return convert


def to_str(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise SpecError(f"expected non-empty text, got {raw!r}")
    return raw.strip()


def _whole_number(raw: Any, minimum: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < minimum:
        raise SpecError(f"expected a whole number of {minimum} or more, got {raw!r}",
                        f"use a whole number of {minimum} or more")
    return raw


def to_int(raw: Any) -> int:
    return _whole_number(raw, 0)


def to_positive(raw: Any) -> int:
    return _whole_number(raw, 1)


def to_bool(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise SpecError(f"expected true or false, got {raw!r}", "use true or false")
    return raw


def to_texts(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise SpecError(f"expected a list of text, got {raw!r}")
    return tuple(to_str(x) for x in raw)


def to_optional_bool(raw: Any) -> bool | None:
    if raw == "any":
        return None
    return to_bool(raw)


_PLAN_TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def to_plan_type(raw: Any) -> str:
    """A plan type's name: letters, digits, - and _ (CIN, S47, CP, EH, DCT-CIN)."""
    if not isinstance(raw, str) or not _PLAN_TYPE.match(raw):
        raise SpecError(f"{raw!r} is not a plan type name",
                        'write e.g. "CP", "CIN", "EH" or "DCT-CIN"')
    return raw


to_plan_types = _set_of(to_plan_type, "plan types")


def to_plan_type_list(raw: Any) -> tuple[str, ...]:
    """``[policy] plan_types``: the plans the policy knows, in its order."""
    if not isinstance(raw, list) or not raw:
        raise SpecError(f"expected a non-empty list of plan types, got {raw!r}",
                        'write e.g. plan_types = ["CIN", "S47", "CP", "EH"]')
    return tuple(dict.fromkeys(to_plan_type(x) for x in raw))
to_outcomes = _set_of(_enum(Outcome, "a visit outcome"), "outcomes")
to_roles = _set_of(_enum(Role, "a role"), "roles")
to_texts_set = _set_of(to_str, "text")


_VISIT_TYPE = re.compile(r"^[a-z][a-z0-9_]*$")


def to_visit_type(raw: Any) -> str:
    """A visit type: a lower-case word (letters, digits, underscores), e.g. direct_work."""
    if not isinstance(raw, str) or not _VISIT_TYPE.match(raw):
        raise SpecError(f"{raw!r} is not a visit type", 'write a lower-case word such as '
                        '"statutory", "direct_work" or "core_group"')
    return raw


to_visit_types = _set_of(to_visit_type, "visit types")


def to_visit_type_list(raw: Any) -> tuple[str, ...]:
    """``[policy] visit_types``: the types visits.csv may give, in the policy's order, with
    "statutory" first whether listed or not."""
    listed = [to_visit_type(x) for x in raw] if isinstance(raw, list) else None
    if listed is None:
        raise SpecError(f"expected a list of visit types, got {raw!r}",
                        'write e.g. visit_types = ["statutory", "direct_work"]')
    return (STATUTORY, *dict.fromkeys(t for t in listed if t != STATUTORY))


def to_event_names(raw: Any) -> tuple[str, ...]:
    """``[policy] events``: lower-case words, none of them a built-in event."""
    if not isinstance(raw, list):
        raise SpecError(f"expected a list of event names, got {raw!r}",
                        'write e.g. events = ["strategy_discussion", "placement"]')
    names = tuple(dict.fromkeys(to_visit_type(x) for x in raw))
    built_in = [n for n in names if n in BUILTIN_EVENTS]
    if built_in:
        raise SpecError(f"{', '.join(built_in)} is built in", "list only events.csv's own events")
    return names


def to_region(raw: Any) -> str:
    if raw not in REGIONS:
        raise SpecError(f"{raw!r} is not a bank-holiday region: use one of {', '.join(REGIONS)}")
    return str(raw)


def to_location(raw: Any) -> str:
    allowed = [loc.value for loc in Location] + ["any"]
    if raw not in allowed:
        raise SpecError(f"{raw!r} is not a location: use one of {', '.join(allowed)}")
    return str(raw)


@dataclass(frozen=True, slots=True)
class Field:
    """One key: how to convert it and what it means (for the docs)."""

    convert: Converter
    help: str
    example: str


#: Keys of the ``counts`` table (which visits count toward a rule).
COUNTS_FIELDS: dict[str, Field] = {
    "location": Field(to_location, "where the visit took place: home, elsewhere or any", '"home"'),
    "child_seen": Field(to_optional_bool, "true (the default): only visits where the child was "
                        "seen; \"any\": seen or not seen; false: not seen. A failed visit (no "
                        "access, cancelled) never counts: it did not take place", "true"),
    "announced": Field(to_optional_bool, "only announced (true) or unannounced (false)", "false"),
    "roles": Field(to_roles, "only visits by workers in these roles", '["social_worker"]'),
    "checks": Field(to_texts_set, "only visits that recorded these checks", '["seen_alone"]'),
    "types": Field(to_visit_types, "only visits of these types (visits.csv visit_type; default "
                   "[\"statutory\"]: extra visits never stand in for statutory ones); each "
                   "must be in [policy] visit_types", '["statutory", "direct_work"]'),
}

#: Keys of the ``when`` table (which children a rule applies to, on the visit date).
WHEN_FIELDS: dict[str, Field] = {
    "min_age": Field(to_int, "age in whole years on the date is at least this", "3"),
    "under_age": Field(to_int, "age in whole years on the date is below this", "3"),
    "categories": Field(to_texts_set, "the plan has any of these categories", '["neglect"]'),
    "education": Field(to_texts_set, "the child's education status is one of these", '["none"]'),
    "services": Field(to_texts_set, "the case is with one of these teams or services "
                      "(children.csv service)", '["disabled_children"]'),
}

#: Keys of the ``source`` table: every rule cites the sentence it encodes.
SOURCE_FIELDS: dict[str, Field] = {
    "document": Field(to_str, "a key of [policy.documents]", '"camden"'),
    "section": Field(to_str, "section or heading in the document", '"2 Children in need"'),
    "quote": Field(to_str, "the sentence quoted, word for word", '"..."'),
}


def _table(fields: dict[str, Field], make: type[Any]) -> Converter:
    """A TOML table made into the dataclass ``make``; every field without a default is required."""
    required = [f.name for f in dataclasses.fields(make)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]

    def convert(raw: Any) -> Any:
        if not isinstance(raw, dict):
            raise SpecError(f"expected a table {{...}} with keys {', '.join(fields)}, got {raw!r}")
        unknown = sorted(set(raw) - set(fields))
        if unknown:
            raise SpecError(f"unknown key(s) {', '.join(unknown)}: allowed are {', '.join(fields)}")
        missing = [key for key in required if key not in raw]
        if missing:
            raise SpecError(f"missing {', '.join(missing)}",
                            "; ".join(f"add {k} = {fields[k].example}: {fields[k].help}"
                                      for k in missing))
        return make(**{k: fields[k].convert(v) for k, v in raw.items()})

    return convert


def to_documents(raw: Any) -> dict[str, str]:
    """The ``documents`` table: key = title and where to find the document."""
    if not isinstance(raw, dict):
        raise SpecError(f"expected a table {{ key = \"title\" }}, got {raw!r}",
                        'write [policy.documents] with lines such as camden = "..."')
    return {str(key): to_str(value) for key, value in raw.items()}


#: Keys of the ``switch`` table (a rule a plan may switch off for one child, with approval).
SWITCH_FIELDS: dict[str, Field] = {
    "approvers": Field(to_texts_set, "roles who must all agree (plan_values.csv approved_by)",
                       '["conference_chair"]'),
}

#: Keys of the ``relax`` table (a cadence a plan value may loosen, with approval).
RELAX_FIELDS: dict[str, Field] = {
    "floor": Field(to_length, "the longest interval a plan value may relax the cadence to",
                   '"6 weeks"'),
    "approvers": Field(to_texts_set, "roles who must all agree (plan_values.csv approved_by)",
                       '["team_manager", "conference_chair"]'),
}

to_counts = _table(COUNTS_FIELDS, VisitFilter)
to_when = _table(WHEN_FIELDS, Condition)
to_source = _table(SOURCE_FIELDS, Source)
to_relax = _table(RELAX_FIELDS, Relax)
to_switch = _table(SWITCH_FIELDS, Switch)

#: Keys of the ``[policy.duty]`` table: who the duty rota (duty.csv) may visit.
DUTY_FIELDS: dict[str, Field] = {
    "plans": Field(to_plan_types, "plan types the duty rota may visit on days the office is "
                   "shut (closure days and bank holidays); none without this table",
                   '["CP", "S47"]'),
    "weekends": Field(to_bool, "the duty rota visits on Saturdays and Sundays too (default "
                      "false: closure days and bank holidays only)", "true"),
    "source": Field(to_source, "document, section and quoted sentence", "{...}"),
    "note": Field(to_str, "why the table reads as it does (interpretations)", '"..."'),
}

#: Keys a ``[policy.duty]`` table must give: what it allows, and the sentence that says so.
DUTY_REQUIRED = ("plans", "source")


def to_duty(raw: Any) -> DutyRota:
    """The ``[policy.duty]`` table; ``plans`` and ``source`` are required."""
    duty: DutyRota = _table(DUTY_FIELDS, DutyRota)(raw)
    missing = [key for key in DUTY_REQUIRED if key not in raw]
    if missing:
        raise SpecError(f"missing {', '.join(missing)}",
                        "; ".join(f"add {k} = {DUTY_FIELDS[k].example}: {DUTY_FIELDS[k].help}"
                                  for k in missing))
    return duty


#: Every key a rule may carry.
FIELDS: dict[str, Field] = {
    "id": Field(to_str, "unique rule id, used in plans, calendars and messages", '"cin-cadence"'),
    "kind": Field(_enum(RuleKind, "a rule kind"), "what the rule constrains (see kinds below)",
                  '"cadence"'),
    "source": Field(to_source, "document, section and quoted sentence", "{...}"),
    "plans": Field(to_plan_types, "plan types the rule applies to (default all the policy's "
                   "plan_types)", '["CIN", "S47"]'),
    "when": Field(to_when, "condition on the child on the visit date", "{ min_age = 3 }"),
    "note": Field(to_str, "why the rule reads as it does (interpretations, ambiguities)", '"..."'),
    "counts": Field(to_counts, "which visits count toward the rule", '{ location = "home" }'),
    "every": Field(to_length, "the longest allowed gap between counting visits (a cadence "
                   "with none takes the plan's value)", '"10 days"'),
    "within": Field(to_interval, "deadline after the anchor event", '"3 working_days"'),
    "window": Field(to_length, "rolling window length for a quota", '"3 months"'),
    "period": Field(to_length, "how long without a qualifying visit triggers it", '"6 weeks"'),
    "margin": Field(to_interval, "planner safety margin: plan this much before the deadline",
                    '"3 working_days"'),
    "event": Field(to_str, "anchor event: referral, plan_start, birth, conference, "
                   "initial_conference, review_conference, or one of [policy] events (from "
                   "events.csv); an event that comes again owes a visit after each",
                   '"strategy_discussion"'),
    "at_least": Field(to_positive, "quota: at least this many counting visits per window", "1"),
    "at_most": Field(to_positive, "quota: at most this many counting visits per window", "1"),
    "check": Field(to_str, "the check to make (seen_alone, seen_awake, bedroom, ...)", '"bedroom"'),
    "every_kth": Field(to_positive, "check on every k-th counting visit (1 = every visit)", "3"),
    "between": Field(to_str, "check at least once between two of these events: conference",
                     '"conference"'),
    "after": Field(to_outcomes, "outcomes that count as a failed visit here", '["no_access"]'),
    "missed": Field(to_texts_set, "checks whose not being made counts as a failure (a visit "
                    "where the child was seen but, as visits.csv checks_not_made records, not "
                    "seen alone or the bedroom refused); only visits that make them count "
                    "toward the rule", '["seen_alone", "bedroom"]'),
    "failures": Field(to_positive, "how many failures in a row the rule responds to", "2"),
    "anchor": Field(to_str, "what a re-visit window counts from: last_failed_visit or "
                    "first_failed_visit (of the failures in a row)", '"last_failed_visit"'),
    "trigger": Field(_enum(Trigger, "a trigger"), "what sets off an escalation",
                     '"consecutive_failures"'),
    "notify": Field(to_texts, "who must be told", '["team_manager", "conference_chair"]'),
    "action": Field(to_str, "what must be done, in the policy's words", '"..."'),
    "headings": Field(to_texts, "headings the record of a visit must use", '["purpose of visit"]'),
    "plan_value": Field(to_str, "children.csv column a plan may set to tighten the rule",
                        '"visit_frequency_days"'),
    "requires_plan_value": Field(to_bool, "the plan must supply a value: plan_value, or a "
                                 "plan_values.csv row for the rule (no default)", "true"),
    "relax": Field(to_relax, "a plan value may loosen the cadence, down to `floor`, when all "
                   "`approvers` agreed", '{ floor = "6 weeks", approvers = ["team_manager"] }'),
    "switch": Field(to_switch, "the plan may switch the rule off for one child "
                    "(plan_values.csv value off, from a date; on switches it back) when all "
                    "`approvers` agreed", '{ approvers = ["conference_chair"] }'),
    "share": Field(to_share, "ratio: the least share, as a fraction or a percentage",
                   '"1/2"'),
    "of": Field(to_counts, "ratio: the visits the share is of (default "
                "{ location = \"any\" }: every visit where the child was seen)",
                '{ location = "any" }'),
    "last": Field(to_positive, "ratio: judged over this many of the latest visits `of`", "6"),
    "task": Field(to_str, "task: what is to be done (a meeting, a report, oversight)",
                  '"hold the first core group"'),
    "owner": Field(to_task_owner, "task: whose to-do it is, worker (the allocated worker, "
                   "default) or team_manager (the team's calendar)", '"team_manager"'),
    "before": Field(to_str, "task: due `within` before each coming occurrence of this event "
                    "(e.g. conference)", '"conference"'),
    "preference": Field(to_str, "a soft preference: vary_time_of_day", '"vary_time_of_day"'),
    "fallback": Field(to_str, "cover: who takes visits no colleague can", '"team_manager"'),
    "counting": Field(_enum(Counting, "a counting convention"),
                      "override the policy's counting convention", '"visit_day_is_day_0"'),
}

_COMMON = frozenset({"id", "kind", "source", "plans", "when", "note", "switch"})


@dataclass(frozen=True, slots=True)
class KindSpec:
    """Which keys a rule kind requires and which it also allows."""

    summary: str
    required: frozenset[str]
    optional: frozenset[str]


def _kind(summary: str, required: str, optional: str = "") -> KindSpec:
    return KindSpec(summary, frozenset(required.split()), frozenset(optional.split()) | _COMMON)


KINDS: dict[RuleKind, KindSpec] = {
    RuleKind.CADENCE: _kind(
        "At least one counting visit every `every`. The anchor with no visit yet is the plan "
        "start. A plan value (e.g. visit_frequency_days) may only tighten it. With no `every` "
        "the policy leaves the cadence to the conference: `requires_plan_value = true` is then "
        "needed, and a child without the plan's value is an input problem.",
        "", "every counts margin plan_value requires_plan_value counting relax"),
    RuleKind.FIRST_VISIT: _kind(
        "A first counting visit within `within` of `event` (referral or plan_start).",
        "event within", "counts margin counting"),
    RuleKind.QUOTA: _kind(
        "In every rolling `window`, at least `at_least` and/or at most `at_most` counting visits.",
        "window", "at_least at_most counts counting"),
    RuleKind.CHECK: _kind(
        "A check made on every k-th counting visit (`every_kth`), at least once between "
        "two `between` events, or at least every `within`.",
        "check", "every_kth between within counts counting"),
    RuleKind.REVISIT: _kind(
        "After `failures` failed visits in a row (outcome in `after`, or a check of `missed` "
        "not made though the child was seen), a new visit within `within` of the `anchor` "
        "(the last failed visit unless set), which must make the missed checks. A failed "
        "visit never resets a cadence. Needs `after`, `missed` or both.",
        "within", "after missed failures anchor counts counting"),
    RuleKind.ESCALATION: _kind(
        "Tell `notify` within `within` when `trigger` fires: `failures` failed visits in a row, "
        "a visit where a check of `missed` was not made (`missed_check`), or no qualifying "
        "visit for `period`.",
        "trigger notify", "within failures period after missed counts action counting"),
    RuleKind.RECORDING: _kind(
        "Each visit is recorded (within `within`, where set) under `headings`.",
        "headings", "within counts"),
    RuleKind.PREFERENCE: _kind("A soft preference the planner follows where it can.",
                               "preference", "counts"),
    RuleKind.COVER: _kind(
        "Visits of an absent or unallocated worker are made by a colleague; `fallback` when "
        "none can.",
        "fallback", "counts"),
    RuleKind.GUIDANCE: _kind(
        "Practice guidance with no schedule effect, kept so that every sentence is accounted for.",
        "", "action"),
    RuleKind.RATIO: _kind(
        "At least `share` of the visits `of` (default: every visit that took place where the "
        "child was seen, anywhere) are visits `counts` counts, over the `window` ending on "
        "each visit or its `last` visits; judged at every visit, and each planned visit at "
        "which the share falls short is reported. Needs `window` or `last`.",
        "share counts", "of window last counting"),
    RuleKind.TASK: _kind(
        "A meeting or task with a deadline, a to-do in the owner's calendar (the allocated "
        "worker's, or the team's for team_manager): within `within` of `event` (each "
        "occurrence), then at least every `every` after the last done; or `within` before "
        "each coming `before` event (a report before a conference); or every `every` from "
        "the last done (or the plan's start). Done tasks are recorded in tasks.csv.",
        "task", "event within every before owner counting"),
}

#: Keys of the ``[policy]`` table.
POLICY_FIELDS: dict[str, Field] = {
    "id": Field(to_str, "short policy id", '"camden"'),
    "name": Field(to_str, "the policy's title", '"Camden: visits to children living at home"'),
    "days": Field(_enum(Unit, "a day unit"), "what a bare \"N days\" means: calendar_days or "
                  "working_days", '"calendar_days"'),
    "counting": Field(_enum(Counting, "a counting convention"),
                      "is the day of the last visit day 0 or day 1", '"visit_day_is_day_0"'),
    "notes": Field(to_texts, "interpretations that apply to the whole policy", '["..."]'),
    "holiday_region": Field(to_region, "whose bank holidays are not working days: ENG "
                            "(England and Wales), WLS, SCT or NIR; none: bank holidays are "
                            "working days (only weekends and closures are off)", '"ENG"'),
    "documents": Field(to_documents, "document key = title and where to find it",
                       "{ camden = \"...\" }"),
    "plan_types": Field(to_plan_type_list, "the plans the policy knows (children.csv "
                        "plan_type); default CIN, S47 and CP", '["CIN", "S47", "CP", "EH"]'),
    "visit_types": Field(to_visit_type_list, "the types a visit may have (visits.csv "
                         "visit_type), for rules to count by `counts.types`; \"statutory\" is "
                         "always one, and the type of a visit that gives none",
                         '["statutory", "direct_work", "core_group"]'),
    "events": Field(to_event_names, "events of a case the workspace records in events.csv "
                    "(case_ref, event, date), for first_visit rules to count from",
                    '["strategy_discussion", "s47_end", "placement"]'),
    "notice": Field(to_notice, "notice an announced visit gives the family, in hours: a "
                    "visit the family was told of is not moved within it, and a new or moved "
                    "one that must start sooner is flagged short_notice", '"24 hours"'),
    "duty": Field(to_duty, "who the duty rota (duty.csv) may visit on days the office is shut "
                  "(see `[policy.duty]` below)", '{ plans = ["CP"], source = {...} }'),
}


def reference_markdown() -> str:
    """The policy format's reference, generated from the tables above."""
    lines = ["# Policy format reference", "",
             "Generated from `visitplanner/core/policy/spec.py` by "
             "`visitplanner policy reference`; "
             "a test fails if this file is out of date.", "",
             "A policy is a TOML file: a `[policy]` table and a list of `[[rules]]`.", "",
             "## [policy]", "", "| key | meaning | example |", "|---|---|---|"]
    lines += [f"| `{k}` | {f.help} | `{f.example}` |" for k, f in POLICY_FIELDS.items()]
    lines += ["", "## Rule keys", "", "| key | meaning | example |", "|---|---|---|"]
    lines += [f"| `{k}` | {f.help} | `{f.example}` |" for k, f in FIELDS.items()]
    for title, table in (("counts", COUNTS_FIELDS), ("when", WHEN_FIELDS),
                         ("source", SOURCE_FIELDS), ("relax", RELAX_FIELDS),
                         ("switch", SWITCH_FIELDS)):
        lines += ["", f"### `{title}` table", "", "| key | meaning | example |", "|---|---|---|"]
        lines += [f"| `{k}` | {f.help} | `{f.example}` |" for k, f in table.items()]
    lines += ["", "## [policy.duty]", "",
              "Optional. Which children the workspace's duty rota (duty.csv) may visit on days "
              "the office is shut, after the allocated worker and team cover. Without it, no "
              "duty visits are planned. A duty visit counts toward every rule as any visit by "
              "the duty worker's role does.", "",
              "| key | meaning | example |", "|---|---|---|"]
    lines += [f"| `{k}` | {f.help} | `{f.example}` |" for k, f in DUTY_FIELDS.items()]
    lines += ["", "Requires: " + ", ".join(f"`{k}`" for k in DUTY_REQUIRED) + "."]
    lines += ["", "A rule with no `counts` table counts home visits where the child was seen "
              "(`{ location = \"home\", child_seen = true }`), by any role."]
    lines += ["", "Interval units: " + ", ".join(f"`{u.value}`" for u in Unit)
              + " (`days` takes the policy's `days` setting). An interval is at most ten "
              "years: " + ", ".join(str(Interval(n, u)) for u, n in MAX_INTERVAL.items()
                                    if u is not Unit.CALENDAR_DAYS)
              + ". `every`, `window` and `period` are at least 1 unit; `within` and "
              "`margin` may be 0.", "", "## Rule kinds", ""]
    for kind, spec in KINDS.items():
        required = ", ".join(f"`{k}`" for k in sorted(spec.required)) or "none"
        optional = ", ".join(f"`{k}`" for k in sorted(spec.optional - _COMMON)) or "none"
        lines += [f"### `{kind.value}`", "", spec.summary, "",
                  f"Requires: {required}. Also takes: {optional}.", ""]
    lines += ["Every rule also takes " + ", ".join(f"`{k}`" for k in sorted(_COMMON)) + ".", ""]
    lines += ["## Examples", ""]
    for title, example in EXAMPLES:
        lines += [f"### {title}", "", "```toml", example, "```", ""]
    return "\n".join(lines)


#: Short examples of the shapes an authority's policy may take, for the reference.
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("Weekdays without bank holidays (`holiday_region = \"none\"`)",
     '[policy]\nid = "anyshire"\nname = "Anyshire visiting standards"\n'
     'days = "working_days"\nholiday_region = "none"\n\n'
     "# Working days are Monday to Friday: a bank holiday counts as a working day, as the\n"
     "# authority's case system counts it; closures in the workspace settings still do not."),
    ("A cadence left to the conference (no `every`)",
     '[[rules]]\nid = "s47-cadence"\nkind = "cadence"\nplans = ["S47"]\n'
     "requires_plan_value = true\n"
     'source = { document = "manual", section = "3", quote = "As often as the strategy '
     'meeting sets." }\n\n'
     "# A child on S47 with no plan_values.csv row for s47-cadence is refused:\n"
     "# children.csv, row 4: rule s47-cadence needs the plan to set its interval ..."),
    ("Plan values for any cadence, in its own unit, with history (plan_values.csv)",
     "# plan_values.csv: the value in force is the one with the latest `from` on or before\n"
     "# the last counting visit; a later value counts from its `from` day. Only tighter:\n"
     "# case_ref,rule_id,value,from,set_by,approved_by\n"
     "# C104,cp-cadence,1 week,2026-10-01,ICPC 2026-10-01,\n"
     "# C104,cp-cadence,10 working_days,2027-01-04,RCPC 2027-01-04,"),
    ("Relaxing with approval, down to a floor (`relax`)",
     '[[rules]]\nid = "cin-cadence"\nkind = "cadence"\nplans = ["CIN"]\nevery = "4 weeks"\n'
     'relax = { floor = "6 weeks", approvers = ["team_manager", "conference_chair"] }\n'
     'source = { document = "manual", section = "2", quote = "Every 4 weeks; up to 6 with '
     'agreement." }\n\n'
     "# plan_values.csv: C105,cin-cadence,6 weeks,2026-11-02,CIN review,"
     "team_manager;conference_chair\n"
     "# A looser value without every approver, or longer than the floor, is refused."),
    ("Statutory and other visits (`visit_types`, `counts.types`)",
     '[policy]\nvisit_types = ["statutory", "direct_work", "core_group"]\n\n'
     '[[rules]]\nid = "cp-direct-work"\nkind = "cadence"\nplans = ["CP"]\nevery = "4 weeks"\n'
     'counts = { location = "any", types = ["direct_work"] }\n'
     'source = { document = "manual", section = "5", quote = "Direct work with the child at '
     'least every four weeks." }\n\n'
     "# visits.csv: visit_type = direct_work on a row; blank means statutory. A rule with no\n"
     "# counts.types counts statutory visits only: direct work never resets cp-cadence."),
    ("Triggers on a missed check (`missed`, trigger `missed_check`)",
     '[[rules]]\nid = "cp-revisit-not-seen-alone"\nkind = "revisit"\nplans = ["CP"]\n'
     'missed = ["seen_alone"]\nwithin = "3 working_days"\n'
     'source = { document = "manual", section = "6", quote = "A child not seen alone is '
     'visited again within 3 working days." }\n\n'
     '[[rules]]\nid = "cp-tell-not-seen-alone"\nkind = "escalation"\nplans = ["CP"]\n'
     'trigger = "missed_check"\nmissed = ["seen_alone", "bedroom"]\nwithin = "24 hours"\n'
     'notify = ["team_manager"]\n'
     'source = { document = "manual", section = "6", quote = "The manager is told within a '
     'day." }\n\n'
     "# visits.csv: checks_not_made = seen_alone on a visit where the child was seen."),
    ("Per-child switches with approval (`switch`)",
     '[[rules]]\nid = "cp-check-with-network"\nkind = "check"\nplans = ["CP"]\n'
     'check = "network_contact"\nevery_kth = 1\n'
     'switch = { approvers = ["conference_chair"] }\n'
     'source = { document = "manual", section = "7", quote = "Check with the network at each '
     'visit." }\n\n'
     "# plan_values.csv: off from a date, with every approver; a later on row switches it back\n"
     "# case_ref,rule_id,value,from,set_by,approved_by\n"
     "# C106,cp-check-with-network,off,2026-12-01,RCPC 2026-12-01,conference_chair\n"
     "# C106,cp-check-with-network,on,2027-03-01,RCPC 2027-03-01,"),
    ("More anchors (`event`, `[policy] events`, events.csv)",
     '[policy]\nevents = ["strategy_discussion", "s47_end", "placement"]\n\n'
     '[[rules]]\nid = "s47-visit-after-strategy"\nkind = "first_visit"\nplans = ["S47"]\n'
     'event = "strategy_discussion"\nwithin = "1 working_days"\n'
     'source = { document = "manual", section = "8", quote = "The child is seen within a '
     'working day of the strategy discussion." }\n\n'
     "# Built in: referral, plan_start, birth, conference, initial_conference,\n"
     "# review_conference. events.csv: case_ref,event,date (C104,strategy_discussion,2026-12-03)"),
    ("Plan types and services as data (`plan_types`, `when.services`)",
     '[policy]\nplan_types = ["CIN", "S47", "CP", "EH", "DCT-CIN"]\n\n'
     '[[rules]]\nid = "dct-cin-cadence"\nkind = "cadence"\nplans = ["DCT-CIN"]\n'
     'every = "12 weeks"\nwhen = { services = ["disabled_children"] }\n'
     'source = { document = "manual", section = "9", quote = "Children in need with the '
     'disabled children\'s team are seen at least every 12 weeks." }\n\n'
     "# children.csv: plan_type = DCT-CIN, service = disabled_children. A rule with no plans\n"
     "# covers every plan type the policy declares."),
    ("Ratios (`ratio`)",
     '[[rules]]\nid = "cp-mostly-at-home"\nkind = "ratio"\nplans = ["CP"]\nshare = "1/2"\n'
     'window = "3 months"\ncounts = { location = "home" }\n'
     'source = { document = "manual", section = "10", quote = "At least half of the visits '
     'in any three months take place at home." }\n\n'
     "# last = 6 judges the latest six visits instead; of = { ... } says which visits the\n"
     "# share is of (default: every visit where the child was seen)."),
    ("Meetings and tasks (`task`, tasks.csv)",
     '[[rules]]\nid = "cp-core-group"\nkind = "task"\nplans = ["CP"]\n'
     'task = "hold the core group"\nevent = "initial_conference"\nwithin = "10 working_days"\n'
     'every = "1 months"\nsource = { document = "manual", section = "11", quote = "The first '
     'core group meets within 10 working days of the initial conference, then at least '
     'monthly." }\n\n'
     '[[rules]]\nid = "cp-report"\nkind = "task"\nplans = ["CP"]\n'
     'task = "send the conference report"\nbefore = "conference"\n'
     'within = "3 working_days"\nsource = { document = "manual", section = "11", quote = '
     '"Reports are shared 3 working days before each conference." }\n\n'
     "# owner = \"team_manager\" puts the to-do in the team's calendar; tasks.csv records\n"
     "# what was done: case_ref,rule_id,done (C104,cp-core-group,2026-12-22)."),
    ("Notice to families (`notice`)",
     '[policy]\nnotice = "24 hours"\n\n'
     "# Counted from the end of the planning day. A visit the family was told of is not moved\n"
     "# within it; a new or moved announced visit that must start sooner carries the flag\n"
     "# short_notice (the worker tells the family at once). Unannounced visits need none."),
)

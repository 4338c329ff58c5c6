"""The visiting policy as data: spec, loading, validation, description.

A policy file (TOML) lists rules; :mod:`.spec` is the table that validates
them and generates docs/policy-format.md; :mod:`.load` reads and checks a
file; :mod:`.describe` says each rule in plain English with its source.
"""

from __future__ import annotations

from visitplanner.model import Child
from visitplanner.policy.load import CONFIG_DIR, find_policy, load_policy, parse_policy
from visitplanner.policy.model import (
    Condition,
    Counting,
    Interval,
    Policy,
    Rule,
    RuleKind,
    Source,
    Trigger,
    Unit,
    VisitFilter,
)

__all__ = [
    "CONFIG_DIR", "Condition", "Counting", "Interval", "Policy", "Rule", "RuleKind", "Source",
    "Trigger", "Unit", "VisitFilter", "child_problems", "find_policy", "load_policy",
    "parse_policy", "recording_headings",
]


def plan_value(rule: Rule, child: Child) -> int | None:
    """The child's value for the rule's ``plan_value`` column (None when not set)."""
    if rule.plan_value == "visit_frequency_days":
        return child.visit_frequency_days
    return None


def child_problems(policy: Policy, child: Child) -> list[tuple[str, str, str]]:
    """Problems of one child's plan against the policy: (column, what, fix) triples.

    A plan value (visit frequency set by conference) may only tighten a
    cadence: a value looser than the policy's floor is a problem, and so is
    an empty value where a rule requires the plan to supply one.  The floor is
    compared in calendar days (a working-day floor of N counts as N days, the
    loosest reading, so that only a clearly looser value is refused).
    """
    problems: list[tuple[str, str, str]] = []
    for rule in policy.rules_of(RuleKind.CADENCE):
        if not rule.plan_value or child.plan_type not in rule.plans:
            continue
        value = plan_value(rule, child)
        if value is None:
            if rule.requires_plan_value:
                problems.append((rule.plan_value, f"rule {rule.id} needs the plan to set "
                                 f"{rule.plan_value} for a {child.plan_type} plan",
                                 "enter the visiting frequency agreed for this child, in days"))
            continue
        floor = _floor_days(policy, rule)
        if floor is not None and value > floor:
            problems.append((rule.plan_value, f"{value} days is looser than rule {rule.id} "
                             f"(at least every {policy.resolve(rule.every) if rule.every else ''})",
                             f"use {floor} or fewer days; a plan may only tighten the policy"))
    return problems


def _floor_days(policy: Policy, rule: Rule) -> int | None:
    if rule.every is None:
        return None
    every = policy.resolve(rule.every)
    per_unit = {Unit.CALENDAR_DAYS: 1, Unit.WORKING_DAYS: 1, Unit.WEEKS: 7, Unit.MONTHS: 28}
    factor = per_unit.get(every.unit)
    if factor is None:
        return None
    if every.unit is Unit.WORKING_DAYS:
        # 15 working days span 3 calendar weeks without holidays: compare with that span
        return -(-every.count * 7 // 5)
    return every.count * factor


def recording_headings(policy: Policy) -> dict[str, tuple[str, ...]]:
    """Per plan type, the headings the policy asks a home visit's record to use.

    The first recording rule for home visits that covers the plan type wins;
    a plan type no rule covers is absent.
    """
    found: dict[str, tuple[str, ...]] = {}
    for rule in policy.rules_of(RuleKind.RECORDING):
        if not rule.headings or rule.counts.location == "elsewhere":
            continue
        for plan in sorted(p.value for p in rule.plans):
            found.setdefault(plan, rule.headings)
    return found

"""The visiting policy as data: spec, loading, validation, description.

A policy file (TOML) lists rules; :mod:`.spec` is the table that validates
them and generates docs/policy-format.md; :mod:`.load` reads and checks a
file; :mod:`.describe` says each rule in plain English with its source.
"""

from __future__ import annotations

from visitplanner.core.model import SWITCH_OFF, Child, PlanValue
from visitplanner.core.policy.load import CONFIG_DIR, find_policy, load_policy, parse_policy
from visitplanner.core.policy.model import (
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

#: The workspace file of plan values (read by :mod:`visitplanner.inputs.workspace`).
PLAN_VALUES_FILE = "plan_values.csv"

__all__ = [
    "CONFIG_DIR", "PLAN_VALUES_FILE", "Condition", "Counting", "Interval", "Policy", "Rule",
    "RuleKind", "Source", "Trigger", "Unit", "VisitFilter", "child_problems", "find_policy",
    "interval_of", "load_policy", "parse_policy", "plan_value_problems", "recording_headings",
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
        if child.plan_type not in rule.plans:
            continue
        if not rule.plan_value:
            if rule.requires_plan_value and not child.plan_values_for(rule.id):
                problems.append(("", f"rule {rule.id} needs the plan to set its interval for a "
                                 f"{child.plan_type} plan", f"add a {PLAN_VALUES_FILE} row for "
                                 f"case {child.case_ref} and rule {rule.id}, e.g. value = "
                                 '"5 working_days"'))
            continue
        value = plan_value(rule, child)
        if value is None:
            if rule.requires_plan_value and not child.plan_values_for(rule.id):
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


def interval_of(value: PlanValue) -> Interval:
    """The plan value's interval (its unit as the policy spells it)."""
    return Interval(value.count, Unit(value.unit))


def plan_value_problems(policy: Policy, child: Child,
                        value: PlanValue) -> list[tuple[str, str, str]]:
    """Problems of one plan_values.csv row against the policy: (column, what, fix) triples.

    The rule must be a cadence of the child's plan type.  A value may only tighten the
    rule's ``every`` (compared by :meth:`Interval.is_longer_than`), unless the rule has a
    ``relax``: a looser value then needs every approver in ``approved_by`` and may be no
    longer than the floor.  A rule with no ``every`` takes any value.
    """
    try:
        rule = policy.rule(value.rule_id)
    except KeyError:
        ids = [r.id for r in policy.rules_of(RuleKind.CADENCE)]
        return [("rule_id", f"{value.rule_id!r} is not a rule of policy {policy.id}",
                 f"use a cadence rule's id: {', '.join(ids) or '(none)'}")]
    if value.switch:
        return _switch_problems(rule, child, value)
    if rule.kind is not RuleKind.CADENCE:
        return [("rule_id", f"rule {rule.id} is a {rule.kind.value} rule: only a cadence takes a "
                 "plan value", "name a cadence rule")]
    if child.plan_type not in rule.plans:
        return [("rule_id", f"rule {rule.id} does not apply to a {child.plan_type} plan",
                 "name a rule of the child's plan type")]
    interval = interval_of(value)
    if rule.every is None or not policy.resolve(interval).is_longer_than(
            policy.resolve(rule.every)):
        return []
    return _relax_problems(policy, rule, interval, value)


def _switch_problems(rule: Rule, child: Child, value: PlanValue) -> list[tuple[str, str, str]]:
    """A row switching a rule off (or back on) for the child: the rule must have a
    ``switch``, be of the child's plan type, and switching off needs every approver."""
    if rule.switch is None:
        return [("value", f"rule {rule.id} may not be switched off for a child: the policy "
                 "gives it no switch", "remove the row, or give the rule a switch in the policy")]
    if child.plan_type not in rule.plans:
        return [("rule_id", f"rule {rule.id} does not apply to a {child.plan_type} plan",
                 "name a rule of the child's plan type")]
    missing = sorted(rule.switch.approvers - value.approved_by)
    if value.switch == SWITCH_OFF and missing:
        return [("approved_by", f"switching rule {rule.id} off needs the approval of "
                 f"{' and '.join(missing)}",
                 f"add {';'.join(missing)} to approved_by once they have agreed")]
    return []


def _relax_problems(policy: Policy, rule: Rule, interval: Interval,
                    value: PlanValue) -> list[tuple[str, str, str]]:
    """A value looser than the rule: accepted only within the rule's ``relax``."""
    assert rule.every is not None
    every = policy.resolve(rule.every)
    relax = rule.relax
    if relax is None:
        return [("value", f"{interval} is looser than rule {rule.id} (at least every {every})",
                 f"give {every} or less; a plan may only tighten the policy")]
    problems = []
    floor = policy.resolve(relax.floor)
    if policy.resolve(interval).is_longer_than(floor):
        problems.append(("value", f"{interval} is below the floor of rule {rule.id} (relaxed to "
                         f"at most every {floor})", f"give {floor} or less"))
    missing = sorted(relax.approvers - value.approved_by)
    if missing:
        problems.append(("approved_by", f"{interval} is looser than rule {rule.id} (every "
                         f"{every}) and needs the approval of {' and '.join(missing)}",
                         f"add {';'.join(missing)} to approved_by once they have agreed, or "
                         f"give {every} or less"))
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
        for plan in sorted(map(str, rule.plans)):
            found.setdefault(plan, rule.headings)
    return found

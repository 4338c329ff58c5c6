"""Each rule in plain English, with its source: what `visitplanner policy show` prints."""

from __future__ import annotations

from visitplanner.core.policy.model import STATUTORY, DutyRota, Policy, Rule, RuleKind, VisitFilter


def describe_policy(policy: Policy) -> str:
    """The whole policy as text: header, interpretations, then one paragraph per rule."""
    days = policy.days_unit.value.replace("_", " ")
    counting = policy.counting.value.replace("_", " ")
    lines = [policy.name, f'(policy id {policy.id}; a bare "N days" means {days}; {counting})']
    lines += [f"Note: {note}" for note in policy.notes]
    if policy.notice is not None:
        lines.append(f"Notice: an announced visit gives the family {policy.notice}' notice; a "
                     "visit they were told of is not moved within it, and a new or moved one "
                     "that must start sooner is flagged short_notice")
    lines += describe_duty(policy.duty)
    for rule in policy.rules:
        lines += ["", f"[{rule.id}] {describe_rule(policy, rule)}",
                  f"    Source: {rule.source.cite()}"]
        if rule.note:
            lines.append(f"    Note: {rule.note}")
    return "\n".join(lines)


def describe_duty(duty: DutyRota) -> list[str]:
    """The ``[policy.duty]`` table in words (nothing when the policy has none)."""
    if not duty.plans:
        return []
    days = "closure days, bank holidays and weekends" if duty.weekends else \
        "closure days and bank holidays (not weekends)"
    plans = "/".join(sorted(map(str, duty.plans)))
    lines = ["", f"[duty rota] {plans} plans: the duty rota (duty.csv) visits on {days} when "
             "neither the allocated worker nor team cover can meet a deadline; a duty visit "
             "counts as any visit by the duty worker's role"]
    if duty.source is not None:
        lines.append(f"    Source: {duty.source.cite()}")
    if duty.note:
        lines.append(f"    Note: {duty.note}")
    return lines


def describe_rule(policy: Policy, rule: Rule) -> str:
    """One sentence saying what the rule requires, for whom."""
    who = _who(rule)
    text = _DESCRIBERS[rule.kind](policy, rule)
    if rule.switch is not None:
        approvers = " and ".join(sorted(a.replace("_", " ") for a in rule.switch.approvers))
        text += (f" The plan may switch this off for one child with the agreement of the "
                 f"{approvers}.")
    return f"{who}: {text}"


def _who(rule: Rule) -> str:
    plans = "/".join(sorted(map(str, rule.plans)))
    parts = [f"{plans} plans"]
    when = rule.when
    if when.min_age is not None:
        parts.append(f"aged {when.min_age} or over")
    if when.under_age is not None:
        parts.append(f"under {when.under_age}")
    if when.categories:
        parts.append("category " + " or ".join(sorted(when.categories)))
    if when.education:
        parts.append("education " + " or ".join(sorted(when.education)))
    return ", ".join(parts)


def _counting(visits: VisitFilter) -> str:
    where = {"any": "visit", "home": "visit at home"}.get(visits.location, "visit away from home")
    parts = [where]
    if visits.child_seen:
        parts.append("where the child was seen")
    if visits.announced is False:
        parts.append("unannounced")
    if visits.roles:
        parts.append("by " + " or ".join(sorted(r.value.replace("_", " ") for r in visits.roles)))
    if visits.checks:
        parts.append("with " + " and ".join(sorted(visits.checks)))
    if visits.types != {STATUTORY}:
        parts.append("of type " + " or ".join(sorted(visits.types)))
    return " ".join(parts)


def _interval(policy: Policy, rule: Rule, name: str) -> str:
    value = getattr(rule, name)
    return str(policy.resolve(value)) if value is not None else "?"


def _cadence(policy: Policy, rule: Rule) -> str:
    if rule.every is None:
        own = rule.plan_value or "value for this rule (plan_values.csv)"
        text = (f"a {_counting(rule.counts)} at least as often as the plan sets: the policy "
                f"leaves the interval to the conference, and the plan's {own} must be set")
    else:
        text = f"a {_counting(rule.counts)} at least every {_interval(policy, rule, 'every')}"
    if rule.plan_value and rule.every is not None:
        text += f"; the plan's {rule.plan_value} may tighten this"
        if rule.requires_plan_value:
            text += " and must be set"
    elif rule.requires_plan_value and rule.every is not None:
        text += "; the plan must set its own value for this rule (plan_values.csv)"
    if rule.relax is not None:
        approvers = " and ".join(sorted(a.replace("_", " ") for a in rule.relax.approvers))
        text += (f"; a plan value may relax it to no longer than every "
                 f"{policy.resolve(rule.relax.floor)}, with the agreement of the {approvers}")
    if rule.margin:
        text += f" (planned {_interval(policy, rule, 'margin')} before the deadline)"
    return text + "."


def _first(policy: Policy, rule: Rule) -> str:
    return (f"a first {_counting(rule.counts)} within {_interval(policy, rule, 'within')} "
            f"of the {rule.event.replace('_', ' ')}.")


def _quota(policy: Policy, rule: Rule) -> str:
    bounds = []
    if rule.at_least:
        bounds.append(f"at least {rule.at_least}")
    if rule.at_most:
        bounds.append(f"at most {rule.at_most}")
    return (f"{' and '.join(bounds)} {_counting(rule.counts)} in any "
            f"{_interval(policy, rule, 'window')}.")


def _check(policy: Policy, rule: Rule) -> str:
    what = rule.check.replace("_", " ")
    if rule.every_kth == 1:
        return f"check {what} at every visit."
    if rule.every_kth:
        return f"check {what} at least on every {_ordinal(rule.every_kth)} visit."
    if rule.between:
        return f"check {what} at least once between each {rule.between}."
    return f"check {what} at least once every {_interval(policy, rule, 'within')}."


def _revisit(policy: Policy, rule: Rule) -> str:
    outcomes = " or ".join([*sorted(o.value.replace("_", " ") for o in rule.after),
                            *(f"{c} not made" for c in sorted(rule.missed))])
    times = "a failed visit" if rule.failures == 1 else f"{rule.failures} failed visits in a row"
    anchor = "the first of them" if rule.anchor == "first_failed_visit" else "the last one"
    making = f", making {' and '.join(sorted(rule.missed))}" if rule.missed else ""
    return (f"after {times} ({outcomes}), visit again within "
            f"{_interval(policy, rule, 'within')} of {anchor}{making}; a failed visit does not "
            f"reset the clock.")


def _escalation(policy: Policy, rule: Rule) -> str:
    trigger = rule.trigger.value if rule.trigger else ""
    if trigger == "consecutive_failures":
        cause = ("a failed visit" if rule.failures == 1
                 else f"{rule.failures} failed visits in a row")
    elif trigger == "missed_check":
        cause = "a visit where " + " or ".join(sorted(rule.missed)) + " was not made"
    elif trigger == "not_seen_alone_for":
        cause = f"the child not seen alone for {_interval(policy, rule, 'period')}"
    else:
        cause = f"no {_counting(rule.counts)} for {_interval(policy, rule, 'period')}"
    by = f" within {_interval(policy, rule, 'within')}" if rule.within else ""
    tell = " and ".join(n.replace("_", " ") for n in rule.notify)
    action = f" {rule.action}" if rule.action else ""
    return f"after {cause}, tell the {tell}{by}.{action}"


def _recording(policy: Policy, rule: Rule) -> str:
    by = f" within {_interval(policy, rule, 'within')}" if rule.within else ""
    return f"record each {_counting(rule.counts)}{by} under: " + "; ".join(rule.headings) + "."


def _simple(policy: Policy, rule: Rule) -> str:
    if rule.kind is RuleKind.COVER:
        return (f"when the allocated worker is absent or the case is unallocated, a colleague "
                f"makes the visit; otherwise the {rule.fallback.replace('_', ' ')}.")
    if rule.kind is RuleKind.PREFERENCE:
        return f"preference: {rule.preference.replace('_', ' ')}."
    return rule.action or "guidance."


def _ordinal(n: int) -> str:
    return {2: "second", 3: "third", 4: "fourth"}.get(n, f"{n}th")


def _ratio(policy: Policy, rule: Rule) -> str:
    over = f"the last {rule.last} of them" if rule.last else \
        f"any {_interval(policy, rule, 'window')}"
    of = _counting(rule.of) if rule.of else "visit where the child was seen"
    return (f"at least {rule.share} of each {of} (over {over}) must be a "
            f"{_counting(rule.counts)}.")


def _task(policy: Policy, rule: Rule) -> str:
    whose = "the team manager's" if rule.owner == "team_manager" else "the allocated worker's"
    if rule.before:
        when = f"{_interval(policy, rule, 'within')} before each {rule.before.replace('_', ' ')}"
    elif rule.event:
        when = f"within {_interval(policy, rule, 'within')} of the " \
            f"{rule.event.replace('_', ' ')}"
        if rule.every:
            when += f", then at least every {_interval(policy, rule, 'every')}"
    else:
        when = f"at least every {_interval(policy, rule, 'every')}"
    return f"{rule.task}, {when} ({whose} to-do; done ones in tasks.csv)."


_DESCRIBERS = {
    RuleKind.CADENCE: _cadence, RuleKind.FIRST_VISIT: _first, RuleKind.QUOTA: _quota,
    RuleKind.CHECK: _check, RuleKind.REVISIT: _revisit, RuleKind.ESCALATION: _escalation,
    RuleKind.RECORDING: _recording, RuleKind.PREFERENCE: _simple, RuleKind.COVER: _simple,
    RuleKind.GUIDANCE: _simple, RuleKind.RATIO: _ratio, RuleKind.TASK: _task,
}


def sources_table(policy: Policy) -> str:
    """A Markdown table: each source sentence, the rule(s) that encode it, and what they do.

    Sentences shared by several rules (one sentence, several checks) are listed once.
    """
    rows: dict[tuple[str, str], list[Rule]] = {}
    for rule in policy.rules:
        rows.setdefault((rule.source.section, rule.source.quote), []).append(rule)
    lines = [f"### {policy.name}", "", "| section | sentence | rule(s) | kind | what it does |",
             "|---|---|---|---|---|"]
    for (section, quote), rules in rows.items():
        ids = ", ".join(f"`{r.id}`" for r in rules)
        kinds = ", ".join(sorted({r.kind.value for r in rules}))
        what = " ".join(describe_rule(policy, r) for r in rules).replace("|", "/")
        lines.append(f"| {section} | {quote.replace('|', '/')} | {ids} | {kinds} | {what} |")
    return "\n".join(lines) + "\n"

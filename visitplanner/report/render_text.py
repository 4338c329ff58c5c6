"""The compliance report for a terminal: headline figures, a table by group, figures by rule,
and the deadlines not met or met late."""

from __future__ import annotations

from collections.abc import Mapping

from visitplanner.core.policy.model import Policy
from visitplanner.report.items import TOPIC_TITLES, DeadlineItem, Status, Topic
from visitplanner.report.measures import (
    ALL,
    By,
    ComplianceReport,
    Tally,
    by_rule,
    grouped,
    revisits_in_time,
    summary,
    tally,
)

#: Short column headings of the table by group, in the order of the summary.
SHORT = {ALL: "all", Topic.VISITS.value: "visits", Topic.UNANNOUNCED.value: "unannounced",
         Topic.REVISITS.value: "re-visits", Topic.SEEN_ALONE.value: "seen alone",
         Topic.SEEN_AWAKE.value: "seen awake", Topic.BEDROOM.value: "bedroom",
         Topic.OTHER_CHECKS.value: "other checks"}
#: Width of a group's name and of each figure in the table by group.
NAME_WIDTH, CELL_WIDTH = 18, 13


def report_text(report: ComplianceReport, policy: Policy, by: By) -> str:
    """Everything, for people: headline, table by group, rules, then what was missed."""
    parts = [headline(report), group_table(report.deadlines, by),
             rule_table(report.deadlines, policy), missed_list(report)]
    return "\n\n".join(part for part in parts if part)


def title(report: ComplianceReport) -> str:
    source = "recorded visits and the kept plan (forecast)" if report.forecast \
        else "recorded visits"
    return (f"Compliance report {report.period.first.isoformat()} to "
            f"{report.period.last.isoformat()} (both inclusive), from {source}")


def headline(report: ComplianceReport) -> str:
    """The title and one line per measure: what the closing note quotes."""
    figures = summary(report.deadlines)
    lines = [title(report), f"  {'All deadlines':<34} {figure_text(figures[ALL])}"]
    lines += [f"  {TOPIC_TITLES[topic]:<34} {figure_text(figures[topic.value])}"
              for topic in Topic]
    revisited, judged = revisits_in_time(report.missed_visits)
    lines.append(f"  {'Failed or not-seen visits':<34} {len(report.missed_visits)} "
                 f"(re-visit deadline met in time: {revisited} of {judged})")
    lines.append(f"  {'Escalations raised':<34} {len(report.escalations)} (the telling is not "
                 f"recorded: confirm each against the case notes)")
    lines += [f"  NOTE: {note}" for note in report.notes]
    return "\n".join(lines)


def figure_text(figures: Tally) -> str:
    """``94.9 % in timescale: 1502 of 1582 (64 late by a median of 5 days, at worst 49 days;
    16 not met)``."""
    if not figures.due:
        return "nothing due"
    late = f"{figures.late} late" + (
        f" by a median of {days_text(figures.median_days_late)}, at worst "
        f"{days_text(figures.worst_days_late)}" if figures.late else "")
    return (f"{percent_text(figures)} in timescale: {figures.in_time} of {figures.due} "
            f"({late}; {figures.not_met} not met)")


def days_text(days: float | int | None) -> str:
    """``1 day``, ``2.5 days``."""
    return f"{days:g} day" + ("" if days == 1 else "s")


def percent_text(figures: Tally) -> str:
    return "-" if figures.percent is None else f"{figures.percent:.1f} %"


def group_table(items: tuple[DeadlineItem, ...], by: By) -> str:
    """% in timescale (and deadlines due) per group and measure."""
    head = f"{'by ' + by.value:<{NAME_WIDTH}}" + "".join(f"{h:>{CELL_WIDTH}}"
                                                          for h in SHORT.values())
    rows = [_group_row(name, summary(found)) for name, found in grouped(items, by).items()]
    return "\n".join([head, *rows, _group_row(ALL, summary(items))])


def _group_row(name: str, figures: Mapping[str, Tally]) -> str:
    cells = "".join(f"{_cell(figures[key]):>{CELL_WIDTH}}" for key in SHORT)
    return f"{name:<{NAME_WIDTH}}{cells}"


def _cell(figures: Tally) -> str:
    return "-" if figures.percent is None else f"{figures.percent:.1f}% ({figures.due})"


def rule_table(items: tuple[DeadlineItem, ...], policy: Policy) -> str:
    """One line per rule with a deadline in the period."""
    lines = [f"{'rule':<36}{'due':>6}{'in time':>9}{'late':>6}{'not met':>9}{'%':>8}"
             f"{'median':>8}{'worst':>7}"]
    for rule_id, found in by_rule(items, policy).items():
        t = tally(found)
        lines.append(f"{rule_id:<36}{t.due:>6}{t.in_time:>9}{t.late:>6}{t.not_met:>9}"
                     f"{percent_text(t):>8}{_days(t.median_days_late):>8}"
                     f"{_days(t.worst_days_late):>7}")
    return "\n".join(lines)


def _days(value: float | int | None) -> str:
    return "-" if value is None else f"{value:g}"


def missed_list(report: ComplianceReport) -> str:
    """The deadlines not met, then those met late: child, rule, due, met, days."""
    lines = []
    for status, heading in ((Status.NOT_MET, "Not met by"), (Status.LATE, "Met late")):
        chosen = [i for i in report.deadlines if i.status is status]
        if not chosen:
            continue
        suffix = f" {report.period.last.isoformat()}" if status is Status.NOT_MET else ""
        lines.append(f"{heading}{suffix} ({len(chosen)}):")
        lines += [item_line(i, report.labels) for i in chosen]
    return "\n".join(lines)


def item_line(item: DeadlineItem, labels: Mapping[str, str]) -> str:
    met = item.met_on.isoformat() if item.met_on else "not met"
    return (f"  {labels.get(item.case_ref, item.case_ref):<14} {item.rule_id:<34} due "
            f"{item.due.isoformat()}  {met:<10}  {item.days_late:>3} days  "
            f"({item.owner.worker})")

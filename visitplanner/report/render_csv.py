"""The compliance report's figures as CSV (``report --csv``): one row per group and measure.

The columns are :data:`COLUMNS`, documented in ``docs/report.md``.  For the whole report
(``group_by`` ``all``) and then for each group of the ``--by`` grouping: one row for every
deadline (``topic`` ``all``), one per topic, then one per rule with a deadline in the group
(``rule_id`` set).  Empty cells: nothing was due (percentage) or nothing was late (median,
worst).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from visitplanner.core.policy.model import Policy
from visitplanner.report.items import DeadlineItem
from visitplanner.report.measures import (
    ALL,
    By,
    ComplianceReport,
    Tally,
    by_rule,
    grouped,
    summary,
    tally,
    topic_of,
)

COLUMNS = ("group_by", "group", "topic", "rule_id", "due", "in_time", "late", "not_met",
           "percent_in_timescale", "median_days_late", "worst_days_late")


def report_csv(report: ComplianceReport, policy: Policy, by: By) -> str:
    """The figures as CSV text with a header row (``\\r\\n`` line ends, as the csv module
    and spreadsheets write them)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(_rows(ALL, ALL, report.deadlines, policy))
    for name, items in grouped(report.deadlines, by).items():
        writer.writerows(_rows(by.value, name, items, policy))
    return out.getvalue()


def _rows(group_by: str, group: str, items: tuple[DeadlineItem, ...],
          policy: Policy) -> Iterator[list[str]]:
    for topic, figures in summary(items).items():
        yield [group_by, group, topic, "", *_cells(figures)]
    for rule_id, found in by_rule(items, policy).items():
        topic_found = topic_of(policy.rule(rule_id))
        yield [group_by, group, topic_found.value if topic_found else "", rule_id,
               *_cells(tally(found))]


def _cells(figures: Tally) -> list[str]:
    return [str(figures.due), str(figures.in_time), str(figures.late), str(figures.not_met),
            _blank(figures.percent), _blank(figures.median_days_late),
            _blank(figures.worst_days_late)]


def _blank(value: float | int | None) -> str:
    return "" if value is None else str(value)

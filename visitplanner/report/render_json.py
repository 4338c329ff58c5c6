"""The compliance report as JSON (``report --json``): stable keys, sorted, two-space indent.

The format is described field by field in ``docs/report.md``; :data:`FORMAT` names its
version and changes only when a field changes meaning or goes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from visitplanner.core.policy.model import Policy
from visitplanner.report.items import DeadlineItem, MissedVisit, Owner, RaisedEscalation
from visitplanner.report.measures import (
    By,
    ComplianceReport,
    Tally,
    by_rule,
    grouped,
    revisits_in_time,
    summary,
    tally,
    topic_of,
    weekly,
)

#: The JSON format's name and version.
FORMAT = "visitplanner-report/1"


def report_json(report: ComplianceReport, policy: Policy, by: By) -> str:
    """The whole report as one JSON document (ends with a newline)."""
    return json.dumps(report_document(report, policy, by), indent=2, sort_keys=True) + "\n"


def report_document(report: ComplianceReport, policy: Policy, by: By) -> dict[str, Any]:
    """The report as plain JSON values."""
    revisited, judged = revisits_in_time(report.missed_visits)
    return {
        "format": FORMAT,
        "period": {"from": report.period.first.isoformat(),
                   "to": report.period.last.isoformat(), "bounds": "inclusive"},
        "forecast": report.forecast,
        "by": by.value,
        "notes": list(report.notes),
        "summary": _summary(report.deadlines),
        "groups": [{"group": name, "summary": _summary(items)}
                   for name, items in grouped(report.deadlines, by).items()],
        "rules": [_rule(policy, rule_id, items)
                  for rule_id, items in by_rule(report.deadlines, policy).items()],
        "weekly": [{"group": name, "weeks": [{"week": week.isoformat(), **tally_json(t)}
                                             for week, t in weeks]}
                   for name, weeks in weekly(report.deadlines, report.period, by).items()],
        "revisits": {"in_time": revisited, "judged": judged},
        "deadlines": [_deadline(item, report.labels) for item in report.deadlines],
        "missed_visits": [_missed(item, report.labels) for item in report.missed_visits],
        "escalations": [_escalation(item, report.labels) for item in report.escalations],
    }


def tally_json(figures: Tally) -> dict[str, Any]:
    """A tally's figures as JSON values (``percent_in_timescale`` null when nothing was due)."""
    return {"due": figures.due, "in_time": figures.in_time, "late": figures.late,
            "not_met": figures.not_met, "percent_in_timescale": figures.percent,
            "median_days_late": figures.median_days_late,
            "worst_days_late": figures.worst_days_late}


def _summary(items: tuple[DeadlineItem, ...]) -> dict[str, Any]:
    return {name: tally_json(figures) for name, figures in summary(items).items()}


def _rule(policy: Policy, rule_id: str, items: tuple[DeadlineItem, ...]) -> dict[str, Any]:
    rule = policy.rule(rule_id)
    topic = topic_of(rule)
    return {"rule_id": rule_id, "kind": rule.kind.value, "topic": topic.value if topic else None,
            "source": rule.source.cite(), **tally_json(tally(items))}


def _owner(owner: Owner) -> dict[str, str]:
    return {"plan_type": owner.plan_type, "team": owner.team, "worker": owner.worker}


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _deadline(item: DeadlineItem, labels: Mapping[str, str]) -> dict[str, Any]:
    return {"case_ref": item.case_ref, "child": labels.get(item.case_ref, item.case_ref),
            "rule_id": item.rule_id, "kind": item.kind, "topic": item.topic.value,
            **_owner(item.owner), "due": item.due.isoformat(), "anchor": _day(item.anchor),
            "met_on": _day(item.met_on), "status": item.status.value,
            "days_late": item.days_late, "what": item.what}


def _missed(item: MissedVisit, labels: Mapping[str, str]) -> dict[str, Any]:
    return {"case_ref": item.case_ref, "child": labels.get(item.case_ref, item.case_ref),
            "day": item.day.isoformat(), "outcome": item.outcome, "visitor": item.visitor,
            **_owner(item.owner), "seen_next": _day(item.seen_next),
            "revisit_due": _day(item.revisit_due),
            "revisit_status": item.revisit_status.value if item.revisit_status else None}


def _escalation(item: RaisedEscalation, labels: Mapping[str, str]) -> dict[str, Any]:
    return {"case_ref": item.case_ref, "child": labels.get(item.case_ref, item.case_ref),
            "rule_id": item.rule_id, **_owner(item.owner), "fired": item.fired.isoformat(),
            "due": item.due.isoformat(), "notify": list(item.notify),
            "cleared_on": _day(item.cleared_on), "what": item.what}

"""The report's JSON, CSV and HTML: stable, documented, self-contained and byte-identical."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rulekit import D, child, visit

from visitplanner.core.model import Outcome, PlanType, Role, Worker
from visitplanner.core.policy import Policy
from visitplanner.core.workdays import WorkingCalendar
from visitplanner.report.forecast import forecast_histories, recorded_since
from visitplanner.report.measures import By, Caseload, ComplianceReport, compliance_report
from visitplanner.report.period import Period
from visitplanner.report.render_csv import COLUMNS, report_csv
from visitplanner.report.render_html import report_html
from visitplanner.report.render_json import report_json

DOC = Path(__file__).resolve().parents[2] / "docs" / "report.md"
WORKERS = (Worker("sw.one", "Test Worker One", "one@example.org", "north", Role.SOCIAL_WORKER),)


@pytest.fixture(scope="module")
def made(camden: Policy, england: WorkingCalendar) -> ComplianceReport:
    kid = child("REP", PlanType.CP, born="2019-01-10", plan_start="2026-04-20",
                allocated_worker="sw.one")
    history = (visit("2026-04-24", Outcome.COMPLETED, "seen_alone"),
               visit("2026-05-05", Outcome.NO_ACCESS), visit("2026-05-06"))
    caseload = Caseload(camden, england, (kid,), WORKERS, {kid.case_ref: history},
                        privacy="minimal")
    return compliance_report(caseload, Period(D("2026-04-20"), D("2026-05-17")))


def documented_columns() -> list[str]:
    """The CSV columns as docs/report.md's table lists them (first cell of each row)."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## CSV columns", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE)


def test_the_csv_columns_are_the_documented_ones_in_order() -> None:
    assert documented_columns() == list(COLUMNS)


def test_every_json_key_is_documented(made: ComplianceReport, camden: Policy) -> None:
    data = json.loads(report_json(made, camden, By.TEAM))
    keys = set(data) | set(data["deadlines"][0]) | set(data["missed_visits"][0]) | \
        set(data["escalations"][0]) | set(data["summary"]["all"]) | set(data["rules"][0])
    text = DOC.read_text(encoding="utf-8")
    assert sorted(k for k in keys if f"`{k}`" not in text) == []


def test_the_json_keeps_its_top_level_shape(made: ComplianceReport, camden: Policy) -> None:
    data = json.loads(report_json(made, camden, By.TEAM))
    assert sorted(data) == ["by", "deadlines", "escalations", "forecast", "format", "groups",
                            "missed_visits", "notes", "period", "revisits", "rules", "summary",
                            "weekly"]
    assert data["format"] == "visitplanner-report/1"
    assert sorted(data["summary"]) == ["all", "bedroom", "other_checks", "revisits",
                                       "seen_alone", "seen_awake", "unannounced", "visits"]


def test_the_same_report_gives_the_same_bytes(made: ComplianceReport, camden: Policy) -> None:
    for render in (report_json, report_csv):
        assert render(made, camden, By.WORKER) == render(made, camden, By.WORKER)
    assert report_html(made, camden, By.TEAM) == report_html(made, camden, By.TEAM)


def test_the_html_is_one_self_contained_file_with_two_inline_charts(
        made: ComplianceReport, camden: Policy) -> None:
    page = report_html(made, camden, By.TEAM, "Test Team")
    assert page.count("<svg") == 2
    assert "<script" not in page and "<link" not in page and "<img" not in page
    # The only addresses are the SVG namespaces: nothing is fetched.
    addresses = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert addresses <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert "<metadata>" not in page


def test_the_html_names_no_child(made: ComplianceReport, camden: Policy) -> None:
    assert "Test Child" not in report_html(made, camden, By.TEAM)


def test_a_forecast_keeps_recorded_visits_before_the_plan_and_adds_the_planned_ones() -> None:
    from datetime import date, datetime, time

    from visitplanner.core.model import (
        LONDON,
        ChildChecks,
        PlannedVisit,
        RecordedVisit,
        Schedule,
        VisitKind,
    )

    def at(day: str) -> datetime:
        return datetime.combine(D(day), time(10, 0), tzinfo=LONDON)

    records = (RecordedVisit("R1", "C1", at("2026-06-30"), "sw.one"),
               RecordedVisit("R2", "C1", at("2026-07-02"), "sw.one"))  # the plan's own day 2
    planned = PlannedVisit("v-1", "H1", ("C1",), at("2026-07-03"), at("2026-07-03"), "sw.one",
                           "north", VisitKind.ROUTINE, False,
                           (ChildChecks("C1", ("bedroom",)),), date(2026, 7, 9), ())
    schedule = Schedule(date(2026, 7, 1), date(2026, 7, 1), date(2026, 7, 31), 1, (planned,))
    facts = forecast_histories(records, schedule, {w.id: w for w in WORKERS})["C1"]
    assert [(f.day.isoformat(), f.planned, f.announced, f.checks, f.role) for f in facts] == [
        ("2026-06-30", False, True, frozenset(), Role.SOCIAL_WORKER),
        ("2026-07-03", True, False, frozenset({"bedroom"}), Role.SOCIAL_WORKER)]
    assert recorded_since(records, schedule.start) == 1

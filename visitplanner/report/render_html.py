"""The compliance report as one self-contained HTML file (``report --html FILE``).

No script, no web font, no link outside the file: the styles are inline and the charts are
inline SVG (:mod:`.charts`), so the file opens offline and prints.  The same report gives the
same bytes.  Sections: the summary, the table by group, the weekly trend of "% in timescale"
per team, the bar chart per worker, the figures by rule, then the lists behind every figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from html import escape

from visitplanner.core.policy.model import Policy
from visitplanner.report.items import (
    TOPIC_TITLES,
    DeadlineItem,
    MissedVisit,
    RaisedEscalation,
    Status,
    Topic,
)
from visitplanner.report.measures import (
    ALL,
    By,
    ComplianceReport,
    Tally,
    by_rule,
    by_topic,
    grouped,
    revisits_in_time,
    summary,
    tally,
    weekly,
)
from visitplanner.report.render_text import SHORT, title

#: Status words, as the lists print them.
STATUS_TEXT = {Status.IN_TIME: "in time", Status.LATE: "late", Status.NOT_MET: "not met"}
#: Order of the lists: what needs action first.
STATUS_ORDER = {Status.NOT_MET: 0, Status.LATE: 1, Status.IN_TIME: 2}

CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 1.5em auto; max-width: 64em;
       color: #111; line-height: 1.35; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 1.6em;
     border-bottom: 1px solid #999; } h3 { font-size: 1em; margin-top: 1.2em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.85em; }
th, td { border: 1px solid #bbb; padding: 0.15em 0.45em; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.not_met td { background: #fde3d9; } tr.late td { background: #fff1d6; }
.note { color: #444; font-size: 0.9em; } figure { margin: 0.5em 0; }
figure svg { max-width: 100%; height: auto; }
@media print { body { max-width: none; margin: 0; } h2 { break-after: avoid; }
               figure, tr { break-inside: avoid; }
               tr.not_met td, tr.late td { -webkit-print-color-adjust: exact;
                                           print-color-adjust: exact; } }
"""


def report_html(report: ComplianceReport, policy: Policy, by: By, team_name: str = "") -> str:
    """The whole report as an HTML document (see the module's docstring)."""
    from visitplanner.report.charts import trend_svg, workers_svg

    workers = {name: tally(found) for name, found in grouped(report.deadlines,
                                                             By.WORKER).items()}
    body = [
        f"<h1>{escape(title(report))}</h1>",
        f'<p class="note">{escape(team_name)}</p>' if team_name else "",
        '<p class="note">Children are named by case reference (with initials where the '
        "workspace's privacy level allows), never by name. Every deadline is an inclusive "
        "date: a visit on the deadline day is in time.</p>",
        *(f'<p class="note">Note: {escape(note)}</p>' for note in report.notes),
        '<section id="summary"><h2>Summary</h2>', summary_table(report), "</section>",
        f'<section id="groups"><h2>By {escape(by.value)}</h2>',
        group_table(report.deadlines, by), "</section>",
        '<section id="trend"><h2>% in timescale per week, by team</h2>',
        _figure(trend_svg(weekly(report.deadlines, report.period, By.TEAM)),
                "Weekly % of deadlines met in time, one line per team"), "</section>",
        '<section id="workers"><h2>Deadlines per worker</h2>',
        _figure(workers_svg(workers), "Deadlines met in time, late and not met per "
                "allocated worker"), "</section>",
        '<section id="rules"><h2>By rule</h2>', rule_table(report.deadlines, policy),
        "</section>",
        '<section id="lists"><h2>The deadlines behind the figures</h2>',
        *topic_lists(report.deadlines, report.labels), "</section>",
        '<section id="missed"><h2>Failed and not-seen visits</h2>',
        missed_table(report.missed_visits, report.labels), "</section>",
        '<section id="escalations"><h2>Escalations raised</h2>',
        '<p class="note">The workspace does not record who was told and when: confirm each '
        "against the case notes.</p>",
        escalation_table(report.escalations, report.labels), "</section>",
    ]
    return _page(title(report), "\n".join(part for part in body if part))


def _page(heading: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(heading)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f"{body}\n</body>\n</html>\n")


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption class=\"note\">{escape(caption)}</figcaption></figure>"


def table(head: Sequence[str], rows: Iterable[Sequence[str]], numeric: frozenset[int],
          classes: Iterable[str] = ()) -> str:
    """An HTML table of already-escaped cells; columns in ``numeric`` align right."""
    def cells(row: Sequence[str], tag: str) -> str:
        return "".join(f'<{tag} class="n">{c}</{tag}>' if i in numeric else f"<{tag}>{c}</{tag}>"
                       for i, c in enumerate(row))
    marks = list(classes)
    lines = [f"<tr>{cells(head, 'th')}</tr>"]
    for number, row in enumerate(rows):
        mark = f' class="{marks[number]}"' if number < len(marks) and marks[number] else ""
        lines.append(f"<tr{mark}>{cells(row, 'td')}</tr>")
    return "<table>\n" + "\n".join(lines) + "\n</table>"


def _tally_cells(figures: Tally) -> list[str]:
    return [str(figures.due), str(figures.in_time), str(figures.late),
            _blank(figures.median_days_late), _blank(figures.worst_days_late),
            str(figures.not_met), _percent(figures)]


TALLY_HEAD = ("due", "in time", "late", "median days late", "worst days late", "not met",
              "% in timescale")


def summary_table(report: ComplianceReport) -> str:
    """One row per measure, then the failed visits and escalations."""
    figures = summary(report.deadlines)
    rows = [["All deadlines", *_tally_cells(figures[ALL])]]
    rows += [[escape(TOPIC_TITLES[t]), *_tally_cells(figures[t.value])] for t in Topic]
    revisited, judged = revisits_in_time(report.missed_visits)
    return table(("measure", *TALLY_HEAD), rows, frozenset(range(1, 8))) + (
        f"<p>Failed or not-seen visits: <b>{len(report.missed_visits)}</b> (re-visit deadline "
        f"met in time: {revisited} of {judged}). Escalations raised: "
        f"<b>{len(report.escalations)}</b>.</p>")


def group_table(items: tuple[DeadlineItem, ...], by: By) -> str:
    """% in timescale (deadlines due) per group and measure."""
    rows = [[escape(name), *_group_cells(summary(found))]
            for name, found in grouped(items, by).items()]
    rows.append(["<b>all</b>", *_group_cells(summary(items))])
    return table((escape(by.value), *SHORT.values()), rows, frozenset(range(1, len(SHORT) + 1)))


def _group_cells(figures: Mapping[str, Tally]) -> list[str]:
    return [f"{_percent(figures[key])} ({figures[key].due})" for key in SHORT]


def rule_table(items: tuple[DeadlineItem, ...], policy: Policy) -> str:
    rows = [[escape(rule_id), escape(policy.rule(rule_id).kind.value),
             *_tally_cells(tally(found))]
            for rule_id, found in by_rule(items, policy).items()]
    return table(("rule", "kind", *TALLY_HEAD), rows, frozenset(range(2, 9)))


def topic_lists(items: tuple[DeadlineItem, ...], labels: Mapping[str, str]) -> list[str]:
    """Per topic with deadlines: every deadline, not met first, then late, then in time."""
    parts = []
    for topic, found in by_topic(items).items():
        if not found:
            continue
        ordered = sorted(found, key=lambda i: (STATUS_ORDER[i.status], i.due, i.case_ref))
        rows = [[escape(labels.get(i.case_ref, i.case_ref)), escape(i.rule_id), _day(i.anchor),
                 _day(i.due), _day(i.met_on), STATUS_TEXT[i.status], str(i.days_late),
                 escape(i.owner.worker)] for i in ordered]
        parts.append(f"<h3>{escape(TOPIC_TITLES[topic])} ({len(found)})</h3>")
        parts.append(table(("child", "rule", "counted from", "due", "met on", "status",
                            "days late", "worker"), rows, frozenset({6}),
                           [i.status.value for i in ordered]))
    return parts


def missed_table(missed: tuple[MissedVisit, ...], labels: Mapping[str, str]) -> str:
    if not missed:
        return "<p>None.</p>"
    rows = [[escape(labels.get(m.case_ref, m.case_ref)), _day(m.day), escape(m.outcome),
             escape(m.visitor), _day(m.seen_next), _day(m.revisit_due),
             STATUS_TEXT[m.revisit_status] if m.revisit_status else ""] for m in missed]
    return table(("child", "day", "outcome", "visitor", "next seen", "re-visit due",
                  "re-visit"), rows, frozenset())


def escalation_table(raised: tuple[RaisedEscalation, ...], labels: Mapping[str, str]) -> str:
    if not raised:
        return "<p>None.</p>"
    rows = [[escape(labels.get(e.case_ref, e.case_ref)), escape(e.rule_id), _day(e.fired),
             _day(e.due), escape(", ".join(n.replace("_", " ") for n in e.notify)),
             _day(e.cleared_on), escape(e.what)] for e in raised]
    return table(("child", "rule", "fired", "tell by", "tell", "trigger cleared", "what"),
                 rows, frozenset())


def _percent(figures: Tally) -> str:
    return "-" if figures.percent is None else f"{figures.percent:.1f} %"


def _blank(value: float | int | None) -> str:
    return "" if value is None else f"{value:g}"


def _day(day: date | None) -> str:
    return day.isoformat() if day else ""

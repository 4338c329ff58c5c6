"""The HTML report's charts, drawn with matplotlib as inline SVG: the same figures give the
same bytes (a fixed ``svg.hashsalt`` for element ids, no date in the metadata, text kept as
text).  Readable when printed in black and white: lines carry markers, bars hatches.

matplotlib is imported here only, and this module only by :mod:`.render_html`, so that the
command line starts fast.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from visitplanner.report.measures import Tally

#: rcParams for every chart: deterministic SVG, text as text, a print-friendly look.
STYLE: dict[Any, Any] = {
    "svg.hashsalt": "visitplanner-report",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
#: What the SVG metadata may carry: nothing that changes from one run to the next.
METADATA = {"Date": None, "Creator": None}
#: Colour-blind-safe colours (Okabe-Ito) with hatches, for in time, late and not met.
IN_TIME, LATE, NOT_MET = ("#009E73", ""), ("#E69F00", "//"), ("#D55E00", "xx")
#: The RDF metadata block matplotlib writes: of no use inline, so left out.
METADATA_ELEMENT = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Inches: a chart's width, the trend's height, and each worker's bar height.
WIDTH, TREND_HEIGHT, BAR_HEIGHT = 7.5, 3.0, 0.42


def trend_svg(weeks: Mapping[str, Sequence[tuple[date, Tally]]]) -> str:
    """"% in timescale" per week, one line per group (a week with nothing due is a gap)."""
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH, TREND_HEIGHT))
        axes = figure.add_subplot()
        mondays = sorted({week for figures in weeks.values() for week, _ in figures})
        place = {week: float(number) for number, week in enumerate(mondays)}
        for number, (name, figures) in enumerate(weeks.items()):
            axes.plot([place[week] for week, _ in figures],
                      [math.nan if t.percent is None else t.percent for _, t in figures],
                      marker=MARKERS[number % len(MARKERS)], label=name)
        axes.set_xticks(list(place.values()), [f"{week:%d %b}" for week in mondays])
        axes.set_ylim(0, 105)
        axes.set_ylabel("% in timescale")
        axes.set_xlabel("week beginning (deadlines due that week)")
        axes.grid(axis="y", color="#cccccc", linewidth=0.5)
        axes.legend(loc="lower left", fontsize=8, frameon=False)
        figure.autofmt_xdate()
        figure.tight_layout()
        return svg_of(figure)


def workers_svg(workers: Mapping[str, Tally]) -> str:
    """Per worker, a bar of deadlines met in time, late and not met, with % in timescale."""
    names = list(workers)
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH, 1.2 + BAR_HEIGHT * max(1, len(names))))
        axes = figure.add_subplot()
        left = [0] * len(names)
        for label, key, (colour, hatch) in (("in time", "in_time", IN_TIME),
                                            ("late", "late", LATE),
                                            ("not met", "not_met", NOT_MET)):
            counts = [getattr(workers[n], key) for n in names]
            axes.barh(names, counts, left=left, color=colour, hatch=hatch, label=label,
                      edgecolor="#333333", linewidth=0.4)
            left = [a + b for a, b in zip(left, counts, strict=True)]
        for row, name in enumerate(names):
            percent = workers[name].percent
            axes.text(left[row], row, f"  {'-' if percent is None else f'{percent:.1f} %'}",
                      va="center", fontsize=8)
        axes.invert_yaxis()
        axes.set_xlabel("deadlines due in the period")
        axes.margins(x=0.12)
        axes.legend(loc="lower right", fontsize=8, frameon=False, ncols=3,
                    bbox_to_anchor=(1.0, 1.0))
        figure.tight_layout()
        return svg_of(figure)


def svg_of(figure: Figure) -> str:
    """The figure as an ``<svg>`` element to inline in HTML (no XML prolog or doctype)."""
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata=METADATA)
    text = out.getvalue()
    return METADATA_ELEMENT.sub("", text[text.index("<svg"):]).strip()

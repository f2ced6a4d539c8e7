"""The CSAT chart, drawn by pygal (server-side SVG, no script, no CDN): one horizontal stacked
bar per row of the report (good, okay, bad answers), the CSAT % in the row's label. Served
as an SVG document shown in an <img> (see deskside.staffing.chart for the policy)."""

import pygal
from pygal.style import Style

from deskside.core.svg import sanitise
from deskside.surveys.report import Report

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#2f855a", "#d69e2e", "#c53030"),
    font_family="system-ui, sans-serif",
)
MAX_ROWS = 25


def csat_chart(report: Report) -> str:
    """The SVG of `report`'s answers per row (the first MAX_ROWS rows)."""
    rows = report.rows[:MAX_ROWS]
    chart = pygal.HorizontalStackedBar(
        js=[],
        style=STYLE,
        width=900,
        height=max(240, 60 + 32 * len(rows)),
        title=f"Answers per {report.by}, {report.start:%d %b %Y} to {report.end:%d %b %Y}",
        legend_at_bottom=True,
        truncate_label=-1,
        print_values=False,
    )
    chart.x_labels = [f"{r.label} ({'-' if r.csat is None else f'{r.csat:.0f} %'})" for r in rows]
    chart.add("Good", [r.good for r in rows])
    chart.add("Okay", [r.okay for r in rows])
    chart.add("Bad", [r.bad for r in rows])
    return sanitise(chart.render(is_unicode=True))

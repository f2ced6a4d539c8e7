"""A project's progress as one horizontal stacked bar (done, open with a visit, open without,
cancelled), drawn by pygal on the server (no script, no CDN) and shown in an <img>; the same
figures are in the page's text, so the chart is never the only way to read them (see
deskside.staffing.chart for the SVG policy)."""

import pygal
from pygal.style import Style

from deskside.core.svg import sanitise
from deskside.workorders.queries.projects import Progress

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#2f855a", "#3182ce", "#d69e2e", "#a0aec0"),
    font_family="system-ui, sans-serif",
)


def progress_chart(progress: Progress) -> str:
    """The SVG of `progress`: work orders by state, in one bar."""
    chart = pygal.HorizontalStackedBar(
        js=[],
        style=STYLE,
        width=600,
        height=200,
        title=f"{progress.done} of {progress.total - progress.cancelled} work orders done "
        f"({progress.percent} %)",
        legend_at_bottom=True,
        print_values=True,
        show_y_labels=False,
    )
    chart.x_labels = ["Work orders"]
    chart.add("Done", [progress.done or None])
    chart.add("Open, visit planned", [progress.with_visit or None])
    chart.add("Open, no visit", [progress.without_visit or None])
    chart.add("Cancelled", [progress.cancelled or None])
    return sanitise(chart.render(is_unicode=True))

"""A report's chart drawn by pygal as an SVG document (server-side, no script, no CDN).

pygal's tooltip script is a URL on a CDN by default: `js=[]` drops it and
`core.svg.sanitise` removes any <script>, comment or external link a pygal version might
still add. The pages show the SVG in an <img> (a browser runs no script there) and the
monthly PDF inlines it.
"""

from __future__ import annotations

import pygal
from pygal.style import Style

from deskside.core.svg import sanitise
from deskside.reports.tables import Chart

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#2f6fb0", "#e07b24", "#3a9a5b", "#c23b3b", "#7d5ba6", "#8c6d31", "#3fa7b5"),
    font_family="system-ui, sans-serif",
)
KINDS = {"bar": pygal.Bar, "stacked": pygal.StackedBar, "line": pygal.Line}


def svg(chart: Chart, *, width: int = 900, height: int = 380) -> str:
    """The SVG document of `chart` (an empty chart says "No data")."""
    drawing = KINDS[chart.kind](
        js=[],
        style=STYLE,
        width=width,
        height=height,
        title=chart.title,
        y_title=chart.y_title or None,
        x_label_rotation=30 if len(chart.labels) > 8 else 0,
        show_minor_x_labels=len(chart.labels) <= 31,
        truncate_label=24,
        truncate_legend=24,
        legend_at_bottom=True,
        no_data_text="No tickets in this range",
        disable_xml_declaration=False,
    )
    if chart.range is not None:
        drawing.range = chart.range
    drawing.x_labels = chart.labels
    for name, values in chart.series.items():
        drawing.add(name, values)
    return sanitise(drawing.render(is_unicode=True))


def inline(chart: Chart, *, width: int = 700, height: int = 320) -> str:
    """The chart as an <svg> element to put inside an HTML document (the monthly PDF)."""
    document = svg(chart, width=width, height=height)
    return document[document.index("<svg") :]

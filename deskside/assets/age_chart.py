"""The age report's chart: assets by purchase year, one bar series per kind, drawn by pygal
as an SVG document (no script: `js=[]`, then `core.svg.sanitise`), shown in an <img>."""

import pygal
from pygal.style import Style

from deskside.assets.queries.asset_reports import AgeReport
from deskside.core.svg import sanitise

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#2f6fb0", "#e07b24", "#3a9a5b", "#c23b3b", "#7d5ba6", "#8c6d31", "#3fa7b5"),
    font_family="system-ui, sans-serif",
)


def age_svg(report: AgeReport, *, width: int = 900, height: int = 380) -> str:
    """The SVG document of the age report (stacked bars: years on x, a series per kind)."""
    drawing = pygal.StackedBar(
        js=[],
        style=STYLE,
        width=width,
        height=height,
        title=f"Assets in service by purchase year: {report.organization.name}",
        y_title="assets",
        legend_at_bottom=True,
        no_data_text="No assets in service",
        disable_xml_declaration=False,
        x_label_rotation=30 if len(report.years) > 10 else 0,
    )
    drawing.x_labels = report.years
    for kind, label in report.kinds:
        drawing.add(label, [report.table[year].get(kind, 0) for year in report.years])
    return sanitise(drawing.render(is_unicode=True))

"""The heat map of agents needed per hour of the week, drawn by pygal (server-side SVG).

A pygal `Dot` chart is a punch card: one row per weekday, one column per hour, each dot sized
by the people needed after shrinkage and coloured on a heat scale (pale yellow for few, dark
red for the busiest hour), so it reads as a heat map. The SVG must work offline and under the desk's
Content-Security-Policy (no inline script): pygal's tooltip script is a URL on a CDN by
default, so `js=[]` drops it, and `core.svg.sanitise()` drops any <script> and external link that a
pygal version might still add. The page shows the SVG in an <img>, where a browser runs no
script at all; its own <style> (pygal's colours) is allowed by the SVG response's policy.
"""

from __future__ import annotations

import pygal
from pygal.style import Style

from deskside.core.svg import sanitise
from deskside.staffing.calculator import WEEKDAYS, Result

# The heat scale, light to dark (ColorBrewer YlOrRd).
SCALE = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=(SCALE[-1],) * 7,
    font_family="system-ui, sans-serif",
)


def heat(value: int, top: int) -> str:
    """The colour of `value` on a scale whose darkest step is `top`."""
    if top <= 0:
        return SCALE[0]
    return SCALE[min(len(SCALE) - 1, round(value / top * (len(SCALE) - 1)))]


def heatmap(result: Result) -> str:
    """The SVG document of `result`'s agents (after shrinkage) per weekday and hour."""
    chart = pygal.Dot(
        js=[],
        style=STYLE,
        width=900,
        height=360,
        show_legend=False,
        x_label_rotation=0,
        show_y_guides=False,
        title=f"People needed per hour (after {round(result.request.shrinkage * 100)} % shrinkage)",
        disable_xml_declaration=False,
        truncate_label=-1,
    )
    chart.x_labels = [f"{h:02d}" for h in range(24)]
    top = max(h.agents_rostered for h in result.hours)
    for weekday, name in enumerate(WEEKDAYS):
        values = [result.hours[weekday * 24 + h].agents_rostered for h in range(24)]
        chart.add(name, [{"value": v, "color": heat(v, top)} for v in values])
    return sanitise(chart.render(is_unicode=True))

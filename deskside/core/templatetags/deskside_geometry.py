"""Template filters for chart geometry without inline styles (see deskside.core.geometry).

{% load deskside_geometry %}
<span class="gx-l-{{ band.left|tenths }} gx-w-{{ band.width|tenths }}"></span>
"""

from django import template

from deskside.core import geometry

register = template.Library()


@register.filter
def tenths(percent: float | int | str | None) -> int:
    """A percentage as tenths of a percent (0..1000), the N of gx-l-N and gx-w-N."""
    return geometry.tenths(percent)


@register.filter
def whole_percent(percent: float | int | str | None) -> int:
    """A percentage as a whole percent (0..100), the N of gx-h-N."""
    return geometry.whole_percent(percent)

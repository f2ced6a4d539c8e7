"""Template filters of the agent pages: relative times by the project clock, labels of the
raw values stored in timeline events, and the local time at a site."""

import zoneinfo
from datetime import datetime

from django import template
from django.utils.timesince import timesince

from deskside.core import clock
from deskside.tickets.models import Status

register = template.Library()


@register.filter
def ago(value: datetime | None) -> str:
    """'3 hours ago', measured against `clock.now()` so frozen test clocks agree."""
    if value is None:
        return ""
    now = clock.now()
    if value >= now:
        return "just now"
    text = timesince(value, now, depth=1)
    return "just now" if text.startswith("0\xa0") else f"{text} ago"


@register.filter
def status_label(value: str | None) -> str:
    """The label of a stored status value ('pending_customer' -> 'Pending customer')."""
    if not value:
        return ""
    try:
        return str(Status(value).label)
    except ValueError:
        return str(value)


@register.filter
def local_now(zone: str) -> str:
    """The current time in time zone `zone`, e.g. 'Mon 14:05 EST' ('' for an unknown zone).

    Formatted here, not with `|date`, which would convert back to the viewer's zone."""
    try:
        now = clock.now().astimezone(zoneinfo.ZoneInfo(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ""
    return now.strftime("%a %H:%M %Z")

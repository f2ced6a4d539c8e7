"""Template filters of the agent pages: relative times by the project clock, labels of the
raw values stored in timeline events, and the local time at a site."""

import zoneinfo
from datetime import datetime
from typing import Any

from django import template
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.timezone import localtime

from deskside.core import clock
from deskside.tickets import deadlines
from deskside.tickets.models import Status, Ticket

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


def duration_words(seconds: float) -> str:
    """A short duration: '3d 4h', '2h 15m', '45m', '<1m' (whole minutes, rounded down)."""
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {mins}m" if mins else f"{hours}h"
    return f"{mins}m" if mins else "<1m"


SLA_WORDS = {"ok": "On time", "at_risk": "At risk", "breached": "Breached", "paused": "Paused"}


NO_SLA = mark_safe('<span class="muted">—</span>')  # noqa: S308 - a constant


@register.simple_tag
def sla_badge(ticket: Ticket) -> str:
    """The time left on the ticket's earliest SLA clock, coloured by its state
    (`deadlines.sla_state`): green on time, amber at risk, red breached, grey paused. A running
    clock shows the wall-clock time to its due instant; a paused one shows "paused", since its
    due time moves when it resumes (the ticket page shows the working time it has left).

    Built here rather than in a template: it runs on every queue row."""
    now = clock.now()
    state = deadlines.sla_state(ticket, now)
    if state is None:
        return NO_SLA
    if ticket.sla_paused_at is not None:  # the due time moves on resume: no countdown
        text = "overdue, paused" if state == "breached" else "paused"
    elif state == "breached":
        text = f"{duration_words((now - ticket.sla_due).total_seconds())} over"
    else:
        text = f"{duration_words((ticket.sla_due - now).total_seconds())} left"
    label = SLA_WORDS[state]
    due = date_format(localtime(ticket.sla_due), "D j M H:i T")
    return format_html(
        '<span class="sla sla-{}" title="{} · due {}"><span class="visually-hidden">{}: </span>'
        "{}</span>",
        state,
        label,
        due,
        label,
        text,
    )


CLOCK_NAMES = {
    "first_response": "First response",
    "next_response": "Next response",
    "resolution": "Resolution",
}


@register.inclusion_tag("tickets/_sla_clocks.html")
def sla_clocks(ticket: Ticket) -> dict[str, object]:
    """The ticket page's SLA section: each clock with its due time and either how it ended
    (met or late) or the time left, in wall-clock time and in the contract's working time."""
    now = clock.now()
    rows: list[dict[str, object]] = []
    running: list[dict[str, object]] = []

    def add(kind: str, due: Any, done: Any = None) -> None:
        row = {"name": CLOCK_NAMES[kind], "due": due, "done": done}
        if done is not None:
            row["state"] = "met" if done <= due else "late"
        else:
            running.append(row)
        rows.append(row)

    stopped = ticket.status in deadlines.STOPPED
    if ticket.first_response_due:
        if ticket.first_responded_at is not None:
            add("first_response", ticket.first_response_due, ticket.first_responded_at)
        elif not stopped:
            add("first_response", ticket.first_response_due)
    if ticket.next_response_due and not stopped:
        add("next_response", ticket.next_response_due)
    if ticket.resolution_due:
        # A ticket closed without being resolved (or merged) stopped its clock when it closed.
        ended = (ticket.resolved_at or ticket.closed_at or ticket.updated_at) if stopped else None
        add("resolution", ticket.resolution_due, ended)
    if running:
        minutes = deadlines.engine().working_minutes_left(ticket, [r["due"] for r in running], now)
        at = ticket.sla_paused_at or now
        for row, left in zip(running, minutes or [None] * len(running), strict=True):
            past = row["due"] <= at  # type: ignore[operator]
            row["state"] = "breached" if past else "paused" if ticket.sla_paused_at else "running"
            row["left"] = left if left is None else duration_words(left * 60)
            if not ticket.sla_paused_at:
                row["wall"] = duration_words((row["due"] - now).total_seconds())  # type: ignore[operator]
    return {"rows": rows, "paused_at": ticket.sla_paused_at, "badge": sla_badge(ticket)}

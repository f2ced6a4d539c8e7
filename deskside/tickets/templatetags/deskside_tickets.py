"""Template filters of the agent pages: relative times by the project clock, labels of the
raw values stored in timeline events, and the local time at a site."""

import re
import zoneinfo
from datetime import datetime
from typing import Any

from django import template
from django.utils.dateformat import format as date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.timezone import localtime

from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.tickets import deadlines
from deskside.tickets.models import Channel, Status, Ticket, TicketType

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


# Timeline events store values, not labels (DESIGN.md: structured data for the hooks): the
# pages turn them into what people read. Times are stored as ISO 8601 in UTC and shown in the
# viewer's zone (the agent pages run under the agent's zone: tickets.views.agent_required).
CHOICES: dict[str, type] = {
    "channel": Channel,
    "type": TicketType,
    "status": Status,
    "tier": Tier,
    "from_tier": Tier,
    "to_tier": Tier,
}
FIELD_LABELS = {
    "first_response_due": "First response due",
    "next_response_due": "Next response due",
    "resolution_due": "Resolution due",
    "sla_due": "SLA due",
    "type": "Type",
}
TIME_FORMAT = "D j M Y, H:i T"
# An aware ISO 8601 timestamp, as `datetime.isoformat()` writes one (or with a "Z").
ISO_TIME = re.compile(
    r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:[+-]\d{2}:\d{2}|Z)"
)


def _local(text: str) -> str | None:
    """An aware ISO timestamp as the viewer reads it, or None when `text` is not one."""
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            return None
        # A moment at the edge of the calendar (year 1 or 9999 with an offset) overflows when
        # moved to the viewer's zone: anyone can write one into a reply; it stays as written.
        return date_format(localtime(moment), TIME_FORMAT)
    except (ValueError, OverflowError):
        return None


@register.filter
def field_label(field: str) -> str:
    """The name of a changed field as people read it ('first_response_due' -> 'First
    response due')."""
    return FIELD_LABELS.get(field, str(field).replace("_", " ").capitalize())


@register.filter
def shown(value: Any, field: str = "") -> Any:
    """A value stored in an event, as people read it: the label of a choice value
    ('walk_up' -> 'Walk-up'), a stored ISO time in the viewer's zone, else the value."""
    if isinstance(value, str):
        choices = CHOICES.get(field)
        if choices is not None:
            try:
                return str(choices(value).label)
            except ValueError:
                return value
        if ISO_TIME.fullmatch(value):
            return _local(value) or value
    return value


@register.filter(needs_autoescape=True)
def local_times(text: str, autoescape: bool = True) -> SafeString:
    """Event text with every stored ISO time in it shown in the viewer's zone ("SLA first
    response due soon (due 2026-12-06T07:26:31+00:00)" -> "... (due Sun 6 Dec 2026, 08:26
    CET)"). The text is escaped first; the times it replaces hold no markup."""
    escaped = conditional_escape(text) if autoescape else str(text)
    return mark_safe(  # noqa: S308 - escaped above; the replacements are plain dates
        ISO_TIME.sub(lambda m: _local(m.group(0)) or m.group(0), escaped)
    )


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


NO_SLA = mark_safe('<span class="muted">—</span>')  # a constant


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

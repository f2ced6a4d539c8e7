"""`{% handover_notes ticket %}`: the handover notes that mention a ticket, on its page
(tickets/detail.html includes handovers/_ticket_notes.html, which uses this)."""

from datetime import datetime
from typing import Any

from django import template

from deskside.handovers.queries import notes_about

register = template.Library()


@register.simple_tag(takes_context=True)
def handover_notes(context: template.Context, ticket: Any) -> list:
    return notes_about(ticket, context["request"].user)


@register.filter
def iso(value: str | None) -> datetime | None:
    """An ISO 8601 string of a compiled section (JSON keeps times as text) as a datetime."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None

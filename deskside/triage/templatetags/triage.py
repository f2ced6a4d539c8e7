"""`{% triage_suggestions ticket as found %}`: the model's suggestions for a new ticket, on its
page (tickets/detail.html includes triage/_ticket_suggestions.html, which uses this)."""

from typing import Any

from django import template

from deskside.accounts.permissions import is_agent
from deskside.triage import queries, suggestions

register = template.Library()


@register.simple_tag(takes_context=True)
def triage_suggestions(context: template.Context, ticket: Any) -> list[dict[str, Any]]:
    """Each suggestion with whether accepting it would change the ticket; empty for anyone
    but an agent, for a ticket already picked up, or when no model was trained."""
    request = context.get("request")
    if request is None or not is_agent(request.user) or not queries.is_new(ticket):
        return []
    found = suggestions.for_ticket(ticket)
    if found is None:
        return []
    return [
        {"item": item, "differs": suggestions.differs(ticket, item), "version": found.version}
        for item in found.items
    ]

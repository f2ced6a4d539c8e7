"""`{% ticket_problems ticket as prb %}`: on the ticket page (tickets/detail.html includes
problems/_ticket_panel.html), the known errors the ticket matched when it was created, the
problems it is linked to and those it could be linked to. Agents only: None for anyone else.
Three small indexed queries; the match itself was computed when the ticket was created."""

from typing import Any

from django import template

from deskside.accounts.permissions import is_agent
from deskside.problems import queries

register = template.Library()
LINKABLE = 20


@register.simple_tag(takes_context=True)
def ticket_problems(context: template.Context, ticket: Any) -> dict[str, Any] | None:
    user = context["request"].user
    if not is_agent(user):
        return None
    return {
        "known_errors": queries.known_errors_for(user, ticket),
        "linked": list(queries.problems_of_ticket(user, ticket)),
        "linkable": list(queries.linkable_problems(user, ticket)[:LINKABLE]),
    }

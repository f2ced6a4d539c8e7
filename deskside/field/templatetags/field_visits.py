"""`{% portal_visits ticket user %}`: the visits of a ticket on the portal's ticket page, as
`field.queries.customer_view` gives them (date, window, status, the technician's first name;
nothing internal). Only visits the customer may see (`visits_visible_to`): a customer of
another client gets nothing, as the portal gives them no such ticket anyway."""

from typing import Any

from django import template

from deskside.accounts.models import User
from deskside.field.queries import customer_view, visits_visible_to
from deskside.tickets.models import Ticket

register = template.Library()
SHOWN = 20


@register.inclusion_tag("field/_portal_visits.html")
def portal_visits(ticket: Ticket, user: User) -> dict[str, Any]:
    if not user.is_authenticated or not user.is_customer:
        return {"visits": []}
    rows = (
        visits_visible_to(user)
        .filter(ticket=ticket)
        .select_related("technician")
        .order_by("-window_start", "-id")[:SHOWN]
    )
    return {"visits": [customer_view(v) for v in rows]}

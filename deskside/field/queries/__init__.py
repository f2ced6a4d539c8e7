"""Who may see which visits, clearances and time: every page and endpoint reads through these.

Agents see the visits of the clients they serve (all, when unrestricted). A customer sees the
visits of the tickets they may see (`tickets.queries.visible_tickets`), and of each only what
`customer_view` gives: the date, the window, the status and the technician's first name.
"""

from typing import Any

from django.db.models import QuerySet

from deskside.accounts.models import User
from deskside.accounts.queries import served_organization_ids
from deskside.field.models import Clearance, TimeEntry, Visit
from deskside.tickets.queries import visible_tickets


def visits_visible_to(user: User) -> QuerySet[Visit]:
    qs = Visit.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_agent:
        ids = served_organization_ids(user)
        return qs if ids is None else qs.filter(organization_id__in=ids)
    return qs.filter(ticket__in=visible_tickets(user))


def clearances_visible_to(user: User) -> QuerySet[Clearance]:
    """Agents only: the clearances at the clients they serve."""
    qs = Clearance.objects.select_related("technician", "organization")
    if not user.is_authenticated or not user.is_active or not user.is_agent:
        return qs.none()
    ids = served_organization_ids(user)
    return qs if ids is None else qs.filter(organization_id__in=ids)


def time_visible_to(user: User) -> QuerySet[TimeEntry]:
    """Agents only: entries at the clients they serve, and their own (training has no client)."""
    qs = TimeEntry.objects.all()
    if not user.is_authenticated or not user.is_active or not user.is_agent:
        return qs.none()
    ids = served_organization_ids(user)
    if ids is None:
        return qs
    return qs.filter(organization_id__in=ids) | qs.filter(agent=user)


def first_name(person: User | None) -> str:
    """A person's first name, never their address (an agent with no name is "a technician")."""
    if person is None:
        return ""
    return person.full_name.split()[0] if person.full_name.strip() else "a technician"


def customer_view(visit: Visit) -> dict[str, Any]:
    """What a customer is shown of a visit of their ticket: nothing internal, the technician
    by first name only."""
    tech = visit.technician
    return {
        "id": visit.public_id,
        "status": visit.status,
        "status_label": visit.get_status_display(),
        "window_start": visit.window_start,
        "window_end": visit.window_end,
        "scheduled_start": visit.scheduled_start,
        "technician": first_name(tech),
    }

"""Read-side queries of the paging app. Tenancy: an escalation or a page is visible to an
agent who can see its ticket (deskside.tickets.queries.visible_tickets); customers see none."""

from django.db.models import QuerySet

from deskside.accounts.models import User
from deskside.paging.models import ContactMethod, Escalation, EscalationPolicy, Page
from deskside.tickets.models import Ticket
from deskside.tickets.queries import visible_tickets

OPEN = (Escalation.Status.ACTIVE, Escalation.Status.EXHAUSTED)


def escalations_visible_to(user: User) -> QuerySet[Escalation]:
    """Chains of the tickets `user` may see (agents only; none for a customer)."""
    if not user.is_agent:
        return Escalation.objects.none()
    return Escalation.objects.filter(ticket__in=visible_tickets(user)).select_related(
        "ticket__organization", "policy", "acknowledged_by"
    )


def open_escalations(user: User) -> QuerySet[Escalation]:
    return escalations_visible_to(user).filter(status__in=OPEN).order_by("started_at", "id")


def pages_visible_to(user: User, *, mine: bool = False) -> QuerySet[Page]:
    """Pages of the tickets `user` may see; with `mine`, only those sent to `user`."""
    if not user.is_agent:
        return Page.objects.none()
    qs = Page.objects.filter(ticket__in=visible_tickets(user))
    if mine:
        qs = Page.objects.filter(user=user, ticket__in=visible_tickets(user))
    return qs.select_related("ticket__organization", "escalation", "user").order_by("-id")


def escalations_of(ticket: Ticket) -> QuerySet[Escalation]:
    return (
        Escalation.objects.filter(ticket=ticket)
        .select_related("policy__team__lead", "acknowledged_by")
        .order_by("-started_at", "-id")
    )


def contact_methods_of(user: User) -> QuerySet[ContactMethod]:
    return ContactMethod.objects.filter(user=user).order_by("position", "id")


def policies() -> QuerySet[EscalationPolicy]:
    return EscalationPolicy.objects.select_related("team__lead").prefetch_related(
        "steps__schedule", "steps__user", "steps__team"
    )

"""Who may see which surveys and follow-ups. Every page and endpoint reads through these.

Agents: the surveys of the clients they serve (all clients when unrestricted). Customers:
their own surveys only (as requester), never a colleague's and never a report. Nobody else
anything."""

from django.db.models import QuerySet

from deskside.accounts.models import User
from deskside.accounts.queries import served_organization_ids
from deskside.surveys.models import FollowUp, Survey
from deskside.tickets.models import Ticket

RELATED = ("organization", "requester", "agent", "team")


def surveys_visible_to(user: User) -> QuerySet[Survey]:
    qs = Survey.objects.select_related(*RELATED)
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_agent:
        ids = served_organization_ids(user)
        return qs if ids is None else qs.filter(organization_id__in=ids)
    return qs.filter(requester=user)


def follow_ups_visible_to(user: User) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.select_related("organization", "team", "lead", "done_by", "survey")
    if not user.is_authenticated or not user.is_active or not user.is_agent:
        return qs.none()
    ids = served_organization_ids(user)
    return qs if ids is None else qs.filter(organization_id__in=ids)


def survey_of(user: User, ticket: Ticket) -> Survey | None:
    """The survey of `ticket` that `user` may see: a customer only their own."""
    return surveys_visible_to(user).filter(ticket_id=ticket.pk).first()

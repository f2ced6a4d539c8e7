"""Who may read which monthly client report: agents serving the client, and the client's own
organisation admins (their organisation only). Everything else about reports is agents only."""

from __future__ import annotations

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import is_agent, is_customer
from deskside.accounts.queries import organizations_visible_to, serves


def may_read_monthly(user: User, organization: Organization) -> bool:
    if is_agent(user):
        return serves(user, organization.pk)
    return bool(is_customer(user) and user.is_org_admin and user.organization_id == organization.pk)


def monthly_clients(user: User) -> list[Organization]:
    """The clients whose monthly reports `user` may read, by name."""
    if is_agent(user):
        return list(organizations_visible_to(user).order_by("name"))
    if is_customer(user) and user.is_org_admin and user.organization_id:
        return list(Organization.objects.filter(pk=user.organization_id))
    return []

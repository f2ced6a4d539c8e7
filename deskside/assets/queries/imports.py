"""The clients an agent may import assets for: those they serve (never the MSP itself)."""

from __future__ import annotations

from django.db.models import QuerySet

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import is_agent
from deskside.accounts.queries import organizations_visible_to


def import_clients(user: User) -> QuerySet[Organization]:
    """The clients `user` may import assets for, by name (none for a customer)."""
    if not is_agent(user):
        return Organization.objects.none()
    return organizations_visible_to(user).filter(is_msp=False).order_by("name")


def import_client(user: User, slug: str) -> Organization | None:
    return import_clients(user).filter(slug=slug).first() if slug else None

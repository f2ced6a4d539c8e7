"""Notification fixtures: an L2 colleague of Leo's on the desktop team, an agent who serves
only Globex (never told about Acme's tickets), and the reads the tests make."""

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.notifications.models import Notification


@pytest.fixture
def lena(msp, desktop_team):
    """Another L2 technician on the desktop team."""
    return accounts.create_user(
        email="lena@msp.example",
        full_name="Lena Second",
        password="lena-pass-123",
        kind="agent",
        tier=Tier.L2,
        organization=msp,
        teams=[desktop_team],
    )


@pytest.fixture
def gus(msp, globex, desktop_team):
    """An L2 technician on the desktop team who serves Globex only."""
    user = accounts.create_user(
        email="gus@msp.example",
        full_name="Gus Globex",
        password="gus-pass-123",
        kind="agent",
        tier=Tier.L2,
        organization=msp,
        teams=[desktop_team],
    )
    user.served_organizations.set([globex])
    return user


def told(user, kind=None) -> list[Notification]:
    qs = Notification.objects.filter(recipient=user).order_by("id")
    if kind is not None:
        qs = qs.filter(kind=kind)
    return list(qs)


def kinds_of(user) -> list[str]:
    return [n.kind for n in told(user)]

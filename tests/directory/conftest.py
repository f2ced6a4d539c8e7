"""Personas of the directory tests: an L1 agent limited to Acme (`lim`), and an admin who
serves only Acme (`acme_admin`)."""

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier


@pytest.fixture
def lim(msp, acme, helpdesk):
    """An L1 agent who serves Acme only: never sees or edits Globex's contacts or sites."""
    user = accounts.create_user(
        email="lim@msp.example",
        full_name="Lim Limited",
        kind="agent",
        tier=Tier.L1,
        organization=msp,
        teams=[helpdesk],
    )
    user.served_organizations.set([acme])
    return user


@pytest.fixture
def acme_admin(admin_serving, acme):
    return admin_serving(acme, email="acme-admin@msp.example")

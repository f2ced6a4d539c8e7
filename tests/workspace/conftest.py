import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier


@pytest.fixture
def restricted(msp, acme, helpdesk):
    """An L1 agent on the help desk (Alice's team) who serves Acme only."""
    user = accounts.create_user(
        email="rita@msp.example",
        full_name="Rita Restricted",
        kind="agent",
        tier=Tier.L1,
        organization=msp,
        teams=[helpdesk],
    )
    user.served_organizations.set([acme])
    return user

"""Macros for the macro tests, built through the services as a manager would."""

import pytest

from deskside.macros import services
from deskside.tickets.models import Status


@pytest.fixture
def waiting_macro(admin, leo):
    """A global macro: a public reply that waits on the customer and adds Leo as a watcher."""
    return services.create_macro(
        actor=admin,
        name="Waiting for your reply",
        body="Hi {{requester.first_name}}, about {{ticket.number}}: could you tell us more? "
        "{{agent.first_name}}",
        set_status=Status.PENDING_CUSTOMER,
        add_watcher=leo,
    )


@pytest.fixture
def network_macro(tara, network_team):
    """A macro of the network team (led by Tara): an internal note, nothing else."""
    return services.create_macro(
        actor=tara,
        name="Firewall checked",
        body="Checked the firewall rules for {{client.name}} at {{site.name}}.",
        team=network_team,
        reply_kind="note",
    )

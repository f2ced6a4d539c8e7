"""The desk of the triage tests: the four teams of the synthetic history (Help Desk L1, Desktop
Support L2, Network L3, Servers L3), one agent in each, and a resolved history with planted
patterns (deskside.triage.synthetic) for Acme and Globex.

The network team's only engineer (Tara) serves Globex alone, so the network team does not
serve Acme: a VPN ticket of Acme must never be suggested to it.

The history is written with bulk_create (it is data to learn from, already resolved; the
behaviour under test is built through the services: the new tickets, the settings, the
accepts). Times are relative to the clock, so the tests hold at any instant.
"""

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.tickets.models import Ticket
from deskside.triage import suggestions, training
from tests.triage.history import write_history

HISTORY = 600


@pytest.fixture(autouse=True)
def _fresh_model():
    suggestions.forget()
    yield
    suggestions.forget()


@pytest.fixture
def servers_team(db):
    return accounts.create_team(name="Servers L3", tier=Tier.L3)


@pytest.fixture
def sam(msp, servers_team):
    return accounts.create_user(
        email="sam@msp.example",
        full_name="Sam Servers",
        kind="agent",
        tier=Tier.L3,
        organization=msp,
        teams=[servers_team],
    )


@pytest.fixture
def teams(helpdesk, desktop_team, network_team, servers_team, alice, leo, tara, sam, globex):
    tara.served_organizations.set([globex])
    return {t.name: t for t in (helpdesk, desktop_team, network_team, servers_team)}


@pytest.fixture
def history(teams, acme, globex, carol, dave):
    """`history(n)` writes n resolved tickets of the synthetic history, oldest first, the
    last one an hour ago."""

    def make(n: int = HISTORY, seed: int = 16) -> list[Ticket]:
        return write_history(teams, [(acme, carol), (globex, dave)], n, seed=seed)

    return make


@pytest.fixture
def trained(history, admin):
    history()
    return training.train(actor=admin)

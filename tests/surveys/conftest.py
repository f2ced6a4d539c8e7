"""Builders for the surveys tests: tickets resolved through the services, at frozen times."""

from datetime import UTC, datetime

import pytest

from deskside.core import clock
from deskside.surveys.models import Survey
from deskside.tickets import services as tickets

RESOLVED = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture
def resolve(alice):
    """`resolve(ticket, at=..., actor=...)` -> the ticket's survey after resolving it."""

    def make(ticket, *, at=RESOLVED, actor=None):
        with clock.frozen(at):
            ticket.refresh_from_db()
            tickets.resolve_ticket(actor=actor or alice, ticket=ticket, resolution="Fixed it.")
        return Survey.objects.filter(ticket=ticket).first()

    return make


@pytest.fixture
def network_ticket(make_ticket, carol, network_team, tara):
    """An Acme ticket of the network team (lead: Tara), assigned to Tara."""
    with clock.frozen(datetime(2026, 3, 9, 9, 0, tzinfo=UTC)):
        return make_ticket(carol, team=network_team, assignee=tara, tier="L3")

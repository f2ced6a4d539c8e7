"""SLA warnings and breaches, written by the SLA worker's bulk INSERT and heard through
`events_written`, notify the assignee, or the team lead of an unassigned ticket."""

import pytest

from deskside.notifications.models import Kind
from deskside.sla import worker as sla_worker
from tests.notifications.conftest import told
from tests.sla.conftest import berlin


@pytest.fixture
def sla_ticket(contracts, at, make_ticket, carol, leo, network_team):
    """Acme P3 opened Monday 10:00 Berlin on the network team (lead Tara), assigned to Leo:
    the first-response warning fires at 10:45."""
    at(berlin(2, 10))
    return make_ticket(carol, assignee=leo, team=network_team)


def test_the_sla_warning_and_breach_tell_the_assignee(sla_ticket, at, leo, tara, alice):
    at(berlin(2, 10, 45))
    assert sla_worker.tick().warnings == 1
    [n] = told(leo, Kind.SLA)
    assert n.ticket_id == sla_ticket.pk and n.event_id is None and n.actor_id is None
    assert n.title.startswith(f"{sla_ticket.number}: SLA first response due soon")
    at(berlin(2, 11))
    assert sla_worker.tick().breaches == 1
    assert [n.title.split(" (")[0] for n in told(leo, Kind.SLA)] == [
        f"{sla_ticket.number}: SLA first response due soon",
        f"{sla_ticket.number}: SLA first response breached",
    ]
    assert told(tara) == []  # the ticket has an assignee: the lead is not told


def test_an_unassigned_tickets_sla_warning_tells_the_team_lead(
    contracts, at, make_ticket, carol, tara, network_team
):
    at(berlin(2, 10))
    ticket = make_ticket(carol, team=network_team)
    at(berlin(2, 10, 45))
    sla_worker.tick()
    assert [n.ticket_id for n in told(tara, Kind.SLA)] == [ticket.pk]

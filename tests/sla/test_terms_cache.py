"""terms_for reads the SLA set-up from the process's copy while the set-up token holds, and
sees every saved or deleted calendar, contract or target at once (signals renew the token)."""

from deskside.sla.engine import terms_for
from deskside.sla.models import Contract, SetupVersion, SLATarget
from deskside.tickets.models import Priority, Ticket
from tests.sla.conftest import berlin


def test_the_copy_costs_one_small_query_while_nothing_changes(
    contracts, at, make_ticket, carol, django_assert_num_queries
):
    at(berlin(2, 10))
    ticket = make_ticket(carol)
    terms_for(ticket)
    with django_assert_num_queries(1):
        terms = terms_for(ticket)
    assert terms.minutes("first_response") == 60


def test_changes_are_seen_at_once(contracts, at, make_ticket, carol):
    acme_contract, default_contract = contracts
    at(berlin(2, 10))
    ticket = make_ticket(carol)
    before = SetupVersion.objects.get(pk=1).token
    assert terms_for(ticket).minutes("first_response") == 60

    target = SLATarget.objects.get(contract=acme_contract, priority=Priority.P3)
    target.first_response_minutes = 30  # as the admin or a script would, past the services
    target.save()
    assert SetupVersion.objects.get(pk=1).token != before
    assert terms_for(ticket).minutes("first_response") == 30

    acme_contract.targets.all().delete()
    Contract.objects.filter(pk=acme_contract.pk).delete()
    assert terms_for(Ticket.objects.get(pk=ticket.pk)).contract == default_contract
    assert terms_for(ticket).minutes("first_response") == 240

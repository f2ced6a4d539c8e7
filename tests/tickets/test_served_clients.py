"""Agents limited to some clients (`served_organizations`) are never put on another client's
ticket: not as assignee at creation, by assignment or escalation, nor as watcher; and the
agent pages' pickers do not offer them there."""

import pytest
from django.urls import reverse

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.tickets import services
from deskside.tickets.exceptions import InvalidInput
from deskside.tickets.forms import AssignForm, EscalateForm, WatchersForm
from deskside.tickets.models import EventKind, Ticket


@pytest.fixture
def rita(msp, globex):
    """An L2 technician who serves Globex only."""
    user = accounts.create_user(
        email="rita@msp.example",
        full_name="Rita Restricted",
        kind="agent",
        tier=Tier.L2,
        organization=msp,
    )
    user.served_organizations.set([globex])
    return user


def _events(ticket: Ticket) -> list[str]:
    return list(ticket.events.values_list("kind", flat=True))


def test_create_refuses_an_assignee_or_watcher_who_does_not_serve_the_client(alice, carol, rita):
    for kwargs, field in (({"assignee": rita}, "assignee"), ({"watchers": [rita]}, "watchers")):
        with pytest.raises(InvalidInput) as err:
            services.create_ticket(
                actor=alice,
                ticket=services.NewTicket(requester=carol, subject="Printer", **kwargs),
            )
        assert err.value.field == field
    assert not Ticket.objects.exists()


def test_assign_escalate_and_watch_refuse_an_agent_of_other_clients(alice, acme_ticket, rita):
    before = _events(acme_ticket)
    with pytest.raises(InvalidInput) as err:
        services.assign_ticket(actor=alice, ticket=acme_ticket, assignee=rita)
    assert err.value.field == "assignee"
    with pytest.raises(InvalidInput) as err:
        services.escalate_ticket(
            actor=alice,
            ticket=acme_ticket,
            tier=Tier.L2,
            assignee=rita,
            symptoms="s",
            steps_tried="t",
            impact="i",
        )
    assert err.value.field == "assignee"
    with pytest.raises(InvalidInput) as err:
        services.set_watchers(actor=alice, ticket=acme_ticket, watchers=[rita])
    assert err.value.field == "watchers"
    acme_ticket.refresh_from_db()
    assert acme_ticket.assignee is None and acme_ticket.tier == Tier.L1
    assert not acme_ticket.watchers.exists()
    assert _events(acme_ticket) == before


def test_an_agent_serving_the_client_is_accepted(alice, dave, rita, globex_ticket):
    services.escalate_ticket(
        actor=alice,
        ticket=globex_ticket,
        tier=Tier.L2,
        assignee=rita,
        symptoms="s",
        steps_tried="t",
        impact="i",
    )
    services.set_watchers(actor=alice, ticket=globex_ticket, watchers=[rita, dave])
    made = services.create_ticket(
        actor=alice,
        ticket=services.NewTicket(requester=dave, subject="VPN", assignee=rita, watchers=[rita]),
    ).ticket
    globex_ticket.refresh_from_db()
    assert globex_ticket.assignee == rita and made.assignee == rita
    assert set(globex_ticket.watchers.all()) == {rita, dave}


def test_a_watcher_whose_clients_changed_may_stay(alice, carol, leo, acme_ticket, globex):
    services.set_watchers(actor=alice, ticket=acme_ticket, watchers=[leo])
    leo.served_organizations.set([globex])
    leo = type(leo).objects.get(pk=leo.pk)  # forget the cached served ids
    services.set_watchers(actor=alice, ticket=acme_ticket, watchers=[leo, carol])
    assert set(acme_ticket.watchers.all()) == {leo, carol}
    assert acme_ticket.events.filter(kind=EventKind.WATCHERS).count() == 2


def _choices(form, field: str) -> set[str]:
    return {str(label) for value, label in form.fields[field].choices if value}


def test_pickers_offer_only_agents_serving_the_ticket_client(
    alice, leo, rita, carol, dave, acme_ticket, globex_ticket
):
    for ticket, offered, hidden in (
        (acme_ticket, {"Leo Field (L2)"}, "Rita Restricted (L2)"),
        (globex_ticket, {"Leo Field (L2)", "Rita Restricted (L2)"}, None),
    ):
        assign = AssignForm(ticket=ticket, user=alice)
        escalate = EscalateForm(ticket=ticket, user=alice)
        assert offered | {"Alice Agent (L1)"} == _choices(assign, "assignee")
        assert offered == _choices(escalate, "assignee")
        watchers = _choices(WatchersForm(ticket=ticket, user=alice), "watchers")
        assert {w.replace(" (agent)", " (L2)") for w in watchers} >= offered
        if hidden:
            assert "Rita Restricted (agent)" not in watchers
            assert "Carol Customer (contact)" in watchers and "Dave Other (contact)" not in watchers


def test_ticket_page_does_not_offer_them(client, alice, rita, acme_ticket, globex_ticket):
    client.force_login(alice)
    assert "Rita Restricted" not in client.get(acme_ticket.get_absolute_url()).text
    assert "Rita Restricted" in client.get(globex_ticket.get_absolute_url()).text
    # A forged choice is refused by the form before any service runs.
    response = client.post(
        reverse("tickets:act", args=[acme_ticket.number, "assign"]),
        {"assignee": rita.public_id},
    )
    assert response.status_code == 422
    acme_ticket.refresh_from_db()
    assert acme_ticket.assignee is None

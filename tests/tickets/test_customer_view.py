"""One customer view of a ticket: the portal page and the API's timeline show a customer the
same events, the same names and none of the desk's internals (`tickets.queries`); agents
still see everything."""

import pytest

from deskside.accounts.models import Tier
from deskside.accounts.queries import person_shown_to
from deskside.tickets import services
from deskside.tickets.models import EventKind, Status
from deskside.tickets.queries import INTERNAL_DATA, INTERNAL_KINDS
from deskside.tickets.timeline import write_event
from tests.conftest import client_for

SECRETS = ("SECRET", "Alice Agent", "Leo Field", "Help Desk L1", "Desktop Support L2")


@pytest.fixture
def busy_ticket(make_ticket, alice, leo, carol, helpdesk, desktop_team):
    """A ticket opened with a team and an assignee, with every kind of internal step on it,
    one of them marked public by mistake, and a public conversation."""
    ticket = make_ticket(carol, team=helpdesk, assignee=alice)
    services.add_note(actor=alice, ticket=ticket, body="SECRET-NOTE")
    services.log_call(actor=alice, ticket=ticket, minutes=3, body="SECRET-CALL")
    services.add_reply(actor=alice, ticket=ticket, body="We are looking into it.")
    services.add_reply(actor=carol, ticket=ticket, body="Still offline.")
    services.update_ticket(actor=alice, ticket=ticket, subject="Printer offline (floor 2)")
    services.escalate_ticket(
        actor=alice,
        ticket=ticket,
        tier=Tier.L2,
        symptoms="SECRET-SYMPTOMS",
        steps_tried="SECRET-STEPS",
        impact="SECRET-IMPACT",
        team=desktop_team,
        assignee=leo,
    )
    services.set_status(actor=leo, ticket=ticket, status=Status.PENDING_VENDOR)
    write_event(ticket, EventKind.NOTE, leo, public=True, body="SECRET-MISMARKED")
    services.resolve_ticket(actor=leo, ticket=ticket, resolution="New toner.")
    return ticket


def portal_timeline(user, ticket):
    client = client_for(user)
    client.force_login(user)
    page = client.get(f"/portal/{ticket.number}/")
    assert page.status_code == 200
    return page, page.context["timeline"]


def api_timeline(user, ticket):
    response = client_for(user).get(f"/api/v1/tickets/{ticket.number}/events?limit=100")
    assert response.status_code == 200, response.content
    return response, response.json()["items"]


def test_portal_and_api_show_a_customer_the_same_timeline(carol, busy_ticket):
    page, entries = portal_timeline(carol, busy_ticket)
    response, items = api_timeline(carol, busy_ticket)

    # the same events, in the same order, none of them internal
    assert [(e.event.kind, e.event.body) for e in entries] == [
        (i["kind"], i["body"]) for i in items
    ]
    kinds = [i["kind"] for i in items]
    assert kinds == [
        EventKind.CREATED,
        EventKind.REPLY,
        EventKind.REPLY,
        EventKind.STATUS,
        EventKind.RESOLVED,
    ]
    assert not set(kinds) & set(INTERNAL_KINDS)

    # the same names: the desk by first name, the customer by her own
    api_names = [i["actor"]["name"] for i in items]
    assert api_names == [person_shown_to(carol, e.event.actor) for e in entries]
    assert set(api_names) == {"Alice", "Leo", "Carol Customer"}
    assert [e.who for e in entries] == [
        "Alice (service desk)",
        "Alice (service desk)",
        "You",
        "Leo (service desk)",
        "Leo (service desk)",
    ]

    # no internal data: not on the page, not in the API's answer
    created = items[0]["data"]
    assert not created.keys() & INTERNAL_DATA
    assert created == {"channel": "phone", "priority": "P3", "type": "incident"}
    for secret in SECRETS:
        assert secret not in page.text
        assert secret not in response.text


def test_agents_still_see_everything(alice, busy_ticket):
    response, items = api_timeline(alice, busy_ticket)
    assert len(items) == busy_ticket.events.count()
    assert {EventKind.NOTE, EventKind.CALL, EventKind.ESCALATED, EventKind.CHANGED} <= {
        i["kind"] for i in items
    }
    created = items[0]["data"]
    assert created["team"] == "Help Desk L1"
    assert created["assignee"] == "Alice Agent"
    assert created["tier"] == Tier.L1
    assert {"Alice Agent", "Leo Field"} <= {i["actor"]["name"] for i in items}
    assert "SECRET-MISMARKED" in response.text


def test_a_person_as_each_viewer_sees_them(alice, leo, carol, olivia):
    assert person_shown_to(carol, leo) == "Leo"  # a customer knows the desk by first name
    assert person_shown_to(None, leo) == "Leo"
    assert person_shown_to(carol, olivia) == "Olivia Admin"  # a colleague by full name
    assert person_shown_to(alice, leo) == "Leo Field"
    assert person_shown_to(leo, leo) == "Leo Field"
    assert person_shown_to(alice, carol) == "Carol Customer"

"""A customer knows only the agents who worked on their tickets (issue 12 item 10): the
assignee, or the author of a public event, of a ticket the customer may see; and only by
display name (the first name, as the portal shows it): no email, tier or organisation. Through
the directory (`/users`), the tickets API (people named in input, watchers, event data) and
the portal. Customers of two clients: neither learns of the other's agents."""

import pytest
from django.test import Client
from django.urls import reverse

from deskside.tickets import services
from deskside.tickets.queries import agents_who_worked_for, people_visible_to
from tests.conftest import client_for

AGENT_FIELDS = {"public_id", "name", "email", "kind", "tier", "organization"}


def agents_seen(customer) -> dict[str, dict]:
    answer = client_for(customer).get("/api/v1/users", {"kind": "agent"})
    assert answer.status_code == 200
    return {u["public_id"]: u for u in answer.json()["items"]}


@pytest.fixture
def desk(make_ticket, alice, leo, tara, admin, carol, olivia, dave):
    """Alice logged Carol's ticket (its public created event); Leo only wrote an internal
    note on it; Tara logged Dave's ticket and replied; Tara also answered a ticket Olivia
    requested (Carol, not an organisation admin, does not see it); the administrator watches
    Carol's ticket without working on it."""
    acme = make_ticket(carol)
    services.add_note(actor=leo, ticket=acme, body="Looked at the logs")
    services.set_watchers(actor=alice, ticket=acme, watchers=[admin, olivia])
    globex = make_ticket(dave, actor=tara, subject="VPN drops")
    services.add_reply(actor=tara, ticket=globex, body="Checking the tunnel")
    olivias = make_ticket(olivia, actor=alice, subject="New laptop")
    services.add_reply(actor=tara, ticket=olivias, body="Ordered")
    return acme, globex, olivias


def test_each_customer_sees_only_the_agents_of_their_tickets(
    desk, alice, leo, tara, admin, carol, olivia, dave
):
    assert set(agents_seen(carol)) == {alice.public_id}  # not Leo's note, not the watcher
    assert set(agents_seen(dave)) == {tara.public_id}  # not Alice of the other client
    assert set(agents_seen(olivia)) == {alice.public_id, tara.public_id}  # the whole org
    assert set(agents_who_worked_for(dave)) == {tara}
    # An agent sees every agent, as before.
    assert {leo, admin, alice, tara} <= set(people_visible_to(alice))


def test_an_agent_is_shown_by_display_name_only(desk, alice, tara, carol, dave):
    (seen,) = agents_seen(carol).values()
    assert set(seen) == AGENT_FIELDS
    assert seen == {
        "public_id": alice.public_id,
        "name": "Alice",
        "email": None,
        "kind": "agent",
        "tier": None,
        "organization": None,
    }
    body = client_for(dave).get("/api/v1/users").content.decode()
    for hidden in ("Tara Lead", "tara@msp.example", "L3", "Deskside MSP", "Alice"):
        assert hidden not in body, hidden


def test_assigning_makes_the_agent_known(desk, alice, leo, carol, dave):
    acme, _, _ = desk
    services.assign_ticket(actor=alice, ticket=acme, assignee=leo)
    assert leo.public_id in agents_seen(carol)
    assert leo.public_id not in agents_seen(dave)


def test_the_ticket_api_shows_no_agent_internals(desk, alice, admin, carol, olivia):
    acme, _, _ = desk
    services.assign_ticket(actor=alice, ticket=acme, assignee=alice)
    api = client_for(carol)
    ticket = api.get(f"/api/v1/tickets/{acme.number}").json()
    assert ticket["assignee"] == {"public_id": alice.public_id, "name": "Alice", "email": None}
    # The administrator watching the ticket is the desk's matter; Olivia is Carol's colleague.
    assert [w["public_id"] for w in ticket["watchers"]] == [olivia.public_id]
    events = api.get(f"/api/v1/tickets/{acme.number}/events").json()["items"]
    created = next(e for e in events if e["kind"] == "created")
    assert not {"team", "tier", "assignee"} & set(created["data"])
    assert created["actor"] == {"public_id": alice.public_id, "name": "Alice", "email": None}
    text = str(ticket) + str(events)
    for hidden in ("Alice Agent", "alice@msp.example", "Root", "Leo", "Looked at the logs"):
        assert hidden not in text, hidden
    # The agent still reads it all.
    agent_view = client_for(alice).get(f"/api/v1/tickets/{acme.number}").json()
    assert agent_view["assignee"]["email"] == "alice@msp.example"
    assert {w["public_id"] for w in agent_view["watchers"]} == {admin.public_id, olivia.public_id}


def test_a_customer_cannot_name_an_agent_they_do_not_know(desk, tara, leo, carol):
    api = client_for(carol)
    answer = api.get("/api/v1/tickets", {"assignee": tara.public_id})
    assert answer.status_code == 422 and answer.json()["field"] == "assignee"
    answer = api.post("/api/v1/tickets", {"subject": "Hi", "watchers": [leo.public_id]})
    assert answer.status_code == 422 and answer.json()["field"] == "watchers"


def test_the_portal_names_agents_by_first_name(desk, carol):
    acme, _, _ = desk
    portal = Client()
    portal.force_login(carol)
    page = portal.get(reverse("portal:detail", args=[acme.number])).content.decode()
    assert "Alice (service desk)" in page
    for hidden in ("Alice Agent", "alice@msp.example", "Leo", "Root Admin"):
        assert hidden not in page, hidden


def test_the_directory_list_costs_a_fixed_number_of_queries(
    desk, carol, django_assert_max_num_queries
):
    api = client_for(carol)
    api.get("/api/v1/users")
    with django_assert_max_num_queries(4):
        api.get("/api/v1/users")

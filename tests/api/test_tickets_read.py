"""Reading tickets: list with filters, search, pagination, one ticket, its timeline."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deskside.accounts import services as accounts
from deskside.tickets import services
from deskside.tickets.models import Priority
from tests.conftest import client_for

URL = "/api/v1/tickets"


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [t["number"] for t in response.json()["items"]]


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# -- list --------------------------------------------------------------------------------------


def test_list_shows_each_user_what_they_may_see(
    as_alice, as_carol, as_dave, as_olivia, acme_ticket, globex_ticket
):
    assert numbers(as_alice.get(URL)) == [globex_ticket.number, acme_ticket.number]
    assert numbers(as_carol.get(URL)) == [acme_ticket.number]
    assert numbers(as_olivia.get(URL)) == [acme_ticket.number]
    assert numbers(as_dave.get(URL)) == [globex_ticket.number]


def test_list_item_shape(as_carol, acme_ticket, carol, acme_hq):
    body = as_carol.get(URL).json()
    assert body["page"] == 1
    assert body["next"] is None
    assert "count" not in body
    item = body["items"][0]
    assert item["number"] == acme_ticket.number
    assert item["priority"] == "P3"
    assert item["status"] == "new"
    assert item["organization"] == {"slug": "acme", "name": "Acme Corp"}
    assert item["requester"] == {
        "public_id": carol.public_id,
        "name": "Carol Customer",
        "email": "carol@acme.example",
    }
    assert item["site"] == {"public_id": acme_hq.public_id, "name": "HQ"}
    assert item["assignee"] is None
    assert item["created_at"].endswith("Z")


def test_agent_restricted_to_some_clients_sees_only_theirs(
    alice, globex, acme_ticket, globex_ticket
):
    alice.served_organizations.set([globex])
    client = client_for(alice)
    assert numbers(client.get(URL)) == [globex_ticket.number]
    assert client.get(f"{URL}/{acme_ticket.number}").status_code == 404


def test_list_filters(
    as_alice, make_ticket, carol, dave, leo, alice, desktop_team, acme_ticket, globex_ticket
):
    urgent = make_ticket(carol, subject="Server down", priority=Priority.P1)
    services.escalate_ticket(
        actor=alice,
        ticket=urgent,
        tier="L2",
        team=desktop_team,
        assignee=leo,
        symptoms="no ping",
        steps_tried="rebooted",
        impact="whole office",
    )
    services.resolve_ticket(actor=alice, ticket=globex_ticket, resolution="fixed")

    assert numbers(as_alice.get(f"{URL}?priority=P1")) == [urgent.number]
    assert numbers(as_alice.get(f"{URL}?status=resolved")) == [globex_ticket.number]
    assert numbers(as_alice.get(f"{URL}?organization=globex")) == [globex_ticket.number]
    assert numbers(as_alice.get(f"{URL}?tier=L2")) == [urgent.number]
    assert numbers(as_alice.get(f"{URL}?team=desktop-support-l2")) == [urgent.number]
    assert numbers(as_alice.get(f"{URL}?assignee={leo.public_id}")) == [urgent.number]
    assert numbers(as_alice.get(f"{URL}?queue=open")) == [urgent.number, acme_ticket.number]
    assert numbers(as_alice.get(f"{URL}?sort=oldest")) == [
        acme_ticket.number,
        globex_ticket.number,
        urgent.number,
    ]
    assert numbers(as_alice.get(f"{URL}?sort=priority"))[0] == urgent.number
    assert numbers(as_alice.get(f"{URL}?organization=acme&priority=P3")) == [acme_ticket.number]
    assert len(numbers(as_alice.get(f"{URL}?organization=&team=&assignee=&q="))) == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=bogus", "status"),
        ("priority=P9", "priority"),
        ("tier=L7", "tier"),
        ("sort=random", "sort"),
        ("queue=everything", "queue"),
        ("team=no-such-team", "team"),
        ("assignee=nobody123", "assignee"),
        ("organization=no-such-org", "organization"),
        ("limit=101", "limit"),
        ("limit=0", "limit"),
        ("page=0", "page"),
        ("page=two", "page"),
    ],
)
def test_list_refuses_bad_filters_naming_the_field(as_alice, query, field):
    response = as_alice.get(f"{URL}?{query}")
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert response.json()["detail"]


def test_customer_cannot_probe_another_clients_slug_or_people(as_dave, carol, acme_ticket):
    """An organisation or person dave may not see is as unknown as one that does not exist."""
    response = as_dave.get(f"{URL}?organization=acme")
    assert response.status_code == 422
    assert response.json()["field"] == "organization"
    response = as_dave.get(f"{URL}?assignee={carol.public_id}")
    assert response.status_code == 422
    assert response.json()["field"] == "assignee"


def test_pagination_without_count(as_alice, make_ticket, carol):
    made = [make_ticket(carol, subject=f"Ticket {i}") for i in range(5)]
    newest_first = [t.number for t in reversed(made)]

    first = as_alice.get(f"{URL}?limit=2&organization=acme").json()
    assert [t["number"] for t in first["items"]] == newest_first[:2]
    assert first["page"] == 1
    next_url = urlsplit(first["next"])
    assert next_url.path == URL
    assert parse_qs(next_url.query) == {"limit": ["2"], "organization": ["acme"], "page": ["2"]}

    second = as_alice.get(f"{next_url.path}?{next_url.query}").json()
    assert [t["number"] for t in second["items"]] == newest_first[2:4]
    third = as_alice.get(f"{URL}?limit=2&organization=acme&page=3").json()
    assert [t["number"] for t in third["items"]] == newest_first[4:]
    assert third["next"] is None
    beyond = as_alice.get(f"{URL}?limit=2&page=9").json()
    assert beyond == {"items": [], "next": None, "page": 9}


def test_list_does_not_count_the_table(as_alice, acme_ticket):
    with CaptureQueriesContext(connection) as ctx:
        as_alice.get(URL)
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)


@pytest.mark.parametrize("url", [URL, f"{URL}?q=printer", f"{URL}?queue=team&sort=priority"])
@pytest.mark.parametrize("persona", ["as_alice", "as_carol"])
def test_list_query_count_is_constant(
    request, django_assert_max_num_queries, make_ticket, carol, leo, alice, url, persona
):
    client = request.getfixturevalue(persona)
    make_ticket(carol, assignee=leo)
    client.get(URL)  # the token's first use writes last_used_at; measure steady state
    one = query_count(client, url)
    for i in range(10):
        t = make_ticket(carol, subject=f"Printer {i}", assignee=leo)
        services.set_watchers(actor=alice, ticket=t, watchers=[carol])
    assert query_count(client, url) == one
    # A search looks up the clients whose name it names (tickets.queries.client_matches): one
    # more query, whatever the number of tickets.
    with django_assert_max_num_queries(5 if "q=" in url else 4):
        client.get(url)


# -- search ------------------------------------------------------------------------------------


def test_search_finds_visible_tickets_only(as_alice, as_carol, as_dave, acme_ticket, globex_ticket):
    assert numbers(as_alice.get(f"{URL}?q=printer")) == [acme_ticket.number]
    assert numbers(as_carol.get(f"{URL}?q=printer")) == [acme_ticket.number]
    assert numbers(as_dave.get(f"{URL}?q=printer")) == []
    assert numbers(as_dave.get(f"{URL}?q={acme_ticket.number}")) == []
    assert numbers(as_alice.get(f"{URL}?q={acme_ticket.number}")) == [acme_ticket.number]


def test_customers_never_find_tickets_by_internal_note_text(
    as_alice, as_carol, as_olivia, alice, acme_ticket
):
    services.add_note(actor=alice, ticket=acme_ticket, body="root password is zebracorn")
    assert numbers(as_alice.get(f"{URL}?q=zebracorn")) == [acme_ticket.number]
    assert numbers(as_carol.get(f"{URL}?q=zebracorn")) == []
    assert numbers(as_olivia.get(f"{URL}?q=zebracorn")) == []


def test_search_query_too_long(as_alice):
    response = as_alice.get(f"{URL}?q={'x' * 201}")
    assert response.status_code == 422
    assert response.json()["field"] == "q"


# -- one ticket --------------------------------------------------------------------------------


def test_get_ticket(as_alice, as_carol, acme_ticket, alice, leo):
    services.assign_ticket(actor=alice, ticket=acme_ticket, assignee=leo)
    body = as_alice.get(f"{URL}/{acme_ticket.number}").json()
    assert body["number"] == acme_ticket.number
    assert body["assignee"]["public_id"] == leo.public_id
    assert body["status"] == "open"
    assert body["watchers"] == []
    assert as_carol.get(f"{URL}/{acme_ticket.number}").status_code == 200
    assert as_carol.get(f"{URL}/{acme_ticket.number.lower()}").status_code == 200


def test_other_clients_customer_gets_404_not_403(as_dave, acme_ticket):
    response = as_dave.get(f"{URL}/{acme_ticket.number}")
    assert response.status_code == 404
    assert response.json() == {"detail": f"no ticket {acme_ticket.number}", "field": None}
    # Exactly what a ticket that does not exist answers.
    assert as_dave.get(f"{URL}/T-99999").json()["detail"] == "no ticket T-99999"


def test_colleague_without_admin_rights_gets_404(acme, acme_ticket):
    colleague = accounts.create_user(email="bob@acme.example", organization=acme)
    assert client_for(colleague).get(f"{URL}/{acme_ticket.number}").status_code == 404


@pytest.mark.parametrize("number", ["abc", "T-", "T-0", "10001x", "T-" + "9" * 30])
def test_malformed_numbers_are_404(as_alice, acme_ticket, number):
    assert as_alice.get(f"{URL}/{number}").status_code == 404


# -- events ------------------------------------------------------------------------------------


def test_events_hide_internal_notes_from_customers(
    as_alice, as_carol, as_olivia, alice, carol, acme_ticket
):
    services.add_note(actor=alice, ticket=acme_ticket, body="internal: check the toner")
    services.add_reply(actor=alice, ticket=acme_ticket, body="We are on it")
    services.log_call(actor=alice, ticket=acme_ticket, minutes=4, body="called carol")

    agent_view = as_alice.get(f"{URL}/{acme_ticket.number}/events").json()["items"]
    kinds = [e["kind"] for e in agent_view]
    assert kinds == ["created", "note", "reply", "status", "call"]
    note = agent_view[1]
    assert note["is_public"] is False
    assert note["actor"]["public_id"] == alice.public_id
    assert note["body"] == "internal: check the toner"
    assert agent_view[4]["data"] == {"minutes": 4, "inbound": True}

    for client in (as_carol, as_olivia):
        events = client.get(f"{URL}/{acme_ticket.number}/events").json()["items"]
        assert [e["kind"] for e in events] == ["created", "reply", "status"]
        assert all(e["is_public"] for e in events)
        assert "toner" not in str(events)
        assert "called carol" not in str(events)


def test_events_of_another_clients_ticket_are_404(as_dave, acme_ticket):
    response = as_dave.get(f"{URL}/{acme_ticket.number}/events")
    assert response.status_code == 404


def test_events_pagination_and_bad_limit(as_alice, alice, acme_ticket):
    for i in range(3):
        services.add_note(actor=alice, ticket=acme_ticket, body=f"note {i}")
    first = as_alice.get(f"{URL}/{acme_ticket.number}/events?limit=2").json()
    assert [e["kind"] for e in first["items"]] == ["created", "note"]
    assert "page=2" in first["next"]
    last = as_alice.get(f"{URL}/{acme_ticket.number}/events?limit=2&page=2").json()
    assert [e["body"] for e in last["items"]] == ["note 1", "note 2"]
    assert last["next"] is None
    response = as_alice.get(f"{URL}/{acme_ticket.number}/events?limit=500")
    assert response.status_code == 422
    assert response.json()["field"] == "limit"


@pytest.mark.parametrize("persona", ["as_alice", "as_carol"])
def test_events_query_count_is_constant(
    request, django_assert_max_num_queries, alice, acme_ticket, persona
):
    client = request.getfixturevalue(persona)
    url = f"{URL}/{acme_ticket.number}/events"
    client.get(url)
    one = query_count(client, url)
    for i in range(10):
        services.add_reply(actor=alice, ticket=acme_ticket, body=f"reply {i}")
        services.add_note(actor=alice, ticket=acme_ticket, body=f"note {i}")
    assert query_count(client, url) == one
    with django_assert_max_num_queries(5):
        client.get(url)


def test_number_forms(as_alice, acme_ticket):
    digits = acme_ticket.number.removeprefix("T-")
    for form in (digits, f"t-{digits}"):
        response = as_alice.get(f"{URL}/{form}")
        assert response.status_code == 200
        assert response.json()["number"] == acme_ticket.number

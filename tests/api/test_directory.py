"""The directory endpoints: organisations, sites, users, teams and /me, each seen through the
caller's visibility."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deskside.accounts import services as accounts


def items(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["items"]


def slugs(response) -> list[str]:
    return [o["slug"] for o in items(response)]


def ids(response) -> list[str]:
    return [o["public_id"] for o in items(response)]


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# -- /me ---------------------------------------------------------------------------------------


def test_me_for_a_customer(as_carol, carol, acme_hq):
    body = as_carol.get("/api/v1/me").json()
    assert body["public_id"] == carol.public_id
    assert body["email"] == "carol@acme.example"
    assert body["kind"] == "customer"
    assert body["tier"] is None
    assert body["organization"] == {"slug": "acme", "name": "Acme Corp"}
    assert body["site"] == {"public_id": acme_hq.public_id, "name": "HQ"}
    assert body["is_org_admin"] is False


def test_me_for_an_agent(as_tara, tara):
    body = as_tara.get("/api/v1/me").json()
    assert (body["name"], body["kind"], body["tier"]) == ("Tara Lead", "agent", "L3")
    assert body["teams"] == [{"slug": "network-l3", "name": "Network L3"}]


# -- organisations -----------------------------------------------------------------------------


def test_organisations_visible_to_each(as_alice, as_carol, as_dave, msp, acme, globex):
    assert slugs(as_alice.get("/api/v1/organizations")) == ["acme", "msp", "globex"]
    assert slugs(as_carol.get("/api/v1/organizations")) == ["acme"]
    assert slugs(as_dave.get("/api/v1/organizations")) == ["globex"]


def test_one_organisation(as_carol, as_dave, acme):
    body = as_carol.get("/api/v1/organizations/acme").json()
    assert body["slug"] == "acme"
    assert body["timezone"] == "America/New_York"
    response = as_dave.get("/api/v1/organizations/acme")
    assert response.status_code == 404
    assert (
        as_dave.get("/api/v1/organizations/no-such").json()["detail"] == "no organisation 'no-such'"
    )


def test_organisation_pagination(as_alice, django_assert_max_num_queries, msp, acme, globex):
    first = as_alice.get("/api/v1/organizations?limit=2").json()
    assert [o["slug"] for o in first["items"]] == ["acme", "msp"]
    assert first["next"].endswith("/api/v1/organizations?limit=2&page=2")
    assert slugs(as_alice.get("/api/v1/organizations?limit=2&page=2")) == ["globex"]
    for query, field in [("limit=101", "limit"), ("page=0", "page")]:
        response = as_alice.get(f"/api/v1/organizations?{query}")
        assert response.status_code == 422
        assert response.json()["field"] == field


# -- sites -------------------------------------------------------------------------------------


def test_sites_of_an_organisation(as_carol, as_dave, acme, acme_hq, globex_site):
    branch = accounts.create_site(organization=acme, name="Branch")
    assert ids(as_carol.get("/api/v1/organizations/acme/sites")) == [
        branch.public_id,
        acme_hq.public_id,
    ]
    assert as_dave.get("/api/v1/organizations/acme/sites").status_code == 404


def test_one_site(as_carol, as_dave, acme_hq):
    body = as_carol.get(f"/api/v1/sites/{acme_hq.public_id}").json()
    assert body["name"] == "HQ"
    assert body["address"] == "1 Main St, Boston"
    assert body["organization"]["slug"] == "acme"
    response = as_dave.get(f"/api/v1/sites/{acme_hq.public_id}")
    assert response.status_code == 404
    assert response.json() == {"detail": f"no site {acme_hq.public_id!r}", "field": None}


# -- users -------------------------------------------------------------------------------------


def test_users_visible_to_each(as_alice, as_carol, as_dave, alice, carol, olivia, dave):
    everyone = ids(as_alice.get("/api/v1/users"))
    assert {alice.public_id, carol.public_id, olivia.public_id, dave.public_id} <= set(everyone)
    # Customers: their own organisation's people, and no agent who never worked on their
    # tickets (issue 12 item 10; tests/api/test_agents_for_customers.py has the rest).
    carols = ids(as_carol.get("/api/v1/users"))
    assert {carol.public_id, olivia.public_id} == set(carols)
    daves = ids(as_dave.get("/api/v1/users"))
    assert carol.public_id not in daves
    assert olivia.public_id not in daves
    assert set(daves) == {dave.public_id}


def test_user_filters(as_alice, as_dave, alice, carol, olivia, dave):
    assert ids(as_alice.get("/api/v1/users?kind=agent")) == [alice.public_id]
    assert set(ids(as_alice.get("/api/v1/users?organization=acme"))) == {
        carol.public_id,
        olivia.public_id,
    }
    response = as_dave.get("/api/v1/users?organization=acme")
    assert response.status_code == 422
    assert response.json()["field"] == "organization"
    response = as_alice.get("/api/v1/users?kind=robot")
    assert response.status_code == 422
    assert response.json()["field"] == "kind"


def test_user_shape(as_carol, alice, acme_ticket):
    """A customer sees an agent who worked on their ticket (Alice logged it) by display name,
    as the portal shows them: no email address, tier or organisation."""
    agent = next(u for u in items(as_carol.get("/api/v1/users")) if u["kind"] == "agent")
    assert agent == {
        "public_id": alice.public_id,
        "name": "Alice",
        "email": None,
        "kind": "agent",
        "tier": None,
        "organization": None,
    }


# -- teams -------------------------------------------------------------------------------------


def test_teams(as_alice, helpdesk, desktop_team, network_team):
    assert [(t["slug"], t["tier"]) for t in items(as_alice.get("/api/v1/teams"))] == [
        ("help-desk-l1", "L1"),
        ("desktop-support-l2", "L2"),
        ("network-l3", "L3"),
    ]
    response = as_alice.get("/api/v1/teams?limit=-1")
    assert response.status_code == 422
    assert response.json()["field"] == "limit"


# -- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/api/v1/organizations", "/api/v1/organizations/acme/sites", "/api/v1/users", "/api/v1/teams"],
)
@pytest.mark.parametrize("persona", ["as_alice", "as_olivia"])
def test_directory_lists_have_a_constant_query_count(
    request, django_assert_max_num_queries, acme, acme_hq, url, persona
):
    client = request.getfixturevalue(persona)
    client.get(url)  # the token's first use writes last_used_at; measure steady state
    one = query_count(client, url)
    for i in range(10):
        org = accounts.create_organization(name=f"Client {i}")
        site = accounts.create_site(organization=acme, name=f"Site {i}")
        accounts.create_user(email=f"u{i}@acme.example", organization=acme, site=site)
        accounts.create_user(email=f"v{i}@other.example", organization=org)
        accounts.create_team(name=f"Team {i}")
    assert query_count(client, url) == one
    with django_assert_max_num_queries(4):
        client.get(url)


def test_agents_emails_for_agents_and_customers_own_people_only(
    as_alice, as_carol, alice, carol, olivia, acme_ticket
):
    by_id = {u["public_id"]: u for u in items(as_alice.get("/api/v1/users"))}
    assert by_id[carol.public_id]["email"] == carol.email
    assert by_id[alice.public_id]["email"] == alice.email
    seen = {u["public_id"]: u["email"] for u in items(as_carol.get("/api/v1/users"))}
    assert seen[olivia.public_id] == olivia.email  # her own organisation's people
    assert seen[alice.public_id] is None
    assert as_carol.get("/api/v1/me").json()["email"] == carol.email

    as_alice.post(f"/api/v1/tickets/{acme_ticket.number}/assign", {"assignee": alice.public_id})
    as_alice.post(f"/api/v1/tickets/{acme_ticket.number}/reply", {"body": "On my way"})
    ticket = as_carol.get(f"/api/v1/tickets/{acme_ticket.number}").json()
    assert ticket["assignee"] == {
        "public_id": alice.public_id,
        "name": "Alice",
        "email": None,
    }
    assert ticket["requester"]["email"] == carol.email
    events = items(as_carol.get(f"/api/v1/tickets/{acme_ticket.number}/events"))
    assert {e["actor"]["email"] for e in events if e["actor"]["public_id"] == alice.public_id} == {
        None
    }
    assert as_alice.get(f"/api/v1/tickets/{acme_ticket.number}").json()["assignee"]["email"] == (
        alice.email
    )

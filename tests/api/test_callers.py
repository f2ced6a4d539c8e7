"""GET /api/v1/callers: the caller look-up for phone systems and scripts, agents only."""

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from tests.conftest import client_for


@pytest.fixture
def erin(acme, acme_hq):
    return accounts.create_user(
        email="erin@acme.example",
        full_name="Erin Walsh",
        organization=acme,
        site=acme_hq,
        phone="(555) 010-0123",
        is_vip=True,
    )


@pytest.fixture
def gus(globex):
    return accounts.create_user(
        email="gus@globex.example", full_name="Gus Grant", organization=globex, phone="555 010 0199"
    )


def test_lookup_by_phone_returns_the_contact_with_open_tickets(as_alice, erin, gus, make_ticket):
    make_ticket(erin, subject="One")
    make_ticket(erin, subject="Two")
    response = as_alice.get("/api/v1/callers", {"q": "tel:+15550100123"})
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item == {
        "public_id": erin.public_id,
        "name": "Erin Walsh",
        "email": "erin@acme.example",
        "phone": "(555) 010-0123",
        "mobile": "",
        "is_vip": True,
        "organization": {"slug": "acme", "name": "Acme Corp"},
        "site": {"public_id": erin.site.public_id, "name": "HQ"},
        "open_tickets": 2,
    }


@pytest.mark.parametrize("q", ["(555) 010-0123", "555.010.0123", "+1 555 010 0123", "erin"])
def test_any_format_finds_the_contact(as_alice, erin, q):
    assert [i["public_id"] for i in as_alice.get("/api/v1/callers", {"q": q}).json()["items"]] == [
        erin.public_id
    ]


def test_several_matches_and_the_limit(as_alice, erin, gus):
    items = as_alice.get("/api/v1/callers", {"q": "555 010"}).json()["items"]
    assert [i["name"] for i in items] == ["Erin Walsh", "Gus Grant"]
    items = as_alice.get("/api/v1/callers", {"q": "555 010", "limit": 1}).json()["items"]
    assert len(items) == 1


def test_restricted_agent_never_finds_another_clients_contact(msp, acme, gus, erin):
    rita = accounts.create_user(email="rita@msp.example", kind="agent", tier=Tier.L1)
    rita.served_organizations.set([acme])
    api = client_for(rita)
    for q in ("+15550100199", "555 010 0199", "gus", "grant", "gus@globex", "globex"):
        assert api.get("/api/v1/callers", {"q": q}).json()["items"] == [], q


def test_customers_are_refused(as_carol, erin):
    response = as_carol.get("/api/v1/callers", {"q": "erin"})
    assert response.status_code == 403
    assert response.json()["field"] == "q"


def test_anonymous_is_refused(anon):
    assert anon.get("/api/v1/callers", {"q": "erin"}).status_code == 401


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "x" * 101}, {"q": "a", "limit": 0},
                                    {"q": "a", "limit": 51}, {"q": "a\x00"}])  # fmt: skip
def test_bad_input_is_a_422(as_alice, params):
    response = as_alice.get("/api/v1/callers", params)
    assert response.status_code == 422

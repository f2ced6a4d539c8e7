"""/api/v1/triage: agents get suggestions and accept them, administrators read the model and
change the auto-apply; customers get 403 everywhere, and an agent limited to other clients
cannot ask about (422) or change (404) another client's tickets."""

import pytest

from deskside.tickets.models import Priority
from deskside.triage.models import FieldSetting
from tests.triage.test_services import new_ticket

SUGGEST = "/api/v1/triage/suggest"


@pytest.fixture
def restricted(admin_serving, globex):
    """An administrator who serves Globex only."""
    return admin_serving(globex, email="gwen@msp.example")


def test_suggest(trained, as_alice, dave):
    r = as_alice.post(SUGGEST, {"subject": "VPN drops every hour", "client": "globex"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["model_version"] == trained.version
    got = {s["field"]: s for s in body["suggestions"]}
    assert got["team"]["value"] == "network-l3" and got["team"]["label"] == "Network L3"
    assert got["priority"]["value"] == "P2"
    assert 0 < got["tier"]["confidence"] <= 1


def test_suggest_refuses_customers_unknown_clients_and_before_training(
    teams, as_carol, as_alice, api_as, restricted
):
    assert as_carol.post(SUGGEST, {"subject": "VPN", "client": "acme"}).status_code == 403
    r = as_alice.post(SUGGEST, {"subject": "VPN", "client": "nope"})
    assert r.status_code == 422 and r.json()["field"] == "client"
    r = api_as(restricted).post(SUGGEST, {"subject": "VPN", "client": "acme"})
    assert r.status_code == 422 and r.json()["field"] == "client"  # not a client Gwen serves
    r = as_alice.post(SUGGEST, {"subject": "VPN", "client": "acme"})
    assert r.status_code == 409 and "no triage model" in r.json()["detail"]
    assert as_alice.post(SUGGEST, {"client": "acme"}).status_code == 422  # no subject


def test_model_figures_for_admins_only(trained, as_admin, as_alice, as_carol):
    r = as_admin.get("/api/v1/triage/model")
    assert r.status_code == 200
    body = r.json()
    assert body["version"] == trained.version and body["size"] == trained.size
    assert [f["field"] for f in body["fields"]] == ["team", "tier", "type", "priority"]
    assert all(f["accuracy"] > f["baseline"] for f in body["fields"])
    assert as_alice.get("/api/v1/triage/model").status_code == 403
    assert as_carol.get("/api/v1/triage/model").status_code == 403
    assert as_carol.post("/api/v1/triage/train").status_code == 403
    assert as_admin.post("/api/v1/triage/train").status_code == 202


def test_accept(trained, alice, carol, dave, as_alice, as_carol, as_dave, api_as, restricted):
    ticket = new_ticket(alice, carol, "Printer offline")
    url = f"/api/v1/triage/tickets/{ticket.number}/accept"
    r = as_alice.post(url, {"field": "priority", "value": "P2"})
    assert r.status_code == 200 and r.json()["changed"] is True
    ticket.refresh_from_db()
    assert ticket.priority == Priority.P2
    assert as_alice.post(url, {"field": "priority", "value": "P2"}).json()["changed"] is False
    r = as_alice.post(url, {"field": "team", "value": "network-l3"})
    assert r.status_code == 422 and r.json()["field"] == "value"  # does not serve Acme
    assert as_carol.post(url, {"field": "type", "value": "incident"}).status_code == 403
    assert as_dave.post(url, {"field": "type", "value": "incident"}).status_code == 403
    assert api_as(restricted).post(url, {"field": "tier", "value": "L2"}).status_code == 404


def test_settings(as_admin, as_alice, as_carol):
    r = as_admin.get("/api/v1/triage/settings")
    assert r.status_code == 200
    assert [s["auto_apply"] for s in r.json()] == [False] * 4  # off by default
    r = as_admin.put(
        "/api/v1/triage/settings/priority",
        {"auto_apply": True, "threshold": 0.8},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json() == {
        "field": "priority",
        "auto_apply": True,
        "threshold": 0.8,
    }
    assert FieldSetting.objects.get(field="priority").auto_apply
    bad = as_admin.put(
        "/api/v1/triage/settings/priority",
        {"auto_apply": True, "threshold": 0.2},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["field"] == "threshold"
    unknown = as_admin.put(
        "/api/v1/triage/settings/colour",
        {"auto_apply": True, "threshold": 0.8},
        content_type="application/json",
    )
    assert unknown.status_code == 422 and unknown.json()["field"] == "field"
    assert as_alice.get("/api/v1/triage/settings").status_code == 403
    assert as_carol.get("/api/v1/triage/settings").status_code == 403

"""The handovers API: agents only (a customer's token is 403), the history and each team's
current handover, one handover with its sections filtered per caller, the verbs with their
errors (409 naming the checklist, 422 naming the field), and the team's set-up."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deskside.handovers import services, worker
from tests.conftest import client_for
from tests.handovers.conftest import T0

pytestmark = pytest.mark.django_db
BASE = "/api/v1/handovers"
JSON = "application/json"


def test_a_customer_gets_403_everywhere(handover, carol, dave):
    for user in (carol, dave):
        api = client_for(user)
        assert api.get(BASE).status_code == 403
        assert api.get(f"{BASE}/current").status_code == 403
        assert api.get(f"{BASE}/{handover.public_id}").status_code == 403
        assert api.post(f"{BASE}/{handover.public_id}/sign-off").status_code == 403
        assert api.get(f"{BASE}/teams/{handover.team.slug}/setup").status_code == 403


def test_lists_and_one_handover(handover, alice):
    api = client_for(alice)
    listed = api.get(BASE, {"team": handover.team.slug}).json()
    assert [h["public_id"] for h in listed["items"]] == [handover.public_id]
    assert api.get(BASE, {"team": "nope"}).json()["items"] == []
    current = api.get(f"{BASE}/current").json()
    assert [h["public_id"] for h in current] == [handover.public_id]
    one = api.get(f"{BASE}/{handover.public_id}").json()
    assert (one["ending"], one["starting"], one["status"]) == ("Early", "Late", "open")
    assert [u["email"] for u in one["outgoing"]] == ["alice@msp.example"]
    assert [s["name"] for s in one["sections"]][:4] == [
        "opened",
        "changed",
        "escalated",
        "resolved",
    ]
    assert api.get(f"{BASE}/nope").status_code == 404


def test_the_verbs_and_their_errors(handover, alice, bob, lena, acme_ticket):
    api, lead = client_for(alice), client_for(lena)
    slug = handover.team.slug
    item = lead.post(
        f"{BASE}/teams/{slug}/checklist", {"phase": "post", "text": "Log out", "required": True}
    )
    assert item.status_code == 201
    item_id = item.json()["public_id"]
    assert (
        api.post(f"{BASE}/teams/{slug}/checklist", {"phase": "pre", "text": "x"}).status_code == 403
    )
    assert (
        lead.post(f"{BASE}/teams/{slug}/checklist", {"phase": "mid", "text": "x"}).status_code
        == 422
    )

    refused = api.post(f"{BASE}/{handover.public_id}/sign-off")
    assert refused.status_code == 409
    assert refused.json()["field"] == "checklist"
    assert "Log out" in refused.json()["detail"]

    notes = api.put(f"{BASE}/{handover.public_id}/notes", {"notes": "All quiet"}, content_type=JSON)
    assert notes.json()["notes"] == "All quiet"
    note = api.post(
        f"{BASE}/{handover.public_id}/ticket-notes", {"ticket": acme_ticket.number, "body": "Chase"}
    )
    assert note.status_code == 201
    missing = api.post(f"{BASE}/{handover.public_id}/ticket-notes", {"ticket": "T-1", "body": "x"})
    assert (missing.status_code, missing.json()["field"]) == (404, "ticket")
    ticked = api.post(f"{BASE}/{handover.public_id}/checklist/{item_id}", {"done": True}).json()
    assert ticked["checklist"][0]["done"] is True
    assert api.post(f"{BASE}/{handover.public_id}/acknowledge").status_code == 409
    signed = api.post(f"{BASE}/{handover.public_id}/sign-off")
    assert signed.json()["status"] == "signed_off"
    acked = client_for(bob).post(f"{BASE}/{handover.public_id}/acknowledge").json()
    assert (acked["status"], acked["acknowledged_by"]["email"]) == (
        "acknowledged",
        "bob@msp.example",
    )
    feedback = client_for(bob).post(f"{BASE}/{handover.public_id}/feedback", {"body": "Thanks"})
    assert feedback.status_code == 201
    assert client_for(bob).post(f"{BASE}/{handover.public_id}/feedback", {}).status_code == 422


def test_the_agent_who_signed_off_gets_409_acknowledging_it(handover, alice, bob, at):
    at(T0 + timedelta(minutes=5))
    api = client_for(alice)
    assert api.get(f"{BASE}/{handover.public_id}").json()["may_acknowledge"] is False  # open
    assert api.post(f"{BASE}/{handover.public_id}/sign-off").json()["may_acknowledge"] is False
    refused = api.post(f"{BASE}/{handover.public_id}/acknowledge")
    assert refused.status_code == 409
    assert refused.json()["field"] == "acknowledged_by"
    assert "incoming shift" in refused.json()["detail"]
    assert client_for(bob).get(f"{BASE}/{handover.public_id}").json()["may_acknowledge"] is True
    acked = client_for(bob).post(f"{BASE}/{handover.public_id}/acknowledge")
    assert (acked.status_code, acked.json()["status"]) == (200, "acknowledged")
    assert acked.json()["may_acknowledge"] is False


def test_the_team_set_up(handover, alice, lena):
    slug = handover.team.slug
    assert client_for(lena).get(f"{BASE}/teams/{slug}/setup").json()["remind_lead_after"] == 30
    changed = client_for(lena).put(
        f"{BASE}/teams/{slug}/setup",
        {"remind_incoming_after": 10, "remind_lead_after": 25},
        content_type=JSON,
    )
    assert changed.json()["remind_incoming_after"] == 10
    bad = client_for(lena).put(
        f"{BASE}/teams/{slug}/setup",
        {"remind_incoming_after": 30, "remind_lead_after": 25},
        content_type=JSON,
    )
    assert (bad.status_code, bad.json()["field"]) == (422, "remind_lead_after")
    forbidden = client_for(alice).put(
        f"{BASE}/teams/{slug}/setup",
        {"remind_incoming_after": 10, "remind_lead_after": 25},
        content_type=JSON,
    )
    assert forbidden.status_code == 403


def test_sections_and_ticket_notes_are_filtered_per_caller(
    handover, alice, gus, make_ticket, carol, dave, helpdesk, acme_ticket
):
    acme = make_ticket(carol, subject="Acme P1", team=helpdesk, priority=1)
    globex = make_ticket(dave, subject="Globex P1", team=helpdesk, priority=1)
    services.add_ticket_note(actor=alice, handover=handover, number=acme_ticket.number, body="a")
    mine = client_for(gus).get(f"{BASE}/{handover.public_id}").json()
    p1 = next(s for s in mine["sections"] if s["name"] == "p1_p2")
    assert [r["number"] for r in p1["rows"]] == [globex.number]
    assert mine["ticket_notes"] == []
    full = client_for(alice).get(f"{BASE}/{handover.public_id}").json()
    p1 = next(s for s in full["sections"] if s["name"] == "p1_p2")
    assert sorted(r["number"] for r in p1["rows"]) == sorted([acme.number, globex.number])
    assert len(full["ticket_notes"]) == 1


def test_the_history_costs_the_same_queries_for_2_or_12_rows(roster, helpdesk, alice, at):
    api = client_for(alice)
    counts = []
    for hours in (8, 4 * 24):
        at(T0 + timedelta(hours=hours))
        worker.open_due()
        with CaptureQueriesContext(connection) as queries:
            items = api.get(BASE, {"limit": 50}).json()["items"]
        counts.append((len(items), len(queries)))
    (few, first), (many, second) = counts
    assert few < many
    assert first == second

"""The macros API: list what the caller may use, CRUD for managers, preview and apply on a
ticket, tenancy (another client's ticket, another team's macro: 404), refusals (4xx, nothing
done)."""

from deskside.accounts import services as accounts
from deskside.macros.models import Macro
from deskside.tickets import services as tickets
from deskside.tickets.models import Status
from tests import audit_helpers
from tests.conftest import client_for


def preview_url(ticket, macro):
    return f"/api/v1/tickets/{ticket.number}/macros/{macro.public_id}/preview"


def apply_url(ticket, macro):
    return f"/api/v1/tickets/{ticket.number}/macros/{macro.public_id}/apply"


def test_list_is_what_the_caller_may_use(as_alice, as_tara, waiting_macro, network_macro):
    names = [m["name"] for m in as_alice.get("/api/v1/macros").json()["items"]]
    assert names == ["Waiting for your reply"]
    names = [m["name"] for m in as_tara.get("/api/v1/macros").json()["items"]]
    assert names == ["Firewall checked", "Waiting for your reply"]
    one = as_alice.get("/api/v1/macros").json()["items"][0]
    assert one["id"] == waiting_macro.public_id and one["team"] is None
    assert one["set_status"] == "pending_customer" and one["usage_count"] == 0
    assert one["add_watcher"]["name"] == "Leo Field"


def test_customers_get_403(as_carol, acme_ticket, waiting_macro):
    assert as_carol.get("/api/v1/macros").status_code == 403
    assert as_carol.post(preview_url(acme_ticket, waiting_macro)).status_code == 403
    assert as_carol.post(apply_url(acme_ticket, waiting_macro)).status_code == 403


def test_another_teams_macro_is_404(as_alice, network_macro, acme_ticket):
    assert as_alice.get(f"/api/v1/macros/{network_macro.public_id}").status_code == 404
    assert as_alice.post(preview_url(acme_ticket, network_macro)).status_code == 404
    assert as_alice.post(apply_url(acme_ticket, network_macro)).status_code == 404
    assert acme_ticket.events.count() == 1


def test_create_change_delete_by_managers(as_admin, as_tara, as_alice, network_team, leo):
    start = audit_helpers.mark()
    created = as_admin.post(
        "/api/v1/macros",
        {
            "name": "Dispatch",
            "body": "A technician visits {{site.name}}.",
            "set_status": "on_hold",
            "set_priority": 2,
            "add_watcher": leo.public_id,
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["set_status"], body["set_priority"], body["team"]) == ("on_hold", 2, None)
    assert audit_helpers.only(start).action == "created"
    url = f"/api/v1/macros/{body['id']}"
    assert as_tara.patch(url, {"name": "Mine"}).status_code == 403  # global: admins only
    assert as_alice.delete(url).status_code == 403
    changed = as_admin.patch(url, {"set_status": None, "team": network_team.slug})
    assert changed.status_code == 200
    assert changed.json()["set_status"] is None and changed.json()["team"]["slug"] == "network-l3"
    assert as_tara.patch(url, {"name": "Mine now"}).json()["name"] == "Mine now"  # her team's
    assert as_tara.delete(url).status_code == 204
    assert not Macro.objects.exists()


def test_bad_input_is_422_naming_the_field(as_admin, as_tara):
    response = as_admin.post("/api/v1/macros", {"name": "X", "body": "{{ticket.owner}}"})
    assert response.status_code == 422
    assert response.json()["field"] == "body" and "{{ticket.owner}}" in response.json()["detail"]
    response = as_admin.post("/api/v1/macros", {"name": "X", "body": "Hi", "team": "nope"})
    assert (response.status_code, response.json()["field"]) == (422, "team")
    response = as_tara.post("/api/v1/macros", {"name": "X", "body": "Hi"})
    assert response.status_code == 403
    response = as_admin.post("/api/v1/macros", {"name": "X", "body": "Hi", "set_status": "closed"})
    assert response.status_code == 422
    assert not Macro.objects.exists()


def test_preview_then_apply(as_alice, acme_ticket, waiting_macro):
    preview = as_alice.post(preview_url(acme_ticket, waiting_macro))
    assert preview.status_code == 200
    assert preview.json() == {
        "text": f"Hi Carol, about {acme_ticket.number}: could you tell us more? Alice",
        "missing": [],
        "reply_kind": "reply",
        "posted_as": "a public reply",
        "actions": [
            {"action": "status", "label": "set status Pending customer"},
            {"action": "watcher", "label": "add watcher Leo Field"},
        ],
        "unchanged": [],
    }
    applied = as_alice.post(apply_url(acme_ticket, waiting_macro), {"body": "Hi Carol!"})
    assert applied.status_code == 201
    kinds = [e["kind"] for e in applied.json()["events"]]
    assert kinds == ["reply", "status", "status", "watchers"]
    assert applied.json()["events"][0]["body"] == "Hi Carol!"
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.PENDING_CUSTOMER
    waiting_macro.refresh_from_db()
    assert waiting_macro.usage_count == 1
    listed = as_alice.get("/api/v1/macros").json()["items"][0]
    assert listed["usage_count"] == 1 and listed["last_used_at"] is not None


def test_apply_without_a_body_posts_the_rendered_text(as_alice, acme_ticket, waiting_macro):
    applied = as_alice.post(apply_url(acme_ticket, waiting_macro))
    assert applied.status_code == 201
    assert applied.json()["events"][0]["body"].startswith("Hi Carol, about T-")


def test_a_refused_transition_is_409_and_nothing_is_done(
    alice, as_alice, acme_ticket, waiting_macro
):
    tickets.resolve_ticket(actor=alice, ticket=acme_ticket, resolution="Fixed.")
    count = acme_ticket.events.count()
    response = as_alice.post(apply_url(acme_ticket, waiting_macro))
    assert response.status_code == 409 and response.json()["field"] == "status"
    assert acme_ticket.events.count() == count
    waiting_macro.refresh_from_db()
    assert waiting_macro.usage_count == 0


def test_a_ticket_of_a_client_the_agent_does_not_serve_is_404(
    msp, globex, acme_ticket, waiting_macro
):
    limited = accounts.create_user(
        email="gus@msp.example", kind="agent", tier="L1", organization=msp
    )
    limited.served_organizations.set([globex])
    api = client_for(limited)
    assert api.post(preview_url(acme_ticket, waiting_macro)).status_code == 404
    assert api.post(apply_url(acme_ticket, waiting_macro)).status_code == 404
    assert acme_ticket.events.count() == 1

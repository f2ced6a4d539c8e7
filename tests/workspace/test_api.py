"""The saved-view API (/api/v1/views): CRUD, a view's tickets, counts; tenancy."""

from deskside.tickets.models import Priority
from deskside.workspace import services
from deskside.workspace.models import SavedView


def test_list_create_read_update_delete(as_alice, alice, helpdesk):
    response = as_alice.get("/api/v1/views")
    assert response.status_code == 200
    assert [v["name"] for v in response.json()["items"]][:2] == ["Assigned to me", "My teams"]
    response = as_alice.post(
        "/api/v1/views",
        {
            "name": "Acme P1",
            "filters": {"organization": "acme", "priority": "P1"},
            "sort": "due",
            "columns": ["number", "subject", "status"],
            "team": helpdesk.slug,
        },
    )
    assert response.status_code == 201, response.content
    view = response.json()
    assert view["filters"] == {"queue": "all", "organization": "acme", "priority": "P1"}
    assert view["team"]["slug"] == helpdesk.slug
    assert view["url"].startswith("/tickets/?queue=all&organization=acme&priority=P1&sort=due")
    pid = view["public_id"]
    assert as_alice.get(f"/api/v1/views/{pid}").json()["name"] == "Acme P1"
    response = as_alice.patch(f"/api/v1/views/{pid}", {"name": "Acme urgent", "team": None})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["team"]) == ("Acme urgent", None)
    assert as_alice.delete(f"/api/v1/views/{pid}").status_code == 204
    assert as_alice.get(f"/api/v1/views/{pid}").status_code == 404


def test_others_views_are_404_and_defaults_403(as_leo, alice, as_alice):
    view = services.create_view(actor=alice, name="Private", filters={})
    assert as_leo.get(f"/api/v1/views/{view.public_id}").status_code == 404
    assert as_leo.delete(f"/api/v1/views/{view.public_id}").status_code == 404
    default = SavedView.objects.get(name="All open")
    response = as_alice.delete(f"/api/v1/views/{default.public_id}")
    assert response.status_code == 403
    assert as_alice.patch(f"/api/v1/views/{default.public_id}", {"name": "x"}).status_code == 403


def test_invalid_input(as_alice, network_team):
    response = as_alice.post("/api/v1/views", {"name": "x", "sort": "random"})
    assert (response.status_code, response.json()["field"]) == (422, "sort")
    response = as_alice.post("/api/v1/views", {"name": "x", "team": "nope"})
    assert (response.status_code, response.json()["field"]) == (422, "team")
    response = as_alice.post("/api/v1/views", {"name": "x", "team": network_team.slug})
    assert response.status_code == 403
    response = as_alice.post("/api/v1/views", {"name": "x", "filters": {"mood": "sad"}})
    assert response.status_code == 422
    response = as_alice.post("/api/v1/views", {"name": "x", "columns": ["nope"]})
    assert (response.status_code, response.json()["field"]) == (422, "columns")


def test_customers_see_no_views(as_carol):
    assert as_carol.get("/api/v1/views").json()["items"] == []
    assert as_carol.post("/api/v1/views", {"name": "x"}).status_code == 403
    assert as_carol.get("/api/v1/views/counts").json() == []


def test_a_shared_views_tickets_and_counts_under_tenancy(
    api_as, alice, restricted, helpdesk, make_ticket, carol, dave
):
    acme = [make_ticket(carol, priority=Priority.P2) for _ in range(2)]
    make_ticket(dave, priority=Priority.P2)
    view = services.create_view(
        actor=alice, name="P2", filters={"queue": "open", "priority": "P2"}, team=helpdesk
    )
    client = api_as(restricted)
    numbers = [
        t["number"] for t in client.get(f"/api/v1/views/{view.public_id}/tickets").json()["items"]
    ]
    assert sorted(numbers) == sorted(t.number for t in acme)
    counts = {c["view"]: c for c in client.get("/api/v1/views/counts").json()}
    assert counts[view.public_id] == {"view": view.public_id, "count": 2, "more": False}
    counts = {c["view"]: c for c in api_as(alice).get("/api/v1/views/counts").json()}
    assert counts[view.public_id]["count"] == 3


def test_an_admin_sees_and_manages_team_views(as_admin, alice, helpdesk):
    view = services.create_view(actor=alice, name="Desk", filters={}, team=helpdesk)
    names = [v["name"] for v in as_admin.get("/api/v1/views").json()["items"]]
    assert "Desk" in names
    response = as_admin.patch(f"/api/v1/views/{view.public_id}", {"name": "Help desk"})
    assert response.status_code == 200
    assert as_admin.delete(f"/api/v1/views/{view.public_id}").status_code == 204

"""The notifications API: the caller's own only (another person's id is 404), agents only."""

from deskside.notifications.models import Notification
from deskside.tickets import services as tickets
from tests.conftest import client_for


def mention(alice, ticket, body="@leo look"):
    return tickets.add_note(actor=alice, ticket=ticket, body=body)


def test_list_newest_first_and_the_unread_filter(alice, leo, acme_ticket):
    mention(alice, acme_ticket, "@leo one")
    mention(alice, acme_ticket, "@leo two")
    api = client_for(leo)
    body = api.get("/api/v1/notifications").json()
    assert [i["text"] for i in body["items"]] == ["@leo two", "@leo one"]
    item = body["items"][0]
    assert item["kind"] == "mentioned" and item["ticket"] == acme_ticket.number
    assert item["unread"] is True and item["actor"]["name"] == "Alice Agent"
    assert body["next"] is None
    first = body["items"][1]["id"]
    answer = api.post(f"/api/v1/notifications/{first}/read")
    assert answer.status_code == 200 and answer.json()["unread"] is False
    unread = api.get("/api/v1/notifications?unread=true").json()["items"]
    assert [i["text"] for i in unread] == ["@leo two"]
    assert api.get("/api/v1/notifications/count").json() == {"unread": 1}
    assert api.post("/api/v1/notifications/read-all").json() == {"marked": 1}
    assert api.get("/api/v1/notifications/count").json() == {"unread": 0}


def test_paginated(alice, leo, acme_ticket):
    for i in range(3):
        mention(alice, acme_ticket, f"@leo {i}")
    body = client_for(leo).get("/api/v1/notifications?limit=2").json()
    assert len(body["items"]) == 2 and body["next"].endswith("page=2")


def test_another_persons_notification_is_404(alice, leo, tara, acme_ticket):
    mention(alice, acme_ticket)
    n = Notification.objects.get(recipient=leo)
    api = client_for(tara)
    answer = api.post(f"/api/v1/notifications/{n.pk}/read")
    assert answer.status_code == 404
    assert answer.json()["detail"] == f"no notification {n.pk}"
    assert api.get("/api/v1/notifications").json()["items"] == []
    assert api.post("/api/v1/notifications/read-all").json() == {"marked": 0}
    n.refresh_from_db()
    assert n.read_at is None
    assert api.post("/api/v1/notifications/999999/read").status_code == 404


def test_customers_get_403(carol):
    api = client_for(carol)
    for method, path in (
        ("get", "/api/v1/notifications"),
        ("get", "/api/v1/notifications/count"),
        ("post", "/api/v1/notifications/read-all"),
        ("get", "/api/v1/notifications/preferences"),
    ):
        assert getattr(api, method)(path).status_code == 403


def test_anonymous_gets_401(anon):
    assert anon.get("/api/v1/notifications/count").status_code == 401


def test_preferences_get_and_put(leo):
    api = client_for(leo)
    prefs = api.get("/api/v1/notifications/preferences").json()
    assert {p["kind"]: p["channel"] for p in prefs}["mentioned"] == "both"
    assert prefs[0] == {"kind": "assigned", "label": "Assigned to me", "channel": "page"}
    answer = api.put(
        "/api/v1/notifications/preferences",
        {"preferences": [{"kind": "sla", "channel": "mail"}]},
        content_type="application/json",
    )
    assert answer.status_code == 200
    assert {p["kind"]: p["channel"] for p in answer.json()}["sla"] == "mail"
    bad = api.put(
        "/api/v1/notifications/preferences",
        {"preferences": [{"kind": "sla", "channel": "pigeon"}]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["field"] == "preferences.0.channel"


def test_an_agent_no_longer_serving_the_client_no_longer_sees_its_notifications(
    alice, gus, acme, globex_ticket
):
    tickets.add_note(actor=alice, ticket=globex_ticket, body="@gus look")
    n = Notification.objects.get(recipient=gus)
    api = client_for(gus)
    assert api.get("/api/v1/notifications/count").json() == {"unread": 1}
    gus.served_organizations.set([acme])
    assert api.get("/api/v1/notifications/count").json() == {"unread": 0}
    assert api.get("/api/v1/notifications").json()["items"] == []
    assert api.post(f"/api/v1/notifications/{n.pk}/read").status_code == 404

"""The live view of a ticket in the API (/api/v1/live/tickets/{number}): changes since a
version, who else has it open, the heartbeat. Agents only; tenancy as everywhere."""

from deskside.live import services as live
from deskside.live.models import Presence
from deskside.tickets import services
from deskside.tickets.queries import ticket_version


def test_changes_and_presence_since_a_version(as_alice, alice, leo, acme_ticket):
    url = f"/api/v1/live/tickets/{acme_ticket.number}"
    since = ticket_version(alice, acme_ticket)
    body = as_alice.get(url, {"since": since}).json()
    assert body == {"version": since, "changes": 0, "present": []}
    services.add_note(actor=leo, ticket=acme_ticket, body="Checked")
    live.heartbeat(actor=leo, ticket=acme_ticket, state="replying")
    body = as_alice.get(url, {"since": since}).json()
    assert body["version"] > since
    assert body["changes"] == 1
    assert [(p["user"]["name"], p["state"]) for p in body["present"]] == [("Leo Field", "replying")]


def test_the_heartbeat_shows_the_caller_to_others(as_alice, as_leo, alice, acme_ticket):
    url = f"/api/v1/live/tickets/{acme_ticket.number}"
    response = as_alice.post(f"{url}/presence", {"state": "viewing"})
    assert response.status_code == 204
    assert Presence.objects.get().user == alice
    present = as_leo.get(url).json()["present"]
    assert [p["user"]["name"] for p in present] == ["Alice Agent"]
    assert as_alice.post(f"{url}/presence", {"state": "typing"}).status_code == 422


def test_customers_get_403_and_other_clients_tickets_404(
    as_carol, api_as, leo, globex, acme_ticket
):
    url = f"/api/v1/live/tickets/{acme_ticket.number}"
    assert as_carol.get(url).status_code == 403
    assert as_carol.post(f"{url}/presence", {}).status_code == 403
    leo.served_organizations.set([globex])
    restricted = api_as(leo)
    assert restricted.get(url).status_code == 404
    assert restricted.post(f"{url}/presence", {}).status_code == 404
    assert Presence.objects.count() == 0

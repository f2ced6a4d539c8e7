"""The registry's API: every operation, bad input (422 naming the field), conflicts (409), and
tenancy: an agent serving another client (404), a customer who is no organisation admin
(403), another organisation's admin (404), an organisation admin reading theirs (no writes)."""

import pytest

from deskside.assets.models import AssetEvent, AssetTicket, Lifecycle
from tests.assets.fixtures_assets import *  # noqa: F403
from tests.assets.fixtures_assets import dispose, make_asset
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
BASE = "/api/v1/assets"


def test_list_filters_and_pages(alice, laptop, globex_pc, acme, django_assert_max_num_queries):
    for n in range(30):
        make_asset(alice, acme, asset_tag=f"Z-{n:02d}", kind="monitor")
    api = client_for(alice)
    with django_assert_max_num_queries(6):
        body = api.get(BASE, {"client": "acme", "limit": 20}).json()
    assert [a["asset_tag"] for a in body["items"]][:2] == ["ACM-0001", "Z-00"]
    assert body["next"] and "page=2" in body["next"]
    body = api.get(BASE, {"client": "acme", "kind": "laptop"}).json()
    assert [a["asset_tag"] for a in body["items"]] == ["ACM-0001"]
    item = body["items"][0]
    assert item["assigned_to"]["name"] == "Carol Customer" and item["status"] == "deployed"
    assert item["url"].endswith(f"/assets/{laptop.public_id}/")
    assert api.get(BASE, {"q": "pf-1"}).json()["items"][0]["id"] == laptop.public_id
    assert api.get(BASE, {"status": "in_repair"}).json()["items"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"client": "nope"}, "client"),
        ({"status": "lost"}, "status"),
        ({"site": "x"}, "site"),
        ({"limit": 0}, "limit"),
        ({"q": "a\x00"}, "q"),
    ],
)
def test_list_bad_filters(alice, params, field):
    response = client_for(alice).get(BASE, params)
    assert response.status_code == 422 and response.json()["field"] == field


def test_create_get_update_status(alice, acme_hq, carol):
    api = client_for(alice)
    response = api.post(
        BASE,
        {
            "organization": "acme",
            "kind": "printer",
            "asset_tag": "ACM-P1",
            "site": acme_hq.public_id,
            "assigned_to": carol.public_id,
            "warranty_end": "2027-01-31",
            "rustdesk_id": "123 456 789",
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "in_stock" and created["rustdesk_id"] == "123 456 789"
    url = f"{BASE}/{created['id']}"
    assert api.get(url).json()["asset_tag"] == "ACM-P1"
    response = api.patch(url, {"serial": "SN-9", "assigned_to": None, "note": "back"})
    assert response.status_code == 200
    assert response.json()["serial"] == "SN-9" and response.json()["assigned_to"] is None
    assert response.json()["site"]["public_id"] == acme_hq.public_id  # not sent: unchanged
    response = api.post(f"{url}/status", {"status": "deployed"})
    assert response.status_code == 200 and response.json()["status"] == "deployed"
    timeline = api.get(f"{url}/timeline").json()["items"]
    assert [e["kind"] for e in timeline] == ["created", "changed", "status"]
    assert timeline[1]["data"]["changes"]["serial"] == ["", "SN-9"]
    assert timeline[1]["body"] == "back"


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"organization": "globex-nope"}, "organization", 422),
        ({"organization": "acme", "kind": "boat"}, "kind", 422),
        ({"organization": "acme", "status": "disposed"}, "status", 422),
        ({"organization": "acme", "assigned_to": "nobody"}, "assigned_to", 422),
        ({"organization": "acme", "site": "nowhere"}, "site", 422),
        ({"organization": "acme", "asset_tag": "ACM-0001"}, "asset_tag", 422),
        (
            {"organization": "acme", "warranty_end": "2020-01-01", "purchase_date": "2021-01-01"},
            "warranty_end",
            422,
        ),
        ({"organization": "acme", "serial": "x" * 101}, "serial", 422),
    ],
)
def test_create_bad_input(alice, laptop, body, field, status):
    response = client_for(alice).post(BASE, body)
    assert response.status_code == status, response.content
    assert response.json()["field"] == field


def test_conflicts(alice, laptop, acme_ticket):
    api = client_for(alice)
    url = f"{BASE}/{laptop.public_id}"
    response = api.post(f"{url}/status", {"status": "ordered"})
    assert response.status_code == 409 and response.json()["field"] == "status"
    response = api.post(f"{url}/status", {"status": "disposed"})
    assert response.status_code == 409
    assert api.post(f"{url}/tickets", {"ticket": acme_ticket.number}).status_code == 201
    assert api.post(f"{url}/tickets", {"ticket": acme_ticket.number}).status_code == 409
    dispose(laptop)
    for response in (
        api.patch(url, {"notes": "x"}),
        api.post(f"{url}/status", {"status": "in_stock"}),
        api.delete(f"{url}/tickets/{acme_ticket.number}"),
    ):
        assert response.status_code == 409, response.content
    assert api.get(url).json()["status"] == "disposed"


def test_link_unlink_and_by_ticket(alice, laptop, acme_ticket, globex_ticket, olivia, carol):
    api = client_for(alice)
    url = f"{BASE}/{laptop.public_id}/tickets"
    response = api.post(url, {"ticket": acme_ticket.number})
    assert response.status_code == 201 and response.json()["ticket"] == acme_ticket.number
    response = api.post(url, {"ticket": globex_ticket.number})
    assert response.status_code == 422 and response.json()["field"] == "ticket"
    response = api.post(url, {"ticket": "T-0"})
    assert response.status_code == 422 and response.json()["field"] == "ticket"
    links = api.get(f"{BASE}/by-ticket/{acme_ticket.number}").json()
    assert [link["asset"]["id"] for link in links] == [laptop.public_id]
    # the organisation admin reads it too, without the internal fields
    links = client_for(olivia).get(f"{BASE}/by-ticket/{acme_ticket.number}").json()
    assert links[0]["asset"]["notes"] == "" and links[0]["linked_by"] is None
    assert client_for(carol).get(f"{BASE}/by-ticket/{acme_ticket.number}").status_code == 403
    assert api.delete(f"{url}/{acme_ticket.number}").status_code == 204
    assert api.delete(f"{url}/{acme_ticket.number}").status_code == 409
    assert not AssetTicket.objects.exists()


def test_agent_not_serving_the_client(bob, laptop, acme_ticket):
    api = client_for(bob)
    url = f"{BASE}/{laptop.public_id}"
    assert api.get(BASE).json()["items"] == []
    assert api.get(BASE, {"client": "acme"}).status_code == 422
    assert api.get(url).status_code == 404
    assert api.patch(url, {"serial": "x"}).status_code == 404
    assert api.post(f"{url}/status", {"status": "in_repair"}).status_code == 404
    assert api.get(f"{url}/timeline").status_code == 404
    assert api.post(f"{url}/tickets", {"ticket": acme_ticket.number}).status_code == 404
    assert api.delete(f"{url}/tickets/{acme_ticket.number}").status_code == 404
    assert api.get(f"{BASE}/by-ticket/{acme_ticket.number}").status_code == 404
    assert api.post(BASE, {"organization": "acme"}).status_code == 422
    assert AssetEvent.objects.filter(asset=laptop).count() == 1


def test_customers(carol, olivia, gina, laptop, globex_pc, acme_ticket):
    url = f"{BASE}/{laptop.public_id}"
    carol_api = client_for(carol)
    assert carol_api.get(BASE).status_code == 403
    assert carol_api.get(url).status_code == 404
    olivia_api = client_for(olivia)
    items = olivia_api.get(BASE).json()["items"]
    assert [a["id"] for a in items] == [laptop.public_id]
    assert items[0]["url"] is None and items[0]["rmm_id"] == ""
    assert olivia_api.get(url).json()["serial"] == "PF-1234"
    assert olivia_api.get(f"{BASE}/{globex_pc.public_id}").status_code == 404
    for response in (
        olivia_api.patch(url, {"serial": "x"}),
        olivia_api.post(f"{url}/status", {"status": "in_repair"}),
        olivia_api.get(f"{url}/timeline"),
        olivia_api.post(f"{url}/tickets", {"ticket": acme_ticket.number}),
        olivia_api.delete(f"{url}/tickets/{acme_ticket.number}"),
        olivia_api.post(BASE, {"organization": "acme"}),
    ):
        assert response.status_code == 403, response.content
    gina_api = client_for(gina)
    assert [a["id"] for a in gina_api.get(BASE).json()["items"]] == [globex_pc.public_id]
    assert gina_api.get(url).status_code == 404
    assert gina_api.get(f"{BASE}/by-ticket/{acme_ticket.number}").status_code == 404
    laptop.refresh_from_db()
    assert laptop.status == Lifecycle.DEPLOYED and laptop.serial == "PF-1234"

"""The webhook endpoints: administrators write, agents read (without the secret), customers
get 403; agents limited to some clients see only those clients' webhooks; bad input is 422
naming the field."""

import pytest

from deskside.accounts.models import Tier
from deskside.webhooks.models import Delivery, Webhook
from deskside.webhooks.worker import webhooks_pass
from tests.conftest import client_for

API = "/api/v1/webhooks"


@pytest.fixture
def acme_admin(admin_serving, acme):
    """An administrator who serves Acme only."""
    return admin_serving(acme, email="acme-admin@msp.example", full_name="Acme Admin", tier=Tier.L2)


def _create(client, default_url, **fields):
    body = {"name": "Acme ITSM", "url": default_url, "events": ["ticket.created"], **fields}
    return client.post(API, body)


def test_admin_creates_reads_changes_and_deletes(as_admin, receiver, acme, network_team):
    response = _create(as_admin, receiver.url, organization="acme", team=network_team.slug)
    assert response.status_code == 201, response.json()
    body = response.json()
    webhook = Webhook.objects.get()
    assert body["id"] == webhook.public_id
    assert body["secret"] == webhook.secret
    assert body["organization"] == {"slug": "acme", "name": "Acme Corp"}
    assert body["team"]["slug"] == network_team.slug
    assert body["events"] == ["ticket.created"]

    listed = as_admin.get(API).json()
    assert [w["id"] for w in listed["items"]] == [webhook.public_id]

    patched = as_admin.patch(
        f"{API}/{webhook.public_id}",
        {"events": ["ticket.resolved", "ticket.created"], "team": None, "name": "Acme SN"},
    )
    assert patched.status_code == 200, patched.json()
    assert patched.json()["events"] == ["ticket.created", "ticket.resolved"]
    assert patched.json()["team"] is None and patched.json()["name"] == "Acme SN"

    old = webhook.secret
    rotated = as_admin.post(f"{API}/{webhook.public_id}/rotate-secret")
    assert rotated.status_code == 200 and rotated.json()["secret"] not in (old, None)

    assert as_admin.delete(f"{API}/{webhook.public_id}").status_code == 204
    assert as_admin.get(f"{API}/{webhook.public_id}").status_code == 404
    assert as_admin.get(API).json()["items"] == []


def test_ping_deliveries_and_redeliver(as_admin, receiver, make_webhook):
    webhook = make_webhook(receiver.url)
    response = as_admin.post(f"{API}/{webhook.public_id}/ping")
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "queued" and response.json()["event"] == "ping"
    receiver.codes = [500]
    webhooks_pass()
    log = as_admin.get(f"{API}/{webhook.public_id}/deliveries").json()["items"]
    assert [(d["status"], d["last_status_code"], d["attempts"]) for d in log] == [
        ("queued", 500, 1)
    ]
    delivery_id = log[0]["id"]
    still_queued = as_admin.post(f"{API}/{webhook.public_id}/deliveries/{delivery_id}/redeliver")
    assert still_queued.status_code == 409

    Delivery.objects.filter(public_id=delivery_id).update(status="failed")
    again = as_admin.post(f"{API}/{webhook.public_id}/deliveries/{delivery_id}/redeliver")
    assert again.status_code == 202, again.json()
    assert again.json()["redelivery_of"] == delivery_id
    assert again.json()["payload"]["id"] == again.json()["id"]
    webhooks_pass()
    failed = as_admin.get(f"{API}/{webhook.public_id}/deliveries?status=delivered").json()
    assert [d["id"] for d in failed["items"]] == [again.json()["id"]]
    missing = as_admin.post(f"{API}/{webhook.public_id}/deliveries/nope/redeliver")
    assert missing.status_code == 404


def test_agents_read_without_the_secret_and_cannot_change(alice, receiver, make_webhook):
    webhook = make_webhook(receiver.url)
    as_alice = client_for(alice)
    got = as_alice.get(f"{API}/{webhook.public_id}")
    assert got.status_code == 200 and got.json()["secret"] is None
    assert as_alice.get(f"{API}/{webhook.public_id}/deliveries").status_code == 200
    refused = [
        _create(as_alice, receiver.url),
        as_alice.patch(f"{API}/{webhook.public_id}", {"name": "x"}),
        as_alice.delete(f"{API}/{webhook.public_id}"),
        as_alice.post(f"{API}/{webhook.public_id}/ping"),
        as_alice.post(f"{API}/{webhook.public_id}/rotate-secret"),
    ]
    assert [r.status_code for r in refused] == [403] * 5
    assert Webhook.objects.get().name == "Receiver"


def test_customers_get_403_everywhere(carol, receiver, make_webhook, acme):
    webhook = make_webhook(receiver.url, organization=acme)  # even their own client's
    as_carol = client_for(carol)
    responses = [
        as_carol.get(API),
        as_carol.get(f"{API}/{webhook.public_id}"),
        as_carol.get(f"{API}/{webhook.public_id}/deliveries"),
        _create(as_carol, receiver.url, organization="acme"),
        as_carol.patch(f"{API}/{webhook.public_id}", {"name": "x"}),
        as_carol.delete(f"{API}/{webhook.public_id}"),
        as_carol.post(f"{API}/{webhook.public_id}/ping"),
    ]
    assert [r.status_code for r in responses] == [403] * 7


def test_an_admin_limited_to_a_client_sees_and_scopes_only_that_client(
    acme_admin, receiver, make_webhook, acme, globex
):
    make_webhook(receiver.url, name="MSP-wide")
    theirs = make_webhook(receiver.url, name="Globex", organization=globex)
    ours = make_webhook(receiver.url, name="Acme", organization=acme)
    client = client_for(acme_admin)
    assert [w["name"] for w in client.get(API).json()["items"]] == ["Acme"]
    assert client.get(f"{API}/{theirs.public_id}").status_code == 404
    assert client.get(f"{API}/{theirs.public_id}/deliveries").status_code == 404
    assert client.patch(f"{API}/{theirs.public_id}", {"name": "x"}).status_code == 404

    other = _create(client, receiver.url, organization="globex")
    assert other.status_code == 422 and other.json()["field"] == "organization"
    wide = _create(client, receiver.url)
    assert wide.status_code == 403 and wide.json()["field"] == "organization"
    widened = client.patch(f"{API}/{ours.public_id}", {"organization": None})
    assert widened.status_code == 403
    assert _create(client, receiver.url, organization="acme").status_code == 201


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"url": "ftp://example.com/x"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": ""}, "url"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"events": []}, "events"),
        ({"events": ["ticket.exploded"]}, "events.0"),
        ({"organization": "no-such-client"}, "organization"),
        ({"team": "no-such-team"}, "team"),
        ({"url": "http://example.com/\x00"}, "url"),
    ],
)
def test_bad_input_is_422_naming_the_field(as_admin, receiver, fields, field):
    response = _create(as_admin, receiver.url, **fields)
    assert response.status_code == 422, response.json()
    assert response.json()["field"] == field
    assert not Webhook.objects.exists()


def test_bad_patches_are_422(as_admin, receiver, make_webhook):
    webhook = make_webhook(receiver.url)
    url = f"{API}/{webhook.public_id}"
    assert as_admin.patch(url, {"url": "javascript:alert(1)"}).json()["field"] == "url"
    assert as_admin.patch(url, {"events": None}).json()["field"] == "events"
    assert as_admin.patch(url, {"is_active": None}).json()["field"] == "is_active"
    bad_status = as_admin.get(f"{url}/deliveries?status=lost")
    assert bad_status.status_code == 422 and bad_status.json()["field"] == "status"


def test_ping_to_a_deactivated_webhook_is_409(as_admin, receiver, make_webhook):
    webhook = make_webhook(receiver.url, is_active=False)
    response = as_admin.post(f"{API}/{webhook.public_id}/ping")
    assert response.status_code == 409 and response.json()["field"] == "is_active"


def test_the_delivery_log_is_paginated_without_n_plus_one(
    as_admin, receiver, make_webhook, make_ticket, carol, django_assert_max_num_queries
):
    webhook = make_webhook(receiver.url)
    for _ in range(5):
        make_ticket(carol)
    with django_assert_max_num_queries(6):
        response = as_admin.get(f"{API}/{webhook.public_id}/deliveries?limit=3")
    body = response.json()
    assert len(body["items"]) == 3 and body["next"]


SECRET_URL = "https://bob:hunter2pass@hooks.example.com/services/T0K3N?token=SeCrEt99#frag"


def test_only_admins_see_the_full_url(as_admin, alice, make_webhook):
    webhook = make_webhook(SECRET_URL)
    one = f"{API}/{webhook.public_id}"
    assert as_admin.get(one).json()["url"] == SECRET_URL
    assert as_admin.get(API).json()["items"][0]["url"] == SECRET_URL
    as_alice = client_for(alice)
    masked = "https://***@hooks.example.com/***?***#***"
    assert as_alice.get(one).json()["url"] == masked
    assert as_alice.get(API).json()["items"][0]["url"] == masked
    for response in (as_alice.get(one), as_alice.get(API)):
        for secret in ("hunter2pass", "T0K3N", "SeCrEt99", "bob"):
            assert secret not in response.content.decode()


def test_the_list_leaves_the_secret_out(as_admin, receiver, make_webhook):
    webhook = make_webhook(receiver.url)
    [item] = as_admin.get(API).json()["items"]
    assert "secret" not in item
    assert webhook.secret not in as_admin.get(API).content.decode()
    assert as_admin.get(f"{API}/{webhook.public_id}").json()["secret"] == webhook.secret


def test_a_non_admin_gets_422_for_a_body_that_does_not_parse_and_403_otherwise(
    alice, receiver, make_webhook
):
    """As the module docstring says: django-ninja parses the body before the view checks the
    role; nothing is looked up or changed either way."""
    webhook = make_webhook(receiver.url)
    as_alice = client_for(alice)
    unparsable = as_alice.post(API, {"name": "x", "url": receiver.url, "events": ["nope"]})
    assert unparsable.status_code == 422
    assert _create(as_alice, receiver.url).status_code == 403
    bad_patch = as_alice.patch(f"{API}/{webhook.public_id}", {"events": ["nope"]})
    assert bad_patch.status_code == 422
    assert as_alice.patch(f"{API}/{webhook.public_id}", {"name": "y"}).status_code == 403
    assert Webhook.objects.get().name == "Receiver"

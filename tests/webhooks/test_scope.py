"""A payload is frozen for the scope it was queued for: a new client, team or URL cancels the
queued deliveries; the worker cancels, and redeliver refuses, a delivery whose payload no
longer fits the webhook as it is now (another client's ticket, or internal text for a webhook
now scoped to a client), whoever changed the webhook (another process, a stale registry)."""

import pytest

from deskside.webhooks import services
from deskside.webhooks.exceptions import Conflict
from deskside.webhooks.models import Delivery, Webhook
from deskside.webhooks.worker import webhooks_pass
from tests.conftest import client_for

API = "/api/v1/webhooks"


def test_a_delivery_records_its_client_and_whether_it_is_internal(
    receiver, admin, make_webhook, make_ticket, carol, acme
):
    make_webhook(receiver.url, name="client", organization=acme)
    make_webhook(receiver.url, name="msp")
    make_ticket(carol)
    rows = {
        d.webhook.name: (d.organization_id, d.internal)
        for d in Delivery.objects.select_related("webhook")
    }
    assert rows == {"client": (acme.pk, False), "msp": (acme.pk, True)}
    ping = services.send_ping(actor=admin, webhook=Webhook.objects.get(name="client"))
    assert (ping.organization_id, ping.internal) == (None, False)


def test_moving_a_webhook_to_another_client_cancels_its_queued_deliveries(
    receiver, admin, make_webhook, make_ticket, carol, acme, globex
):
    webhook = make_webhook(receiver.url, organization=acme)
    make_ticket(carol, subject="Acme secret plans")
    services.update_webhook(actor=admin, webhook=webhook, organization=globex)
    webhooks_pass()
    assert receiver.requests == []
    delivery = Delivery.objects.get()
    assert delivery.status == "cancelled"
    assert "client, team or URL changed" in delivery.last_error


@pytest.mark.parametrize("change", ["url", "team"])
def test_a_new_url_or_team_cancels_the_queued_deliveries(
    receiver, closed_url, admin, make_webhook, make_ticket, carol, network_team, change
):
    webhook = make_webhook(closed_url)
    make_ticket(carol)
    value = {"url": receiver.url, "team": network_team}[change]
    services.update_webhook(actor=admin, webhook=webhook, **{change: value})
    webhooks_pass()
    assert receiver.requests == []
    assert Delivery.objects.get().status == "cancelled"


def test_other_changes_keep_the_queued_deliveries(
    receiver, admin, make_webhook, make_ticket, carol, acme
):
    webhook = make_webhook(receiver.url, organization=acme)
    make_ticket(carol)
    services.update_webhook(
        actor=admin,
        webhook=webhook,
        name="Renamed",
        events=["ticket.created", "ticket.resolved"],
        organization=acme,  # given, but the same
        url=receiver.url,
    )
    webhooks_pass()
    assert len(receiver.requests) == 1
    assert Delivery.objects.get().status == "delivered"


def test_internal_text_queued_before_a_webhook_became_client_scoped_is_not_sent(
    receiver, make_webhook, make_ticket, carol, acme
):
    webhook = make_webhook(receiver.url)  # MSP-wide: internal payloads
    make_ticket(carol)
    # Changed behind the services' back (another process, a database fix).
    Webhook.objects.filter(pk=webhook.pk).update(organization=acme)
    webhooks_pass()
    assert receiver.requests == []
    delivery = Delivery.objects.get()
    assert delivery.status == "cancelled"
    assert "internal text" in delivery.last_error


def test_another_clients_payload_is_not_sent_after_the_client_changed(
    receiver, make_webhook, make_ticket, carol, acme, globex
):
    webhook = make_webhook(receiver.url, organization=acme)
    make_ticket(carol)
    Webhook.objects.filter(pk=webhook.pk).update(organization=globex)
    webhooks_pass()
    assert receiver.requests == []
    assert "another client's ticket" in Delivery.objects.get().last_error


def test_a_stale_registry_in_another_process_cannot_leak_a_ticket(
    receiver, make_webhook, make_ticket, carol, dave, acme, settings
):
    """This process still has the webhook as MSP-wide in memory when another one scoped it to
    Acme: the Globex ticket's delivery is queued, and the worker cancels it."""
    settings.DESKSIDE_WEBHOOKS_REFRESH_SECONDS = None
    webhook = make_webhook(receiver.url)
    make_ticket(carol)  # loads the registry
    Webhook.objects.filter(pk=webhook.pk).update(organization=acme)  # no signal here
    make_ticket(dave, subject="Globex only")
    Delivery.objects.filter(payload__ticket__subject="Globex only").get()  # queued, stale
    webhooks_pass()
    assert receiver.requests == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {"cancelled"}


def test_redeliver_refuses_a_payload_that_no_longer_fits(
    receiver, admin, make_webhook, make_ticket, carol, acme, globex
):
    wide = make_webhook(receiver.url, name="wide")
    scoped = make_webhook(receiver.url, name="scoped", organization=acme)
    make_ticket(carol)
    webhooks_pass()
    assert len(receiver.requests) == 2
    # Scope changes after delivery (nothing queued to cancel): the old payloads stay logged.
    services.update_webhook(actor=admin, webhook=wide, organization=acme)
    services.update_webhook(actor=admin, webhook=scoped, organization=globex)
    as_admin = client_for(admin)
    for webhook, reason in ((wide, "internal text"), (scoped, "another client's ticket")):
        delivery = Delivery.objects.get(webhook=webhook)
        with pytest.raises(Conflict, match=reason):
            services.redeliver(actor=admin, delivery=delivery)
        url = f"{API}/{webhook.public_id}/deliveries/{delivery.public_id}/redeliver"
        response = as_admin.post(url)
        assert response.status_code == 409, response.json()
        assert response.json()["field"] == "delivery"
    assert Delivery.objects.count() == 2
    webhooks_pass()
    assert len(receiver.requests) == 2


def test_redeliver_keeps_the_scope_of_the_payload(
    receiver, admin, make_webhook, make_ticket, carol, acme
):
    webhook = make_webhook(receiver.url, organization=acme)
    make_ticket(carol)
    webhooks_pass()
    first = Delivery.objects.get()
    copy = services.redeliver(actor=admin, delivery=first)
    assert (copy.organization_id, copy.internal) == (acme.pk, False)
    services.update_webhook(actor=admin, webhook=webhook, url=receiver.url + "/v2")
    webhooks_pass()
    assert Delivery.objects.get(pk=copy.pk).status == "cancelled"  # queued when the URL moved

"""Webhooks never reach an internal address: refused at save time (page and API, naming the
field), and at send time, when a name that resolved publicly on saving resolves internally now
(DNS rebinding): the delivery fails at once with the reason and no connection is attempted.
A public address is connected to exactly as checked; the allow-list permits named hosts.
Test deliveries (ping) are rate-limited per person: 429 with Retry-After."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from deskside.core import ratelimit
from deskside.core.clock import frozen
from deskside.core.models import TrialSend
from deskside.webhooks import services
from deskside.webhooks.exceptions import InvalidInput
from deskside.webhooks.models import Delivery
from deskside.webhooks.worker import webhooks_pass
from tests.conftest import INTERNAL_NAMES, PUBLIC_ADDRESS, client_for

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REBIND = "hooks.rebind.example.net"


@pytest.mark.parametrize("name", sorted(INTERNAL_NAMES))
def test_a_name_that_turns_internal_after_saving_is_refused_at_send_time(
    connects, stub_dns, make_webhook, make_ticket, carol, acme, name
):
    stub_dns.names[REBIND] = [PUBLIC_ADDRESS]  # public when the admin saves it
    with frozen(T0):
        make_webhook(f"https://{REBIND}/deskside", organization=acme)
        stub_dns.names[REBIND] = stub_dns.names[name]  # internal when it is sent
        make_ticket(carol, subject="Printer on fire")
        webhooks_pass()

    delivery = Delivery.objects.get()
    assert connects == []
    assert delivery.status == Delivery.Status.FAILED  # final: no retries of a refusal
    assert delivery.last_error.startswith(f"not sent: {REBIND} points at an internal address")
    assert "93.184" not in delivery.last_error and "/deskside" not in delivery.last_error


def test_a_public_address_is_connected_to_as_checked(
    connects, make_webhook, make_ticket, carol, acme
):
    with frozen(T0):
        make_webhook("https://public.example.net/deskside", organization=acme)
        make_ticket(carol)
        webhooks_pass()
    assert connects == [(PUBLIC_ADDRESS, 443)]
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.QUEUED and delivery.attempts == 1  # retried later
    assert "internal" not in delivery.last_error


def test_the_allow_list_lets_an_operator_permit_an_internal_receiver(
    connects, settings, make_webhook, make_ticket, carol, acme
):
    settings.DESKSIDE_OUTBOUND_ALLOW = ["ten.example.net"]
    with frozen(T0):
        make_webhook("http://ten.example.net:8080/hook", organization=acme)
        make_ticket(carol)
        webhooks_pass()
    assert connects == [("10.1.2.3", 8080)]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[fc00::7]:9000/",
        "https://metadata.example.net/x",
        "https://ten.example.net/x",
    ],
)
def test_an_internal_url_is_refused_on_save(connects, admin, url):
    with pytest.raises(InvalidInput, match="points at an internal address") as caught:
        services.create_webhook(actor=admin, name="X", url=url, events=["ticket.created"])
    assert caught.value.field == "url"
    assert connects == []


def test_the_api_and_the_page_name_the_field(connects, admin):
    api = client_for(admin)
    response = api.post(
        "/api/v1/webhooks",
        {"name": "Meta", "url": "http://metadata.example.net/", "events": ["ticket.created"]},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "url"
    assert "points at an internal address" in response.json()["detail"]

    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("webhooks:new"),
        {
            "name": "Meta",
            "url": "http://10.0.0.8/",
            "events": ["ticket.created"],
            "is_active": "on",
        },
    )
    assert response.status_code == 422
    assert "points at an internal address" in str(response.context["form"].errors["url"])


def test_pings_are_rate_limited_per_person(connects, admin, make_webhook, acme):
    webhook = make_webhook("https://public.example.net/deskside", organization=acme)
    api = client_for(admin)
    url = f"/api/v1/webhooks/{webhook.public_id}/ping"
    with frozen(T0):
        for _ in range(ratelimit.LIMIT):
            assert api.post(url).status_code == 202
        refused = api.post(url)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(int(ratelimit.WINDOW.total_seconds()))
    assert "too many test sends" in refused.json()["detail"]
    assert TrialSend.objects.filter(user=admin).count() == ratelimit.LIMIT  # in the database
    assert Delivery.objects.count() == ratelimit.LIMIT

    with frozen(T0 + timedelta(minutes=4)):
        again = api.post(url)
    assert again.status_code == 429 and again["Retry-After"] == str(6 * 60)

    client = Client()
    client.force_login(admin)
    with frozen(T0 + timedelta(minutes=5)):
        page = client.post(reverse("webhooks:ping", args=[webhook.public_id]), follow=True)
    assert b"too many test sends" in page.content

    with frozen(T0 + ratelimit.WINDOW):
        assert api.post(url).status_code == 202

"""The webhook pages: an administrator creates, edits, tests, rotates, deactivates,
redelivers and deletes; another agent reads without the secret and gets 403 on every write;
a customer never reaches them; an agent limited to a client sees only that client's."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from deskside.accounts.models import Tier
from deskside.core.clock import frozen
from deskside.webhooks.models import Delivery, Webhook
from deskside.webhooks.worker import webhooks_pass
from tests.conftest import login

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _form(url, **fields):
    return {"name": "Acme ITSM", "url": url, "events": ["ticket.created"], "is_active": "on"} | (
        fields
    )


def test_admin_creates_a_webhook_and_sees_its_secret(admin, receiver, acme):
    client = login(admin)
    assert client.get(reverse("webhooks:index")).status_code == 200
    assert client.get(reverse("webhooks:new")).status_code == 200
    response = client.post(reverse("webhooks:new"), _form(receiver.url, organization="acme"))
    webhook = Webhook.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("webhooks:detail", args=[webhook.public_id])
    assert webhook.organization == acme and webhook.events == ["ticket.created"]
    page = client.get(response["Location"])
    assert webhook.secret in page.content.decode()
    index = client.get(reverse("webhooks:index")).content.decode()
    assert "Acme ITSM" in index and "client Acme Corp" in index


def test_bad_form_input_is_shown_on_the_form(admin, receiver):
    client = login(admin)
    response = client.post(reverse("webhooks:new"), _form("ftp://example.com/"))
    assert response.status_code == 422
    assert "is not an http:// or https:// URL" in response.content.decode()
    response = client.post(reverse("webhooks:new"), _form(receiver.url, events=[]))
    assert response.status_code == 422
    assert not Webhook.objects.exists()


def test_admin_edits_tests_rotates_redelivers_deactivates_and_deletes(
    admin, receiver, make_webhook, make_ticket, carol
):
    webhook = make_webhook(receiver.url)
    client = login(admin)
    detail = reverse("webhooks:detail", args=[webhook.public_id])

    saved = client.post(detail, _form(receiver.url, name="Renamed", events=["ticket.resolved"]))
    assert saved.status_code == 302
    webhook.refresh_from_db()
    assert webhook.name == "Renamed" and webhook.events == ["ticket.resolved"]

    old = webhook.secret
    client.post(reverse("webhooks:rotate", args=[webhook.public_id]))
    webhook.refresh_from_db()
    assert webhook.secret != old

    client.post(reverse("webhooks:ping", args=[webhook.public_id]))
    receiver.codes = [500]
    webhooks_pass()
    ping = Delivery.objects.get()
    page = client.get(detail).content.decode()
    assert ping.public_id in page and "receiver says no" in page and "Queued" in page

    Delivery.objects.filter(pk=ping.pk).update(status="failed")
    client.post(reverse("webhooks:redeliver", args=[webhook.public_id, ping.public_id]))
    webhooks_pass()
    assert Delivery.objects.filter(status="delivered", redelivery_of=ping).exists()

    client.post(reverse("webhooks:active", args=[webhook.public_id]), {"active": "0"})
    webhook.refresh_from_db()
    assert not webhook.is_active
    client.post(reverse("webhooks:active", args=[webhook.public_id]), {"active": "1"})
    webhook.refresh_from_db()
    assert webhook.is_active

    gone = client.post(reverse("webhooks:delete", args=[webhook.public_id]))
    assert gone["Location"] == reverse("webhooks:index")
    assert client.get(detail).status_code == 404


def test_the_chart_counts_delivered_and_failed_per_day(admin, receiver, make_webhook, closed_url):
    with frozen(T0 - timedelta(days=1)):
        webhook = make_webhook(receiver.url)
        Delivery.objects.create(webhook=webhook, event="ping", payload={}, status="delivered")
        Delivery.objects.create(webhook=webhook, event="ping", payload={}, status="failed")
    with frozen(T0):
        Delivery.objects.create(webhook=webhook, event="ping", payload={}, status="delivered")
        page = login(admin).get(reverse("webhooks:detail", args=[webhook.public_id]))
    chart = page.context["chart"]
    assert len(chart) == 14
    assert (chart[-2]["delivered"], chart[-2]["failed"]) == (1, 1)
    assert (chart[-1]["delivered"], chart[-1]["failed"]) == (1, 0)
    assert chart[-1]["delivered_pct"] == 50
    assert "2 delivered and 1 failed in the last 14 days" in page.content.decode()


def test_other_agents_read_but_cannot_change(alice, receiver, make_webhook):
    webhook = make_webhook(receiver.url)
    client = login(alice)
    page = client.get(reverse("webhooks:detail", args=[webhook.public_id]))
    assert page.status_code == 200
    assert webhook.secret not in page.content.decode()
    assert client.get(reverse("webhooks:new")).status_code == 403
    args = [webhook.public_id]
    writes = [
        client.post(reverse("webhooks:new"), _form(receiver.url)),
        client.post(reverse("webhooks:detail", args=args), _form(receiver.url, name="x")),
        client.post(reverse("webhooks:rotate", args=args)),
        client.post(reverse("webhooks:ping", args=args)),
        client.post(reverse("webhooks:active", args=args), {"active": "0"}),
        client.post(reverse("webhooks:delete", args=args)),
    ]
    assert [r.status_code for r in writes] == [403] * 6
    webhook.refresh_from_db()
    assert webhook.name == "Receiver" and webhook.is_active and webhook.deleted_at is None


def test_customers_never_reach_the_pages(carol, receiver, make_webhook, acme):
    webhook = make_webhook(receiver.url, organization=acme)
    client = login(carol)
    for name, args in [("webhooks:index", []), ("webhooks:detail", [webhook.public_id])]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and "/webhooks/" not in response["Location"]
    assert client.post(reverse("webhooks:ping", args=[webhook.public_id])).status_code == 403
    # Sent to the portal: what they land on says nothing about the webhook.
    landed = client.get(reverse("webhooks:index"), follow=True)
    assert landed.redirect_chain == [(reverse("portal:home"), 302)]
    assert landed.status_code == 200
    page = landed.content.decode()
    assert webhook.secret not in page and receiver.url not in page and "Receiver" not in page


@pytest.fixture
def acme_agent(admin_serving, acme):
    return admin_serving(acme, email="acme-only@msp.example", full_name="Acme Only", tier=Tier.L1)


def test_an_agent_limited_to_a_client_sees_only_its_webhooks(
    acme_agent, receiver, make_webhook, acme, globex
):
    ours = make_webhook(receiver.url, name="Acme hook", organization=acme)
    theirs = make_webhook(receiver.url, name="Globex hook", organization=globex)
    wide = make_webhook(receiver.url, name="MSP hook")
    client = login(acme_agent)
    index = client.get(reverse("webhooks:index")).content.decode()
    assert "Acme hook" in index and "Globex hook" not in index and "MSP hook" not in index
    assert client.get(reverse("webhooks:detail", args=[ours.public_id])).status_code == 200
    for hook in (theirs, wide):
        assert client.get(reverse("webhooks:detail", args=[hook.public_id])).status_code == 404
        assert client.post(reverse("webhooks:ping", args=[hook.public_id])).status_code == 404
    response = client.post(reverse("webhooks:new"), _form(receiver.url, organization="globex"))
    assert response.status_code == 422  # not a choice on their form
    response = client.post(reverse("webhooks:new"), _form(receiver.url))
    assert response.status_code == 422
    assert "every client" in response.content.decode()
    assert Webhook.objects.count() == 3


def test_the_index_reads_a_page_in_a_fixed_number_of_queries(
    admin,
    receiver,
    make_webhook,
    make_ticket,
    carol,
    acme,
    network_team,
    django_assert_max_num_queries,
):
    for n in range(5):
        make_webhook(receiver.url, name=f"hook {n}", organization=acme, team=network_team)
    make_ticket(carol)
    client = login(admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("webhooks:index"))
    assert response.content.decode().count("Ticket created") == 5


SECRET_URL = "https://bob:hunter2pass@hooks.example.com/services/T0K3N?token=SeCrEt99"


def test_only_admins_see_the_full_url_on_the_pages(admin, alice, make_webhook):
    webhook = make_webhook(SECRET_URL)
    pages = (reverse("webhooks:index"), reverse("webhooks:detail", args=[webhook.public_id]))
    for url in pages:
        assert SECRET_URL in login(admin).get(url).content.decode()
        page = login(alice).get(url).content.decode()
        assert "https://***@hooks.example.com/***?***" in page
        for secret in ("hunter2pass", "T0K3N", "SeCrEt99"):
            assert secret not in page


def test_redeliver_of_a_payload_that_no_longer_fits_is_refused_on_the_page(
    admin, receiver, make_webhook, make_ticket, carol, acme
):
    webhook = make_webhook(receiver.url)  # MSP-wide: the payload holds internal text
    make_ticket(carol)
    webhooks_pass()
    delivery = Delivery.objects.get()
    client = login(admin)
    client.post(
        reverse("webhooks:detail", args=[webhook.public_id]),
        _form(receiver.url, name="Acme now", organization="acme"),
    )
    response = client.post(
        reverse("webhooks:redeliver", args=[webhook.public_id, delivery.public_id]), follow=True
    )
    assert "internal text" in response.content.decode()
    assert Delivery.objects.count() == 1

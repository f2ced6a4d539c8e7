"""The Django admin shows webhooks and deliveries read-only: no adding, changing or deleting
there (the services check scope, cancel queued deliveries and keep the log)."""

import pytest
from django.test import Client
from django.urls import reverse

from deskside.webhooks.models import Delivery, Webhook
from deskside.webhooks.worker import webhooks_pass


@pytest.fixture
def superuser_client(admin):
    admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    return client


def test_webhooks_are_read_only_in_the_django_admin(
    superuser_client, receiver, make_webhook, make_ticket, carol
):
    webhook = make_webhook(receiver.url)
    make_ticket(carol)
    webhooks_pass()
    delivery = Delivery.objects.get()
    for model, obj in (("webhook", webhook), ("delivery", delivery)):
        changelist = reverse(f"admin:webhooks_{model}_changelist")
        change = reverse(f"admin:webhooks_{model}_change", args=[obj.pk])
        delete = reverse(f"admin:webhooks_{model}_delete", args=[obj.pk])
        assert superuser_client.get(changelist).status_code == 200
        page = superuser_client.get(change)
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()  # a view, not a form
        assert superuser_client.get(reverse(f"admin:webhooks_{model}_add")).status_code == 403
        assert superuser_client.get(delete).status_code == 403
        assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
        bulk = superuser_client.post(
            changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        )
        assert bulk.status_code in (200, 302)
    posted = superuser_client.post(
        reverse("admin:webhooks_webhook_change", args=[webhook.pk]),
        {"name": "changed", "url": "http://elsewhere.example/", "events": '["ticket.created"]'},
    )
    assert posted.status_code == 403
    webhook.refresh_from_db()
    assert webhook.name == "Receiver" and webhook.deleted_at is None
    assert Webhook.objects.count() == 1 and Delivery.objects.count() == 1

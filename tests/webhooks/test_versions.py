"""Concurrent edits of a webhook (issue 12, item 9): a stale edit is a conflict (409 with the
current version in the API; the page shows the current values and keeps the input), an edit
after a delete is a 404 and never brings the webhook back, and a secret rotation is never
undone by an edit drawn before it. Threads with their own connections make the real
interleavings on both databases."""

import pytest
from django.test import Client
from django.urls import reverse

from deskside.core import versioning
from deskside.webhooks import services as webhooks
from deskside.webhooks.models import Webhook
from tests.conftest import client_for
from tests.core.races import in_threads

API = "/api/v1/webhooks"


def _form(url, **fields):
    return {"name": "Acme ITSM", "url": url, "events": ["ticket.created"], "is_active": "on"} | (
        fields
    )


@pytest.fixture
def hook(make_webhook, receiver):
    return make_webhook(receiver.url, name="Acme ITSM")


def test_a_new_webhook_is_at_version_1_and_each_change_bumps_it(admin, hook):
    assert hook.version == 1
    webhooks.update_webhook(actor=admin, webhook=hook, name="Renamed", version=1)
    assert Webhook.objects.get().version == 2
    webhooks.rotate_secret(actor=admin, webhook=hook)
    assert Webhook.objects.get().version == 3


def test_api_stale_patch_is_409_with_the_current_version(admin, hook):
    client = client_for(admin)
    url = f"{API}/{hook.public_id}"
    assert client.get(url).json()["version"] == 1
    first = client.patch(url, {"name": "First", "version": 1})
    assert first.status_code == 200, first.json()
    assert first.json()["version"] == 2
    stale = client.patch(url, {"name": "Second", "version": 1})
    assert stale.status_code == 409
    body = stale.json()
    assert body["field"] == "version"
    assert body["version"] == 2
    assert "changed by someone else" in body["detail"]
    assert Webhook.objects.get().name == "First"


def test_api_patch_after_delete_is_404_and_the_webhook_stays_deleted(admin, hook):
    client = client_for(admin)
    url = f"{API}/{hook.public_id}"
    assert client.delete(url).status_code == 204
    for body in ({"name": "Back", "version": 1}, {"is_active": True}):
        response = client.patch(url, body)
        assert response.status_code == 404, response.json()
    row = Webhook.objects.get()
    assert row.deleted_at is not None
    assert not row.is_active
    assert row.name == "Acme ITSM"


def test_stale_instance_edited_after_delete_is_gone_not_resurrected(admin, hook):
    stale = Webhook.objects.get(pk=hook.pk)
    webhooks.delete_webhook(actor=admin, webhook=hook)
    with pytest.raises(versioning.Gone):
        webhooks.update_webhook(actor=admin, webhook=stale, is_active=True)
    row = Webhook.objects.get()
    assert row.deleted_at is not None
    assert not row.is_active
    with pytest.raises(versioning.Gone):
        webhooks.rotate_secret(actor=admin, webhook=stale)
    with pytest.raises(versioning.Gone):
        webhooks.delete_webhook(actor=admin, webhook=stale)


def test_rotation_is_not_undone_by_an_edit_drawn_before_it(admin, hook):
    stale = Webhook.objects.get(pk=hook.pk)
    rotated = webhooks.rotate_secret(actor=admin, webhook=hook).secret
    # without a version: only the fields named are written, the secret stays the new one
    webhooks.update_webhook(actor=admin, webhook=stale, name="Renamed")
    row = Webhook.objects.get()
    assert row.secret == rotated
    assert row.name == "Renamed"
    # with the version read before the rotation: refused
    with pytest.raises(versioning.VersionConflict):
        webhooks.update_webhook(actor=admin, webhook=Webhook(pk=hook.pk), name="X", version=1)
    assert Webhook.objects.get().secret == rotated


def test_page_stale_save_shows_the_conflict_and_keeps_the_input(admin, hook, receiver):
    client = Client()
    client.force_login(admin)
    detail = reverse("webhooks:detail", args=[hook.public_id])
    page = client.get(detail).content.decode()
    assert 'name="version" value="1"' in page
    client.post(reverse("webhooks:rotate", args=[hook.public_id]))  # someone rotates meanwhile
    webhooks.update_webhook(actor=admin, webhook=hook, name="Changed elsewhere")
    response = client.post(detail, _form(receiver.url, name="My edit", version="1"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else since you opened it" in html
    assert "Changed elsewhere" in html  # the current value shown
    assert 'value="My edit"' in html  # the input kept
    assert 'name="version" value="3"' in html  # saving again replaces deliberately
    assert Webhook.objects.get().name == "Changed elsewhere"
    again = client.post(detail, _form(receiver.url, name="My edit", version="3"))
    assert again.status_code == 302
    assert Webhook.objects.get().name == "My edit"


def test_page_edit_after_delete_is_404_and_nothing_comes_back(admin, hook, receiver):
    client = Client()
    client.force_login(admin)
    detail = reverse("webhooks:detail", args=[hook.public_id])
    client.post(reverse("webhooks:delete", args=[hook.public_id]))
    assert client.post(detail, _form(receiver.url, version="1")).status_code == 404
    assert client.post(reverse("webhooks:rotate", args=[hook.public_id])).status_code == 404
    assert Webhook.objects.get().deleted_at is not None


@pytest.mark.django_db(transaction=True)
def test_racing_edit_and_delete_never_resurrect(admin, receiver):
    for _ in range(3):
        hook = webhooks.create_webhook(
            actor=admin, name="Race", url=receiver.url, events=["ticket.created"]
        )
        a, b = Webhook.objects.get(pk=hook.pk), Webhook.objects.get(pk=hook.pk)
        results, errors = in_threads(
            lambda a=a: webhooks.update_webhook(actor=admin, webhook=a, is_active=True),
            lambda b=b: webhooks.delete_webhook(actor=admin, webhook=b),
        )
        assert all(isinstance(e, versioning.Gone) for e in errors), errors
        row = Webhook.objects.get(pk=hook.pk)
        assert row.deleted_at is not None
        assert not row.is_active


@pytest.mark.django_db(transaction=True)
def test_racing_rotation_and_edit_keep_the_rotated_secret(admin, receiver):
    hook = webhooks.create_webhook(
        actor=admin, name="Race", url=receiver.url, events=["ticket.created"]
    )
    a, b = Webhook.objects.get(pk=hook.pk), Webhook.objects.get(pk=hook.pk)
    results, errors = in_threads(
        lambda: webhooks.rotate_secret(actor=admin, webhook=a).secret,
        lambda: webhooks.update_webhook(actor=admin, webhook=b, name="Renamed"),
    )
    assert not errors, errors
    rotated = next(r for r in results if isinstance(r, str))
    row = Webhook.objects.get(pk=hook.pk)
    assert row.secret == rotated
    assert row.name == "Renamed"
    assert row.version == 3


@pytest.mark.django_db(transaction=True)
def test_two_racing_edits_of_one_version_one_wins_one_conflicts(admin, receiver):
    hook = webhooks.create_webhook(
        actor=admin, name="Race", url=receiver.url, events=["ticket.created"]
    )
    results, errors = in_threads(
        lambda: webhooks.update_webhook(
            actor=admin, webhook=Webhook.objects.get(pk=hook.pk), name="A", version=1
        ),
        lambda: webhooks.update_webhook(
            actor=admin, webhook=Webhook.objects.get(pk=hook.pk), name="B", version=1
        ),
    )
    assert len(results) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], versioning.VersionConflict), errors
    assert Webhook.objects.get(pk=hook.pk).name == results[0].name

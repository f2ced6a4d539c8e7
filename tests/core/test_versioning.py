"""core.versioning, on a real settings model (a webhook): lock reloads the row and checks its
version, save writes only the fields named with one conditional UPDATE and never INSERTs, a
conflict carries the current version, hold reports a deleted row, the form helpers keep the
user's input and move the hidden version on."""

import pytest
from django import forms
from django.db import transaction
from django.db.models.signals import post_save
from django.http import Http404

from deskside.core import versioning
from deskside.webhooks import services as webhooks
from deskside.webhooks.models import Webhook


@pytest.fixture
def hook(admin):
    return webhooks.create_webhook(
        actor=admin, name="Receiver", url="https://example.com/hook", events=["ticket.created"]
    )


def test_lock_reloads_the_row_and_checks_the_version(hook):
    stale = Webhook.objects.get(pk=hook.pk)
    Webhook.objects.filter(pk=hook.pk).update(name="Changed", version=2)
    with transaction.atomic():
        versioning.lock(stale)
    assert stale.name == "Changed" and stale.version == 2
    with transaction.atomic(), pytest.raises(versioning.VersionConflict) as caught:
        versioning.lock(Webhook(pk=hook.pk), 1)
    assert caught.value.current == 2
    assert caught.value.status_code == 409 and caught.value.field == "version"
    assert versioning.CONFLICT in caught.value.message


def test_lock_and_save_of_a_deleted_row_are_gone_and_insert_nothing(hook):
    stale = Webhook.objects.get(pk=hook.pk)
    Webhook.objects.all().delete()
    with transaction.atomic(), pytest.raises(versioning.Gone):
        versioning.lock(stale)
    stale.name = "Back"
    with pytest.raises(versioning.Gone):
        versioning.save(stale, ["name"])
    assert not Webhook.objects.exists()


def test_live_filter_treats_an_archived_row_as_gone(hook):
    Webhook.objects.filter(pk=hook.pk).update(deleted_at=hook.created_at)
    with transaction.atomic(), pytest.raises(versioning.Gone):
        versioning.lock(hook, live={"deleted_at": None})


def test_save_writes_only_the_fields_named_and_bumps_the_version(hook):
    stale = Webhook.objects.get(pk=hook.pk)
    Webhook.objects.filter(pk=hook.pk).update(url="https://example.com/other")
    stale.name = "Renamed"
    stale.url = "https://stale.example/"
    seen = []

    def receiver(sender, instance, update_fields, **kwargs):
        seen.append(update_fields)

    post_save.connect(receiver, sender=Webhook)
    try:
        versioning.save(stale, ["name"])
    finally:
        post_save.disconnect(receiver, sender=Webhook)
    row = Webhook.objects.get()
    assert (row.name, row.url, row.version) == ("Renamed", "https://example.com/other", 2)
    assert stale.version == 2
    assert seen == [frozenset({"name", "version"})]
    stale.version = 1  # a copy of the old version
    with pytest.raises(versioning.VersionConflict) as caught:
        versioning.save(stale, ["name"])
    assert caught.value.current == 2


def test_hold_reports_whether_the_row_is_there(hook):
    with transaction.atomic():
        assert versioning.hold(hook)
    Webhook.objects.all().delete()
    with transaction.atomic():
        assert not versioning.hold(hook)


def test_gone_is_a_404():

    assert issubclass(versioning.Gone, Http404)


class _Form(forms.Form):
    name = forms.CharField(label="Name")
    tags = forms.CharField(required=False)
    version = versioning.VersionFormField()


def test_form_conflict_keeps_the_input_and_moves_the_version_on():
    form = _Form({"name": "Mine", "tags": "", "version": "1"})
    assert form.is_valid()
    assert form.cleaned_data["version"] == 1
    versioning.form_conflict(
        form, versioning.VersionConflict(3), {"name": "Theirs", "tags": [], "version": 3}
    )
    errors = form.non_field_errors()
    assert versioning.CONFLICT in errors[0]
    assert "Name now: Theirs" in errors
    assert "Tags now: (none)" in errors
    html = form.as_p()
    assert 'value="Mine"' in html
    assert 'name="version" value="3"' in html


def test_version_form_field_is_optional_and_posted_version_parses():
    assert _Form({"name": "x"}).is_valid()
    assert not _Form({"name": "x", "version": "0"}).is_valid()
    assert versioning.posted_version({"version": "4"}) == 4
    assert versioning.posted_version({"version": "x"}) is None
    assert versioning.posted_version({}) is None
    assert versioning.posted_version({"version": "0"}) is None

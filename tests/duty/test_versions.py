"""Concurrent edits of on-call schedules (issue 12, item 9): schedules and layers carry a
version; a page saved from a stale copy is a 409 with the current values and the input kept;
an edit, feed reset, layer or override on a schedule deleted meanwhile is a 404 (Gone), never
a re-inserted row or a 500 at commit; a feed reset is never undone by a stale edit."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from deskside.core import clock, versioning
from deskside.duty import services
from deskside.duty.models import Layer, Override, Schedule
from tests.conftest import login
from tests.core.races import in_threads
from tests.duty.conftest import BERLIN

LAYER_FORM = {
    "position": 0,
    "starts_at": "2026-03-02T09:00",
    "shift_length": 1,
    "shift_unit": "weeks",
    "members": "alice@msp.example",
}


def test_schedule_page_stale_save_is_a_conflict(admin, weekly):
    client = login(admin)
    url = reverse("duty:schedule_edit", args=[weekly.slug])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    services.update_schedule(actor=admin, schedule=weekly, name="Renamed", timezone="UTC")
    response = client.post(
        url, {"name": "Mine", "slug": weekly.slug, "timezone": "UTC", "version": "1"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else since you opened it" in html
    assert "Renamed" in html and 'value="Mine"' in html
    assert 'name="version" value="2"' in html
    assert Schedule.objects.get().name == "Renamed"


def test_feed_reset_is_not_undone_by_a_stale_edit(admin, weekly):
    stale = Schedule.objects.get(pk=weekly.pk)
    services.regenerate_schedule_feed(actor=admin, schedule=weekly)
    token = Schedule.objects.get().feed_token
    services.update_schedule(actor=admin, schedule=stale, name="Renamed", timezone="UTC")
    assert Schedule.objects.get().feed_token == token
    with pytest.raises(versioning.VersionConflict):
        services.update_schedule(
            actor=admin, schedule=Schedule(pk=weekly.pk), name="X", timezone="UTC", version=1
        )


def test_edits_of_a_deleted_schedule_are_gone_and_nothing_comes_back(admin, weekly, alice):
    stale = Schedule.objects.get(pk=weekly.pk)
    layer = Layer.objects.get()
    services.delete_schedule(actor=admin, schedule=weekly)
    with pytest.raises(versioning.Gone):
        services.update_schedule(actor=admin, schedule=stale, name="Back", timezone="UTC")
    with pytest.raises(versioning.Gone):
        services.regenerate_schedule_feed(actor=admin, schedule=stale)
    with pytest.raises(versioning.Gone):
        services.update_layer(
            actor=admin,
            layer=layer,
            name="Back",
            starts_at=datetime(2026, 3, 2, 9, tzinfo=BERLIN),
            members=[alice],
        )
    with pytest.raises(versioning.Gone):
        services.create_layer(
            actor=admin,
            schedule=stale,
            name="New",
            starts_at=datetime(2026, 3, 2, 9, tzinfo=BERLIN),
            members=[alice],
        )
    with pytest.raises(versioning.Gone):
        services.create_override(
            actor=admin,
            schedule=stale,
            user=alice,
            starts_at=clock.now() + timedelta(hours=1),
            ends_at=clock.now() + timedelta(days=1),
        )
    assert not Schedule.objects.exists()
    assert not Layer.objects.exists()
    assert not Override.objects.exists()


def test_layer_page_stale_save_is_a_conflict_and_a_deleted_layer_404(admin, weekly, alice):
    client = login(admin)
    layer = Layer.objects.get()
    url = reverse("duty:layer_edit", args=[weekly.slug, layer.pk])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    services.update_layer(
        actor=admin,
        layer=layer,
        name="Renamed elsewhere",
        starts_at=layer.starts_at,
        members=[alice],
    )
    response = client.post(url, {**LAYER_FORM, "name": "Mine", "version": "1"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else since you opened it" in html
    assert "Renamed elsewhere" in html and 'value="Mine"' in html
    assert Layer.objects.get().name == "Renamed elsewhere"
    stale_delete = client.post(url, {"delete": "1", "version": "1"})
    assert stale_delete.status_code == 302
    assert Layer.objects.exists()  # not deleted from a stale page
    Layer.objects.all().delete()
    assert client.post(url, {**LAYER_FORM, "name": "Mine", "version": "2"}).status_code == 404
    assert not Layer.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_racing_schedule_edit_and_delete_never_resurrect(admin):
    for i in range(3):
        schedule = services.create_schedule(actor=admin, name=f"Race {i}", timezone="UTC")
        a, b = (Schedule.objects.get(pk=schedule.pk) for _ in range(2))
        _, errors = in_threads(
            lambda a=a: services.update_schedule(
                actor=admin, schedule=a, name="Edited", timezone="UTC"
            ),
            lambda b=b: services.delete_schedule(actor=admin, schedule=b),
        )
        assert all(isinstance(e, versioning.Gone) for e in errors), errors
        assert not Schedule.objects.filter(pk=schedule.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_racing_override_and_schedule_delete_end_clean(admin, alice):
    for i in range(3):
        schedule = services.create_schedule(actor=admin, name=f"Race {i}", timezone="UTC")
        _, errors = in_threads(
            lambda s=schedule: services.create_override(
                actor=admin,
                schedule=s,
                user=alice,
                starts_at=clock.now() + timedelta(hours=1),
                ends_at=clock.now() + timedelta(days=1),
            ),
            lambda s=schedule: services.delete_schedule(actor=admin, schedule=s),
        )
        assert all(isinstance(e, versioning.Gone) for e in errors), errors
        assert not Schedule.objects.filter(pk=schedule.pk).exists()
        assert not Override.objects.filter(schedule_id=schedule.pk).exists()

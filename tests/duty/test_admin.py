"""The Django admin lists and opens every on-call model, and refuses broken restrictions."""

from datetime import timedelta
from datetime import timezone as dt_timezone

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from deskside.duty.admin import LayerAdminForm, ScheduleAdminForm
from deskside.duty.models import Layer


def test_admin_pages_render(weekly, admin):
    admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    layer = weekly.layers.get()
    for name in ("schedule", "layer", "override", "swap", "personfeed"):
        assert client.get(reverse(f"admin:duty_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:duty_schedule_change", args=[weekly.pk])).status_code == 200
    assert client.get(reverse("admin:duty_layer_change", args=[layer.pk])).status_code == 200


def test_admin_layer_form_validates_restrictions(weekly):
    layer = weekly.layers.get()
    data = {
        "schedule": weekly.pk,
        "name": "Weekly",
        "position": 0,
        "timezone": "",
        "starts_at": "2026-03-02 08:00:00",
        "shift_length": 1,
        "shift_unit": Layer.Unit.WEEKS,
        "restrictions": '[{"days": [9], "start": "18:00", "end": "08:00"}]',
    }
    form = LayerAdminForm(data, instance=layer)
    assert not form.is_valid()
    assert "restrictions[0].days" in form.errors["restrictions"][0]


def _layer_data(weekly, **changes):
    data = {
        "schedule": weekly.pk,
        "name": "Weekly",
        "position": 0,
        "timezone": "",
        "starts_at": "2026-03-02 08:00:00",
        "shift_length": 1,
        "shift_unit": Layer.Unit.WEEKS,
        "restrictions": "[]",
    }
    data.update(changes)
    return data


def test_admin_layer_form_refuses_an_unknown_zone_and_too_long_shifts(weekly):
    layer = weekly.layers.get()
    form = LayerAdminForm(_layer_data(weekly, timezone="Europe/Berlinn"), instance=layer)
    assert not form.is_valid()
    assert "unknown time zone 'Europe/Berlinn'" in form.errors["timezone"][0]
    form = LayerAdminForm(
        _layer_data(weekly, shift_length=10**9, shift_unit="hours"), instance=layer
    )
    assert not form.is_valid()
    assert "a shift is 1 to 8784 hours" in form.errors["shift_length"][0]
    form = LayerAdminForm(_layer_data(weekly, timezone="Asia/Tokyo"), instance=layer)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["timezone"] == "Asia/Tokyo"


def test_admin_layer_form_refuses_a_first_handoff_in_the_layers_spring_gap(weekly):
    """The admin reads times in the site's zone; one that names a wall time which does not
    exist in the layer's zone (01:30+01:00 on London's spring-forward Sunday) is refused like
    on the pages."""
    layer = weekly.layers.get()
    with timezone.override(dt_timezone(timedelta(hours=1))):
        form = LayerAdminForm(
            _layer_data(weekly, timezone="Europe/London", starts_at="2026-03-29 01:30:00"),
            instance=layer,
        )
        assert not form.is_valid()
        assert "01:30 does not exist on 29 Mar 2026 in Europe/London" in form.errors["starts_at"][0]
        form = LayerAdminForm(
            _layer_data(weekly, timezone="Europe/London", starts_at="2026-03-29 02:30:00"),
            instance=layer,
        )
        assert form.is_valid(), form.errors


def test_admin_schedule_form_refuses_an_unknown_zone(weekly):
    data = {
        "name": "Primary",
        "slug": "primary",
        "timezone": "Mars/Olympus",
        "description": "",
        "feed_token": weekly.feed_token,
        "created_at": "2026-03-01 00:00:00",
    }
    form = ScheduleAdminForm(data, instance=weekly)
    assert not form.is_valid()
    assert "unknown time zone 'Mars/Olympus'" in form.errors["timezone"][0]
    form = ScheduleAdminForm({**data, "timezone": "Europe/Paris"}, instance=weekly)
    assert form.is_valid(), form.errors


def test_admin_changes_a_layer_zone_through_the_page_only_when_valid(weekly, admin):
    admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    layer = weekly.layers.get()
    url = reverse("admin:duty_layer_change", args=[layer.pk])
    data = {
        **_layer_data(weekly, timezone="Nowhere/City"),
        "starts_at_0": "2026-03-02",
        "starts_at_1": "08:00:00",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    layer.refresh_from_db()
    assert layer.timezone == ""

"""The Django admin lists and opens every on-call model, read-only: schedules, layers,
overrides and swaps are changed on the pages and through the API, whose services validate
time zones, shifts, restrictions and hand-offs and write the audit entry."""

from django.test import Client
from django.urls import reverse


def _superuser_client(admin) -> Client:
    admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    return client


def test_admin_pages_render(weekly, admin):
    client = _superuser_client(admin)
    layer = weekly.layers.get()
    for name in ("schedule", "layer", "override", "swap", "personfeed"):
        assert client.get(reverse(f"admin:duty_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:duty_schedule_change", args=[weekly.pk])).status_code == 200
    assert client.get(reverse("admin:duty_layer_change", args=[layer.pk])).status_code == 200


def test_admin_does_not_change_on_call_set_up(weekly, admin):
    """Changing, adding and deleting are refused (the pages and API are where they happen)."""
    client = _superuser_client(admin)
    layer = weekly.layers.get()
    page = client.get(reverse("admin:duty_layer_change", args=[layer.pk]))
    assert 'name="_save"' not in page.content.decode()  # a view, not a form
    for name in ("schedule", "layer", "override", "swap", "personfeed"):
        assert client.get(reverse(f"admin:duty_{name}_add")).status_code == 403
    posted = client.post(
        reverse("admin:duty_layer_change", args=[layer.pk]),
        {"schedule": weekly.pk, "name": "Weekly", "timezone": "Asia/Tokyo"},
    )
    assert posted.status_code == 403
    delete = reverse("admin:duty_schedule_delete", args=[weekly.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    layer.refresh_from_db()
    assert layer.timezone == ""
    assert weekly.layers.count() == 1

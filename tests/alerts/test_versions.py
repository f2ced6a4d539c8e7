"""Concurrent set-up of an integration (issue 12, item 9): a stale edit is a conflict (409
with the current version in the API; the page shows the current values and keeps the input),
an edit racing a delete is a 404 instead of the 500 it was (the edit's save() re-inserted the
row, whose service agent was gone), a new token is never undone by an edit drawn before it,
and a delete racing an alert either refuses (the alert is there) or wins (the intake's token
no longer works), never a 500."""

import pytest
from django.test import Client
from django.urls import reverse

from deskside.alerts import services as alerts
from deskside.alerts import setup as alert_setup
from deskside.alerts.exceptions import InUse, Unauthorized
from deskside.alerts.models import Alert, Integration, hash_token
from deskside.alerts.payloads import TRIGGER, AlertEvent
from deskside.core import versioning
from tests.alerts.conftest import intake
from tests.conftest import client_for
from tests.core.races import in_threads

API = "/api/v1/integrations"


def _form(integration, **fields):
    return {
        "name": integration.name,
        "organization_label": integration.organization_label,
        "severity_map": "critical=P1\nwarning=P3",
        "resolve_rule": integration.resolve_rule,
        "flood_threshold": "20",
        "flood_window_minutes": "5",
        "is_active": "on",
    } | fields


def test_api_stale_patch_is_409_and_a_fresh_one_saves(admin, acme_events):
    integration, _ = acme_events
    client = client_for(admin)
    url = f"{API}/{integration.public_id}"
    assert client.get(url).json()["version"] == 1
    first = client.patch(url, {"name": "First", "version": 1})
    assert first.status_code == 200, first.json()
    assert first.json()["version"] == 2
    stale = client.patch(url, {"name": "Second", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["field"] == "version"
    assert stale.json()["version"] == 2
    assert Integration.objects.get().name == "First"


def test_edit_of_a_deleted_integration_is_404_not_500_and_nothing_comes_back(admin, acme_events):
    integration, _ = acme_events
    stale = Integration.objects.get(pk=integration.pk)
    alert_setup.delete_integration(actor=admin, integration=integration)
    with pytest.raises(versioning.Gone):
        alert_setup.update_integration(actor=admin, integration=stale, name="Back")
    with pytest.raises(versioning.Gone):
        alert_setup.regenerate_token(actor=admin, integration=stale)
    with pytest.raises(versioning.Gone):
        alert_setup.delete_integration(actor=admin, integration=stale)
    assert not Integration.objects.exists()


def test_api_edit_after_delete_is_404(admin, acme_events):
    integration, _ = acme_events
    client = client_for(admin)
    url = f"{API}/{integration.public_id}"
    assert client.delete(url).status_code == 204
    response = client.patch(url, {"name": "Back"})
    assert response.status_code == 404
    assert response.json()["detail"]
    assert not Integration.objects.exists()


def test_new_token_is_not_undone_by_an_edit_drawn_before_it(admin, acme_events):
    integration, old = acme_events
    stale = Integration.objects.get(pk=integration.pk)
    new = alert_setup.regenerate_token(actor=admin, integration=integration)
    alert_setup.update_integration(actor=admin, integration=stale, name="Renamed")
    row = Integration.objects.get()
    assert row.token_hash == hash_token(new)
    assert row.name == "Renamed"
    with pytest.raises(versioning.VersionConflict):
        alert_setup.update_integration(
            actor=admin, integration=Integration(pk=row.pk), name="X", version=1
        )
    assert intake(old).post(f"{API}/events", {}).status_code == 401


def test_page_stale_save_shows_the_conflict_and_keeps_the_input(admin, acme_events):
    integration, _ = acme_events
    client = Client()
    client.force_login(admin)
    detail = reverse("alerts:integration", args=[integration.public_id])
    assert 'name="version" value="1"' in client.get(detail).content.decode()
    alert_setup.update_integration(actor=admin, integration=integration, name="Changed elsewhere")
    response = client.post(detail, _form(integration, name="My edit", version="1"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else since you opened it" in html
    assert "Changed elsewhere" in html
    assert 'value="My edit"' in html
    assert 'name="version" value="2"' in html
    again = client.post(detail, _form(integration, name="My edit", version="2"))
    assert again.status_code == 302
    assert Integration.objects.get().name == "My edit"


def test_page_edit_after_delete_is_404(admin, acme_events):
    integration, _ = acme_events
    client = Client()
    client.force_login(admin)
    detail = reverse("alerts:integration", args=[integration.public_id])
    alert_setup.delete_integration(actor=admin, integration=integration)
    assert client.post(detail, _form(integration, version="1")).status_code == 404
    assert not Integration.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_racing_edit_and_delete_end_clean(admin, acme):
    for i in range(3):
        integration, _ = alert_setup.create_integration(
            actor=admin, name=f"Race {i}", kind="events", organization=acme
        )
        a, b = (Integration.objects.get(pk=integration.pk) for _ in range(2))
        results, errors = in_threads(
            lambda a=a: alert_setup.update_integration(actor=admin, integration=a, name="Edit"),
            lambda b=b: alert_setup.delete_integration(actor=admin, integration=b),
        )
        assert all(isinstance(e, versioning.Gone) for e in errors), errors
        assert not Integration.objects.filter(pk=integration.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_racing_token_and_edit_keep_the_new_token(admin, acme):
    integration, _ = alert_setup.create_integration(
        actor=admin, name="Race", kind="events", organization=acme
    )
    a, b = (Integration.objects.get(pk=integration.pk) for _ in range(2))
    results, errors = in_threads(
        lambda: alert_setup.regenerate_token(actor=admin, integration=a),
        lambda: alert_setup.update_integration(actor=admin, integration=b, flood_threshold=5),
    )
    assert not errors, errors
    new = next(r for r in results if isinstance(r, str))
    row = Integration.objects.get(pk=integration.pk)
    assert row.token_hash == hash_token(new)
    assert row.flood_threshold == 5
    assert row.version == 3


@pytest.mark.django_db(transaction=True)
def test_racing_delete_and_first_alert_never_lose_the_alert(admin, acme):
    event = AlertEvent(action=TRIGGER, dedup_key="disk", summary="Disk full", severity="error")
    for i in range(3):
        integration, _ = alert_setup.create_integration(
            actor=admin, name=f"Race {i}", kind="events", organization=acme
        )
        a, b = (Integration.objects.get(pk=integration.pk) for _ in range(2))
        results, errors = in_threads(
            lambda a=a: alerts.trigger(integration=a, event=event, organization=acme),
            lambda b=b: alert_setup.delete_integration(actor=admin, integration=b),
        )
        if Integration.objects.filter(pk=integration.pk).exists():
            # the alert came first: the delete was refused, the alert is kept
            assert [type(e) for e in errors] == [InUse], errors
            assert Alert.objects.filter(integration=integration).count() == 1
        else:
            # the delete came first: the intake refuses cleanly (401: the token is gone)
            assert [type(e) for e in errors] == [Unauthorized], errors
            assert not Alert.objects.filter(dedup_key="disk", integration_id=integration.pk)

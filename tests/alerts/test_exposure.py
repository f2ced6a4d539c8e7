"""Least exposure of alert details (issue 12 item 10): by default an alert's details (source
host, key, labels, annotations, payload fields, the integration) go to an internal note and
the customer reads only the alert's summary, in the portal and through the API; an
integration set to `alert_details=public` puts them in the description as before. The setting
is shown and changed on the integration page and through the API."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from deskside.alerts import services as alerts
from deskside.alerts import setup as alert_setup
from deskside.alerts.models import Integration
from deskside.core import clock
from deskside.paging.delivery import alert_summary
from deskside.tickets.models import EventKind, Ticket
from tests.alerts.conftest import INTAKE, intake
from tests.conftest import client_for

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EVENTS = f"{INTAKE}/events"
AM = f"{INTAKE}/alertmanager"
# What the customer must not read: the host, the key, a label, an annotation, a payload field.
SECRETS = ("fs1.corp.internal", "disk-c-fs1", "rack-7", "runbook.internal", "free_gb", "zebulon")


@pytest.fixture(autouse=True)
def _clock():
    with clock.frozen(T0):
        yield


def trigger(key="disk-c-fs1"):
    return {
        "event_action": "trigger",
        "dedup_key": key,
        "payload": {
            "summary": "Disk C almost full",
            "source": "fs1.corp.internal",
            "severity": "critical",
            "custom_details": {"free_gb": 4, "rack": "rack-7", "owner": "zebulon"},
            "component": "see runbook.internal",
        },
    }


def am_alert():
    return {
        "status": "firing",
        "labels": {"alertname": "DiskFull", "instance": "fs1.corp.internal:9100", "rack": "rack-7"},
        "annotations": {"summary": "Disk C almost full", "runbook": "http://runbook.internal/x"},
        "startsAt": "2026-03-02T08:59:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "fingerprint": "disk-c-fs1",
    }


def customer_views(customer, number: str) -> str:
    """Everything the customer can read of the ticket: the API's ticket and timeline, and
    the portal page."""
    api = client_for(customer)
    ticket = api.get(f"/api/v1/tickets/{number}")
    events = api.get(f"/api/v1/tickets/{number}/events")
    assert ticket.status_code == events.status_code == 200
    portal = Client()
    portal.force_login(customer)
    page = portal.get(reverse("portal:detail", args=[number]))
    assert page.status_code == 200
    return ticket.content.decode() + events.content.decode() + page.content.decode()


def test_details_are_an_internal_note_by_default(acme_events, olivia, alice):
    integration, token = acme_events
    assert integration.alert_details == Integration.Details.INTERNAL
    number = intake(token).post(EVENTS, trigger()).json()["ticket"]
    seen = customer_views(olivia, number)
    assert "Disk C almost full" in seen
    for secret in SECRETS:
        assert secret not in seen, secret
    # The agent has them all, on an internal note (and finds the ticket by the host).
    ticket = Ticket.objects.by_number(number)
    assert "Acme RMM" not in ticket.description
    assert ticket.events.get(kind=EventKind.CREATED).data["alert"] == {"severity": "critical"}
    note = ticket.events.get(kind=EventKind.NOTE)
    assert not note.is_public
    for secret in SECRETS:
        assert secret in note.body, secret
    agent_events = client_for(alice).get(f"/api/v1/tickets/{number}/events").content.decode()
    assert "fs1.corp.internal" in agent_events
    found = client_for(alice).get("/api/v1/tickets", {"q": "zebulon"}).json()["items"]
    assert [t["number"] for t in found] == [number]
    # The page to the on-call agent still names the source.
    assert alert_summary(ticket) == "critical · fs1.corp.internal"


def test_alertmanager_labels_and_annotations_stay_internal(acme_alertmanager, olivia):
    _, token = acme_alertmanager
    answer = intake(token).post(
        AM, {"version": "4", "status": "firing", "receiver": "d", "alerts": [am_alert()]}
    )
    number = answer.json()["alerts"][0]["ticket"]
    seen = customer_views(olivia, number)
    assert "Disk C almost full" in seen
    for secret in ("fs1.corp.internal", "rack-7", "runbook.internal", "9100"):
        assert secret not in seen, secret


def test_the_resolution_the_customer_reads_names_only_the_summary(acme_events, olivia):
    _, token = acme_events
    client = intake(token)
    number = client.post(EVENTS, trigger()).json()["ticket"]
    client.post(EVENTS, {"event_action": "resolve", "dedup_key": "disk-c-fs1"})
    seen = customer_views(olivia, number)
    assert "Monitoring reports this is over: Disk C almost full" in seen
    for secret in SECRETS:
        assert secret not in seen, secret


def test_a_storm_ticket_shows_the_customer_no_details(admin, acme, olivia):
    integration, token = alert_setup.create_integration(
        actor=admin, name="Acme RMM", kind="events", organization=acme, flood_threshold=1
    )
    client = intake(token)
    client.post(EVENTS, trigger("disk-c-fs1"))
    grouped = client.post(EVENTS, trigger("disk-d-fs1")).json()
    assert grouped["outcome"] == "grouped"
    seen = customer_views(olivia, grouped["ticket"])
    for secret in SECRETS:
        assert secret not in seen, secret


def test_public_details_go_to_the_description(admin, acme, olivia):
    integration, token = alert_setup.create_integration(
        actor=admin, name="Acme RMM", kind="events", organization=acme, alert_details="public"
    )
    number = intake(token).post(EVENTS, trigger()).json()["ticket"]
    ticket = Ticket.objects.by_number(number)
    assert "fs1.corp.internal" in ticket.description and "free_gb" in ticket.description
    assert not ticket.events.filter(kind=EventKind.NOTE).exists()
    assert ticket.events.get(kind=EventKind.CREATED).data["alert"]["source"] == "fs1.corp.internal"
    assert "fs1.corp.internal" in customer_views(olivia, number)
    assert alerts.PLAIN_ORIGIN not in ticket.description


def test_the_setting_through_the_api(as_admin, acme):
    created = as_admin.post(
        "/api/v1/integrations",
        {"name": "Acme RMM", "kind": "events", "organization": "acme"},
    )
    assert created.status_code == 201
    assert created.json()["alert_details"] == "internal"
    public_id = created.json()["public_id"]
    changed = as_admin.patch(f"/api/v1/integrations/{public_id}", {"alert_details": "public"})
    assert changed.status_code == 200 and changed.json()["alert_details"] == "public"
    assert as_admin.get(f"/api/v1/integrations/{public_id}").json()["alert_details"] == "public"
    bad = as_admin.patch(f"/api/v1/integrations/{public_id}", {"alert_details": "everyone"})
    assert bad.status_code == 422 and bad.json()["field"] == "alert_details"
    assert Integration.objects.get().alert_details == "public"
    bad_new = as_admin.post(
        "/api/v1/integrations",
        {"name": "X", "kind": "events", "organization": "acme", "alert_details": "nope"},
    )
    assert bad_new.status_code == 422 and bad_new.json()["field"] == "alert_details"


def test_the_setting_on_the_integration_page(admin, acme_events):
    integration, _ = acme_events
    client = Client()
    client.force_login(admin)
    url = reverse("alerts:integration", args=[integration.public_id])
    page = client.get(url).content.decode()
    assert 'name="alert_details"' in page
    form = {
        "name": "Acme RMM",
        "organization_label": "client",
        "severity_map": "critical=P1",
        "resolve_rule": "resolve",
        "alert_details": "public",
        "flood_threshold": 20,
        "flood_window_minutes": 5,
        "is_active": "on",
    }
    assert client.post(url, form).status_code == 302
    integration.refresh_from_db()
    assert integration.alert_details == "public"
    assert client.post(url, {**form, "alert_details": "everyone"}).status_code == 422
    integration.refresh_from_db()
    assert integration.alert_details == "public"

"""The alert pages: agents read alerts, an administrator sets up integrations (the token is
shown once), agents plan and end maintenance windows, the ticket panel shows a ticket's
alerts; customers never reach any of it and agents serving some clients see only theirs."""

from datetime import timedelta

import pytest
from django.urls import reverse

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.alerts import services as alerts
from deskside.alerts import setup as alert_setup
from deskside.alerts.models import Alert, Integration, MaintenanceWindow, hash_token
from deskside.alerts.payloads import TRIGGER, AlertEvent
from deskside.core import clock
from tests.conftest import login


def fire(integration, organization, key="disk", summary="Disk full on fs1", **kw):
    event = AlertEvent(
        action=TRIGGER,
        dedup_key=key,
        summary=summary,
        severity=kw.pop("severity", "critical"),
        source="fs1",
        labels={"instance": "fs1:9100"},
    )
    return alerts.trigger(integration=integration, event=event, organization=organization)


@pytest.fixture
def rita(msp, globex):
    """An agent who serves Globex only."""
    user = accounts.create_user(
        email="rita@msp.example",
        full_name="Rita Restricted",
        password="rita-pass-123",
        kind="agent",
        tier=Tier.L1,
        organization=msp,
    )
    user.served_organizations.set([globex])
    return user


@pytest.fixture
def fired(acme_events, acme):
    integration, _ = acme_events
    return fire(integration, acme)


def test_index_lists_alerts_with_counts(alice, fired, acme_events, acme):
    integration, _ = acme_events
    fire(integration, acme, key="cpu", summary="CPU hot", severity="warning")
    page = login(alice).get(reverse("alerts:index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Disk full on fs1" in html and "CPU hot" in html
    assert fired.ticket in html
    # The bars' widths are classes of the geometry scale (no style attribute under the CSP).
    assert 'class="bar critical gx-w-' in html and 'class="bar warning gx-w-' in html
    filtered = login(alice).get(reverse("alerts:index"), {"status": "resolved"})
    assert "Disk full on fs1" not in filtered.content.decode()


def test_index_query_count_is_flat(alice, acme_events, acme, django_assert_max_num_queries):
    integration, _ = acme_events
    for i in range(15):
        fire(integration, acme, key=f"k{i}")
    client = login(alice)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("alerts:index")).status_code == 200


def test_restricted_agent_sees_only_their_clients(rita, fired, acme_events):
    integration, _ = acme_events
    html = login(rita).get(reverse("alerts:index")).content.decode()
    assert "Disk full on fs1" not in html
    alert = Alert.objects.get()
    assert login(rita).get(reverse("alerts:alert", args=[alert.public_id])).status_code == 404
    assert (
        login(rita).get(reverse("alerts:integration", args=[integration.public_id])).status_code
        == 404
    )
    assert login(rita).get(reverse("alerts:ticket_panel", args=[fired.ticket])).status_code == 404


def test_customers_never_reach_the_pages(carol, dave, fired, acme_events):
    integration, _ = acme_events
    alert = Alert.objects.get()
    for user in (carol, dave):
        client = login(user)
        for url in (
            reverse("alerts:index"),
            reverse("alerts:alert", args=[alert.public_id]),
            reverse("alerts:integrations"),
            reverse("alerts:integration", args=[integration.public_id]),
            reverse("alerts:windows"),
        ):
            answer = client.get(url)
            assert answer.status_code == 302 and "/portal/" in answer["Location"], url
        panel = client.get(reverse("alerts:ticket_panel", args=[fired.ticket]))
        assert panel.status_code == 302
        assert client.post(reverse("alerts:windows"), {}).status_code == 403


def test_alert_detail(alice, fired):
    alert = Alert.objects.get()
    html = login(alice).get(reverse("alerts:alert", args=[alert.public_id])).content.decode()
    assert "instance=fs1:9100" in html and fired.ticket in html


def test_ticket_panel_is_a_fragment_with_the_live_count(alice, fired, acme_events, acme):
    integration, _ = acme_events
    fire(integration, acme)
    fire(integration, acme)
    panel = login(alice).get(reverse("alerts:ticket_panel", args=[fired.ticket]))
    assert panel.status_code == 200
    html = panel.content.decode()
    assert "<html" not in html
    assert '<dd class="occurrences">3</dd>' in html
    assert "instance=fs1:9100" in html and "Firing" in html


def test_ticket_panel_of_a_ticket_without_alerts(alice, acme_ticket):
    panel = login(alice).get(reverse("alerts:ticket_panel", args=[acme_ticket.number]))
    assert panel.status_code == 200
    assert "No monitoring alert" in panel.content.decode()
    missing = login(alice).get(reverse("alerts:ticket_panel", args=["T-999999"]))
    assert missing.status_code == 404


def test_admin_creates_an_integration_and_sees_the_token_once(admin, acme, helpdesk):
    client = login(admin)
    assert client.get(reverse("alerts:integration_new")).status_code == 200
    answer = client.post(
        reverse("alerts:integration_new"),
        {
            "name": "Acme Prometheus",
            "kind": "alertmanager",
            "organization": "acme",
            "organization_label": "client",
            "severity_map": "critical=P1\nwarning=p3\nnoise=OPS",
            "resolve_rule": "close",
            "team": helpdesk.slug,
            "flood_threshold": 30,
            "flood_window_minutes": 10,
        },
    )
    assert answer.status_code == 201
    integration = Integration.objects.get()
    html = answer.content.decode()
    token = html.split('id="token">')[1].split("<")[0]
    assert integration.token_hash == hash_token(token)
    assert "webhook_configs" in html and "credentials: " + token in html
    assert integration.severity_map == {"critical": "P1", "warning": "P3", "noise": "OPS"}
    assert integration.resolve_rule == "close" and integration.team == helpdesk
    again = client.get(reverse("alerts:integration", args=[integration.public_id]))
    assert token not in again.content.decode()
    assert "&lt;the integration&#x27;s token&gt;" in again.content.decode()


def test_integration_form_errors(admin):
    answer = login(admin).post(
        reverse("alerts:integration_new"),
        {
            "name": "",
            "kind": "events",
            "organization_label": "client",
            "severity_map": "critical P1",
            "resolve_rule": "resolve",
            "flood_threshold": 20,
            "flood_window_minutes": 5,
        },
    )
    assert answer.status_code == 422
    assert not Integration.objects.exists()


def test_events_integration_page_shows_a_curl_example(admin, acme_events, settings):
    integration, _ = acme_events
    settings.DESKSIDE_BASE_URL = "https://desk.example"
    html = login(admin).get(reverse("alerts:integration", args=[integration.public_id]))
    text = html.content.decode()
    assert "curl -X POST https://desk.example/api/v1/integrations/events" in text
    assert "event_action" in text


def test_admin_edits_and_regenerates(admin, acme_events):
    integration, old = acme_events
    client = login(admin)
    answer = client.post(
        reverse("alerts:integration", args=[integration.public_id]),
        {
            "name": "Acme RMM 2",
            "organization_label": "client",
            "severity_map": "critical=P2",
            "resolve_rule": "note",
            "flood_threshold": 5,
            "flood_window_minutes": 5,
            "is_active": "on",
        },
    )
    assert answer.status_code == 302
    integration.refresh_from_db()
    assert integration.name == "Acme RMM 2" and integration.resolve_rule == "note"
    assert integration.service_user.get_full_name() == "Acme RMM 2 (monitoring)"
    regenerated = client.post(reverse("alerts:integration_token", args=[integration.public_id]))
    assert regenerated.status_code == 200
    token = regenerated.content.decode().split('id="token">')[1].split("<")[0]
    integration.refresh_from_db()
    assert integration.token_hash == hash_token(token) != hash_token(old)


def test_other_agents_read_but_cannot_set_up(alice, acme_events):
    integration, _ = acme_events
    client = login(alice)
    assert client.get(reverse("alerts:integrations")).status_code == 200
    page = client.get(reverse("alerts:integration", args=[integration.public_id]))
    assert page.status_code == 200 and "read-only" in page.content.decode()
    assert client.get(reverse("alerts:integration_new")).status_code == 403
    assert client.post(reverse("alerts:integration_new"), {}).status_code == 403
    url = reverse("alerts:integration", args=[integration.public_id])
    assert client.post(url, {"name": "x"}).status_code == 403
    token_url = reverse("alerts:integration_token", args=[integration.public_id])
    assert client.post(token_url).status_code == 403


def test_agents_plan_and_end_windows(alice, acme):
    client = login(alice)
    now = clock.now()
    answer = client.post(
        reverse("alerts:windows"),
        {
            "organization": "acme",
            "starts_at": "",
            "ends_at": (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "reason": "Firewall upgrade",
            "matchers": "instance=fw1",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    window = MaintenanceWindow.objects.get()
    assert window.matchers == {"instance": "fw1"} and window.created_by == alice
    html = client.get(reverse("alerts:windows")).content.decode()
    assert "Firewall upgrade" in html and "End now" in html
    other = client.get(reverse("alerts:windows"), {"organization": "globex"}).content.decode()
    assert "Firewall upgrade" not in other
    assert client.post(reverse("alerts:window_end", args=[window.public_id])).status_code == 302
    window.refresh_from_db()
    assert window.state() == "ended"


def test_window_form_errors_and_tenancy(alice, rita, acme):
    client = login(alice)
    bad = client.post(
        reverse("alerts:windows"),
        {"organization": "acme", "ends_at": "", "reason": "", "matchers": "oops"},
    )
    assert bad.status_code == 422
    # Rita does not serve Acme: the client is not among her choices.
    refused = login(rita).post(
        reverse("alerts:windows"),
        {"organization": "acme", "ends_at": "2030-01-01T00:00", "reason": "x"},
    )
    assert refused.status_code == 422
    window = alert_setup.create_maintenance_window(
        actor=alice,
        organization=acme,
        starts_at=clock.now(),
        ends_at=clock.now() + timedelta(hours=1),
        reason="x",
    )
    assert (
        login(rita).post(reverse("alerts:window_end", args=[window.public_id])).status_code == 404
    )
    assert "Acme Corp" not in login(rita).get(reverse("alerts:windows")).content.decode()

"""The agents' alert API: alerts (list with filters, one), integrations (token shown once on
create and regenerate; admins only write), maintenance windows. Customers get 403; agents
serving some clients see only theirs; bad input is a 4xx naming the field."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.alerts import services as alerts
from deskside.alerts import setup as alert_setup
from deskside.alerts.models import Alert, Integration, MaintenanceWindow, hash_token
from deskside.alerts.payloads import TRIGGER, AlertEvent
from deskside.core import clock
from tests.alerts.conftest import INTAKE, intake
from tests.conftest import client_for

API = "/api/v1"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    with clock.frozen(T0):
        yield


@pytest.fixture
def rita(msp, globex):
    user = accounts.create_user(
        email="rita@msp.example", full_name="Rita", kind="agent", tier=Tier.L1, organization=msp
    )
    user.served_organizations.set([globex])
    return user


def fire(integration, organization, key="disk", severity="critical"):
    event = AlertEvent(action=TRIGGER, dedup_key=key, summary=f"Alert {key}", severity=severity)
    return alerts.trigger(integration=integration, event=event, organization=organization)


@pytest.fixture
def two_clients(msp_alertmanager, acme, globex):
    integration, _ = msp_alertmanager
    fire(integration, acme, "a1")
    fire(integration, acme, "a2", severity="warning")
    fire(integration, globex, "g1")
    return integration


def test_agents_list_and_filter_alerts(alice, two_clients, django_assert_max_num_queries):
    client = client_for(alice)
    with django_assert_max_num_queries(6):
        page = client.get(f"{API}/alerts").json()
    assert {a["dedup_key"] for a in page["items"]} == {"a1", "a2", "g1"}
    one = page["items"][0]
    assert one["ticket"]["number"].startswith("T-") and one["occurrences"] == 1
    acme_only = client.get(f"{API}/alerts", {"organization": "acme"}).json()["items"]
    assert {a["dedup_key"] for a in acme_only} == {"a1", "a2"}
    warnings = client.get(f"{API}/alerts", {"severity": "warning"}).json()["items"]
    assert [a["dedup_key"] for a in warnings] == ["a2"]
    open_ = client.get(f"{API}/alerts", {"status": "open"}).json()["items"]
    assert len(open_) == 3
    by_integration = client.get(f"{API}/alerts", {"integration": two_clients.public_id})
    assert len(by_integration.json()["items"]) == 3
    detail = client.get(f"{API}/alerts/{one['public_id']}")
    assert detail.status_code == 200 and detail.json()["dedup_key"] == one["dedup_key"]


def test_restricted_agents_see_their_clients_only(rita, two_clients):
    client = client_for(rita)
    items = client.get(f"{API}/alerts").json()["items"]
    assert [a["dedup_key"] for a in items] == ["g1"]
    hidden = Alert.objects.get(dedup_key="a1")
    assert client.get(f"{API}/alerts/{hidden.public_id}").status_code == 404


def test_customers_get_403_everywhere(carol, dave, two_clients):
    alert = Alert.objects.first()
    for user in (carol, dave):
        client = client_for(user)
        for path in (
            "/alerts",
            f"/alerts/{alert.public_id}",
            "/integrations",
            f"/integrations/{two_clients.public_id}",
            "/maintenance-windows",
        ):
            assert client.get(f"{API}{path}").status_code == 403, path
        assert (
            client.post(f"{API}/integrations", {"name": "x", "kind": "events"}).status_code == 403
        )
        assert (
            client.post(
                f"{API}/maintenance-windows",
                {"organization": "acme", "ends_at": "2030-01-01T00:00:00Z", "reason": "x"},
            ).status_code
            == 403
        )


def test_admin_creates_an_integration_and_gets_the_token_once(admin, acme, helpdesk):
    client = client_for(admin)
    answer = client.post(
        f"{API}/integrations",
        {
            "name": "Acme RMM",
            "kind": "events",
            "organization": "acme",
            "team": helpdesk.slug,
            "resolve_rule": "close",
            "severity_map": {"sev1": "P1"},
        },
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    token = body["token"]
    integration = Integration.objects.get()
    assert integration.token_hash == hash_token(token)
    assert body["token_prefix"] == token[:8]
    assert body["endpoint"] == "/api/v1/integrations/events"
    got = client.get(f"{API}/integrations/{integration.public_id}").json()
    assert "token" not in got
    listed = client.get(f"{API}/integrations").json()["items"]
    assert [i["name"] for i in listed] == ["Acme RMM"]
    # The token works at once.
    fired = intake(token).post(
        f"{INTAKE}/events",
        {"event_action": "trigger", "payload": {"summary": "s", "severity": "sev1"}},
    )
    assert fired.status_code == 202


def test_patch_and_regenerate(admin, acme_events):
    integration, old = acme_events
    client = client_for(admin)
    patched = client.patch(
        f"{API}/integrations/{integration.public_id}",
        {"resolve_rule": "note", "flood_threshold": 0, "team": None},
    )
    assert patched.status_code == 200, patched.json()
    assert patched.json()["resolve_rule"] == "note" and patched.json()["team"] is None
    fresh = client.post(f"{API}/integrations/{integration.public_id}/token").json()
    assert intake(old).post(f"{INTAKE}/events", {}).status_code == 401
    assert intake(fresh["token"]).post(f"{INTAKE}/events", {}).status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "kind": "nagios"}, "kind"),
        ({"name": " ", "kind": "events"}, "name"),
        ({"name": "x", "kind": "events", "resolve_rule": "explode"}, "resolve_rule"),
        ({"name": "x", "kind": "events", "severity_map": {"a": "P9"}}, "severity_map"),
        ({"name": "x", "kind": "events", "flood_threshold": -1}, "flood_threshold"),
        ({"name": "x", "kind": "events", "flood_window_minutes": 0}, "flood_window_minutes"),
        ({"name": "x", "kind": "events", "organization": "initech"}, "organization"),
        ({"name": "x", "kind": "events", "team": "nope"}, "team"),
        ({"kind": "events"}, "name"),
    ],
)
def test_bad_integrations_name_the_field(admin, body, field):
    answer = client_for(admin).post(f"{API}/integrations", body)
    assert answer.status_code == 422, answer.json()
    assert answer.json()["field"] == field
    assert not Integration.objects.exists()


def test_non_admin_agents_cannot_write_integrations(alice, acme_events):
    integration, _ = acme_events
    client = client_for(alice)
    assert client.get(f"{API}/integrations/{integration.public_id}").status_code == 200
    assert client.post(f"{API}/integrations", {"name": "x", "kind": "events"}).status_code == 403
    assert (
        client.patch(f"{API}/integrations/{integration.public_id}", {"name": "y"}).status_code
        == 403
    )
    assert client.post(f"{API}/integrations/{integration.public_id}/token").status_code == 403


def test_restricted_admin_cannot_touch_other_clients(globex, acme_events, admin_serving):
    integration, _ = acme_events
    restricted = admin_serving(globex, email="ra@msp.example", full_name="RA")
    client = client_for(restricted)
    assert client.get(f"{API}/integrations/{integration.public_id}").status_code == 404
    answer = client.post(f"{API}/integrations", {"name": "x", "kind": "events"})
    assert answer.status_code == 403  # MSP-wide needs an admin serving every client
    own = client.post(
        f"{API}/integrations", {"name": "x", "kind": "events", "organization": "globex"}
    )
    assert own.status_code == 201


def test_maintenance_windows(alice, rita, acme, globex):
    client = client_for(alice)
    answer = client.post(
        f"{API}/maintenance-windows",
        {
            "organization": "acme",
            "ends_at": (T0 + timedelta(hours=2)).isoformat(),
            "reason": "Patching",
            "matchers": {"instance": "fs1"},
        },
    )
    assert answer.status_code == 201, answer.json()
    window = answer.json()
    assert window["state"] == "active" and window["matchers"] == {"instance": "fs1"}
    listed = client.get(f"{API}/maintenance-windows", {"state": "active"}).json()["items"]
    assert [w["public_id"] for w in listed] == [window["public_id"]]
    assert client.get(f"{API}/maintenance-windows", {"state": "odd"}).json()["field"] == "state"
    # Rita (Globex only) neither sees nor ends it.
    assert client_for(rita).get(f"{API}/maintenance-windows").json()["items"] == []
    end_path = f"{API}/maintenance-windows/{window['public_id']}/end"
    assert client_for(rita).post(end_path).status_code == 404
    ended = client.post(end_path)
    assert ended.status_code == 200 and ended.json()["state"] == "ended"
    assert client.post(end_path).json()["field"] == "ends_at"
    # Bad input names the field.
    bad = client.post(
        f"{API}/maintenance-windows",
        {"organization": "acme", "ends_at": (T0 - timedelta(hours=1)).isoformat(), "reason": "x"},
    )
    assert bad.status_code == 422 and bad.json()["field"] == "ends_at"
    other = client_for(rita).post(
        f"{API}/maintenance-windows",
        {"organization": "acme", "ends_at": (T0 + timedelta(hours=1)).isoformat(), "reason": "x"},
    )
    assert other.status_code == 422 and other.json()["field"] == "organization"
    assert MaintenanceWindow.objects.count() == 1


def test_delete_only_an_unused_integration(admin, alice, acme_events, acme):
    integration, _ = acme_events
    client = client_for(admin)
    assert (
        client_for(alice).delete(f"{API}/integrations/{integration.public_id}").status_code == 403
    )
    fire(integration, acme)
    used = client.delete(f"{API}/integrations/{integration.public_id}")
    assert used.status_code == 409 and used.json()["field"] == "is_active"
    spare, token = alert_setup.create_integration(actor=admin, name="Spare", kind="events")
    assert client.delete(f"{API}/integrations/{spare.public_id}").status_code == 204
    assert not Integration.objects.filter(pk=spare.pk).exists()
    assert intake(token).post(f"{INTAKE}/events", {}).status_code == 401

"""Alerts from different clients never mix (issue 12 item 5): on an integration serving every
client, alerts are matched by (integration, client, key). Two clients sending the same key get
two alerts and two tickets; each one's repeats, acknowledgement and resolve touch only its own;
a group naming both clients' keys counts each on its own alert; a previous episode is looked up
within the client."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.alerts import services as alerts
from deskside.alerts import setup as alert_setup
from deskside.alerts.models import Alert, AlertStatus
from deskside.alerts.payloads import TRIGGER, AlertEvent
from deskside.core import clock
from deskside.tickets.models import Status, Ticket
from tests.alerts.conftest import INTAKE, intake

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EVENTS = f"{INTAKE}/events"
AM = f"{INTAKE}/alertmanager"


@pytest.fixture(autouse=True)
def _clock():
    with clock.frozen(T0):
        yield


@pytest.fixture
def msp_events(admin, acme, globex):
    """An MSP-wide events-API integration: the client comes from `organization`."""
    return alert_setup.create_integration(actor=admin, name="RMM", kind="events")


def event(action="trigger", key="disk-c", client="acme"):
    body = {"event_action": action, "dedup_key": key, "organization": client}
    if action == "trigger":
        body["payload"] = {"summary": f"Disk C full ({client})", "severity": "critical"}
    return body


def am_alert(client, status="firing", fingerprint="same-fp"):
    return {
        "status": status,
        "labels": {"alertname": "DiskFull", "instance": "fs1:9100", "client": client},
        "annotations": {"summary": "Disk almost full on fs1"},
        "startsAt": "2026-03-02T08:59:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "fingerprint": fingerprint,
    }


def am_payload(*items):
    return {"version": "4", "status": "firing", "receiver": "deskside", "alerts": list(items)}


def test_two_clients_sending_one_key_get_two_tickets(msp_events, acme, globex):
    _, token = msp_events
    client = intake(token)
    first = client.post(EVENTS, event(client="acme")).json()
    second = client.post(EVENTS, event(client="globex")).json()
    assert first["outcome"] == second["outcome"] == "created"
    assert first["ticket"] != second["ticket"]
    assert Ticket.objects.by_number(first["ticket"]).organization == acme
    assert Ticket.objects.by_number(second["ticket"]).organization == globex
    assert Alert.objects.get(organization=acme).ticket.number == first["ticket"]
    assert Alert.objects.get(organization=globex).ticket.number == second["ticket"]


def test_occurrences_are_counted_per_client(msp_events, acme, globex):
    _, token = msp_events
    client = intake(token)
    for _ in range(3):
        client.post(EVENTS, event(client="acme"))
    answer = client.post(EVENTS, event(client="globex")).json()
    assert answer["outcome"] == "created" and answer["occurrences"] == 1
    again = client.post(EVENTS, event(client="globex")).json()
    assert again["outcome"] == "appended" and again["occurrences"] == 2
    assert Alert.objects.get(organization=acme).occurrences == 3
    assert Alert.objects.get(organization=globex).occurrences == 2


def test_resolving_one_clients_alert_leaves_the_others_open(msp_events, acme, globex):
    _, token = msp_events
    client = intake(token)
    acme_ticket = client.post(EVENTS, event(client="acme")).json()["ticket"]
    globex_ticket = client.post(EVENTS, event(client="globex")).json()["ticket"]
    resolved = client.post(EVENTS, event("resolve", client="globex")).json()
    assert resolved["outcome"] == "resolved" and resolved["ticket"] == globex_ticket
    assert Alert.objects.get(organization=globex).status == AlertStatus.RESOLVED
    assert Alert.objects.get(organization=acme).status == AlertStatus.FIRING
    assert Ticket.objects.by_number(globex_ticket).status == Status.RESOLVED
    assert Ticket.objects.by_number(acme_ticket).status == Status.NEW
    # A second resolve for globex finds nothing of globex's open: acme's is not touched.
    assert client.post(EVENTS, event("resolve", client="globex")).json()["outcome"] == "ignored"
    assert Alert.objects.get(organization=acme).status == AlertStatus.FIRING


def test_acknowledging_one_clients_alert_leaves_the_others_firing(msp_events, acme, globex):
    _, token = msp_events
    client = intake(token)
    client.post(EVENTS, event(client="acme"))
    answer = client.post(EVENTS, event("acknowledge", client="globex")).json()
    assert answer["outcome"] == "ignored"  # globex has no such alert
    assert Alert.objects.get(organization=acme).status == AlertStatus.FIRING


def test_alertmanager_group_with_one_fingerprint_for_two_clients(msp_alertmanager, acme, globex):
    """One group naming the same fingerprint for two clients: two alerts, and a repeat of the
    group (the batched UPDATE) counts each on its own client's alert."""
    _, token = msp_alertmanager
    client = intake(token)
    body = am_payload(am_alert("acme"), am_alert("globex"))
    first = client.post(AM, body).json()["alerts"]
    assert [a["outcome"] for a in first] == ["created", "created"]
    assert first[0]["ticket"] != first[1]["ticket"]
    again = client.post(AM, body).json()["alerts"]
    assert [(a["outcome"], a["occurrences"]) for a in again] == [("appended", 2)] * 2
    assert [a["ticket"] for a in again] == [a["ticket"] for a in first]
    # globex's resolved alert in a group resolves globex's only.
    client.post(AM, am_payload(am_alert("globex", status="resolved")))
    assert Alert.objects.get(organization=globex).status == AlertStatus.RESOLVED
    assert Alert.objects.get(organization=acme).status == AlertStatus.FIRING


def test_a_batched_group_counts_each_clients_key_on_its_own_alert(msp_alertmanager, acme, globex):
    integration, _ = msp_alertmanager

    def fire(key, org, action=TRIGGER):
        return AlertEvent(action=action, dedup_key=key, summary="x", organization=org.slug)

    alerts.receive(integration=integration, events=[fire("a", acme), fire("a", globex)])
    alerts.receive(integration=integration, events=[fire("a", acme), fire("b", acme)])
    answer = alerts.receive(
        integration=integration, events=[fire("a", globex), fire("a", acme), fire("b", acme)]
    )
    assert [(o.outcome, o.occurrences) for o in answer] == [
        ("appended", 2),
        ("appended", 3),
        ("appended", 2),
    ]
    counts = {(a.organization.slug, a.dedup_key): a.occurrences for a in Alert.objects.all()}
    assert counts == {("acme", "a"): 3, ("globex", "a"): 2, ("acme", "b"): 2}


def test_a_new_episode_names_the_previous_ticket_of_its_own_client(msp_events, acme, globex):
    _, token = msp_events
    client = intake(token)
    globex_first = client.post(EVENTS, event(client="globex")).json()["ticket"]
    client.post(EVENTS, event("resolve", client="globex"))
    clock.set_now(T0 + timedelta(hours=1))
    acme_ticket = Ticket.objects.by_number(
        client.post(EVENTS, event(client="acme")).json()["ticket"]
    )
    globex_again = client.post(EVENTS, event(client="globex")).json()["ticket"]
    assert globex_first not in acme_ticket.description
    assert Alert.objects.filter(organization=globex).count() == 2
    notes = " ".join(e.body for e in Ticket.objects.by_number(globex_again).events.all())
    assert f"The same alert fired before: {globex_first}." in (
        Ticket.objects.by_number(globex_again).description + notes
    )


def test_a_clients_integration_still_refuses_another_client(acme_events, acme):
    _, token = acme_events
    answer = intake(token).post(EVENTS, event(client="globex"))
    assert answer.status_code == 403
    assert not Alert.objects.exists()


def test_a_resolve_event_without_a_client_is_refused_on_an_msp_wide_integration(msp_events):
    _, token = msp_events
    intake(token).post(EVENTS, event(client="acme"))
    body = {"event_action": "resolve", "dedup_key": "disk-c"}
    answer = intake(token).post(EVENTS, body)
    assert answer.status_code == 422 and answer.json()["field"] == "organization"
    assert Alert.objects.get().status == AlertStatus.FIRING


def test_service_resolve_takes_the_client(msp_events, acme, globex):
    integration, _ = msp_events
    for org in (acme, globex):
        alerts.trigger(
            integration=integration,
            event=AlertEvent(action=TRIGGER, dedup_key="k", summary="x"),
            organization=org,
        )
    outcome = alerts.resolve(integration=integration, organization=acme, dedup_key="k")
    assert outcome.outcome == "resolved"
    assert Alert.objects.get(organization=globex).is_open

"""The intake endpoints: the events API and Alertmanager's webhook, through HTTP with the
integration's token. Trigger, repeat, acknowledge, resolve under each rule, severity mapping,
the client from the integration or a label, maintenance windows, alert storms, bad payloads
(each naming the field), wrong tokens and cross-client attempts."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.alerts import services as alerts
from deskside.alerts import setup as alert_setup
from deskside.alerts.exceptions import AlertError
from deskside.alerts.models import Alert, AlertStatus, Integration, MaintenanceWindow
from deskside.core import clock
from deskside.tickets import services as tickets
from deskside.tickets.models import Channel, EventKind, Priority, Status, Ticket, TicketType
from tests.alerts.conftest import INTAKE, intake

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EVENTS = f"{INTAKE}/events"
AM = f"{INTAKE}/alertmanager"


@pytest.fixture(autouse=True)
def _clock():
    with clock.frozen(T0):
        yield


def move(minutes: float) -> None:
    clock.set_now(clock.now() + timedelta(minutes=minutes))


def trigger(key="disk-c", summary="Disk C: 95 % full", severity="critical", **extra):
    body = {
        "event_action": "trigger",
        "dedup_key": key,
        "payload": {
            "summary": summary,
            "source": "fileserver-1",
            "severity": severity,
            "custom_details": {"free_gb": 4},
        },
    }
    body.update(extra)
    return body


def am_payload(*alerts, common=None):
    return {
        "version": "4",
        "groupKey": '{}:{alertname="DiskFull"}',
        "status": "firing",
        "receiver": "deskside",
        "groupLabels": {"alertname": "DiskFull"},
        "commonLabels": common or {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example",
        "alerts": list(alerts),
    }


def am_alert(status="firing", fingerprint="fp1", client="acme", severity="warning", **labels):
    return {
        "status": status,
        "labels": {
            "alertname": "DiskFull",
            "instance": "fs1:9100",
            "severity": severity,
            "client": client,
            **labels,
        },
        "annotations": {"summary": "Disk almost full on fs1"},
        "startsAt": "2026-03-02T08:59:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.example/graph",
        "fingerprint": fingerprint,
    }


# -- trigger, repeat, acknowledge, resolve -----------------------------------------------------


def test_trigger_opens_one_ticket_and_repeats_count_on_it(acme_events, acme, helpdesk):
    integration, token = acme_events
    client = intake(token)
    first = client.post(EVENTS, trigger())
    assert first.status_code == 202, first.json()
    body = first.json()
    assert body["outcome"] == "created"
    ticket = Ticket.objects.get()
    assert body["ticket"] == ticket.number
    assert ticket.organization == acme
    assert ticket.channel == Channel.ALERT
    assert ticket.type == TicketType.INCIDENT
    assert ticket.priority == Priority.P1
    assert ticket.team == helpdesk
    assert ticket.requester.email == "monitoring@acme.invalid"
    assert ticket.requester.get_full_name() == "Monitoring"
    assert ticket.created_by == integration.service_user
    # The details are internal by default (issue 12 item 10): the description is the summary.
    assert ticket.description == "Disk C: 95 % full\n\n" + alerts.PLAIN_ORIGIN
    note = ticket.events.get(kind=EventKind.NOTE)
    assert not note.is_public and note.actor == integration.service_user
    assert "free_gb" in note.body and "fileserver-1" in note.body
    created = ticket.events.get(kind=EventKind.CREATED)
    assert created.data["alert"] == {"severity": "critical"}

    for n in range(2, 6):
        move(1)
        again = client.post(EVENTS, trigger()).json()
        assert again["outcome"] == "appended"
        assert again["occurrences"] == n
        assert again["ticket"] == ticket.number
    assert Ticket.objects.count() == 1
    alert = Alert.objects.get()
    assert alert.occurrences == 5
    assert alert.last_seen == T0 + timedelta(minutes=4)
    assert alert.first_seen == T0
    # Repeats within 15 minutes write no timeline rows.
    assert not ticket.events.filter(kind=EventKind.ALERT).exists()


def test_repeats_are_noted_at_most_every_15_minutes(acme_events):
    _, token = acme_events
    client = intake(token)
    client.post(EVENTS, trigger())
    for _ in range(40):  # one a minute for 40 minutes
        move(1)
        client.post(EVENTS, trigger())
    notes = list(
        Ticket.objects.get().events.filter(kind=EventKind.ALERT).values_list("body", flat=True)
    )
    assert notes == ["Alert fired again (16 occurrences)", "Alert fired again (31 occurrences)"]


def test_the_repeat_path_is_one_query(acme_events, django_assert_max_num_queries):
    _, token = acme_events
    client = intake(token)
    client.post(EVENTS, trigger())
    client.post(EVENTS, trigger())  # the token is now cached, last_event_at written
    with django_assert_max_num_queries(1):
        assert client.post(EVENTS, trigger()).status_code == 202


def test_acknowledge_and_resolve_with_the_resolve_rule(acme_events):
    integration, token = acme_events
    client = intake(token)
    number = client.post(EVENTS, trigger()).json()["ticket"]
    ack = client.post(EVENTS, {"event_action": "acknowledge", "dedup_key": "disk-c"})
    assert ack.status_code == 202
    assert ack.json()["outcome"] == "acknowledged"
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    ticket = Ticket.objects.by_number(number)
    assert ticket.events.filter(kind=EventKind.ALERT, body__contains="acknowledged").exists()
    # Repeats still count while acknowledged.
    assert client.post(EVENTS, trigger()).json()["outcome"] == "appended"

    done = client.post(EVENTS, {"event_action": "resolve", "dedup_key": "disk-c"})
    assert done.json()["outcome"] == "resolved"
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    resolved = ticket.events.get(kind=EventKind.RESOLVED)
    assert resolved.body == "Monitoring reports this is over: Disk C: 95 % full"
    assert ticket.events.filter(
        kind=EventKind.ALERT, is_public=False, body__startswith="Alert resolved in Acme RMM"
    ).exists()
    assert resolved.actor == integration.service_user
    assert Alert.objects.get().status == AlertStatus.RESOLVED


def test_close_rule_closes_the_ticket(acme_events, admin):
    integration, token = acme_events
    alert_setup.update_integration(actor=admin, integration=integration, resolve_rule="close")
    client = intake(token)
    client.post(EVENTS, trigger())
    client.post(EVENTS, {"event_action": "resolve", "dedup_key": "disk-c"})
    assert Ticket.objects.get().status == Status.CLOSED


def test_note_rule_only_notes(acme_events, admin):
    integration, token = acme_events
    alert_setup.update_integration(actor=admin, integration=integration, resolve_rule="note")
    client = intake(token)
    client.post(EVENTS, trigger())
    client.post(EVENTS, {"event_action": "resolve", "dedup_key": "disk-c"})
    ticket = Ticket.objects.get()
    assert ticket.status == Status.NEW
    assert ticket.events.filter(kind=EventKind.ALERT, body__startswith="Alert resolved").exists()


def test_resolve_leaves_a_ticket_an_agent_closed_alone(acme_events, alice):
    _, token = acme_events
    client = intake(token)
    client.post(EVENTS, trigger())
    ticket = Ticket.objects.get()
    tickets.close_ticket(actor=alice, ticket=ticket, reason="Cleaned up the disk")
    assert (
        client.post(EVENTS, {"event_action": "resolve", "dedup_key": "disk-c"}).status_code == 202
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.events.filter(kind=EventKind.ALERT, body__startswith="Alert resolved").exists()
    assert not ticket.events.filter(kind=EventKind.RESOLVED).exists()


def test_resolve_or_acknowledge_of_an_unknown_key_is_ignored(acme_events):
    _, token = acme_events
    client = intake(token)
    for action in ("resolve", "acknowledge"):
        answer = client.post(EVENTS, {"event_action": action, "dedup_key": "nope"})
        assert answer.status_code == 202
        assert answer.json()["outcome"] == "ignored"
    assert not Alert.objects.exists()


def test_trigger_after_resolve_opens_a_new_ticket_naming_the_old(acme_events):
    _, token = acme_events
    client = intake(token)
    first = client.post(EVENTS, trigger()).json()["ticket"]
    client.post(EVENTS, {"event_action": "resolve", "dedup_key": "disk-c"})
    move(60)
    second = client.post(EVENTS, trigger()).json()
    assert second["outcome"] == "created"
    assert second["ticket"] != first
    note = Ticket.objects.by_number(second["ticket"]).events.get(kind=EventKind.NOTE)
    assert f"The same alert fired before: {first}." in note.body
    assert Alert.objects.count() == 2


def test_trigger_without_a_key_gets_one(acme_events):
    _, token = acme_events
    body = trigger()
    del body["dedup_key"]
    answer = intake(token).post(EVENTS, body).json()
    assert answer["outcome"] == "created"
    assert len(answer["dedup_key"]) == 32
    assert Alert.objects.get().dedup_key == answer["dedup_key"]


@pytest.mark.parametrize(
    ("severity", "priority"),
    [
        ("critical", Priority.P1),
        ("CRITICAL", Priority.P1),
        ("error", Priority.P2),
        ("major", Priority.P2),
        ("high", Priority.P2),
        ("warning", Priority.P3),
        ("medium", Priority.P3),
        ("info", Priority.OPS),
        ("low", Priority.OPS),
        ("", Priority.P3),
        ("weird", Priority.P3),
    ],
)
def test_severity_maps_to_priority(acme_events, severity, priority):
    _, token = acme_events
    intake(token).post(EVENTS, trigger(severity=severity))
    assert Ticket.objects.get().priority == priority


def test_a_custom_severity_map(admin, acme):
    _, token = alert_setup.create_integration(
        actor=admin,
        name="RMM",
        kind="events",
        organization=acme,
        severity_map={"Sev1": "P1", "sev4": "ops"},
    )
    client = intake(token)
    client.post(EVENTS, trigger(key="a", severity="sev1"))
    client.post(EVENTS, trigger(key="b", severity="sev4"))
    client.post(EVENTS, trigger(key="c", severity="critical"))  # not in this map: P3
    assert dict(Ticket.objects.values_list("subject", "priority")) == {
        "[SEV1] Disk C: 95 % full": Priority.P1,
        "[SEV4] Disk C: 95 % full": Priority.OPS,
        "[CRITICAL] Disk C: 95 % full": Priority.P3,
    }


# -- Alertmanager ------------------------------------------------------------------------------


def test_alertmanager_group_routes_by_label_and_dedups_by_fingerprint(
    msp_alertmanager, acme, globex, network_team
):
    _, token = msp_alertmanager
    client = intake(token)
    payload = am_payload(
        am_alert(fingerprint="a1", client="acme", severity="critical"),
        am_alert(fingerprint="g1", client="globex", severity="warning"),
    )
    answer = client.post(AM, payload)
    assert answer.status_code == 202, answer.json()
    assert [a["outcome"] for a in answer.json()["alerts"]] == ["created", "created"]
    by_org = {t.organization.slug: t for t in Ticket.objects.all()}
    assert set(by_org) == {"acme", "globex"}
    assert by_org["acme"].priority == Priority.P1
    assert by_org["globex"].priority == Priority.P3
    assert by_org["acme"].team == network_team
    assert by_org["acme"].subject == "[CRITICAL] Disk almost full on fs1"
    # The same group again: occurrences, no new tickets.
    again = client.post(AM, payload).json()["alerts"]
    assert [a["outcome"] for a in again] == ["appended", "appended"]
    assert Ticket.objects.count() == 2
    # One of them resolves.
    resolved = am_payload(am_alert(status="resolved", fingerprint="a1", client="acme"))
    assert client.post(AM, resolved).json()["alerts"][0]["outcome"] == "resolved"
    assert Ticket.objects.get(organization=acme).status == Status.RESOLVED
    assert Ticket.objects.get(organization=globex).status == Status.NEW


def test_alertmanager_without_fingerprint_uses_the_labels(acme_alertmanager):
    _, token = acme_alertmanager
    client = intake(token)
    one = am_alert(client="acme")
    del one["fingerprint"]
    first = client.post(AM, am_payload(one)).json()["alerts"][0]
    second = client.post(AM, am_payload(one)).json()["alerts"][0]
    assert first["outcome"] == "created" and second["outcome"] == "appended"
    assert first["dedup_key"] == second["dedup_key"]
    other = {**one, "labels": {**one["labels"], "instance": "fs2:9100"}}
    assert client.post(AM, am_payload(other)).json()["alerts"][0]["outcome"] == "created"


def test_alertmanager_summary_falls_back_to_description_then_alertname(acme_alertmanager):
    _, token = acme_alertmanager
    client = intake(token)
    described = {**am_alert(fingerprint="x"), "annotations": {"description": "Described"}}
    bare = {**am_alert(fingerprint="y"), "annotations": {}}
    client.post(AM, am_payload(described, bare))
    assert set(Alert.objects.values_list("summary", flat=True)) == {"Described", "DiskFull"}


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        (b"not json", 400, None),
        (b"[1, 2]", 400, None),
        (b'{"version": "3", "alerts": []}', 422, "version"),
        (b'{"version": "4"}', 422, "alerts"),
        (b'{"version": "4", "alerts": []}', 422, "alerts"),
        (b'{"version": "4", "alerts": {"a": 1}}', 422, "alerts"),
        (
            b'{"version": "4", "commonLabels": [], "alerts": [{"status": "firing"}]}',
            422,
            "commonLabels",
        ),
    ],
)
def test_bad_alertmanager_documents_name_the_field(acme_alertmanager, payload, status, field):
    """A bad document is refused whole (a bad alert in a good document is not: see
    test_intake_errors.py)."""
    _, token = acme_alertmanager
    client = intake(token)
    answer = client.generic("POST", AM, payload, content_type="application/json")
    assert answer.status_code == status
    assert answer.json()["field"] == field
    assert answer.json()["detail"]
    assert not Alert.objects.exists()


# -- events API: bad input, tokens, clients ----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"event_action": "explode", "dedup_key": "k"}, "event_action"),
        ({"dedup_key": "k"}, "event_action"),
        ({"event_action": "resolve"}, "dedup_key"),
        ({"event_action": "acknowledge", "dedup_key": ""}, "dedup_key"),
        ({"event_action": "trigger", "dedup_key": "k"}, "payload"),
        ({"event_action": "trigger", "dedup_key": "k", "payload": []}, "payload"),
        ({"event_action": "trigger", "dedup_key": "k", "payload": {}}, "payload.summary"),
        ({"event_action": "trigger", "payload": {"summary": 5}}, "payload.summary"),
        ({"event_action": "trigger", "payload": {"summary": "x" * 1025}}, "payload.summary"),
        ({"event_action": "trigger", "dedup_key": 7, "payload": {"summary": "s"}}, "dedup_key"),
        (
            {"event_action": "trigger", "dedup_key": "k" * 256, "payload": {"summary": "s"}},
            "dedup_key",
        ),
        (
            {"event_action": "trigger", "payload": {"summary": "s", "severity": 3}},
            "payload.severity",
        ),
        (
            {"event_action": "trigger", "payload": {"summary": "s", "timestamp": "soon"}},
            "payload.timestamp",
        ),
    ],
)
def test_bad_events_name_the_field(acme_events, body, field):
    _, token = acme_events
    answer = intake(token).post(EVENTS, body)
    assert answer.status_code == 422, answer.json()
    assert answer.json()["field"] == field
    assert not Alert.objects.exists()


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer "])
def test_wrong_tokens_get_401(acme_events, client, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    answer = client.post(EVENTS, trigger(), content_type="application/json", **extra)
    assert answer.status_code == 401
    assert answer.json()["field"] == "Authorization"


def test_a_user_token_is_not_an_integration_token(as_admin, acme_events):
    assert as_admin.post(EVENTS, trigger()).status_code == 401


def test_regenerated_and_deactivated_tokens_get_401(acme_events, admin):
    integration, token = acme_events
    client = intake(token)
    assert client.post(EVENTS, trigger()).status_code == 202  # cached now
    new = alert_setup.regenerate_token(actor=admin, integration=integration)
    assert client.post(EVENTS, trigger()).status_code == 401
    assert intake(new).post(EVENTS, trigger()).status_code == 202
    alert_setup.update_integration(actor=admin, integration=integration, is_active=False)
    assert intake(new).post(EVENTS, trigger()).status_code == 401


def test_a_token_posted_to_the_other_kind_is_refused(acme_events):
    _, token = acme_events
    answer = intake(token).post(AM, am_payload(am_alert()))
    assert answer.status_code == 403
    assert answer.json()["detail"] == (
        "this token is for the Events API (PagerDuty Events v2 shaped) endpoint: "
        "post to /api/v1/integrations/events"
    )


def test_a_client_token_cannot_raise_alerts_for_another_client(acme_events, globex):
    _, token = acme_events
    answer = intake(token).post(EVENTS, trigger(organization="globex"))
    assert answer.status_code == 403
    assert answer.json()["detail"] == "this integration raises alerts for Acme Corp only"
    assert answer.json()["field"] == "organization"
    assert not Alert.objects.exists() and not Ticket.objects.exists()
    # Naming its own client is fine.
    assert intake(token).post(EVENTS, trigger(organization="acme")).status_code == 202


def test_msp_wide_events_need_a_known_client(admin, acme):
    _, token = alert_setup.create_integration(actor=admin, name="RMM", kind="events")
    client = intake(token)
    assert client.post(EVENTS, trigger()).json()["field"] == "organization"
    unknown = client.post(EVENTS, trigger(organization="initech"))
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "organization"
    assert client.post(EVENTS, trigger(organization="acme")).status_code == 202
    assert Ticket.objects.get().organization == acme


# -- maintenance windows -----------------------------------------------------------------------


def test_maintenance_window_suppresses_and_counts(acme_events, alice, acme):
    _, token = acme_events
    window = alert_setup.create_maintenance_window(
        actor=alice,
        organization=acme,
        starts_at=T0 - timedelta(minutes=5),
        ends_at=T0 + timedelta(hours=1),
        reason="Patching fileserver-1",
    )
    client = intake(token)
    first = client.post(EVENTS, trigger()).json()
    assert first["outcome"] == "suppressed" and first["ticket"] is None
    assert client.post(EVENTS, trigger()).json()["outcome"] == "suppressed"
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.SUPPRESSED
    assert alert.occurrences == 2
    assert alert.maintenance_window == window
    assert not Ticket.objects.exists()

    # Still firing after the window: the next trigger opens its ticket.
    move(61)
    promoted = client.post(EVENTS, trigger()).json()
    assert promoted["outcome"] == "created"
    ticket = Ticket.objects.get()
    assert "maintenance window" in ticket.description
    alert.refresh_from_db()
    assert alert.status == AlertStatus.FIRING and alert.ticket == ticket
    assert alert.occurrences == 3


def test_resolving_a_suppressed_alert_needs_no_ticket(acme_events, alice, acme):
    _, token = acme_events
    alert_setup.create_maintenance_window(
        actor=alice, organization=acme, starts_at=T0, ends_at=T0 + timedelta(hours=1), reason="x"
    )
    client = intake(token)
    client.post(EVENTS, trigger())
    assert (
        client.post(EVENTS, {"event_action": "resolve", "dedup_key": "disk-c"}).json()["outcome"]
        == "resolved"
    )
    assert Alert.objects.get().status == AlertStatus.RESOLVED


def test_window_matchers_and_other_clients(msp_alertmanager, alice, acme, globex):
    _, token = msp_alertmanager
    alert_setup.create_maintenance_window(
        actor=alice,
        organization=acme,
        starts_at=T0,
        ends_at=T0 + timedelta(hours=1),
        reason="fs1 disk swap",
        matchers={"instance": "fs1:9100"},
    )
    client = intake(token)
    answer = client.post(
        AM,
        am_payload(
            am_alert(fingerprint="1", client="acme"),  # suppressed
            am_alert(fingerprint="2", client="acme", instance="fs2:9100"),  # other instance
            am_alert(fingerprint="3", client="globex"),  # other client
        ),
    ).json()["alerts"]
    assert [a["outcome"] for a in answer] == ["suppressed", "created", "created"]


def test_ending_a_window_early(acme_events, alice, acme):
    _, token = acme_events
    window = alert_setup.create_maintenance_window(
        actor=alice, organization=acme, starts_at=T0, ends_at=T0 + timedelta(hours=2), reason="x"
    )
    move(10)
    alert_setup.end_maintenance_window(actor=alice, window=window)
    window.refresh_from_db()
    assert window.ends_at == T0 + timedelta(minutes=10)
    assert intake(token).post(EVENTS, trigger()).json()["outcome"] == "created"


def test_window_input_is_checked(alice, acme, dave):

    with pytest.raises(AlertError) as error:
        alert_setup.create_maintenance_window(
            actor=alice, organization=acme, starts_at=T0, ends_at=T0, reason="x"
        )
    assert error.value.field == "ends_at"
    with pytest.raises(AlertError) as error:
        alert_setup.create_maintenance_window(
            actor=alice, organization=acme, starts_at=T0, ends_at=T0 + timedelta(hours=1), reason=""
        )
    assert error.value.field == "reason"
    with pytest.raises(AlertError) as error:
        alert_setup.create_maintenance_window(
            actor=dave, organization=acme, starts_at=T0, ends_at=T0 + timedelta(hours=1), reason="x"
        )
    assert error.value.status_code == 403
    assert not MaintenanceWindow.objects.exists()


# -- alert storms ------------------------------------------------------------------------------


def test_a_storm_of_new_alerts_is_grouped_into_one_ticket(admin, acme):
    integration, token = alert_setup.create_integration(
        actor=admin, name="RMM", kind="events", organization=acme, flood_threshold=3
    )
    client = intake(token)
    outcomes = [client.post(EVENTS, trigger(key=f"k{i}")).json() for i in range(10)]
    assert [o["outcome"] for o in outcomes] == ["created"] * 3 + ["grouped"] * 7
    storm = {o["ticket"] for o in outcomes[3:]}
    assert len(storm) == 1
    storm_ticket = Ticket.objects.by_number(storm.pop())
    assert storm_ticket.subject == "Alert storm: many monitoring alerts at once"
    assert "RMM" not in storm_ticket.description
    storm_note = storm_ticket.events.get(kind=EventKind.NOTE)
    assert "new alerts from RMM" in storm_note.body and not storm_note.is_public
    assert storm_ticket.priority == Priority.P1  # critical alerts
    assert Ticket.objects.count() == 4
    assert Alert.objects.filter(storm_ticket=storm_ticket).count() == 7
    # A repeat of a grouped alert counts on it.
    again = client.post(EVENTS, trigger(key="k5")).json()
    assert again["outcome"] == "appended" and again["ticket"] == storm_ticket.number

    # Quiet for longer than the window: new alerts open tickets of their own again.
    move(integration.flood_window_minutes + 1)
    assert client.post(EVENTS, trigger(key="later")).json()["outcome"] == "created"


def test_a_storm_on_an_msp_wide_integration_is_each_clients_own(
    msp_alertmanager, admin, acme, globex
):
    """One client's flood never swallows another client's alerts: each client storms alone,
    onto a storm ticket of its own (issue 12 item 5)."""
    integration, token = msp_alertmanager
    alert_setup.update_integration(actor=admin, integration=integration, flood_threshold=1)
    client = intake(token)
    answer = client.post(
        AM,
        am_payload(
            am_alert(fingerprint="1", client="acme"),
            am_alert(fingerprint="2", client="globex"),
            am_alert(fingerprint="3", client="acme"),
            am_alert(fingerprint="4", client="globex"),
            am_alert(fingerprint="5", client="acme"),
        ),
    ).json()["alerts"]
    assert [a["outcome"] for a in answer] == ["created", "created", "grouped", "grouped", "grouped"]
    acme_storm = Ticket.objects.by_number(answer[2]["ticket"])
    globex_storm = Ticket.objects.by_number(answer[3]["ticket"])
    assert answer[4]["ticket"] == acme_storm.number
    assert acme_storm.organization == acme and globex_storm.organization == globex
    assert {a.organization for a in Alert.objects.filter(storm_ticket=acme_storm)} == {acme}
    assert {a.organization for a in Alert.objects.filter(storm_ticket=globex_storm)} == {globex}


def test_flood_threshold_zero_never_groups(admin, acme):
    _, token = alert_setup.create_integration(
        actor=admin, name="RMM", kind="events", organization=acme, flood_threshold=0
    )
    client = intake(token)
    for i in range(25):
        assert client.post(EVENTS, trigger(key=f"k{i}")).json()["outcome"] == "created"


def test_last_event_at_is_recorded(acme_events):
    integration, token = acme_events
    intake(token).post(EVENTS, trigger())
    integration.refresh_from_db()
    assert integration.last_event_at == T0
    assert Integration.objects.get().is_active

"""Queueing: a delivery is written in the event's own transaction for every active webhook
whose events and scope match; a client's webhook never gets another client's events nor
internal text; a rolled-back change queues nothing; the request that caused an event never
waits for the receiver."""

from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind
from deskside.tickets.timeline import write_event
from deskside.webhooks import services
from deskside.webhooks.enqueue import registry
from deskside.webhooks.models import Delivery, Webhook
from deskside.webhooks.worker import webhooks_pass
from tests.conftest import client_for

ALL = [
    "ticket.created",
    "ticket.escalated",
    "ticket.paged",
    "ticket.acknowledged",
    "ticket.resolved",
]
TRIAGE = {
    "symptoms": "SECRET-SYMPTOM switch port flaps",
    "steps_tried": "SECRET-STEPS replaced the cable",
    "impact": "SECRET-IMPACT whole floor offline",
}


def _escalate(actor, ticket, team):
    return tickets.escalate_ticket(actor=actor, ticket=ticket, tier="L3", team=team, **TRIAGE)


def test_a_client_webhook_gets_only_that_clients_events(
    receiver, make_webhook, make_ticket, carol, dave, acme
):
    make_webhook(receiver.url, organization=acme, events=ALL)
    make_ticket(dave, subject="Globex VPN")
    make_ticket(carol, subject="Acme printer")
    webhooks_pass()
    assert [r.json["ticket"]["subject"] for r in receiver.requests] == ["Acme printer"]
    assert {r.json["ticket"]["organization"]["slug"] for r in receiver.requests} == {"acme"}


def test_a_client_webhook_never_gets_internal_text(
    receiver, admin, alice, make_webhook, make_ticket, carol, acme, network_team
):
    make_webhook(receiver.url, organization=acme, events=ALL)
    ticket = make_ticket(carol)
    tickets.add_note(actor=alice, ticket=ticket, body="SECRET-NOTE the CEO is impatient")
    _escalate(alice, ticket, network_team)
    write_event(
        ticket,
        EventKind.PAGED,
        None,
        body="SECRET-PAGE paged Tara by SMS",
        data={"name": "Tara Lead", "step": 1, "cycle": 1, "note": "SECRET-DATA"},
    )
    write_event(ticket, EventKind.ACKNOWLEDGED, admin, body="SECRET-ACK on my way")
    tickets.resolve_ticket(actor=alice, ticket=ticket, resolution="Replaced the switch.")
    webhooks_pass()

    events = [r.json["event"] for r in receiver.requests]
    assert events == ALL[:2] + ["ticket.paged", "ticket.acknowledged", "ticket.resolved"]
    everything = b"".join(r.body for r in receiver.requests)
    assert b"SECRET" not in everything
    escalated = receiver.requests[1].json
    assert escalated["data"] == {
        "from_tier": "L1",
        "to_tier": "L3",
        "team": "Network L3",
        "assignee": None,
    }
    assert escalated["ticket"]["team"] == "Network L3"
    assert receiver.requests[2].json["data"] == {"name": "Tara Lead", "step": 1, "cycle": 1}
    assert receiver.requests[3].json["actor"] == "Root Admin"
    assert receiver.requests[4].json["data"]["resolution"] == "Replaced the switch."


def test_msp_wide_and_team_webhooks_get_internal_text(
    receiver, alice, make_webhook, make_ticket, carol, network_team
):
    make_webhook(receiver.url, name="MSP", events=["ticket.escalated", "ticket.paged"])
    make_webhook(receiver.url, name="Network", team=network_team, events=["ticket.escalated"])
    ticket = make_ticket(carol)
    _escalate(alice, ticket, network_team)
    write_event(ticket, EventKind.PAGED, None, body="paged Tara by SMS", data={"user": "Tara"})
    webhooks_pass()
    escalations = [r.json for r in receiver.requests if r.json["event"] == "ticket.escalated"]
    assert len(escalations) == 2
    for body in escalations:
        assert body["data"]["symptoms"] == TRIAGE["symptoms"]
        assert body["data"]["steps_tried"] == TRIAGE["steps_tried"]
        assert "/tickets/" in body["ticket"]["url"]  # the agent page, not the portal
    [paged] = [r.json for r in receiver.requests if r.json["event"] == "ticket.paged"]
    assert paged["data"] == {"user": "Tara", "text": "paged Tara by SMS"}


def test_a_team_webhook_gets_only_its_teams_tickets(
    receiver, alice, make_webhook, make_ticket, carol, network_team, desktop_team
):
    make_webhook(receiver.url, team=network_team, events=["ticket.escalated", "ticket.resolved"])
    ours = make_ticket(carol, subject="ours")
    theirs = make_ticket(carol, subject="theirs")
    _escalate(alice, ours, network_team)
    tickets.escalate_ticket(actor=alice, ticket=theirs, tier="L2", team=desktop_team, **TRIAGE)
    tickets.resolve_ticket(actor=alice, ticket=theirs, resolution="done")
    webhooks_pass()
    assert [r.json["ticket"]["subject"] for r in receiver.requests] == ["ours"]


def test_a_client_and_team_webhook_needs_both(
    receiver, alice, make_webhook, make_ticket, carol, dave, acme, network_team
):
    make_webhook(receiver.url, organization=acme, team=network_team, events=["ticket.escalated"])
    _escalate(alice, make_ticket(dave), network_team)
    _escalate(alice, make_ticket(carol, subject="acme"), network_team)
    webhooks_pass()
    assert [r.json["ticket"]["subject"] for r in receiver.requests] == ["acme"]


def test_only_subscribed_events_are_queued(receiver, alice, make_webhook, make_ticket, carol):
    make_webhook(receiver.url, events=["ticket.resolved"])
    ticket = make_ticket(carol)
    tickets.add_reply(actor=alice, ticket=ticket, body="On it.")
    assert not Delivery.objects.exists()
    tickets.resolve_ticket(actor=alice, ticket=ticket, resolution="Fixed.")
    assert list(Delivery.objects.values_list("event", flat=True)) == ["ticket.resolved"]


def test_a_rolled_back_change_queues_nothing(receiver, make_webhook, make_ticket, carol):
    make_webhook(receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_ticket(carol)
        assert Delivery.objects.count() == 1  # written inside the same transaction
        raise RuntimeError("the request failed after the ticket was written")
    assert not Delivery.objects.exists()
    webhooks_pass()
    assert receiver.requests == []


def test_creating_a_ticket_does_not_wait_for_the_receiver(
    receiver, make_webhook, alice, carol, acme
):
    make_webhook(receiver.url, organization=acme)
    response = client_for(alice).post(
        "/api/v1/tickets",
        {"subject": "Mail is down", "organization": "acme", "requester": carol.public_id},
    )
    assert response.status_code == 201, response.json()
    delivery = Delivery.objects.get()
    assert delivery.status == "queued" and delivery.attempts == 0
    assert receiver.requests == []  # nothing sent by the request
    webhooks_pass()
    assert [r.json["ticket"]["number"] for r in receiver.requests] == [response.json()["number"]]


def test_events_nobody_wants_cost_no_query(receiver, make_webhook, make_ticket, carol, alice):
    make_webhook(receiver.url, events=["ticket.resolved"])
    ticket = make_ticket(carol)  # loads the registry
    registry.subscriptions()
    # Other apps' handlers of `created` may ask their own questions (triage: is auto-apply on;
    # problems: known errors of the client); webhooks ask nothing.
    with CaptureQueriesContext(connection) as queries:
        write_event(ticket, EventKind.CREATED, alice)
    sqls = [q["sql"] for q in queries.captured_queries]
    assert sqls[0].startswith('INSERT INTO "tickets_ticketevent"')
    assert not [sql for sql in sqls if "webhooks_" in sql]


def test_new_inactive_and_deleted_webhooks_are_seen_at_once(
    receiver, admin, make_webhook, make_ticket, carol
):
    make_ticket(carol)  # the registry now knows there are no webhooks
    webhook = make_webhook(receiver.url)
    make_ticket(carol)
    assert Delivery.objects.count() == 1
    services.update_webhook(actor=admin, webhook=webhook, is_active=False)
    make_ticket(carol)
    services.update_webhook(actor=admin, webhook=webhook, is_active=True)
    make_ticket(carol)
    assert Delivery.objects.filter(status="queued").count() == 1
    services.delete_webhook(actor=admin, webhook=webhook)
    make_ticket(carol)
    assert Delivery.objects.count() == 2
    assert not Delivery.objects.filter(status="queued").exists()


def test_other_processes_changes_are_read_after_the_refresh_time(
    receiver, make_webhook, make_ticket, carol, settings
):
    settings.DESKSIDE_WEBHOOKS_REFRESH_SECONDS = None
    webhook = make_webhook(receiver.url)
    make_ticket(carol)
    # Another process deactivates it: no signal reaches this one.
    Webhook.objects.filter(pk=webhook.pk).update(is_active=False)
    make_ticket(carol)
    assert Delivery.objects.count() == 2  # still in this process's list
    settings.DESKSIDE_WEBHOOKS_REFRESH_SECONDS = 0
    make_ticket(carol)
    assert Delivery.objects.count() == 2  # read again: gone


def test_the_registry_survives_being_dropped_by_another_thread_while_loading(
    receiver, make_webhook, monkeypatch
):
    """Another thread (a request saving a webhook) drops the list at the worst moment: the
    reader still gets the list it loaded, never None."""
    from deskside.webhooks import enqueue  # noqa: PLC0415

    webhook = make_webhook(receiver.url)
    real = enqueue.time.monotonic

    def monotonic() -> float:
        registry._drop()  # what registry.forget() does on another thread
        return real()

    monkeypatch.setattr(enqueue, "time", SimpleNamespace(monotonic=monotonic))
    subscriptions, events = registry.subscriptions()
    assert [s.pk for s in subscriptions] == [webhook.pk]
    assert events == frozenset({"ticket.created"})

"""The SLA app's bulk paths call the tickets' event hook (deskside.tickets.hooks): the
worker's warnings and breaches (one raw INSERT) reach webhooks once, and a contract's re-timing
(bulk_create) reaches the handlers of SLA events."""

import pytest
from django.db import transaction

from deskside.mail.models import OutboundMail
from deskside.sla import services as sla
from deskside.sla import worker
from deskside.sla.services import TargetTerms
from deskside.tickets import hooks
from deskside.tickets.models import EventKind
from deskside.tickets.timeline import ALL, Happened, on_event
from deskside.webhooks import services as webhooks
from deskside.webhooks.enqueue import registry
from deskside.webhooks.models import Delivery
from tests.sla.conftest import berlin


@pytest.fixture(autouse=True)
def fresh_registry():
    """The active webhooks are cached in memory: none of this test's survive it."""
    registry.forget()
    yield
    registry.forget()


@pytest.fixture
def heard():
    seen: list[Happened] = []
    on_event(ALL, seen.append, name="test.heard")
    yield seen
    hooks.remove("test.heard")


@pytest.fixture
def breaching(contracts, at, make_ticket, carol, alice, network_team):
    """An Acme P3 ticket opened Monday 10:00 (first response due 11:00)."""
    at(berlin(2, 10))
    return make_ticket(carol, assignee=alice, team=network_team)


def test_sla_breaches_written_by_the_worker_reach_webhooks_once(
    breaching, at, admin, allow_loopback
):
    webhooks.create_webhook(
        actor=admin, name="NOC", url="http://127.0.0.1:9/hook", events=["ticket.sla_breached"]
    )
    at(berlin(2, 11, 30))
    with transaction.atomic():
        assert worker.tick().breaches == 1
    (delivery,) = Delivery.objects.all()
    assert delivery.event == "ticket.sla_breached"
    assert delivery.ticket_event_id is None  # written by one raw INSERT: no id to link
    assert delivery.payload["ticket"]["number"] == breaching.number
    assert delivery.payload["data"]["kind"] == "first_response"
    assert "breached" in delivery.payload["data"]["text"]
    assert worker.tick().breaches == 0
    assert Delivery.objects.count() == 1
    # The breach is mailed by the SLA worker's own notification, never by the mail outbox.
    assert not OutboundMail.objects.exclude(kind="acknowledgement").exists()


def test_without_a_subscriber_the_worker_queues_nothing(breaching, at, admin, allow_loopback):
    webhooks.create_webhook(
        actor=admin, name="NOC", url="http://127.0.0.1:9/hook", events=["ticket.resolved"]
    )
    at(berlin(2, 11, 30))
    assert worker.tick().breaches == 1
    assert not Delivery.objects.exists()


def test_the_worker_hands_its_events_to_the_hook(breaching, at, heard):
    at(berlin(2, 10, 50))
    assert worker.tick().warnings == 1
    assert [(h.kind, h.saved, h.ticket.pk) for h in heard] == [
        (EventKind.SLA_WARNING, False, breaching.pk)
    ]


def test_the_retime_bulk_path_reaches_the_hook(
    admin, around_the_clock, default_contract, make_ticket, dave, at, heard
):
    """A new contract re-times the client's open tickets with bulk_create: their SLA events
    reach the hook too, saved."""
    at(berlin(2, 10))
    ticket = make_ticket(dave)  # Globex: the default contract
    heard.clear()
    sla.create_contract(
        actor=admin,
        name="Globex gold",
        calendar=around_the_clock,
        organization=dave.organization,
        targets=[TargetTerms("P3", 30, None, 120, None)],
    )
    assert [(h.kind, h.saved, h.event.ticket_id) for h in heard] == [
        (EventKind.SLA, True, ticket.pk)
    ]

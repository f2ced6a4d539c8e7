"""A resolved alert never pages: when the last open alert on a ticket resolves before anyone
acknowledged its chain, the chain stops (the ticket stays open for an agent). Issue 11, item 1:
the demo's resolved backup alert paged people at night."""

from datetime import timedelta

import pytest

from deskside.alerts import services as alerts
from deskside.alerts import setup as alert_setup
from deskside.alerts.models import Alert, Integration
from deskside.alerts.payloads import parse_event
from deskside.paging import services
from deskside.paging.models import Escalation, Page
from deskside.paging.worker import paging_pass
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind, Priority, Status

from .conftest import T0


@pytest.fixture
def rmm(admin, acme):
    integration, _ = alert_setup.create_integration(
        actor=admin,
        name="Acme RMM",
        kind=Integration.Kind.EVENTS,
        organization=acme,
        resolve_rule=Integration.ResolveRule.NOTE,  # the ticket stays open on resolve
    )
    return integration


def fire(integration, key, action="trigger", severity="error"):
    event = {"event_action": action, "dedup_key": key}
    if action == "trigger":
        event["payload"] = {
            "summary": f"{key} failed",
            "source": "acme-sql02",
            "severity": severity,
        }
    alerts.receive(integration=integration, events=[parse_event(event)])


def test_a_resolved_alert_stops_the_chain_it_started(rule, at, rmm):
    fire(rmm, "backup")  # error -> P2; 02:00 on a Monday in Berlin: after hours, it pages
    ticket = Alert.objects.get(dedup_key="backup").ticket
    assert ticket.priority == Priority.P2
    chain = Escalation.objects.get(ticket=ticket)
    assert chain.status == Escalation.Status.ACTIVE

    fire(rmm, "backup", action="resolve")
    paging_pass()

    chain.refresh_from_db()
    assert chain.status == Escalation.Status.CANCELLED
    assert not Page.objects.filter(ticket=ticket).exists()
    note = ticket.events.filter(kind=EventKind.PAGE_FAILED).get()
    assert note.data["stopped"] == "alert_resolved" and not note.is_public
    ticket.refresh_from_db()
    assert ticket.status not in (Status.RESOLVED, Status.CLOSED)  # the rule says: note only


def test_the_chain_goes_on_while_another_alert_on_the_ticket_fires(rule, at, rmm):
    fire(rmm, "backup")
    ticket = Alert.objects.get(dedup_key="backup").ticket
    Alert.objects.create(  # a second alert on the same ticket (as a storm ticket has)
        integration=rmm,
        organization=ticket.organization,
        dedup_key="backup-2",
        summary="second",
        severity="error",
        status="firing",
        first_seen=T0,
        last_seen=T0,
        noted_at=T0,
        ticket=ticket,
    )
    fire(rmm, "backup", action="resolve")
    paging_pass()
    assert Escalation.objects.get(ticket=ticket).status == Escalation.Status.ACTIVE
    assert Page.objects.filter(ticket=ticket).exists()


def test_an_acknowledged_chain_is_left_alone(rule, at, rmm, alice):
    fire(rmm, "backup")
    ticket = Alert.objects.get(dedup_key="backup").ticket
    paging_pass()
    services.acknowledge_ticket(actor=alice, ticket=ticket, via=Escalation.Via.PAGE)
    fire(rmm, "backup", action="resolve")
    chain = Escalation.objects.get(ticket=ticket)
    assert chain.status == Escalation.Status.ACKNOWLEDGED
    assert not ticket.events.filter(kind=EventKind.PAGE_FAILED).exists()


def test_raising_the_priority_after_the_resolve_pages_again(rule, at, rmm, alice):

    fire(rmm, "backup")
    ticket = Alert.objects.get(dedup_key="backup").ticket
    fire(rmm, "backup", action="resolve")
    at(T0 + timedelta(minutes=5))
    tickets.update_ticket(actor=alice, ticket=ticket, priority=Priority.P1)
    assert Escalation.objects.filter(ticket=ticket, status=Escalation.Status.ACTIVE).exists()


def test_a_breach_rule_escalation_does_not_page_again_after_the_resolve(
    rule, at, rmm, desktop_team
):
    """The SLA breach rule now escalates through the tickets service (an ESCALATED event): a
    rule's escalation never starts a chain, so a chain stopped because the alert healed stays
    stopped (found in review)."""

    fire(rmm, "backup")
    ticket = Alert.objects.get(dedup_key="backup").ticket
    fire(rmm, "backup", action="resolve")
    at(T0 + timedelta(hours=2))
    tickets.escalate_by_rule(
        ticket=ticket,
        rule="sla_breach",
        tier="L2",
        team=desktop_team,
        symptoms="backup failed",
        steps_tried="nothing recorded before the breach",
        impact="first response breached",
    )
    paging_pass()
    assert not Escalation.objects.filter(ticket=ticket, status=Escalation.Status.ACTIVE).exists()
    assert not Page.objects.filter(ticket=ticket).exists()

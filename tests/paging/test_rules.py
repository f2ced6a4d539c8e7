"""Which tickets page: every P1, P2 outside the contract's business hours (as configured),
alerts from a severity up; the client's own contract before the default one."""

from datetime import timedelta

import pytest

from deskside.paging import services
from deskside.paging.models import Escalation, Page, PagingRule
from deskside.paging.worker import paging_pass
from deskside.sla.models import Contract
from deskside.tickets import services as tickets
from deskside.tickets.models import Channel, EventKind, Priority
from tests.paging.conftest import T0

MONDAY_11 = T0 + timedelta(hours=9)  # 11:00 in Berlin


def _pages(ticket) -> bool:
    return Escalation.objects.filter(ticket=ticket).exists()


def test_p1_pages_at_any_hour(rule, at, make_ticket, carol):
    at(MONDAY_11)
    assert _pages(make_ticket(carol, priority=Priority.P1))
    at(T0)
    assert _pages(make_ticket(carol, priority=Priority.P1))


def test_p2_pages_outside_business_hours_only(rule, at, make_ticket, carol):
    at(T0)
    night = make_ticket(carol, priority=Priority.P2)
    assert Escalation.objects.get(ticket=night).reason == "P2 outside business hours"
    at(MONDAY_11)
    assert not _pages(make_ticket(carol, priority=Priority.P2))


@pytest.mark.parametrize(("p2", "pages"), [("never", False), ("always", True)])
def test_p2_never_or_always(rule, admin, at, make_ticket, carol, p2, pages):
    services.set_rule(actor=admin, contract=rule.contract, policy=rule.policy, p2=p2)
    at(MONDAY_11)
    assert _pages(make_ticket(carol, priority=Priority.P2)) is pages


def test_p3_and_a_contract_without_rule_do_not_page(rule, at, make_ticket, carol, acme, admin):
    at(T0)
    assert not _pages(make_ticket(carol, priority=Priority.P3))
    # Acme gets a contract of its own without a paging rule: the default's rule no longer applies.
    Contract.objects.create(name="Acme", organization=acme, calendar=rule.contract.calendar)
    assert not _pages(make_ticket(carol, priority=Priority.P1))


def test_the_clients_own_rule_wins(rule, at, make_ticket, carol, acme, admin, policy):
    own = Contract.objects.create(name="Acme", organization=acme, calendar=rule.contract.calendar)
    services.set_rule(actor=admin, contract=own, policy=policy, page_p1=False)
    at(T0)
    assert not _pages(make_ticket(carol, priority=Priority.P1))


@pytest.mark.parametrize(
    ("threshold", "severity", "pages"),
    [
        ("critical", "critical", True),
        ("critical", "error", False),
        ("error", "error", True),
        ("error", "warning", False),
        ("warning", "warning", True),
        ("warning", "info", False),
        ("none", "critical", False),
    ],
)
def test_alerts_page_by_severity(rule, admin, at, make_ticket, carol, threshold, severity, pages):
    services.set_rule(
        actor=admin, contract=rule.contract, policy=rule.policy, alert_severity=threshold
    )
    at(MONDAY_11)
    ticket = make_ticket(
        carol,
        priority=Priority.P3,
        channel=Channel.ALERT,
        event_data={"alert": {"severity": severity, "summary": "disk full"}},
    )
    assert _pages(ticket) is pages
    if pages:
        assert Escalation.objects.get(ticket=ticket).reason == f"{severity} alert"


def test_one_active_chain_per_ticket(p1, at):
    assert services.start_if_due(p1) is None
    assert Escalation.objects.filter(ticket=p1).count() == 1


def test_rule_validation(admin, default_contract, policy, alice):
    with pytest.raises(services.InvalidInput) as exc:
        services.set_rule(actor=admin, contract=default_contract, policy=policy, p2="sometimes")
    assert exc.value.field == "p2"
    with pytest.raises(services.NotAllowed):
        services.set_rule(actor=alice, contract=default_contract, policy=policy)
    assert not PagingRule.objects.exists()


def test_an_escalation_to_l3_of_an_acknowledged_p1_pages_again(p1, at, alice, tara, network_team):

    paging_pass()
    services.acknowledge_ticket(actor=alice, ticket=p1, via="api")
    p1.refresh_from_db()
    tickets.escalate_ticket(
        actor=alice,
        ticket=p1,
        tier="L3",
        symptoms="core switch down",
        steps_tried="power cycle",
        impact="whole site offline",
        team=network_team,
    )
    chains = list(Escalation.objects.filter(ticket=p1).order_by("id").values_list("status"))
    assert chains == [("acknowledged",), ("active",)]
    second = Escalation.objects.filter(ticket=p1).order_by("id").last()
    # The decision (docs/paging.md): a new chain on the contract's policy, as for any P1.
    assert second.policy == services.rule_for(p1).policy and second.reason == "P1"


def test_an_acknowledged_p1_lowered_to_p2_at_night_does_not_page_again(p1, at, alice):

    paging_pass()
    services.acknowledge_ticket(actor=alice, ticket=p1, via="api")
    p1.refresh_from_db()
    tickets.update_ticket(actor=alice, ticket=p1, priority=Priority.P2)  # 02:00: P2 pages
    assert list(Escalation.objects.filter(ticket=p1).values_list("status", flat=True)) == [
        "acknowledged"
    ]
    tickets.update_ticket(actor=alice, ticket=p1, priority=Priority.P1)  # more urgent again
    assert Escalation.objects.filter(ticket=p1, status="active").count() == 1


def test_a_paging_ticket_lowered_out_of_paging_stops_with_a_note(p1, at, alice):

    paging_pass()
    tickets.update_ticket(actor=alice, ticket=p1, priority=Priority.P2)  # still pages at night
    assert Escalation.objects.get(ticket=p1).status == "active"
    tickets.update_ticket(actor=alice, ticket=p1, priority=Priority.P3)
    escalation = Escalation.objects.get(ticket=p1)
    assert escalation.status == "cancelled" and escalation.next_at is None
    note = p1.events.filter(kind=EventKind.PAGE_FAILED).get()
    assert note.body == (
        "Paging stopped: the priority went from P2 to P3, which does not page under the "
        "contract's paging rule."
    )
    assert note.data["stopped"] == "priority" and not note.is_public
    at(T0 + timedelta(minutes=30))
    paging_pass()
    assert Page.objects.filter(ticket=p1).count() == 1  # nobody paged after the change


def test_an_alert_chain_goes_on_when_the_priority_is_lowered(rule, at, make_ticket, carol, alice):

    ticket = make_ticket(
        carol,
        priority=Priority.P2,
        channel=Channel.ALERT,
        event_data={"alert": {"severity": "critical"}},
    )
    tickets.update_ticket(actor=alice, ticket=ticket, priority=Priority.P3)
    assert Escalation.objects.get(ticket=ticket).status == "active"

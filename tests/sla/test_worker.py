"""The SLA worker: each warning and breach fires once, on time, to the right people, and a
breach rule acts once; a stopped worker catches up with one breach; racing workers never act
twice (threads with their own connections, on SQLite and PostgreSQL)."""

import os
import signal
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deskside.accounts.models import Tier
from deskside.core import worker as runner
from deskside.sla import worker
from deskside.sla.engine import (
    FIRST_BREACHED,
    FIRST_WARNED,
    RESOLUTION_BREACHED,
    RESOLUTION_WARNED,
    due_now,
    terms_for,
)
from deskside.sla.models import Contract
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind, Status, Ticket, TicketEvent
from tests.sla.conftest import berlin

SLA_KINDS = (EventKind.SLA_WARNING, EventKind.SLA_BREACH)


def sla_events(ticket):
    return list(ticket.events.filter(kind__in=SLA_KINDS).order_by("id").values_list("kind", "data"))


@pytest.fixture
def ticket(contracts, at, make_ticket, carol, alice, network_team, tara):
    """An Acme P3 ticket opened Monday 10:00, assigned to Alice on Tara's network team.
    First response due 11:00 (warning 10:45), resolution due Tuesday 10:00 (warning Mon 16:00)."""
    at(berlin(2, 10))
    return make_ticket(carol, assignee=alice, team=network_team)


def test_warning_at_75_and_breach_at_100_percent_each_once(ticket, at):
    at(berlin(2, 10, 44))
    assert worker.tick().claimed == 0
    assert sla_events(ticket) == []

    at(berlin(2, 10, 45))
    result = worker.tick()
    assert (result.claimed, result.warnings, result.breaches) == (1, 1, 0)
    assert sla_events(ticket) == [
        (
            EventKind.SLA_WARNING,
            {"kind": "first_response", "due": "2026-03-02T10:00:00+00:00", "target_minutes": 60},
        )
    ]
    ticket.refresh_from_db()
    assert ticket.sla_fired == FIRST_WARNED
    assert ticket.sla_check_at == berlin(2, 11)
    at(berlin(2, 10, 50))
    assert worker.tick().claimed == 0  # nothing new

    at(berlin(2, 11))
    result = worker.tick()
    assert (result.warnings, result.breaches) == (0, 1)
    at(berlin(2, 11, 30))
    worker.tick()
    worker.tick()
    kinds = [kind for kind, _ in sla_events(ticket)]
    assert kinds == [EventKind.SLA_WARNING, EventKind.SLA_BREACH]
    event = ticket.events.get(kind=EventKind.SLA_BREACH)
    assert not event.is_public and event.actor is None
    ticket.refresh_from_db()
    assert ticket.sla_check_at == berlin(2, 16)  # the resolution warning is next


def test_catch_up_after_downtime_writes_one_breach_per_clock(ticket, at):
    at(berlin(4, 12))  # the worker was down from Monday morning to Wednesday noon
    result = worker.tick()
    assert (result.claimed, result.warnings, result.breaches) == (1, 0, 2)
    kinds = sorted((kind, data["kind"]) for kind, data in sla_events(ticket))
    assert kinds == [
        (EventKind.SLA_BREACH, "first_response"),
        (EventKind.SLA_BREACH, "resolution"),
    ]
    ticket.refresh_from_db()
    assert ticket.sla_fired == (
        FIRST_WARNED | FIRST_BREACHED | RESOLUTION_WARNED | RESOLUTION_BREACHED
    )
    assert ticket.sla_check_at is None  # nothing left to fire
    at(berlin(9, 12))
    assert worker.tick().due == 0
    assert len(sla_events(ticket)) == 2


def test_catch_up_past_a_warning_only_writes_the_warning(ticket, at):
    at(berlin(2, 10, 59))
    worker.tick()
    assert [k for k, _ in sla_events(ticket)] == [EventKind.SLA_WARNING]


def test_paused_ticket_never_fires(ticket, at, alice):
    at(berlin(2, 10, 30))
    tickets.set_status(actor=alice, ticket=ticket, status=Status.PENDING_CUSTOMER)
    # Even a stale sla_check_at left on a paused ticket fires nothing.
    Ticket.objects.filter(pk=ticket.pk).update(sla_check_at=berlin(2, 10, 31))
    at(berlin(4, 12))
    result = worker.tick()
    assert (result.claimed, result.warnings, result.breaches) == (1, 0, 0)
    assert sla_events(ticket) == []
    ticket.refresh_from_db()
    assert ticket.sla_check_at is None
    assert worker.tick().due == 0


def test_resolved_ticket_stops_firing(ticket, at, alice):
    at(berlin(2, 10, 50))
    worker.tick()  # the first-response warning
    at(berlin(2, 10, 55))
    tickets.add_reply(actor=alice, ticket=ticket, body="Rebooted the printer")
    tickets.resolve_ticket(actor=alice, ticket=ticket, resolution="Printer back online")
    at(berlin(6, 12))
    assert worker.tick().due == 0
    assert [k for k, _ in sla_events(ticket)] == [EventKind.SLA_WARNING]


def test_notifications_go_to_the_assignee_and_the_team_lead(
    ticket, at, mailoutbox, django_capture_on_commit_callbacks
):
    at(berlin(2, 10, 45))
    with django_capture_on_commit_callbacks(execute=True):
        result = worker.tick()
    assert result.mails == 1
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert sorted(mail.to) == ["alice@msp.example", "tara@msp.example"]
    assert ticket.number in mail.subject and "first response" in mail.subject
    assert "due soon" in mail.subject

    at(berlin(2, 11))
    with django_capture_on_commit_callbacks(execute=True):
        worker.tick()
    assert "breached" in mailoutbox[1].subject


def test_mail_is_sent_only_after_the_commit(
    ticket, at, mailoutbox, django_capture_on_commit_callbacks
):
    at(berlin(2, 10, 45))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        worker.tick()
    assert mailoutbox == []  # nothing before the transaction commits
    assert len(callbacks) == 1


def test_no_one_to_tell_sends_nothing(
    contracts, at, make_ticket, carol, mailoutbox, django_capture_on_commit_callbacks
):
    at(berlin(2, 10))
    t = make_ticket(carol)  # unassigned, no team
    at(berlin(2, 11))
    with django_capture_on_commit_callbacks(execute=True):
        assert worker.tick().breaches == 1
    assert mailoutbox == []
    assert len(sla_events(t)) == 1


def test_breach_raises_the_tier_once(contracts, ticket, at):
    Contract.objects.filter(pk=contracts[0].pk).update(on_breach=Contract.OnBreach.RAISE_TIER)
    at(berlin(2, 10, 45))
    worker.tick()
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L1  # a warning raises nothing
    at(berlin(4, 12))  # both clocks breached: raised one step, not two
    result = worker.tick()
    assert (result.breaches, result.raised) == (2, 1)
    ticket.refresh_from_db()
    # Through the escalation rule, as an agent's escalation: the ticket leaves its L1 holder.
    assert (ticket.tier, ticket.team, ticket.assignee) == (Tier.L2, None, None)
    assert ticket.escalation_count == 1
    escalated = ticket.events.get(kind=EventKind.ESCALATED)
    assert escalated.actor is None
    assert (escalated.data["from_tier"], escalated.data["to_tier"]) == ("L1", "L2")
    assert escalated.data["rule"] == "sla_breach"
    assert escalated.data["breached"] == ["first_response", "resolution"]
    # The breach events come first on the timeline, then the escalation they caused.
    kinds = list(ticket.events.order_by("id").values_list("kind", flat=True))
    assert kinds[-3:] == [EventKind.SLA_BREACH, EventKind.SLA_BREACH, EventKind.ESCALATED]
    worker.tick()
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L2


def test_breach_hands_the_ticket_to_a_breach_team_of_a_higher_tier_by_escalation(
    contracts, ticket, at, desktop_team
):
    Contract.objects.filter(pk=contracts[0].pk).update(
        on_breach=Contract.OnBreach.REASSIGN, breach_team=desktop_team
    )
    at(berlin(2, 11))
    result = worker.tick()
    assert result.reassigned == 1
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.team, ticket.assignee) == (Tier.L2, desktop_team, None)
    escalated = ticket.events.get(kind=EventKind.ESCALATED)
    assert escalated.data["team"] == "Desktop Support L2"
    assert escalated.data["to_tier"] == "L2"
    assert "first response target of 60 working minutes" in escalated.data["impact"]


def test_breach_hands_the_ticket_to_a_breach_team_of_its_tier_with_triage_notes(
    contracts, ticket, at, helpdesk
):
    Contract.objects.filter(pk=contracts[0].pk).update(
        on_breach=Contract.OnBreach.REASSIGN, breach_team=helpdesk
    )
    at(berlin(2, 11))
    result = worker.tick()
    assert result.reassigned == 1
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.team, ticket.assignee) == (Tier.L1, helpdesk, None)
    assigned = ticket.events.get(kind=EventKind.ASSIGNED)
    assert assigned.actor is None
    assert assigned.data["team_from"] == "Network L3"
    assert assigned.data["team_to"] == "Help Desk L1"
    assert assigned.data["from"] == "Alice Agent"
    assert assigned.data["symptoms"].startswith("Printer offline on floor 2")
    assert "Symptoms: Printer offline" in assigned.body
    assert not ticket.events.filter(kind=EventKind.ESCALATED).exists()


def test_a_partial_batch_claim_claims_exactly_the_unchanged_rows(contracts, at, make_ticket, carol):
    at(berlin(2, 10))
    made = [make_ticket(carol, subject=f"Ticket {i}") for i in range(5)]
    now = at(berlin(2, 10, 50))
    rows = next(worker._due_batches(now, 100))
    book_terms = terms_for(made[0])
    pairs = [(row, due_now(row, book_terms, now)) for row in rows]
    # Meanwhile someone else claimed one of them.
    Ticket.objects.filter(pk=made[2].pk).update(sla_fired=FIRST_WARNED)
    result = worker.TickResult()
    mine = worker._claim(pairs, result)
    assert mine == {t.pk for t in made} - {made[2].pk}
    assert result.fallbacks == 1
    assert Ticket.objects.filter(sla_fired=FIRST_WARNED).count() == 5


def test_a_batch_is_claimed_with_one_update(contracts, at, make_ticket, carol):
    at(berlin(2, 10))
    made = [make_ticket(carol, subject=f"Ticket {i}") for i in range(5)]
    at(berlin(2, 10, 50))
    with CaptureQueriesContext(connection) as queries:
        result = worker.tick()
    assert (result.claimed, result.warnings, result.batches, result.fallbacks) == (5, 5, 1, 0)
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert all(t.events.filter(kind=EventKind.SLA_WARNING).count() == 1 for t in made)


def test_run_once_makes_one_pass(ticket, at):
    at(berlin(2, 11))
    seen = []
    assert runner.run(worker.sla_pass, interval=0.01, once=True, on_pass=seen.append) == 1
    assert seen[0].breaches == 1


def test_run_stops_on_a_signal(ticket, at):
    at(berlin(2, 10))
    passes = []

    def on_pass(result):
        passes.append(result)
        if len(passes) == 2:
            os.kill(os.getpid(), signal.SIGTERM)

    assert runner.run(worker.sla_pass, interval=0.01, on_pass=on_pass) == 2
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # restored


@pytest.mark.django_db(transaction=True)
def test_racing_workers_never_act_twice(contracts, at, make_ticket, carol, alice, network_team):
    at(berlin(2, 10))
    made = [make_ticket(carol, assignee=alice, team=network_team) for _ in range(40)]
    at(berlin(4, 12))  # every ticket has two breaches to fire
    results, errors = [], []
    start = threading.Barrier(4)

    def run():
        try:
            start.wait()
            results.extend(worker.tick(batch_size=7) for _ in range(3))
        except Exception as exc:  # reported below, with the thread's failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(r.claimed for r in results) == 40
    assert sum(r.breaches for r in results) == 80
    per_ticket = TicketEvent.objects.filter(kind=EventKind.SLA_BREACH).values_list(
        "ticket_id", "data__kind"
    )
    assert len(per_ticket) == 80
    assert len(set(per_ticket)) == 80  # no ticket's clock breached twice
    assert {t.pk for t in made} == {ticket_id for ticket_id, _ in per_ticket}

"""The escalation chain with a moving clock: nobody acknowledges, each step pages the right
person at the right minute, the chain runs again, then the team lead, then it is exhausted;
a worker killed in the middle resumes without a duplicate page."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from deskside.paging import services, worker
from deskside.paging.models import Escalation, Page
from deskside.paging.worker import paging_pass
from deskside.tickets import services as tickets
from deskside.tickets.models import EventKind, Priority
from tests.paging.conftest import T0


def _pages_by_minute(ticket, at, minutes: int) -> list[tuple[int, str, int, int]]:
    seen: set[int] = set()
    out = []
    for minute in range(minutes + 1):
        at(T0 + timedelta(minutes=minute))
        paging_pass()
        for page in Page.objects.filter(ticket=ticket).exclude(pk__in=seen).order_by("id"):
            seen.add(page.pk)
            out.append((minute, page.user.email, page.step, page.cycle))
    return out


def test_nobody_acknowledges_the_chain_runs_twice_then_the_lead(p1, at):
    escalation = Escalation.objects.get(ticket=p1)
    assert escalation.status == "active" and escalation.reason == "P1"
    assert escalation.next_at == T0

    pages = _pages_by_minute(p1, at, 45)

    assert pages == [
        (0, "alice@msp.example", 0, 0),  # on call for the schedule
        (5, "leo@msp.example", 1, 0),
        (15, "alice@msp.example", 0, 1),  # round 2
        (20, "leo@msp.example", 1, 1),
        (30, "tara@msp.example", 2, 1),  # the network team's lead
    ]
    escalation.refresh_from_db()
    assert escalation.status == "exhausted"
    assert escalation.ended_at == T0 + timedelta(minutes=40)  # the lead's wait: the last step's
    assert Page.objects.filter(ticket=p1, status="sent").count() == 5
    assert [m.to for m in mail.outbox] == [
        ["alice@msp.example"],
        ["leo@msp.example"],
        ["alice@msp.example"],
        ["leo@msp.example"],
        ["tara@msp.example"],
    ]
    timeline = list(
        p1.events.filter(kind__in=[EventKind.PAGED, EventKind.PAGE_FAILED])
        .order_by("id")
        .values_list("kind", "body")
    )
    assert timeline == [
        ("paged", "Paged Alice Agent (step 1, round 1) via email."),
        ("paged", "Paged Leo Field (step 2, round 1) via email."),
        ("paged", "Paged Alice Agent (step 1, round 2) via email."),
        ("paged", "Paged Leo Field (step 2, round 2) via email."),
        ("paged", "Paged Tara Lead (final step: team lead) via email."),
        (
            "page_failed",
            "Nobody acknowledged after 2 rounds and the team lead: paging stopped. "
            "Acknowledge from the ticket to take it.",
        ),
    ]


def test_each_page_says_what_and_links_to_acknowledge(p1, at):
    paging_pass()
    message = mail.outbox[0]
    assert message.subject == f"[{p1.number}] P1 Acme Corp: Core switch down"
    assert "Acknowledge (stops the paging, assigns the ticket to you): http" in message.body
    assert "/paging/ack/" in message.body
    assert message.extra_headers["Message-ID"].startswith("<deskside.page.")


def test_a_contact_method_order_is_kept(p1, at, alice):

    services.add_contact_method(
        actor=alice, user=alice, kind="email", address="pager@alice.example"
    )
    services.add_contact_method(actor=alice, user=alice, kind="email", address="home@alice.example")
    paging_pass()
    assert [m.to for m in mail.outbox] == [["pager@alice.example"], ["home@alice.example"]]
    event = p1.events.get(kind=EventKind.PAGED)
    assert event.body == "Paged Alice Agent (step 1, round 1) via email."
    assert event.data["channels"] == ["email", "email"]


def test_a_worker_killed_before_commit_leaves_no_trace_and_the_next_pages_once(p1, at):
    class Killed(Exception):
        pass

    with pytest.raises(Killed), transaction.atomic():
        worker.advance_due()
        assert Page.objects.filter(ticket=p1).count() == 1  # written, not committed
        raise Killed
    assert Page.objects.filter(ticket=p1).count() == 0
    assert Escalation.objects.get(ticket=p1).step == 0

    paging_pass()
    paging_pass()
    assert Page.objects.filter(ticket=p1).count() == 1
    assert len(mail.outbox) == 1


def test_a_replayed_claim_pages_nobody_twice(p1, at):
    escalation = Escalation.objects.get(ticket=p1)
    read = (escalation.pk, escalation.step, escalation.cycle, escalation.next_at)
    result = worker.PassResult()
    with transaction.atomic():
        assert worker.run_step(*read, T0, result) is True
    with transaction.atomic():  # a second worker that read the same row
        assert worker.run_step(*read, T0, result) is False
    assert Page.objects.filter(ticket=p1).count() == 1


def test_a_page_stuck_in_sending_is_unknown_not_resent_and_the_chain_goes_on(p1, at, alice, client):
    worker.advance_due()
    page = Page.objects.get(ticket=p1)
    # The worker claimed it and died before the transport answered: the page may have
    # arrived (issue 11: 12 of 13 such pages had), so it is "unknown", not "failed".
    Page.objects.filter(pk=page.pk).update(status="sending", claimed_at=T0)

    at(T0 + timedelta(minutes=1))
    paging_pass()
    page.refresh_from_db()
    assert page.status == "sending"  # not stale yet: maybe still in flight

    at(T0 + timedelta(minutes=3))
    result = paging_pass()
    page.refresh_from_db()
    assert page.status == "unknown" and "not sent again" in page.error
    assert (result.unknown, result.failed) == (1, 0)
    assert mail.outbox == []  # at most once: never resent
    assert not p1.events.filter(kind=EventKind.PAGE_FAILED).exists()
    note = p1.events.get(kind=EventKind.NOTE)
    assert note.actor is None and not note.is_public
    assert "delivery unknown" in note.body and "worker stopped while sending it" in note.body
    assert note.data["delivery"] == "unknown" and note.data["page"] == page.public_id
    # The paging pages say so.
    client.force_login(alice)
    for url in (reverse("paging:index"), reverse("paging:ticket_panel", args=[p1.number])):
        html = client.get(url).content.decode()
        assert '<td class="page-status unknown">Unknown (worker stopped while sending)' in html

    at(T0 + timedelta(minutes=5))
    paging_pass()
    assert [m.to for m in mail.outbox] == [["leo@msp.example"]]
    assert Page.objects.filter(ticket=p1).count() == 2


def test_a_restarted_worker_catches_up_one_step_at_a_time(p1, at):
    paging_pass()
    at(T0 + timedelta(minutes=60))  # the worker was down for an hour
    paging_pass()
    assert Page.objects.filter(ticket=p1).count() == 2  # step 2 now, not every missed step
    assert Escalation.objects.get(ticket=p1).next_at == T0 + timedelta(minutes=70)


def test_nobody_on_call_moves_on_at_once(p1, at, schedule):
    schedule.layers.all().delete()
    paging_pass()
    assert list(Page.objects.filter(ticket=p1).values_list("user__email", flat=True)) == [
        "leo@msp.example"
    ]
    note = p1.events.filter(kind=EventKind.PAGE_FAILED).first()
    assert (
        note.body == "Nobody paged at step 1, round 1: nobody is on call for Primary on call now."
    )


def test_resolving_the_ticket_stops_the_chain(p1, at, alice):

    paging_pass()
    tickets.resolve_ticket(actor=alice, ticket=p1, resolution="Switch rebooted")
    escalation = Escalation.objects.get(ticket=p1)
    assert escalation.status == "cancelled" and escalation.next_at is None
    at(T0 + timedelta(minutes=30))
    paging_pass()
    assert Page.objects.filter(ticket=p1).count() == 1


def test_raising_a_ticket_to_p1_starts_paging(rule, at, make_ticket, carol, alice):

    at(T0.replace(hour=10))  # 11:00 in Berlin: business hours
    ticket = make_ticket(carol, priority=Priority.P3)
    assert not Escalation.objects.filter(ticket=ticket).exists()
    tickets.update_ticket(actor=alice, ticket=ticket, priority=Priority.P1)
    assert Escalation.objects.get(ticket=ticket).reason == "P1"
    tickets.update_ticket(actor=alice, ticket=ticket, subject="Still down")
    assert Escalation.objects.filter(ticket=ticket).count() == 1


def test_a_short_gap_in_the_rota_does_not_burn_every_round(
    admin, default_contract, schedule, alice, at, make_ticket, carol
):
    """Nobody is on call for the first 2 minutes: round 1 reaches nobody and the chain waits
    the step's 5 minutes before round 2 (which reaches Alice), rather than running all three
    rounds at once and ending having paged nobody."""
    layer = schedule.layers.get()
    layer.starts_at = T0 + timedelta(minutes=2)
    layer.save()
    policy = services.create_policy(
        actor=admin,
        name="On call only",
        repeat=2,
        steps=[services.StepSpec(target="schedule", schedule=schedule, wait_minutes=5)],
    )
    services.set_rule(actor=admin, contract=default_contract, policy=policy)
    ticket = make_ticket(carol, subject="VPN down", priority=Priority.P1)
    paging_pass()
    escalation = Escalation.objects.get(ticket=ticket)
    assert escalation.status == "active"
    assert (escalation.step, escalation.cycle) == (0, 1)
    assert escalation.next_at == T0 + timedelta(minutes=5)
    assert not Page.objects.filter(ticket=ticket).exists()
    at(T0 + timedelta(minutes=5))
    paging_pass()
    assert list(Page.objects.filter(ticket=ticket).values_list("user", "step", "cycle")) == [
        (alice.pk, 0, 1)
    ]


def test_a_broken_chain_does_not_stop_the_others_nor_the_sending(
    p1, at, make_ticket, carol, monkeypatch, caplog
):
    good = make_ticket(carol, subject="Firewall down", priority=Priority.P1)
    broken = Escalation.objects.get(ticket=p1)  # due first: created first
    real_plan = worker.plan

    def plan(escalation, *args):
        if escalation.pk == broken.pk:
            raise RuntimeError("a broken policy")
        return real_plan(escalation, *args)

    monkeypatch.setattr(worker, "plan", plan)
    result = paging_pass()
    assert result.errors == 1 and result.steps == 1 and result.sent == 1
    assert [m.subject for m in mail.outbox] == [f"[{good.number}] P1 Acme Corp: Firewall down"]
    assert not Page.objects.filter(ticket=p1).exists()
    broken.refresh_from_db()
    assert (broken.status, broken.step, broken.next_at) == ("active", 0, T0)  # due next pass
    assert "a broken policy" in caplog.text

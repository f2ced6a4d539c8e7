"""Demo data: loads through the services, covers every status, type, priority and channel, and
loading twice changes nothing."""

from datetime import timedelta

import pytest

from deskside import demo
from deskside.accounts.models import Team, User
from deskside.alerts.models import Alert, AlertStatus
from deskside.assignment.models import AssignmentRule
from deskside.core import clock
from deskside.duty.models import Schedule
from deskside.duty.oncall import on_call_at
from deskside.handovers.models import Handover
from deskside.mail.models import InboundMessage, Mailbox, OutboundMail, Outcome
from deskside.paging import worker as paging_worker
from deskside.paging.models import Escalation, Page
from deskside.rosters import working
from deskside.rosters.models import Leave
from deskside.sla.models import Calendar, Contract
from deskside.tickets.models import (
    Channel,
    EventKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
)

# slow: builds the whole demo data set
pytestmark = pytest.mark.slow


def test_demo_loads_once_and_looks_like_an_msp(db):
    assert demo.load(tickets=160) is True
    count, events = Ticket.objects.count(), TicketEvent.objects.count()
    assert count >= 160 and events > 3 * count
    assert demo.load(tickets=160) is False
    assert (Ticket.objects.count(), TicketEvent.objects.count()) == (count, events)

    seen = set(Ticket.objects.values_list("status", "type", "priority", "channel"))
    assert {s for s, *_ in seen} == set(Status.values)
    assert {t for _, t, *_ in seen} == set(TicketType.values)
    assert {p for *_, p, _ in seen} == set(Priority.values)
    assert {c for *_, c in seen} == set(Channel.values)
    assert Ticket.objects.filter(first_contact_resolution=True).exists()
    assert TicketEvent.objects.filter(kind=EventKind.ESCALATED).exists()
    assert Ticket.objects.filter(merged_into__isnull=False).exists()
    # Every advertised login exists and can sign in with the published password.
    for email, _role in demo.LOGINS:
        assert User.objects.get(email=email).check_password(demo.PASSWORD)
    # Timelines run forward in time: the clock was moved step by step, never backwards.
    for ticket in Ticket.objects.order_by("?")[:20]:
        times = list(ticket.events.values_list("created_at", flat=True))
        assert times == sorted(times)
        assert times[0] == ticket.created_at


def test_demo_tickets_have_due_times_from_the_demo_contracts(db):
    demo.load(tickets=60)
    assert set(Calendar.objects.values_list("name", flat=True)) == set(demo.CALENDARS)
    assert Contract.objects.filter(is_default=True).count() == 1
    assert set(Contract.objects.values_list("organization__slug", flat=True)) == {
        None,
        *demo.CONTRACTS,
    }
    hamburg = Calendar.objects.get(name="Hamburg business hours").spec
    assert (hamburg.holiday_country, hamburg.holiday_subdivision) == ("DE", "HH")
    # Every demo client has a target for every priority: every ticket got its due times.
    assert not Ticket.objects.filter(first_response_due__isnull=True).exists()
    assert not Ticket.objects.filter(resolution_due__isnull=True).exists()
    # P1 counts around the clock: 15 minutes to respond, 4 hours to resolve.
    p1 = Ticket.objects.filter(priority=Priority.P1)
    assert p1.exists()
    for ticket in p1:
        assert ticket.first_response_due == ticket.created_at + timedelta(minutes=15)
    # The others count in business hours: never due sooner than the target's minutes.
    for ticket in Ticket.objects.filter(priority=Priority.P3):
        assert ticket.first_response_due >= ticket.created_at + timedelta(hours=4)


def test_demo_has_a_mailbox_and_a_mail_conversation(db):

    demo.load(tickets=20)

    assert Mailbox.objects.get().address == demo.DEMO_MAILBOX
    outcomes = dict(InboundMessage.objects.values_list("message_id", "outcome"))
    assert outcomes == {
        "demo-1@acme.example": Outcome.CREATED,
        "demo-2@acme.example": Outcome.APPENDED,
        "demo-3@globex.example": Outcome.AUTO_REPLY,
        "demo-4@unknown-vendor.example": Outcome.QUARANTINED,
    }
    ticket = InboundMessage.objects.get(message_id="demo-1@acme.example").ticket
    last = ticket.events.filter(kind=EventKind.REPLY).last()
    assert last.body == "That fixed it, thank you!"  # quote and signature stripped
    assert not OutboundMail.objects.exists()  # the demo's history answers nobody


def test_demo_has_a_working_24x7_setup(db):
    demo.load(tickets=40)
    infra = Schedule.objects.get(name="Infrastructure on call")
    assert on_call_at(infra, clock.now()) is not None  # around the clock: nobody missing
    # Repeats are one alert on one ticket; the maintenance window held Globex's alert back.
    disk = Alert.objects.get(dedup_key="acme-fs01-disk-c")
    assert disk.occurrences == 4 and disk.ticket is not None
    assert Alert.objects.get(dedup_key="glx-core1-ping").status == AlertStatus.SUPPRESSED
    assert Alert.objects.get(dedup_key="glx-core1-ping").ticket is None
    assert Alert.objects.get(dedup_key="acme-sql02-backup").status == AlertStatus.RESOLVED
    # The critical VPN alert is a P1 with a live chain: the worker pages the on-call person.
    vpn = Alert.objects.get(dedup_key="acme-vpn-down").ticket
    assert vpn.priority == Priority.P1
    chain = Escalation.objects.get(ticket=vpn)
    paging_worker.paging_pass()
    page = Page.objects.filter(escalation=chain).first()
    assert page is not None and page.user == on_call_at(infra, clock.now())
    assert vpn.events.filter(kind=EventKind.PAGED).exists()
    # Historical P1 tickets from before the paging set-up page nobody, and the resolved backup
    # alert's P2 ticket (which pages after hours) stopped paging when its alert resolved: one
    # live chain, whatever the hour the demo is loaded at.
    assert Escalation.objects.filter(status=Escalation.Status.ACTIVE).get() == chain
    assert not Page.objects.exclude(escalation=chain).exists()
    backup = Alert.objects.get(dedup_key="acme-sql02-backup").ticket
    assert not Escalation.objects.filter(ticket=backup, status=Escalation.Status.ACTIVE).exists()


def test_demo_runs_a_desk_around_the_clock(db):
    """Issue 15's demo: a 24x7 team on three shifts with a leave gap this week, a small team
    on rotational duty, a rule per team and a handover waiting for acknowledgement."""
    demo.load(tickets=20)
    desk = Team.objects.get(slug="help-desk-l1")
    assert sorted(desk.roster.shift_definitions.values_list("name", flat=True)) == [
        "Early",
        "Late",
        "Night",
    ]
    now = clock.now()
    assert working.working_ids(desk, now)  # around the clock: someone on the desk now
    week = working.slots(desk, now - timedelta(days=1), now + timedelta(days=6))
    leave = Leave.objects.get(user__teams__slug="help-desk-l1")  # the field demo has its own
    assert any(s.below and leave.user_id in s.on_leave for s in week)
    internal = Team.objects.get(name="Internal IT")
    assert internal.support_duty.mode == "rotational"
    assert len(working.on_duty_ids(internal, now)) == 1
    assert AssignmentRule.objects.filter(team=desk).exclude(mode="off").exists()
    assert Handover.objects.filter(team=desk, status=Handover.Status.SIGNED_OFF).exists()

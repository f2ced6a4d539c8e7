"""A shift's worth of help desk tickets around the Early shift of 2 March 2026 (06:00-14:00
UTC), built through the services with a moving clock, one ticket for each section."""

from dataclasses import dataclass
from datetime import timedelta

from deskside.alerts import setup as alert_setup
from deskside.alerts.models import Alert, AlertStatus
from deskside.core import clock
from deskside.paging.models import Escalation, EscalationPolicy
from deskside.tickets import services as tickets
from deskside.tickets.models import Priority, Ticket
from tests.handovers.conftest import START, T0


@dataclass
class Shift:
    old: Ticket  # opened before the shift, a note during it: changed; SLA breached
    opened: Ticket  # opened during the shift; SLA due within the next shift
    globex: Ticket  # opened during the shift, for Globex
    resolved: Ticket
    escalated: Ticket  # escalated to Desktop Support by Alice: leaves the help desk's queue
    p1: Ticket  # open P1 before the shift, paging, with a firing alert
    vendor: Ticket  # pending a vendor; a call logged during the shift
    alert: Alert


def build(*, make_ticket, carol, dave, alice, admin, helpdesk, desktop_team) -> Shift:
    def at(minutes):
        clock.set_now(START + timedelta(minutes=minutes))

    def new(requester, subject, minutes, **kw):
        at(minutes)
        return make_ticket(requester, subject=subject, team=helpdesk, actor=alice, **kw)

    old = new(carol, "Outlook keeps asking for a password", -120)
    resolved = new(carol, "Printer jam on floor 3", -110)
    escalated = new(carol, "Docking station dead", -100)
    p1 = new(carol, "Payroll server down", -90, priority=Priority.P1)
    vendor = new(carol, "Replacement laptop on order", -80)
    at(-70)
    tickets.set_status(actor=alice, ticket=vendor, status="pending_vendor", reason="Dell RMA")

    opened = new(carol, "New starter needs an account", 60)
    globex = new(dave, "VPN drops every hour", 90)
    at(120)
    tickets.add_note(actor=alice, ticket=old, body="Reset the profile, watching it")
    at(180)
    tickets.resolve_ticket(actor=alice, ticket=resolved, resolution="Cleared the jam")
    at(240)
    tickets.escalate_ticket(
        actor=alice,
        ticket=escalated,
        tier="L2",
        team=desktop_team,
        symptoms="No power",
        steps_tried="Other socket",
        impact="One user",
    )
    at(300)
    tickets.log_call(actor=alice, ticket=vendor, minutes=5, body="Dell: part ships Friday")
    at(8 * 60 + 30)  # after the shift: belongs to the next handover
    tickets.add_note(actor=alice, ticket=opened, body="Later note")

    Ticket.objects.filter(pk=old.pk).update(sla_due=T0 - timedelta(minutes=10))
    Ticket.objects.filter(pk=opened.pk).update(sla_due=T0 + timedelta(hours=3))
    Ticket.objects.filter(pk=p1.pk).update(sla_due=T0 + timedelta(hours=20))  # beyond the next

    policy = EscalationPolicy.objects.create(name="P1", slug="p1")
    Escalation.objects.create(ticket=p1, policy=policy, reason="P1", started_at=START)
    integration, _token = alert_setup.create_integration(
        actor=admin, name="Acme RMM", kind="events", organization=carol.organization, team=helpdesk
    )
    alert = Alert.objects.create(
        integration=integration,
        organization=carol.organization,
        dedup_key="payroll-down",
        status=AlertStatus.FIRING,
        severity="critical",
        source="rmm",
        summary="payroll01 unreachable",
        ticket=p1,
        first_seen=START,
        last_seen=START,
        noted_at=START,
    )
    clock.set_now(T0 + timedelta(minutes=1))
    return Shift(old, opened, globex, resolved, escalated, p1, vendor, alert)

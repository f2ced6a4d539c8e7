"""The time entries' share of the demo (called after deskside/field/demo.py, which seeds the
technicians and a week of visits): billing rules on the demo contracts, the technicians' time
on their visits of the week (travel, then the work; a shadowing second technician's time is
shadowing, so not billed), last week's time on tickets, one week submitted and one approved.

Everything goes through `field.services.time`, as people would do it: the rules are set by the
demo administrator (with their audit entries), entries are logged by the technicians, the
approved week by its agent's lead. The visits and technicians are looked up in the database at
seed time (`Technician` rows, else the L2 agents), so this works with or without the visits'
demo. No ticket timeline event is written (time entries write none).

`seed_demo()`; idempotent (a contract with a rule keeps it; no entry is logged once any
exists); dates are relative to
`clock.now()`, and only what has happened by then is logged.
"""

from datetime import time, timedelta
from decimal import Decimal

from django.db import transaction

from deskside.accounts.models import Tier, User
from deskside.core import clock
from deskside.core.timezones import zone
from deskside.field.models import (
    FINAL_STATUSES,
    Technician,
    TimeEntry,
    TimeKind,
    Visit,
    VisitStatus,
)
from deskside.field.services import time as services
from deskside.sla.models import Contract
from deskside.tickets.models import Ticket

ADMIN = "admin@deskside.example"
# Contract (by client slug; "" the default contract) -> rate, currency, travel billed, rounding.
# Initech's contract gets no rule: its time is logged but not billable (the "no rule" case).
RULES = {
    "": (Decimal("95.00"), "USD", False, 15),
    "acme": (Decimal("120.00"), "USD", True, 15),
    "globex": (Decimal("110.00"), "EUR", False, 6),
}
LAST_WEEK = [  # (weekday, start hour, minutes, kind, note) of each technician's last week
    (0, 9, 95, TimeKind.WORK, "Replaced the fuser; test prints fine"),
    (0, 14, 40, TimeKind.TRAVEL, ""),
    (1, 10, 150, TimeKind.WORK, "Imaged two laptops for new starters"),
    (2, 9, 60, TimeKind.TRAINING, "Intune enrolment course"),
    (3, 13, 45, TimeKind.WORK, "Docking station firmware"),
    (4, 9, 120, TimeKind.WORK, "Meeting room display cabling"),
]


def technicians() -> list[User]:
    """The demo's technicians: the active `Technician` rows, else the active L2 agents."""
    found = [
        t.user
        for t in Technician.objects.filter(is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "id")
    ]
    if found:
        return found
    return list(
        User.objects.filter(kind=User.Kind.AGENT, tier=Tier.L2, is_active=True).order_by(
            "full_name", "id"
        )
    )


def _rules(admin: User) -> None:
    for slug, (rate, currency, travel, rounding) in RULES.items():
        contract = (
            Contract.objects.filter(is_default=True).first()
            if not slug
            else Contract.objects.filter(organization__slug=slug).first()
        )
        if contract is None or hasattr(contract, "billing"):
            continue
        services.set_billing_rule(
            admin,
            contract,
            hourly_rate=rate,
            currency=currency,
            bill_travel=travel,
            round_up_to_minutes=rounding,
        )


def _log_visit(agent: User, visit: Visit, now) -> None:
    """Travel to the visit, then the time on site (as long as it was planned, or checked)."""
    start = visit.checked_in_at or visit.scheduled_start
    if start is None:
        return
    end = visit.checked_out_at or start + timedelta(minutes=visit.duration_minutes)
    if end > now:
        return
    tz = zone(agent.timezone)
    travel = visit.travel_minutes or 0
    if travel:
        leave = (start - timedelta(minutes=travel)).astimezone(tz)
        services.log_time(
            agent,
            ticket=visit.ticket,
            visit=visit,
            kind=TimeKind.TRAVEL,
            day=leave.date(),
            start=leave.time().replace(second=0, microsecond=0),
            minutes=travel,
        )
    local = start.astimezone(tz)
    services.log_time(
        agent,
        ticket=visit.ticket,
        visit=visit,
        kind=TimeKind.WORK,
        day=local.date(),
        start=local.time().replace(second=0, microsecond=0),
        minutes=max(1, min(int((end - start).total_seconds() // 60), services.MAX_MINUTES)),
        note=(visit.work_summary or "")[: services.MAX_NOTE],
    )


def _this_weeks_visits(techs: list[User], now) -> None:
    ids = [t.pk for t in techs]
    visits = (
        Visit.objects.filter(scheduled_start__gte=now - timedelta(days=7), scheduled_start__lt=now)
        .filter(status__in=FINAL_STATUSES)
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("ticket", "technician", "second_technician")
        .order_by("scheduled_start", "id")
    )
    for visit in visits:
        for person in (visit.technician, visit.second_technician):
            if person is not None and person.pk in ids and person.is_active:
                _log_visit(person, visit, now)


def _tickets_for(agent: User) -> list[Ticket]:
    qs = Ticket.objects.filter(organization__is_msp=False).order_by("-id")
    served = list(agent.served_organizations.values_list("id", flat=True))
    if served:
        qs = qs.filter(organization_id__in=served)
    mine = list(qs.filter(assignee=agent)[:5])
    return mine or list(qs[:5])


def _last_week(agent: User, now) -> TimeEntry | None:
    """A plausible last week for `agent`; returns one of its entries (None: no ticket)."""
    tickets = _tickets_for(agent)
    if not tickets:
        return None
    monday = services.week_of(agent, now) - timedelta(days=7)
    entry = None
    for i, (weekday, hour, minutes, kind, note) in enumerate(LAST_WEEK):
        ticket = None if kind == TimeKind.TRAINING else tickets[i % len(tickets)]
        entry = services.log_time(
            agent,
            ticket=ticket,
            kind=kind,
            day=monday + timedelta(days=weekday),
            start=time(hour, 0),
            minutes=minutes,
            note=note,
        )
    return entry


def _approver(agent: User, admin: User) -> User:
    leads = services.leads_of(agent) - {agent.pk}
    lead = User.objects.filter(pk__in=leads, is_active=True).order_by("id").first()
    return lead or admin


@transaction.atomic
def seed_demo() -> None:
    """Billing rules, this week's visit time, last week's time; one week approved (by the
    agent's lead) and one submitted, waiting for theirs."""
    admin = User.objects.filter(email=ADMIN).first()
    if admin is None:
        return
    _rules(admin)  # each contract's rule once
    if TimeEntry.objects.exists():  # the entries and weeks once
        return
    now = clock.now()
    techs = technicians()
    _this_weeks_visits(techs, now)
    weeks = [(t, _last_week(t, now)) for t in techs]
    weeks = [(t, e) for t, e in weeks if e is not None]
    # The approved week is that of a technician whose lead is someone else (Maria's, by Leo
    # in the demo); the submitted one another technician's (Leo's: an administrator decides).
    led = [pair for pair in weeks if services.leads_of(pair[0]) - {pair[0].pk}]
    first = led[0] if led else (weeks[0] if weeks else None)
    if first is None:
        return
    services.submit_timesheet(first[0], first[1].timesheet)
    services.approve_timesheet(_approver(first[0], admin), first[1].timesheet)
    second = next((pair for pair in weeks if pair[0].pk != first[0].pk), None)
    if second is not None:
        services.submit_timesheet(second[0], second[1].timesheet)

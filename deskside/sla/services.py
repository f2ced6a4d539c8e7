"""SLA clocks: due times on tickets from their client's contract, counted in working time.

`SlaClock` is installed as the ticket services' clock (tickets.deadlines) and keeps the SLA
columns of a ticket right as it moves:

- created: first-response and resolution due times from the contract's target for the
  ticket's priority, counted from the creation in the target's calendar;
- an agent's public reply or a logged call meets the first response (and a pending next
  response); a customer's reply starts the next-response clock;
- the waiting statuses (pending customer, pending vendor, on hold) pause every clock, and so
  does resolving; leaving them resumes each clock with the working time it had left;
- a change of priority (or client) recounts the due times from the creation, with the pauses
  the timeline records, so time already used stays used.

`sla_check_at` is always the next instant a warning or breach of an active clock falls due,
or None when nothing can fire (paused, resolved, no contract): the SLA worker's index.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from deskside.accounts.models import User
from deskside.core import clock
from deskside.sla.calendar import MINUTE, BusinessCalendar, from_us, to_us
from deskside.sla.models import Contract, SLATarget
from deskside.tickets.models import EventKind, Status, Ticket

PAUSED_STATUSES = frozenset({Status.PENDING_CUSTOMER, Status.PENDING_VENDOR, Status.ON_HOLD})
STOPPED_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})

# Bits of Ticket.sla_fired: which warnings and breaches were already acted on.
FIRST_WARNED, FIRST_BREACHED = 1, 2
NEXT_WARNED, NEXT_BREACHED = 4, 8
RESOLUTION_WARNED, RESOLUTION_BREACHED = 16, 32
NEXT_BITS = NEXT_WARNED | NEXT_BREACHED

CLOCK_FIELDS = [
    "first_response_due",
    "first_responded_at",
    "next_response_due",
    "resolution_due",
    "sla_paused_at",
    "sla_check_at",
    "sla_fired",
]


@dataclass(frozen=True)
class Terms:
    """What applies to one ticket: its contract, its target and the calendar it counts in."""

    contract: Contract
    target: SLATarget
    calendar: BusinessCalendar

    def minutes(self, kind: str) -> int | None:
        return getattr(self.target, f"{kind}_minutes")


def terms_for(ticket: Ticket) -> Terms | None:
    """The contract terms for the ticket's client and priority (the client's contract, else
    the default contract); None when neither has a target for that priority. One query."""
    rows = list(
        SLATarget.objects.filter(
            Q(contract__organization_id=ticket.organization_id) | Q(contract__is_default=True),
            priority=ticket.priority,
        ).select_related("contract", "contract__calendar", "calendar")
    )
    if not rows:
        return None
    target = min(rows, key=lambda t: t.contract.is_default)  # the client's own contract first
    calendar = (target.calendar or target.contract.calendar).engine
    return Terms(target.contract, target, calendar)


@dataclass(frozen=True)
class Clock:
    """One active clock of a ticket: its kind, due instant and the bits that say it fired."""

    kind: str  # "first_response", "next_response" or "resolution"
    due: datetime
    warned_bit: int
    breached_bit: int


def active_clocks(ticket: Ticket) -> list[Clock]:
    """The clocks of `ticket` that are still running (or paused), with their due times."""
    clocks = []
    if ticket.status in STOPPED_STATUSES:
        return clocks
    if ticket.first_response_due and ticket.first_responded_at is None:
        clocks.append(
            Clock("first_response", ticket.first_response_due, FIRST_WARNED, FIRST_BREACHED)
        )
    if ticket.next_response_due:
        clocks.append(Clock("next_response", ticket.next_response_due, NEXT_WARNED, NEXT_BREACHED))
    if ticket.resolution_due:
        clocks.append(
            Clock("resolution", ticket.resolution_due, RESOLUTION_WARNED, RESOLUTION_BREACHED)
        )
    return clocks


def warning_at(terms: Terms, clock_: Clock) -> datetime | None:
    """When the warning of `clock_` falls due: the instant the contract's share of the target
    is used up, i.e. the due time walked back by the rest of the target in working time."""
    minutes = terms.minutes(clock_.kind)
    if not minutes:
        return None
    rest = round(minutes * (100 - terms.contract.warning_percent) / 100 * MINUTE)
    return from_us(terms.calendar.add_us(to_us(clock_.due), -rest)) if rest else clock_.due


def next_check(ticket: Ticket, terms: Terms | None) -> datetime | None:
    """The next instant a warning or a breach of an active clock falls due, or None."""
    if terms is None or ticket.sla_paused_at is not None:
        return None
    moments = []
    for c in active_clocks(ticket):
        if not ticket.sla_fired & c.warned_bit and (warn := warning_at(terms, c)) is not None:
            moments.append(warn)
        elif not ticket.sla_fired & c.breached_bit:
            moments.append(c.due)
    return min(moments, default=None)


def _due(
    terms: Terms, start: datetime, minutes: int | None, pauses: list[tuple[datetime, datetime]] = ()
) -> datetime | None:
    if not minutes:
        return None
    return terms.calendar.add(start, minutes, pauses)


def pause_history(
    ticket: Ticket, *, until: datetime | None = None
) -> list[tuple[datetime, datetime]]:
    """The closed intervals in which the ticket's clocks were paused, from its timeline."""
    pauses, since = [], None
    for kind, created_at, data in (
        ticket.events.filter(
            kind__in=(EventKind.STATUS, EventKind.RESOLVED, EventKind.REOPENED, EventKind.CLOSED)
        )
        .order_by("id")
        .values_list("kind", "created_at", "data")
    ):
        target = {
            EventKind.RESOLVED: Status.RESOLVED,
            EventKind.CLOSED: Status.CLOSED,
            EventKind.REOPENED: Status.OPEN,
        }.get(kind) or data.get("to")
        paused = target in PAUSED_STATUSES or target in STOPPED_STATUSES
        if paused and since is None:
            since = created_at
        elif not paused and since is not None:
            pauses.append((since, created_at))
            since = None
    if until is not None and since is not None:
        pauses.append((since, until))
    return pauses


class SlaClock:
    """The SLA engine behind tickets.deadlines (see the module docstring)."""

    def started(self, ticket: Ticket) -> list[str]:
        terms = terms_for(ticket)
        ticket.sla_fired = 0
        ticket.first_responded_at = None
        ticket.next_response_due = None
        ticket.sla_paused_at = None
        if terms is None:
            ticket.first_response_due = ticket.resolution_due = ticket.sla_check_at = None
            return CLOCK_FIELDS
        ticket.first_response_due = _due(terms, ticket.created_at, terms.minutes("first_response"))
        ticket.resolution_due = _due(terms, ticket.created_at, terms.minutes("resolution"))
        ticket.sla_check_at = next_check(ticket, terms)
        return CLOCK_FIELDS

    def retargeted(self, ticket: Ticket) -> list[str]:
        terms = terms_for(ticket)
        if terms is None:
            ticket.first_response_due = ticket.next_response_due = None
            ticket.resolution_due = ticket.sla_check_at = None
            return CLOCK_FIELDS
        # Recount from the creation with the recorded pauses; a pause still running counts as
        # if it ended now, and resuming shifts the due times by the time it really lasted.
        now = clock.now()
        pauses = pause_history(ticket, until=ticket.sla_paused_at and now)
        if ticket.sla_paused_at is not None:
            pauses = pause_history(ticket)
        ticket.first_response_due = _due(
            terms, ticket.created_at, terms.minutes("first_response"), pauses
        )
        ticket.resolution_due = _due(terms, ticket.created_at, terms.minutes("resolution"), pauses)
        if ticket.next_response_due is not None:
            ticket.next_response_due = _due(terms, now, terms.minutes("next_response"))
        ticket.sla_fired = 0
        ticket.sla_check_at = next_check(ticket, terms)
        return CLOCK_FIELDS

    def status_changed(self, ticket: Ticket, old: str, actor: User | None) -> list[str]:
        was_paused = old in PAUSED_STATUSES or old in STOPPED_STATUSES
        is_paused = ticket.status in PAUSED_STATUSES or ticket.status in STOPPED_STATUSES
        if was_paused == is_paused:
            return []
        terms = terms_for(ticket)
        now = clock.now()
        if is_paused:
            ticket.sla_paused_at = now
            ticket.sla_check_at = None
            return ["sla_paused_at", "sla_check_at"]
        paused_at = ticket.sla_paused_at
        ticket.sla_paused_at = None
        if terms is not None and paused_at is not None:
            cal = terms.calendar
            for field in ("first_response_due", "next_response_due", "resolution_due"):
                due = getattr(ticket, field)
                if due is None or due <= paused_at:
                    continue  # no clock, or already breached before the pause: stays so
                left = cal.between_us(to_us(paused_at), to_us(due))
                setattr(ticket, field, from_us(cal.add_us(to_us(now), left)) if left > 0 else due)
        ticket.sla_check_at = next_check(ticket, terms)
        return [
            "first_response_due",
            "next_response_due",
            "resolution_due",
            "sla_paused_at",
            "sla_check_at",
        ]

    def responded(self, ticket: Ticket, actor: User) -> list[str]:
        if not actor.is_agent:
            return []
        changed = []
        if ticket.first_responded_at is None:
            ticket.first_responded_at = clock.now()
            changed.append("first_responded_at")
        if ticket.next_response_due is not None:
            ticket.next_response_due = None
            changed.append("next_response_due")
        if changed:
            ticket.sla_check_at = next_check(ticket, terms_for(ticket))
            changed.append("sla_check_at")
        return changed

    def customer_wrote(self, ticket: Ticket, actor: User | None) -> list[str]:
        # Before the first response the first-response clock is what runs; a second message
        # does not start another one. A waiting ticket's clocks stay paused.
        if ticket.first_responded_at is None or ticket.next_response_due is not None:
            return []
        terms = terms_for(ticket)
        if terms is None or not terms.minutes("next_response"):
            return []
        start = clock.now()
        ticket.next_response_due = _due(terms, start, terms.minutes("next_response"))
        ticket.sla_fired &= ~NEXT_BITS
        ticket.sla_check_at = next_check(ticket, terms)
        return ["next_response_due", "sla_fired", "sla_check_at"]

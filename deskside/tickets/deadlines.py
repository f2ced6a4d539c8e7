"""The seam between ticket operations and the SLA clocks (deadlines).

Tickets do not know about contracts or calendars (the sla app builds on tickets, never the
other way), yet every change that moves an SLA clock happens in a ticket service. So each
ticket service calls the installed `TicketClock` explicitly, inside its own transaction, at the
moment the change happens; the sla app installs its implementation when Django starts
(`deskside.sla.apps`). Without the sla app the clock does nothing.

Each method may change the ticket's SLA fields in memory (never other fields) and returns the
names of the fields it changed; `note()` records them on the ticket so that the service's
`timeline.touch()` saves them with its own changes. Only changed SLA fields are written, so a
service never overwrites what the SLA worker claimed meanwhile with a stale copy.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.db.models import DateTimeField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Least

from deskside.accounts.models import User
from deskside.tickets.models import (  # the bits of Ticket.sla_fired, for the SLA app too
    FIRST_BREACHED,
    FIRST_WARNED,
    HAS_SLA,
    NEXT_BREACHED,
    NEXT_WARNED,
    RESOLUTION_BREACHED,
    RESOLUTION_WARNED,
    SLA_WARNED,
    Status,
    Ticket,
    TicketQuerySet,
)

STOPPED = (Status.RESOLVED, Status.CLOSED)
PAUSED = (Status.PENDING_CUSTOMER, Status.PENDING_VENDOR, Status.ON_HOLD)

# What the queues and the API show of a ticket's SLA (see sla_state).
SLA_STATES = ("ok", "at_risk", "breached", "paused")


class TicketClock(Protocol):
    def started(self, ticket: Ticket) -> list[str]:
        """A ticket was created: set its due times."""
        ...

    def retargeted(self, ticket: Ticket) -> list[str]:
        """Priority, organisation or contract changed: recompute the due times from the
        ticket's creation (time already used stays used), never to a moment already past
        (see the engine's rule and docs/sla.md)."""
        ...

    def status_changed(self, ticket: Ticket, old: str, actor: User | None) -> list[str]:
        """`ticket.status` just changed from `old`: pause, resume, stop or restart clocks."""
        ...

    def responded(self, ticket: Ticket, actor: User) -> list[str]:
        """An agent answered the customer publicly: meets the first or next response."""
        ...

    def customer_wrote(self, ticket: Ticket, actor: User | None) -> list[str]:
        """The customer wrote (a reply, an inbound call): starts the next-response clock."""
        ...

    def working_minutes_left(
        self, ticket: Ticket, dues: list[datetime], now: datetime
    ) -> list[int] | None:
        """For each of `dues`, the working minutes from `now` (or the pause's start, when
        paused) to it in the ticket's calendar, negative when past; None without an SLA.
        Reads, never writes."""
        ...


class NoClock:
    """The clock when no SLA engine is installed: nothing moves."""

    def started(self, ticket: Ticket) -> list[str]:
        return []

    def retargeted(self, ticket: Ticket) -> list[str]:
        return []

    def status_changed(self, ticket: Ticket, old: str, actor: User | None) -> list[str]:
        return []

    def responded(self, ticket: Ticket, actor: User) -> list[str]:
        return []

    def customer_wrote(self, ticket: Ticket, actor: User | None) -> list[str]:
        return []

    def working_minutes_left(
        self, ticket: Ticket, dues: list[datetime], now: datetime
    ) -> list[int] | None:
        return None


_installed: TicketClock = NoClock()


def install(clock: TicketClock) -> None:
    """Make `clock` the one every ticket service calls (the sla app does this at start-up)."""
    global _installed
    _installed = clock


def engine() -> TicketClock:
    """The installed clock."""
    return _installed


def note(ticket: Ticket, fields: list[str]) -> None:
    """Remember SLA fields the clock changed, for the next `timeline.touch(ticket)`."""
    if fields:
        ticket.__dict__.setdefault(PENDING, set()).update(fields)


PENDING = "_deadline_fields"


# -- what a ticket's clocks say now ------------------------------------------------------------
# `sla_due` is the earliest due time of the clocks still running or paused (a first response
# not yet given, a next response owed, the resolution), kept by `timeline.touch()` and the SLA
# set-up; None when the ticket is resolved or closed or has no SLA. Queues sort by it (indexed).


class ClockState(Protocol):
    """What the clock rules read of a ticket: a Ticket, or the worker's lighter row."""

    status: str
    first_response_due: datetime | None
    first_responded_at: datetime | None
    next_response_due: datetime | None
    resolution_due: datetime | None
    sla_paused_at: datetime | None
    sla_fired: int


@dataclass(frozen=True)
class Clock:
    """One active clock of a ticket: its kind, due instant and the bits that say it fired."""

    kind: str  # "first_response", "next_response" or "resolution"
    due: datetime
    warned_bit: int
    breached_bit: int


def active_clocks(ticket: ClockState) -> list[Clock]:
    """The clocks of `ticket` that are still running (or paused), with their due times."""
    clocks: list[Clock] = []
    if ticket.status in STOPPED:
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


def earliest_due(ticket: Ticket) -> datetime | None:
    """The earliest due time among `ticket`'s active clocks (what `sla_due` stores)."""
    return min((c.due for c in active_clocks(ticket)), default=None)


def keep_earliest_due(ticket: Ticket) -> None:
    """Set `ticket.sla_due` from its clocks (in memory; the caller saves it)."""
    ticket.sla_due = earliest_due(ticket)


def is_breached(ticket: Ticket, now: datetime) -> bool:
    """An active clock is past due: at `now` when running, at the pause's start when paused
    (the time of a pause does not count, so a paused clock cannot run out)."""
    if ticket.sla_due is None:
        return False
    return ticket.sla_due <= (ticket.sla_paused_at or now)


def _warned_not_breached(ticket: Ticket) -> bool:
    bits = ticket.sla_fired
    return any(bits & c.warned_bit and not bits & c.breached_bit for c in active_clocks(ticket))


def sla_state(ticket: Ticket, now: datetime) -> str | None:
    """ "breached" (an active clock is past due), "at_risk" (the worker warned about an active
    clock: its warning share of the target is used), "paused" (waiting on the customer, a
    vendor or on hold), "ok", or None (no SLA, or the ticket is resolved or closed).

    The same rules as `sla_filter`, which the queues and the API filter with."""
    if ticket.sla_due is None:
        return None
    if is_breached(ticket, now):
        return "breached"
    if _warned_not_breached(ticket):
        return "at_risk"
    if ticket.sla_paused_at is not None:
        return "paused"
    return "ok"


def breached_q(now: datetime) -> Q:
    """Tickets with a due time whose `sla_state` is "breached" (see `is_breached`), as a
    filter: the due time is at or before the pause's start, or `now` when the clock runs.

    One comparison, not two alternatives by pause: PostgreSQL estimates the OR of the two as a
    few rows where a thousand match at a million tickets, and then joins and sorts every
    breached ticket instead of reading the newest ones in order (ticket_sla_id)."""
    return Q(sla_due__lte=Coalesce("sla_paused_at", Value(now, output_field=DateTimeField())))


def sla_filter(qs: TicketQuerySet, state: str, now: datetime) -> TicketQuerySet:
    """`qs` narrowed to the tickets whose `sla_state` at `now` is `state` ("breached" or
    "at_risk" are the queue filters; "ok" and "paused" work alike)."""
    # HAS_SLA and SLA_WARNED as they are: the partial indexes on them (ticket_sla_id,
    # ticket_sla_warned) serve only queries that repeat their conditions.
    qs = qs.filter(HAS_SLA)
    if state == "breached":
        return qs.filter(breached_q(now))
    qs = qs.exclude(breached_q(now))
    if state == "at_risk":
        return qs.filter(SLA_WARNED)
    qs = qs.exclude(SLA_WARNED)
    return qs.filter(sla_paused_at__isnull=state == "ok")


def with_clock_positions(qs: QuerySet[Ticket], now: datetime) -> QuerySet[Ticket]:
    """`qs` with the aliases `SLA_OUTCOMES` reads: `position`, where the clocks stand
    (stopped or paused at `sla_paused_at`, for a resolved ticket the resolution, else `now`),
    and `answered`, the first response, an answer given while the clock was paused counting
    as given when it paused. The SLA report, the reports app and the queue's report filters
    count with the same definitions."""
    return qs.alias(
        position=Coalesce(
            "sla_paused_at",
            "resolved_at",
            "closed_at",
            Value(now, output_field=DateTimeField()),
            output_field=DateTimeField(),
        ),
    ).alias(answered=Least("first_responded_at", "position", output_field=DateTimeField()))


_STOPPED = Q(status__in=STOPPED)
_RESPONDED = Q(first_responded_at__isnull=False)
_FR_HAS = Q(first_response_due__isnull=False)
_RES_HAS = Q(resolution_due__isnull=False)

# The SLA report's outcomes of a ticket's first response and resolution targets (see
# `sla.queries.sla_report`), as conditions over `with_clock_positions(qs, now)`.
SLA_OUTCOMES: dict[str, Q] = {
    "fr_met": _FR_HAS
    & (
        (_RESPONDED & Q(answered__lte=F("first_response_due")))
        | (~_RESPONDED & _STOPPED & Q(position__lte=F("first_response_due")))
    ),
    "fr_breached": _FR_HAS
    & (
        (_RESPONDED & Q(answered__gt=F("first_response_due")))
        | (~_RESPONDED & Q(position__gt=F("first_response_due")))
    ),
    "fr_running": _FR_HAS & ~_RESPONDED & ~_STOPPED & Q(position__lte=F("first_response_due")),
    "res_met": _RES_HAS & _STOPPED & Q(position__lte=F("resolution_due")),
    "res_breached": _RES_HAS & Q(position__gt=F("resolution_due")),
    "res_running": _RES_HAS & ~_STOPPED & Q(position__lte=F("resolution_due")),
}

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

from typing import Protocol

from deskside.accounts.models import User
from deskside.tickets.models import Ticket


class TicketClock(Protocol):
    def started(self, ticket: Ticket) -> list[str]:
        """A ticket was created: set its due times."""
        ...

    def retargeted(self, ticket: Ticket) -> list[str]:
        """Priority, organisation or contract changed: recompute the due times from the
        ticket's creation (time already used stays used)."""
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

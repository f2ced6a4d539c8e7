"""A ticket's status: the working statuses, resolving (with first-contact resolution),
reopening and closing."""

from django.db import transaction

from deskside.accounts.models import Tier, User
from deskside.core import clock
from deskside.tickets import deadlines
from deskside.tickets.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.tickets.models import (
    Channel,
    EventKind,
    Status,
    Ticket,
    TicketEvent,
)
from deskside.tickets.rules import (
    lock,
    require_agent,
    require_choice,
    require_text,
    require_transition,
    require_visible,
)
from deskside.tickets.services.versions import check_version
from deskside.tickets.timeline import reindex, touch, write_event


def _status_event(ticket: Ticket, actor: User | None, target: str, reason: str) -> None:
    old = ticket.status
    ticket.status = target
    deadlines.note(ticket, deadlines.engine().status_changed(ticket, old, actor))
    write_event(
        ticket, EventKind.STATUS, actor, public=True, body=reason, data={"from": old, "to": target}
    )


def _reopen(ticket: Ticket, actor: User, reason: str) -> None:
    ticket.status = Status.OPEN
    ticket.resolved_at = None
    ticket.first_contact_resolution = False
    deadlines.note(ticket, deadlines.engine().status_changed(ticket, Status.RESOLVED, actor))
    write_event(
        ticket,
        EventKind.REOPENED,
        actor,
        public=True,
        body=reason,
        data={"from": Status.RESOLVED, "to": Status.OPEN},
    )


@transaction.atomic
def set_status(
    *,
    actor: User,
    ticket: Ticket,
    status: str,
    reason: str = "",
    expected_version: int | None = None,
) -> TicketEvent:
    """Move the ticket between the working statuses (open, pending customer or vendor, on
    hold). Resolving, reopening and closing have their own operations."""
    lock(ticket)
    require_agent(actor, "change the status")
    require_visible(actor, ticket)
    check_version(actor=actor, ticket=ticket, expected=expected_version)
    require_choice(status, Status, "status")
    if status in (Status.RESOLVED, Status.CLOSED):
        raise InvalidInput(f"use the {status} action instead", field="status")
    if ticket.status == Status.RESOLVED and status == Status.OPEN:
        raise InvalidInput("use the reopen action instead", field="status")
    require_transition(ticket, status)
    _status_event(ticket, actor, status, reason.strip())
    touch(ticket, "status")
    return ticket.events.last()  # type: ignore[return-value]


def is_first_contact(ticket: Ticket) -> bool:
    """First-contact resolution (FCR): the desk settled the issue in one contact with the
    customer. True only when all of these hold at resolution:

    - the ticket stayed at Level 1 (never escalated) and was never reopened;
    - the customer never had to come back (no reply from them);
    - at most one contact between an agent and the customer: public agent replies and logged
      calls, inbound or outbound, each count one; the intake call of a phone or walk-up
      ticket is that one contact, logged or not (internal notes are no contact);
    - the ticket never waited on the customer (no status change to pending customer).

    A remote session (EventKind.REMOTE, started from the ticket's "Connect" link) is a contact
    like a call: a ticket settled in one remote session counts. On a phone or walk-up ticket the
    agent takes control while on the intake call, so the first session is part of that call;
    a second session is a second contact.

    A web ticket answered with one reply (or resolved straight away) counts; one that needed
    two follow-ups before its resolution does not.
    """
    if ticket.tier != Tier.L1 or ticket.escalation_count:
        return False
    events = ticket.events.filter(
        kind__in=(
            EventKind.REPLY,
            EventKind.CALL,
            EventKind.REOPENED,
            EventKind.STATUS,
            EventKind.REMOTE,
        )
    )
    replies = inbound = outbound = remote = 0
    for kind, actor_kind, data in events.values_list("kind", "actor__kind", "data"):
        if kind == EventKind.REOPENED:
            return False
        if kind == EventKind.STATUS and data.get("to") == Status.PENDING_CUSTOMER:
            return False
        if kind == EventKind.REPLY:
            if actor_kind == User.Kind.CUSTOMER:
                return False
            replies += 1
        elif kind == EventKind.REMOTE:
            if data.get("action") == "started":
                remote += 1
        elif kind == EventKind.CALL:
            if data.get("inbound", True):
                inbound += 1
            else:
                outbound += 1
    if ticket.channel in (Channel.PHONE, Channel.WALK_UP):
        inbound = max(inbound, 1)  # the call that opened the ticket
        remote = max(remote - 1, 0)  # the first session ran during that call
    return replies + inbound + outbound + remote <= 1


@transaction.atomic
def resolve_ticket(
    *,
    actor: User,
    ticket: Ticket,
    resolution: str,
    expected_version: int | None = None,
) -> TicketEvent:
    """Resolve with a resolution the customer sees; records first-contact resolution."""
    lock(ticket)
    require_agent(actor, "resolve tickets")
    require_visible(actor, ticket)
    check_version(actor=actor, ticket=ticket, expected=expected_version)
    require_transition(ticket, Status.RESOLVED)
    resolution = require_text(resolution, "resolution", "a resolution")
    ticket.first_contact_resolution = is_first_contact(ticket)
    old = ticket.status
    ticket.status = Status.RESOLVED
    ticket.resolved_at = clock.now()
    deadlines.note(ticket, deadlines.engine().status_changed(ticket, old, actor))
    event = write_event(
        ticket,
        EventKind.RESOLVED,
        actor,
        public=True,
        body=resolution,
        data={"first_contact": ticket.first_contact_resolution},
    )
    touch(ticket, "status", "resolved_at", "first_contact_resolution")
    reindex(ticket)
    return event


@transaction.atomic
def reopen_ticket(
    *,
    actor: User,
    ticket: Ticket,
    reason: str = "",
    expected_version: int | None = None,
) -> TicketEvent:
    """Reopen a resolved ticket (the customer may, e.g. when the fix did not hold)."""
    lock(ticket)
    require_visible(actor, ticket)
    check_version(actor=actor, ticket=ticket, expected=expected_version)
    if ticket.status != Status.RESOLVED:
        raise InvalidTransition(
            f"only a resolved ticket can be reopened; {ticket.number} is "
            f"{Status(ticket.status).label.lower()}",
            field="status",
        )
    _reopen(ticket, actor, reason.strip())
    touch(ticket, "status", "resolved_at", "first_contact_resolution")
    return ticket.events.last()  # type: ignore[return-value]


@transaction.atomic
def close_ticket(
    *,
    actor: User,
    ticket: Ticket,
    reason: str = "",
    expected_version: int | None = None,
) -> TicketEvent:
    """Close for good. Agents close any ticket; a customer only their own request."""
    lock(ticket)
    require_visible(actor, ticket)
    check_version(actor=actor, ticket=ticket, expected=expected_version)
    if actor.is_customer and ticket.requester_id != actor.pk:
        raise NotAllowed("only the requester or an agent can close this ticket")
    require_transition(ticket, Status.CLOSED)
    old = ticket.status
    ticket.status = Status.CLOSED
    ticket.closed_at = clock.now()
    deadlines.note(ticket, deadlines.engine().status_changed(ticket, old, actor))
    event = write_event(
        ticket, EventKind.CLOSED, actor, public=True, body=reason.strip(), data={"from": old}
    )
    touch(ticket, "status", "closed_at")
    return event

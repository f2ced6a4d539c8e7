"""The conversation on a ticket: public replies (from the web, the API or mail), internal
notes, attachments on their own, and who watches the ticket."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from deskside.accounts.models import User
from deskside.tickets import deadlines
from deskside.tickets.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.tickets.models import (
    Attachment,
    EventKind,
    Status,
    Ticket,
    TicketEvent,
)
from deskside.tickets.queries import visible_tickets
from deskside.tickets.rules import (
    lock,
    require_agent,
    require_text,
    require_visible,
)
from deskside.tickets.services.intake import _check_watchers
from deskside.tickets.services.status import _reopen, _status_event
from deskside.tickets.services.versions import CONVERSATION, check_version
from deskside.tickets.timeline import reindex, store_attachments, touch, write_event


@transaction.atomic
def add_reply(
    *,
    actor: User,
    ticket: Ticket,
    body: str,
    attachments: Iterable[UploadedFile] = (),
    expected_version: int | None = None,
) -> TicketEvent:
    """A public reply, seen by the customer. A customer replying to a ticket that waits on them
    (or that was resolved) puts it back to open; an agent's reply opens a new ticket."""
    lock(ticket)
    require_visible(actor, ticket)
    check_version(actor=actor, ticket=ticket, expected=expected_version, conflicts=CONVERSATION)
    return _reply(actor, ticket, body, attachments)


@transaction.atomic
def add_mail_reply(
    *,
    sender: User,
    ticket: Ticket,
    body: str,
    attachments: Iterable[UploadedFile] = (),
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """A public reply that arrived by email (`deskside.mail`), with `data` naming the message.

    The sender is an agent who serves the client, or a contact of the ticket's client whom
    the mail pipeline found in the ticket's conversation (`deskside.mail.conversation.
    in_conversation`: it never calls this for anyone else): one who was on the mail but not on
    the ticket (a colleague in copy) joins its watchers, so they can follow it in the portal.
    Anyone else is refused."""
    lock(ticket)
    if sender.is_customer:
        if sender.organization_id != ticket.organization_id:
            raise NotAllowed(f"{sender} is not a contact of {ticket.organization}")
        on_ticket = ticket.requester_id == sender.pk or sender.is_org_admin
        if not on_ticket and not visible_tickets(sender).filter(pk=ticket.pk).exists():
            ticket.watchers.add(sender)
            write_event(
                ticket,
                EventKind.WATCHERS,
                None,
                data={"added": [sender.get_full_name()], "removed": [], "reason": "email"},
            )
    else:
        require_visible(sender, ticket)
    return _reply(sender, ticket, body, attachments, data)


def _reply(
    actor: User,
    ticket: Ticket,
    body: str,
    attachments: Iterable[UploadedFile],
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    if ticket.status == Status.CLOSED:
        raise InvalidTransition(
            f"{ticket.number} is closed; open a new ticket instead", field="status"
        )
    body = require_text(body, "body", "a reply")
    event = write_event(ticket, EventKind.REPLY, actor, public=True, body=body, data=data)
    store_attachments(actor, ticket, event, attachments, public=True)
    if actor.is_customer and ticket.status == Status.RESOLVED:
        _reopen(ticket, actor, "the customer replied")
    elif actor.is_customer and ticket.status in (Status.PENDING_CUSTOMER, Status.ON_HOLD):
        _status_event(ticket, actor, Status.OPEN, "the customer replied")
    elif actor.is_agent and ticket.status == Status.NEW:
        _status_event(ticket, actor, Status.OPEN, "")
    clock_engine = deadlines.engine()
    if actor.is_agent:
        deadlines.note(ticket, clock_engine.responded(ticket, actor))
    else:
        deadlines.note(ticket, clock_engine.customer_wrote(ticket, actor))
    touch(ticket, "status", "resolved_at", "first_contact_resolution")
    reindex(ticket)
    return event


@transaction.atomic
def add_note(
    *,
    actor: User,
    ticket: Ticket,
    body: str,
    attachments: Iterable[UploadedFile] = (),
) -> TicketEvent:
    """An internal note: agents only, never shown in the portal or sent to the customer."""
    lock(ticket)
    require_agent(actor, "write internal notes")
    require_visible(actor, ticket)
    body = require_text(body, "body", "a note")
    event = write_event(ticket, EventKind.NOTE, actor, body=body)
    store_attachments(actor, ticket, event, attachments, public=False)
    touch(ticket)
    reindex(ticket)
    return event


@transaction.atomic
def add_attachments(
    *,
    actor: User,
    ticket: Ticket,
    files: Sequence[UploadedFile],
    public: bool = True,
) -> list[Attachment]:
    """Attach files on their own (without a reply). Customers' files are always public."""
    lock(ticket)
    require_visible(actor, ticket)
    if not files:
        raise InvalidInput("no file was sent", field="file")
    if ticket.status == Status.CLOSED:
        raise InvalidTransition(f"{ticket.number} is closed", field="status")
    public = public or actor.is_customer
    event = write_event(
        ticket, EventKind.ATTACHMENT, actor, public=public, data={"files": [f.name for f in files]}
    )
    saved = store_attachments(actor, ticket, event, files, public=public)
    touch(ticket)
    return saved


@transaction.atomic
def set_watchers(
    *,
    actor: User,
    ticket: Ticket,
    watchers: Sequence[User],
    expected_version: int | None = None,
) -> TicketEvent | None:
    """Replace the ticket's watchers (stakeholders who follow it). Customers among them must be
    contacts of the ticket's organisation, and agents added must serve it (one who already
    watches may stay after their clients changed, so an unrelated edit does not fail)."""
    lock(ticket)
    require_agent(actor, "change watchers")
    require_visible(actor, ticket)
    check_version(actor=actor, ticket=ticket, expected=expected_version)
    before = {u.pk: u for u in ticket.watchers.all()}
    after = {u.pk: u for u in watchers}
    _check_watchers((u for pk, u in after.items() if pk not in before), ticket.organization)
    if before.keys() == after.keys():
        return None
    ticket.watchers.set(watchers)
    event = write_event(
        ticket,
        EventKind.WATCHERS,
        actor,
        data={
            "added": [after[k].get_full_name() for k in after.keys() - before.keys()],
            "removed": [before[k].get_full_name() for k in before.keys() - after.keys()],
            # by id too: someone an agent removed no longer joins the ticket by mail
            # (deskside.mail.conversation.in_conversation)
            "added_ids": sorted(after.keys() - before.keys()),
            "removed_ids": sorted(before.keys() - after.keys()),
        },
    )
    touch(ticket)
    return event

"""Edits and links: a ticket's descriptive fields and merging one ticket into another."""

from enum import Enum
from typing import Any

from django.db import transaction

from deskside.accounts.models import Site, User
from deskside.core import clock
from deskside.tickets import deadlines
from deskside.tickets.exceptions import InvalidInput, InvalidTransition
from deskside.tickets.models import (
    EventKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
)
from deskside.tickets.rules import (
    lock,
    parse_priority,
    require_agent,
    require_choice,
    require_no_cycle,
    require_text,
    require_visible,
)
from deskside.tickets.services.intake import MAX_SUBJECT
from deskside.tickets.services.versions import check_version
from deskside.tickets.timeline import changed, reindex, touch, write_event

EDITABLE = ("subject", "description", "type", "priority", "site", "parent")


class Unset(Enum):
    """The default of a field an edit leaves alone (None is a value: it clears a site or a
    parent)."""

    UNSET = "unset"


UNSET = Unset.UNSET


@transaction.atomic
def update_ticket(
    *,
    actor: User,
    ticket: Ticket,
    subject: str | Unset = UNSET,
    description: str | Unset = UNSET,
    type: str | Unset = UNSET,
    priority: int | str | Unset = UNSET,
    site: Site | None | Unset = UNSET,
    parent: Ticket | None | Unset = UNSET,
    expected_version: int | None = None,
) -> TicketEvent | None:
    """Change descriptive fields, only those given (None clears a site or a parent).

    A parent is another ticket of the same client and never the ticket's own descendant, so
    parent links stay a tree.

    Writes one `changed` event listing each field's old and new value; returns None when
    nothing actually changed.
    """
    given = zip(EDITABLE, (subject, description, type, priority, site, parent), strict=True)
    changes: dict[str, Any] = {field: value for field, value in given if value is not UNSET}
    lock(ticket)
    require_agent(actor, "edit tickets")
    require_visible(actor, ticket)
    check_version(actor=actor, ticket=ticket, expected=expected_version)
    if ticket.status == Status.CLOSED:
        raise InvalidTransition(f"{ticket.number} is closed", field="status")
    diff: dict[str, list[Any]] = {}
    values: dict[str, dict[str, Any]] = {}  # raw old and new values, for the hook's handlers
    new: dict[str, Any] = {}
    for field, value in changes.items():
        if field == "subject":
            value = require_text(value, "subject", "a subject")
            if len(value) > MAX_SUBJECT:
                raise InvalidInput(
                    f"the subject is longer than {MAX_SUBJECT} characters", field="subject"
                )
        elif field == "type":
            require_choice(value, TicketType, "type")
        elif field == "priority":
            value = parse_priority(value)
        elif (
            field == "site"
            and value is not None
            and value.organization_id != ticket.organization_id
        ):
            raise InvalidInput(f"{value.name} is not a site of {ticket.organization}", field="site")
        elif (
            field == "parent"
            and value is not None
            and (value.pk == ticket.pk or value.organization_id != ticket.organization_id)
        ):
            raise InvalidInput(
                "the parent must be another ticket of the same client", field="parent"
            )
        elif field == "parent":
            require_no_cycle(ticket, value)
        old = getattr(ticket, field)
        if old != value:
            diff[field] = [_show(field, old), _show(field, value)]
            values[field] = changed(old, value)
            new[field] = value
    if not diff:
        return None
    # Only now that every field is valid: a refused edit leaves the caller's object untouched.
    for field, value in new.items():
        setattr(ticket, field, value)
    if "priority" in diff:
        deadlines.note(ticket, deadlines.engine().retargeted(ticket))
    event = write_event(ticket, EventKind.CHANGED, actor, data={"changes": diff, "values": values})
    touch(ticket, *diff)
    if {"subject", "description"} & diff.keys():
        reindex(ticket)
    return event


def _show(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field == "priority":
        return Priority(value).label
    if field == "parent":
        return value.number
    if field == "site":
        return value.name
    return value


@transaction.atomic
def merge_tickets(
    *, actor: User, source: Ticket, target: Ticket, expected_version: int | None = None
) -> TicketEvent:
    """Merge `source` into `target`: the source is closed and points to its survivor, keeps its
    whole timeline, and its requester and watchers start watching the target."""
    for row in sorted((source, target), key=lambda t: t.pk):  # one order: no deadlock
        lock(row)
    require_agent(actor, "merge tickets")
    require_visible(actor, source)
    require_visible(actor, target)
    check_version(actor=actor, ticket=source, expected=expected_version)
    if source.pk == target.pk:
        raise InvalidInput("a ticket cannot be merged into itself", field="target")
    if source.organization_id != target.organization_id:
        raise InvalidInput("tickets of different clients cannot be merged", field="target")
    if source.merged_into_id is not None or source.status == Status.CLOSED:
        raise InvalidTransition(f"{source.number} is already closed", field="source")
    if target.status == Status.CLOSED:
        raise InvalidTransition(f"{target.number} is closed", field="target")
    old = source.status
    source.status = Status.CLOSED
    source.closed_at = clock.now()
    source.merged_into = target
    deadlines.note(source, deadlines.engine().status_changed(source, old, actor))
    event = write_event(
        source,
        EventKind.MERGED,
        actor,
        public=True,
        body=f"Merged into {target.number}",
        data={"into": target.number, "from": old},
    )
    touch(source, "status", "closed_at", "merged_into")
    stakeholders = {source.requester, *source.watchers.all()} - {target.requester}
    target.watchers.add(*stakeholders)
    write_event(
        target,
        EventKind.MERGED_IN,
        actor,
        public=True,
        body=f"{source.number} was merged into this ticket",
        data={"from": source.number},
    )
    touch(target)
    return event

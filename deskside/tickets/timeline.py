"""Writing a ticket's timeline and what hangs off it: the append-only events, the ticket's
`updated_at`, its search text and its stored files. Used by `tickets.services` inside the
services' transactions; nothing here opens a transaction of its own.

Also the hook other apps react with (`on_event`, `events_written`, `Happened`: see
`deskside.tickets.hooks`): `write_event` calls the registered handlers after creating the row,
in the same transaction, and every bulk path that writes events calls `events_written`."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from deskside.accounts.models import User
from deskside.core import clock
from deskside.core.files import removed_on_error
from deskside.tickets import deadlines
from deskside.tickets.exceptions import InvalidInput, StorageUnavailable
from deskside.tickets.hooks import ALL, Happened, changed, event_written, events_written, on_event
from deskside.tickets.models import Attachment, EventKind, Ticket, TicketEvent, TicketSearch


def write_event(
    ticket: Ticket,
    kind: str,
    actor: User | None,
    *,
    public: bool = False,
    body: str = "",
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """Append an event to the ticket's timeline and call the handlers registered for its kind
    (`on_event`), in the caller's transaction: a handler that raises rolls the event back."""
    event = TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        is_public=public,
        body=body,
        data=data or {},
        created_at=clock.now(),
    )
    event_written(event)
    return event


__all__ = [
    "ALL",
    "Happened",
    "changed",
    "events_written",
    "on_event",
    "reindex",
    "store_attachments",
    "touch",
    "write_event",
]


def touch(ticket: Ticket, *fields: str) -> None:
    """Save `fields`, the SLA fields the clock changed (deadlines.note), `sla_due` (which
    follows the clocks and the status) and `updated_at`."""
    ticket.updated_at = clock.now()
    deadlines.keep_earliest_due(ticket)
    pending = ticket.__dict__.pop(deadlines.PENDING, set())
    ticket.save(update_fields=sorted({*fields, *pending, "sla_due", "updated_at"}))


PUBLIC_TEXT_KINDS = (EventKind.REPLY, EventKind.RESOLVED)
INTERNAL_TEXT_KINDS = (EventKind.NOTE, EventKind.CALL, EventKind.ESCALATED)


def reindex(ticket: Ticket) -> None:
    """Rewrite the ticket's search text from its subject, description and timeline."""
    public = [ticket.subject, ticket.description]
    internal: list[str] = []
    for kind, is_public, body in ticket.events.filter(
        kind__in=PUBLIC_TEXT_KINDS + INTERNAL_TEXT_KINDS
    ).values_list("kind", "is_public", "body"):
        (public if is_public and kind in PUBLIC_TEXT_KINDS else internal).append(body)
    texts = {
        "public_text": "\n".join(filter(None, public)),
        "internal_text": "\n".join(filter(None, internal)),
    }
    # One UPDATE (every ticket has its row from creation); update_or_create would add a
    # savepoint and a SELECT ... FOR UPDATE to every reply, note and status change.
    if not TicketSearch.objects.filter(ticket=ticket).update(**texts):
        TicketSearch.objects.create(ticket=ticket, **texts)


def store_attachments(
    actor: User,
    ticket: Ticket,
    event: TicketEvent,
    files: Iterable[UploadedFile],
    *,
    public: bool,
) -> list[Attachment]:
    """Store `files` on `event`. Raises InvalidInput for a file over the size limit and
    StorageUnavailable when a file cannot be written (a full disk); either way no file of this
    call is left on disk, and the caller's transaction rolls back the rows."""
    limit = settings.DESKSIDE_MAX_ATTACHMENT_BYTES
    files = list(files)
    # Check every size before storing any file: a refused upload must leave no file behind.
    for upload in files:
        if upload.size > limit:
            raise InvalidInput(
                f"{upload.name} is {upload.size / 2**20:.1f} MB; the limit is "
                f"{limit / 2**20:.0f} MB",
                field="attachments",
            )
    try:
        # On a failure the caller's transaction rolls back the rows: the files written so far
        # go with them (each file is whole or absent already: deskside.core.files).
        with removed_on_error():
            return [_store(actor, ticket, event, upload, public=public) for upload in files]
    except OSError as exc:
        raise StorageUnavailable.of(exc, field="attachments") from exc


def _store(
    actor: User, ticket: Ticket, event: TicketEvent, upload: UploadedFile, *, public: bool
) -> Attachment:
    name = (upload.name or "attachment").replace("/", "_").replace("\\", "_")[-255:]
    attachment = Attachment(
        ticket=ticket,
        event=event,
        filename=name,
        size=upload.size,
        is_public=public,
        content_type=(getattr(upload, "content_type", None) or "application/octet-stream")[:100],
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment

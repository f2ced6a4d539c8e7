"""The steps of a running work order: tick and untick an item (with its evidence), sign QC,
record the confirmation with the user, cancel. Agents who serve the client only; each step is
one transaction that locks the ticket, changes the work order and writes a ticket timeline
event (`EventKind.WORK_ORDER`, `data["action"]` = ticked, unticked, qc_signed, confirmed,
cancelled) in the same transaction.

Rules every step checks:
- the ticket must be open: a resolved or closed ticket refuses changes to its work order
  (reopen it first), and a cancelled work order refuses everything;
- evidence: a "note" item needs a non-empty note; a "photo" item an uploaded image
  (`image/*` whose first bytes are a PNG, JPEG, WebP, GIF or HEIC: `image_type`); a "file"
  item any uploaded file. The file is stored as an internal attachment
  on the ticket (`tickets.timeline.store_attachments`, on the step's own event), so the
  ticket's attachment rules (size limit, download checks) apply;
- the second pair of eyes (a version with `second_pair_of_eyes`): an *installer* is anyone who
  ever ticked a checklist (work) item of this work order, as the ticket's timeline records it
  (unticking does not make someone less of an installer). An installer may neither tick a QC
  item nor sign QC; and someone who ticked a QC item or signed QC may not then tick a work item
  (that would make the checker an installer after the fact);
- QC is signed once every required QC item is done. Changing any item after the sign-off
  withdraws it (the event says so): QC must be signed again over the changed checklist.
"""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from deskside.accounts.models import User
from deskside.core import clock
from deskside.tickets.models import EventKind, TicketEvent
from deskside.tickets.rules import lock, require_visible
from deskside.tickets.timeline import store_attachments, touch, write_event
from deskside.workorders.exceptions import InvalidInput, InvalidTransition, SecondPairOfEyes
from deskside.workorders.models import Evidence, Section, WorkOrder, WorkOrderItem
from deskside.workorders.services.orders import require_agent_for

MAX_NOTE = 5000
CONFIRM_HOW = {
    "in_person": "in person",
    "phone": "by phone",
    "email": "by email",
    "remote": "in a remote session",
}


def _open(actor: User, work_order: WorkOrder) -> WorkOrder:
    """Lock the ticket, check the actor, and return the work order read again under the lock."""
    ticket = work_order.ticket
    lock(ticket)
    require_visible(actor, ticket)
    require_agent_for(actor, ticket.organization_id)
    fresh = WorkOrder.objects.select_related("template_version", "ticket").get(pk=work_order.pk)
    fresh.ticket = ticket
    if fresh.cancelled_at is not None:
        raise InvalidTransition("this work order was cancelled", field="work_order")
    if not ticket.is_open:
        raise InvalidTransition(
            f"{ticket.number} is {ticket.get_status_display().lower()}: reopen it to change its "
            "work order",
            field="status",
        )
    return fresh


def installer_ids(work_order: WorkOrder) -> set[int]:
    """Who ticked a checklist (work) item of `work_order`, ever (from the ticket's timeline)."""
    return set(
        TicketEvent.objects.filter(
            ticket_id=work_order.ticket_id,
            kind=EventKind.WORK_ORDER,
            data__action="ticked",
            data__section=Section.WORK,
            actor__isnull=False,
        ).values_list("actor_id", flat=True)
    )


def checker_ids(work_order: WorkOrder) -> set[int]:
    """Who ticked a QC item of `work_order` or signed its QC, ever."""
    qc_ticks = TicketEvent.objects.filter(
        ticket_id=work_order.ticket_id,
        kind=EventKind.WORK_ORDER,
        data__action="ticked",
        data__section=Section.QC,
        actor__isnull=False,
    ).values_list("actor_id", flat=True)
    signed = TicketEvent.objects.filter(
        ticket_id=work_order.ticket_id,
        kind=EventKind.WORK_ORDER,
        data__action="qc_signed",
        actor__isnull=False,
    ).values_list("actor_id", flat=True)
    return set(qc_ticks) | set(signed)


def _item(work_order: WorkOrder, item: WorkOrderItem | int) -> WorkOrderItem:
    pk = item.pk if isinstance(item, WorkOrderItem) else item
    found = (
        WorkOrderItem.objects.select_for_update().filter(work_order=work_order, pk=pk).first()
        if pk
        else None
    )
    if found is None:
        raise InvalidInput("no such item on this work order", field="item")
    return found


def _withdraw_sign_off(work_order: WorkOrder) -> bool:
    if work_order.qc_signed_at is None:
        return False
    work_order.qc_signed_at = None
    work_order.qc_signed_by = None
    return True


def _check_evidence(item: WorkOrderItem, note: str, file: UploadedFile | None) -> None:
    if item.evidence == Evidence.NOTE and not note:
        raise InvalidInput(f"{item.text!r} needs a note as evidence", field="note")
    if item.evidence in (Evidence.PHOTO, Evidence.FILE) and file is None:
        what = "a photo" if item.evidence == Evidence.PHOTO else "a file"
        raise InvalidInput(f"{item.text!r} needs {what} as evidence", field="file")
    if item.evidence == Evidence.PHOTO and file is not None:
        content_type = (getattr(file, "content_type", "") or "").lower()
        if not content_type.startswith("image/") or image_type(_head(file)) is None:
            raise InvalidInput(
                f"{item.text!r} needs a photo: {file.name} is not an image "
                "(PNG, JPEG, WebP, GIF or HEIC)",
                field="file",
            )


IMAGE_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
)
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")


def image_type(head: bytes) -> str | None:
    """The image type of a file from its first bytes (as `assets.services.disposal`'s
    `certificate_type` does for certificates), None when it is no photo we accept: the
    content type a browser sends is the client's word, the bytes are the file's."""
    for magic, offset, content_type in IMAGE_SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return content_type
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "image/heic"
    return None


def _head(file: UploadedFile, size: int = 16) -> bytes:
    """The first `size` bytes of `file`, left rewound for whoever stores it."""
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head if isinstance(head, bytes) else head.encode()


def _check_second_pair(actor: User, work_order: WorkOrder, section: str) -> None:
    if not work_order.template_version.second_pair_of_eyes:
        return
    if section == Section.QC and actor.pk in installer_ids(work_order):
        raise SecondPairOfEyes(
            "this work order needs a second pair of eyes: you ticked checklist items, so "
            "someone else ticks the QC items",
            field="item",
        )
    if section == Section.WORK and actor.pk in checker_ids(work_order):
        raise SecondPairOfEyes(
            "this work order needs a second pair of eyes: you checked its QC, so someone else "
            "does the checklist",
            field="item",
        )


@transaction.atomic
def tick_item(
    actor: User,
    work_order: WorkOrder,
    *,
    item: WorkOrderItem | int,
    note: str = "",
    file: UploadedFile | None = None,
) -> WorkOrderItem:
    """Mark `item` done by `actor`, with its evidence (see the module's rules). Ticking an
    item that is done already replaces its note and evidence (and who and when)."""
    work_order = _open(actor, work_order)
    row = _item(work_order, item)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"the note is at most {MAX_NOTE} characters", field="note")
    _check_evidence(row, note, file)
    _check_second_pair(actor, work_order, row.section)
    now = clock.now()
    withdrawn = _withdraw_sign_off(work_order)
    event = write_event(
        work_order.ticket,
        EventKind.WORK_ORDER,
        actor,
        body=f"Ticked: {row.text}" + (f"\n{note}" if note else ""),
        data={
            "action": "ticked",
            "work_order": work_order.public_id,
            "item": row.pk,
            "section": row.section,
            "text": row.text,
            "evidence": row.evidence,
            "qc_withdrawn": withdrawn,
        },
    )
    attachment = None
    if file is not None:
        (attachment,) = store_attachments(actor, work_order.ticket, event, [file], public=False)
    row.done_by, row.done_at, row.note = actor, now, note
    row.attachment = attachment or (row.attachment if row.evidence == Evidence.NONE else None)
    row.save(update_fields=["done_by", "done_at", "note", "attachment"])
    work_order.updated_at = now
    work_order.save(update_fields=["qc_signed_at", "qc_signed_by", "updated_at"])
    touch(work_order.ticket)
    return row


@transaction.atomic
def untick_item(actor: User, work_order: WorkOrder, *, item: WorkOrderItem | int) -> WorkOrderItem:
    """Mark `item` not done (its note and evidence link are cleared; the file stays on the
    ticket's timeline). Withdraws a QC sign-off."""
    work_order = _open(actor, work_order)
    row = _item(work_order, item)
    if row.done_at is None:
        raise InvalidTransition(f"{row.text!r} is not ticked", field="item")
    withdrawn = _withdraw_sign_off(work_order)
    write_event(
        work_order.ticket,
        EventKind.WORK_ORDER,
        actor,
        body=f"Unticked: {row.text}",
        data={
            "action": "unticked",
            "work_order": work_order.public_id,
            "item": row.pk,
            "section": row.section,
            "text": row.text,
            "qc_withdrawn": withdrawn,
        },
    )
    row.done_by, row.done_at, row.note, row.attachment = None, None, "", None
    row.save(update_fields=["done_by", "done_at", "note", "attachment"])
    work_order.updated_at = clock.now()
    work_order.save(update_fields=["qc_signed_at", "qc_signed_by", "updated_at"])
    touch(work_order.ticket)
    return row


@transaction.atomic
def sign_qc(actor: User, work_order: WorkOrder, *, note: str = "") -> WorkOrder:
    """Sign the QC: every required QC item must be done; on a second-pair-of-eyes version the
    signer must not be an installer (see the module's rules)."""
    work_order = _open(actor, work_order)
    if work_order.qc_signed_at is not None:
        raise InvalidTransition("QC is signed already", field="qc")
    left = work_order.items.filter(section=Section.QC, required=True, done_at__isnull=True)
    if left.exists():
        count = left.count()
        raise InvalidTransition(
            f"{count} required QC item{'s are' if count > 1 else ' is'} not done yet", field="qc"
        )
    if work_order.template_version.second_pair_of_eyes and actor.pk in installer_ids(work_order):
        raise SecondPairOfEyes(
            "this work order needs a second pair of eyes: you ticked checklist items, so "
            "someone else signs QC",
            field="qc",
        )
    note = (note or "").strip()[:MAX_NOTE]
    now = clock.now()
    work_order.qc_signed_by, work_order.qc_signed_at, work_order.updated_at = actor, now, now
    work_order.save(update_fields=["qc_signed_by", "qc_signed_at", "updated_at"])
    write_event(
        work_order.ticket,
        EventKind.WORK_ORDER,
        actor,
        body="QC signed" + (f": {note}" if note else ""),
        data={"action": "qc_signed", "work_order": work_order.public_id},
    )
    touch(work_order.ticket)
    return work_order


@transaction.atomic
def confirm_with_user(
    actor: User, work_order: WorkOrder, *, who: str, how: str, note: str = ""
) -> WorkOrder:
    """Record that the result was confirmed with the user: `who` (the person's name), `how`
    (one of CONFIRM_HOW), and what they said. Recording it again replaces the earlier one."""
    work_order = _open(actor, work_order)
    who, note = (who or "").strip(), (note or "").strip()
    if not who:
        raise InvalidInput("say who confirmed the result", field="who")
    if len(who) > 200:
        raise InvalidInput("the name is at most 200 characters", field="who")
    if how not in CONFIRM_HOW:
        raise InvalidInput(f"how must be one of {', '.join(CONFIRM_HOW)}", field="how")
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"the note is at most {MAX_NOTE} characters", field="note")
    now = clock.now()
    work_order.confirmed_by, work_order.confirmed_at, work_order.updated_at = actor, now, now
    work_order.confirmation_note = f"{who}, {CONFIRM_HOW[how]}" + (f": {note}" if note else "")
    work_order.save(
        update_fields=["confirmed_by", "confirmed_at", "confirmation_note", "updated_at"]
    )
    write_event(
        work_order.ticket,
        EventKind.WORK_ORDER,
        actor,
        body=f"Confirmed with the user: {work_order.confirmation_note}",
        data={"action": "confirmed", "work_order": work_order.public_id, "who": who, "how": how},
    )
    touch(work_order.ticket)
    return work_order


@transaction.atomic
def cancel_work_order(actor: User, work_order: WorkOrder, *, reason: str) -> WorkOrder:
    """Call the work order off with a reason: the QC gate then lets its ticket be closed (or
    resolved) as any other ticket; nothing on it can change afterwards."""
    work_order = _open(actor, work_order)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("say why the work order is cancelled", field="reason")
    if len(reason) > MAX_NOTE:
        raise InvalidInput(f"the reason is at most {MAX_NOTE} characters", field="reason")
    now = clock.now()
    work_order.cancelled_by, work_order.cancelled_at = actor, now
    work_order.cancel_reason, work_order.updated_at = reason, now
    work_order.save(update_fields=["cancelled_by", "cancelled_at", "cancel_reason", "updated_at"])
    write_event(
        work_order.ticket,
        EventKind.WORK_ORDER,
        actor,
        body=f"Work order cancelled: {reason}",
        data={"action": "cancelled", "work_order": work_order.public_id},
    )
    touch(work_order.ticket)
    return work_order

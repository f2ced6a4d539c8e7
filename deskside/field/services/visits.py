"""A visit's day: set out, arrive (check in), tick the checklist, record parts, the customer's
sign-off on the technician's phone, and check out as done, no access or needs another visit.

    scheduled -> en route -> on site -> done | no access | needs another visit
    scheduled | en route -> no access (nobody opened the door)
    unscheduled | scheduled -> cancelled

Each step is one transaction and writes the ticket's timeline (`visit` events). The check-out
is public: the customer reads the work summary on their ticket. The technicians on the visit
and the agents who dispatch for the client may act on it; nobody else.
"""

import base64
import binascii
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from deskside.accounts.models import User
from deskside.accounts.queries import serves
from deskside.core import clock
from deskside.field.exceptions import InvalidInput, InvalidTransition, NotAllowed
from deskside.field.models import (
    FINAL_STATUSES,
    Visit,
    VisitChecklistItem,
    VisitPart,
    VisitStatus,
)
from deskside.field.services.scheduling import visit_event
from deskside.tickets.models import EventKind
from deskside.tickets.timeline import store_attachments, write_event

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 512 * 1024
OUTCOMES = (VisitStatus.DONE, VisitStatus.NO_ACCESS, VisitStatus.NEEDS_ANOTHER)
DATA_URL_PREFIX = "data:image/png;base64,"  # what field/signature.js writes
# A base64 text is 4/3 of its bytes; more than that cannot be a signature the service accepts.
MAX_DATA_URL_CHARS = len(DATA_URL_PREFIX) + (MAX_SIGNATURE_BYTES * 4) // 3 + 4


def signature_png(value: str | None, *, bare_base64: bool = False) -> bytes:
    """The bytes of a drawn signature sent as a PNG data URL (the pages' canvas) or, with
    `bare_base64` (the API), as plain base64 too. InvalidInput (field `signature`) when it is
    neither; whether the bytes are a PNG is `record_signature`'s check. The one decoder of the
    sign-off page, the day page and the API."""
    value = (value or "").strip()
    if not value:
        raise InvalidInput("draw the signature", field="signature")
    if len(value) > MAX_DATA_URL_CHARS:
        raise InvalidInput("the signature image is too large", field="signature")
    if value.startswith("data:"):
        head, _, value = value.partition(",")
        if head + "," != DATA_URL_PREFIX:
            raise InvalidInput("the signature is not a PNG image", field="signature")
    elif not bare_base64:
        raise InvalidInput("the signature is not a PNG image", field="signature")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(
            "the signature could not be read: draw it again", field="signature"
        ) from None


def may_work_on(actor: User, visit: Visit) -> bool:
    """The visit's technicians, and agents who serve the client (the dispatchers)."""
    if not actor.is_authenticated or not actor.is_active or not actor.is_agent:
        return False
    if actor.pk in (visit.technician_id, visit.second_technician_id):
        return True
    return serves(actor, visit.organization_id)


def _locked(actor: User, visit: Visit) -> Visit:
    visit = (
        # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer join
        # that the (optional) technician adds; only the visit's row is to be locked.
        Visit.objects.select_for_update(of=("self",))
        .select_related("ticket", "site", "organization", "technician")
        .get(pk=visit.pk)
    )
    if not may_work_on(actor, visit):
        raise NotAllowed("you are not on this visit and do not serve this client")
    return visit


def _move(visit: Visit, status: str, **stamps) -> None:
    visit.status = status
    for name, value in stamps.items():
        setattr(visit, name, value)
    visit.updated_at = clock.now()
    visit.save()


@transaction.atomic
def set_out(actor: User, visit: Visit) -> Visit:
    """The technician is on the way (scheduled -> en route)."""
    visit = _locked(actor, visit)
    if visit.status != VisitStatus.SCHEDULED:
        raise InvalidTransition(f"the visit is {visit.get_status_display().lower()}, not scheduled")
    now = clock.now()
    _move(visit, VisitStatus.EN_ROUTE, en_route_at=now)
    visit_event(visit, actor, "en_route", f"{actor} is on the way to {visit.site.name}")
    return visit


@transaction.atomic
def check_in(actor: User, visit: Visit) -> Visit:
    """Arrived on site (scheduled or en route -> on site): the check-in time."""
    visit = _locked(actor, visit)
    if visit.status not in (VisitStatus.SCHEDULED, VisitStatus.EN_ROUTE):
        raise InvalidTransition(f"the visit is {visit.get_status_display().lower()}")
    now = clock.now()
    _move(visit, VisitStatus.ON_SITE, checked_in_at=now)
    visit_event(
        visit, actor, "on_site", f"{actor} arrived at {visit.site.name}", at=now.isoformat()
    )
    return visit


@transaction.atomic
def add_checklist_item(actor: User, visit: Visit, text: str, *, required: bool = True):
    visit = _locked(actor, visit)
    text = (text or "").strip()
    if not text:
        raise InvalidInput("say what is to be done", field="text")
    if len(text) > 300:
        raise InvalidInput("at most 300 characters", field="text")
    if visit.is_final:
        raise InvalidTransition("the visit is over")
    position = visit.checklist.count()
    return VisitChecklistItem.objects.create(
        visit=visit, position=position, text=text, required=required
    )


@transaction.atomic
def tick(actor: User, item: VisitChecklistItem, *, done: bool = True) -> VisitChecklistItem:
    """Mark a checklist item done (or not) while the technician is on site."""
    visit = _locked(actor, item.visit)
    if visit.status != VisitStatus.ON_SITE:
        raise InvalidTransition("tick the checklist on site (check in first)")
    item = VisitChecklistItem.objects.select_for_update().get(pk=item.pk, visit=visit)
    item.done_at = clock.now() if done else None
    item.done_by = actor if done else None
    item.save(update_fields=["done_at", "done_by"])
    return item


@transaction.atomic
def add_part(
    actor: User,
    visit: Visit,
    description: str,
    *,
    part_number: str = "",
    serial: str = "",
    quantity: int = 1,
) -> VisitPart:
    visit = _locked(actor, visit)
    if visit.status not in (VisitStatus.ON_SITE, VisitStatus.EN_ROUTE):
        raise InvalidTransition("parts are recorded on site")
    description = (description or "").strip()
    if not description:
        raise InvalidInput("name the part", field="description")
    if not 1 <= quantity <= 999:
        raise InvalidInput("the quantity is 1 to 999", field="quantity")
    part = VisitPart.objects.create(
        visit=visit,
        description=description[:200],
        part_number=(part_number or "").strip()[:100],
        serial=(serial or "").strip()[:100],
        quantity=quantity,
        added_by=actor,
    )
    visit_event(
        visit, actor, "part", f"Part used: {quantity} x {part.description}", part=part.description
    )
    return part


def _check_signature(name: str, png: bytes) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("type the customer's name", field="name")
    if len(name) > 200:
        raise InvalidInput("at most 200 characters", field="name")
    if not png.startswith(PNG_MAGIC):
        raise InvalidInput("the signature is not a PNG image", field="signature")
    if len(png) > MAX_SIGNATURE_BYTES:
        raise InvalidInput("the signature image is too large", field="signature")
    return name


def record_signature(actor: User | None, visit: Visit, name: str, png: bytes, *, via: str):
    """Store the drawn signature as an (internal) attachment of the ticket and the typed name
    on the visit. In the caller's transaction, on a locked visit."""
    name = _check_signature(name, png)
    if visit.signed_at is not None:
        raise InvalidTransition("the visit is signed already")
    event = write_event(
        visit.ticket,
        EventKind.VISIT,
        actor,
        body=f"Signed off by {name}" + (" (mailed link)" if via == "link" else ""),
        data={"visit": visit.public_id, "action": "signed", "name": name, "via": via},
    )
    upload = SimpleUploadedFile(f"signature-{visit.public_id}.png", png, "image/png")
    [attachment] = store_attachments(actor, visit.ticket, event, [upload], public=False)
    visit.signed_name = name
    visit.signature = attachment
    visit.signed_at = clock.now()
    visit.signed_via = via
    visit.updated_at = visit.signed_at
    visit.save()
    return visit


@transaction.atomic
def sign_on_phone(actor: User, visit: Visit, name: str, png: bytes) -> Visit:
    """The customer signs on the technician's phone: a typed name and a drawn signature (PNG)."""
    visit = _locked(actor, visit)
    if visit.status not in (VisitStatus.ON_SITE, VisitStatus.DONE):
        raise InvalidTransition("the customer signs on site or once the visit is done")
    return record_signature(actor, visit, name, png, via="phone")


@transaction.atomic
def check_out(
    actor: User,
    visit: Visit,
    outcome: str,
    *,
    summary: str = "",
    note: str = "",
) -> Visit:
    """Leave the site: done (every required checklist item ticked, a work summary), no access
    (a note why), or needs another visit (what is left; an unscheduled follow-up visit is made
    at the same site with the same skills). The summary is public on the ticket's timeline."""
    visit = _locked(actor, visit)
    if outcome not in OUTCOMES:
        raise InvalidInput("the outcome is done, no_access or needs_another", field="outcome")
    summary, note = (summary or "").strip(), (note or "").strip()
    if visit.status in FINAL_STATUSES:
        raise InvalidTransition(f"the visit is {visit.get_status_display().lower()} already")
    if outcome == VisitStatus.NO_ACCESS:
        if visit.status not in (VisitStatus.SCHEDULED, VisitStatus.EN_ROUTE, VisitStatus.ON_SITE):
            raise InvalidTransition("only a scheduled visit can find no access")
        if not note:
            raise InvalidInput("say why there was no access", field="note")
    else:
        if visit.status != VisitStatus.ON_SITE:
            raise InvalidTransition("check in on site before checking out")
        if not summary:
            raise InvalidInput("write what was done", field="summary")
    if outcome == VisitStatus.DONE:
        open_items = visit.checklist.filter(required=True, done_at__isnull=True)
        if open_items.exists():
            left = ", ".join(open_items.values_list("text", flat=True)[:3])
            raise InvalidInput(f"required checklist items are open: {left}", field="checklist")
    if outcome == VisitStatus.NEEDS_ANOTHER and not note:
        raise InvalidInput("say what the next visit is to do", field="note")
    now = clock.now()
    visit.work_summary = summary
    visit.outcome_note = note
    _move(visit, outcome, checked_out_at=now)
    label = VisitStatus(outcome).label
    body = f"Visit at {visit.site.name}: {label.lower()}."
    if summary:
        body += f"\n\n{summary}"
    if note:
        body += f"\n\n{note}"
    write_event(
        visit.ticket,
        EventKind.VISIT,
        actor,
        public=True,
        body=body,
        data={"visit": visit.public_id, "action": "checked_out", "outcome": outcome},
    )
    if outcome == VisitStatus.NEEDS_ANOTHER:
        visit.follow_up = _follow_up(actor, visit, note)
        visit.save(update_fields=["follow_up"])
    return visit


def _follow_up(actor: User, visit: Visit, note: str) -> Visit:
    """An unscheduled visit at the same site with the same skills and duration, for the next
    seven days (the dispatcher narrows the window with the customer)."""
    now = clock.now()
    follow = Visit.objects.create(
        ticket=visit.ticket,
        organization_id=visit.organization_id,
        site=visit.site,
        window_start=now,
        window_end=now + timedelta(days=7),
        duration_minutes=visit.duration_minutes,
        instructions=note,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    follow.required_skills.set(visit.required_skills.all())
    visit_event(follow, actor, "created", "Follow-up visit requested", follow_up_of=visit.public_id)
    return follow


@transaction.atomic
def cancel(actor: User, visit: Visit, reason: str) -> Visit:
    """Call off a visit that has not started (the customer fixed it, the ticket was resolved)."""
    visit = _locked(actor, visit)
    if visit.status not in (VisitStatus.UNSCHEDULED, VisitStatus.SCHEDULED):
        raise InvalidTransition("only a visit that has not started can be cancelled")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("say why the visit is cancelled", field="reason")
    visit.outcome_note = reason
    _move(visit, VisitStatus.CANCELLED)
    visit_event(visit, actor, "cancelled", f"Visit cancelled: {reason}")
    return visit

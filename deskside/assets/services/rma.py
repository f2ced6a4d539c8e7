"""Vendor RMAs: a case with a manufacturer or vendor recorded on a ticket (usually one pending
a vendor), its entries (shipped to the vendor, received from them, a vendor contact, a note),
and closing it.

Each step writes an internal ticket event (EventKind.VENDOR, `data["action"]`: opened, entry,
closed; the worker's reminder writes "quiet") and, when the case names an asset, an AssetEvent
RMA on the asset's timeline, in the same transaction.

The quiet-case deadline: `last_contact_at` is the latest of the case's opening and its
entries' `happened_at` (an entry recorded late with an earlier date does not move it back),
and `remind_at = last_contact_at + quiet_days`. Any entry moves it, so a case the desk keeps
talking about is never reminded; the worker (`assets.worker.rma_pass`) claims a due one once
and clears `remind_at` until the next entry. Closing clears it for good.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from deskside.accounts.models import User
from deskside.accounts.permissions import is_agent
from deskside.accounts.queries import serves
from deskside.assets.exceptions import Disposed, InvalidInput, InvalidTransition, NotAllowed
from deskside.assets.models import (
    Asset,
    AssetEvent,
    AssetEventKind,
    Lifecycle,
    VendorCase,
    VendorCaseEntry,
    VendorCaseStatus,
    VendorEntryKind,
)
from deskside.core import clock
from deskside.tickets.models import EventKind, Status, Ticket, TicketEvent
from deskside.tickets.rules import lock
from deskside.tickets.timeline import touch, write_event

MAX_QUIET_DAYS = 365
FUTURE_SLACK = timedelta(minutes=5)  # a clock a little ahead on the agent's machine
WHAT_MAX = 4000


def _require_agent(actor: User, organization_id: int) -> None:
    if not is_agent(actor):
        raise NotAllowed("only agents record vendor cases")
    if not serves(actor, organization_id):
        raise NotAllowed("you do not serve this client")


def _text(value: str | None, field: str, size: int, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"the {field.replace('_', ' ')} is required", field=field)
    if len(text) > size:
        raise InvalidInput(f"the {field.replace('_', ' ')} is at most {size} characters", field)
    return text


def _event(case: VendorCase, actor: User | None, action: str, body: str, **data) -> TicketEvent:
    """The case's step on the ticket's timeline (internal) and on its asset's."""
    event = write_event(
        case.ticket,
        EventKind.VENDOR,
        actor,
        public=False,
        body=body,
        data={
            "action": action,
            "case": case.public_id,
            "vendor": case.vendor,
            "case_number": case.case_number,
            "asset": case.asset.public_id if case.asset_id else None,
            **data,
        },
    )
    if case.asset_id:
        AssetEvent.objects.create(
            asset_id=case.asset_id,
            kind=AssetEventKind.RMA,
            actor=actor,
            created_at=clock.now(),
            body=f"{body} ({case.ticket.number})",
            data={"action": action, "case": case.public_id, "ticket": case.ticket.number, **data},
        )
    return event


def remind_at(case: VendorCase) -> datetime:
    return case.last_contact_at + timedelta(days=case.quiet_days)


@transaction.atomic
def open_case(
    *,
    actor: User,
    ticket: Ticket,
    vendor: str,
    case_number: str,
    asset: Asset | None = None,
    quiet_days: int | None = None,
) -> VendorCase:
    """Record a vendor case on `ticket`. The asset, when given, must be the ticket's client's
    and not disposed; `quiet_days` defaults to settings.DESKSIDE_RMA_QUIET_DAYS. One case per
    ticket, vendor and case number (a second: 409 naming `case_number`). A closed ticket
    takes no new case (409); the entries and closing of a case already there go on after
    the ticket closed (the vendor returns the part when they do)."""
    _require_agent(actor, ticket.organization_id)
    lock(ticket)  # a fresh, locked copy: the timeline and `touch` write it
    if ticket.status == Status.CLOSED:
        raise InvalidTransition("the ticket is closed: open a new one", field="ticket")
    vendor = _text(vendor, "vendor", 200, required=True)
    number = _text(case_number, "case_number", 100, required=True)
    days = settings.DESKSIDE_RMA_QUIET_DAYS if quiet_days is None else quiet_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_QUIET_DAYS:
        raise InvalidInput(f"quiet days are 1 to {MAX_QUIET_DAYS}", field="quiet_days")
    if asset is not None:
        if asset.organization_id != ticket.organization_id:
            raise InvalidInput("the asset is not this ticket's client's", field="asset")
        if asset.status == Lifecycle.DISPOSED:
            raise Disposed(f"{asset} is disposed", field="asset")
    if VendorCase.objects.filter(ticket=ticket, vendor=vendor, case_number=number).exists():
        raise InvalidTransition(f"{vendor} case {number} is on this ticket already", "case_number")
    now = clock.now()
    case = VendorCase(
        organization_id=ticket.organization_id,
        ticket=ticket,
        asset=asset,
        vendor=vendor,
        case_number=number,
        quiet_days=days,
        opened_at=now,
        last_contact_at=now,
        created_by=actor,
    )
    case.remind_at = remind_at(case)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:  # a racing twin
        raise InvalidTransition(
            f"{vendor} case {number} is on this ticket already", "case_number"
        ) from None
    where = f" for {asset}" if asset else ""
    _event(case, actor, "opened", f"{vendor} case {number} opened{where}", quiet_days=days)
    touch(ticket)
    return case


def _locked(case: VendorCase) -> VendorCase:
    return (
        VendorCase.objects.select_for_update(of=("self",))
        .select_related("ticket", "asset")
        .get(pk=case.pk)
    )


@transaction.atomic
def add_entry(
    *,
    actor: User,
    case: VendorCase,
    kind: str,
    what: str,
    tracking: str = "",
    happened_at: datetime | None = None,
) -> VendorCaseEntry:
    """Add a step to an open case (409 on a closed one): shipped to / received from the vendor
    (what, tracking number, when), a vendor contact or a note. Moves `last_contact_at` and
    `remind_at` (see the module docstring). `happened_at` defaults to now and may not be in
    the future."""
    row = _locked(case)
    _require_agent(actor, row.organization_id)
    lock(row.ticket)
    if kind not in VendorEntryKind.values:
        raise InvalidInput(f"the kind is one of {', '.join(VendorEntryKind.values)}", "kind")
    text = _text(what, "what", WHAT_MAX, required=True)
    track = _text(tracking, "tracking", 200)
    now = clock.now()
    when = happened_at or now
    if when.tzinfo is None:
        raise InvalidInput("give the time with its time zone", field="happened_at")
    if when > now + FUTURE_SLACK:
        raise InvalidInput("the time is in the future", field="happened_at")
    if when.year < 2000:
        raise InvalidInput("the time is too far in the past", field="happened_at")
    if row.status != VendorCaseStatus.OPEN:
        raise InvalidTransition("this vendor case is closed", field="case")
    entry = VendorCaseEntry.objects.create(
        case=row,
        kind=kind,
        what=text,
        tracking=track,
        happened_at=when,
        recorded_by=actor,
        created_at=now,
    )
    row.last_contact_at = max(row.last_contact_at, when)
    row.remind_at = remind_at(row)
    row.save(update_fields=["last_contact_at", "remind_at"])
    label = VendorEntryKind(kind).label
    body = f"{row.vendor} case {row.case_number}: {label.lower()}: {text}"
    if track:
        body += f" (tracking {track})"
    _event(
        row,
        actor,
        "entry",
        body[:1000],
        kind=kind,
        tracking=track,
        happened_at=when.isoformat(),
    )
    touch(row.ticket)
    case.last_contact_at, case.remind_at = row.last_contact_at, row.remind_at
    return entry


@transaction.atomic
def close_case(*, actor: User, case: VendorCase, note: str = "") -> VendorCase:
    """Close an open case (409 when closed already): no reminder any more."""
    row = _locked(case)
    _require_agent(actor, row.organization_id)
    lock(row.ticket)
    text = _text(note, "note", WHAT_MAX)
    if row.status != VendorCaseStatus.OPEN:
        raise InvalidTransition("this vendor case is closed already", field="case")
    row.status = VendorCaseStatus.CLOSED
    row.closed_at = clock.now()
    row.remind_at = None
    row.save(update_fields=["status", "closed_at", "remind_at"])
    body = f"{row.vendor} case {row.case_number} closed" + (f": {text}" if text else "")
    _event(row, actor, "closed", body[:1000])
    touch(row.ticket)
    return row

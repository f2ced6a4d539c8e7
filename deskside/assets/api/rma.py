"""Vendor RMAs under /api/v1/assets (agents only: a customer's token gets 403):

    GET  /assets/rma/tickets/{number}/cases       the ticket's vendor cases with their entries
    POST /assets/rma/tickets/{number}/cases       record one: {vendor, case_number, asset,
                                                  quiet_days}
    GET  /assets/rma/cases/{public_id}            one case with its entries
    POST /assets/rma/cases/{public_id}/entries    add an entry: {kind: shipped | received |
                                                  contact | note, what, tracking, happened_at}
    POST /assets/rma/cases/{public_id}/close      close it: {note}
    GET  /assets/{public_id}/rma                  an asset's RMA history, newest first

Entries are listed newest first. A ticket, case or asset the caller may not see is a 404; 403
for who may not, 409 for a closed case or a case number already on the ticket, 422 naming
the field for bad input.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from deskside.accounts.models import User
from deskside.accounts.permissions import is_agent
from deskside.accounts.schemas import UserRef
from deskside.assets.exceptions import InvalidInput, NotAllowed
from deskside.assets.models import VendorCase, VendorCaseEntry
from deskside.assets.queries import rma as reads
from deskside.assets.services import rma as svc
from deskside.core.api import Text, get_or_404
from deskside.tickets.queries import ticket_for

router = Router(tags=["assets rma"])
LIST_MAX = 200


class RmaEntryOut(Schema):
    kind: str = Field(description="shipped, received, contact or note.")
    what: str
    tracking: str
    happened_at: datetime
    recorded_by: UserRef | None


class RmaCaseOut(Schema):
    id: str = Field(description="The case's public id.")
    ticket: str
    asset: str | None = Field(description="The asset's public id.")
    vendor: str
    case_number: str
    status: str = Field(description="open or closed.")
    quiet_days: int
    opened_at: datetime
    last_contact_at: datetime
    remind_at: datetime | None = Field(description="When the quiet reminder is due; null: none.")
    reminded_at: datetime | None
    closed_at: datetime | None
    entries: list[RmaEntryOut] = Field(description="Newest first.")


class RmaCaseIn(Schema):
    vendor: Text
    case_number: Text
    asset: Text | None = Field(None, description="An asset of the ticket's client (public id).")
    quiet_days: int | None = Field(
        None, description="Remind after this many quiet days (default: the site's setting)."
    )


class RmaEntryIn(Schema):
    kind: Text
    what: Text
    tracking: Text = ""
    happened_at: datetime | None = Field(None, description="Default: now; never in the future.")


class RmaCloseIn(Schema):
    note: Text = ""


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not is_agent(user):
        raise NotAllowed("only agents read vendor cases")
    return user


def _entry_out(e: VendorCaseEntry) -> dict:
    return {
        "kind": e.kind,
        "what": e.what,
        "tracking": e.tracking,
        "happened_at": e.happened_at,
        "recorded_by": e.recorded_by,
    }


def _case_out(case: VendorCase) -> dict:
    return {
        "id": case.public_id,
        "ticket": case.ticket.number,
        "asset": case.asset.public_id if case.asset_id else None,
        "vendor": case.vendor,
        "case_number": case.case_number,
        "status": case.status,
        "quiet_days": case.quiet_days,
        "opened_at": case.opened_at,
        "last_contact_at": case.last_contact_at,
        "remind_at": case.remind_at,
        "reminded_at": case.reminded_at,
        "closed_at": case.closed_at,
        "entries": [_entry_out(e) for e in case.entries.all()],
    }


def _case(user: User, public_id: str) -> VendorCase:
    return get_or_404(
        reads.cases_visible_to(user).prefetch_related(reads.ENTRIES_NEWEST_FIRST),
        f"no vendor case {public_id!r}",
        public_id=public_id,
    )


@router.get(
    "/rma/tickets/{number}/cases", response=list[RmaCaseOut], summary="A ticket's vendor cases"
)
def ticket_cases(request: HttpRequest, number: Text) -> list[dict]:
    user = _agent(request)
    ticket = ticket_for(user, number)
    return [_case_out(c) for c in reads.ticket_cases(user, ticket)[:LIST_MAX]]


@router.post(
    "/rma/tickets/{number}/cases", response={201: RmaCaseOut}, summary="Record a vendor case"
)
def open_case(request: HttpRequest, number: Text, payload: RmaCaseIn) -> Status[dict]:
    user = _agent(request)
    ticket = ticket_for(user, number)
    asset = None
    if payload.asset:
        asset = reads.asset_by_tag(ticket, payload.asset)
        if asset is None:
            raise InvalidInput(f"no asset {payload.asset!r} at this ticket's client", "asset")
    case = svc.open_case(
        actor=user,
        ticket=ticket,
        vendor=payload.vendor,
        case_number=payload.case_number,
        asset=asset,
        quiet_days=payload.quiet_days,
    )
    return Status(201, _case_out(_case(user, case.public_id)))


@router.get("/rma/cases/{public_id}", response=RmaCaseOut, summary="A vendor case")
def get_case(request: HttpRequest, public_id: Text) -> dict:
    return _case_out(_case(_agent(request), public_id))


@router.post(
    "/rma/cases/{public_id}/entries", response={201: RmaCaseOut}, summary="Add a vendor-case entry"
)
def add_entry(request: HttpRequest, public_id: Text, payload: RmaEntryIn) -> Status[dict]:
    user = _agent(request)
    case = _case(user, public_id)
    svc.add_entry(
        actor=user,
        case=case,
        kind=payload.kind,
        what=payload.what,
        tracking=payload.tracking,
        happened_at=payload.happened_at,
    )
    return Status(201, _case_out(_case(user, public_id)))


@router.post("/rma/cases/{public_id}/close", response=RmaCaseOut, summary="Close a vendor case")
def close_case(request: HttpRequest, public_id: Text, payload: RmaCloseIn) -> dict:
    user = _agent(request)
    svc.close_case(actor=user, case=_case(user, public_id), note=payload.note)
    return _case_out(_case(user, public_id))


@router.get("/{public_id}/rma", response=list[RmaCaseOut], summary="An asset's RMA history")
def asset_history(request: HttpRequest, public_id: Text) -> list[dict]:
    user = _agent(request)
    asset = get_or_404(
        reads.assets_visible_to(user), f"no asset {public_id!r}", public_id=public_id
    )
    return [_case_out(c) for c in reads.asset_history(user, asset)[:LIST_MAX]]

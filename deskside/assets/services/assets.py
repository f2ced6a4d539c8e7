"""The asset registry's operations: create an asset, change its fields, move it along its
lifecycle, link it to a ticket or unlink it.

Each function takes the acting agent first and keyword-only arguments, runs in one
transaction, locks the asset row before its checks and writes one `AssetEvent` (the asset's
own timeline, with before/after values) in that transaction; a ticket link also writes an
`EventKind.ASSET` event on the ticket's timeline. They promise:

- only an active agent who serves the asset's client may change it (`NotAllowed`, 403);
- a disposed asset refuses every change (`Disposed`, 409); disposal itself is the disposal
  batch's (assets.services.disposal), never a status change here (`InvalidTransition`);
- a status change follows `models.TRANSITIONS` (`InvalidTransition`, 409);
- the assigned person is a contact (customer) of the asset's client, the site one of its
  sites, the tag unique within the client, the warranty not ending before the purchase
  (`InvalidInput`, 422, naming the field); nothing is written when any check fails;
- a ticket is linked only to an asset of the same client, once (`InvalidInput` 422 /
  `InvalidTransition` 409).
"""

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from deskside.accounts.models import Organization, Site, User
from deskside.accounts.permissions import is_agent
from deskside.accounts.queries import serves
from deskside.assets.exceptions import Disposed, InvalidInput, InvalidTransition, NotAllowed
from deskside.assets.models import (
    TRANSITIONS,
    Asset,
    AssetEvent,
    AssetEventKind,
    AssetKind,
    AssetTicket,
    Lifecycle,
)
from deskside.core import clock
from deskside.tickets.models import EventKind, Ticket
from deskside.tickets.timeline import write_event

# The fields `update_asset` changes (and `create_asset` sets), with their text limits.
TEXT_FIELDS = {
    "name": 200,
    "make": 100,
    "model": 100,
    "serial": 100,
    "asset_tag": 60,
    "vendor": 200,
    "notes": 10000,
    "rmm_id": 200,
    "meshcentral_id": 200,
    "rustdesk_id": 200,
    "teamviewer_id": 200,
}
OTHER_FIELDS = ("kind", "assigned_to", "site", "purchase_date", "warranty_end")
FIELDS = (*TEXT_FIELDS, *OTHER_FIELDS)
# A new asset starts in one of these (an asset is never created disposed).
INITIAL_STATUSES = frozenset(
    {Lifecycle.ORDERED, Lifecycle.IN_STOCK, Lifecycle.DEPLOYED, Lifecycle.IN_REPAIR}
)


def _require_agent(actor: User, organization_id: int) -> None:
    if not is_agent(actor):
        raise NotAllowed("only agents change assets")
    if not serves(actor, organization_id):
        raise NotAllowed("you do not serve this client")


def _locked(asset: Asset) -> Asset:
    row = Asset.objects.select_for_update().select_related("organization").get(pk=asset.pk)
    if row.status == Lifecycle.DISPOSED:
        raise Disposed(f"{row} is disposed and cannot be changed", field="status")
    return row


def shown(value: Any) -> Any:
    """A field's value as the timeline keeps it (JSON: dates as ISO text, people and sites as
    `{"id": public id, "name": ...}`)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, User):
        return {"id": value.public_id, "name": value.get_full_name()}
    if isinstance(value, Site):
        return {"id": value.public_id, "name": value.name}
    return value


def _clean(organization: Organization, values: dict[str, Any]) -> dict[str, Any]:
    """`values` checked (InvalidInput naming the field), text stripped."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidInput(f"{name} is not a field of an asset", field=name)
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if name in TEXT_FIELDS:
            text = "" if value is None else str(value).strip()
            if "\x00" in text:
                raise InvalidInput(f"{name} must not contain NUL characters", field=name)
            if len(text) > TEXT_FIELDS[name]:
                raise InvalidInput(
                    f"{name} is longer than {TEXT_FIELDS[name]} characters", field=name
                )
            clean[name] = text
        elif name == "kind":
            if value not in AssetKind.values:
                raise InvalidInput(f"unknown kind {value!r}", field="kind")
            clean[name] = value
        elif name == "assigned_to":
            if value is not None and not (
                isinstance(value, User)
                and value.kind == User.Kind.CUSTOMER
                and value.organization_id == organization.pk
                and value.is_active
            ):
                raise InvalidInput(
                    f"the assigned person must be an active contact of {organization.name}",
                    field="assigned_to",
                )
            clean[name] = value
        elif name == "site":
            if value is not None and not (
                isinstance(value, Site) and value.organization_id == organization.pk
            ):
                raise InvalidInput(f"the site must be one of {organization.name}'s", field="site")
            clean[name] = value
        else:  # purchase_date, warranty_end
            if value is not None and not isinstance(value, date):
                raise InvalidInput(f"{name} must be a date", field=name)
            clean[name] = value
    return clean


def _check_dates(purchase: date | None, warranty: date | None) -> None:
    if purchase and warranty and warranty < purchase:
        raise InvalidInput("the warranty cannot end before the purchase date", field="warranty_end")


def _check_tag(organization_id: int, tag: str, exclude: int | None = None) -> None:
    if not tag:
        return
    taken = Asset.objects.filter(organization_id=organization_id, asset_tag=tag)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise InvalidInput(f"the tag {tag!r} is already used at this client", field="asset_tag")


def _event(asset: Asset, kind: str, actor: User | None, body: str = "", **data: Any) -> AssetEvent:
    return AssetEvent.objects.create(
        asset=asset, kind=kind, actor=actor, body=body, data=data, created_at=clock.now()
    )


def create_asset(
    actor: User,
    *,
    organization: Organization,
    status: str = Lifecycle.IN_STOCK,
    **values: Any,
) -> Asset:
    """A new asset of `organization` with `values` (any of FIELDS), in `status` (ordered, in
    stock, deployed or in repair), and its `created` event."""
    _require_agent(actor, organization.pk)
    if organization.is_msp:
        raise InvalidInput("assets belong to a client, not the MSP", field="organization")
    if status not in INITIAL_STATUSES:
        raise InvalidInput(
            "a new asset is ordered, in stock, deployed or in repair", field="status"
        )
    clean = _clean(organization, values)
    _check_dates(clean.get("purchase_date"), clean.get("warranty_end"))
    now = clock.now()
    try:
        with transaction.atomic():
            _check_tag(organization.pk, clean.get("asset_tag", ""))
            asset = Asset.objects.create(
                organization=organization, status=status, created_at=now, updated_at=now, **clean
            )
            _event(
                asset,
                AssetEventKind.CREATED,
                actor,
                status=status,
                values={k: shown(v) for k, v in clean.items() if v not in ("", None)},
            )
    except IntegrityError:  # two creations of one tag at once: the constraint decides
        raise InvalidInput(
            f"the tag {clean.get('asset_tag')!r} is already used at this client", field="asset_tag"
        ) from None
    return asset


def update_asset(actor: User, *, asset: Asset, changes: dict[str, Any], note: str = "") -> Asset:
    """Change the fields in `changes` (any of FIELDS). One `changed` event lists each field
    whose value really changed, `[before, after]`; a change of nothing writes nothing."""
    _require_agent(actor, asset.organization_id)
    try:
        with transaction.atomic():
            row = _locked(asset)
            clean = _clean(row.organization, changes)
            diff = {
                name: [shown(getattr(row, name)), shown(value)]
                for name, value in clean.items()
                if getattr(row, name) != value
            }
            if not diff:
                return row
            _check_dates(
                clean.get("purchase_date", row.purchase_date),
                clean.get("warranty_end", row.warranty_end),
            )
            if "asset_tag" in diff:
                _check_tag(row.organization_id, clean["asset_tag"], exclude=row.pk)
            for name in diff:
                setattr(row, name, clean[name])
            row.updated_at = clock.now()
            row.save(update_fields=[*diff, "updated_at"])
            _event(row, AssetEventKind.CHANGED, actor, note.strip(), changes=diff)
    except IntegrityError:
        raise InvalidInput(
            f"the tag {changes.get('asset_tag')!r} is already used at this client",
            field="asset_tag",
        ) from None
    return row


def allowed_statuses(asset: Asset) -> list[str]:
    """The statuses a plain status change may move `asset` to (never disposed), in lifecycle
    order."""
    allowed = TRANSITIONS.get(asset.status, frozenset())
    return [s for s in Lifecycle.values if s in allowed and s != Lifecycle.DISPOSED]


def change_status(actor: User, *, asset: Asset, status: str, note: str = "") -> Asset:
    """Move `asset` to `status` along TRANSITIONS, with a `status` event `[before, after]`."""
    _require_agent(actor, asset.organization_id)
    if status not in Lifecycle.values:
        raise InvalidInput(f"unknown status {status!r}", field="status")
    with transaction.atomic():
        row = _locked(asset)
        if status == Lifecycle.DISPOSED:
            raise InvalidTransition(
                "an asset is disposed only through a disposal batch, with its certificate",
                field="status",
            )
        if status not in TRANSITIONS[row.status]:
            raise InvalidTransition(
                f"{Lifecycle(row.status).label} cannot change to {Lifecycle(status).label}",
                field="status",
            )
        before = row.status
        row.status = status
        row.updated_at = clock.now()
        row.save(update_fields=["status", "updated_at"])
        _event(row, AssetEventKind.STATUS, actor, note.strip(), status=[before, status])
    return row


def _ticket_data(row: Asset, action: str) -> dict[str, Any]:
    return {
        "action": action,
        "asset": row.public_id,
        "asset_tag": row.asset_tag,
        "label": str(row),
    }


def link_ticket(actor: User, *, asset: Asset, ticket: Ticket) -> AssetTicket:
    """Link `asset` to `ticket` (same client): a `linked` asset event and an `asset` ticket
    event (internal)."""
    _require_agent(actor, asset.organization_id)
    if ticket.organization_id != asset.organization_id:
        raise InvalidInput("the ticket is of another client than the asset", field="ticket")
    with transaction.atomic():
        row = _locked(asset)
        if AssetTicket.objects.filter(asset=row, ticket=ticket).exists():
            raise InvalidTransition(f"{row} is already linked to {ticket.number}", field="ticket")
        link = AssetTicket.objects.create(
            asset=row, ticket=ticket, linked_by=actor, linked_at=clock.now()
        )
        _event(row, AssetEventKind.LINKED, actor, ticket=ticket.number)
        write_event(
            ticket,
            EventKind.ASSET,
            actor,
            body=f"Asset {row} linked",
            data=_ticket_data(row, "linked"),
        )
    return link


def unlink_ticket(actor: User, *, asset: Asset, ticket: Ticket) -> None:
    """Remove the link of `asset` and `ticket`: an `unlinked` asset event and an `asset`
    ticket event."""
    _require_agent(actor, asset.organization_id)
    with transaction.atomic():
        row = _locked(asset)
        deleted, _ = AssetTicket.objects.filter(asset=row, ticket=ticket).delete()
        if not deleted:
            raise InvalidTransition(f"{row} is not linked to {ticket.number}", field="ticket")
        _event(row, AssetEventKind.UNLINKED, actor, ticket=ticket.number)
        write_event(
            ticket,
            EventKind.ASSET,
            actor,
            body=f"Asset {row} unlinked",
            data=_ticket_data(row, "unlinked"),
        )

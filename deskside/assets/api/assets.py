"""The asset registry under /api/v1/assets:

    GET    /assets                          assets you may see (filters, paged)
    POST   /assets                          a new asset (agents)
    GET    /assets/by-ticket/{number}       a ticket's assets
    GET    /assets/{id}                     one asset
    PATCH  /assets/{id}                     change fields (agents; only those sent)
    POST   /assets/{id}/status              a lifecycle change (agents)
    GET    /assets/{id}/timeline            the asset's own timeline (agents; paged)
    POST   /assets/{id}/tickets             link a ticket (agents)
    DELETE /assets/{id}/tickets/{number}    unlink it (agents)

Agents see the assets of the clients they serve; an organisation admin's token reads their
own organisation's assets (list, get, a ticket's assets) without the notes and remote ids;
any other customer gets 403 on the lists, and every write is 403 for a customer. An asset or
ticket the caller may not see is a 404. Service refusals: 422 naming the field (bad input),
409 (a disposed asset; a lifecycle change TRANSITIONS refuses; already linked / not linked),
403 (not serving the client).
"""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from deskside.accounts.models import Site, User
from deskside.accounts.permissions import is_agent
from deskside.assets.exceptions import InvalidInput, NotAllowed
from deskside.assets.models import Asset, AssetEventKind, AssetKind, Lifecycle
from deskside.assets.queries import assets as reads
from deskside.assets.services import assets as svc
from deskside.core.api import PageOut, PageParams, Text, get_or_404, page_out
from deskside.core.pagination import paginate
from deskside.tickets.models import parse_number
from deskside.tickets.queries import ticket_for, visible_tickets

router = Router(tags=["assets"])


class AssetRef(Schema):
    public_id: str
    name: str


class AssetOut(Schema):
    id: str
    organization: str = Field(description="The client's slug.")
    kind: AssetKind
    status: Lifecycle
    asset_tag: str
    name: str
    make: str
    model: str
    serial: str
    assigned_to: AssetRef | None
    site: AssetRef | None
    purchase_date: date | None
    warranty_end: date | None
    vendor: str
    notes: str = Field(description="Empty for a customer's token.")
    rmm_id: str = Field(description="Remote ids: empty for a customer's token.")
    meshcentral_id: str
    rustdesk_id: str
    teamviewer_id: str
    disposal_batch: str | None = Field(description="The disposal batch's id, once disposed.")
    created_at: datetime
    updated_at: datetime
    url: str | None = Field(description="The agent page (null for a customer's token).")


class AssetFiltersIn(PageParams):
    client: Text = Field("", max_length=60, description="A client's slug.")
    status: Lifecycle | None = None
    kind: AssetKind | None = None
    site: Text = Field("", max_length=20, description="A site's public id.")
    q: Text = Field(
        "", max_length=100, description="Tag or serial prefix, name or assigned person."
    )


class AssetIn(Schema):
    """The fields of an asset; `assigned_to` and `site` are public ids (null: none)."""

    kind: AssetKind = AssetKind.OTHER
    asset_tag: Text = Field("", max_length=60)
    name: Text = Field("", max_length=200)
    make: Text = Field("", max_length=100)
    model: Text = Field("", max_length=100)
    serial: Text = Field("", max_length=100)
    assigned_to: Text | None = Field(None, max_length=20, description="A contact's public id.")
    site: Text | None = Field(None, max_length=20, description="A site's public id.")
    purchase_date: date | None = None
    warranty_end: date | None = None
    vendor: Text = Field("", max_length=200)
    notes: Text = Field("", max_length=10000)
    rmm_id: Text = Field("", max_length=200)
    meshcentral_id: Text = Field("", max_length=200)
    rustdesk_id: Text = Field("", max_length=200)
    teamviewer_id: Text = Field("", max_length=200)


class AssetCreateIn(AssetIn):
    organization: Text = Field(max_length=60, description="The client's slug.")
    status: Lifecycle = Field(
        Lifecycle.IN_STOCK, description="ordered, in_stock, deployed or in_repair."
    )


class AssetPatchIn(AssetIn):
    """Only the fields sent are changed."""

    note: Text = Field("", max_length=1000, description="Why, on the timeline.")


class AssetStatusIn(Schema):
    status: Lifecycle
    note: Text = Field("", max_length=1000)


class AssetLinkIn(Schema):
    ticket: Text = Field(max_length=20, description="The ticket's number, T-10423.")


class AssetEventOut(Schema):
    kind: AssetEventKind
    actor: AssetRef | None
    created_at: datetime
    body: str
    data: dict[str, Any]


class AssetLinkOut(Schema):
    asset: AssetOut
    ticket: str
    linked_at: datetime
    linked_by: AssetRef | None


def _ref(obj: User | Site | None) -> dict[str, str] | None:
    if obj is None:
        return None
    name = obj.get_full_name() if isinstance(obj, User) else obj.name
    return {"public_id": obj.public_id, "name": name}


def _url_base() -> str:
    return reverse("assets:asset_detail", args=["x" * 12]).removesuffix("x" * 12 + "/")


def _out(user: User, asset: Asset, base: str | None = None) -> dict[str, Any]:
    agent = is_agent(user)
    hidden = ("notes", "rmm_id", "meshcentral_id", "rustdesk_id", "teamviewer_id")
    out: dict[str, Any] = {
        "id": asset.public_id,
        "organization": asset.organization.slug,
        "assigned_to": _ref(asset.assigned_to),
        "site": _ref(asset.site),
        "disposal_batch": asset.disposal_batch.public_id if asset.disposal_batch_id else None,
        "url": f"{base or _url_base()}{asset.public_id}/" if agent else None,
    }
    for name in (
        "kind",
        "status",
        "asset_tag",
        "name",
        "make",
        "model",
        "serial",
        "purchase_date",
        "warranty_end",
        "vendor",
        "created_at",
        "updated_at",
        *hidden,
    ):
        out[name] = getattr(asset, name)
    if not agent:
        out.update(dict.fromkeys(hidden, ""))
    return out


def _reader(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not (is_agent(user) or reads.is_portal_viewer(user)):
        raise NotAllowed("your organisation's admins see its assets")
    return user


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not is_agent(user):
        raise NotAllowed("only agents change assets")
    return user


def _asset(user: User, public_id: str) -> Asset:
    qs = reads.assets_visible_to(user).select_related(*reads.LIST_RELATED, "disposal_batch")
    return get_or_404(qs, f"no asset {public_id!r}", public_id=public_id)


def _resolve(user: User, asset_org_id: int, payload: dict[str, Any]) -> dict[str, Any]:
    """Public ids of the person and site -> rows (InvalidInput naming the field)."""
    values = dict(payload)
    if values.get("assigned_to") is not None:
        person = User.objects.filter(
            public_id=values["assigned_to"], organization_id=asset_org_id, kind=User.Kind.CUSTOMER
        ).first()
        if person is None:
            raise InvalidInput(
                f"no contact {values['assigned_to']!r} at this client", field="assigned_to"
            )
        values["assigned_to"] = person
    if values.get("site") is not None:
        site = Site.objects.filter(public_id=values["site"], organization_id=asset_org_id).first()
        if site is None:
            raise InvalidInput(f"no site {values['site']!r} at this client", field="site")
        values["site"] = site
    return values


@router.get("", response=PageOut[AssetOut], summary="Assets you may see")
def list_assets(request: HttpRequest, filters: Query[AssetFiltersIn]) -> dict[str, object]:
    """Sorted by client, then tag. There is no total count: follow `next`."""
    user = _reader(request)
    organization = None
    if filters.client:
        organization = reads.clients_for(user).filter(slug=filters.client).first()
        if organization is None:
            raise InvalidInput(f"no client {filters.client!r}", field="client")
    site_id = None
    if filters.site:
        site = Site.objects.filter(
            public_id=filters.site, organization__in=reads.clients_for(user)
        ).first()
        if site is None:
            raise InvalidInput(f"no site {filters.site!r}", field="site")
        site_id = site.pk
    qs = reads.asset_list(
        user,
        reads.AssetFilters(
            organization=organization,
            status=filters.status or "",
            kind=filters.kind or "",
            site_id=site_id,
            q=filters.q,
        ),
    ).select_related("disposal_batch")
    page = paginate(request, qs, page=filters.page, limit=filters.limit)
    base = _url_base()
    return {**page_out(page), "items": [_out(user, a, base) for a in page.items]}


@router.post("", response={201: AssetOut}, summary="A new asset (agents)")
def create_asset(request: HttpRequest, payload: AssetCreateIn) -> Status[dict]:
    user = _agent(request)
    organization = reads.clients_for(user).filter(slug=payload.organization).first()
    if organization is None:
        raise InvalidInput(f"no client {payload.organization!r}", field="organization")
    values = payload.model_dump(exclude={"organization", "status"})
    asset = svc.create_asset(
        user,
        organization=organization,
        status=payload.status,
        **_resolve(user, organization.pk, values),
    )
    return Status(201, _out(user, _asset(user, asset.public_id)))


@router.get("/by-ticket/{number}", response=list[AssetLinkOut], summary="A ticket's assets")
def ticket_assets(request: HttpRequest, number: Text) -> list[dict[str, Any]]:
    user = _reader(request)
    ticket = ticket_for(user, number)
    links = reads.ticket_assets(user, ticket).select_related(
        "asset__organization", "asset__disposal_batch"
    )
    return [
        {
            "asset": _out(user, link.asset),
            "ticket": ticket.number,
            "linked_at": link.linked_at,
            "linked_by": _ref(link.linked_by) if is_agent(user) else None,
        }
        for link in links
    ]


@router.get("/{public_id}", response=AssetOut, summary="One asset")
def get_asset(request: HttpRequest, public_id: Text) -> dict[str, Any]:
    user: User = request.user  # type: ignore[assignment]
    return _out(user, _asset(user, public_id))


@router.patch("/{public_id}", response=AssetOut, summary="Change an asset's fields (agents)")
def update_asset(request: HttpRequest, public_id: Text, payload: AssetPatchIn) -> dict[str, Any]:
    user = _agent(request)
    asset = _asset(user, public_id)
    sent = payload.model_dump(exclude_unset=True)
    note = sent.pop("note", "")
    svc.update_asset(
        user, asset=asset, changes=_resolve(user, asset.organization_id, sent), note=note
    )
    return _out(user, _asset(user, public_id))


@router.post("/{public_id}/status", response=AssetOut, summary="Change the lifecycle status")
def change_status(request: HttpRequest, public_id: Text, payload: AssetStatusIn) -> dict[str, Any]:
    """Along the lifecycle (ordered -> in stock -> deployed -> in repair -> retired); never to
    disposed (a disposal batch does that): 409."""
    user = _agent(request)
    svc.change_status(user, asset=_asset(user, public_id), status=payload.status, note=payload.note)
    return _out(user, _asset(user, public_id))


@router.get("/{public_id}/timeline", response=PageOut[AssetEventOut], summary="The timeline")
def timeline(request: HttpRequest, public_id: Text, params: Query[PageParams]) -> dict[str, object]:
    """Oldest first (agents)."""
    user = _agent(request)
    page = paginate(
        request, reads.timeline(_asset(user, public_id)), page=params.page, limit=params.limit
    )
    items = [
        {
            "kind": e.kind,
            "actor": _ref(e.actor),
            "created_at": e.created_at,
            "body": e.body,
            "data": e.data,
        }
        for e in page.items
    ]
    return {**page_out(page), "items": items}


@router.post("/{public_id}/tickets", response={201: AssetLinkOut}, summary="Link a ticket")
def link_ticket(request: HttpRequest, public_id: Text, payload: AssetLinkIn) -> Status[dict]:
    """The ticket must be of the asset's client (422 `ticket`); linked once (409)."""
    user = _agent(request)
    asset = _asset(user, public_id)
    ticket = visible_tickets(user).filter(pk=_ticket_pk(payload.ticket)).first()
    if ticket is None:
        raise InvalidInput(f"no ticket {payload.ticket!r}", field="ticket")
    link = svc.link_ticket(user, asset=asset, ticket=ticket)
    return Status(
        201,
        {
            "asset": _out(user, _asset(user, public_id)),
            "ticket": ticket.number,
            "linked_at": link.linked_at,
            "linked_by": _ref(user),
        },
    )


def _ticket_pk(number: str) -> int:
    return parse_number(number) or -1


@router.delete("/{public_id}/tickets/{number}", response={204: None}, summary="Unlink a ticket")
def unlink_ticket(request: HttpRequest, public_id: Text, number: Text) -> Status[None]:
    user = _agent(request)
    asset = _asset(user, public_id)
    svc.unlink_ticket(user, asset=asset, ticket=ticket_for(user, number))
    return Status(204, None)

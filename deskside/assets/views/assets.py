"""The asset registry's agent pages under /assets/ (namespace "assets"):

- `/assets/`: the assets of the clients the agent serves, filtered by client, status, kind,
  site and a search (tag or serial prefix, name or assigned person), sorted by tag, paged
  without a COUNT (core.views.paginate);
- `/assets/new/`: a new asset;
- `/assets/<public id>/`: details, its own timeline, its tickets, and the actions (edit,
  status change, link a ticket by number, unlink); the `asset_panels` block of
  `assets/asset_detail.html` is where other parts (remote access, vendor cases) add panels;
- `/assets/tickets/<number>/panel/`: the ticket page's htmx fragment: the ticket's assets,
  "link an asset" (search among the client's assets) and the requester's assets as
  suggestions.

Agents only (`agent_required`: customers go to the portal, 403 for a POST); an asset or
ticket of a client the agent does not serve is a 404. Every form is a POST that calls one
service; a refusal is an error on the form sent, with the error's status (400, 403, 409, 422).
"""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from deskside.accounts.models import User
from deskside.accounts.permissions import agent_required
from deskside.assets.exceptions import AssetError
from deskside.assets.forms.assets import (
    AssetForm,
    FilterForm,
    LinkAssetForm,
    LinkTicketForm,
    NewAssetForm,
    StatusForm,
)
from deskside.assets.models import Asset, Lifecycle
from deskside.assets.queries import assets as reads
from deskside.assets.services import assets as svc
from deskside.core.views import page_number, paginate
from deskside.tickets.models import Ticket
from deskside.tickets.queries import ticket_for

TICKET_CHANGED = "ticket-changed"  # tickets/detail.html reloads the page on it
PAGE_SIZE = 50


def row_base(name: str) -> str:
    """The URL of asset pages `name` without the public id (rows add theirs and a slash): one
    reverse() per page instead of one per row."""
    return reverse(name, args=["x" * 12]).removesuffix("x" * 12 + "/")


def _asset(user: User, public_id: str) -> Asset:
    asset = reads.asset_for(user, public_id)
    if asset is None:
        raise Http404("no such asset")
    return asset


def filters_from(form: FilterForm) -> reads.AssetFilters:
    """The list's filters from a valid FilterForm (an invalid one filters nothing out but is
    shown with its errors)."""
    if not form.is_valid():
        return reads.AssetFilters()
    data = form.cleaned_data
    return reads.AssetFilters(
        organization=data.get("client"),
        status=data.get("status") or "",
        kind=data.get("kind") or "",
        site_id=data["site"].pk if data.get("site") else None,
        q=data.get("q") or "",
    )


@agent_required
@require_GET
def asset_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    clients = reads.clients_for(user)
    form = FilterForm(request.GET or None, clients=clients)
    status = 200 if form.is_bound is False or form.is_valid() else 400
    filters = filters_from(form) if form.is_bound else reads.AssetFilters()
    page = paginate(
        reads.asset_list(user, filters), page_number(request.GET.get("page")), PAGE_SIZE
    )
    return render(
        request,
        "assets/asset_list.html",
        {
            "form": form,
            "page": page,
            "one_client": filters.organization,
            "clients": clients,
            "row_base": row_base("assets:asset_detail"),
        },
        status=status,
    )


def _values(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data.get(name) for name in svc.FIELDS if name in data}


@agent_required
@require_http_methods(["GET", "POST"])
def asset_new(request: HttpRequest) -> HttpResponse:
    """A new asset of the client `?client=<slug>` (a client the agent serves)."""
    user: User = request.user  # type: ignore[assignment]
    clients = reads.clients_for(user)
    slug = request.GET.get("client") or request.POST.get("client") or ""
    organization = clients.filter(slug=slug).first()
    if organization is None:
        return render(request, "assets/asset_pick_client.html", {"clients": clients})
    if request.method == "GET":
        form = NewAssetForm(organization=organization)
        return render(request, "assets/asset_form.html", {"form": form, "client": organization})
    form = NewAssetForm(request.POST, organization=organization)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            asset = svc.create_asset(
                user, organization=organization, status=data["status"], **_values(data)
            )
        except AssetError as exc:
            form.add_service_error(exc)
            status = exc.status_code
        else:
            messages.success(request, f"Asset {asset} created.")
            return redirect("assets:asset_detail", asset.public_id)
    return render(
        request, "assets/asset_form.html", {"form": form, "client": organization}, status=status
    )


def _detail(request: HttpRequest, asset: Asset, status: int = 200, **forms: Any) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    allowed = svc.allowed_statuses(asset)
    context = {
        "asset": asset,
        "events": list(reads.timeline(asset)),
        "links": list(reads.linked_tickets(user, asset)),
        "disposed": asset.status == Lifecycle.DISPOSED,
        "status_form": forms.get("status_form") or StatusForm(allowed=allowed),
        "link_form": forms.get("link_form") or LinkTicketForm(),
        "remote_ids": [
            (label, value)
            for label, value in (
                ("RMM device id", asset.rmm_id),
                ("MeshCentral node id", asset.meshcentral_id),
                ("RustDesk id", asset.rustdesk_id),
                ("TeamViewer id", asset.teamviewer_id),
            )
            if value
        ],
    }
    return render(request, "assets/asset_detail.html", context, status=status)


@agent_required
@require_GET
def asset_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    return _detail(request, _asset(request.user, public_id))  # type: ignore[arg-type]


@agent_required
@require_http_methods(["GET", "POST"])
def asset_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    asset = _asset(user, public_id)
    if request.method == "GET":
        initial = {name: getattr(asset, name) for name in svc.FIELDS}
        initial["assigned_to"] = asset.assigned_to.public_id if asset.assigned_to else None
        initial["site"] = asset.site.public_id if asset.site else None
        form = AssetForm(initial=initial, organization=asset.organization)
        return render(request, "assets/asset_form.html", {"form": form, "asset": asset})
    form = AssetForm(request.POST, organization=asset.organization)
    status = 400
    if form.is_valid():
        try:
            svc.update_asset(user, asset=asset, changes=_values(form.cleaned_data))
        except AssetError as exc:
            form.add_service_error(exc)
            status = exc.status_code
        else:
            messages.success(request, "Asset saved.")
            return redirect("assets:asset_detail", asset.public_id)
    return render(request, "assets/asset_form.html", {"form": form, "asset": asset}, status=status)


@agent_required
@require_POST
def asset_status(request: HttpRequest, public_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    asset = _asset(user, public_id)
    form = StatusForm(request.POST, allowed=svc.allowed_statuses(asset))
    if not form.is_valid():
        return _detail(request, asset, 400, status_form=form)
    try:
        svc.change_status(
            user, asset=asset, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
        )
    except AssetError as exc:
        form.add_service_error(exc)
        return _detail(request, asset, exc.status_code, status_form=form)
    messages.success(request, f"Status changed to {Lifecycle(form.cleaned_data['status']).label}.")
    return redirect("assets:asset_detail", asset.public_id)


def _ticket_or_none(user: User, number: str) -> Ticket | None:
    try:
        return ticket_for(user, number)
    except Http404:
        return None


@agent_required
@require_POST
def asset_link(request: HttpRequest, public_id: str) -> HttpResponse:
    """Link a ticket by its number from the asset page."""
    user: User = request.user  # type: ignore[assignment]
    asset = _asset(user, public_id)
    form = LinkTicketForm(request.POST)
    if not form.is_valid():
        return _detail(request, asset, 400, link_form=form)
    ticket = _ticket_or_none(user, form.cleaned_data["ticket"])
    if ticket is None:
        form.add_error("ticket", f"no ticket {form.cleaned_data['ticket']}")
        return _detail(request, asset, 422, link_form=form)
    try:
        svc.link_ticket(user, asset=asset, ticket=ticket)
    except AssetError as exc:
        form.add_service_error(exc)
        return _detail(request, asset, exc.status_code, link_form=form)
    messages.success(request, f"Linked to {ticket.number}.")
    return redirect("assets:asset_detail", asset.public_id)


@agent_required
@require_POST
def asset_unlink(request: HttpRequest, public_id: str, number: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    asset = _asset(user, public_id)
    ticket = ticket_for(user, number)
    try:
        svc.unlink_ticket(user, asset=asset, ticket=ticket)
    except AssetError as exc:
        messages.error(request, exc.message)
        return _detail(request, asset, exc.status_code)
    messages.success(request, f"Unlinked from {ticket.number}.")
    return redirect("assets:asset_detail", asset.public_id)


# -- the ticket page's panel -------------------------------------------------------------------


def _panel(
    request: HttpRequest, ticket: Ticket, *, error: str = "", status: int = 200
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    text = (request.GET.get("q") or "").replace("\x00", "")[: reads.SEARCH_MAX]
    context = {
        "ticket": ticket,
        "links": list(reads.ticket_assets(user, ticket)),
        "suggestions": reads.requester_suggestions(user, ticket),
        "q": text,
        "results": reads.link_candidates(user, ticket, text),
        "error": error,
    }
    return render(request, "assets/asset_ticket_panel.html", context, status=status)


@require_GET
@agent_required
def ticket_panel(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket's assets as an HTML fragment (no base.html), for the ticket page; with
    `?q=` also the assets matching it (the "link an asset" search)."""
    return _panel(request, ticket_for(request.user, number, related=("requester",)))


def _panel_answer(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return trigger_client_event(_panel(request, ticket), TICKET_CHANGED)
    return redirect("tickets:detail", ticket.number)


@require_POST
@agent_required
def ticket_link(request: HttpRequest, number: str) -> HttpResponse:
    """Link the asset posted (its public id) to the ticket."""
    user: User = request.user  # type: ignore[assignment]
    ticket = ticket_for(user, number, related=("requester",))
    form = LinkAssetForm(request.POST)
    asset = reads.asset_for(user, form.cleaned_data["asset"]) if form.is_valid() else None
    if asset is None:
        return _panel(request, ticket, error="choose an asset of this client", status=422)
    try:
        svc.link_ticket(user, asset=asset, ticket=ticket)
    except AssetError as exc:
        # htmx swaps only 2xx answers: the panel with its error, as a 200 for htmx
        status = 200 if request.htmx else exc.status_code  # type: ignore[attr-defined]
        return _panel(request, ticket, error=exc.message, status=status)
    return _panel_answer(request, ticket)


@require_POST
@agent_required
def ticket_unlink(request: HttpRequest, number: str, public_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    ticket = ticket_for(user, number, related=("requester",))
    asset = _asset(user, public_id)
    try:
        svc.unlink_ticket(user, asset=asset, ticket=ticket)
    except AssetError as exc:
        status = 200 if request.htmx else exc.status_code  # type: ignore[attr-defined]
        return _panel(request, ticket, error=exc.message, status=status)
    return _panel_answer(request, ticket)

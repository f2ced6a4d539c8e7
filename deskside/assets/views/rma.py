"""The vendor-case pages (agents only; customers are sent to the portal, 403 for a POST):

- `/assets/rma/tickets/<number>/`: the ticket page's panel (an htmx fragment): the ticket's
  vendor cases with their entries (newest first) and the forms: record a case, add an entry
  (shipped, received, vendor contact, note), close it;
- POST `/assets/rma/tickets/<number>/cases/`, `/assets/rma/cases/<id>/entries/`,
  `/assets/rma/cases/<id>/close/`: each calls one service and answers the panel again (htmx)
  or goes back to the ticket page;
- `/assets/rma/assets/<public id>/`: an asset's RMA history (a fragment for the asset page).

A refusal comes back as an error on the form that was sent (htmx: status 200, because htmx
swaps 2xx answers only; a plain POST: 400/403/409 as the error says). A ticket, case or asset
the viewer may not see is a 404. No business logic here.
"""

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from deskside.accounts.models import User
from deskside.accounts.permissions import agent_required
from deskside.assets.exceptions import AssetError, InvalidInput
from deskside.assets.forms.rma import CaseForm, CloseForm, EntryForm
from deskside.assets.models import VendorCase, VendorCaseStatus
from deskside.assets.queries import rma as reads
from deskside.assets.services import rma as svc
from deskside.tickets.models import Ticket
from deskside.tickets.queries import ticket_for


def _case_form(ticket: Ticket, data=None) -> CaseForm:
    return CaseForm(
        data,
        assets=reads.case_assets(ticket),
        initial={"quiet_days": settings.DESKSIDE_RMA_QUIET_DAYS},
        auto_id="rma-new-%s",
    )


def _panel(
    request: HttpRequest,
    ticket: Ticket,
    *,
    case_form: CaseForm | None = None,
    forms: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if request.htmx and status >= 400:  # type: ignore[attr-defined]
        status = 200  # htmx swaps 2xx answers only: the panel shows the error on its form
    given = forms or {}
    cases = []
    for case in reads.ticket_cases(user, ticket):
        entry_form, close_form = given.get(case.pk, (None, None))
        cases.append(
            {
                "case": case,
                "entries": list(case.entries.all()),
                "entry_form": entry_form or EntryForm(auto_id=f"rma-{case.public_id}-%s"),
                "close_form": close_form or CloseForm(auto_id=f"rma-close-{case.public_id}-%s"),
                "is_open": case.status == VendorCaseStatus.OPEN,
            }
        )
    # A plain POST refused (no htmx) answers a whole page with the panel and its error.
    fragment = request.method == "GET" or request.htmx  # type: ignore[attr-defined]
    return render(
        request,
        "assets/rma_panel.html" if fragment else "assets/rma_page.html",
        {"ticket": ticket, "cases": cases, "case_form": case_form or _case_form(ticket)},
        status=status,
    )


def _done(request: HttpRequest, ticket: Ticket, text: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return _panel(request, ticket)
    messages.success(request, text)
    return redirect("tickets:detail", ticket.number)


def _case(user: User, public_id: str) -> VendorCase:
    found = reads.cases_visible_to(user).filter(public_id=public_id).first()
    if found is None:
        raise Http404("no such vendor case")
    return found


@agent_required
@require_GET
def ticket_panel(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket's vendor cases as an HTML fragment (no base.html)."""
    return _panel(request, ticket_for(request.user, number))  # type: ignore[arg-type]


@agent_required
@require_POST
def open_case(request: HttpRequest, number: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    ticket = ticket_for(user, number)
    form = _case_form(ticket, request.POST)
    if not form.is_valid():
        return _panel(request, ticket, case_form=form, status=400)
    data = form.cleaned_data
    try:
        asset = None
        if data["asset_tag"]:
            asset = reads.asset_by_tag(ticket, data["asset_tag"])
            if asset is None:
                raise InvalidInput("no asset with this tag at this client", field="asset_tag")
        elif data["asset"]:
            asset = reads.asset_by_tag(ticket, data["asset"])
            if asset is None:
                raise InvalidInput("no such asset at this client", field="asset")
        case = svc.open_case(
            actor=user,
            ticket=ticket,
            vendor=data["vendor"],
            case_number=data["case_number"],
            asset=asset,
            quiet_days=data["quiet_days"],
        )
    except AssetError as exc:
        form.add_service_error(exc)
        return _panel(request, ticket, case_form=form, status=exc.status_code)
    return _done(request, ticket, f"{case} recorded.")


def _aware(value: datetime | None) -> datetime | None:
    """A datetime-local from the form, read in the agent's zone (agent_required sets it)."""
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, timezone.get_current_timezone())


@agent_required
@require_POST
def add_entry(request: HttpRequest, public_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = _case(user, public_id)
    form = EntryForm(request.POST, auto_id=f"rma-{case.public_id}-%s")
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            svc.add_entry(
                actor=user,
                case=case,
                kind=data["kind"],
                what=data["what"],
                tracking=data["tracking"],
                happened_at=_aware(data["happened_at"]),
            )
        except AssetError as exc:
            form.add_service_error(exc)
            status = exc.status_code
        else:
            return _done(request, case.ticket, f"{case}: entry added.")
    return _panel(request, case.ticket, forms={case.pk: (form, None)}, status=status)


@agent_required
@require_POST
def close_case(request: HttpRequest, public_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = _case(user, public_id)
    form = CloseForm(request.POST, auto_id=f"rma-close-{case.public_id}-%s")
    status = 400
    if form.is_valid():
        try:
            svc.close_case(actor=user, case=case, note=form.cleaned_data["note"])
        except AssetError as exc:
            form.add_service_error(exc)
            status = exc.status_code
        else:
            return _done(request, case.ticket, f"{case} closed.")
    return _panel(request, case.ticket, forms={case.pk: (None, form)}, status=status)


@agent_required
@require_GET
def asset_history(request: HttpRequest, public_id: str) -> HttpResponse:
    """An asset's RMA history, newest first (a fragment for the asset page)."""
    user: User = request.user  # type: ignore[assignment]
    asset = reads.assets_visible_to(user).filter(public_id=public_id).first()
    if asset is None:
        raise Http404("no such asset")
    return render(
        request,
        "assets/rma_history.html",
        {"asset": asset, "cases": list(reads.asset_history(user, asset))},
    )

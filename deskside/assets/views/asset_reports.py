"""The asset reports (agents) and the portal's read-only asset pages (organisation admins).

- `/assets/reports/warranty/?client=<slug>`: warranties ending within 30, 60 and 90 days (the
  client's today), and deployed assets whose warranty is already over;
- `/assets/reports/age/?client=<slug>`: assets in service by purchase year and kind: a pygal
  chart (`age.svg`, shown in an <img>), the same figures as a table and as CSV (`age.csv`);
- `/assets/portal/` and `/assets/portal/<public id>/`: an organisation admin's own
  organisation's assets, read-only (the details, not the internal timeline or remote ids).

Reports: agents only, a client they serve (another is a 404). Portal: organisation admins
only: any other customer gets 403, an agent is sent to the agent list, another organisation's
asset is a 404.
"""

import csv

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import agent_required, is_agent
from deskside.assets.age_chart import age_svg
from deskside.assets.forms.assets import ClientForm, FilterForm
from deskside.assets.queries import asset_reports as reports
from deskside.assets.queries import assets as reads
from deskside.assets.views.assets import PAGE_SIZE, filters_from, row_base
from deskside.core.views import page_number, paginate


def _client(request: HttpRequest) -> tuple[ClientForm, Organization | None]:
    user: User = request.user  # type: ignore[assignment]
    clients = reads.clients_for(user)
    if "client" not in request.GET:
        first = clients.first()
        form = ClientForm({"client": first.slug} if first else None, clients=clients)
    else:
        form = ClientForm(request.GET, clients=clients)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["client"]
    if form.is_bound and request.GET.get("client"):
        raise Http404("no such client")
    return form, None


@agent_required
@require_GET
def warranty_report(request: HttpRequest) -> HttpResponse:
    form, client = _client(request)
    report = reports.warranty(request.user, client) if client else None  # type: ignore[arg-type]
    return render(request, "assets/asset_warranty.html", {"form": form, "report": report})


@agent_required
@require_GET
def age_report(request: HttpRequest) -> HttpResponse:
    form, client = _client(request)
    report = reports.age(request.user, client) if client else None  # type: ignore[arg-type]
    rows = reports.age_csv_rows(report)[1:] if report else []
    return render(request, "assets/asset_age.html", {"form": form, "report": report, "rows": rows})


@agent_required
@require_GET
def age_chart(request: HttpRequest) -> HttpResponse:
    _, client = _client(request)
    if client is None:
        raise Http404("no such client")
    response = HttpResponse(
        age_svg(reports.age(request.user, client)),  # type: ignore[arg-type]
        content_type="image/svg+xml; charset=utf-8",
    )
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@agent_required
@require_GET
def age_csv(request: HttpRequest) -> HttpResponse:
    _, client = _client(request)
    if client is None:
        raise Http404("no such client")
    report = reports.age(request.user, client)  # type: ignore[arg-type]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="assets-age-{client.slug}-{reports.client_today(client)}.csv"'
    )
    csv.writer(response).writerows(reports.age_csv_rows(report))
    return response


# -- the portal --------------------------------------------------------------------------------


def _portal_viewer(request: HttpRequest) -> User | HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if is_agent(user):
        return redirect("assets:asset_list")
    if not reads.is_portal_viewer(user):  # type: ignore[arg-type]
        raise PermissionDenied("your organisation's admins see its assets")
    return user  # type: ignore[return-value]


@require_GET
def portal_list(request: HttpRequest) -> HttpResponse:
    viewer = _portal_viewer(request)
    if isinstance(viewer, HttpResponse):
        return viewer
    clients = reads.clients_for(viewer)
    form = FilterForm(request.GET or None, clients=clients)
    filters = filters_from(form) if form.is_bound else reads.AssetFilters()
    page = paginate(
        reads.asset_list(viewer, filters), page_number(request.GET.get("page")), PAGE_SIZE
    )
    return render(
        request,
        "assets/asset_portal_list.html",
        {
            "form": form,
            "page": page,
            "row_base": row_base("assets:asset_portal_detail"),
        },
        status=200 if not form.is_bound or form.is_valid() else 400,
    )


@require_GET
def portal_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    viewer = _portal_viewer(request)
    if isinstance(viewer, HttpResponse):
        return viewer
    asset = reads.asset_for(viewer, public_id)
    if asset is None:
        raise Http404("no such asset")
    return render(
        request,
        "assets/asset_portal_detail.html",
        {"asset": asset, "links": list(reads.linked_tickets(viewer, asset))},
    )

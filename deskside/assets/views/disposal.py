"""The certified-disposal pages under /assets/disposal/: the batches (per client), a new batch
(agents: choose the client's retired assets with checkboxes and filters, the company,
certificate number, NIST SP 800-88 method, hand-over date and the certificate file), a batch
with its assets and the certificate download, and the per-client disposal report for
auditors (page, CSV, PDF).

Agents see the clients they serve; a client's organisation admins read their own
organisation's batches, certificates and report through the same pages (read-only: no "New
batch"); any other customer gets 403; another client's batch is 404. No business logic:
`assets.services.disposal` decides.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from deskside.accounts.models import Site
from deskside.accounts.permissions import agent_required, is_agent
from deskside.assets import disposal_report
from deskside.assets.exceptions import AssetError
from deskside.assets.forms.disposal import BatchForm, ReportForm, RetiredFilterForm
from deskside.assets.queries import disposal as queries
from deskside.assets.services import disposal as services
from deskside.core.forms import add_domain_error
from deskside.core.views import download, page_number, paginate

PAGE = 50
REPORT_SHOWN = 500  # rows on the report page (the CSV and the PDF have more)


def _reader(request: HttpRequest) -> None:
    if not queries.is_reader(request.user):
        raise PermissionDenied("the disposal records are for agents and organisation admins")


def _client(request: HttpRequest) -> Any:
    """The `?client=` slug, when the user may read it; 404 for one they may not."""
    slug = request.GET.get("client", "").strip()
    if not slug:
        return None
    client = queries.client_for(request.user, slug)
    if client is None:
        raise Http404("no such client")
    return client


@login_required
@require_safe
def batches(request: HttpRequest) -> HttpResponse:
    _reader(request)
    client = _client(request)
    qs = queries.batches_visible_to(request.user)
    if client is not None:
        qs = qs.filter(organization=client)
    page = paginate(qs, page_number(request.GET.get("page")), PAGE)
    return render(
        request,
        "assets/disposal_list.html",
        {
            "page": page,
            "batches": page.rows,
            "client": client,
            "clients": queries.disposal_clients(request.user),
            "can_create": is_agent(request.user),
        },
    )


@agent_required
@require_http_methods(["GET", "POST"])
def new_batch(request: HttpRequest) -> HttpResponse:
    client = _client(request)
    context: dict[str, Any] = {
        "client": client,
        "clients": queries.disposal_clients(request.user),
    }
    if client is None:
        return render(request, "assets/disposal_new.html", context)
    sites = [
        (s.public_id, s.name) for s in Site.objects.filter(organization=client).order_by("name")
    ]
    filters = RetiredFilterForm(request.GET, sites=sites)
    chosen: list[str] = request.POST.getlist("assets") if request.method == "POST" else []
    status = 200
    if request.method == "POST":
        form = BatchForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                batch = services.create_batch(
                    actor=request.user,
                    organization=client,
                    assets=chosen,
                    **form.cleaned_data,
                )
            except AssetError as error:
                if error.status_code == 403:
                    raise PermissionDenied(error.message) from error
                add_domain_error(form, error)
                if error.field == "assets":
                    context["assets_error"] = error.message
            else:
                return redirect("assets:disposal_batch", batch.public_id)
        status = 422
    else:
        form = BatchForm()
    wanted = filters.cleaned_data if filters.is_valid() else {}
    retired = queries.retired_assets(
        client,
        kind=wanted.get("kind", ""),
        site=wanted.get("site", ""),
        text=wanted.get("q", ""),
    )
    shown = list(retired[: queries.NEW_BATCH_SHOWN + 1])
    context.update(
        {
            "filters": filters,
            "form": form,
            "retired": shown[: queries.NEW_BATCH_SHOWN],
            "more": len(shown) > queries.NEW_BATCH_SHOWN,
            "chosen": set(chosen),
            "query": urlencode({"client": client.slug, **{k: v for k, v in wanted.items() if v}}),
        }
    )
    return render(request, "assets/disposal_new.html", context, status=status)


def _batch(request: HttpRequest, public_id: str) -> Any:
    _reader(request)
    batch = queries.batch_for(request.user, public_id)
    if batch is None:
        raise Http404("no such disposal batch")
    return batch


@login_required
@require_safe
def batch_page(request: HttpRequest, public_id: str) -> HttpResponse:
    batch = _batch(request, public_id)
    page = paginate(queries.batch_assets(batch), page_number(request.GET.get("page")), 100)
    return render(
        request, "assets/disposal_batch.html", {"batch": batch, "page": page, "assets": page.rows}
    )


@login_required
@require_safe
def certificate(request: HttpRequest, public_id: str) -> HttpResponse:
    batch = _batch(request, public_id)
    return download(batch.certificate, batch.certificate_filename, batch.certificate_content_type)


@login_required
@require_safe
def report(request: HttpRequest) -> HttpResponse:
    """The auditors' report: `?client=slug&from=YYYY-MM-DD&to=YYYY-MM-DD&format=csv|pdf`."""
    _reader(request)
    client = _client(request)
    clients = queries.disposal_clients(request.user)
    if client is None and clients.count() == 1:
        client = clients.first()
    data = {
        "start": request.GET.get("from", ""),
        "end": request.GET.get("to", ""),
        "format": request.GET.get("format", ""),
    }
    form = ReportForm(data)
    context: dict[str, Any] = {"client": client, "clients": clients, "form": form}
    if client is None or not form.is_valid():
        return render(
            request, "assets/disposal_report.html", context, status=200 if form.is_valid() else 422
        )
    built = disposal_report.build(client, form.cleaned_data["start"], form.cleaned_data["end"])
    kind = form.cleaned_data["format"] or "html"
    if kind == "csv":
        response = HttpResponse(
            disposal_report.csv_text(built), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{built.filename}.csv"'
        return response
    if kind == "pdf":
        response = HttpResponse(disposal_report.pdf(built), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{built.filename}.pdf"'
        return response
    rows = built.rows()
    period = {"client": client.slug, "from": data["start"], "to": data["end"]}
    context.update(
        {
            "report": built,
            "rows": rows[:REPORT_SHOWN],
            "more": max(0, len(rows) - REPORT_SHOWN),
            "total": len(rows),
            "csv_query": urlencode({**period, "format": "csv"}),
            "pdf_query": urlencode({**period, "format": "pdf"}),
        }
    )
    return render(request, "assets/disposal_report.html", context)

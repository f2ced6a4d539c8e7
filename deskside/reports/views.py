"""The report pages under /reports/: the index, one page per report (filters, chart, table,
CSV), the chart's SVG, and the monthly client reports (settings for agents, downloads for
agents and the client's organisation admins).

Report pages are for agents; their figures count the tickets the agent may see
(`visible_tickets`), in the agent's time zone.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from csp.constants import NONE, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import agent_required, is_agent
from deskside.core import clock
from deskside.core.forms import add_domain_error
from deskside.core.timezones import zone
from deskside.reports import chart, monthly, queries
from deskside.reports.access import may_read_monthly, monthly_clients
from deskside.reports.exceptions import ReportsError
from deskside.reports.forms import MonthlySettingForm, ReportFilterForm
from deskside.reports.models import MonthlyReportSetting
from deskside.reports.services import set_monthly_report
from deskside.reports.tables import Report
from deskside.tickets.queries import visible_tickets

# More reports of other apps (satisfaction, the wall board, the daily review) join the index
# by adding a (title, url name, description) line here.
MORE_REPORTS: list[tuple[str, str, str]] = [
    (
        "Customer satisfaction",
        "surveys:report",
        "good / okay / bad answers, CSAT % and response rate per client, agent and team",
    ),
]


def _report(request: HttpRequest, name: str) -> tuple[ReportFilterForm, Report | None]:
    if name not in queries.REPORTS:
        raise Http404("no such report")
    user: User = request.user  # type: ignore[assignment]
    form = ReportFilterForm(request.GET, user=user, zone=zone(user.timezone))
    if not form.is_valid():
        return form, None
    return form, queries.run(name, visible_tickets(user), form.scope())


@require_safe
@agent_required
def index(request: HttpRequest) -> HttpResponse:
    reports = [
        {"name": name, "title": title, "url": reverse("reports:report", args=[name])}
        for name, (title, _) in queries.REPORTS.items()
    ]
    more = [{"title": t, "url": reverse(u), "description": d} for t, u, d in MORE_REPORTS]
    return render(request, "reports/index.html", {"reports": reports, "more": more})


@require_safe
@agent_required
def report(request: HttpRequest, name: str) -> HttpResponse:
    form, result = _report(request, name)
    context: dict[str, Any] = {
        "form": form,
        "report": result,
        "name": name,
        "title": queries.REPORTS[name][0],
        "zone": zone(request.user.timezone),  # type: ignore[union-attr]
    }
    if result is not None:
        query = form.scope().params()
        context["query"] = urlencode(query)
    return render(request, "reports/report.html", context, status=200 if result else 400)


@require_safe
@agent_required
@csp_replace({"default-src": [NONE], "style-src": [UNSAFE_INLINE], "script-src": [NONE]})
def chart_svg(request: HttpRequest, name: str) -> HttpResponse:
    """The chart as an SVG document, shown by the page in an <img>: its own policy allows
    pygal's inline <style> and nothing else."""
    form, result = _report(request, name)
    if result is None:
        return HttpResponse(form.errors_text(), status=400, content_type="text/plain")
    response = HttpResponse(chart.svg(result.chart), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@agent_required
def export(request: HttpRequest, name: str) -> HttpResponse:
    """The report's table (and totals line) as CSV."""
    form, result = _report(request, name)
    if result is None:
        return HttpResponse(form.errors_text(), status=400, content_type="text/plain")
    scope = form.scope()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.csv"'
    )
    csv.writer(response).writerows(result.csv_rows())
    return response


def recent_months(count: int = 12) -> list[date]:
    """The first days of the last `count` complete months, newest first."""
    first = clock.now().date().replace(day=1)
    out = []
    for _ in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first)
    return out


@require_safe
@login_required
def monthly_index(request: HttpRequest) -> HttpResponse:
    """Agents: every client they serve with its setting and recipients; a client's
    organisation admin: their own organisation's reports."""
    user: User = request.user  # type: ignore[assignment]
    clients = monthly_clients(user)
    if not clients and not is_agent(user):
        raise PermissionDenied("the monthly reports are for the client's organisation admins")
    settings = {
        s.organization_id: s for s in MonthlyReportSetting.objects.filter(organization__in=clients)
    }
    rows = [
        {
            "organization": org,
            "setting": settings.get(org.pk),
            "recipients": monthly.recipients(org) if is_agent(user) else [],
            "form": MonthlySettingForm(
                initial={
                    "enabled": settings[org.pk].enabled if org.pk in settings else False,
                    "day_of_month": settings[org.pk].day_of_month if org.pk in settings else 1,
                },
                prefix=org.slug,
            ),
        }
        for org in clients
    ]
    context = {"rows": rows, "months": recent_months(), "is_agent": is_agent(user)}
    return render(request, "reports/monthly_index.html", context)


def _monthly(request: HttpRequest, slug: str, month: str) -> monthly.MonthlyReport:
    organization = get_object_or_404(Organization, slug=slug)
    if not may_read_monthly(request.user, organization):  # type: ignore[arg-type]
        raise Http404("no such client")
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError as exc:
        raise Http404("the month is YYYY-MM") from exc
    return monthly.build(organization, first)


@require_safe
@login_required
def monthly_pdf(request: HttpRequest, slug: str, month: str) -> HttpResponse:
    report = _monthly(request, slug, month)
    response = HttpResponse(monthly.pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.filename}.pdf"'
    return response


@require_safe
@login_required
def monthly_csv(request: HttpRequest, slug: str, month: str) -> HttpResponse:
    report = _monthly(request, slug, month)
    response = HttpResponse(monthly.csv_text(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report.filename}.csv"'
    return response


@require_POST
@agent_required
def monthly_setting(request: HttpRequest, slug: str) -> HttpResponse:
    """Turn a client's monthly report on or off (audited)."""
    organization = get_object_or_404(Organization, slug=slug)
    form = MonthlySettingForm(request.POST, prefix=slug)
    if form.is_valid():
        try:
            set_monthly_report(
                actor=request.user,  # type: ignore[arg-type]
                organization=organization,
                enabled=form.cleaned_data["enabled"],
                day_of_month=form.cleaned_data["day_of_month"],
            )
        except ReportsError as exc:
            if exc.status_code == 403:
                raise PermissionDenied(exc.message) from exc
            add_domain_error(form, exc)
    if form.errors:
        return render(
            request,
            "reports/monthly_index.html",
            {"rows": [], "months": [], "is_agent": True, "error": form.errors.as_text()},
            status=400,
        )
    return redirect(reverse("reports:monthly") + f"#client-{slug}")

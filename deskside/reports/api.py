"""The reports under /api/v1/reports:

    GET /reports                          the report names
    GET /reports/{name}?from=&to=&client=&team=&priority=[&bucket=&by=]
                                          a report as JSON (columns, rows, totals); agents only,
                                          over the tickets they may see, days in their zone
    GET /reports/monthly/{client}/{month} the monthly client report (YYYY-MM) as JSON: agents
                                          serving the client and the client's own
                                          organisation admins; anyone else 403

Customers get 403 for the desk reports. Errors are `{"detail", "field"}` with a 4xx status.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from deskside.accounts.models import Organization, User
from deskside.accounts.permissions import is_agent
from deskside.core.timezones import zone
from deskside.reports import monthly, queries
from deskside.reports.access import may_read_monthly
from deskside.reports.exceptions import Forbidden, InvalidInput, NotFound
from deskside.reports.forms import ReportFilterForm
from deskside.tickets.queries import visible_tickets

router = Router(tags=["reports"])


class ReportOut(Schema):
    name: str
    title: str
    start: str
    end: str
    timezone: str
    columns: list[str]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    notes: list[str]


class MonthlyOut(Schema):
    client: str
    month: str
    timezone: str
    sections: list[ReportOut]


class NameOut(Schema):
    name: str
    title: str


def _agent(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not is_agent(user):
        raise Forbidden("reports are for agents")
    return user


@router.get("/reports", response=list[NameOut], summary="The reports")
def list_reports(request: HttpRequest) -> list[dict[str, str]]:
    _agent(request)
    return [{"name": n, "title": t} for n, (t, _) in queries.REPORTS.items()]


def _out(report: queries.Report, scope: Any) -> dict[str, Any]:
    return {
        **report.as_dicts(),
        "start": scope.start.isoformat(),
        "end": scope.end.isoformat(),
        "timezone": str(scope.zone),
    }


@router.get("/reports/monthly/{client}/{month}", response=MonthlyOut, summary="A monthly report")
def monthly_report(request: HttpRequest, client: str, month: str) -> dict[str, Any]:
    organization = Organization.objects.filter(slug=client).first()
    if organization is None or not may_read_monthly(request.user, organization):  # type: ignore[arg-type]
        raise Forbidden("you may not read this client's monthly report")
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError as exc:
        raise InvalidInput("the month is YYYY-MM", field="month") from exc
    report = monthly.build(organization, first)
    return {
        "client": organization.slug,
        "month": f"{first:%Y-%m}",
        "timezone": str(report.scope.zone),
        "sections": [_out(r, report.scope) for r in report.reports],
    }


@router.get("/reports/{name}", response=ReportOut, summary="A report")
def get_report(request: HttpRequest, name: str) -> dict[str, Any]:
    user = _agent(request)
    if name not in queries.REPORTS:
        raise NotFound(f"no report {name!r}; one of {', '.join(queries.REPORTS)}", field="name")
    form = ReportFilterForm(request.GET, user=user, zone=zone(user.timezone))
    if not form.is_valid():
        raise InvalidInput(form.errors_text(), field=form.error_field())
    scope = form.scope()
    return _out(queries.run(name, visible_tickets(user), scope), scope)

"""The monthly client report: one client's calendar month (the client's days, in the
client's time zone), as a PDF (WeasyPrint, the charts' SVG inline) and as CSV.

The PDF is rendered without any network access: WeasyPrint gets a `url_fetcher` that refuses
every URL, and the HTML carries its style and its charts inline, so nothing is fetched.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from django.template.loader import render_to_string

from deskside.accounts.models import Organization, User
from deskside.core import clock
from deskside.reports import chart, queries
from deskside.reports.scope import Scope, client_scope
from deskside.reports.tables import Report
from deskside.tickets.models import Ticket

# The figures a client gets: what was asked, how fast, whether the contract was kept.
SECTIONS = ("volume", "first-contact", "response-times", "sla")


class FetchRefused(ValueError):
    """WeasyPrint asked for a URL: the report's document must not fetch anything."""


def refuse_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    raise FetchRefused(f"the monthly report fetches nothing ({url})")


@dataclass
class MonthlyReport:
    organization: Organization
    month: date
    scope: Scope
    reports: list[Report]
    generated_at: datetime

    @property
    def filename(self) -> str:
        return f"{self.organization.slug}-{self.month:%Y-%m}"


def recipients(organization: Organization) -> list[str]:
    """The addresses the report is mailed to: the client's active organisation admins."""
    return list(
        User.objects.filter(
            organization=organization,
            kind=User.Kind.CUSTOMER,
            is_org_admin=True,
            is_active=True,
        )
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )


def build(organization: Organization, month: date) -> MonthlyReport:
    """The figures of `organization` for the calendar month `month` falls in."""
    scope = client_scope(organization, month)
    tickets = Ticket.objects.all()
    reports = [queries.run(name, tickets, scope) for name in SECTIONS]
    return MonthlyReport(organization, scope.start, scope, reports, clock.now())


def html(report: MonthlyReport) -> str:
    sections = [{"report": r, "svg": chart.inline(r.chart)} for r in report.reports]
    return render_to_string("reports/monthly.html", {"monthly": report, "sections": sections})


def pdf(report: MonthlyReport) -> bytes:
    """The report as a PDF document (no network access while rendering)."""
    from weasyprint import HTML  # noqa: PLC0415 - heavy (Pango, fonts): loaded when a PDF is made

    return HTML(string=html(report), url_fetcher=refuse_fetch).write_pdf()


def csv_text(report: MonthlyReport) -> str:
    """Every section's table, one after the other, each under a line naming it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"{report.organization.name}, {report.month:%B %Y}"])
    for section in report.reports:
        writer.writerow([])
        writer.writerow([section.title])
        writer.writerows(section.csv_rows())
    return out.getvalue()

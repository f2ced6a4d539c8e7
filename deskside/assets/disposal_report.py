"""The disposal report of one client for its auditors: every asset disposed of in a period
(hand-over dates, both ends included) with its serial, tag, make and model, the wiping method
(NIST SP 800-88), the company, the certificate number and its SHA-256, the hand-over date.

As CSV (every row; cells that a spreadsheet would run as a formula are quoted with a leading
apostrophe) and as PDF (WeasyPrint, no network access while rendering: the HTML carries its
style inline and `refuse_fetch` refuses every URL). The PDF lists at most PDF_ROWS rows and
says so when there are more (the CSV has them all).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.template.loader import render_to_string

from deskside.accounts.models import Organization
from deskside.assets.models import Asset, WipeMethod
from deskside.assets.queries.disposal import disposed_assets
from deskside.core import clock, csvsafe

PDF_ROWS = 2000
COLUMNS = (
    "Serial",
    "Asset tag",
    "Kind",
    "Make",
    "Model",
    "Name",
    "Method",
    "Company",
    "Certificate number",
    "Certificate SHA-256",
    "Handed over",
    "Batch",
)


class FetchRefused(ValueError):
    """WeasyPrint asked for a URL: the report's document must not fetch anything."""


def refuse_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    raise FetchRefused(f"the disposal report fetches nothing ({url})")


@dataclass
class DisposalReport:
    organization: Organization
    start: date | None
    end: date | None
    assets: list[Asset]
    generated_at: datetime

    @property
    def filename(self) -> str:
        span = f"{self.start or 'start'}_{self.end or clock.now().date()}"
        return f"{self.organization.slug}-disposals-{span}"

    def rows(self) -> list[dict[str, Any]]:
        """One dict per asset (the API's JSON and the page's table)."""
        return [row(asset) for asset in self.assets]


def row(asset: Asset) -> dict[str, Any]:
    batch = asset.disposal_batch
    assert batch is not None  # the report reads disposed assets of a batch only
    return {
        "asset": asset.public_id,
        "serial": asset.serial,
        "asset_tag": asset.asset_tag,
        "kind": asset.kind,
        "make": asset.make,
        "model": asset.model,
        "name": asset.name,
        "method": batch.method,
        "method_label": WipeMethod(batch.method).label,
        "company": batch.company,
        "certificate_number": batch.certificate_number,
        "certificate_sha256": batch.certificate_sha256,
        "handed_over_on": batch.handed_over_on,
        "batch": batch.public_id,
    }


def build(
    organization: Organization, start: date | None = None, end: date | None = None
) -> DisposalReport:
    assets = list(disposed_assets(organization, start, end))
    return DisposalReport(organization, start, end, assets, clock.now())


def csv_text(report: DisposalReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for r in report.rows():
        writer.writerow(
            [
                csvsafe.cell(r["serial"]),
                csvsafe.cell(r["asset_tag"]),
                csvsafe.cell(r["kind"]),
                csvsafe.cell(r["make"]),
                csvsafe.cell(r["model"]),
                csvsafe.cell(r["name"]),
                csvsafe.cell(r["method"]),
                csvsafe.cell(r["company"]),
                csvsafe.cell(r["certificate_number"]),
                csvsafe.cell(r["certificate_sha256"]),
                r["handed_over_on"].isoformat(),
                r["batch"],
            ]
        )
    return out.getvalue()


def html(report: DisposalReport) -> str:
    rows = report.rows()
    return render_to_string(
        "assets/disposal_report_pdf.html",
        {
            "report": report,
            "rows": rows[:PDF_ROWS],
            "more": max(0, len(rows) - PDF_ROWS),
            "total": len(rows),
        },
    )


def pdf(report: DisposalReport) -> bytes:
    """The report as a PDF document (no network access while rendering)."""
    from weasyprint import HTML  # noqa: PLC0415 - heavy (Pango, fonts): loaded when a PDF is made

    return HTML(string=html(report), url_fetcher=refuse_fetch).write_pdf()

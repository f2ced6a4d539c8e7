"""The asset reports of one client: warranties expiring (within 30, 60 and 90 days, and
already expired on assets still deployed) and the age of the fleet (assets by purchase year
and kind). Read through `assets_visible_to`, so an agent sees only a client they serve and an
organisation admin only their own.

Decisions: "today" is the client's own date (its time zone); retired and disposed assets are
left out of both reports (they are out of service: no warranty to chase, not part of the
fleet's age); an asset without a purchase date is counted under "unknown".
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count
from django.db.models.functions import ExtractYear

from deskside.accounts.models import Organization, User
from deskside.assets.models import Asset, AssetKind, Lifecycle
from deskside.assets.queries.assets import LIST_RELATED, assets_visible_to
from deskside.core import clock
from deskside.core.timezones import zone

OUT_OF_SERVICE = (Lifecycle.RETIRED, Lifecycle.DISPOSED)
WINDOWS = (30, 60, 90)
ROWS_MAX = 500
UNKNOWN = "unknown"


def client_today(organization: Organization) -> date:
    """Today's date in the client's time zone."""
    return clock.now().astimezone(zone(organization.timezone)).date()


@dataclass
class WarrantyReport:
    organization: Organization
    today: date
    expired_deployed: list[Asset]
    # window (30, 60, 90) -> assets whose warranty ends after the previous window, within it
    expiring: dict[int, list[Asset]]
    counts: dict[str, int] = field(default_factory=dict)


def warranty(user: User, organization: Organization) -> WarrantyReport:
    """Assets in service of `organization` whose warranty ends within 90 days, by window, and
    those deployed with a warranty already over (at most ROWS_MAX each)."""
    today = client_today(organization)
    base = (
        assets_visible_to(user)
        .filter(organization=organization)
        .exclude(status__in=OUT_OF_SERVICE)
        .select_related(*LIST_RELATED)
    )
    expired = list(
        base.filter(status=Lifecycle.DEPLOYED, warranty_end__lt=today).order_by(
            "warranty_end", "asset_tag", "id"
        )[:ROWS_MAX]
    )
    expiring: dict[int, list[Asset]] = {}
    start = today
    for days in WINDOWS:
        end = today + timedelta(days=days)
        expiring[days] = list(
            base.filter(warranty_end__gte=start, warranty_end__lte=end).order_by(
                "warranty_end", "asset_tag", "id"
            )[:ROWS_MAX]
        )
        start = end + timedelta(days=1)
    counts = {"expired_deployed": len(expired), **{str(d): len(expiring[d]) for d in WINDOWS}}
    return WarrantyReport(organization, today, expired, expiring, counts)


@dataclass
class AgeReport:
    organization: Organization
    years: list[str]  # oldest first, "unknown" last
    kinds: list[tuple[str, str]]  # (value, label) of the kinds present
    table: dict[str, dict[str, int]]  # year -> kind -> count
    total: int


def age(user: User, organization: Organization) -> AgeReport:
    """Assets in service of `organization` counted by purchase year and kind (one query)."""
    rows = (
        assets_visible_to(user)
        .filter(organization=organization)
        .exclude(status__in=OUT_OF_SERVICE)
        .annotate(year=ExtractYear("purchase_date"))
        .values("year", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    table: dict[str, dict[str, int]] = {}
    present: set[str] = set()
    total = 0
    for row in rows:
        year = str(row["year"]) if row["year"] is not None else UNKNOWN
        table.setdefault(year, {})
        table[year][row["kind"]] = table[year].get(row["kind"], 0) + row["n"]
        present.add(row["kind"])
        total += row["n"]
    years = sorted(y for y in table if y != UNKNOWN) + ([UNKNOWN] if UNKNOWN in table else [])
    kinds = [(k.value, k.label) for k in AssetKind if k.value in present]
    return AgeReport(organization, years, kinds, table, total)


def age_csv_rows(report: AgeReport) -> list[list[str | int]]:
    """The age table as CSV rows: a header, one row per year, a total."""
    header: list[str | int] = ["purchase year", *[label for _, label in report.kinds], "total"]
    out: list[list[str | int]] = [header]
    for year in report.years:
        counts = [report.table[year].get(kind, 0) for kind, _ in report.kinds]
        out.append([year, *counts, sum(counts)])
    totals = [sum(report.table[y].get(kind, 0) for y in report.years) for kind, _ in report.kinds]
    out.append(["total", *totals, report.total])
    return out

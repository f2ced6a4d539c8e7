"""How long each report takes over a year of every client (issue 16: p99 < 1 s at a million
tickets): `deskside.reports.queries.run`, the work behind /reports/<name>/, its chart, its CSV
and GET /api/v1/reports/<name>, as an unrestricted agent viewing in New York.

    # the data set of bench/seed.py (e.g. --tickets 1000000 --name r1m --agents 200
    # --customers 20000), migrated with this branch (deskside migrate, its DESKSIDE_DATA_DIR)
    python bench/reports.py --data-dir /work/benchdata-reports/r1m [--runs 7] [--days 365]

For each report (the volume report twice: per week by channel, per month by client) prints
the median, the p99 (with few runs, the slowest) and the rows it returned, for the year up to
the data set's newest ticket. Also times the chart's SVG of each.

First it brings the reports' stored figures up to date, as the worker's lane keeps them on a
running desk (`deskside reports figures`; a first build at a million tickets takes 15-60 s,
printed), and with `--changed N` marks the N newest tickets as changed since, so the reports
also work those out from the tickets (a busy desk between two passes of the worker).
`--from-tickets` times the reports without the stored figures (as before the first build).
"""

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from staffing import setup_django


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", required=True, type=Path)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--only", default="", help="comma-separated report names")
    p.add_argument("--changed", type=int, default=0, help="newest tickets to mark as changed")
    p.add_argument("--from-tickets", action="store_true", help="without the stored figures")
    args = p.parse_args()
    info = setup_django(args.data_dir)

    from django.db import connection  # noqa: PLC0415
    from django.db.models import Count, Max  # noqa: PLC0415
    from django.urls import get_resolver  # noqa: PLC0415

    from deskside.accounts.models import User  # noqa: PLC0415
    from deskside.core import clock  # noqa: PLC0415
    from deskside.reports import chart, figures, queries  # noqa: PLC0415
    from deskside.reports.models import FiguresMark, FiguresState  # noqa: PLC0415
    from deskside.reports.scope import Scope  # noqa: PLC0415
    from deskside.tickets.models import Ticket  # noqa: PLC0415
    from deskside.tickets.queries import visible_tickets  # noqa: PLC0415

    agent = (
        User.objects.filter(kind="agent", is_active=True)
        .annotate(limited=Count("served_organizations"))
        .filter(limited=0)
        .order_by("id")
        .first()
    )
    newest = Ticket.objects.aggregate(m=Max("created_at"))["m"]
    zone = ZoneInfo("America/New_York")
    end = newest.astimezone(zone).date()
    start = end - timedelta(days=args.days - 1)
    cases = [(name, Scope(start, end, zone)) for name in queries.REPORTS]
    cases.insert(1, ("volume", Scope(start, end, zone, bucket="month", by="client")))
    if args.only:
        cases = [c for c in cases if c[0] in args.only.split(",")]
    total = Ticket.objects.count()
    began = time.perf_counter()
    built = figures.build(
        progress=lambda done, top: print(f"\rfigures {done:,}/{top:,}", end="", file=sys.stderr)
    )
    figures.catch_up()
    print(
        f"\rstored figures up to date ({built=}) in {time.perf_counter() - began:.1f} s",
        file=sys.stderr,
    )
    if connection.vendor == "postgresql":  # what autovacuum does within a minute of a build
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reports_ticketfigures, reports_durationrollup")
    newest_ids = Ticket.objects.order_by("-pk").values_list("pk", flat=True)[: args.changed]
    FiguresMark.objects.bulk_create([FiguresMark(ticket_id=pk) for pk in newest_ids])
    saved = FiguresState.objects.values_list("pk", "through_ticket").first()
    if args.from_tickets:
        FiguresState.objects.update(through_ticket=None)
    print(
        f"{connection.vendor}, {total:,} tickets, {start} to {end} ({args.days} days), "
        f"{args.runs} runs each; data set {info.get('name', args.data_dir.name)}; "
        f"{'from the tickets' if args.from_tickets else 'stored figures'}, "
        f"{args.changed:,} changed"
    )
    # A running server has its URLconf loaded; the first report's links would otherwise
    # import every view (seconds) inside the first timed run.
    get_resolver().url_patterns  # noqa: B018
    with clock.frozen(newest + timedelta(hours=1)):
        for name, scope in cases:
            seconds, svg_seconds, report = [], [], None
            for _ in range(args.runs):
                began = time.perf_counter()
                report = queries.run(name, visible_tickets(agent), scope)
                seconds.append(time.perf_counter() - began)
                began = time.perf_counter()
                chart.svg(report.chart)
                svg_seconds.append(time.perf_counter() - began)
            label = name if name != "volume" else f"volume ({scope.bucket} by {scope.by})"
            print(
                f"{label:34} median {statistics.median(seconds):6.3f} s  p99 {p99(seconds):6.3f} s"
                f"  chart {statistics.median(svg_seconds):5.3f} s  rows {len(report.rows)}"
                f"  runs {' '.join(f'{s:.3f}' for s in seconds)}"
            )
    FiguresMark.objects.filter(ticket_id__in=list(newest_ids)).delete()
    if saved is not None:
        FiguresState.objects.filter(pk=saved[0]).update(through_ticket=saved[1])


if __name__ == "__main__":
    main()

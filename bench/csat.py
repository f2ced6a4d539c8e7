"""How long the CSAT report takes over a year of all clients (issue 16: every report p99 < 1 s
at a million tickets): `deskside.surveys.report.build`, the work behind /surveys/, its CSV and
chart and GET /api/v1/surveys/report (one grouped COUNT over the surveys of the period).

    python bench/seed.py --tickets 1000000 --name csat          # a data set (bench/seed.py)
    python bench/csat.py --data-dir bench/data/csat [--runs 20] [--days 365]

The seeder writes tickets, not surveys: the first run adds one survey per resolved ticket
whose requester is a customer (as the resolution hook would), about 60 % answered (70 % good,
18 % okay, 12 % bad), in batches, and says how long that took. Then, for the year up to the
newest resolution, as an unrestricted agent, it times the report per client, per agent and
per team, and prints the median, p99 and every run's milliseconds with the totals.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
BATCH = 5000


def setup_django(data_dir: Path) -> dict:
    info = json.loads((data_dir / "info.json").read_text())
    os.environ["DESKSIDE_DATA_DIR"] = info.get("data_dir") or str(data_dir)
    if info.get("database_url"):
        os.environ["DATABASE_URL"] = info["database_url"]
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")
    sys.path.insert(0, str(REPO_DIR))
    import django  # noqa: PLC0415 - after the data set's environment is set

    django.setup()
    return info


def seed_surveys() -> int:
    """One survey per resolved ticket of a customer (skipped when surveys exist)."""
    from django.db import transaction  # noqa: PLC0415

    from deskside.surveys.models import Survey  # noqa: PLC0415
    from deskside.tickets.models import Ticket  # noqa: PLC0415

    if Survey.objects.exists():
        return 0
    rng = random.Random(16)
    rows = (
        Ticket.objects.filter(resolved_at__isnull=False, requester__kind="customer")
        .order_by("id")
        .values_list(
            "id", "organization_id", "requester_id", "assignee_id", "team_id", "resolved_at"
        )
        .iterator(chunk_size=BATCH)
    )
    batch: list[Survey] = []
    written = 0
    for pk, org, requester, assignee, team, resolved in rows:
        survey = Survey(
            ticket_id=pk,
            organization_id=org,
            requester_id=requester,
            agent_id=assignee,
            team_id=team,
            resolved_at=resolved,
            created_at=resolved,
        )
        if rng.random() < 0.6:
            roll = rng.random()
            survey.rating = "good" if roll < 0.7 else "okay" if roll < 0.88 else "bad"
            survey.answered_at = resolved + timedelta(hours=rng.randint(1, 72))
            survey.via = "link"
        batch.append(survey)
        if len(batch) >= BATCH:
            with transaction.atomic():
                Survey.objects.bulk_create(batch)
            written += len(batch)
            batch = []
            sys.stderr.write(f"\rsurveys: {written:,}")
    if batch:
        with transaction.atomic():
            Survey.objects.bulk_create(batch)
        written += len(batch)
    sys.stderr.write(f"\rsurveys: {written:,}\n")
    return written


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", required=True, type=Path)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--days", type=int, default=365)
    args = p.parse_args()
    info = setup_django(args.data_dir)

    from django.db import connection  # noqa: PLC0415
    from django.db.models import Count, Max  # noqa: PLC0415

    from deskside.accounts.models import User  # noqa: PLC0415
    from deskside.core.timezones import zone  # noqa: PLC0415
    from deskside.surveys.models import Survey  # noqa: PLC0415
    from deskside.surveys.report import build  # noqa: PLC0415

    t0 = time.monotonic()
    added = seed_surveys()
    if added:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        print(f"seeded {added:,} surveys in {time.monotonic() - t0:.1f} s")
    agent = (
        User.objects.filter(kind="agent", is_active=True)
        .annotate(limited=Count("served_organizations"))
        .filter(limited=0)
        .order_by("id")
        .first()
    )
    newest = Survey.objects.aggregate(m=Max("resolved_at"))["m"].date()
    start = newest - timedelta(days=args.days - 1)
    tz = zone("America/New_York")
    print(
        f"{connection.vendor}, {info.get('tickets', '?'):,} tickets, "
        f"{Survey.objects.count():,} surveys; report {start} to {newest} (New York days)"
    )
    for by in ("client", "agent", "team"):
        times = []
        for _ in range(args.runs):
            r0 = time.perf_counter()
            report = build(agent, start=start, end=newest, by=by, tz=tz)
            times.append((time.perf_counter() - r0) * 1000)
        ordered = sorted(times)
        p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
        t = report.total
        print(
            f"per {by:6}: median {statistics.median(times):7.1f} ms, p99 {p99:7.1f} ms "
            f"({len(report.rows)} rows; sent {t.sent:,}, answered {t.answered:,}, "
            f"CSAT {t.csat} %)  runs: {' '.join(f'{x:.0f}' for x in times)}"
        )


if __name__ == "__main__":
    main()

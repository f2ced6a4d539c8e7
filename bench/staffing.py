"""How long the staffing calculator takes over a year of tickets (issue 15: < 5 s at a million
tickets): `deskside.staffing.calculator.calculate`, the work behind /staffing/, its CSV and
POST /api/v1/staffing/calculate (the grouped count of arrivals per hour, the logged call time,
Erlang C for the 168 hours of the week, the shift cover and the roster's coming week).

    # a COPY of a shared data set, migrated (deskside migrate with its DESKSIDE_DATA_DIR)
    python bench/staffing.py --data-dir /work/benchdata/staffing [--runs 5] [--days 365]

Two cases, each for the year up to the data set's newest ticket, as an unrestricted
administrator: the whole desk, and the team with the most tickets (with a roster of three
8-hour shifts added to the copy when it has none, so the roster difference is part of the
work). Prints the median and every run's seconds, and the figures of the result.
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent


def setup_django(data_dir: Path) -> dict:
    info = json.loads((data_dir / "info.json").read_text())
    os.environ["DESKSIDE_DATA_DIR"] = str(data_dir)
    if info.get("database_url"):
        os.environ["DATABASE_URL"] = info["database_url"]
    else:
        os.environ.pop("DATABASE_URL", None)
        if not (data_dir / "deskside.sqlite3").exists():
            sys.exit(f"{data_dir} holds no deskside.sqlite3: copy a data set there first")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")
    sys.path.insert(0, str(REPO_DIR))
    import django  # noqa: PLC0415 - after the data set's environment is set

    django.setup()
    return info


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", required=True, type=Path)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--days", type=int, default=365)
    args = p.parse_args()
    setup_django(args.data_dir)

    from django.db.models import Count, Max  # noqa: PLC0415

    from deskside.accounts.models import Team, User  # noqa: PLC0415
    from deskside.rosters.models import Roster, ShiftDefinition  # noqa: PLC0415
    from deskside.staffing.calculator import Request, calculate  # noqa: PLC0415
    from deskside.tickets.models import Ticket  # noqa: PLC0415

    admin = (
        User.objects.filter(kind="agent", is_staff=True, is_active=True)
        .annotate(limited=Count("served_organizations"))
        .filter(limited=0)
        .order_by("id")
        .first()
    )
    newest = Ticket.objects.aggregate(m=Max("created_at"))["m"].date()
    end = newest - timedelta(days=1)
    start = end - timedelta(days=args.days - 1)
    busiest = (
        Ticket.objects.filter(team__isnull=False)
        .values("team")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    team = Team.objects.get(pk=busiest["team"])
    if not Roster.objects.filter(team=team).exists():
        roster = Roster.objects.create(
            team=team, timezone="America/New_York", cycle_start=date(2026, 1, 5), cycle_days=7
        )
        for position, (code, name, begin, finish) in enumerate(
            [
                ("E", "Early", "07:00", "15:00"),
                ("L", "Late", "15:00", "23:00"),
                ("N", "Night", "23:00", "07:00"),
            ]  # fmt: skip
        ):
            ShiftDefinition.objects.create(
                roster=roster, code=code, name=name, start=begin, end=finish, position=position
            )
    print(
        f"load average {os.getloadavg()[0]:.2f}; {args.runs} runs each; "
        f"{start} to {end} ({args.days} days) as {admin.email}"
    )
    for label, which in (("whole desk", None), (f"team {team.slug}", team)):
        seconds = []
        result = None
        for _ in range(args.runs):
            began = time.perf_counter()
            result = calculate(admin, Request(team=which, start=start, end=end))
            seconds.append(time.perf_counter() - began)
        assert result is not None
        peak = result.peak
        print(
            f"{label}: median {statistics.median(seconds):.2f} s "
            f"(runs {', '.join(f'{s:.2f}' for s in seconds)}); {result.tickets:,} tickets, "
            f"peak {peak.label} {peak.arrivals:.1f}/h -> {peak.agents} agents, "
            f"{peak.agents_rostered} rostered; {result.people_shifts} person-shifts a week "
            f"({result.shift_source} shifts)"
        )


if __name__ == "__main__":
    main()

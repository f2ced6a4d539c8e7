"""Time one SLA worker pass (`deskside.sla.worker.tick`) at a million open tickets.

    DESKSIDE_DATA_DIR=bench/data/sla-sqlite python bench/sla_worker.py --name sla-sqlite
    psql -h 127.0.0.1 -U postgres -c 'create database deskside_bench_sla'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/deskside_bench_sla \\
        python bench/sla_worker.py --name sla-postgres

The first run seeds the database (migrate, then N OPEN tickets written directly with
executemany, 5,000 per transaction): 12 client organisations (6 with a contract of their own,
the others on the default one, office hours Mon-Fri 08:00-18:00 in their zones), 20 agents in
4 teams with leads, every ticket assigned, due times in the future and `sla_check_at` at their
warnings. Later runs reuse it (same --tickets).

Each timed run first re-arms `--due-percent` (1 %) of the tickets outside the timing: their
fired bits are cleared and `sla_check_at` set in the past, half of them with the first response
already breached (a breach fires) and half with it coming due (a warning fires). Then ONE pass,
`tick()`, is timed: reading the due rows by the sla_check_at index, deciding, claiming, writing
the events and building the mails (to the assignee and the team lead; the dummy mail backend
by default, so sending costs nothing: `--email-backend` to change). The median of `--runs`
runs (5) is printed with each run's figures, and written to bench/results/sla_worker-<name>.json.
"""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
sys.path.insert(0, str(REPO_DIR))
# Where data sets and results go: bench/data/ and bench/results/, or DESKSIDE_BENCH_DATA_DIR and
# DESKSIDE_BENCH_RESULTS_DIR (the tests use temporary ones).
DATA_ROOT = Path(os.environ.get("DESKSIDE_BENCH_DATA_DIR") or BENCH_DIR / "data")
RESULTS = Path(os.environ.get("DESKSIDE_BENCH_RESULTS_DIR") or BENCH_DIR / "results")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--name", required=True, help="data set name: bench/data/<name>")
    p.add_argument("--tickets", type=int, default=1_000_000)
    p.add_argument("--due-percent", type=float, default=1.0)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=None, help="worker batch size")
    p.add_argument("--seed-only", action="store_true", help="seed (if needed) and stop")
    p.add_argument("--profile", action="store_true", help="cProfile each pass, print the top")
    p.add_argument("--email-backend", default="django.core.mail.backends.dummy.EmailBackend")
    return p.parse_args()


ARGS = parse_args()
DATA = DATA_ROOT / ARGS.name
DATA.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DESKSIDE_DATA_DIR", str(DATA))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")
os.environ["DESKSIDE_EMAIL_BACKEND"] = ARGS.email_backend

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402

from deskside.accounts.models import Organization, Team, Tier, User  # noqa: E402
from deskside.sla import worker  # noqa: E402
from deskside.sla.models import Calendar, Contract, SLATarget  # noqa: E402
from deskside.tickets.models import Priority, Status, Ticket, TicketEvent  # noqa: E402

ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Singapore"]
COLUMNS = [
    "organization_id",
    "requester_id",
    "subject",
    "description",
    "type",
    "priority",
    "channel",
    "status",
    "tier",
    "team_id",
    "assignee_id",
    "created_by_id",
    "first_contact_resolution",
    "escalation_count",
    "created_at",
    "updated_at",
    "first_response_due",
    "first_responded_at",
    "resolution_due",
    "sla_check_at",
    "sla_fired",
]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def setup_directory() -> tuple[list[Organization], list[User], list[Team], list[User]]:
    msp = Organization.objects.create(name="Bench MSP", slug="bench-msp", is_msp=True)
    calendars = [
        Calendar.objects.create(
            name=f"Office hours {zone}",
            definition={
                "timezone": zone,
                "weekly": {d: [["08:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
            },
        )
        for zone in ZONES
    ]
    default = Contract.objects.create(name="Default", is_default=True, calendar=calendars[0])
    SLATarget.objects.create(
        contract=default, priority=Priority.P3, first_response_minutes=60, resolution_minutes=960
    )
    orgs, customers = [], []
    for i in range(12):
        org = Organization.objects.create(name=f"Client {i}", slug=f"client-{i}")
        orgs.append(org)
        customers.append(
            User.objects.create_user(
                f"user{i}@client{i}.example", kind="customer", organization=org
            )
        )
        if i % 2 == 0:
            contract = Contract.objects.create(
                name=f"Client {i} contract", organization=org, calendar=calendars[i % 4]
            )
            SLATarget.objects.create(
                contract=contract,
                priority=Priority.P3,
                first_response_minutes=30 + i,
                resolution_minutes=480 + 10 * i,
            )
    agents = [
        User.objects.create_user(
            f"agent{i}@msp.example", kind="agent", tier=Tier.L1, organization=msp
        )
        for i in range(20)
    ]
    teams = [
        Team.objects.create(name=f"Team {i}", slug=f"team-{i}", lead=agents[i]) for i in range(4)
    ]
    return orgs, customers, teams, agents


def seed(n: int) -> None:
    started = time.perf_counter()
    orgs, customers, teams, agents = setup_directory()
    now = datetime.now(UTC)
    adapt = connection.ops.adapt_datetimefield_value
    table = Ticket._meta.db_table
    sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    batch = 5000
    for first in range(0, n, batch):
        rows = []
        for i in range(first, min(n, first + batch)):
            k = i % 12
            created = now - timedelta(minutes=(n - i) // 50)
            first_due = now + timedelta(hours=1 + i % 200)
            rows.append(
                (
                    orgs[k].pk,
                    customers[k].pk,
                    f"Bench ticket {i}",
                    "",
                    "incident",
                    int(Priority.P3),
                    "web",
                    Status.OPEN.value,
                    Tier.L1.value,
                    teams[i % 4].pk,
                    agents[i % 20].pk,
                    agents[i % 20].pk,
                    False,
                    0,
                    adapt(created),
                    adapt(created),
                    adapt(first_due),
                    None,
                    adapt(first_due + timedelta(days=2)),
                    adapt(first_due - timedelta(minutes=15)),
                    0,
                )
            )
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(sql, rows)
        done = min(n, first + batch)
        if done % 100_000 == 0 or done == n:
            rate = done / (time.perf_counter() - started)
            log(f"seeded {done:,} tickets ({rate:,.0f}/s)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {table}")
    log(f"seeding took {time.perf_counter() - started:.1f}s")


def armed(half: int):
    """The due share of the tickets: every k-th id; half 0 and half 1 split it in two."""
    k = round(100 / ARGS.due_percent)
    return Ticket.objects.alias(m=F("id") % (2 * k)).filter(m=half * k)


def arm(now: datetime) -> int:
    """Make the due share of tickets due again (outside the timing)."""
    with transaction.atomic():
        breach = armed(0)
        n = breach.update(
            sla_fired=0,
            first_responded_at=None,
            first_response_due=now - timedelta(minutes=30),
            resolution_due=now + timedelta(days=3),
            sla_check_at=now - timedelta(minutes=40),
        )
        warn = armed(1)
        n += warn.update(
            sla_fired=0,
            first_responded_at=None,
            first_response_due=now + timedelta(minutes=2),
            resolution_due=now + timedelta(days=3),
            sla_check_at=now - timedelta(minutes=10),
        )
    return n


def main() -> int:
    call_command("migrate", verbosity=0)
    if not Ticket.objects.exists():
        seed(ARGS.tickets)
    count = Ticket.objects.count()
    open_count = Ticket.objects.filter(status=Status.OPEN).count()
    log(f"{count:,} tickets, {open_count:,} open, on {connection.vendor}")
    if ARGS.seed_only:
        return 0
    kwargs = {"batch_size": ARGS.batch_size} if ARGS.batch_size else {}
    runs = []
    for run in range(ARGS.runs):
        now = datetime.now(UTC)
        n = arm(now)
        events_before = TicketEvent.objects.count()
        if ARGS.profile:
            profiler = cProfile.Profile()
            result = profiler.runcall(worker.tick, now, **kwargs)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        else:
            result = worker.tick(now, **kwargs)
        written = TicketEvent.objects.count() - events_before
        # A second pass at the same instant finds nothing to do: each firing happened once.
        again = worker.tick(now, **kwargs)
        runs.append(
            {
                "armed": n,
                "seconds": round(result.seconds, 4),
                "due": result.due,
                "claimed": result.claimed,
                "warnings": result.warnings,
                "breaches": result.breaches,
                "mails": result.mails,
                "batches": result.batches,
                "fallbacks": result.fallbacks,
                "events_written": written,
                "second_pass_due": again.due,
            }
        )
        print(f"run {run + 1}: {result.line()} (armed {n}, events {written}, again {again.due})")
        if result.claimed != n or written != n or again.due:
            print("  unexpected counts: see above", file=sys.stderr)
            return 1
    median = statistics.median(r["seconds"] for r in runs)
    summary = {
        "name": ARGS.name,
        "vendor": connection.vendor,
        "tickets": count,
        "open": open_count,
        "due_per_pass": runs[0]["armed"],
        "batch_size": ARGS.batch_size or worker.BATCH_SIZE,
        "median_seconds": median,
        "runs": runs,
        "load_average": os.getloadavg(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    out = RESULTS / f"sla_worker-{ARGS.name}.json"
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(
        f"{connection.vendor}: one pass over {runs[0]['armed']:,} due of {open_count:,} open "
        f"tickets: median {median:.3f}s over {len(runs)} runs -> {os.path.relpath(out, REPO_DIR)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

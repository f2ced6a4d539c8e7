"""One recurring pass over 10,000 schedules (issue 18: < 1 s), in one process.

Seeds (bulk, once per database; a database already seeded is reused when its figures match):

- CLIENTS clients (default 50), each with a contact (the requester), in eight time zones
  (Americas, Europe, Asia, Australia), one agent who owns every schedule;
- TOTAL schedules (default 10,000) spread over the clients and zones: monthly, weekly,
  quarterly and daily rules at local times, each with its `next_run_at` in the future, except
  RUNS groups of DUE schedules (default 5 x 200): group k's daily rule falls at `base + k
  minutes`, so the pass run at that instant finds exactly that group due (the earlier groups
  were moved to tomorrow by their own pass).

Each run freezes the clock just after its group's instant and times `recurring_pass()`: the
due schedules are found through the index on `next_run_at`, claimed, their occurrence computed
in the client's zone, one OPS ticket (through `tickets.create_ticket`, with its event, search
row and hooks) and its Occurrence row written per schedule, the next deadline set. The other
schedules are never read. Prints each run and the median.

    DESKSIDE_DATA_DIR=/tmp/rp python bench/recurring_pass.py [--total 10000] [--due 200]
        [--runs 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rp DESKSIDE_DATA_DIR=/tmp/rp-pg \\
        python bench/recurring_pass.py
"""

import argparse
import os
import random
import statistics
import sys
import time as timer
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from deskside.accounts import services as accounts  # noqa: E402
from deskside.accounts.models import Organization, Tier, User  # noqa: E402
from deskside.core import clock  # noqa: E402
from deskside.recurring import rules, worker  # noqa: E402
from deskside.recurring.models import Schedule  # noqa: E402
from deskside.tickets import services as tickets  # noqa: E402
from deskside.tickets.models import Channel, Priority, TicketType  # noqa: E402

OWNER = "rp-owner@msp.example"
ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
]
LATER_RULES = [
    "FREQ=MONTHLY;BYDAY=+2TU;BYHOUR=22;BYMINUTE=0",
    "FREQ=MONTHLY;BYDAY=1MO;BYHOUR=9;BYMINUTE=0",
    "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1;BYHOUR=10",
    "FREQ=WEEKLY;BYDAY=FR;BYHOUR=16;BYMINUTE=30",
]
BASE = datetime(2027, 6, 15, 12, 0, tzinfo=UTC)  # group k falls at BASE + k minutes


def _occurrences(text: str, zone: str, start_local: datetime, after: datetime) -> datetime:
    tz = rules.parse_zone(zone)
    return rules.next_after(rules.parse(text, start_local, tz), tz, after)  # type: ignore[return-value]


def seed(
    total: int, due: int, runs: int, clients: int, rng: random.Random, *, prefix: str = "rp"
) -> dict:
    """Seed the schedules (see the module docstring). Returns what the runs need."""
    msp = accounts.create_organization(name="Bench MSP", slug=f"{prefix}-msp", is_msp=True)
    owner = accounts.create_user(
        email=f"{prefix}-owner@msp.example",
        full_name="Bench Owner",
        kind="agent",
        tier=Tier.L3,
        organization=msp,
    )
    orgs, contacts = [], []
    for i in range(clients):
        zone = ZONES[i % len(ZONES)]
        org = accounts.create_organization(
            name=f"Bench client {i:03d}", slug=f"{prefix}-client-{i:03d}", timezone=zone
        )
        orgs.append(org)
        contacts.append(
            accounts.create_user(
                email=f"{prefix}-contact-{i}@client{i}.example",
                full_name=f"Contact {i}",
                organization=org,
            )
        )
    made_at = BASE - timedelta(days=40)
    start_local = datetime(2027, 1, 1, 0, 0)
    later_next: dict[tuple[str, str], datetime] = {}
    rows = []
    for n in range(total):
        c = n % clients
        org, zone = orgs[c], orgs[c].timezone
        group = n // due if n < due * runs else None
        if group is not None:
            instant = BASE + timedelta(minutes=group)
            local = instant.astimezone(rules.parse_zone(zone))
            text = f"FREQ=DAILY;BYHOUR={local.hour};BYMINUTE={local.minute}"
            next_run, last, updated = instant, instant - timedelta(days=1), made_at
        else:
            text = rng.choice(LATER_RULES)
            key = (text, zone)
            if key not in later_next:
                later_next[key] = _occurrences(text, zone, start_local, BASE + timedelta(days=1))
            next_run, last, updated = later_next[key], None, made_at
        rows.append(
            Schedule(
                organization=org,
                name=f"Bench schedule {n}",
                rule=text,
                starts_at_local=rules.stored(start_local),
                timezone=zone,
                subject=f"Routine check {n}",
                requester=contacts[c],
                created_by=owner,
                next_run_at=next_run,
                last_occurrence_at=last,
                created_at=made_at,
                updated_at=updated,
            )
        )
    with transaction.atomic():
        Schedule.objects.bulk_create(rows, batch_size=1000)
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give them
        cursor.execute(f"ANALYZE {Schedule._meta.db_table}")
    return {"owner": owner, "runs": runs}


def one_run(k: int) -> tuple[float, worker.PassResult]:
    """Run the pass at group k's instant (+30 s); (seconds, what it did)."""
    at = BASE + timedelta(minutes=k, seconds=30)
    with clock.frozen(at):
        started = timer.perf_counter()
        result = worker.recurring_pass(now=at)
        return timer.perf_counter() - started, result


def idle_run() -> float:
    """The pass when nothing is due (a minute before the first group): the cost of looking."""
    at = BASE - timedelta(minutes=1)
    with clock.frozen(at):
        started = timer.perf_counter()
        result = worker.recurring_pass(now=at)
        assert result.claimed == 0
        return timer.perf_counter() - started


def ticket_baseline(n: int, owner: User) -> float:
    """Seconds for `n` plain `create_ticket` calls like the pass's (the ticket service's own
    cost, hooks included), for comparison."""
    schedule = Schedule.objects.select_related("organization", "requester").order_by("id").first()
    assert schedule is not None
    started = timer.perf_counter()
    for _ in range(n):
        tickets.create_ticket(
            actor=owner,
            ticket=tickets.NewTicket(
                subject="Baseline",
                organization=schedule.organization,
                requester=schedule.requester,
                type=TicketType.OPERATIONAL,
                priority=Priority.OPS,
                channel=Channel.API,
            ),
        )
    return timer.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--total", type=int, default=10_000, help="schedules")
    parser.add_argument("--due", type=int, default=200, help="schedules due per pass")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    from django.core.management import call_command  # noqa: PLC0415 - after setup

    call_command("migrate", verbosity=0)
    if (
        User.objects.filter(email=OWNER).exists()
        or Organization.objects.filter(slug="rp-msp").exists()
    ):
        sys.exit("this database is seeded already: give a fresh DESKSIDE_DATA_DIR / database")
    started = timer.perf_counter()
    seeded = seed(args.total, args.due, args.runs, args.clients, random.Random(2026))
    print(
        f"{connection.vendor}: seeded {args.total:,} schedules over {args.clients} clients in "
        f"{timer.perf_counter() - started:.1f} s ({args.runs} groups of {args.due} due)"
    )
    idle = [idle_run() for _ in range(args.runs)]
    print(
        f"pass with nothing due over {Schedule.objects.count():,} schedules: median "
        f"{statistics.median(idle) * 1000:.1f} ms"
    )
    times = []
    for k in range(args.runs):
        seconds, result = one_run(k)
        times.append(seconds)
        print(
            f"run {k + 1}: {seconds * 1000:.0f} ms  (claimed {result.claimed}, opened "
            f"{result.opened}, skipped {result.skipped}, lost {result.lost}, failed "
            f"{result.failed})"
        )
    print(
        f"recurring pass over {Schedule.objects.count():,} schedules, {args.due} due "
        f"({connection.vendor}): median {statistics.median(times) * 1000:.0f} ms of "
        f"{args.runs} runs, {statistics.median(times) / args.due * 1000:.1f} ms per due schedule"
    )
    baseline = ticket_baseline(args.due, seeded["owner"])
    print(
        f"for comparison, {args.due} create_ticket calls alone: {baseline * 1000:.0f} ms "
        f"({baseline / args.due * 1000:.1f} ms per ticket)"
    )


if __name__ == "__main__":
    main()

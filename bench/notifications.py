"""Notification reads at scale: the unread count and the first page of the list of one agent,
as the navigation's poll and the notification centre read them.

On a seeded data set (bench/seed.py, e.g. `--agents 200`), it writes PER_AGENT notifications
for every agent (default 5,000 each: 200 agents -> 1,000,000 rows) over random tickets, newest
last, the newest UNREAD share of each agent's unread (default 2 %: 100 unread each, the rest
read, as on a desk where people open what they are told), then times, for SAMPLES random
agents, each of:

- count: `queries.unread_count(agent)` (the partial index on unread rows);
- list:  the first page (50 + 1 rows) of `queries.notifications_of(agent)`, newest first;
- list unread: the same over the unread ones;
- poll: GET /notifications/count/ through the whole Django stack (test client, signed in),
  what each open page asks every 15 s.

and prints p50 / p99 / max in milliseconds, with the query plans. The rows are written once
(a data set that already holds them is reused; `--rewrite` deletes and writes them again).

    DESKSIDE_DATA_DIR=/path/to/data-set python bench/notifications.py [--per-agent 5000]
        [--unread 0.02] [--samples 2000] [--out bench/results/notifications.md]

The data set must be migrated first (`python -m django migrate --settings=deskside.settings`
with the same DESKSIDE_DATA_DIR / DATABASE_URL).
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from deskside.accounts.models import User  # noqa: E402
from deskside.core import bulk  # noqa: E402
from deskside.core.pagination import fetch_page  # noqa: E402
from deskside.notifications.models import Kind, Notification  # noqa: E402
from deskside.notifications.queries import notifications_of, unread_count  # noqa: E402
from deskside.tickets.models import Ticket  # noqa: E402

COLUMNS = ("recipient", "kind", "ticket", "actor", "title", "text", "created_at", "read_at")
BATCH = 20_000
KINDS = [Kind.ASSIGNED, Kind.ESCALATED, Kind.REPLIED, Kind.MENTIONED, Kind.SLA, Kind.PAGED]
WEIGHTS = [30, 10, 35, 10, 12, 3]


def write(agents: list[int], per_agent: int, unread: float, seed: int) -> None:
    rng = random.Random(seed)
    top = Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 0
    if not top:
        sys.exit("the data set has no tickets: seed it first (bench/seed.py)")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    unread_each = max(1, int(per_agent * unread))
    total = len(agents) * per_agent
    t0 = time.perf_counter()
    rows: list[tuple[object, ...]] = []
    done = 0
    # Interleave the agents (one round = one row each), as notifications arrive over time:
    # ids rise with time and each agent's rows are spread over the whole table.
    for i in range(per_agent):
        at = start + timedelta(minutes=i * 10)
        read_at = None if i >= per_agent - unread_each else at + timedelta(minutes=5)
        for agent in agents:
            kind = rng.choices(KINDS, WEIGHTS)[0]
            ticket = rng.randint(max(1, top - 200_000), top)
            rows.append((agent, kind, ticket, None, f"T-{ticket} {kind}", "Bench", at, read_at))
            if len(rows) >= BATCH:
                with transaction.atomic():
                    bulk.insert_many(Notification, COLUMNS, rows)
                done += len(rows)
                rows = []
                rate = done / (time.perf_counter() - t0)
                print(f"  {done:,}/{total:,} rows, {rate:,.0f}/s", file=sys.stderr, end="\r")
    if rows:
        with transaction.atomic():
            bulk.insert_many(Notification, COLUMNS, rows)
    print(f"\n  wrote {total:,} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    with connection.cursor() as cursor:
        # As autovacuum would on PostgreSQL: the visibility map lets the count be index-only.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def ms(samples: list[float]) -> tuple[float, float, float]:
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return statistics.median(samples) * 1000, p99 * 1000, samples[-1] * 1000


CPU: dict[str, list[float]] = {}


def timed(fn, name: str) -> float:
    """Wall time of `fn()`; its CPU time in this process goes to CPU[name] (on a shared
    machine the wall time includes waiting for a core; the CPU time does not)."""
    c0 = time.process_time()
    t0 = time.perf_counter()
    fn()
    wall = time.perf_counter() - t0
    CPU.setdefault(name, []).append(time.process_time() - c0)
    return wall


def plan(run) -> str:
    """The plan of the (last) query `run()` makes."""
    with CaptureQueriesContext(connection) as captured:
        run()
    sql = captured.captured_queries[-1]["sql"]
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--per-agent", type=int, default=5000)
    p.add_argument("--unread", type=float, default=0.02, help="share of each agent's rows unread")
    p.add_argument("--samples", type=int, default=2000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--rewrite", action="store_true")
    p.add_argument("--out", type=Path)
    args = p.parse_args()

    agents = list(
        User.objects.filter(kind=User.Kind.AGENT, is_active=True).values_list("pk", flat=True)
    )
    if not agents:
        sys.exit("the data set has no agents: seed it first (bench/seed.py --agents 200)")
    have = Notification.objects.count()
    if args.rewrite and have:
        Notification.objects.all()._raw_delete(Notification.objects.db)
        have = 0
    if not have:
        print(f"writing {len(agents)} x {args.per_agent:,} notifications", file=sys.stderr)
        write(agents, args.per_agent, args.unread, args.seed)
    total = Notification.objects.count()
    tickets = Ticket.objects.order_by("-id").values_list("id", flat=True).first()

    rng = random.Random(args.seed)
    people = {u.pk: u for u in User.objects.filter(pk__in=agents)}
    picks = [people[rng.choice(agents)] for _ in range(args.samples)]
    results: dict[str, list[float]] = {"count": [], "list": [], "list unread": [], "poll": []}
    for user in picks[:50]:  # warm the caches, as a running server's are
        unread_count(user)
        fetch_page(notifications_of(user), page=1, limit=50)
    for user in picks:
        results["count"].append(timed(lambda u=user: unread_count(u), "count"))
        results["list"].append(
            timed(lambda u=user: fetch_page(notifications_of(u), page=1, limit=50), "list")
        )
        results["list unread"].append(
            timed(
                lambda u=user: fetch_page(notifications_of(u, unread=True), page=1, limit=50),
                "list unread",
            )
        )
    clients = {}
    for user in picks[: min(200, len(picks))]:
        if user.pk not in clients:
            client = Client(HTTP_HOST="localhost")
            client.force_login(user)
            clients[user.pk] = client
    order = list(clients.values())
    for client in order[:20]:
        client.get("/notifications/count/")
    for i in range(args.samples):
        client = order[i % len(order)]
        results["poll"].append(timed(lambda c=client: c.get("/notifications/count/"), "poll"))

    sample_user = picks[0]
    plans = {
        "count": plan(lambda: unread_count(sample_user)),
        "list": plan(lambda: fetch_page(notifications_of(sample_user), page=1, limit=50)),
        "list unread": plan(
            lambda: fetch_page(notifications_of(sample_user, unread=True), page=1, limit=50)
        ),
    }
    lines = [
        "# Notification reads",
        "",
        f"{connection.vendor}, {tickets:,} tickets, {len(agents)} agents, {total:,} notifications"
        f" ({args.per_agent:,} per agent, {args.unread:.0%} unread), {args.samples:,} samples"
        f" each; {platform.python_version()}, {platform.machine()}",
        "",
        f"Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
        "",
        "| read | p50 ms | p99 ms | max ms | CPU p50 ms | CPU p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, samples in results.items():
        p50, p99, top = ms(samples)
        c50, c99, _ = ms(CPU[name])
        lines.append(f"| {name} | {p50:.2f} | {p99:.2f} | {top:.2f} | {c50:.2f} | {c99:.2f} |")
    lines += ["", "Plans:", ""]
    for name, text in plans.items():
        lines += [f"- {name}:", "", "```", text, "```", ""]
    report = "\n".join(lines)
    print(report)
    if args.out:
        args.out.write_text(report + "\n")


if __name__ == "__main__":
    main()

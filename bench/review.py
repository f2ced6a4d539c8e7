"""The daily review and the wall board on a desk with many open tickets: the review page's
reads (six groups, each its first page and a capped count, and today's marks) and the wall
board's figures, for an unrestricted agent.

On a copy of a seeded data set (bench/seed.py; this writes), it first makes sure OPEN tickets
(default 100,000) are open, by reopening closed ones at random (status open, SLA untouched),
once (on PostgreSQL then VACUUM ANALYZE, as autovacuum would). Then it times `review` (all
groups as the page reads them) and `wallboard` RUNS times each after a warm-up and prints the
median, p99, min and max in milliseconds, the groups' counts and the queries each makes.

    DESKSIDE_BENCH_DATA_DIR=/tmp/bench python bench/seed.py --tickets 200000 --name sqlite
    DESKSIDE_DATA_DIR=/tmp/bench/sqlite python bench/review.py [--open 100000] [--runs 15]
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from deskside.accounts.models import User  # noqa: E402
from deskside.review import queries  # noqa: E402
from deskside.review.wallboard import board  # noqa: E402
from deskside.tickets.models import OPEN_STATUSES, Status, Ticket  # noqa: E402

SHOWN = 10  # as the page (deskside.review.views.SHOWN)


def prepare(want: int, seed: int) -> int:
    have = Ticket.objects.filter(status__in=OPEN_STATUSES).count()
    if have >= want:
        return have
    rng = random.Random(seed)
    top = Ticket.objects.aggregate(m=Max("pk"))["m"]
    picked: set[int] = set()
    while len(picked) < want - have:
        picked.update(rng.randint(1, top) for _ in range(want - have - len(picked)))
    ids = sorted(picked)
    with transaction.atomic():
        for i in range(0, len(ids), 5000):
            Ticket.objects.filter(pk__in=ids[i : i + 5000]).exclude(
                status__in=OPEN_STATUSES
            ).update(status=Status.OPEN, resolved_at=None, closed_at=None)
    if connection.vendor == "postgresql":  # as autovacuum would: statistics, visibility map
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Ticket._meta.db_table}")
    return Ticket.objects.filter(status__in=OPEN_STATUSES).count()


def review(agent: User) -> dict[str, int]:
    scope = queries.scope_for(agent)
    counts, shown = {}, []
    for name in queries.GROUPS:
        qs = queries.group(scope, name)
        rows = list(qs[: SHOWN + 1])
        counts[name] = queries.capped_count(qs) if len(rows) > SHOWN else len(rows)
        shown += [t.pk for t in rows[:SHOWN]]
    queries.marks_for(scope.day, shown)
    return counts


def timed(label: str, fn, runs: int) -> None:
    fn()  # warm-up
    timings = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - t0) * 1000)
    with CaptureQueriesContext(connection) as captured:
        fn()
    timings.sort()
    p99 = timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))]
    print(
        f"{label} ({connection.vendor}, {runs} runs, {len(captured)} queries): median "
        f"{statistics.median(timings):.0f} ms, p99 {p99:.0f} ms, min {timings[0]:.0f} ms, "
        f"max {timings[-1]:.0f} ms"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--open", type=int, default=100_000, dest="open_")
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--seed", type=int, default=16)
    args = p.parse_args()
    call_command("migrate", verbosity=0)
    agent = User.objects.get(email="bench-agent@msp.example")
    n = prepare(args.open_, args.seed)
    print(f"{Ticket.objects.count():,} tickets, {n:,} open")
    counts = review(agent)
    print(
        "  "
        + ", ".join(f"{k} {v:,}{'+' if v > queries.COUNT_CAP else ''}" for k, v in counts.items())
    )
    timed("review page reads", lambda: review(agent), args.runs)
    timed("wall board", lambda: board(agent), args.runs)


if __name__ == "__main__":
    main()

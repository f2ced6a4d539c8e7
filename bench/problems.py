"""The recurring-issue pass over the last 30 days of tickets at the 1,000,000-ticket scale:
that data set has ~30 days x ~2,700 tickets a day = ~80,000 tickets in its last 30 days, and
the pass reads only those (the window), so this seeds that many recent tickets (and no old
ones: they cost the pass one indexed range it skips) and times `detection.detect` over them.

Seeder: CLIENTS client organisations with one contact each; TICKETS tickets spread evenly
over the last 30 days, written with bulk_create (rows only: the pass reads subject,
description, client, site, type and creation time). Texts come from `bench/corpus.py` (the
desk's weighted topics and skewed slot values bench/seed.py uses), deterministic for --seed.
A data set already seeded with as many tickets is reused.

    DESKSIDE_DATA_DIR=/tmp/bench-problems python bench/problems.py [--tickets 80000]
        [--clients 50] [--runs 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_problems \\
        DESKSIDE_DATA_DIR=/tmp/bench-problems-pg python bench/problems.py

Prints the median, min and max of RUNS passes (the first pass is timed too, as the worker's
would be), in wall-clock seconds and in the process's CPU seconds (the pass is one thread: on
an idle machine the two agree; on a shared one the CPU time is the pass's own cost), the
clusters found and the process's peak memory (max RSS).
"""

import argparse
import os
import random
import resource
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")

import django

django.setup()

import corpus  # noqa: E402 - bench/corpus.py, beside this script
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from deskside.accounts.models import Organization, User  # noqa: E402
from deskside.core import clock  # noqa: E402
from deskside.problems import detection  # noqa: E402
from deskside.tickets.models import Channel, Status, Ticket  # noqa: E402

BATCH = 5000
DAYS = 30


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tickets", type=int, default=80_000, help="recent tickets (80,000)")
    p.add_argument("--clients", type=int, default=50, help="client organisations (50)")
    p.add_argument("--runs", type=int, default=3, help="timed passes (3)")
    p.add_argument("--seed", type=int, default=16, help="random seed")
    return p.parse_args()


def _clients(count: int) -> list[User]:
    people = []
    for n in range(count):
        org, _ = Organization.objects.get_or_create(
            slug=f"bench-{n}", defaults={"name": f"Bench client {n}"}
        )
        person = User.objects.filter(email=f"contact{n}@bench.example").first()
        if person is None:
            person = User.objects.create(
                email=f"contact{n}@bench.example",
                full_name=f"Contact {n}",
                kind=User.Kind.CUSTOMER,
                organization=org,
            )
        people.append(person)
    return people


def seed(tickets: int, clients: int, seed_value: int) -> None:
    now = clock.now()
    since = now - timedelta(days=DAYS)
    have = Ticket.objects.filter(created_at__gte=since).count()
    if have >= tickets:
        print(f"reusing {have} tickets of the last {DAYS} days", file=sys.stderr)
        return
    people = _clients(clients)
    rng = random.Random(seed_value)
    texts = [(rng.choice(people), corpus.story(rng)) for _ in range(tickets - have)]
    step = (now - since) / max(len(texts), 1)
    started = time.perf_counter()
    for start in range(0, len(texts), BATCH):
        rows = [
            Ticket(
                organization_id=person.organization_id,
                requester=person,
                subject=doc.subject[:250],
                description=doc.description,
                type=doc.topic.types[0],
                channel=Channel.PHONE,
                status=Status.OPEN,
                created_at=since + step * (start + i),
                updated_at=since + step * (start + i),
            )
            for i, (person, doc) in enumerate(texts[start : start + BATCH])
        ]
        with transaction.atomic():
            Ticket.objects.bulk_create(rows)
        done = start + len(rows)
        print(f"\rseeding: {done}/{len(texts)}", end="", file=sys.stderr, flush=True)
    print(f"\nseeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def main() -> int:
    args = parse_args()
    call_command("migrate", verbosity=0)
    seed(args.tickets, args.clients, args.seed)
    times, cpu, outcome = [], [], None
    for _ in range(args.runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        outcome = detection.detect(window_days=DAYS)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"problems pass over {outcome.tickets} tickets of the last {DAYS} days "
        f"({connection.vendor}): median {statistics.median(times):.2f} s, "
        f"min {min(times):.2f} s, max {max(times):.2f} s over {args.runs} runs "
        f"(CPU median {statistics.median(cpu):.2f} s, max {max(cpu):.2f} s); "
        f"{outcome.clusters} clusters; peak memory {peak:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

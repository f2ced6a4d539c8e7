"""Time a contract change that moves many open tickets (sla.retiming), and what it costs other
writers: how long each slice holds the write lock, and how long a ticket write made meanwhile
by another connection waits.

    DESKSIDE_DATA_DIR=bench/data/sqlite python bench/retime.py --runs 3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/deskside_bench \\
        DESKSIDE_DATA_DIR=bench/data/postgres python bench/retime.py --runs 3

Uses a database seeded by bench/seed.py. The first run creates a contract for the client with
the default contract, over the open tickets of every client without a contract of its own (what
took 388 s in one transaction at a million tickets before the change); later runs change its
warning share (70/80 %), which re-times the same tickets. Each run is the request's part (the
service call, with its budget) then `deskside worker`'s (`resume` until nothing is left).
Meanwhile a writer thread adds an internal note to a ticket of the biggest client every 50 ms
on its own connection and records how long each took. Prints one line per run and the
medians; writes bench/results/retime-<name>.json.
"""

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--name", default=None, help="results name (default: the database vendor)")
    return p.parse_args()


ARGS = parse_args()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402

from deskside.accounts.models import Organization, User  # noqa: E402
from deskside.sla import retiming  # noqa: E402
from deskside.sla import services as sla  # noqa: E402
from deskside.sla.models import Calendar, Contract  # noqa: E402
from deskside.tickets import services as tickets  # noqa: E402
from deskside.tickets.models import OPEN_STATUSES, Ticket  # noqa: E402


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def admin() -> User:
    user = User.objects.filter(is_staff=True, is_active=True, organization__is_msp=True).first()
    if user is None:
        raise SystemExit("no administrator in this database: seed it with bench/seed.py")
    return user


def biggest_client() -> Organization:
    """The client with the most open tickets: the writer adds its notes to one of them."""
    counts = Organization.objects.filter(is_msp=False).annotate(
        open=Count("tickets", filter=Q(tickets__status__in=OPEN_STATUSES))
    )
    return counts.order_by("-open")[0]


def office(actor: User) -> Calendar:
    """Office hours with public holidays: what most client contracts count in."""
    found = Calendar.objects.filter(name="bench office").first()
    return found or sla.create_calendar(
        actor=actor,
        name="bench office",
        definition={
            "timezone": "Europe/London",
            "weekly": {d: [["08:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
            "holiday_country": "GB",
        },
    )


class Writer(threading.Thread):
    """Adds a note to one ticket every 50 ms on its own connection, timing each."""

    def __init__(self, ticket: Ticket, actor: User) -> None:
        super().__init__(daemon=True)
        self.ticket, self.actor = ticket, actor
        self.stop = threading.Event()
        self.waits: list[float] = []

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                started = time.perf_counter()
                tickets.add_note(actor=self.actor, ticket=self.ticket, body="bench note")
                self.waits.append(time.perf_counter() - started)
                self.stop.wait(0.05)
        finally:
            connection.close()


def one_run(run: int, client: Organization, actor: User, other: Ticket) -> dict[str, float]:
    slices: list[float] = []
    real = retiming._slice

    def timed(job):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return real(job)
        finally:
            slices.append(time.perf_counter() - started)

    retiming._slice = timed
    writer = Writer(other, actor)
    writer.start()
    try:
        started = time.perf_counter()
        contract = Contract.objects.filter(is_default=True).first()
        if contract is None:
            saved = sla.create_contract(
                actor=actor,
                name="bench default",
                calendar=office(actor),
                is_default=True,
                targets=[sla.TargetTerms(p, 60, 240, 960) for p in (1, 2, 3, 4)],
            )
        else:
            percent = 80 if contract.warning_percent != 80 else 70
            saved = sla.update_contract(actor=actor, contract=contract, warning_percent=percent)
        request = time.perf_counter() - started
        moved = saved.retimed
        if saved.retiming is not None:
            saved.retiming.lease_until = None  # as the request left it
            while retiming.pending_for(contract=saved.contract):
                moved += retiming.resume(budget=60.0)
                time.sleep(0.01)
        total = time.perf_counter() - started
    finally:
        writer.stop.set()
        writer.join()
        retiming._slice = real
    job = saved.contract.retimings.first()
    row = {
        "open_tickets": job.total if job else 0,
        "moved": moved,
        "request_s": request,
        "total_s": total,
        "slices": len(slices),
        "slice_median_s": statistics.median(slices) if slices else 0.0,
        "slice_max_s": max(slices, default=0.0),
        "writes": len(writer.waits),
        "write_median_s": statistics.median(writer.waits) if writer.waits else 0.0,
        "write_max_s": max(writer.waits, default=0.0),
    }
    log(
        f"run {run}: {row['open_tickets']:,} open tickets, {moved:,} moved; request "
        f"{request:.1f} s, all {total:.1f} s; {len(slices)} slices, median "
        f"{row['slice_median_s'] * 1000:.0f} ms, max {row['slice_max_s'] * 1000:.0f} ms; "
        f"{len(writer.waits)} notes meanwhile, median {row['write_median_s'] * 1000:.0f} ms, "
        f"max {row['write_max_s'] * 1000:.0f} ms"
    )
    return row


def main() -> None:
    actor = admin()
    client = biggest_client()
    other = Ticket.objects.filter(status__in=OPEN_STATUSES).exclude(organization=client).first()
    log(f"{connection.vendor}: client {client.name}, writer on {other.number}")
    rows = [one_run(i + 1, client, actor, other) for i in range(ARGS.runs)]
    medians = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
    print(json.dumps({"vendor": connection.vendor, "runs": rows, "median": medians}, indent=2))
    name = ARGS.name or connection.vendor
    out = BENCH_DIR / "results" / f"retime-{name}.json"
    out.write_text(json.dumps({"runs": rows, "median": medians}, indent=2) + "\n")
    log(f"written {out}")


if __name__ == "__main__":
    main()

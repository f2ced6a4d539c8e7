"""Compiling one team's handover at scale: the sections of an 8-hour shift that touched
TOUCHED tickets (default 2,000) on the 1,000,000-ticket data set.

On a copy of the seeded data set (bench/seed.py; never the original: this writes), it makes
sure the shift [END - 8 h, END) of the busiest team touched TOUCHED of its tickets: it counts
the team's tickets with timeline events in the shift and gives the missing ones 1 to 4 events
in it (created, notes, calls, escalations, resolutions, as a shift writes them) and their
`updated_at`, once (a data set already prepared is reused). Then it times
`deskside.handovers.compile.compile_sections` RUNS times (after one warm-up) and prints the
median, min and max in milliseconds, the rows of each section and the queries one
compilation makes.

    cp -a /work/benchdata/ws1m /work/benchdata/handover
    DESKSIDE_DATA_DIR=/work/benchdata/handover deskside migrate
    DESKSIDE_DATA_DIR=/work/benchdata/handover python bench/handover.py [--touched 2000]
        [--runs 7] [--team help-desk]
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Max  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from deskside.accounts.models import Team, User  # noqa: E402
from deskside.handovers.compile import SECTIONS, compile_sections  # noqa: E402
from deskside.tickets.models import EventKind, Ticket, TicketEvent  # noqa: E402

SHIFT = timedelta(hours=8)
KINDS = [EventKind.NOTE, EventKind.CALL, EventKind.CHANGED, EventKind.REPLY, EventKind.RESOLVED]


def touched(team: Team, start, end) -> int:
    recent = Ticket.objects.filter(team=team, updated_at__gte=start).values("pk")
    return (
        TicketEvent.objects.filter(ticket_id__in=recent, created_at__gte=start, created_at__lt=end)
        .values("ticket_id")
        .distinct()
        .count()
    )


def prepare(team: Team, start, end, want: int, seed: int) -> int:
    have = touched(team, start, end)
    if have >= want:
        return have
    rng = random.Random(seed)
    actor = User.objects.filter(kind="agent", teams=team).order_by("pk").first()
    top = Ticket.objects.filter(team=team).aggregate(m=Max("pk"))["m"]
    picked: set[int] = set()
    ids = Ticket.objects.filter(team=team, updated_at__lt=start)
    while len(picked) < want - have:
        low = rng.randint(1, top)
        picked.update(ids.filter(pk__gte=low).order_by("pk").values_list("pk", flat=True)[:50])
    events, stamps = [], {}
    seconds = int(SHIFT.total_seconds())
    for pk in sorted(picked)[: want - have]:
        for _ in range(rng.randint(1, 4)):
            at = start + timedelta(seconds=rng.randrange(seconds))
            kind = rng.choice(KINDS)
            events.append(
                TicketEvent(ticket_id=pk, kind=kind, actor=actor, created_at=at, body="bench")
            )
            stamps[pk] = max(stamps.get(pk, at), at)
    with transaction.atomic():
        TicketEvent.objects.bulk_create(events, batch_size=2000)
        for pk, at in stamps.items():
            Ticket.objects.filter(pk=pk).update(updated_at=at)
    return touched(team, start, end)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--touched", type=int, default=2000)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--team", default="", help="a team's slug (default: the one with most tickets)")
    p.add_argument("--seed", type=int, default=15)
    args = p.parse_args()

    if args.team:
        team = Team.objects.get(slug=args.team)
    else:
        team = Team.objects.annotate(n=Count("tickets")).order_by("-n").first()
    # The data set's last hour (the ticket_updated index): the prepared events lie before it,
    # so a second run finds the same shift, already prepared.
    last = Ticket.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    end = last.replace(minute=0, second=0, microsecond=0)
    start = end - SHIFT
    print(f"{Ticket.objects.count():,} tickets; team {team.name}; shift {start} - {end}")
    n = prepare(team, start, end, args.touched, args.seed)
    print(f"tickets of the team touched in the shift: {n:,}")

    compile_sections(team, start, end, end)  # warm-up: the page cache
    timings = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        found = compile_sections(team, start, end, end)
        timings.append((time.perf_counter() - t0) * 1000)
    with CaptureQueriesContext(connection) as queries:
        compile_sections(team, start, end, end)
    for name, label in SECTIONS:
        extra = " (cut: more)" if found["more"][name] else ""
        print(f"  {label}: {len(found['sections'][name]):,}{extra}")
    print(f"queries per compilation: {len(queries)}")
    median = statistics.median(timings)
    print(
        f"compile ({connection.vendor}, {args.runs} runs): median {median:.0f} ms,"
        f" min {min(timings):.0f} ms, max {max(timings):.0f} ms"
    )


if __name__ == "__main__":
    main()

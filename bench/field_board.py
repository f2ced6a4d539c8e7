"""The dispatch board for 50 technicians over a week (issue 17: p99 < 200 ms): the week page's
HTML (/field/board/?view=week) and the API's JSON (/api/v1/field/board?view=week), requested
in-process through Django's test client (signed in with `force_login`, or with a bearer
token), so a figure is the server's work for a request (middleware, queries, template or
serialisation) without HTTP.

It seeds the database it is given (once; a database already seeded is reused):

- 12 clients with 2 sites each (coordinates around Boston), a customer each, 200 tickets
  through the ticket service (some with an SLA due time);
- TECHS technicians (default 50) in three L2 teams, each serving every client, a base each,
  cleared at most clients (a few not: "not cleared" warnings), some skills; with --rosters the
  first team works by a roster (07:00-19:00 shifts), the others by their own hours;
- a week (this week, Monday to Sunday, UTC) of visits, ~6 a day each (written as rows: the
  services are for one visit at a time), 8:00 to 17:00 with a gap of 10 to 40 minutes, about
  one day in ten with two visits that overlap, some with required skills, one technician on
  leave on Wednesday; 100 unscheduled visits in the queue.

Then for each of RUNS runs it requests each URL REQUESTS times (after a warm-up) and prints
p50, p95 and p99 in milliseconds, and the median of the runs' figures, with the queries the
board's reads make and the size of a response.

    DESKSIDE_DATA_DIR=/tmp/fb python bench/field_board.py [--techs 50] [--requests 50]
        [--runs 5] [--rosters]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fb DESKSIDE_DATA_DIR=/tmp/fb-pg \\
        python bench/field_board.py
"""

import argparse
import os
import random
import statistics
import sys
import time as timer
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from deskside.accounts import services as accounts  # noqa: E402
from deskside.accounts.models import Organization, Skill, Tier, User  # noqa: E402
from deskside.core import clock  # noqa: E402
from deskside.field import board as board_reads  # noqa: E402
from deskside.field.models import Clearance, ClearanceStatus, Technician, Visit  # noqa: E402
from deskside.rosters import services as rosters  # noqa: E402
from deskside.rosters.models import Leave  # noqa: E402
from deskside.tickets import services as tickets  # noqa: E402
from deskside.tickets.models import Channel, Ticket  # noqa: E402

DISPATCHER = "fb-dispatcher@msp.example"
CLIENTS = 12
TICKETS = 200
QUEUED = 100


def monday() -> datetime:
    now = clock.now().astimezone(UTC)
    first = (now - timedelta(days=now.weekday())).date()
    return datetime.combine(first, time(0), tzinfo=UTC)


def seed(techs: int, with_rosters: bool, rng: random.Random) -> None:
    started = timer.perf_counter()
    msp = accounts.create_organization(name="Bench MSP", slug="fb-msp", is_msp=True)
    admin = accounts.create_user(
        email=DISPATCHER,
        full_name="Bench Dispatcher",
        kind="agent",
        tier=Tier.L2,
        organization=msp,
        is_staff=True,
    )
    skills = [Skill.objects.get_or_create(name=n)[0] for n in ("Printers", "Networking", "Mac")]
    teams = [accounts.create_team(name=f"Field {n} L2", tier=Tier.L2) for n in ("N", "S", "E")]
    clients, sites, requesters = [], [], []
    for i in range(CLIENTS):
        org = accounts.create_organization(name=f"Client {i:02d}", slug=f"fb-client-{i:02d}")
        clients.append(org)
        sites.extend(
            accounts.create_site(
                organization=org,
                name=f"Client {i:02d} site {j}",
                latitude=42.36 + rng.uniform(-0.3, 0.3),
                longitude=-71.06 + rng.uniform(-0.3, 0.3),
            )
            for j in range(2)
        )
        requesters.append(
            accounts.create_user(
                email=f"fb-customer-{i}@client{i}.example",
                full_name=f"Customer {i}",
                organization=org,
            )
        )
    people = []
    for k in range(techs):
        user = accounts.create_user(
            email=f"fb-tech-{k:03d}@msp.example",
            full_name=f"Tech {k:03d}",
            kind="agent",
            tier=Tier.L2,
            organization=msp,
            teams=[teams[k % 3]],
        )
        user.skills.set(rng.sample(skills, rng.randint(0, 2)))
        Technician.objects.create(
            user=user,
            base_label="Depot",
            base_latitude=42.35 + rng.uniform(-0.2, 0.2),
            base_longitude=-71.06 + rng.uniform(-0.2, 0.2),
        )
        people.append(user)
    Clearance.objects.bulk_create(
        Clearance(technician=p, organization=o, status=ClearanceStatus.CLEARED)
        for p in people
        for o in clients
        if rng.random() < 0.95
    )
    first = monday()
    if with_rosters:
        roster = rosters.create_roster(
            actor=admin, team=teams[0], timezone="UTC", cycle_start=first.date(), cycle_days=7
        )
        rosters.add_shift(
            actor=admin, roster=roster, code="D", name="Day", start="07:00", end="19:00"
        )
        for p in people[::3]:
            rosters.set_line(
                actor=admin, roster=roster, user=p, pattern=["D", "D", "D", "D", "D", "", ""]
            )
    Leave.objects.create(
        user=people[1],
        kind=Leave.Kind.HOLIDAY,
        starts_at=first + timedelta(days=2),
        ends_at=first + timedelta(days=3),
        reason="Bench leave",
    )
    found = []
    for n in range(TICKETS):
        org_index = n % CLIENTS
        new = tickets.NewTicket(
            requester=requesters[org_index],
            organization=clients[org_index],
            subject=f"On-site job {n}",
            description="Needs a visit.",
            channel=Channel.PHONE,
        )
        found.append(tickets.create_ticket(actor=admin, ticket=new).ticket)
    for t in found[::3]:
        Ticket.objects.filter(pk=t.pk).update(sla_due=first + timedelta(hours=rng.randint(1, 160)))
    site_of = {org.pk: [s for s in sites if s.organization_id == org.pk] for org in clients}
    rows, with_skill = [], []
    for person in people:
        for day in range(7):
            at = first + timedelta(days=day, hours=8, minutes=rng.randint(0, 30))
            for slot in range(6):
                ticket = rng.choice(found)
                duration = rng.choice((30, 45, 60, 60, 90))
                overlap = slot == 3 and rng.random() < 0.1
                start = at - timedelta(minutes=30) if overlap else at
                rows.append(
                    Visit(
                        ticket=ticket,
                        organization_id=ticket.organization_id,
                        site=rng.choice(site_of[ticket.organization_id]),
                        status="scheduled",
                        window_start=first,
                        window_end=first + timedelta(days=7),
                        duration_minutes=duration,
                        technician=person,
                        scheduled_start=start,
                        created_by=admin,
                    )
                )
                at = start + timedelta(minutes=duration + rng.randint(10, 40))
    for _ in range(QUEUED):
        ticket = rng.choice(found)
        rows.append(
            Visit(
                ticket=ticket,
                organization_id=ticket.organization_id,
                site=rng.choice(site_of[ticket.organization_id]),
                window_start=first + timedelta(days=rng.randint(0, 6)),
                window_end=first + timedelta(days=7),
                created_by=admin,
            )
        )
    with transaction.atomic():
        Visit.objects.bulk_create(rows, batch_size=500)
        through = Visit.required_skills.through
        ids = Visit.objects.values_list("pk", flat=True)
        with_skill = [through(visit_id=v, skill=rng.choice(skills)) for v in ids if v % 7 == 0]
        through.objects.bulk_create(with_skill, batch_size=500)
    print(
        f"seeded {techs} technicians, {len(rows):,} visits ({QUEUED} unscheduled) in "
        f"{timer.perf_counter() - started:.1f} s"
    )


def percentile(sorted_ms: list[float], share: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, round(share * (len(sorted_ms) - 1)))]


def run(client: Client, url: str, requests: int) -> tuple[float, float, float]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    timings = []
    for _ in range(requests):
        t0 = timer.perf_counter()
        response = client.get(url)
        timings.append((timer.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    timings.sort()
    return percentile(timings, 0.5), percentile(timings, 0.95), percentile(timings, 0.99)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--techs", type=int, default=50)
    p.add_argument("--requests", type=int, default=50)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--rosters", action="store_true", help="the first team works by a roster")
    p.add_argument("--seed", type=int, default=17)
    args = p.parse_args()
    call_command("migrate", verbosity=0)
    if not User.objects.filter(email=DISPATCHER).exists():
        seed(args.techs, args.rosters, random.Random(args.seed))
    dispatcher = User.objects.get(email=DISPATCHER)
    week = monday().date().isoformat()
    web = Client(HTTP_HOST="localhost")
    web.force_login(dispatcher)
    token = accounts.create_api_token(user=dispatcher, name="bench")
    api = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
    targets = {
        "page": (web, f"/field/board/?view=week&day={week}"),
        "api": (api, f"/api/v1/field/board?view=week&day={week}"),
    }
    visits = Visit.objects.filter(status="scheduled").count()
    techs = Technician.objects.filter(is_active=True).count()
    print(
        f"{connection.vendor}: {techs} technicians, {visits:,} scheduled visits, "
        f"{Organization.objects.count()} organisations; week of {week}"
    )
    with CaptureQueriesContext(connection) as captured:
        board_reads.board(dispatcher, day=monday().date(), view="week")
    print(f"the board's reads: {len(captured)} queries")
    for name, (client, url) in targets.items():
        size = len(client.get(url).content)
        figures = [run(client, url, args.requests) for _ in range(args.runs)]
        for i, (p50, p95, p99) in enumerate(figures, 1):
            print(f"  {name} run {i}: p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms")
        medians = [statistics.median(f[k] for f in figures) for k in range(3)]
        print(
            f"{name} week board ({connection.vendor}, {args.runs} runs x {args.requests} "
            f"requests, {size / 1024:.0f} KiB): median of the runs "
            f"p50 {medians[0]:.0f} ms, p95 {medians[1]:.0f} ms, p99 {medians[2]:.0f} ms"
        )


if __name__ == "__main__":
    main()

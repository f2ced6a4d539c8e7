"""Fill a Deskside database with a realistic MSP's history, for the benchmarks.

    DESKSIDE_DATA_DIR=bench/data/sqlite python bench/seed.py --tickets 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/deskside_bench \\
        DESKSIDE_DATA_DIR=bench/data/postgres python bench/seed.py --tickets 1000000

What it writes: ~50 client organisations with 1-4 sites each in several time zones, ~40 agents
(L1/L2/L3) in six teams (some L2 technicians serve only a region's clients), ~3,000 customers,
and N tickets spread over the last three years (ids rise with time, as the service would number
them), across every type, priority, status, channel and tier, each with 1-6 timeline events
(created, reply / internal note / call / escalation, status change, resolved, for one in twenty
resolutions reopened and resolved again, closed), its first response (at once for a call or a
walk-up, else the first public reply or the resolution) and its
TicketSearch row (subject + description + public replies and resolutions in `public_text`;
notes, calls and escalation notes in `internal_text`), exactly as `tickets.services` would
write them. Text comes from `bench/corpus.py`.

The rows are written directly (executemany on SQLite, COPY on PostgreSQL) in batches, one
transaction per batch, not through the services: the services are the correct way to change
one ticket, a seeder has to write millions. Before the load the secondary indexes of the three
big tables are dropped and rebuilt afterwards (and on SQLite the FTS5 insert trigger is dropped
and the index rebuilt in one pass: `--fts triggers` keeps the trigger, for comparison); on
PostgreSQL foreign-key triggers are skipped for the session (`session_replication_role =
replica`, superuser only; the generated rows are consistent by construction) and the tables
are ANALYZEd at the end.

It also creates a bench agent (bench-agent@msp.example, unrestricted L1) and a bench customer,
writes an API token for the agent to bench/data/<name>/token.txt, and writes
bench/data/<name>/info.json (database, credentials, organisation slugs and requester ids) for
bench/load.py. Progress (rate and ETA) goes to stderr.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
sys.path.insert(0, str(REPO_DIR))
# Where data sets live: bench/data/, or DESKSIDE_BENCH_DATA_DIR (the tests use a temporary one).
DATA_ROOT = Path(os.environ.get("DESKSIDE_BENCH_DATA_DIR") or BENCH_DIR / "data")


def backend_name() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return "postgres" if url.startswith(("postgres", "postgresql")) else "sqlite"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tickets", type=int, default=1_000_000, help="how many tickets (1,000,000)")
    p.add_argument("--name", default=None, help="data set name (default: sqlite or postgres)")
    p.add_argument("--batch", type=int, default=5000, help="tickets per transaction")
    p.add_argument("--seed", type=int, default=42, help="random seed")
    p.add_argument("--agents", type=int, default=40, help="agents, spread over the six teams (40)")
    p.add_argument("--customers", type=int, default=3000, help="client contacts (~3,000)")
    p.add_argument(
        "--fts",
        choices=("rebuild", "triggers"),
        default="rebuild",
        help="SQLite: drop the FTS insert trigger and rebuild at the end (default), or keep it",
    )
    p.add_argument(
        "--keep-indexes", action="store_true", help="do not drop secondary indexes during load"
    )
    return p.parse_args()


ARGS = parse_args()
NAME = ARGS.name or backend_name()
DATA = DATA_ROOT / NAME
DATA.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DESKSIDE_DATA_DIR", str(DATA))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")

import django  # noqa: E402

django.setup()

import corpus  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from deskside.accounts.models import Organization, Site, Team, Tier, User  # noqa: E402
from deskside.accounts.names import name_keys  # noqa: E402
from deskside.accounts.services import create_api_token  # noqa: E402
from deskside.tickets.models import (  # noqa: E402
    TICKET_SEARCH,
    Channel,
    EventKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketSearch,
    TicketType,
)

PASSWORD = "bench-pass-123"
AGENT_EMAIL = "bench-agent@msp.example"
YEARS = 3
BIG_TABLES = (Ticket._meta.db_table, TicketEvent._meta.db_table, TicketSearch._meta.db_table)

TIMEZONES = [
    "Europe/London",
    "Europe/London",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Toronto",
    "Asia/Singapore",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Europe/Dublin",
]
ORG_WORDS_A = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Wonka",
    "Gringotts",
    "Oscorp",
    "Pied Piper",
    "Dunder",
    "Monarch",
    "Aperture",
    "Massive",
    "Blue Sun",
    "Prestige",
    "Sterling",
    "Bluth",
    "Nakatomi",
    "Virtucon",
]
ORG_WORDS_B = ["Dental", "Logistics", "Legal"]
CITIES = [
    "London",
    "Manchester",
    "Leeds",
    "Berlin",
    "Paris",
    "Boston",
    "Chicago",
    "Denver",
    "Seattle",
    "Toronto",
    "Singapore",
    "Sydney",
    "Pune",
    "Dublin",
    "Bristol",
    "Austin",
]
FIRST = [
    "Alex",
    "Sam",
    "Jo",
    "Chris",
    "Pat",
    "Robin",
    "Morgan",
    "Jamie",
    "Taylor",
    "Casey",
    "Jordan",
    "Riley",
    "Avery",
    "Quinn",
    "Drew",
    "Kim",
    "Lee",
    "Dana",
    "Noel",
    "Ash",
]
LAST = [
    "Smith",
    "Jones",
    "Patel",
    "Nguyen",
    "Garcia",
    "Müller",
    "Rossi",
    "Kowalski",
    "Khan",
    "O'Brien",
    "Silva",
    "Tanaka",
    "Dubois",
    "Larsen",
    "Novak",
    "Okafor",
    "Haddad",
    "Wong",
]
TEAMS = [
    ("Help Desk", Tier.L1, 22),
    ("Desktop Support North", Tier.L2, 5),
    ("Desktop Support South", Tier.L2, 5),
    ("Network", Tier.L3, 3),
    ("Servers", Tier.L3, 3),
    ("Security", Tier.L3, 2),
]

# -- progress ----------------------------------------------------------------------------------


class Progress:
    """One stderr line, rewritten in place: done/total, rate and ETA."""

    def __init__(self, what: str, total: int) -> None:
        self.what, self.total, self.start, self.last = what, total, time.monotonic(), 0.0

    def update(self, done: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < 1.0:
            return
        self.last = now
        elapsed = now - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else 0.0
        sys.stderr.write(
            f"\r{self.what}: {done:,}/{self.total:,} ({100 * done / max(self.total, 1):5.1f} %)"
            f"  {rate:,.0f}/s  elapsed {fmt(elapsed)}  ETA {fmt(eta)}   "
        )
        sys.stderr.flush()

    def done(self) -> None:
        self.update(self.total, force=True)
        sys.stderr.write("\n")


def fmt(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s"


def step(message: str) -> None:
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


# -- the directory -----------------------------------------------------------------------------


def build_directory(rng: random.Random) -> dict:
    """Organisations, sites, teams, agents, customers. Small: the ORM's bulk_create is enough."""
    password = make_password(PASSWORD)
    msp = Organization.objects.create(
        name="Northwind Managed IT",
        slug="northwind",
        is_msp=True,
        timezone="Europe/London",
        email_domains="msp.example",
    )
    names = [f"{a} {b}" for b in ORG_WORDS_B for a in ORG_WORDS_A]
    rng.shuffle(names)
    orgs = []
    for i, name in enumerate(names[:50]):
        slug = name.lower().replace(" ", "-")
        orgs.append(
            Organization(
                name=name,
                slug=slug,
                timezone=TIMEZONES[i % len(TIMEZONES)],
                email_domains=f"{slug}.example",
            )
        )
    orgs = Organization.objects.bulk_create(orgs)
    sites = []
    for org in orgs:
        for j, city in enumerate(rng.sample(CITIES, rng.choice((1, 1, 2, 2, 3, 4)))):
            tz = org.timezone if j == 0 else rng.choice(TIMEZONES)
            sites.append(
                Site(
                    organization=org,
                    name=f"{city} {'HQ' if j == 0 else 'office'}",
                    address=f"{rng.randint(1, 200)} High Street, {city}",
                    timezone=tz,
                    access_notes="Sign in at reception; badge from facilities.",
                )
            )
    sites = Site.objects.bulk_create(sites)
    sites_of: dict[int, list[Site]] = {}
    for s in sites:
        sites_of.setdefault(s.organization_id, []).append(s)

    teams = Team.objects.bulk_create(
        [Team(name=name, slug=name.lower().replace(" ", "-"), tier=tier) for name, tier, _ in TEAMS]
    )
    agents: list[User] = [
        User(
            email=AGENT_EMAIL,
            full_name="Bench Agent",
            kind=User.Kind.AGENT,
            tier=Tier.L1,
            organization=msp,
            password=password,
            timezone="Europe/London",
        )
    ]
    agent_team = [0]
    scale = ARGS.agents / sum(count for _, _, count in TEAMS)
    for t, (_, tier, count) in enumerate(TEAMS):
        for k in range(max(1, round(count * scale)) - (1 if t == 0 else 0)):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            agents.append(
                User(
                    email=f"agent{len(agents)}@msp.example",
                    full_name=f"{first} {last}",
                    kind=User.Kind.AGENT,
                    tier=tier,
                    organization=msp,
                    password=password,
                    timezone="Europe/London",
                    is_staff=(k == 0),
                )
            )
            agent_team.append(t)
    agents = User.objects.bulk_create(agents)
    through = User.teams.through
    through.objects.bulk_create(
        [
            through(user_id=a.pk, team_id=teams[t].pk)
            for a, t in zip(agents, agent_team, strict=True)
        ]
    )
    for t, team in enumerate(teams):
        lead = next(a for a, at in zip(agents, agent_team, strict=True) if at == t)
        Team.objects.filter(pk=team.pk).update(lead=lead)
    # Regional L2 technicians serve only half of the clients each (restricted visibility).
    served = User.served_organizations.through
    rows = []
    for a, t in zip(agents, agent_team, strict=True):
        if TEAMS[t][0] == "Desktop Support North":
            rows += [served(user_id=a.pk, organization_id=o.pk) for o in orgs[:25]]
        elif TEAMS[t][0] == "Desktop Support South":
            rows += [served(user_id=a.pk, organization_id=o.pk) for o in orgs[25:]]
    served.objects.bulk_create(rows)

    # Client size is skewed: a few big clients, many small ones.
    org_weight = [1.0 / (i + 1) ** 0.8 for i in range(len(orgs))]
    total_w = sum(org_weight)
    customers: list[User] = []
    customer_org: list[int] = []
    for i, org in enumerate(orgs):
        n = max(8, round(ARGS.customers * org_weight[i] / total_w))
        for k in range(n):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            email = (
                f"bench-customer@{org.slug}.example"
                if i == 0 and k == 0
                else f"user{k}@{org.slug}.example"
            )
            customers.append(
                User(
                    email=email,
                    full_name=f"{first} {last}",
                    kind=User.Kind.CUSTOMER,
                    organization=org,
                    site=rng.choice(sites_of[org.pk]),
                    password=password,
                    is_org_admin=(k == 1),
                    timezone=org.timezone,
                    # Desk numbers in the formats people type; bulk_create skips save(), so
                    # the E.164 form that caller look-up matches is written here.
                    phone=f"({200 + i:03d}) 555-{k:04d}" if k < 10000 else "",
                    phone_e164=f"+1{200 + i:03d}555{k:04d}" if k < 10000 else "",
                    mobile=f"+1 {300 + i:03d} 555 {k % 10000:04d}" if k % 3 == 0 else "",
                    mobile_e164=f"+1{300 + i:03d}555{k % 10000:04d}" if k % 3 == 0 else "",
                    # The same for the name keys caller look-up reads (accounts.names).
                    name_key=name_keys(f"{first} {last}")[0],
                    surname_key=name_keys(f"{first} {last}")[1],
                )
            )
            customer_org.append(i)
    customers = User.objects.bulk_create(customers, batch_size=500)
    people: dict[int, list[User]] = {}
    for c in customers:
        people.setdefault(c.organization_id, []).append(c)
    return {
        "orgs": orgs,
        "org_weight": org_weight,
        "people": people,
        "teams": teams,
        "agents": agents,
        "agent_team": agent_team,
        "customers": customers,
    }


# -- bulk writing ------------------------------------------------------------------------------


class Writer:
    """Inserts plain tuples into a table: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, model: type, columns: list[str]) -> None:
        self.table = model._meta.db_table
        self.columns = columns

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        cols = ", ".join(self.columns)
        raw = connection.connection
        if connection.vendor == "postgresql":
            with raw.cursor() as cur, cur.copy(f"COPY {self.table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in self.columns)
            raw.executemany(f"INSERT INTO {self.table} ({cols}) VALUES ({marks})", rows)


def secondary_indexes() -> list[tuple[str, str]]:
    """(name, CREATE statement) of the big tables' indexes that no constraint owns."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND"
                " NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = indexname)",
                [list(BIG_TABLES)],
            )
        else:
            placeholders = ", ".join("%s" for _ in BIG_TABLES)
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                f" AND tbl_name IN ({placeholders})",
                list(BIG_TABLES),
            )
        return list(cur.fetchall())


def weighted(rng: random.Random, pairs: list[tuple[object, float]]) -> object:
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


TYPES = [(TicketType.INCIDENT, 68), (TicketType.SERVICE_REQUEST, 24), (TicketType.OPERATIONAL, 8)]
CHANNELS = [
    (Channel.EMAIL, 36),
    (Channel.PHONE, 27),
    (Channel.WEB, 22),
    (Channel.WALK_UP, 6),
    (Channel.API, 4),
    (Channel.ALERT, 5),
]
OPS_CHANNELS = [(Channel.ALERT, 60), (Channel.API, 20), (Channel.EMAIL, 20)]
PRIORITIES = [(Priority.P1, 2), (Priority.P2, 12), (Priority.P3, 72), (Priority.OPS, 14)]
TIERS = [(Tier.L1, 76), (Tier.L2, 16), (Tier.L3, 8)]
RECENT_STATUSES = [
    (Status.NEW, 14),
    (Status.OPEN, 38),
    (Status.PENDING_CUSTOMER, 14),
    (Status.PENDING_VENDOR, 4),
    (Status.ON_HOLD, 5),
    (Status.RESOLVED, 25),
]
STALE_STATUSES = [
    (Status.OPEN, 40),
    (Status.PENDING_CUSTOMER, 25),
    (Status.PENDING_VENDOR, 15),
    (Status.ON_HOLD, 20),
]
# Hour of day (UTC) a ticket arrives: office hours dominate, nights are quiet.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 14, 11, 13, 14, 13, 11, 8, 5, 3, 2, 2, 1, 1]


class TicketFactory:
    """Turns a ticket index into the rows the services would have written for it."""

    def __init__(self, rng: random.Random, directory: dict, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.start = now - timedelta(days=365 * YEARS)
        self.dt = connection.ops.adapt_datetimefield_value
        d = directory
        self.orgs = d["orgs"]
        self.org_weight = d["org_weight"]
        self.people = d["people"]
        self.team_of_tier: dict[str, list[Team]] = {}
        for team in d["teams"]:
            self.team_of_tier.setdefault(team.tier, []).append(team)
        self.members: dict[int, list[User]] = {}
        for agent, t in zip(d["agents"], d["agent_team"], strict=True):
            self.members.setdefault(d["teams"][t].pk, []).append(agent)
        self.l1 = self.members[d["teams"][0].pk]

    def times(self, first: int, count: int, total: int) -> list[datetime]:
        """Sorted creation times for tickets first..first+count of total (ids rise with time)."""
        span = (self.now - self.start).total_seconds()
        lo, hi = span * first / total, span * (first + count) / total
        out = []
        for _ in range(count):
            t = self.start + timedelta(seconds=self.rng.uniform(lo, hi))
            hour = self.rng.choices(range(24), HOUR_WEIGHTS)[0]
            t = t.replace(hour=hour, minute=self.rng.randrange(60))
            out.append(min(t, self.now - timedelta(minutes=1)))
        out.sort()
        return out

    def ticket(self, pk: int, created: datetime) -> tuple[tuple, list[tuple], tuple]:
        rng, dt = self.rng, self.dt
        org = rng.choices(self.orgs, self.org_weight)[0]
        requester = rng.choice(self.people[org.pk])
        ttype = weighted(rng, TYPES)
        story = corpus.story(rng, ttype)
        channel = weighted(rng, OPS_CHANNELS if ttype == TicketType.OPERATIONAL else CHANNELS)
        priority = Priority.OPS if ttype == TicketType.OPERATIONAL else weighted(rng, PRIORITIES)
        tier = weighted(rng, TIERS)
        team = rng.choice(self.team_of_tier[tier])
        age = self.now - created
        if age < timedelta(days=14):
            status = weighted(rng, RECENT_STATUSES)
        elif rng.random() < 0.015:
            status = weighted(rng, STALE_STATUSES)
        else:
            status = Status.CLOSED
        assignee = None if status == Status.NEW else rng.choice(self.members[team.pk])
        if channel in (Channel.PHONE, Channel.WALK_UP):
            creator = rng.choice(self.l1)
        elif channel == Channel.ALERT:
            creator = None
        else:
            creator = requester

        # The timeline: created, then 0-1 work step, then the status steps.
        t = created
        events: list[tuple] = []
        public, internal = [story.subject, story.description], []

        def event(kind: str, actor: User | None, public_: bool, body: str, data: dict) -> None:
            events.append(
                (pk, kind, actor.pk if actor else None, dt(t), public_, body, json.dumps(data))
            )

        event(
            EventKind.CREATED,
            creator,
            True,
            story.description,
            {
                "channel": channel,
                "priority": Priority(priority).label,
                "type": ttype,
                "tier": Tier.L1,
                "team": None,
                "assignee": None,
            },
        )
        worker = assignee or rng.choice(self.l1)
        # The first response: at once for a call or a walk-up (the agent logs it while
        # talking), else the first public reply or the resolution.
        responded = created if channel in (Channel.PHONE, Channel.WALK_UP) else None
        escalated = tier != Tier.L1
        first_contact = False
        steps = 0
        if escalated:
            t += timedelta(minutes=rng.randint(5, 240))
            body = (
                f"Symptoms: {story.description}\nSteps tried: {corpus.note(rng, story.topic)}"
                f"\nImpact: {rng.choice(['one user', 'whole office', 'one team'])}"
            )
            internal.append(body)
            event(
                EventKind.ESCALATED,
                rng.choice(self.l1),
                False,
                body,
                {
                    "from_tier": Tier.L1,
                    "to_tier": tier,
                    "team": team.name,
                    "assignee": assignee.get_full_name() if assignee else None,
                },
            )
            steps += 1
        elif status != Status.NEW and rng.random() < 0.4:
            t += timedelta(minutes=rng.randint(2, 180))
            r = rng.random()
            if r < 0.5:
                body = corpus.reply(rng, story.topic)
                public.append(body)
                event(EventKind.REPLY, worker, True, body, {})
                responded = responded or t
            elif r < 0.8:
                body = corpus.note(rng, story.topic)
                internal.append(body)
                event(EventKind.NOTE, worker, False, body, {})
            else:
                body = corpus.note(rng, story.topic)
                internal.append(body)
                event(
                    EventKind.CALL,
                    worker,
                    False,
                    body,
                    {"minutes": rng.randint(1, 25), "inbound": False},
                )
            steps += 1
        if status in (Status.PENDING_CUSTOMER, Status.PENDING_VENDOR, Status.ON_HOLD):
            t += timedelta(minutes=rng.randint(5, 600))
            event(EventKind.STATUS, worker, True, "", {"from": Status.OPEN, "to": status})
        resolved_at = closed_at = None
        if status in (Status.RESOLVED, Status.CLOSED):
            t += timedelta(minutes=rng.randint(10, 60 * 24 * (3 if escalated else 1)))
            t = min(t, self.now)
            first_contact = not escalated and (steps == 0 or rng.random() < 0.3)
            body = corpus.resolution(rng, story.topic)
            public.append(body)
            event(EventKind.RESOLVED, worker, True, body, {"first_contact": first_contact})
            responded = responded or t
            # One resolution in twenty is reopened once by the requester and resolved again
            # (decided from the ticket's number, so the random stream and every other
            # ticket stay as they were).
            if (pk * 2654435761) % 100 < 5 and t < self.now:
                t = min(t + timedelta(minutes=60 + (pk * 7919) % (60 * 48)), self.now)
                event(EventKind.REOPENED, requester, True, "It is broken again.", {})
                t = min(t + timedelta(minutes=30 + (pk * 104729) % 600), self.now)
                event(EventKind.RESOLVED, worker, True, body, {"first_contact": False})
                first_contact = False
            resolved_at = t
            if status == Status.CLOSED:
                t = min(t + timedelta(days=rng.randint(3, 7)), self.now)
                closed_at = t
                event(
                    EventKind.CLOSED,
                    None,
                    True,
                    "Closed automatically after 3 days resolved.",
                    {"from": Status.RESOLVED},
                )
        ticket = (
            pk,
            org.pk,
            requester.pk,
            requester.site_id,
            story.subject,
            story.description,
            ttype,
            int(priority),
            channel,
            status,
            tier,
            team.pk if status != Status.NEW or escalated else None,
            assignee.pk if assignee else None,
            creator.pk if creator else None,
            first_contact,
            1 if escalated else 0,
            dt(created),
            dt(t),
            dt(resolved_at) if resolved_at else None,
            dt(closed_at) if closed_at else None,
            dt(responded) if responded else None,
            0,  # sla_fired: no contracts in this data set, so no clocks (bench/sla_worker.py)
        )
        search = (pk, "\n".join(public), "\n".join(internal))
        return ticket, events, search


TICKET_COLUMNS = [
    "id",
    "organization_id",
    "requester_id",
    "site_id",
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
    "resolved_at",
    "closed_at",
    "first_responded_at",
    "sla_fired",
]
EVENT_COLUMNS = ["ticket_id", "kind", "actor_id", "created_at", "is_public", "body", "data"]
SEARCH_COLUMNS = ["ticket_id", "public_text", "internal_text"]


def main() -> int:
    timings: dict[str, float] = {}
    started = time.monotonic()
    vendor = connection.vendor
    step(f"database: {vendor} ({connection.settings_dict['NAME']}); data dir {DATA}")
    call_command("migrate", verbosity=0)
    if Ticket.objects.exists() or User.objects.filter(email=AGENT_EMAIL).exists():
        step("the database already holds data; seed into an empty database")
        return 2
    rng = random.Random(ARGS.seed)
    t0 = time.monotonic()
    with transaction.atomic():
        directory = build_directory(rng)
    timings["directory"] = time.monotonic() - t0
    step(
        f"directory: {len(directory['orgs'])} clients, {len(directory['agents'])} agents, "
        f"{len(directory['customers'])} customers"
    )

    t0 = time.monotonic()
    dropped: list[tuple[str, str]] = []
    with connection.cursor() as cur:
        if vendor == "sqlite":
            cur.execute("PRAGMA synchronous=OFF")
            if ARGS.fts == "rebuild":
                cur.execute(f"DROP TRIGGER IF EXISTS {TICKET_SEARCH.table}_ai")
        else:
            cur.execute("SET maintenance_work_mem = '512MB'")
            try:
                with transaction.atomic():
                    cur.execute("SET session_replication_role = replica")
            except Exception as exc:  # not a superuser: keep the FK checks
                step(f"foreign-key checks stay on ({exc})")
        if not ARGS.keep_indexes:
            dropped = secondary_indexes()
            for name, _ in dropped:
                cur.execute(f'DROP INDEX "{name}"')
    step(
        f"dropped {len(dropped)} secondary indexes"
        + ("; FTS insert trigger dropped" if vendor == "sqlite" and ARGS.fts == "rebuild" else "")
    )

    factory = TicketFactory(rng, directory, datetime.now(UTC))
    tickets_w = Writer(Ticket, TICKET_COLUMNS)
    events_w = Writer(TicketEvent, EVENT_COLUMNS)
    search_w = Writer(TicketSearch, SEARCH_COLUMNS)
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM tickets_ticket")
        base = cur.fetchone()[0] + 1
    total, n_events = ARGS.tickets, 0
    progress = Progress("tickets", total)
    gen_time = write_time = 0.0
    for first in range(0, total, ARGS.batch):
        count = min(ARGS.batch, total - first)
        g0 = time.monotonic()
        tickets, events, search = [], [], []
        for i, created in enumerate(factory.times(first, count, total)):
            t, e, s = factory.ticket(base + first + i, created)
            tickets.append(t)
            events.extend(e)
            search.append(s)
        w0 = time.monotonic()
        with transaction.atomic():
            tickets_w.write(tickets)
            events_w.write(events)
            search_w.write(search)
        gen_time += w0 - g0
        write_time += time.monotonic() - w0
        n_events += len(events)
        progress.update(first + count)
    progress.done()
    timings["generate rows (Python)"] = gen_time
    timings["insert rows"] = write_time
    step(f"inserted {total:,} tickets, {n_events:,} events in {fmt(time.monotonic() - t0)}")

    t0 = time.monotonic()
    with connection.cursor() as cur:
        for name, sql in dropped:
            i0 = time.monotonic()
            cur.execute(sql)
            step(f"  index {name}: {time.monotonic() - i0:.1f} s")
    timings["rebuild indexes"] = time.monotonic() - t0
    t0 = time.monotonic()
    with connection.cursor() as cur:
        if vendor == "sqlite":
            if ARGS.fts == "rebuild":
                fts = TICKET_SEARCH.fts_table
                cur.execute(f"INSERT INTO {fts}({fts}) VALUES('rebuild')")
                cur.execute(TICKET_SEARCH.create_sql("sqlite")[1])  # the insert trigger, again
                timings["FTS5 rebuild"] = time.monotonic() - t0
                t0 = time.monotonic()
            cur.execute("ANALYZE")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cur.execute("SET session_replication_role = DEFAULT")
            for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket]):
                cur.execute(sql)
            cur.execute("ANALYZE")
    timings["ANALYZE"] = time.monotonic() - t0

    agent = User.objects.get(email=AGENT_EMAIL)
    token = create_api_token(user=agent, name="bench")
    (DATA / "token.txt").write_text(token + "\n")
    customer = User.objects.get(email__startswith="bench-customer@")
    orgs = directory["orgs"][:20]
    info = {
        "name": NAME,
        "vendor": vendor,
        "database_url": os.environ.get("DATABASE_URL", ""),
        "data_dir": os.environ["DESKSIDE_DATA_DIR"],
        "tickets": Ticket.objects.count(),
        "events": TicketEvent.objects.count(),
        "agent": {"email": AGENT_EMAIL, "password": PASSWORD},
        "customer": {"email": customer.email, "password": PASSWORD},
        "organizations": [
            {"slug": o.slug, "requesters": [u.public_id for u in directory["people"][o.pk][:10]]}
            for o in orgs
        ],
        "queries": corpus.QUERIES,
        "seed_seconds": round(time.monotonic() - started, 1),
        "timings": {k: round(v, 1) for k, v in timings.items()},
        "options": {"fts": ARGS.fts, "keep_indexes": ARGS.keep_indexes, "batch": ARGS.batch},
    }
    (DATA / "info.json").write_text(json.dumps(info, indent=2) + "\n")
    step(
        f"done in {fmt(time.monotonic() - started)}: {info['tickets']:,} tickets, "
        f"{info['events']:,} events; token in {DATA / 'token.txt'}"
    )
    for k, v in timings.items():
        step(f"  {k}: {v:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

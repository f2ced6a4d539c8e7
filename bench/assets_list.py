"""The asset list of a client with 50,000 assets (issue 18: p99 < 100 ms): the list page
(/assets/?client=...) and the API (/api/v1/assets?client=...), first page, a deep page, the
status filter and two searches (a tag prefix, a person's name), requested in-process through
Django's test client (signed in with `force_login`, or with a bearer token), so a figure is the
server's work for a request (middleware, queries, template or serialisation) without HTTP.

It seeds the database it is given (once; a database already seeded is reused): one client
with 3 sites, 300 contacts and ASSETS assets (default 50,000: bulk_create in batches, with
progress), tags BN-000001..., most deployed to a contact, some in stock, in repair, retired;
a second client with 1,000 assets (so the list is not the whole table) and an agent serving
both. It prints the query plan of the first page's query, then for each of RUNS runs requests
each URL REQUESTS times (after a warm-up) and prints p50, p95 and p99 in milliseconds and the
median of the runs' figures.

    DESKSIDE_DATA_DIR=/tmp/al python bench/assets_list.py [--assets 50000] [--requests 50] \\
        [--runs 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/al DESKSIDE_DATA_DIR=/tmp/al-pg \\
        python bench/assets_list.py
"""

import argparse
import os
import random
import statistics
import sys
import time as timer
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from deskside.accounts import services as accounts  # noqa: E402
from deskside.accounts.models import Organization, Site, Tier, User  # noqa: E402
from deskside.assets.models import Asset, AssetKind, Lifecycle  # noqa: E402
from deskside.assets.queries import assets as reads  # noqa: E402

AGENT = "al-agent@msp.example"
SLUG = "al-bench"
OTHER = "al-other"
BATCH = 5000
KINDS = (
    [AssetKind.LAPTOP] * 5
    + [AssetKind.DESKTOP] * 3
    + [AssetKind.MONITOR] * 4
    + [
        AssetKind.PRINTER,
        AssetKind.PHONE,
        AssetKind.UPS,
        AssetKind.SERVER,
    ]
)
SURNAMES = ["Smith", "Jones", "Garcia", "Miller", "Brown", "Davis", "Lopez", "Wilson", "Moore"]


def _assets(
    org: Organization,
    sites: list[Site],
    people: list[User],
    n: int,
    prefix: str,
    rng: random.Random,
):
    for i in range(1, n + 1):
        roll = rng.random()
        status = (
            Lifecycle.DEPLOYED
            if roll < 0.75
            else Lifecycle.IN_STOCK
            if roll < 0.87
            else Lifecycle.IN_REPAIR
            if roll < 0.9
            else Lifecycle.RETIRED
        )
        bought = date(2018, 1, 1) + timedelta(days=rng.randint(0, 2900))
        yield Asset(
            organization=org,
            kind=rng.choice(KINDS),
            asset_tag=f"{prefix}-{i:06d}",
            serial=f"SN{rng.getrandbits(40):012X}",
            name=f"{prefix.lower()}-{i:06d}",
            make="Lenovo",
            model="ThinkPad T14",
            status=status,
            assigned_to=rng.choice(people) if status == Lifecycle.DEPLOYED else None,
            site=rng.choice(sites),
            purchase_date=bought,
            warranty_end=bought + timedelta(days=3 * 365),
        )


def seed_client(
    name: str, slug: str, assets: int, prefix: str, rng: random.Random, progress: bool = True
) -> Organization:
    """A client with 3 sites, 300 contacts (at most one per 10 assets) and `assets` assets."""
    org = accounts.create_organization(name=name, slug=slug)
    sites = [accounts.create_site(organization=org, name=f"Site {n}") for n in range(3)]
    people = list(
        User.objects.bulk_create(
            User(
                email=f"{slug}-{n}@example.com",
                full_name=f"Person{n} {SURNAMES[n % len(SURNAMES)]}",
                organization=org,
                kind=User.Kind.CUSTOMER,
            )
            for n in range(max(1, min(300, assets // 10)))
        )
    )
    rows = _assets(org, sites, people, assets, prefix, rng)
    done = 0
    started = timer.perf_counter()
    while done < assets:
        batch = [row for _, row in zip(range(BATCH), rows, strict=False)]
        with transaction.atomic():
            Asset.objects.bulk_create(batch, batch_size=1000)
        done += len(batch)
        if progress:
            print(
                f"  {slug}: {done:,}/{assets:,} assets ({timer.perf_counter() - started:.1f} s)",
                flush=True,
            )
    return org


def seed(assets: int, rng: random.Random, progress: bool = True) -> User:
    """The bench's clients and its agent (serving both)."""
    msp = Organization.objects.filter(is_msp=True).first() or accounts.create_organization(
        name="Bench MSP", slug="al-msp", is_msp=True
    )
    main = seed_client("Bench Assets Co", SLUG, assets, "BN", rng, progress)
    other = seed_client("Other Assets Co", OTHER, max(1, assets // 50), "OT", rng, progress)
    agent = accounts.create_user(
        email=AGENT, full_name="Bench Agent", kind="agent", tier=Tier.L1, organization=msp
    )
    agent.served_organizations.set([main, other])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return agent


def targets(agent: User, deep_page: int) -> dict[str, tuple[Client, str]]:
    web = Client(HTTP_HOST="localhost")
    web.force_login(agent)
    token = accounts.create_api_token(user=agent, name="bench")
    api = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
    page, rest = f"/assets/?client={SLUG}", f"/api/v1/assets?client={SLUG}&limit=50"
    return {
        "page first": (web, page),
        "page deep": (web, f"{page}&page={deep_page}"),
        "page in repair": (web, f"{page}&status=in_repair"),
        "page tag prefix": (web, f"{page}&q=BN-0123"),
        "page person": (web, f"{page}&q=garcia"),
        "api first": (api, rest),
        "api deep": (api, f"{rest}&page={deep_page}"),
        "api in repair": (api, f"{rest}&status=in_repair"),
        "api tag prefix": (api, f"{rest}&q=BN-0123"),
        "api person": (api, f"{rest}&q=garcia"),
    }


def percentile(sorted_ms: list[float], share: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, round(share * (len(sorted_ms) - 1)))]


def run(client: Client, url: str, requests: int) -> tuple[list[float], list[float]]:
    """p50, p95, p99 of the wall time and of this process's CPU time (ms). On a busy machine
    the wall time includes waiting for a core; the CPU time does not (on PostgreSQL it leaves
    out the server's own work, so read the wall time there)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    wall, cpu = [], []
    for _ in range(requests):
        t0, c0 = timer.perf_counter(), timer.process_time()
        response = client.get(url)
        wall.append((timer.perf_counter() - t0) * 1000)
        cpu.append((timer.process_time() - c0) * 1000)
        assert response.status_code == 200
    wall.sort()
    cpu.sort()
    return (
        [percentile(wall, share) for share in (0.5, 0.95, 0.99)],
        [percentile(cpu, share) for share in (0.5, 0.95, 0.99)],
    )


def plan(agent: User) -> str:
    """The database's plan of the first page's query."""
    org = Organization.objects.get(slug=SLUG)
    qs = reads.asset_list(agent, reads.AssetFilters(organization=org))[:51]
    return qs.explain()


def measure(agent: User, requests: int, runs: int, deep_page: int) -> dict[str, list[float]]:
    """name -> the medians of the runs' wall p50, p95, p99 (ms), printing each target's wall
    and CPU medians."""
    out = {}
    for name, (client, url) in targets(agent, deep_page).items():
        figures = [run(client, url, requests) for _ in range(runs)]
        wall = [statistics.median(f[0][k] for f in figures) for k in range(3)]
        cpu = [statistics.median(f[1][k] for f in figures) for k in range(3)]
        out[name] = wall
        print(
            f"{name:16} {connection.vendor} ({runs} runs x {requests}): median wall p50 "
            f"{wall[0]:.1f} ms, p95 {wall[1]:.1f} ms, p99 {wall[2]:.1f} ms | CPU p50 "
            f"{cpu[0]:.1f} ms, p95 {cpu[1]:.1f} ms, p99 {cpu[2]:.1f} ms",
            flush=True,
        )
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--assets", type=int, default=50_000)
    p.add_argument("--requests", type=int, default=50)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--seed", type=int, default=18)
    args = p.parse_args()
    call_command("migrate", verbosity=0)
    if not User.objects.filter(email=AGENT).exists():
        started = timer.perf_counter()
        seed(args.assets, random.Random(args.seed))
        print(f"seeded in {timer.perf_counter() - started:.1f} s")
    agent = User.objects.get(email=AGENT)
    count = Asset.objects.filter(organization__slug=SLUG).count()
    print(f"{connection.vendor}: {count:,} assets at {SLUG}, {Asset.objects.count():,} in all")
    print(
        f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
    print("plan of the first page:\n" + plan(agent))
    deep = max(1, min(2000, count // 50 // 2))  # the middle of the list (the page's 50 rows)
    measure(agent, args.requests, args.runs, deep)


if __name__ == "__main__":
    main()

"""The CSV import of 10,000 assets for one client (issue 18: < 10 s), on SQLite or PostgreSQL.

For each run a fresh client is seeded (3 sites, 200 contacts) and a file of ROWS assets is
generated for it (kinds, makes and models, serials and tags, a status, a contact and a site for
most rows, purchase and warranty dates, remote ids for a third). Then, through the service the
page, the API and the command line call (`assets.services.imports.import_assets`):

  plan      the dry run: read and check every row (what the preview page shows)
  import    the import: the same checks, then every row written in one transaction
            (bulk_create in batches, one `imported` event per asset)
  re-import the same file with every status changed (in stock -> in repair ...): ROWS updates

Each figure is printed per run, then the median of the runs: wall-clock seconds, and the CPU
seconds of this process (on a shared machine the wall clock also counts waiting for a core;
on PostgreSQL the server's own work is in the wall clock only). The load average is printed
first.

    DESKSIDE_DATA_DIR=/tmp/bench-ai python bench/assets_import.py [--rows 10000] [--runs 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ai DESKSIDE_DATA_DIR=/tmp/bench-ai-pg \\
        python bench/assets_import.py

The database is migrated first when it is not yet.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")

KINDS = [
    ("laptop", [("Dell", "Latitude 5440"), ("Lenovo", "ThinkPad T14"), ("HP", "EliteBook 840")]),
    ("desktop", [("Dell", "OptiPlex 7010"), ("HP", "EliteDesk 800 G9")]),
    ("monitor", [("Dell", "P2423D"), ("LG", "27UL500")]),
    ("phone", [("Apple", "iPhone 14"), ("Samsung", "Galaxy A54")]),
    ("printer", [("HP", "LaserJet M404"), ("Brother", "HL-L6200")]),
]
NEXT_STATUS = {"in_stock": "in_repair", "deployed": "in_repair", "in_repair": "deployed"}
HEADER = (
    "kind,name,make,model,serial,asset_tag,status,assigned_to,site,purchase_date,warranty_end,"
    "vendor,notes,rmm_id,meshcentral_id,rustdesk_id,teamviewer_id"
)


def seed(label: str, contacts: int = 200):
    """A fresh client with 3 sites and `contacts` contacts; (client, emails, site names)."""
    from deskside.accounts import services as accounts  # noqa: PLC0415 - after django.setup()
    from deskside.accounts.models import User  # noqa: PLC0415

    client = accounts.create_organization(name=f"Bench Import {label}", slug=f"bi-{label}")
    sites = ["Head office", "Warehouse", "Branch"]
    for name in sites:
        accounts.create_site(organization=client, name=name)
    emails = [f"person{i}@{client.slug}.example" for i in range(contacts)]
    User.objects.bulk_create(
        [
            User(email=e, full_name=f"Person {i}", kind=User.Kind.CUSTOMER, organization=client)
            for i, e in enumerate(emails)
        ]
    )
    return client, emails, sites


def generate(
    rows: int, emails: list[str], sites: list[str], rng: random.Random
) -> tuple[bytes, list[str]]:
    """The CSV file of `rows` assets, and each row's status (for the re-import)."""
    lines, statuses = [HEADER], []
    start = date(2019, 1, 1)
    for i in range(rows):
        kind, models = KINDS[i % len(KINDS)]
        make, model = rng.choice(models)
        status = rng.choice(["in_stock", "deployed", "deployed", "deployed", "in_repair"])
        statuses.append(status)
        bought = start + timedelta(days=rng.randrange(0, 2000))
        person = rng.choice(emails) if status == "deployed" else ""
        remote = i % 3 == 0
        lines.append(
            ",".join(
                [
                    kind,
                    f"{kind[:2].upper()}-{i:05d}",
                    make,
                    model,
                    f"SN{rng.randrange(10**9):09d}{i:05d}",
                    f"TAG-{i:06d}",
                    status,
                    person,
                    rng.choice(sites),
                    bought.isoformat(),
                    (bought + timedelta(days=3 * 365)).isoformat(),
                    "Bench Supplies Ltd",
                    "",
                    f"rmm-{i}" if remote else "",
                    f"node//{i:08x}" if remote else "",
                    f"{100000000 + i}" if remote else "",
                    "",
                ]
            )
        )
    return ("\n".join(lines) + "\n").encode(), statuses


def changed(data: bytes, statuses: list[str]) -> bytes:
    """The same file with each row's status moved along the lifecycle (every row an update)."""
    lines = data.decode().splitlines()
    out = [lines[0]]
    for line, status in zip(lines[1:], statuses, strict=True):
        cells = line.split(",")
        cells[6] = NEXT_STATUS[status]
        out.append(",".join(cells))
    return ("\n".join(out) + "\n").encode()


def one_run(rows: int, label: str, rng: random.Random) -> dict[str, float]:
    """Seed a client, then time the plan, the import and the re-import (seconds)."""
    from deskside.assets.services import imports  # noqa: PLC0415

    client, emails, sites = seed(label)
    data, statuses = generate(rows, emails, sites, rng)
    figures: dict[str, float] = {}

    def timed(name: str, **kwargs: object):
        started, cpu = time.perf_counter(), time.process_time()
        result = imports.import_assets(actor=None, organization=client, **kwargs)
        figures[name] = time.perf_counter() - started
        figures[f"{name} cpu"] = time.process_time() - cpu
        return result

    plan = timed("plan", data=data, dry_run=True)
    assert plan.errors == 0 and plan.created == rows, (plan.errors, plan.created)
    done = timed("import", data=data, filename="bench.csv")
    assert done.applied and done.created == rows
    updated = timed("re-import", data=changed(data, statuses))
    assert updated.updated == rows, updated.updated
    figures["bytes"] = len(data)
    return figures


def run(rows: int, runs: int, *, out=print, seed_value: int = 18) -> dict[str, float]:
    """`runs` runs of `rows` rows; prints each and returns the medians (seconds)."""
    rng = random.Random(seed_value)
    stamp = f"{int(time.time()) % 100000}-{rng.randrange(10**6)}"
    results = []
    for number in range(1, runs + 1):
        figures = one_run(rows, f"{stamp}-{number}", rng)
        results.append(figures)
        out(f"run {number}: {_line(figures)} ({figures['bytes'] / 2**20:.1f} MiB)")
    names = [f"{n}{cpu}" for n in ("plan", "import", "re-import") for cpu in ("", " cpu")]
    medians = {name: statistics.median(r[name] for r in results) for name in names}
    out(f"median of {runs} runs, {rows} rows: {_line(medians)}")
    return medians


def _line(figures: dict[str, float]) -> str:
    """Wall-clock seconds, and this process's CPU seconds (the machine may be shared)."""
    return ", ".join(
        f"{name} {figures[name]:.2f} s (cpu {figures[name + ' cpu']:.2f})"
        for name in ("plan", "import", "re-import")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import django  # noqa: PLC0415 - after the settings module is chosen

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415

    call_command("migrate", interactive=False, verbosity=0)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{connection.vendor}: {args.rows} assets per file, {args.runs} runs (load {load})")
    run(args.rows, args.runs)


if __name__ == "__main__":
    main()

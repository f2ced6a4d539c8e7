"""Triage suggestions timed on a synthetic history (issue 16, item 5: a suggestion p99 < 50 ms).

    python bench/triage.py --data-dir /tmp/bench-triage --tickets 100000 --runs 3
    python bench/triage.py --data-dir /tmp/bench-triage-pg --tickets 100000 \
        --database-url postgres://postgres@127.0.0.1:5432/bench_triage

Seeds (once per data directory, idempotent) a desk of three clients, the four teams of the
synthetic history (deskside.triage.synthetic: planted patterns, 10 % noise), an agent in each
(the network team serving two clients of three) and `--tickets` resolved tickets, written
with bulk_create in batches. Then it times:

  train    `training.train`: reading the history, the held-back measurement (fit on 80 %,
           answer 20 %), the fit on everything, storing the row; once per run;
  suggest  `suggestions.suggest` for a random ticket text of a random client: the model in
           use (one indexed read, the unpickled model cached per process), the client's
           serving teams, the vectorizer and the four heads; `--suggestions` per run after a
           warm-up;
  predict  the model alone (`learn.suggest`), for comparison.

Prints training time, model size, accuracy against the baseline, and median / p99 / max in
milliseconds per run. The wall clock includes waiting for a core on a shared machine.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", required=True, help="where the bench's SQLite database lives")
    p.add_argument("--database-url", default="", help="PostgreSQL instead of SQLite")
    p.add_argument("--tickets", type=int, default=100_000)
    p.add_argument("--suggestions", type=int, default=500, help="timed suggestions per run")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--seed", type=int, default=7)
    return p.parse_args()


ARGS = parse_args()
os.environ["DESKSIDE_DATA_DIR"] = str(Path(ARGS.data_dir).resolve())
if ARGS.database_url:
    os.environ["DATABASE_URL"] = ARGS.database_url
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")
sys.path.insert(0, str(REPO_DIR))
Path(ARGS.data_dir).mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from deskside.accounts import services as accounts  # noqa: E402
from deskside.accounts.models import Organization, Team, User  # noqa: E402
from deskside.core import clock  # noqa: E402
from deskside.tickets.models import Status, Ticket  # noqa: E402
from deskside.triage import learn, suggestions, synthetic, training  # noqa: E402

CLIENTS = ("north", "south", "east")


def seed(n: int) -> list[Organization]:
    """The desk and `n` resolved tickets (kept when already there)."""
    call_command("migrate", interactive=False, verbosity=0)
    if Organization.objects.filter(slug="north").exists():
        return [Organization.objects.get(slug=s) for s in CLIENTS]
    msp = accounts.create_organization(name="Bench MSP", slug="bench-msp", is_msp=True)
    orgs = [accounts.create_organization(name=s.title(), slug=s) for s in CLIENTS]
    teams = {}
    for name, tier in synthetic.TEAMS.items():
        team = accounts.create_team(name=name, tier=tier)
        agent = accounts.create_user(
            email=f"{team.slug}@bench.example",
            kind="agent",
            tier=tier,
            organization=msp,
            teams=[team],
        )
        if name == "Network L3":
            agent.served_organizations.set(orgs[:2])
        teams[name] = team
    people = [
        accounts.create_user(email=f"user@{org.slug}.example", organization=org) for org in orgs
    ]
    now = clock.now()
    batch: list[Ticket] = []
    for i, row in enumerate(synthetic.history(n, seed=ARGS.seed, clients=len(orgs))):
        created = now - timedelta(minutes=(n - i) * 5)
        batch.append(
            Ticket(
                organization=orgs[row.client],
                requester=people[row.client],
                subject=row.subject,
                description=row.description,
                type=row.type,
                priority=row.priority,
                tier=row.tier,
                team=teams[row.team],
                status=Status.CLOSED,
                created_at=created,
                updated_at=created,
                resolved_at=created + timedelta(minutes=30),
                closed_at=created + timedelta(minutes=40),
            )
        )
        if len(batch) == 5000 or i == n - 1:
            with transaction.atomic():
                Ticket.objects.bulk_create(batch)
            batch = []
            print(f"\rseeding: {i + 1}/{n} tickets", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return orgs


def ms(values: list[float]) -> str:
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    return (
        f"median {statistics.median(values) * 1000:.2f}  p99 {p99 * 1000:.2f}  "
        f"max {values[-1] * 1000:.2f} ms"
    )


def main() -> None:
    orgs = seed(ARGS.tickets)
    rng = random.Random(ARGS.seed)
    texts = [(r.subject, r.description) for r in synthetic.history(2000, seed=ARGS.seed + 1)]
    vendor = "PostgreSQL" if ARGS.database_url else "SQLite"
    print(f"triage bench: {Ticket.objects.count():,} tickets on {vendor}, {ARGS.runs} runs")
    for run in range(ARGS.runs):
        cpu, started = time.process_time(), time.perf_counter()
        model = training.train()
        wall = time.perf_counter() - started
        print(
            f"run {run + 1}: train {wall:.1f} s (cpu {time.process_time() - cpu:.1f} s), "
            f"model v{model.version} {model.size / 1e6:.2f} MB, {model.history:,} tickets"
        )
        for name, f in model.metrics.items():
            print(f"  {name:<9} accuracy {f['accuracy']:.1%}  baseline {f['baseline']:.1%}")
        suggestions.forget()
        suggestions.suggest(organization=orgs[0], subject="warm up")  # loads the model
        timed, alone, cpu_suggest, cpu_alone = [], [], 0.0, 0.0
        _, bundle = suggestions.current()
        for _ in range(ARGS.suggestions):
            subject, description = rng.choice(texts)
            org = rng.choice(orgs)
            c0, t0 = time.process_time(), time.perf_counter()
            suggestions.suggest(organization=org, subject=subject, description=description)
            c1, t1 = time.process_time(), time.perf_counter()
            learn.suggest(bundle, learn.document(subject, description, org.pk), None)
            alone.append(time.perf_counter() - t1)
            cpu_alone += time.process_time() - c1
            cpu_suggest += c1 - c0
            timed.append(t1 - t0)
        n = ARGS.suggestions
        print(f"  suggest  {ms(timed)}; cpu {cpu_suggest / n * 1000:.2f} ms mean")
        print(f"  predict  {ms(alone)}; cpu {cpu_alone / n * 1000:.2f} ms mean (the model alone)")
    print(f"agents: {User.objects.filter(kind='agent').count()}, teams: {Team.objects.count()}")


if __name__ == "__main__":
    main()

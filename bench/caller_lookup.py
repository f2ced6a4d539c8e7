"""Caller look-up timed on a seeded data set (issue 14, item 2: p99 < 30 ms at 1M tickets).

    # a data set with the directory of a big desk (200 agents, 20,000 contacts)
    python bench/seed.py --tickets 100000 --agents 200 --customers 20000 --name caller-100k
    python bench/caller_lookup.py --name caller-100k --rounds 5
    # or a copy of a data set elsewhere (migrated first: the look-up reads columns it adds)
    python bench/caller_lookup.py --data-dir /path/to/copy --rounds 5 --explain

It times, in this process:

  query   `accounts.queries.callers_matching` for a mix of what an agent types or a phone
          system sends (whole numbers in four formats, first digits, first names, surnames,
          email starts, client names), as the unrestricted bench agent and as an agent who
          serves only some clients;
  screen  `callers_with_number` (the screen-pop's look-up) for whole numbers;
  page    GET /tickets/new/callers/?q=... (the listbox fragment: middleware, session, look-up,
          open ticket counts, template), signed in, through Django's test client;
  api     GET /api/v1/callers?q=... with the bench agent's API token.

Each query of the mix is run `--rounds` times (after one warm-up round), the figures are
p50 / p99 / max per kind in milliseconds. `--explain` prints the plans of one query of each
kind (SQLite EXPLAIN QUERY PLAN; PostgreSQL EXPLAIN ANALYZE). The report goes to stdout and to
bench/results/caller_lookup-<name>.md (or DESKSIDE_BENCH_RESULTS_DIR).
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DATA_ROOT = Path(os.environ.get("DESKSIDE_BENCH_DATA_DIR") or BENCH_DIR / "data")
RESULTS = Path(os.environ.get("DESKSIDE_BENCH_RESULTS_DIR") or BENCH_DIR / "results")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--name", help="a data set of bench/data/ (made by bench/seed.py)")
    where.add_argument("--data-dir", help="a data set's directory (its info.json), e.g. a copy")
    p.add_argument("--rounds", type=int, default=5, help="timed runs of each query (5)")
    p.add_argument("--people", type=int, default=12, help="contacts the queries are made of")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--explain", action="store_true", help="print the plans of the queries")
    return p.parse_args()


ARGS = parse_args()
DATA = Path(ARGS.data_dir).resolve() if ARGS.data_dir else DATA_ROOT / ARGS.name
INFO = json.loads((DATA / "info.json").read_text())
NAME = ARGS.name or DATA.name
# A copy (--data-dir) is its own data directory, whatever its info.json says; a named data set
# is where bench/seed.py put its database.
os.environ["DESKSIDE_DATA_DIR"] = str(DATA) if ARGS.data_dir else INFO["data_dir"]
if INFO.get("database_url"):
    os.environ["DATABASE_URL"] = INFO["database_url"]
else:
    os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")
os.environ.setdefault("DESKSIDE_ALLOWED_HOSTS", "localhost,testserver")
sys.path.insert(0, str(REPO_DIR))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from deskside.accounts.models import User  # noqa: E402
from deskside.accounts.queries import (  # noqa: E402
    callers_matching,
    callers_with_number,
    served_organization_ids,
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def formats(e164: str) -> list[tuple[str, str]]:
    """A US number (+1AAABBBCCCC) as people type it and phone systems send it."""
    n = e164[2:]
    a, b, c = n[:3], n[3:6], n[6:]
    return [
        ("phone (555) 010-0123", f"({a}) {b}-{c}"),
        ("phone +1 555 010 0123", f"+1 {a} {b} {c}"),
        ("phone tel:+15550100123", f"tel:{e164}"),
        ("phone 555.010.0123", f"{a}.{b}.{c}"),
    ]


def query_mix(rng: random.Random, restricted: User) -> list[tuple[str, str]]:
    """What agents type: built from contacts the restricted agent serves too (so both agents
    have matches) and a few from the others (which the restricted agent must not find)."""
    served = served_organization_ids(restricted) or []
    base = User.objects.filter(kind=User.Kind.CUSTOMER, is_active=True).exclude(phone_e164="")
    mine = list(base.filter(organization_id__in=served).order_by("?")[: ARGS.people])
    others = list(base.exclude(organization_id__in=served).order_by("?")[: ARGS.people // 3])
    mix: list[tuple[str, str]] = []
    for person in mine + others:
        mix += formats(person.phone_e164)
        mix.append(("first digits", f"{person.phone_e164[2:5]} {person.phone_e164[5:8]}"))
        first, _, last = person.full_name.partition(" ")
        mix.append(("first name", first[: rng.randint(min(3, len(first)), max(3, len(first)))]))
        mix.append(("surname", last[: rng.randint(min(3, len(last)), max(3, len(last)))]))
        mix.append(("email", person.email[: rng.randint(5, 12)]))
        mix.append(("client", person.organization.name.split(" ")[0]))
    return mix


CPU: dict[str, list[float]] = defaultdict(list)


def measured(key: str, fn, *args) -> tuple[float, object]:
    """Wall-clock milliseconds of `fn(*args)` (and its result); the process's CPU time for it
    goes to CPU[key]: on a machine shared with other work, the CPU time is what the look-up
    itself costs, the wall-clock time includes waiting for a core."""
    cpu = time.thread_time()
    start = time.perf_counter()
    result = fn(*args)
    wall = (time.perf_counter() - start) * 1000
    CPU[key].append((time.thread_time() - cpu) * 1000)
    return wall, result


def run() -> str:
    rng = random.Random(ARGS.seed)
    agent = User.objects.get(email=INFO["agent"]["email"])
    through = User.served_organizations.through.objects
    restricted_id = through.values_list("user_id", flat=True).order_by("user_id").first()
    if restricted_id is None:
        sys.exit("no agent serves only some clients: seed with bench/seed.py --agents 40 or more")
    restricted = User.objects.get(pk=restricted_id)
    mix = query_mix(rng, restricted)
    contacts = User.objects.filter(kind=User.Kind.CUSTOMER).count()
    token = (DATA / "token.txt").read_text().strip()
    page = Client(HTTP_HOST="localhost")
    page.force_login(agent)
    api = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")

    samples: dict[str, list[float]] = defaultdict(list)
    found: dict[str, list[int]] = defaultdict(list)
    numbers = [text for kind, text in mix if kind.startswith("phone")]
    for round_ in range(ARGS.rounds + 1):
        rng.shuffle(mix)
        for kind, text in mix:
            for who, user in (("unrestricted", agent), ("restricted", restricted)):
                ms, result = measured(f"query {who}", callers_matching, user, text)
                if round_:
                    samples[f"query {who}"].append(ms)
                    samples[f"query {who}: {kind}"].append(ms)
                    found[who].append(len(result))
        for text in numbers:
            ms, _ = measured("screen-pop number, restricted", callers_with_number, restricted, text)
            if round_:
                samples["screen-pop number, restricted"].append(ms)
        for _kind, text in mix[: len(mix) // 2]:
            ms, _ = measured(
                "page /tickets/new/callers/", page.get, "/tickets/new/callers/", {"q": text}
            )
            if round_:
                samples["page /tickets/new/callers/"].append(ms)
            ms, _ = measured("api /api/v1/callers", api.get, "/api/v1/callers", {"q": text})
            if round_:
                samples["api /api/v1/callers"].append(ms)

    status = page.get("/tickets/new/callers/", {"q": mix[0][1]}).status_code
    api_status = api.get("/api/v1/callers", {"q": mix[0][1]}).status_code
    lines = [
        f"# Caller look-up: {NAME} ({connection.vendor})",
        "",
        f"{INFO.get('tickets', '?'):,} tickets, {contacts:,} contacts; {len(mix)} queries x "
        f"{ARGS.rounds} rounds per agent; restricted agent serves "
        f"{len(served_organization_ids(restricted) or [])} clients. Page {status}, API "
        f"{api_status}. Mean matches: unrestricted "
        f"{statistics.mean(found['unrestricted']):.1f}, restricted "
        f"{statistics.mean(found['restricted']):.1f}.",
        "",
        f"Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores. "
        "Wall-clock times include waiting for a core; CPU times (this process's, for the "
        "kinds that have them, warm-up round included) are the work itself.",
        "",
        "| what | n | p50 ms | p99 ms | max ms | CPU p50 ms | CPU p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key in sorted(samples):
        values, cpu = samples[key], CPU.get(key)
        cpu_cols = f"{statistics.median(cpu):.2f} | {percentile(cpu, 0.99):.2f}" if cpu else "- | -"
        lines.append(
            f"| {key} | {len(values)} | {statistics.median(values):.2f} | "
            f"{percentile(values, 0.99):.2f} | {max(values):.2f} | {cpu_cols} |"
        )
    if ARGS.explain:
        lines += ["", "## Plans", ""]
        seen = set()
        for kind, text in mix:
            if kind in seen:
                continue
            seen.add(kind)
            lines += [f"### {kind}: `{text}` (restricted agent)", "", "```"]
            lines += explain(lambda t=text: callers_matching(restricted, t))
            lines += ["```", ""]
    return "\n".join(lines) + "\n"


def explain(fn) -> list[str]:
    """The plans of the queries `fn` makes on the user table."""
    with CaptureQueriesContext(connection) as ctx:
        fn()
    out = []
    with connection.cursor() as cur:
        for query in ctx.captured_queries:
            sql = query["sql"]
            if 'FROM "accounts_user"' not in sql:
                continue
            if connection.vendor == "sqlite":
                cur.execute("EXPLAIN QUERY PLAN " + sql)
                out += [row[3] for row in cur.fetchall()]
            else:
                cur.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql)
                out += [row[0] for row in cur.fetchall()]
            out.append("--")
    return out


if __name__ == "__main__":
    report = run()
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"caller_lookup-{NAME}.md").write_text(report)

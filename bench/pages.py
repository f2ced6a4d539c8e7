"""The pages that grew with the data, timed side by side at two sizes (issue 13, item 11).

    # once per data set (after bench/seed.py): give the tickets SLA clocks, see `prepare`
    python bench/pages.py prepare --name pages-100k-sqlite
    # time the pages of two (or more) data sets, interleaved, medians of --rounds
    python bench/pages.py time --names pages-100k-sqlite,pages-1m-sqlite --rounds 15 \\
        --out pages-sqlite
    # the plans of the pages' slowest queries (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE)
    python bench/pages.py explain --name pages-1m-sqlite --out pages-explain-1m-sqlite

Each data set is served by a child process of its own (its `DESKSIDE_DATA_DIR` and
`DATABASE_URL` from bench/data/<name>/info.json), which requests the pages in-process through
Django's test client, signed in (`force_login`), so the figure is the server's work for a page
(middleware, queries, template) without HTTP or a second client competing for the cores. The
parent asks each child in turn for one round (every page once), so the data sets share the
machine's ups and downs; the table gives each page's median over the rounds and the ratio of
the big data set to the small one.

Pages:

  portal      /portal/ of the biggest client's organisation admin (all of the client's tickets)
  report      /sla/clients/<biggest client>/ (the SLA report of the last 30 days), bench agent
  at-risk     /tickets/?queue=open&sla=at_risk&sort=due, bench agent
  breached    /tickets/?queue=open&sla=breached, bench agent
  open        /tickets/?queue=open, bench agent (a page that did not grow, for reference)
  search      /tickets/search/?q=printer+offline (only with --pages: reads much of the data)

After the rounds each child reports its memory (/proc/self/smaps_rollup): RSS, PSS, private
and shared. `--settings settings_nommap` (bench/settings_nommap.py) runs the children without
SQLite's memory map, for comparison.

The seeded data sets have no SLA contract, so no clocks. `prepare` gives the open tickets and
the tickets of the last 90 days what a contract and the SLA worker would have written (due
times from the creation by priority, in wall-clock hours; first responses; the pause of the
pending tickets; `sla_due`; the warned/breached bits at the time of `prepare`), with SQL
updates, deterministic per ticket, then ANALYZE. Run it once per data set.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
PAGES = ("portal", "report", "at-risk", "breached", "open")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    prep = sub.add_parser("prepare", help="give the tickets SLA clocks (once per data set)")
    prep.add_argument("--name", required=True)
    tm = sub.add_parser("time", help="time the pages, interleaved between data sets")
    tm.add_argument("--names", required=True, help="comma-separated data sets, small first")
    tm.add_argument("--rounds", type=int, default=15)
    tm.add_argument("--pages", default=",".join(PAGES))
    tm.add_argument("--out", default=None, help="bench/results/<out>.md and .json")
    tm.add_argument("--settings", default=None, help="DJANGO_SETTINGS_MODULE of the children")
    ex = sub.add_parser("explain", help="the plans of each page's slowest queries")
    ex.add_argument("--name", required=True)
    ex.add_argument("--out", default=None)
    ch = sub.add_parser("child", help=argparse.SUPPRESS)
    ch.add_argument("--name", required=True)
    return p.parse_args()


def info_of(name: str) -> dict:
    return json.loads((BENCH_DIR / "data" / name / "info.json").read_text())


def setup_django(name: str) -> dict:
    info = info_of(name)
    os.environ["DESKSIDE_DATA_DIR"] = info["data_dir"]
    if info.get("database_url"):
        os.environ["DATABASE_URL"] = info["database_url"]
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")
    sys.path.insert(0, str(REPO_DIR))
    import django  # noqa: PLC0415 (after the data set's environment is set)

    django.setup()
    return info


# -- prepare: SLA clocks -----------------------------------------------------------------------

# Wall-clock targets by priority (P1, P2, P3, OPS): first response and resolution, in hours.
TARGETS = {1: (1, 4), 2: (2, 8), 3: (4, 24), 4: (8, 72)}
WARN_SHARE = 0.75  # the worker warns when this share of a target is used


def prepare(name: str) -> int:
    setup_django(name)
    from django.db import connection, transaction  # noqa: PLC0415

    from deskside.tickets.deadlines import (  # noqa: PLC0415
        FIRST_BREACHED,
        FIRST_WARNED,
        RESOLUTION_BREACHED,
        RESOLUTION_WARNED,
    )
    from deskside.tickets.models import OPEN_STATUSES, Status, Ticket  # noqa: PLC0415

    now = datetime.now(UTC)
    paused_statuses = {Status.PENDING_CUSTOMER, Status.PENDING_VENDOR, Status.ON_HOLD}
    recent = now - timedelta(days=90)
    chosen = Ticket.objects.filter(status__in=OPEN_STATUSES)
    chosen = chosen | Ticket.objects.filter(created_at__gte=recent)
    qs = chosen.values_list("id", "priority", "status", "created_at", "updated_at", "resolved_at")
    adapt = connection.ops.adapt_datetimefield_value
    rows = []
    for pk, prio, status, created, updated, resolved in qs.order_by().iterator(chunk_size=5000):
        fr_h, res_h = TARGETS.get(prio, TARGETS[3])
        fr_due = created + timedelta(hours=fr_h)
        res_due = created + timedelta(hours=res_h)
        # a deterministic share of the target (0 to 1.5): a third of the answers are late
        share = (pk * 7919 % 1000) / 1000 * 1.5
        responded = None if status == Status.NEW else created + timedelta(hours=fr_h * share)
        is_open = status in OPEN_STATUSES
        paused = updated if status in paused_statuses else None
        position = paused or (now if is_open else (resolved or updated))
        if responded is not None and responded > position:
            responded = position
        bits = 0
        answered = responded or position
        if answered >= fr_due - timedelta(hours=fr_h * (1 - WARN_SHARE)):
            bits |= FIRST_WARNED
        if answered >= fr_due:
            bits |= FIRST_BREACHED
        if position >= res_due - timedelta(hours=res_h * (1 - WARN_SHARE)):
            bits |= RESOLUTION_WARNED
        if position >= res_due:
            bits |= RESOLUTION_BREACHED
        sla_due = None
        if is_open:
            sla_due = min(fr_due, res_due) if responded is None else res_due
        rows.append(
            (
                adapt(fr_due),
                adapt(responded),
                adapt(res_due),
                adapt(paused),
                adapt(sla_due),
                bits,
                pk,
            )
        )
    sql = (
        "UPDATE tickets_ticket SET first_response_due = %s, first_responded_at = %s,"
        " resolution_due = %s, sla_paused_at = %s, sla_due = %s, sla_fired = %s WHERE id = %s"
    )
    t0 = time.monotonic()
    with transaction.atomic(), connection.cursor() as cur:
        for i in range(0, len(rows), 5000):
            cur.executemany(sql, rows[i : i + 5000])
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(
        f"{name}: SLA clocks on {len(rows):,} tickets"
        f" ({sum(1 for r in rows if r[4] is not None):,} with sla_due) in"
        f" {time.monotonic() - t0:.1f} s",
        file=sys.stderr,
    )
    return 0


# -- the child: one data set's pages -----------------------------------------------------------


def child(name: str) -> int:
    info = setup_django(name)
    from django.db import connection  # noqa: PLC0415
    from django.db.models import Count  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    from deskside.accounts.models import Organization, User  # noqa: PLC0415
    from deskside.tickets.models import Ticket  # noqa: PLC0415

    biggest = (
        Ticket.objects.order_by()
        .values("organization_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    org = Organization.objects.get(pk=biggest["organization_id"])
    admin = User.objects.filter(organization=org, is_org_admin=True, is_active=True).first()
    agent = User.objects.get(email=info.get("agent_email", "bench-agent@msp.example"))
    customer = Client(HTTP_HOST="localhost")
    customer.force_login(admin)
    staff = Client(HTTP_HOST="localhost")
    staff.force_login(agent)
    pages = {
        "portal": (customer, "/portal/"),
        "report": (staff, f"/sla/clients/{org.slug}/"),
        "at-risk": (staff, "/tickets/?queue=open&sla=at_risk&sort=due"),
        "breached": (staff, "/tickets/?queue=open&sla=breached"),
        "open": (staff, "/tickets/?queue=open"),
        # not in the default set: a search reads much of the database (for --pages, memory)
        "search": (staff, "/tickets/search/?q=printer+offline"),
    }
    meta = {
        "name": name,
        "vendor": connection.vendor,
        "tickets": Ticket.objects.count(),
        "client": org.slug,
        "client_tickets": biggest["n"],
        "with_sla_due": Ticket.objects.filter(sla_due__isnull=False).count(),
    }
    print(json.dumps(meta), flush=True)

    def get(page: str) -> float:
        client, url = pages[page]
        t0 = time.perf_counter()
        resp = client.get(url)
        ms = (time.perf_counter() - t0) * 1000
        if resp.status_code != 200:
            raise SystemExit(f"{name} {page}: HTTP {resp.status_code}")
        return ms

    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["op"] == "round":
            print(json.dumps({p: get(p) for p in cmd["pages"]}), flush=True)
        elif cmd["op"] == "memory":
            print(json.dumps(memory()), flush=True)
        elif cmd["op"] == "explain":
            out = {}
            for page in cmd["pages"]:
                client, url = pages[page]
                get(page)  # warm
                with CaptureQueriesContext(connection) as ctx:
                    client.get(url)
                # the page's query of the tickets (a list page or the report), the slowest one
                main = [q for q in ctx.captured_queries if 'FROM "tickets_ticket"' in q["sql"]]
                slow = sorted(main, key=lambda q: -float(q["time"]))[:1]
                out[page] = [
                    {"sql": sql, "ms": float(q["time"]) * 1000, "plan": plan(sql)}
                    for q in slow
                    for sql in [re.sub(r"^DECLARE .*? FOR ", "", q["sql"])]
                ]
            print(json.dumps(out), flush=True)
        elif cmd["op"] == "quit":
            break
    return 0


def memory() -> dict[str, int]:
    """This process's memory in kB from /proc/self/smaps_rollup: resident (Rss), its
    proportional share (Pss: shared pages divided among the processes mapping them) and the
    private pages; and the SQLite memory map's setting."""
    from django.db import connection  # noqa: PLC0415

    fields = {}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]:
        key, _, rest = line.partition(":")
        fields[key] = int(rest.split()[0])
    mmap = None
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA mmap_size")
            mmap = cur.fetchone()[0]
    return {
        "rss_kb": fields["Rss"],
        "pss_kb": fields["Pss"],
        "private_kb": fields["Private_Clean"] + fields["Private_Dirty"],
        "shared_kb": fields["Shared_Clean"] + fields["Shared_Dirty"],
        "anonymous_kb": fields.get("Anonymous", 0),
        "mmap_size": mmap,
    }


def plan(sql: str) -> str:
    from django.db import connection  # noqa: PLC0415

    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + sql)
            return "\n".join(f"{r[0]:>3} {r[1]:>3} {r[3]}" for r in cur.fetchall())
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(r[0] for r in cur.fetchall())


# -- the parent --------------------------------------------------------------------------------


class Child:
    def __init__(self, name: str, settings: str | None = None) -> None:
        env = dict(os.environ)
        if settings:
            env["DJANGO_SETTINGS_MODULE"] = settings
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "child", "--name", name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.meta = json.loads(self.read())

    def read(self) -> str:
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"child failed (exit {self.proc.wait()})")
        return line

    def ask(self, **cmd: object) -> dict:
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.read())

    def close(self) -> None:
        self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
        self.proc.stdin.flush()
        self.proc.wait()


def git_commit() -> str:
    out = subprocess.run(
        ["git", "-C", str(REPO_DIR), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return out.stdout.strip()


def time_pages(args: argparse.Namespace) -> int:
    names = args.names.split(",")
    pages = args.pages.split(",")
    load_before = os.getloadavg()
    children = [Child(n, args.settings) for n in names]
    try:
        for c in children:  # warm-up: two rounds each, not counted
            c.ask(op="round", pages=pages)
            c.ask(op="round", pages=pages)
        runs: dict[str, dict[str, list[float]]] = {n: {p: [] for p in pages} for n in names}
        for r in range(args.rounds):
            order = children if r % 2 == 0 else children[::-1]
            for c in order:
                for page, ms in c.ask(op="round", pages=pages).items():
                    runs[c.meta["name"]][page].append(ms)
        mem = {c.meta["name"]: c.ask(op="memory") for c in children}
    finally:
        for c in children:
            c.close()
    load_after = os.getloadavg()
    med = {n: {p: statistics.median(v) for p, v in runs[n].items()} for n in names}
    cmd = "python bench/pages.py " + " ".join(sys.argv[1:])
    lines = [
        f"# Pages at two sizes ({', '.join(names)})",
        "",
        f"`{cmd}` at commit {git_commit()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{platform.node()}, load average {load_before[0]:.2f} before, {load_after[0]:.2f} after.",
        "",
        "In-process (Django test client, signed in), median of "
        f"{args.rounds} interleaved rounds, ms per page:",
        "",
    ]
    for c in children:
        m = c.meta
        lines.append(
            f"- {m['name']}: {m['vendor']}, {m['tickets']:,} tickets, client {m['client']}"
            f" ({m['client_tickets']:,} tickets), {m['with_sla_due']:,} with sla_due"
        )
    lines += ["", "| page | " + " | ".join(names) + " | ratio |"]
    lines.append("| --- |" + " ---: |" * (len(names) + 1))
    for p in pages:
        vals = [med[n][p] for n in names]
        ratio = vals[-1] / vals[0] if vals[0] else float("nan")
        lines.append(f"| {p} | " + " | ".join(f"{v:.1f}" for v in vals) + f" | {ratio:.2f}x |")
    lines += [
        "",
        "Memory of each child after the rounds (/proc/self/smaps_rollup, MB):",
        "",
        "| data set | RSS | PSS | private | shared | anonymous | mmap_size |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n in names:
        m = mem[n]
        lines.append(
            f"| {n} | {m['rss_kb'] / 1024:.0f} | {m['pss_kb'] / 1024:.0f} |"
            f" {m['private_kb'] / 1024:.0f} | {m['shared_kb'] / 1024:.0f} |"
            f" {m['anonymous_kb'] / 1024:.0f} | {m['mmap_size']} |"
        )
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        results = BENCH_DIR / "results"
        (results / f"{args.out}.md").write_text(report)
        raw = {
            "command": cmd,
            "meta": [c.meta for c in children],
            "runs": runs,
            "median": med,
            "memory": mem,
        }
        (results / f"{args.out}.json").write_text(json.dumps(raw, indent=1) + "\n")
    return 0


def explain(args: argparse.Namespace) -> int:
    c = Child(args.name)
    try:
        out = c.ask(op="explain", pages=list(PAGES))
    finally:
        c.close()
    m = c.meta
    cmd = "python bench/pages.py " + " ".join(sys.argv[1:])
    lines = [
        f"# Plans of the pages' queries ({m['name']}: {m['vendor']}, {m['tickets']:,} tickets)",
        "",
        f"`{cmd}` at commit {git_commit()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
    ]
    for page, queries in out.items():
        for q in queries:
            lines += [f"## {page} ({q['ms']:.1f} ms)", "", "```sql", q["sql"], "```", "", "```"]
            lines += [q["plan"], "```", ""]
    report = "\n".join(lines)
    print(report)
    if args.out:
        (BENCH_DIR / "results" / f"{args.out}.md").write_text(report)
    return 0


def main() -> int:
    args = parse_args()
    if args.command == "prepare":
        return prepare(args.name)
    if args.command == "child":
        return child(args.name)
    if args.command == "time":
        return time_pages(args)
    return explain(args)


if __name__ == "__main__":
    sys.exit(main())

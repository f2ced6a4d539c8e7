"""Time from a P1 being created to its first page handed to the transport, with `deskside
worker` running as a separate process.

    python bench/paging.py --name paging-sqlite
    psql -h 127.0.0.1 -U postgres -c 'create database deskside_bench_paging'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/deskside_bench_paging \\
        python bench/paging.py --name paging-postgres

Set-up (idempotent): migrate; one client with a customer, one on-call agent whose contact
method is an Apprise json:// URL to a small HTTP server this script runs on 127.0.0.1, the
default contract on a 24x7 calendar with a paging rule whose policy pages that agent (one
step, wait 60 minutes, so each ticket pages exactly once during the run).

Then `deskside worker` starts as a child process (the production command, with its task
interval); the script creates one untimed P1 (so the worker's own start-up is not counted),
then `--tickets` P1 tickets through `create_ticket`, one at a time, a random 0.3-1.2 s apart
so the creations fall at every phase of the worker's loop.
The figure for one ticket is the wall-clock time from just before `create_ticket` is called
to the moment the HTTP server receives the page Apprise posted (it matches the ticket number
in the title): deciding, the worker noticing the deadline row, claiming it, writing the page
and timeline event, rendering the message and Apprise's HTTP POST. Median, p90 and max are
written to bench/results/<name>.md and .json. Target: under 2 s.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
sys.path.insert(0, str(REPO_DIR))


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--name", required=True, help="data set name: bench/data/<name>")
    p.add_argument("--tickets", type=int, default=20)
    p.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for one page")
    return p.parse_args()


ARGS = parse_args()
DATA = BENCH_DIR / "data" / ARGS.name
DATA.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DESKSIDE_DATA_DIR", str(DATA))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")
os.environ["DESKSIDE_EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from deskside.accounts import services as accounts  # noqa: E402
from deskside.accounts.models import Organization, Tier, User  # noqa: E402
from deskside.paging import services as paging  # noqa: E402
from deskside.paging.models import ContactMethod, EscalationPolicy  # noqa: E402
from deskside.sla.models import Calendar, Contract  # noqa: E402
from deskside.tickets import services as tickets  # noqa: E402
from deskside.tickets.models import Channel, Priority  # noqa: E402

ARRIVALS: dict[str, float] = {}
ARRIVED = threading.Condition()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # http.server's name
        now = time.time()
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        number = body.get("title", "").split("]", 1)[0].lstrip("[")
        with ARRIVED:
            ARRIVALS.setdefault(number, now)
            ARRIVED.notify_all()
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def set_up(port: int) -> tuple[User, User]:
    call_command("migrate", verbosity=0)
    msp = Organization.objects.filter(slug="msp").first() or accounts.create_organization(
        name="MSP", slug="msp", is_msp=True
    )
    client = Organization.objects.filter(slug="client").first() or accounts.create_organization(
        name="Client", slug="client"
    )
    agent = User.objects.filter(email="oncall@msp.example").first() or accounts.create_user(
        email="oncall@msp.example",
        full_name="On Call",
        kind="agent",
        tier=Tier.L2,
        organization=msp,
        is_staff=True,
    )
    customer = User.objects.filter(email="cust@client.example").first() or accounts.create_user(
        email="cust@client.example", full_name="Customer", organization=client
    )
    ContactMethod.objects.filter(user=agent).delete()
    paging.add_contact_method(
        actor=agent, user=agent, kind="apprise", address=f"json://127.0.0.1:{port}/page"
    )
    policy = EscalationPolicy.objects.filter(slug="bench").first() or paging.create_policy(
        actor=agent,
        name="Bench",
        slug="bench",
        steps=[paging.StepSpec(target="user", user=agent, wait_minutes=60)],
    )
    contract = Contract.objects.filter(is_default=True).first()
    if contract is None:
        calendar = Calendar.objects.create(
            name="Bench 24x7", definition={"timezone": "UTC", "24x7": True}
        )
        contract = Contract.objects.create(name="Default", is_default=True, calendar=calendar)
    paging.set_rule(actor=agent, contract=contract, policy=policy)
    return agent, customer


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def measure(agent: User, customer: User, subject: str) -> float | None:
    """Create one P1 and wait for its page: seconds from create to arrival, or None."""
    start = time.time()
    ticket = tickets.create_ticket(
        actor=agent,
        ticket=tickets.NewTicket(
            requester=customer,
            organization=customer.organization,
            subject=subject,
            priority=Priority.P1,
            channel=Channel.PHONE,
        ),
    ).ticket
    with ARRIVED:
        ARRIVED.wait_for(lambda: ticket.number in ARRIVALS, timeout=ARGS.timeout)
    tickets.resolve_ticket(actor=agent, ticket=ticket, resolution="bench")
    if ticket.number not in ARRIVALS:
        print(f"{ticket.number} ({subject}): no page within {ARGS.timeout} s", flush=True)
        return None
    took = ARRIVALS[ticket.number] - start
    print(f"{ticket.number} ({subject}): {took * 1000:.0f} ms", flush=True)
    return took


def main() -> int:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    agent, customer = set_up(port)
    connection.close()
    vendor = connection.vendor
    load_before = os.getloadavg()
    worker = subprocess.Popen(  # our own CLI
        [sys.executable, "-m", "deskside.cli", "worker"],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    times: list[float] = []
    missed = 0
    try:
        # "With the worker running": one untimed ticket first, so the worker's start-up
        # (imports, its first SLA pass) is not counted against the first timed ticket.
        measure(agent, customer, "warm-up")
        for i in range(ARGS.tickets):
            time.sleep(random.uniform(0.3, 1.2))  # a phase, not a secret
            took = measure(agent, customer, f"Bench outage {i}")
            if took is None:
                missed += 1
            else:
                times.append(took)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        server.shutdown()
    load_after = os.getloadavg()
    result = {
        "name": ARGS.name,
        "database": vendor,
        "tickets": ARGS.tickets,
        "missed": missed,
        "median_s": round(statistics.median(times), 3) if times else None,
        "p90_s": round(pct(times, 0.9), 3) if times else None,
        "max_s": round(max(times), 3) if times else None,
        "min_s": round(min(times), 3) if times else None,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    out = BENCH_DIR / "results"
    (out / f"{ARGS.name}.json").write_text(json.dumps(result, indent=2) + "\n")
    target = "met" if times and pct(times, 0.9) < 2.0 and not missed else "missed"
    (out / f"{ARGS.name}.md").write_text(
        f"# Paging: P1 created to first page handed to the transport ({vendor})\n\n"
        f"`python bench/paging.py --name {ARGS.name}` on {result['measured_at']}: "
        f"{ARGS.tickets} P1 tickets, `deskside worker` as a separate process, Apprise json:// "
        "to an HTTP server on 127.0.0.1 (arrival time).\n\n"
        "| | seconds |\n| --- | ---: |\n"
        f"| median | {result['median_s']} |\n| p90 | {result['p90_s']} |\n"
        f"| min | {result['min_s']} |\n| max | {result['max_s']} |\n"
        f"| no page within {ARGS.timeout:.0f} s | {missed} |\n\n"
        f"Target: under 2 s: {target}.\n\n"
        f"Load average before {result['load_before']}, after {result['load_after']}.\n"
    )
    print(json.dumps(result))
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())

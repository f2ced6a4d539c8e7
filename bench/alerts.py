"""Alert events accepted per second, with de-duplication, through `deskside serve --workers 2`.

    python bench/alerts.py                          # events API, SQLite in a temporary directory
    python bench/alerts.py --group 20               # Alertmanager groups of 20 alerts per POST
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/deskside_bench_alerts python bench/alerts.py

It seeds a database (migrate; a client, a bench administrator and one integration of that
client, flood grouping off so every new key opens a ticket), starts the production server
(`deskside serve --workers 2 --threads 4`: gunicorn, gthread workers that keep connections
alive) on a free port, and per run: opens `--keys` (200) alerts outside the timing, then fires
`--events` (20,000) events from `--clients` client processes (4) with `--threads` (2) threads
each, every thread on one kept-alive connection: ~95 % repeats of the open keys,
`--new-percent` (5 %) new keys (each opens an alert and a ticket).

Two shapes of traffic (`--group`):

- 1 (default): the events API, one event per request (POST /api/v1/integrations/events), as an
  RMM or a script sends them;
- N > 1: Prometheus Alertmanager's webhook, N alerts per request (POST
  /api/v1/integrations/alertmanager, an alertmanager-kind integration; each alert's
  fingerprint is its de-duplication key, the keys of one notification are distinct). This is
  how Alertmanager delivers a storm: the alerts of a group (`group_by`) in one POST.

Events are alerts accepted: a request counts its alerts when it is answered 202 with an
outcome for each; anything else is an error and fails the run. Printed and written to
bench/results/alerts-<db>.md (events API) or alerts-<db>-group<N>.md (+ .json): events/s,
requests/s, p50/p99 latency per request (client side, from sending to the last byte), server
CPU per event, TCP connections the clients opened (one per client thread when keep-alive
works), the median over `--runs` (3) runs. Target: at least 1,000 events/s.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
TARGET = 1000.0
EVENTS_PATH = "/api/v1/integrations/events"
ALERTMANAGER_PATH = "/api/v1/integrations/alertmanager"
ACCEPTED = {"created", "appended", "suppressed", "grouped"}  # outcomes of a trigger


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--name", default=None, help="result name (default: sqlite/postgres, + -group<N>)"
    )
    p.add_argument("--events", type=int, default=20_000, help="events (alerts) per run (20000)")
    p.add_argument("--group", type=int, default=1, help="alerts per request; > 1: Alertmanager")
    p.add_argument("--keys", type=int, default=200, help="open alerts repeated (200)")
    p.add_argument("--new-percent", type=float, default=5.0, help="events with a new key (5)")
    p.add_argument("--runs", type=int, default=3, help="runs (3); the median is reported")
    p.add_argument("--clients", type=int, default=4, help="client processes (4)")
    p.add_argument("--threads", type=int, default=2, help="threads per client process (2)")
    p.add_argument("--workers", type=int, default=2, help="server processes (2)")
    p.add_argument("--server-threads", type=int, default=4, help="threads per server process (4)")
    p.add_argument("--max-seconds", type=float, default=300.0, help="time limit of one run")
    args = p.parse_args(argv)
    if args.group < 1 or args.group > 1000:
        p.error("--group must be 1-1000")
    if args.group > args.keys:
        p.error("--keys must be at least --group (the keys of one notification are distinct)")
    return args


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- seeding (in this process, with the server's environment) ----------------------------------


def seed(env: dict[str, str], kind: str) -> dict[str, str]:
    """Migrate and create the client, the administrator and the integration (`kind`: events
    or alertmanager); returns the integration's token and the client's slug."""
    code = (
        "import json, secrets, sys, django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from deskside.accounts import services as accounts\n"
        "from deskside.alerts import setup as alert_setup\n"
        "tag = secrets.token_hex(4)\n"
        "org = accounts.create_organization(name='Bench client ' + tag, slug='bench-' + tag)\n"
        "admin = accounts.create_user(email=f'bench-admin-{tag}@msp.example', kind='agent',\n"
        "    tier='L3', is_staff=True, full_name='Bench admin')\n"
        "integration, token = alert_setup.create_integration(actor=admin,\n"
        "    name=f'Bench {sys.argv[1]} ' + tag, kind=sys.argv[1], organization=org,\n"
        "    flood_threshold=0)\n"
        "print(json.dumps({'token': token, 'slug': org.slug}))\n"
    )
    done = subprocess.run(  # our own interpreter and code
        [sys.executable, "-c", code, kind],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"seeding failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the server --------------------------------------------------------------------------------


class Server:
    """`deskside serve --workers N --threads T` on a free port; stopped on exit."""

    def __init__(self, env: dict[str, str], workers: int, threads: int, log: Path) -> None:
        self.port = free_port()
        self.log = log.open("w")
        self.process = subprocess.Popen(  # our own CLI
            [
                sys.executable,
                "-m",
                "deskside.cli",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--no-migrate",
            ],
            cwd=REPO_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited; see {self.log.name}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/login/")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"the server did not answer within {timeout:.0f} s")

    def cpu_seconds(self) -> float:
        """User + system CPU time used so far by the gunicorn master and its workers (Linux
        /proc): the server's cost per event, whatever else the machine is doing."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            pids += [int(p) for p in children.read_text().split()]
        except OSError:
            return float("nan")
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# -- the clients -------------------------------------------------------------------------------


class Connection(http.client.HTTPConnection):
    """An HTTPConnection that counts the TCP connections it opens. http.client keeps the
    connection open between requests unless the server answers `Connection: close` (then it
    reconnects on the next request, and this counter shows it)."""

    opened = 0

    def connect(self) -> None:
        super().connect()
        self.opened += 1


def event_body(key: str, i: int) -> bytes:
    return json.dumps(
        {
            "event_action": "trigger",
            "dedup_key": key,
            "payload": {
                "summary": f"Disk almost full on {key}",
                "source": key,
                "severity": "warning",
                "custom_details": {"sample": i},
            },
        }
    ).encode()


def alertmanager_body(items: list[tuple[str, int]]) -> bytes:
    """One Alertmanager webhook notification (version 4) of a group: the alerts share
    alertname and severity; each has its instance and its fingerprint (= the key)."""
    return json.dumps(
        {
            "version": "4",
            "groupKey": '{}:{alertname="DiskAlmostFull"}',
            "truncatedAlerts": 0,
            "status": "firing",
            "receiver": "deskside",
            "groupLabels": {"alertname": "DiskAlmostFull"},
            "commonLabels": {"alertname": "DiskAlmostFull", "severity": "warning"},
            "commonAnnotations": {},
            "externalURL": "http://alertmanager.example:9093",
            "alerts": [
                {
                    "status": "firing",
                    "labels": {
                        "alertname": "DiskAlmostFull",
                        "instance": key,
                        "severity": "warning",
                    },
                    "annotations": {"summary": f"Disk almost full on {key}", "sample": str(i)},
                    "startsAt": "2026-11-23T18:00:00Z",
                    "endsAt": "0001-01-01T00:00:00Z",
                    "generatorURL": "http://prometheus.example:9090/graph",
                    "fingerprint": key,
                }
                for key, i in items
            ],
        }
    ).encode()


def send(
    conn: http.client.HTTPConnection, headers: dict, group: int, items: list[tuple[str, int]]
) -> tuple[int, str | None]:
    """POST one request; returns (events accepted, error or None)."""
    if group == 1:
        path, data = EVENTS_PATH, event_body(*items[0])
    else:
        path, data = ALERTMANAGER_PATH, alertmanager_body(items)
    try:
        conn.request("POST", path, body=data, headers=headers)
        resp = conn.getresponse()
        status, answer = resp.status, resp.read()
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        return 0, f"{type(exc).__name__}: {exc}"
    if status != 202:
        return 0, f"{status}: {answer[:200]!r}"
    if group == 1:
        return 1, None
    outcomes = [a.get("outcome") for a in json.loads(answer)["alerts"]]
    accepted = sum(1 for o in outcomes if o in ACCEPTED)
    if accepted != len(items):
        return accepted, f"202 with {accepted} of {len(items)} accepted: {outcomes[:5]}"
    return accepted, None


def client_process(args: tuple) -> dict:
    """One client process: `threads` threads sending its share of the requests, each thread
    on one connection kept alive."""
    port, token, group, plan, threads, max_seconds, start_at = args
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    latencies: list[float] = []
    errors: list[str] = []
    totals = {"events": 0, "connections": 0}
    lock = threading.Lock()
    chunks = [plan[t::threads] for t in range(threads)]
    deadline = start_at + max_seconds

    def run(requests: list[list[tuple[str, int]]]) -> None:
        conn = Connection("127.0.0.1", port, timeout=30)
        mine = []
        bad = []
        events = 0
        for items in requests:
            if time.time() > deadline:
                break
            t0 = time.perf_counter()
            accepted, error = send(conn, headers, group, items)
            mine.append(time.perf_counter() - t0)
            events += accepted
            if error:
                bad.append(error)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(bad)
            totals["events"] += events
            totals["connections"] += conn.opened

    while time.time() < start_at:
        time.sleep(0.001)
    workers = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return {"latencies": latencies, "errors": errors, **totals}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def make_plan(
    args: argparse.Namespace, rng: random.Random, keys: list[str], run_no: int
) -> tuple[list[list[tuple[str, int]]], int]:
    """The run's requests, each a list of (key, sample number): `--group` alerts per request
    (the last may be smaller), each a new key with probability `--new-percent`, else a repeat
    of an open key (distinct within a request, as in an Alertmanager notification)."""
    plan = []
    new = 0
    for start in range(0, args.events, args.group):
        size = min(args.group, args.events - start)
        fresh = sum(1 for _ in range(size) if rng.random() * 100 < args.new_percent)
        repeats = rng.sample(keys, size - fresh) if args.group > 1 else []
        if args.group == 1 and not fresh:
            repeats = [rng.choice(keys)]
        items = [(key, 0) for key in repeats]
        for _ in range(fresh):
            items.append((f"r{run_no}-new-{new:06d}", 0))
            new += 1
        rng.shuffle(items)
        plan.append([(key, start + n) for n, (key, _) in enumerate(items)])
    return plan, new


def one_run(args: argparse.Namespace, server: "Server", token: str, run_no: int) -> dict:
    port = server.port
    rng = random.Random(run_no)
    keys = [f"r{run_no}-host-{k:04d}" for k in range(args.keys)]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn = Connection("127.0.0.1", port, timeout=30)
    for start in range(0, len(keys), args.group):  # open the repeated alerts outside the timing
        items = [(key, 0) for key in keys[start : start + args.group]]
        accepted, error = send(conn, headers, args.group, items)
        if error:
            raise SystemExit(f"opening {items[0][0]}… failed: {error}")
    conn.close()
    plan, new = make_plan(args, rng, keys, run_no)
    shares = [plan[c :: args.clients] for c in range(args.clients)]
    start_at = time.time() + 0.5
    cpu_before = server.cpu_seconds()
    with multiprocessing.Pool(args.clients) as pool:
        parts = pool.map(
            client_process,
            [
                (port, token, args.group, share, args.threads, args.max_seconds, start_at)
                for share in shares
            ],
        )
    seconds = time.time() - start_at
    cpu = server.cpu_seconds() - cpu_before
    latencies = [x for p in parts for x in p["latencies"]]
    errors = [x for p in parts for x in p["errors"]]
    events = sum(p["events"] for p in parts)
    return {
        "events": events,
        "requests": len(latencies),
        "new_keys": new,
        "errors": len(errors),
        "error_sample": errors[:3],
        "connections": sum(p["connections"] for p in parts),
        "seconds": round(seconds, 3),
        "events_per_second": round(events / seconds, 1) if seconds else 0.0,
        "requests_per_second": round(len(latencies) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(pct(latencies, 0.50) * 1000, 2) if latencies else None,
        "p99_ms": round(pct(latencies, 0.99) * 1000, 2) if latencies else None,
        "server_cpu_ms_per_event": round(cpu / events * 1000, 3) if events else None,
        "load_average": round(os.getloadavg()[0], 2),
    }


# -- report ------------------------------------------------------------------------------------


def machine() -> dict[str, object]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": platform.python_version()}


def command_line(args: argparse.Namespace, database_url: str) -> str:
    prefix = f"DATABASE_URL={database_url} " if database_url else ""
    return prefix + "python bench/alerts.py " + " ".join(sys.argv[1:])


def write_report(
    name: str, args: argparse.Namespace, vendor: str, runs: list[dict], command: str
) -> Path:
    med = {
        k: statistics.median(r[k] for r in runs)
        for k in (
            "events_per_second",
            "requests_per_second",
            "p50_ms",
            "p99_ms",
            "server_cpu_ms_per_event",
        )
    }
    ok = med["events_per_second"] >= TARGET and all(r["errors"] == 0 for r in runs)
    info = machine()
    if args.group == 1:
        title = "events API, one event per request"
        shape = f"POST {EVENTS_PATH}, one event per request"
    else:
        title = f"Alertmanager groups of {args.group} alerts per request"
        shape = (
            f"POST {ALERTMANAGER_PATH}, webhook notifications of {args.group} alerts each "
            "(an alertmanager integration; fingerprint = key, distinct within a notification)"
        )
    lines = [
        f"# Alert intake benchmark: {vendor}, {title} ({name})",
        "",
        f"- measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {info['cpus']} CPUs "
        f"({info['cpu']}), Python {info['python']}; server `deskside serve --workers "
        f"{args.workers} --threads {args.server_threads}` (gunicorn gthread workers, "
        "connections kept alive) on the same machine as the clients",
        f"- command: `{command}`",
        f"- per run: {args.events:,} events (alerts) as {shape}, from {args.clients} client "
        f"processes x {args.threads} threads, one kept-alive connection per thread; "
        f"{100 - args.new_percent:g} % repeats of {args.keys} open alerts, "
        f"{args.new_percent:g} % new keys (each opens an alert and a ticket); every request "
        "must be answered 202 with every alert accepted",
        "- events/s counts alerts accepted; latency is per request (client side, sending to "
        "the last byte); connections: TCP connections the clients opened in the run",
        "",
        "| | events/s | requests/s | p50 ms | p99 ms | server CPU ms/event | connections "
        "| load average | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for i, r in enumerate(runs, 1):
        lines.append(
            f"| run {i} | {r['events_per_second']:,.0f} | {r['requests_per_second']:,.0f} | "
            f"{r['p50_ms']} | {r['p99_ms']} | {r['server_cpu_ms_per_event']} | "
            f"{r['connections']} | {r['load_average']} | {r['errors']} |"
        )
    lines.append(
        f"| **median** | **{med['events_per_second']:,.0f}** | "
        f"{med['requests_per_second']:,.0f} | {med['p50_ms']} | {med['p99_ms']} | "
        f"{med['server_cpu_ms_per_event']} | | | |"
    )
    capacity = 1000 / med["server_cpu_ms_per_event"] if med["server_cpu_ms_per_event"] else 0
    lines += [
        "",
        f"Target: at least {TARGET:,.0f} events/s with {args.workers} server workers, "
        f"{title}: " + ("**met**." if ok else "**not met**."),
        "",
        f"Server CPU per event (gunicorn master and workers, from /proc): "
        f"{med['server_cpu_ms_per_event']} ms, i.e. about {capacity:,.0f} events/s per CPU "
        f"core the server has to itself"
        + (" (PostgreSQL's own processes not counted)" if vendor == "PostgreSQL" else "")
        + ". The clients run on the same machine and compete for its CPUs; the load average "
        "(1 minute, at the end of each run) includes the benchmark itself (about 2 on these 2 "
        "cores) and shows what else was running.",
        "",
    ]
    out = BENCH_DIR / "results" / f"alerts-{name}.md"
    out.write_text("\n".join(lines))
    (BENCH_DIR / "results" / f"alerts-{name}.json").write_text(
        json.dumps(
            {"name": name, "vendor": vendor, "command": command, "args": vars(args), "runs": runs},
            indent=2,
        )
    )
    print("\n".join(lines))
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    vendor = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    name = args.name or ("postgres" if vendor == "PostgreSQL" else "sqlite")
    if args.name is None and args.group > 1:
        name += f"-group{args.group}"
    tmp = Path(tempfile.mkdtemp(prefix="deskside-bench-alerts-"))
    env = dict(os.environ)
    env["DESKSIDE_DATA_DIR"] = str(tmp / "data")
    env["DJANGO_SETTINGS_MODULE"] = "deskside.settings"
    env.pop("DESKSIDE_DEBUG", None)
    env["PYTHONPATH"] = str(REPO_DIR)
    if vendor == "SQLite" and os.environ.get("DESKSIDE_BENCH_SQLITE_TEMPLATE"):
        # An SQLite database already migrated (the smoke test's, made once per test session):
        # seeding's migrate is then a no-op. The figures never include the migration.
        (tmp / "data").mkdir()
        shutil.copyfile(
            os.environ["DESKSIDE_BENCH_SQLITE_TEMPLATE"], tmp / "data" / "deskside.sqlite3"
        )
    kind = "events" if args.group == 1 else "alertmanager"
    print(f"Seeding ({vendor}, {kind}, data in {tmp})…", file=sys.stderr, flush=True)
    seeded = seed(env, kind)
    server = Server(env, args.workers, args.server_threads, tmp / "server.log")
    runs = []
    try:
        server.wait_ready()
        for run_no in range(1, args.runs + 1):
            result = one_run(args, server, seeded["token"], run_no)
            print(
                f"run {run_no}: {result['events_per_second']:,.0f} events/s "
                f"({result['requests']} requests), p50 {result['p50_ms']} ms, "
                f"p99 {result['p99_ms']} ms, {result['connections']} connections, "
                f"load {result['load_average']}, {result['errors']} errors "
                f"{result['error_sample']}",
                file=sys.stderr,
                flush=True,
            )
            runs.append(result)
    finally:
        server.stop()
    write_report(name, args, vendor, runs, command_line(args, database_url))
    shutil.rmtree(tmp, ignore_errors=True)
    bad = [r for r in runs if r["errors"] or r["events"] != args.events]
    if bad:
        print(f"unexpected answers: {bad[0]['error_sample']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

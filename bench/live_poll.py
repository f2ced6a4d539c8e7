"""The cost of the live pages (issue 14, item 4): every open queue or ticket page polls every
10 s, so 200 agents with a page open each make 20 requests a second.

    # a data set with 200 agents (bench/seed.py --agents 200), or a COPY of a shared one,
    # migrated (the poll's presence table): deskside migrate with its DESKSIDE_DATA_DIR
    python bench/live_poll.py --data-dir /work/benchdata/live-1m --requests 2000 \\
        --pages 200 --seconds 60 --out live_poll-1m-sqlite

Two measurements, one after the other:

  in-process  the two polls through Django's test client (middleware, session, queries,
              template when something changed), --requests of each: p50, p99, max, per answer
              (204: nothing changed; 200: a fragment). The server's work for one poll, no HTTP.
  http        `deskside serve` (gunicorn, --workers, 4 threads each) on loopback, and a load
              generator playing --pages open pages for --seconds: half queue pages, half ticket
              pages (on --pages/2.5 distinct tickets, so some agents share a ticket and see each
              other), each polling every 10 s at its own phase, carrying what it shows (`shown`,
              `sig`) as the browser does. Reports the latency seen by the client (p50, p99) and
              the server's CPU: CPU seconds of the gunicorn master and workers (from
              /proc/<pid>/stat) per wall second, i.e. the share of one core that many open
              pages cost.

The agents are the data set's active agents (up to --pages of them, reused when fewer), each
signed in with a session of its own (written to the data set's database: use a copy). The
tickets are the newest ones each agent may see (restricted agents see only their clients').
Results: printed, and with --out written to bench/results/<out>.md and .json.
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
RESULTS_DIR = Path(os.environ.get("DESKSIDE_BENCH_RESULTS_DIR") or BENCH_DIR / "results")
POLL_EVERY = 10.0  # seconds, as the pages poll
CLK_TCK = os.sysconf("SC_CLK_TCK")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", required=True, help="the data set (its info.json, database)")
    p.add_argument("--requests", type=int, default=2000, help="in-process polls of each kind")
    p.add_argument("--pages", type=int, default=200, help="open pages for the http run (200)")
    p.add_argument("--seconds", type=float, default=60.0, help="length of the http run (60)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    p.add_argument("--port", type=int, default=8937)
    p.add_argument("--skip-http", action="store_true", help="in-process figures only")
    p.add_argument("--seed", type=int, default=14)
    p.add_argument("--out", default=None, help="bench/results/<out>.md and .json")
    return p.parse_args()


def database_dir(data_dir: Path, info: dict) -> Path:
    """Where the data set's SQLite database is: --data-dir when it holds one (a copy of a
    data set keeps the info.json of its original), else the info's data_dir."""
    if info.get("database_url") or (data_dir / "deskside.sqlite3").exists():
        return data_dir
    return Path(info["data_dir"])


def setup_django(data_dir: Path) -> dict:
    info = json.loads((data_dir / "info.json").read_text())
    os.environ["DESKSIDE_DATA_DIR"] = str(database_dir(data_dir, info))
    if info.get("database_url"):
        os.environ["DATABASE_URL"] = info["database_url"]
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")
    sys.path.insert(0, str(REPO_DIR))
    import django  # noqa: PLC0415 - after the data set's environment is set

    django.setup()
    return info


def percentiles(ms: list[float]) -> dict[str, float]:
    if not ms:
        return {"n": 0}
    ordered = sorted(ms)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {
        "n": len(ms),
        "p50": round(statistics.median(ordered), 2),
        "p99": round(p99, 2),
        "max": round(ordered[-1], 2),
    }


class OpenPage:
    """One agent's open page: what it polls and what it shows now (as the browser keeps it)."""

    def __init__(self, agent, kind: str, ticket=None, *, after: int = 0, since: int = 0):
        self.agent = agent
        self.kind = kind  # "queue" or "ticket"
        self.ticket = ticket
        self.after = after
        self.since = since
        self.shown = 0
        self.sig = ""

    def path(self) -> str:
        if self.kind == "queue":
            return f"/live/queue/?queue=open&after={self.after}&shown={self.shown}"
        return f"/live/tickets/{self.ticket.number}/"

    def body(self) -> dict[str, str]:
        return {"since": str(self.since), "sig": self.sig, "state": "viewing"}

    def saw(self, status: int, text: str) -> None:
        """Keep what the answer shows, as the replaced poller element would."""
        if status != 200:
            return
        if self.kind == "queue":
            match = re.search(r'"shown": "(\d+)"', text)
            self.shown = int(match.group(1)) if match else self.shown
        else:
            match = re.search(r'"sig": "([0-9a-f]*)"', text)
            self.sig = match.group(1) if match else self.sig


def open_pages(count: int, rng: random.Random) -> list[OpenPage]:
    """`count` open pages of the data set's agents: half queues, half tickets (the newest
    tickets each agent may see, count/2.5 distinct ones, so some agents share a ticket)."""
    from deskside.accounts.models import User  # noqa: PLC0415 - after django.setup()
    from deskside.live.queries import newest_ticket_id  # noqa: PLC0415
    from deskside.tickets.queries import ticket_version, visible_tickets  # noqa: PLC0415

    agents = list(User.objects.filter(kind=User.Kind.AGENT, is_active=True).order_by("pk"))
    if not agents:
        raise SystemExit("the data set has no agents")
    newest = newest_ticket_id()
    distinct = max(1, int(count / 2.5))
    pages = []
    for i in range(count):
        agent = agents[i % len(agents)]
        if i % 2 == 0:
            pages.append(OpenPage(agent, "queue", after=newest - rng.choice((0, 0, 0, 2))))
            continue
        k = rng.randrange(distinct)
        found = list(visible_tickets(agent).order_by("-pk")[k : k + 1])
        if not found:
            continue
        ticket = found[0]
        pages.append(OpenPage(agent, "ticket", ticket, since=ticket_version(agent, ticket)))
    return pages


def sign_in(pages: list[OpenPage]) -> dict[int, str]:
    """A session cookie per agent (written to the data set's database) and a CSRF cookie."""
    from django.test import Client  # noqa: PLC0415 - after django.setup()

    cookies = {}
    for page in pages:
        if page.agent.pk in cookies:
            continue
        client = Client(HTTP_HOST="localhost")
        client.force_login(page.agent)
        cookies[page.agent.pk] = client.cookies["sessionid"].value
    return cookies


# -- in-process --------------------------------------------------------------------------------


def in_process(pages: list[OpenPage], requests: int, rng: random.Random) -> dict[str, dict]:
    """Each kind of poll `requests` times through the test client, pages in random order."""
    from django.test import Client  # noqa: PLC0415 - after django.setup()

    clients = {}
    for page in pages:
        if page.agent.pk not in clients:
            client = Client(HTTP_HOST="localhost")
            client.force_login(page.agent)
            clients[page.agent.pk] = client
    times: dict[str, list[float]] = {}
    for kind in ("queue", "ticket"):
        mine = [p for p in pages if p.kind == kind]
        for _ in range(requests):
            page = rng.choice(mine)
            client = clients[page.agent.pk]
            start = time.perf_counter()
            if kind == "queue":
                response = client.get(page.path())
            else:
                response = client.post(page.path(), page.body())
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code in (200, 204), (page.path(), response.status_code)
            page.saw(response.status_code, response.content.decode())
            times.setdefault(f"{kind} poll, all", []).append(elapsed)
            times.setdefault(f"{kind} poll, {response.status_code}", []).append(elapsed)
    return {key: percentiles(values) for key, values in times.items()}


# -- over HTTP ---------------------------------------------------------------------------------


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of one process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def server_pids(master: int) -> list[int]:
    pids = [master]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == master:
                pids.append(int(entry.name))
    return pids


def server_cpu(master: int) -> float:
    total = 0.0
    for pid in server_pids(master):
        with contextlib.suppress(OSError):
            total += process_cpu(pid)
    return total


def start_server(data_dir: Path, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "DESKSIDE_DATA_DIR": str(data_dir)}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "deskside.cli",
            "serve",
            "--no-migrate",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        cwd=REPO_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("the server did not answer within 60 s")


def over_http(
    pages: list[OpenPage], cookies: dict[int, str], args: argparse.Namespace, data_dir: Path
) -> dict[str, object]:
    """Play the open pages against the real server for args.seconds; client latency and the
    server's CPU per wall second."""
    server = start_server(data_dir, args.port, args.workers)
    csrf = "b" * 32  # any 32-character secret: the cookie and the header must agree
    rng = random.Random(args.seed)
    due = sorted((rng.uniform(0, POLL_EVERY), i) for i in range(len(pages)))
    lock = threading.Lock()
    times: dict[str, list[float]] = {}
    errors = []
    try:
        schedule = list(due)
        start_cpu, start = server_cpu(server.pid), time.monotonic()
        stop_at = start + args.seconds
        queue_lock = threading.Lock()

        def worker() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
            while True:
                with queue_lock:
                    if not schedule:
                        return
                    at, i = schedule.pop(0)
                    if start + at >= stop_at:
                        return
                    schedule.append((at + POLL_EVERY, i))
                    schedule.sort()
                wait = start + at - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                page = pages[i]
                headers = {
                    "Cookie": f"sessionid={cookies[page.agent.pk]}; csrftoken={csrf}",
                    "HX-Request": "true",
                }
                body = None
                if page.kind == "ticket":
                    body = "&".join(f"{k}={v}" for k, v in page.body().items())
                    headers["Content-Type"] = "application/x-www-form-urlencoded"
                    headers["X-CSRFToken"] = csrf
                sent = time.perf_counter()
                try:
                    conn.request("POST" if body else "GET", page.path(), body=body, headers=headers)
                    response = conn.getresponse()
                    text = response.read().decode()
                except (OSError, http.client.HTTPException) as exc:
                    errors.append(repr(exc))
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
                    continue
                elapsed = (time.perf_counter() - sent) * 1000
                if response.status not in (200, 204):
                    errors.append(f"{page.path()}: {response.status}")
                page.saw(response.status, text)
                with lock:
                    times.setdefault(f"{page.kind} poll, all", []).append(elapsed)

        threads = [threading.Thread(target=worker) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - start
        cpu = server_cpu(server.pid) - start_cpu
    finally:
        server.terminate()
        server.wait(timeout=30)
    polls = sum(len(v) for v in times.values())
    return {
        "pages": len(pages),
        "seconds": round(wall, 1),
        "polls": polls,
        "polls_per_second": round(polls / wall, 1),
        "server_cpu_seconds": round(cpu, 2),
        "server_cpu_per_wall_second": round(cpu / wall, 4),
        "server_cpu_ms_per_poll": round(cpu * 1000 / polls, 2) if polls else None,
        "latency": {key: percentiles(values) for key, values in times.items()},
        "errors": errors[:20],
        "error_count": len(errors),
    }


def report(info: dict, args: argparse.Namespace, inproc: dict, http_run: dict | None) -> str:
    lines = [
        f"# Live page polls: {info.get('tickets', '?'):,} tickets ({info.get('vendor')})",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, `python bench/live_poll.py --data-dir "
        f"{args.data_dir} --requests {args.requests} --pages {args.pages} --seconds "
        f"{args.seconds:g} --workers {args.workers}`",
        "",
        "In-process (Django test client; the server's work for one poll), ms:",
        "",
        "| poll | n | p50 | p99 | max |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for key, row in sorted(inproc.items()):
        lines.append(f"| {key} | {row['n']} | {row['p50']} | {row['p99']} | {row['max']} |")
    if http_run:
        lines += [
            "",
            f"Over HTTP (gunicorn, {args.workers} workers x 4 threads, loopback): "
            f"{http_run['pages']} open pages polling every {POLL_EVERY:g} s for "
            f"{http_run['seconds']} s, {http_run['polls']} polls "
            f"({http_run['polls_per_second']}/s), {http_run['error_count']} errors.",
            "",
            f"Server CPU: {http_run['server_cpu_seconds']} s in {http_run['seconds']} s = "
            f"**{http_run['server_cpu_per_wall_second']} CPU-seconds per second** "
            f"({http_run['server_cpu_ms_per_poll']} ms of CPU per poll).",
            "",
            "| poll (client-side latency, ms) | n | p50 | p99 | max |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for key, row in sorted(http_run["latency"].items()):
            lines.append(f"| {key} | {row['n']} | {row['p50']} | {row['p99']} | {row['max']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    args = parse_args()
    data_dir = Path(args.data_dir).resolve()
    info = setup_django(data_dir)
    rng = random.Random(args.seed)
    print(f"opening {args.pages} pages…", file=sys.stderr, flush=True)
    pages = open_pages(args.pages, rng)
    print(f"in-process: {args.requests} polls of each kind…", file=sys.stderr, flush=True)
    inproc = in_process(pages, args.requests, rng)
    load_before = os.getloadavg()[0]
    http_run = None
    if not args.skip_http:
        print(f"http: {len(pages)} pages for {args.seconds:g} s…", file=sys.stderr, flush=True)
        for page in pages:  # start from what a freshly opened page shows
            page.shown, page.sig = 0, ""
        http_run = over_http(pages, sign_in(pages), args, database_dir(data_dir, info))
    text = report(info, args, inproc, http_run)
    text += (
        f"\nLoad average (1 min) of the machine: {load_before:.1f} after the in-process run, "
        f"{os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores: figures measured on "
        "a busy machine are slower than on an idle one.\n"
    )
    print(text)
    if args.out:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        (RESULTS_DIR / f"{args.out}.md").write_text(text)
        raw = {"info": {"tickets": info.get("tickets")}, "in_process": inproc, "http": http_run}
        (RESULTS_DIR / f"{args.out}.json").write_text(json.dumps(raw, indent=1) + "\n")


if __name__ == "__main__":
    main()

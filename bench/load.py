"""Measure Deskside under load: starts the production server itself, drives it, stops it.

    python bench/load.py --name sqlite        # after bench/seed.py filled bench/data/sqlite
    python bench/load.py --name postgres

It reads bench/data/<name>/info.json and token.txt (written by bench/seed.py), starts
`gunicorn deskside.wsgi -w 2 -b 127.0.0.1:<port>` with that data set's environment, waits until
it answers, signs the bench agent in through the login form, and then runs each scenario
`--runs` times (a bounded number of requests from a pool of client threads on loopback, each
run also bounded in time):

  create       POST /api/v1/tickets (JSON, bearer token), concurrency 8: requests/s, p50, p99
  queue        GET /tickets/ and its queues (open, mine, unassigned, all), signed-in agent
  api-list     GET /api/v1/tickets (all, and ?queue=open)
  api-search   GET /api/v1/tickets?q=<two words>, twenty different two-word queries
  page-search  GET /tickets/search/?q=<two words>, the same queries

The table shows the MEDIAN over the runs of each run's throughput and latency percentiles;
it is printed and written to bench/results/<name>.md (and the raw runs to <name>.json).
Latency is measured by the client, from sending the request to the last byte of the answer,
so it includes connection set-up and any wait for a free worker.
"""

import argparse
import http.client
import json
import os
import platform
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import corpus  # bench/corpus.py: the seeder's text generator, for new tickets

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
TARGETS = {
    "create": ("rps", 300),
    "queue": ("p99", 100),
    "page-search": ("p99", 100),
    "api-search": ("p99", 100),
}


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--name", default="sqlite", help="data set under bench/data/ (sqlite)")
    p.add_argument("--port", type=int, default=8931)
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    p.add_argument("--runs", type=int, default=5, help="runs per scenario (5)")
    p.add_argument("--requests", type=int, default=300, help="requests per run (300)")
    p.add_argument("--max-seconds", type=float, default=30.0, help="time limit of one run (30)")
    p.add_argument("--read-concurrency", type=int, default=2, help="client threads, reads (2)")
    p.add_argument("--write-concurrency", type=int, default=8, help="client threads, create (8)")
    p.add_argument(
        "--scenarios",
        default="create,queue,api-list,api-search,page-search",
        help="comma-separated subset of: create, queue, api-list, api-search, page-search",
    )
    p.add_argument("--out", default=None, help="result name (default: --name)")
    p.add_argument(
        "--settings", default=None, help="DJANGO_SETTINGS_MODULE for the server (deskside.settings)"
    )
    return p.parse_args()


# -- the server --------------------------------------------------------------------------------


class Server:
    """gunicorn serving deskside.wsgi with the data set's environment; stopped on exit."""

    def __init__(
        self, info: dict, port: int, workers: int, log: Path, settings: str | None = None
    ) -> None:
        env = dict(os.environ)
        env["DJANGO_SETTINGS_MODULE"] = settings or "deskside.settings"
        env["DESKSIDE_DATA_DIR"] = info["data_dir"]
        env.pop("DATABASE_URL", None)
        if info["database_url"]:
            env["DATABASE_URL"] = info["database_url"]
        env.pop("DESKSIDE_DEBUG", None)
        self.command = [
            sys.executable,
            "-m",
            "gunicorn",
            "deskside.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
        ]
        self.port = port
        self.log = log.open("w")
        self.process = subprocess.Popen(
            self.command, cwd=REPO_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"gunicorn exited with {self.process.returncode}; see {self.log.name}"
                )
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/login/")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s; see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# -- the client --------------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None
    expect: tuple[int, ...] = (200,)


@dataclass
class Run:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    error_sample: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def run_load(
    port: int, make: Callable[[int], Request], total: int, concurrency: int, max_seconds: float
) -> Run:
    """Send `total` requests (made by `make(i)`) from `concurrency` threads; stop early after
    `max_seconds`. Each thread keeps one HTTP connection and reconnects when the server closes it
    (gunicorn's sync workers close after every response)."""
    run = Run()
    lock = threading.Lock()
    counter = iter(range(total))
    deadline = time.monotonic() + max_seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            req = make(i)
            t0 = time.perf_counter()
            try:
                conn.request(req.method, req.path, body=req.body, headers=req.headers)
                resp = conn.getresponse()
                data = resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                status, data = 0, str(exc).encode()
            elapsed = time.perf_counter() - t0
            with lock:
                run.requests += 1
                if status in req.expect:
                    run.latencies.append(elapsed * 1000)
                else:
                    run.errors += 1
                    if not run.error_sample:
                        run.error_sample = f"{req.method} {req.path} -> {status}: {data[:300]!r}"
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.seconds = time.monotonic() - start
    return run


def cookies_of(resp: http.client.HTTPResponse) -> dict[str, str]:
    out = {}
    for header in resp.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        out[name.strip()] = rest.split(";", 1)[0]
    return out


def log_in(port: int, email: str, password: str) -> str:
    """Sign in through the login form; return the Cookie header of the session."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login/")
    resp = conn.getresponse()
    page = resp.read().decode()
    cookies = cookies_of(resp)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match:
        raise SystemExit("no CSRF token on the login page")
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": match.group(1), "username": email, "password": password}
    )
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        "/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "Referer": f"http://127.0.0.1:{port}/login/",
        },
    )
    resp = conn.getresponse()
    resp.read()
    cookies.update(cookies_of(resp))
    if resp.status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"login failed: {resp.status}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


# -- scenarios ---------------------------------------------------------------------------------


def scenarios(info: dict, token: str, cookie: str) -> dict[str, Callable[[int], Request]]:
    api = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    page = {"Cookie": cookie, "Accept": "text/html"}
    queries = info["queries"]
    rng = random.Random(7)
    orgs = info["organizations"]

    def create(i: int) -> Request:
        org = orgs[i % len(orgs)]
        story = corpus.story(rng, "incident")
        body = {
            "organization": org["slug"],
            "requester": org["requesters"][i % len(org["requesters"])],
            "subject": story.subject,
            "description": story.description,
            "priority": "P3",
            "type": "incident",
            "channel": "api",
        }
        return Request(
            "POST",
            "/api/v1/tickets",
            {**api, "Content-Type": "application/json"},
            json.dumps(body).encode(),
            expect=(201,),
        )

    queue_paths = [
        "/tickets/",
        "/tickets/?queue=open",
        "/tickets/?queue=mine",
        "/tickets/?queue=unassigned",
        "/tickets/?queue=all",
    ]
    list_paths = ["/api/v1/tickets", "/api/v1/tickets?queue=open"]

    def q(i: int) -> str:
        return urllib.parse.quote_plus(queries[i % len(queries)])

    return {
        "create": create,
        "queue": lambda i: Request("GET", queue_paths[i % len(queue_paths)], page),
        "api-list": lambda i: Request("GET", list_paths[i % len(list_paths)], api),
        "api-search": lambda i: Request("GET", f"/api/v1/tickets?q={q(i)}", api),
        "page-search": lambda i: Request("GET", f"/tickets/search/?q={q(i)}", page),
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
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
    }


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def verdict(name: str, row: dict) -> str:
    if name not in TARGETS:
        return ""
    metric, target = TARGETS[name]
    if metric == "rps":
        return f"{'met' if row['rps'] >= target else 'MISSED'} (> {target} req/s)"
    return f"{'met' if row['p99'] < target else 'MISSED'} (p99 < {target} ms)"


def main() -> int:
    args = parse_args()
    data = BENCH_DIR / "data" / args.name
    info = json.loads((data / "info.json").read_text())
    token = (data / "token.txt").read_text().strip()
    out_name = args.out or args.name
    chosen = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    before = machine()
    commit, started = git_commit(), datetime.now(UTC)
    server = Server(info, args.port, args.workers, data / "gunicorn.log", args.settings)
    results: dict[str, dict] = {}
    try:
        server.wait_ready()
        cookie = log_in(args.port, info["agent"]["email"], info["agent"]["password"])
        makers = scenarios(info, token, cookie)
        for name in chosen:
            concurrency = args.write_concurrency if name == "create" else args.read_concurrency
            # Warm-up: imports, connection set-up, the database's cache.
            run_load(args.port, makers[name], 20, concurrency, args.max_seconds)
            runs = []
            for r in range(args.runs):
                run = run_load(
                    args.port, makers[name], args.requests, concurrency, args.max_seconds
                )
                runs.append(run)
                sys.stderr.write(
                    f"{name} run {r + 1}/{args.runs}: {run.requests} requests, {run.errors} errors,"
                    f" {run.rps:.0f} req/s, p50 {run.pct(0.5):.1f} ms, p99 {run.pct(0.99):.1f} ms\n"
                )
                if run.error_sample:
                    sys.stderr.write(f"  first error: {run.error_sample}\n")
            results[name] = {
                "concurrency": concurrency,
                "requests": sum(r.requests for r in runs),
                "errors": sum(r.errors for r in runs),
                "rps": statistics.median(r.rps for r in runs),
                "p50": statistics.median(r.pct(0.5) for r in runs),
                "p99": statistics.median(r.pct(0.99) for r in runs),
                "best_p50": min(r.pct(0.5) for r in runs),
                "best_p99": min(r.pct(0.99) for r in runs),
                "runs": [
                    {
                        "requests": r.requests,
                        "errors": r.errors,
                        "seconds": round(r.seconds, 2),
                        "rps": round(r.rps, 1),
                        "p50": round(r.pct(0.5), 2),
                        "p99": round(r.pct(0.99), 2),
                        "error_sample": r.error_sample,
                    }
                    for r in runs
                ],
            }
    finally:
        server.stop()

    after = machine()
    command = "python bench/load.py " + " ".join(sys.argv[1:])
    lines = [
        f"# Deskside load benchmark: {info['vendor']} ({out_name})",
        "",
        f"- date: {started:%Y-%m-%d %H:%M} UTC, commit {commit}",
        f"- data: {info['tickets']:,} tickets, {info['events']:,} events (bench/seed.py, "
        f"seeded in {info['seed_seconds']:.0f} s)",
        f"- server: `{' '.join(server.command[2:])}` (sync workers), settings "
        f"{args.settings or 'deskside.settings'}",
        f"- client: {args.runs} runs per scenario, at most {args.requests} requests and "
        f"{args.max_seconds:.0f} s per run, Python threads + http.client on loopback; figures "
        "are the median over the runs",
        f"- machine: {before['cpus']} CPUs ({before['cpu']}), shared and noisy: other engineers "
        "run test suites at the same time; the client runs on the same 2 cores as the server. "
        f"Load average before {before['load_average'][0]:.2f}, after "
        f"{after['load_average'][0]:.2f}",
        f"- command: `{command}`",
        "",
        "| scenario | concurrency | requests | errors | req/s | p50 ms | p99 ms | target "
        "| best run p50 / p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for name, row in results.items():
        lines.append(
            f"| {name} | {row['concurrency']} | {row['requests']} | {row['errors']} | "
            f"{row['rps']:.0f} | {row['p50']:.1f} | {row['p99']:.1f} | {verdict(name, row)} | "
            f"{row['best_p50']:.1f} / {row['best_p99']:.1f} |"
        )
    report = "\n".join(lines) + "\n"
    print(report)
    results_dir = BENCH_DIR / "results"
    results_dir.mkdir(exist_ok=True)
    (results_dir / f"{out_name}.md").write_text(report)
    (results_dir / f"{out_name}.json").write_text(
        json.dumps(
            {
                "info": {k: v for k, v in info.items() if k not in ("agent", "customer")},
                "machine_before": before,
                "machine_after": after,
                "command": command,
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )
    return 1 if any(row["errors"] for row in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())

"""Time bulk actions and saved-view counts on a seeded data set (bench/seed.py).

    DESKSIDE_DATA_DIR=bench/data/sqlite python bench/bulk.py --runs 5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/deskside_bench \\
        DESKSIDE_DATA_DIR=bench/data/postgres python bench/bulk.py --runs 5

Changes the data set (it assigns and re-statuses open tickets): run it on a copy. What it
measures, each `--runs` times, on the newest `--tickets` (500) open tickets:

- `tickets.services.bulk_apply` assigning them (to two agents in turn, so every run changes
  every ticket) and setting their status (on hold / pending vendor in turn);
- the same two actions through the API (`POST /api/v1/tickets/bulk` with the numbers), with
  the bench agent's token, in process (Django's test client: no HTTP server in the figure);
- the counts of `--views` (10) saved views of the bench agent (`workspace.queries.view_counts`,
  each a capped count through tickets.queries.queue), then the views are deleted again.

Prints each run and the medians (and p99 of the counts); writes bench/results/bulk-<name>.json.
"""

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--tickets", type=int, default=500, help="tickets per bulk action (500)")
    p.add_argument("--views", type=int, default=10, help="saved views to count (10)")
    p.add_argument("--name", default=None, help="results name (default: the database vendor)")
    return p.parse_args()


ARGS = parse_args()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from deskside.accounts.models import User  # noqa: E402
from deskside.tickets import services as tickets  # noqa: E402
from deskside.tickets.models import OPEN_STATUSES, Ticket  # noqa: E402
from deskside.workspace import services as workspace  # noqa: E402
from deskside.workspace.queries import view_counts  # noqa: E402

VIEW_FILTERS = [
    {"queue": "mine"},
    {"queue": "team"},
    {"queue": "unassigned"},
    {"queue": "open", "priority": "P1"},
    {"queue": "open", "priority": "P2"},
    {"queue": "open", "sla": "breached"},
    {"queue": "open", "status": "pending_customer"},
    {"queue": "open", "tier": "L2"},
    {"queue": "all", "q": "printer offline"},
    {"queue": "open", "sla": "at_risk"},
    {"queue": "all", "priority": "P1"},
    {"queue": "open", "status": "on_hold"},
]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]


def bench_agent() -> User:
    agent = User.objects.filter(email="bench-agent@msp.example").first()
    if agent is None:
        raise SystemExit("no bench agent: seed the data set with bench/seed.py")
    return agent


def token() -> str:
    path = Path(os.environ.get("DESKSIDE_DATA_DIR", "")) / "token.txt"
    if not path.exists():
        raise SystemExit(f"no API token at {path}: seed the data set with bench/seed.py")
    return path.read_text().strip()


def timed(run: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = run(*args, **kwargs)
    return time.perf_counter() - start, result


def main() -> None:
    agent = bench_agent()
    others = list(
        User.objects.filter(kind=User.Kind.AGENT, is_active=True, served_organizations=None)
        .exclude(pk=agent.pk)
        .order_by("id")[:2]
    )
    ids = list(
        Ticket.objects.filter(status__in=OPEN_STATUSES)
        .order_by("-id")
        .values_list("id", flat=True)[: ARGS.tickets]
    )
    numbers = [Ticket(pk=pk).number for pk in ids]
    log(f"{connection.vendor}: {len(ids)} open tickets, {Ticket.objects.count():,} in all")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token()}", HTTP_HOST="localhost")
    results: dict[str, list[float]] = {
        k: [] for k in ("service_assign", "service_status", "api_assign", "api_status")
    }
    turns = {"assign": 0, "status": 0}  # each action alternates its target: every run
    # changes every ticket (assigning to the same agent again would be refused)

    def next_args(kind: str) -> tuple[User, str]:
        turns[kind] += 1
        return others[turns[kind] % 2], ("on_hold", "pending_vendor")[turns[kind] % 2]

    for run in range(ARGS.runs):
        who, _ = next_args("assign")
        took, res = timed(
            tickets.bulk_apply, actor=agent, tickets=ids, action="assign", assignee=who
        )
        results["service_assign"].append(took)
        line = f"run {run + 1}: service assign {ms(took)} ms ({len(res.done)} done"
        _, status = next_args("status")
        took, res = timed(
            tickets.bulk_apply, actor=agent, tickets=ids, action="status", status=status
        )
        results["service_status"].append(took)
        line += f"), status {ms(took)} ms ({len(res.done)} done"
        who, _ = next_args("assign")
        body = {"action": "assign", "ids": numbers, "args": {"assignee": who.public_id}}
        took, response = timed(
            api.post, "/api/v1/tickets/bulk", body, content_type="application/json"
        )
        assert response.status_code == 200, response.content[:300]
        results["api_assign"].append(took)
        line += f"); API assign {ms(took)} ms ({len(response.json()['done'])} done"
        _, status = next_args("status")
        body = {"action": "status", "ids": numbers, "args": {"status": status}}
        took, response = timed(
            api.post, "/api/v1/tickets/bulk", body, content_type="application/json"
        )
        assert response.status_code == 200, response.content[:300]
        results["api_status"].append(took)
        log(line + f"), status {ms(took)} ms ({len(response.json()['done'])} done)")

    views = [
        workspace.create_view(actor=agent, name=f"Bench view {i}", filters=f)
        for i, f in enumerate(VIEW_FILTERS[: ARGS.views])
    ]
    counts: list[float] = []
    try:
        for _ in range(max(ARGS.runs, 5) * 4):
            fresh = User.objects.get(pk=agent.pk)  # a new request: no cached served clients
            took, found = timed(view_counts, fresh, views)
            counts.append(took)
        log(f"counts of {len(views)} views: {sorted(found.values())}")
    finally:
        for view in views:
            workspace.delete_view(actor=agent, view=view)

    summary = {k: ms(statistics.median(v)) for k, v in results.items()}
    summary["view_counts_median"] = ms(statistics.median(counts))
    summary["view_counts_p99"] = ms(p99(counts))
    log("medians (ms): " + json.dumps(summary))
    name = ARGS.name or connection.vendor
    out = Path(os.environ.get("DESKSIDE_BENCH_RESULTS_DIR") or BENCH_DIR / "results")
    out = out / f"bulk-{name}.json"
    out.parent.mkdir(exist_ok=True)
    raw = {k: [ms(x) for x in v] for k, v in results.items()}
    out.write_text(
        json.dumps(
            {
                "tickets": len(ids),
                "total_tickets": Ticket.objects.count(),
                "views": len(views),
                "summary_ms": summary,
                "runs_ms": {**raw, "view_counts": [ms(x) for x in counts]},
            },
            indent=2,
        )
        + "\n"
    )
    log(f"wrote {out}")


if __name__ == "__main__":
    main()

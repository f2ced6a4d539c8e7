"""Automatic assignment timed on a seeded data set (issue 15, item 3: an assignment decision
p99 < 5 ms at 1,000,000 tickets and 200 agents).

    cp -r /work/benchdata/ws1m /work/benchdata/assign        # never write to the original
    DESKSIDE_DATA_DIR=/work/benchdata/assign deskside migrate
    python bench/assignment.py --data-dir /work/benchdata/assign --decisions 500 --runs 3

On its copy it first sets up (once, idempotent) what a 24x7 desk has: the data set's
biggest team gets a roster of three 8-hour shifts (its agents split over early, late and
night, a weekly rota), ten skills with two per agent, and a rule. Then, for each mode
(round-robin, least-loaded, skills-first, cap 250) it times:

  decide  `assignment.services.decide`: the whole decision for a random open ticket's
          client (and, for skills-first, one required skill), queries included: who works
          now (rosters.working), leave, active agents serving the client, their open tickets
          by priority, their skills, and the rule;
  decide, roster asked
          the same with the memory of "who works" dropped before each decision (a decision
          right after a shift change, or with DESKSIDE_ASSIGNMENT_WORKING_TTL=0): the roster
          is read through rosters.working each time;
  assign  `assignment.services.auto_assign` on an unassigned ticket of the team, writing its
          ASSIGNED event, the ticket and the rule (and the event hook's other handlers),
          inside a transaction rolled back afterwards.

Figures are median / p99 / max in milliseconds per run, over `--decisions` decisions after
a warm-up; the CPU time is printed too (the wall clock includes waiting for a core on a
shared machine). The report goes to stdout and to bench/results/assignment-<name>.md.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
RESULTS = Path(os.environ.get("DESKSIDE_BENCH_RESULTS_DIR") or BENCH_DIR / "results")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", required=True, help="a copy of a data set (its info.json)")
    p.add_argument("--decisions", type=int, default=500, help="timed decisions per run (500)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--seed", type=int, default=7)
    return p.parse_args()


ARGS = parse_args()
DATA = Path(ARGS.data_dir).resolve()
INFO = json.loads((DATA / "info.json").read_text())
os.environ["DESKSIDE_DATA_DIR"] = str(DATA)
if INFO.get("database_url"):
    os.environ["DATABASE_URL"] = INFO["database_url"]
else:
    os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")
sys.path.insert(0, str(REPO_DIR))

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.db.models import Count  # noqa: E402

from deskside.accounts.models import Skill, Team, User  # noqa: E402
from deskside.assignment import candidates, services  # noqa: E402
from deskside.assignment.models import AssignmentRule, Mode  # noqa: E402
from deskside.core import clock  # noqa: E402
from deskside.rosters import working  # noqa: E402
from deskside.rosters.models import Roster, RotaLine, ShiftDefinition  # noqa: E402
from deskside.tickets.models import OPEN_STATUSES, Ticket  # noqa: E402

SKILLS = ["Exchange", "VPN", "Printers", "Windows", "macOS", "Networking", "SAP", "M365",
          "Backup", "Phones"]  # fmt: skip
CAP = 250


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def set_up(rng: random.Random) -> Team:
    """The biggest team on three shifts, with skills and a rule (once per copy)."""
    team = Team.objects.annotate(n=Count("members")).order_by("-n").first()
    agents = list(team.members.filter(kind=User.Kind.AGENT).order_by("pk"))
    if not Roster.objects.filter(team=team).exists():
        roster = Roster.objects.create(team=team, timezone="UTC", cycle_start=date(2026, 1, 5))
        for position, (code, name, start, end) in enumerate(
            [
                ("E", "Early", "06:00", "14:00"),
                ("L", "Late", "14:00", "22:00"),
                ("N", "Night", "22:00", "06:00"),
            ]  # fmt: skip
        ):
            ShiftDefinition.objects.create(
                roster=roster, code=code, name=name, start=start, end=end, position=position
            )
        for position, agent in enumerate(agents):
            code = "ELN"[position % 3]
            pattern = [code] * 5 + ["", ""]  # five days on, two off, shifted per person
            shift = position % 7
            RotaLine.objects.create(
                roster=roster, user=agent, position=position,
                pattern=pattern[shift:] + pattern[:shift],
            )  # fmt: skip
    skills = [Skill.objects.get_or_create(name=name)[0] for name in SKILLS]
    through = User.skills.through
    if not through.objects.filter(user__in=agents).exists():
        through.objects.bulk_create(
            through(user_id=agent.pk, skill_id=skill.pk)
            for agent in agents
            for skill in rng.sample(skills, 2)
        )
    AssignmentRule.objects.get_or_create(team=team, defaults={"mode": Mode.LEAST_LOADED})
    return team


def timed(fn) -> tuple[float, float]:
    cpu, wall = time.thread_time(), time.perf_counter()
    fn()
    return (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000


def run() -> str:
    rng = random.Random(ARGS.seed)
    team = set_up(rng)
    orgs = list(
        Ticket.objects.filter(status__in=OPEN_STATUSES)
        .values_list("organization_id", flat=True)
        .distinct()
    )
    unassigned = list(Ticket.objects.filter(status="new", assignee__isnull=True)[:2000])
    now = clock.now()
    on_shift = working.working_ids(team, now)
    lines = [
        f"# Assignment decisions on {INFO['name']} ({INFO['tickets']:,} tickets, "
        f"{User.objects.filter(kind=User.Kind.AGENT).count()} agents)",
        "",
        f"Team {team.name}: {team.members.count()} members, {len(on_shift or ())} on shift now; "
        f"cap {CAP}; {ARGS.decisions} decisions per run.",
        "",
        "| mode | what | run | median ms | p99 ms | max ms | CPU median ms | CPU p99 ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for mode in (Mode.ROUND_ROBIN, Mode.LEAST_LOADED, Mode.SKILLS_FIRST):
        AssignmentRule.objects.filter(team=team).update(mode=mode, cap=CAP)
        for what in ("decide", "decide, roster asked", "assign"):
            for run_no in range(1, ARGS.runs + 1):
                walls, cpus = [], []
                for i in range(ARGS.decisions + 20):  # the first 20: warm-up
                    team = Team.objects.get(pk=team.pk)  # no cached roster between decisions
                    rule = AssignmentRule.objects.select_related("last_user").get(team=team)
                    required = [rng.choice(SKILLS)] if mode == Mode.SKILLS_FIRST else []
                    if what.startswith("decide"):
                        org = rng.choice(orgs)
                        if what != "decide":
                            candidates.forget()  # ask the roster again (no memory)

                        def one(rule=rule, required=required, org=org, team=team) -> None:
                            services.decide(
                                team, rule=rule, organization_id=org, required=required, at=now
                            )

                        wall, cpu = timed(one)
                    else:
                        ticket = unassigned[i % len(unassigned)]
                        with transaction.atomic():
                            ticket = Ticket.objects.select_related("organization").get(pk=ticket.pk)
                            ticket.team, ticket.assignee = team, None

                            def one(ticket=ticket) -> None:
                                services.auto_assign(ticket=ticket, at=now)

                            wall, cpu = timed(one)
                            transaction.set_rollback(True)
                    if i >= 20:
                        walls.append(wall)
                        cpus.append(cpu)
                lines.append(
                    f"| {mode.label} | {what} | {run_no} | {statistics.median(walls):.2f} | "
                    f"{percentile(walls, 0.99):.2f} | {max(walls):.2f} | "
                    f"{statistics.median(cpus):.2f} | {percentile(cpus, 0.99):.2f} |"
                )
                print(lines[-1], flush=True)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    report = run()
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"assignment-{INFO['name']}.md").write_text(report)

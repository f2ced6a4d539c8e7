"""Route planning for one day of 100 visits and 10 technicians: the time to the first plan and
the plan's cost against the same solver given 60 seconds.

    python bench/field_route.py                 # 3 seeded days, default settings of the planner
    python bench/field_route.py --runs 5 --long 60 --visits 100 --technicians 10

The seeder (`seed_day`) builds a day as an MSP's would look (seeded, so every run plans the
same days): technicians starting from home bases spread over a 40 km metro area, shifts
08:00-17:00 (two 07:00-15:00), three skills held by some of them; visits at client sites in
clusters (office parks) with 2- to 4-hour windows between 08:00 and 16:00, 20 to 60 minutes
of work, a third needing a skill, a fifth with an SLA due, one in ten restricted to the
technicians cleared for the client. Travel: the great-circle estimate (x 1.3 road factor at
40 km/h, the settings' defaults), computed here without Django.

Per run and seed: `routing.solve` with the planner's defaults (greedy descent to a local optimum:
deterministic) - the seconds to the first solution and to the plan - then the same problem
with no solution limit and a `--long` second time limit: the gap in % of the default plan's
objective over the long run's. Printed as the median over the runs, and written to
bench/results/field_route.md. Target: the first plan in < 10 s.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deskside.field import routing
from deskside.field.travel import Point, great_circle_km

CENTRE = Point(42.36, -71.06)
SKILLS = ("printers", "network", "macos")


def _near(rng: random.Random, around: Point, km: float) -> Point:
    r, a = km * math.sqrt(rng.random()), rng.random() * 2 * math.pi
    return Point(
        around.latitude + r * math.cos(a) / 111.0,
        around.longitude + r * math.sin(a) / (111.0 * math.cos(math.radians(around.latitude))),
    )


def seed_day(seed: int, visits: int = 100, technicians: int = 10) -> routing.Problem:
    rng = random.Random(seed)
    places: list[Point] = []
    techs = []
    for i in range(technicians):
        places.append(_near(rng, CENTRE, 20))
        skills = frozenset(s for s in SKILLS if rng.random() < 0.5)
        early = i < 2
        techs.append(
            routing.Tech(
                id=f"t{i}",
                location=len(places) - 1,
                shift_start=7 * 60 if early else 8 * 60,
                shift_end=15 * 60 if early else 17 * 60,
                skills=skills,
            )
        )
    parks = [_near(rng, CENTRE, 20) for _ in range(12)]
    jobs = []
    for j in range(visits):
        places.append(_near(rng, rng.choice(parks), 1.5))
        start = rng.randrange(8 * 60, 14 * 60, 30)
        width = rng.choice((120, 180, 240))
        need = frozenset([rng.choice(SKILLS)]) if rng.random() < 1 / 3 else frozenset()
        allowed = None
        if rng.random() < 0.1:
            allowed = frozenset(t.id for t in rng.sample(techs, 4))
        due = start + width + rng.choice((60, 120)) if rng.random() < 0.2 else None
        jobs.append(
            routing.Job(
                id=f"v{j}",
                location=len(places) - 1,
                window_start=start,
                window_end=min(start + width, 16 * 60),
                service=rng.choice((20, 30, 30, 45, 60)),
                skills=need,
                allowed=allowed,
                due=due,
            )
        )
    per_km = 1.3 * 60 / 40
    matrix = [[great_circle_km(a, b) * per_km for b in places] for a in places]
    return routing.Problem(techs, jobs, matrix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--visits", type=int, default=100)
    parser.add_argument("--technicians", type=int, default=10)
    parser.add_argument("--long", type=float, default=60.0, help="seconds of the long run")
    args = parser.parse_args()
    firsts, plans, gaps, served, longs, travel_gaps, missed = [], [], [], [], [], [], []
    for seed in range(args.runs):
        problem = seed_day(seed, args.visits, args.technicians)
        plan = routing.solve(problem)
        again = routing.solve(problem)
        same = plan.routes == again.routes and plan.unassigned == again.unassigned
        long = routing.solve(problem, improve=None, time_limit=args.long)
        gap = 100 * (plan.objective - long.objective) / long.objective
        firsts.append(plan.first_solution_seconds)
        plans.append(plan.solve_seconds)
        gaps.append(gap)
        longs.append(long.objective)
        travel_gaps.append(100 * (plan.total_travel - long.total_travel) / long.total_travel)
        missed.append(len(plan.unassigned) - len(long.unassigned))
        served.append(args.visits - len(plan.unassigned))
        print(
            f"seed {seed}: first solution {plan.first_solution_seconds:.2f} s, plan "
            f"{plan.solve_seconds:.2f} s ({plan.solutions} solutions, {plan.stopped_by}), "
            f"objective {plan.objective:g} vs {long.objective:g} after {args.long:g} s: gap "
            f"{gap:.2f} %, travel {plan.total_travel:g} vs {long.total_travel:g} min, "
            f"{args.visits - len(plan.unassigned)}/{args.visits} visits "
            f"({args.visits - len(long.unassigned)} in the long run), same plan twice: {same}",
            flush=True,
        )
    lines = [
        f"# Route planning: {args.visits} visits, {args.technicians} technicians",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, "
        f"{args.runs} seeded days; `python bench/field_route.py --runs {args.runs} "
        f"--long {args.long:g}`",
        "",
        f"- time to the first solution (median): {statistics.median(firsts):.2f} s",
        f"- time to the plan, default settings (median): {statistics.median(plans):.2f} s "
        "(target < 10 s)",
        f"- gap of that plan's objective over the same solver given {args.long:g} s "
        f"(median): {statistics.median(gaps):.2f} % (max {max(gaps):.2f} %)",
        f"- visits assigned (median): {statistics.median(served)}/{args.visits}; fewer than "
        f"the {args.long:g} s run: {', '.join(str(m) for m in missed)} (per day)",
        f"- travel of the default plan over the {args.long:g} s run's (median): "
        f"{statistics.median(travel_gaps):.2f} %",
        "",
        "The objective counts each visit left out as 100,000 minutes of travel, so a day where",
        "the long run fits one more visit shows a large objective gap: read it with the visits.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    results = os.environ.get("DESKSIDE_BENCH_RESULTS_DIR")
    out = (Path(results) if results else Path(__file__).resolve().parent / "results") / (
        "field_route.md"
    )
    out.write_text(text, "utf-8")


if __name__ == "__main__":
    main()

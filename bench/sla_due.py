"""Due times per second of the business-time engine, in one process.

Calendar: Europe/Berlin, Mon-Thu 08:00-12:00 + 13:00-17:00, Fri 08:00-14:00, public holidays
of Germany/Bavaria. Starts: random instants over two years (2026-2027, so DST changes and
holidays are crossed); targets: random whole minutes between 15 and 10 days of working time
(2,400 min), as SLA response and resolution targets are. Each run computes N due times
through `BusinessCalendar.add()` (aware datetimes in and out, as the SLA clock calls it),
through `add_us()` (integer microseconds, the hot path) and N `minutes_between()` counts.
The span of working intervals is built before timing (once per calendar in a process).

    python bench/sla_due.py [--n 200000] [--runs 5] [--out bench/results/sla_due.md]
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deskside.sla.calendar import BusinessCalendar, CalendarSpec, to_us

CALENDAR = {
    "timezone": "Europe/Berlin",
    "weekly": {d: [["08:00", "12:00"], ["13:00", "17:00"]] for d in ("mon", "tue", "wed", "thu")}
    | {"fri": [["08:00", "14:00"]]},
    "holiday_country": "DE",
    "holiday_subdivision": "BY",
}


def workload(n: int, seed: int) -> tuple[list[datetime], list[int]]:
    rng = random.Random(seed)
    first = datetime(2026, 1, 1, tzinfo=UTC)
    seconds = int(timedelta(days=730).total_seconds())
    starts = [first + timedelta(seconds=rng.randrange(seconds)) for _ in range(n)]
    minutes = [rng.randint(15, 2400) for _ in range(n)]
    return starts, minutes


def rate(fn, n: int) -> float:
    t0 = time.perf_counter()
    fn()
    return n / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200_000, help="due times per run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, help="write a Markdown summary here")
    args = parser.parse_args()

    cal = BusinessCalendar(CalendarSpec.from_json(CALENDAR))
    starts, minutes = workload(args.n, seed=2026)
    starts_us = [to_us(s) for s in starts]
    amounts = [m * 60_000_000 for m in minutes]
    ends = [s + timedelta(days=m % 20) for s, m in zip(starts, minutes, strict=True)]
    t0 = time.perf_counter()
    cal.add(starts[0], 1)  # builds the span (years 2025-2028)
    cal.add(starts[0] + timedelta(days=800), 2400)
    build = time.perf_counter() - t0

    def add_dt() -> None:
        add = cal.add
        for s, m in zip(starts, minutes, strict=True):
            add(s, m)

    def add_us() -> None:
        add = cal.add_us
        for s, a in zip(starts_us, amounts, strict=True):
            add(s, a)

    def between() -> None:
        count = cal.minutes_between
        for s, e in zip(starts, ends, strict=True):
            count(s, e)

    results: dict[str, list[float]] = {"add()": [], "add_us()": [], "minutes_between()": []}
    for run in range(args.runs):
        results["add()"].append(rate(add_dt, args.n))
        results["add_us()"].append(rate(add_us, args.n))
        results["minutes_between()"].append(rate(between, args.n))
        print(
            f"run {run + 1}/{args.runs}: "
            + ", ".join(f"{k} {v[-1]:,.0f}/s" for k, v in results.items()),
            flush=True,
        )
    medians = {k: statistics.median(v) for k, v in results.items()}
    print(f"span build: {build * 1000:.0f} ms")
    for k, v in medians.items():
        print(f"median {k}: {v:,.0f} per second")

    if args.out:
        lines = [
            "# Business-time engine: due times per second",
            "",
            f"`python bench/sla_due.py --n {args.n} --runs {args.runs}`, one process, "
            f"Python {platform.python_version()} on {platform.machine()}, "
            f"{datetime.now(UTC):%Y-%m-%d}.",
            "",
            "Calendar: Europe/Berlin, Mon-Thu 08-12 + 13-17, Fri 08-14, holidays DE/BY. "
            "Starts: random over 2026-2027; targets: random 15-2,400 working minutes "
            "(up to 10 days); between: random intervals up to 19 days.",
            "",
            "| call | median per second | runs |",
            "| --- | ---: | --- |",
        ]
        for k, v in results.items():
            runs = ", ".join(f"{x:,.0f}" for x in v)
            lines.append(f"| `{k}` | {medians[k]:,.0f} | {runs} |")
        lines += [
            "",
            f"Building the span (working intervals of 2025-2028 with their running totals) "
            f"took {build * 1000:.0f} ms, once per calendar and process.",
            "",
        ]
        args.out.write_text("\n".join(lines), encoding="utf-8")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

"""How long resolving an on-call schedule takes: `deskside.duty.oncall.resolve` on plain data
(no database), the work behind every "who is on call" answer, calendar, feed and report.

    python bench/oncall.py [--runs 5]

Two cases over a whole year: one layer of hourly turns, and ten hourly layers (3-5 members
each, half restricted to a daily window, zones UTC, Berlin and New York) with 100 overrides and
100 accepted swaps. Prints the median and every run's seconds.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")

import django

django.setup()

from deskside.duty.oncall import LayerSpec, OverrideSpec, SwapSpec, resolve  # noqa: E402

BASE = datetime(2026, 1, 1, tzinfo=UTC)
END = BASE + timedelta(days=365)


def busy_schedule(seed: int = 1) -> tuple[list, list, list]:
    rng = random.Random(seed)
    layers = []
    for i in range(10):
        members = tuple(rng.sample(range(1, 21), rng.randint(3, 5)))
        window = {
            "days": list(range(7)),
            "start": f"{rng.randint(0, 11):02d}:00",
            "end": f"{rng.randint(12, 23):02d}:00",
        }
        zone = rng.choice(["UTC", "Europe/Berlin", "America/New_York"])
        restrictions = (window,) if i % 2 else ()
        layers.append(LayerSpec(i + 1, i, zone, BASE, None, 1, "hours", members, restrictions))
    overrides, swaps = [], []
    for i in range(100):
        start = BASE + timedelta(minutes=rng.randrange(365 * 24 * 60))
        overrides.append(
            OverrideSpec(
                i + 1, rng.randint(1, 20), start, start + timedelta(hours=rng.randint(1, 72))
            )
        )
    for i in range(100):
        a, b = rng.sample(range(1, 21), 2)
        start = BASE + timedelta(minutes=rng.randrange(365 * 24 * 60))
        swaps.append(SwapSpec(i + 1, a, b, start, start + timedelta(hours=rng.randint(1, 336))))
    return layers, overrides, swaps


def timed(runs: int, *args: object) -> tuple[list[float], int]:
    seconds, found = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        found = len(resolve(*args, BASE, END))  # type: ignore[arg-type]
        seconds.append(time.perf_counter() - started)
    return seconds, found


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    one = [LayerSpec(1, 0, "Europe/Berlin", BASE, None, 1, "hours", (1, 2, 3, 4))]
    cases = {
        "one hourly layer, a year": (one, [], []),
        "ten hourly layers, 100 overrides, 100 swaps, a year": busy_schedule(),
    }
    print(f"load average {os.getloadavg()[0]:.2f}; {args.runs} runs each")
    for name, (layers, overrides, swaps) in cases.items():
        seconds, found = timed(args.runs, layers, overrides, swaps)
        runs = ", ".join(f"{s:.3f}" for s in seconds)
        print(f"{name}: median {statistics.median(seconds):.3f} s ({found} shifts; runs {runs})")


if __name__ == "__main__":
    main()

"""bench/recurring_pass.py still runs against the current schema: its seeder and its runs,
tiny, in-process on the test database. Figures are not checked: benchmarks are never timed
assertions."""

import random

import pytest

from bench import recurring_pass as bench
from deskside.recurring.models import Occurrence, Schedule
from deskside.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_the_recurring_pass_bench_runs_tiny():
    seeded = bench.seed(60, 5, 2, 4, random.Random(1), prefix="rp-smoke")
    assert Schedule.objects.count() == 60
    assert bench.idle_run() >= 0
    for k in range(2):
        _seconds, result = bench.one_run(k)
        assert (result.claimed, result.opened, result.lost) == (5, 5, 0)
    assert Occurrence.objects.count() == 10 == Ticket.objects.count()
    assert (
        Schedule.objects.filter(next_run_at__lte=bench.BASE + bench.timedelta(hours=1)).count() == 0
    )
    assert bench.ticket_baseline(2, seeded["owner"]) > 0

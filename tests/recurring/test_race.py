"""Exactly one ticket per occurrence under racing workers: threads, each with its own database
connection, run the pass at the same instant (the claim lets one win each deadline); and two
workers that both got past the claim (a lease that ran out) race on one occurrence: the unique
(schedule, occurs_at) row lets one ticket through. Run on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.core import clock
from deskside.recurring import worker
from deskside.recurring.models import MissedPolicy, Occurrence, OccurrenceStatus, Schedule
from deskside.tickets.models import Ticket
from tests.core.races import in_threads
from tests.recurring.conftest import NOW

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 6
JAN = datetime(2027, 1, 13, 3, 0, tzinfo=UTC)  # Acme's patching night, 22:00 EST


@pytest.fixture
def schedules(make_schedule, globex, dave):
    with clock.frozen(NOW):
        made = [make_schedule(name=f"Patching {i}") for i in range(4)]
        made.append(
            make_schedule(
                name="Backup restore test",
                organization=globex,
                requester=dave,
                timezone="Europe/Berlin",
                rule="FREQ=MONTHLY;BYDAY=1MO;BYHOUR=9;BYMINUTE=0",
                missed_policy=MissedPolicy.SKIP,
            )
        )
    return made


def test_racing_workers_open_one_ticket_per_occurrence(schedules):
    at = JAN + timedelta(seconds=30)
    with clock.frozen(at):
        results, errors = in_threads(*[worker.recurring_pass] * THREADS)
    assert not errors, errors
    assert sum(r.opened for r in results) == 4
    # Globex's first Monday (4 January, 09:00 Berlin) is more than an hour late: skipped.
    assert sum(r.claimed for r in results) == 5 and sum(r.skipped for r in results) == 1
    assert Ticket.objects.count() == 4
    assert Occurrence.objects.filter(status=OccurrenceStatus.OPENED).count() == 4
    assert set(Schedule.objects.filter(name__startswith="Patching").values_list(
        "next_run_at", flat=True
    )) == {datetime(2027, 2, 10, 3, 0, tzinfo=UTC)}  # fmt: skip


def test_racing_workers_after_a_downtime_catch_up_once(schedules):
    at = datetime(2027, 4, 1, 12, tzinfo=UTC)  # three months without a worker
    with clock.frozen(at):
        results, errors = in_threads(*[worker.recurring_pass] * THREADS)
    assert not errors, errors
    # Four Acme schedules catch up March once and skip January and February; Globex's (skip
    # policy) skips its first Mondays of January, February and March.
    assert Ticket.objects.count() == 4
    assert Occurrence.objects.filter(status=OccurrenceStatus.SKIPPED).count() == 4 * 2 + 3
    assert sum(r.opened for r in results) == 4


def test_two_workers_past_the_claim_still_open_one_ticket(schedules):
    """The last guard: both threads process the same occurrence (as after a lease ran out
    while the first was still at work); the unique row lets one ticket through."""
    schedule = Schedule.objects.select_related(
        "organization", "created_by", "requester", "site", "team", "assignee", "checklist"
    ).get(pk=schedules[0].pk)
    at = JAN + timedelta(seconds=30)
    with clock.frozen(at):
        results, errors = in_threads(*[lambda: worker.open_one(schedule, JAN, at)] * THREADS)
    assert not errors, errors
    assert sorted(results) == [False] * (THREADS - 1) + [True]
    assert Ticket.objects.count() == 1
    assert Occurrence.objects.get().ticket is not None

"""SLA fixtures: business calendars, contracts and a clock the tests move by hand.

The week used throughout: Monday 2 March 2026 to Monday 9 March 2026 in Berlin (UTC+1, before
the DST change). The Berlin calendar works Mon-Fri 09:00-17:00 and has Friday 6 March as a
holiday, so Thursday 17:00 runs on to Monday 09:00. Acme's contract counts P3 on it (first
response 60, next response 120, resolution 480 working minutes) and P1 around the clock (15,
30, 240 minutes on the 24x7 calendar). The default contract serves every client without a
contract of its own (Globex): P3 first response 240, resolution 2400 minutes.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from deskside.core import clock
from deskside.sla.models import Calendar, Contract, SLATarget
from deskside.tickets.models import Priority

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of March 2026 given in Berlin wall-clock time."""
    return datetime(2026, 3, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def at():
    """Move the clock: `at(berlin(2, 10))`. The clock runs free again after the test."""

    def move(moment: datetime) -> datetime:
        clock.set_now(moment)
        return clock.now()

    yield move
    clock.set_now(None)


@pytest.fixture
def office_hours(db):
    return Calendar.objects.create(
        name="Berlin office hours",
        definition={
            "timezone": "Europe/Berlin",
            "weekly": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
            "holidays": ["2026-03-06"],
        },
    )


@pytest.fixture
def around_the_clock(db):
    return Calendar.objects.create(name="24x7", definition={"timezone": "UTC", "24x7": True})


@pytest.fixture
def acme_contract(acme, office_hours, around_the_clock):
    contract = Contract.objects.create(
        name="Acme managed services", organization=acme, calendar=office_hours
    )
    SLATarget.objects.create(
        contract=contract,
        priority=Priority.P3,
        first_response_minutes=60,
        next_response_minutes=120,
        resolution_minutes=480,
    )
    SLATarget.objects.create(
        contract=contract,
        priority=Priority.P1,
        first_response_minutes=15,
        next_response_minutes=30,
        resolution_minutes=240,
        calendar=around_the_clock,
    )
    return contract


@pytest.fixture
def default_contract(office_hours):
    contract = Contract.objects.create(
        name="Standard terms", is_default=True, calendar=office_hours
    )
    SLATarget.objects.create(
        contract=contract,
        priority=Priority.P3,
        first_response_minutes=240,
        resolution_minutes=2400,
    )
    return contract


@pytest.fixture
def contracts(acme_contract, default_contract):
    """Acme's contract and the default one."""
    return acme_contract, default_contract

"""On-call fixtures: an administrator, a fourth agent, and builders that make schedules and
layers through the services, as an administrator's clicks would.

Alice, Leo and Tara (the shared personas) rotate; Root is the administrator; Dora a fourth
agent who is on no layer. The clock is moved with `clock.frozen`/`clock.set_now`."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.duty import services

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
UTC = ZoneInfo("UTC")


@pytest.fixture(autouse=True)
def free_clock():
    yield
    clock.set_now(None)


@pytest.fixture
def dora(msp):
    return accounts.create_user(
        email="dora@msp.example",
        full_name="Dora Spare",
        password="dora-pass-123",
        kind="agent",
        tier=Tier.L2,
        organization=msp,
    )


@pytest.fixture
def make_schedule(admin):
    def make(name="Primary", timezone="Europe/Berlin", **kwargs):
        return services.create_schedule(actor=admin, name=name, timezone=timezone, **kwargs)

    return make


@pytest.fixture
def make_layer(admin):
    def make(schedule, members, starts_at: datetime, **kwargs):
        kwargs.setdefault("name", f"Layer {schedule.layers.count() + 1}")
        return services.create_layer(
            actor=admin, schedule=schedule, members=members, starts_at=starts_at, **kwargs
        )

    return make


@pytest.fixture
def weekly(make_schedule, make_layer, alice, leo, tara):
    """Berlin, a weekly rotation Alice -> Leo -> Tara handing off Mondays 09:00 local, from
    Monday 2 March 2026."""
    schedule = make_schedule("Primary", "Europe/Berlin")
    make_layer(
        schedule,
        [alice, leo, tara],
        datetime(2026, 3, 2, 9, tzinfo=BERLIN),
        name="Weekly",
        shift_unit="weeks",
    )
    return schedule

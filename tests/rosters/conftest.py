"""Roster fixtures, built through the services as an administrator's clicks would: the help
desk (Berlin) on three 8-hour shifts, four agents on a four-week rotating cycle (a week each
of early, late, night and off, each agent one week further on), and its lead, Hanna.

The clock is frozen by each test module (`clock.frozen`)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.rosters import services

BERLIN = ZoneInfo("Europe/Berlin")
CYCLE_START = date(2026, 1, 5)  # a Monday


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def free_clock():
    yield
    clock.set_now(None)


@pytest.fixture
def hanna(msp, helpdesk):
    """The help desk's lead."""
    user = accounts.create_user(
        email="hanna@msp.example",
        full_name="Hanna Lead",
        password="hanna-pass-123",
        kind="agent",
        tier=Tier.L1,
        organization=msp,
        teams=[helpdesk],
    )
    helpdesk.lead = user
    helpdesk.save()
    return user


@pytest.fixture
def crew(msp, helpdesk):
    """Four help desk agents: Ann, Ben, Cat, Dan."""
    return [
        accounts.create_user(
            email=f"{name.lower()}@msp.example",
            full_name=f"{name} Shift",
            kind="agent",
            tier=Tier.L1,
            organization=msp,
            teams=[helpdesk],
        )
        for name in ("Ann", "Ben", "Cat", "Dan")
    ]


@pytest.fixture
def roster(admin, helpdesk, crew):
    roster = services.create_roster(
        actor=admin,
        team=helpdesk,
        timezone="Europe/Berlin",
        cycle_start=CYCLE_START,
        preset="three",
    )
    services.generate_rota(
        actor=admin, roster=roster, users=crew, cycle=["E", "L", "N", ""], unit="weeks"
    )
    roster.refresh_from_db()
    return roster

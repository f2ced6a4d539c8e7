"""Handover fixtures: the help desk on three 8-hour shifts in UTC (Early 06-14 Alice, Late
14-22 Bob, Night 22-06 Nina, every day), its lead Lena, an agent who serves only Globex, and
the Early -> Late handover of Monday 2 March 2026 (hand-off at 14:00 UTC)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.handovers import services
from deskside.rosters import working
from deskside.rosters.models import Roster, RotaLine, ShiftDefinition

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # the Early shift
T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # its end: the hand-off to Late


def agent(email, name, org, teams, **extra):
    return accounts.create_user(
        email=email,
        full_name=name,
        password="pass-123-pass",
        kind="agent",
        tier=Tier.L1,
        organization=org,
        teams=teams,
        **extra,
    )


@pytest.fixture
def at():
    """`at(instant)` freezes the clock there (put back after the test)."""
    previous = clock.override()

    def move(instant):
        clock.set_now(instant)

    yield move
    clock.set_now(previous)


@pytest.fixture
def bob(msp, helpdesk):
    return agent("bob@msp.example", "Bob Late", msp, [helpdesk])


@pytest.fixture
def nina(msp, helpdesk):
    return agent("nina@msp.example", "Nina Night", msp, [helpdesk])


@pytest.fixture
def lena(msp, helpdesk):
    user = agent("lena@msp.example", "Lena Lead", msp, [helpdesk])
    helpdesk.lead = user
    helpdesk.save()
    return user


@pytest.fixture
def gus(msp, globex, helpdesk):
    """A help desk agent who serves Globex only."""
    user = agent("gus@msp.example", "Gus Globex", msp, [helpdesk])
    user.served_organizations.set([globex])
    return user


@pytest.fixture
def roster(helpdesk, alice, bob, nina, lena):
    roster = Roster.objects.create(
        team=helpdesk, timezone="UTC", cycle_start=date(2026, 3, 2), cycle_days=7
    )
    for position, (code, name, start, end) in enumerate(
        [
            ("E", "Early", "06:00", "14:00"),
            ("L", "Late", "14:00", "22:00"),
            ("N", "Night", "22:00", "06:00"),
        ]
    ):
        ShiftDefinition.objects.create(
            roster=roster, code=code, name=name, start=start, end=end, position=position
        )
    for position, (user, code) in enumerate([(alice, "E"), (bob, "L"), (nina, "N")]):
        RotaLine.objects.create(roster=roster, user=user, position=position, pattern=[code] * 7)
    return roster


@pytest.fixture
def handover(roster, helpdesk):
    """The Early -> Late handover, opened from the rosters' hand-off as the worker does."""
    (handoff,) = working.handoffs(helpdesk, T0 - timedelta(minutes=1), T0)
    found, created = services.open_handover(
        actor=None,
        shift=services.Shift(
            team=helpdesk,
            at=handoff.at,
            shift_start=handoff.shift_start,
            ending=handoff.ending,
            starting=handoff.starting,
            outgoing=handoff.outgoing,
            incoming=handoff.incoming,
        ),
    )
    assert created
    return found

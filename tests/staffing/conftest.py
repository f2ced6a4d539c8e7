"""A help desk in New York with two weeks of history (Monday 5 to Sunday 18 January 2026) and a
roster of two shifts, Day 08-16 and Evening 16-24, with Alice on Day from Monday to Friday."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.rosters.models import Roster, RotaLine, ShiftDefinition
from deskside.tickets import services as tickets
from deskside.tickets.models import Channel

NY = ZoneInfo("America/New_York")
START, END = date(2026, 1, 5), date(2026, 1, 18)


def ny(*args) -> datetime:
    return datetime(*args, tzinfo=NY)


@pytest.fixture
def roster(helpdesk, alice):
    roster = Roster.objects.create(
        team=helpdesk, timezone="America/New_York", cycle_start=START, cycle_days=7
    )
    ShiftDefinition.objects.create(
        roster=roster, code="D", name="Day", start="08:00", end="16:00", position=0
    )
    ShiftDefinition.objects.create(
        roster=roster, code="E", name="Evening", start="16:00", end="00:00", position=1
    )
    RotaLine.objects.create(roster=roster, user=alice, pattern=["D"] * 5 + ["", ""])
    return roster


@pytest.fixture
def lead(msp, helpdesk):
    """Lena leads the help desk (not an administrator)."""
    user = accounts.create_user(
        email="lena@msp.example",
        full_name="Lena Lead",
        kind="agent",
        tier=Tier.L1,
        organization=msp,
        teams=[helpdesk],
    )
    helpdesk.lead = user
    helpdesk.save()
    return user


@pytest.fixture
def history(roster, make_ticket, alice, carol, dave, helpdesk, network_team):
    """Monday 09:xx New York: 3 + 1 phone tickets of Acme and 1 of Globex over the two weeks;
    Tuesday 14:05 an email; a network-team ticket and one after the range (not counted).
    Logged calls: 4 + 2 minutes on one, 10 on another, 0 on a third (no duration)."""

    def at(moment, requester, **kwargs):
        with clock.frozen(moment):
            return make_ticket(requester, team=kwargs.pop("team", helpdesk), **kwargs)

    def call(ticket, minutes):
        with clock.frozen(ticket.created_at):
            tickets.log_call(actor=alice, ticket=ticket, minutes=minutes, body="call")

    first = at(ny(2026, 1, 5, 9, 15), carol)
    second = at(ny(2026, 1, 5, 9, 20), carol)
    third = at(ny(2026, 1, 5, 9, 25), carol)
    at(ny(2026, 1, 12, 9, 40), carol)
    at(ny(2026, 1, 5, 9, 30), dave)
    at(ny(2026, 1, 6, 14, 5), carol, channel=Channel.EMAIL)
    at(ny(2026, 1, 5, 9, 20), carol, team=network_team)
    at(ny(2026, 1, 19, 9, 0), carol)
    call(first, 4)
    call(first, 2)
    call(second, 10)
    call(third, 0)

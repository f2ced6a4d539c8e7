"""The service desk of the assignment tests: a team of five agents (Ann, Ben, Cat, Dan, Eve)
with no roster (everyone active counts), tickets opened into it by the administrator through
the ticket service, as a call logged to the team's queue would be."""

from datetime import UTC, date, datetime

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Skill, Tier
from deskside.assignment import candidates, services
from deskside.core import clock
from deskside.rosters.models import Roster, RotaLine, ShiftDefinition
from deskside.tickets import services as tickets
from deskside.tickets.models import Channel, Priority

NAMES = ("Ann", "Ben", "Cat", "Dan", "Eve")
NOON = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def _fresh_working(settings):
    """Each test asks the roster afresh: "who works" is not remembered between decisions
    (test_candidates.py tests the memory itself)."""
    settings.DESKSIDE_ASSIGNMENT_WORKING_TTL = 0
    candidates.forget()
    yield
    candidates.forget()


@pytest.fixture
def frozen():
    with clock.frozen(NOON):
        yield NOON


@pytest.fixture
def desk(db):
    return accounts.create_team(name="Service Desk", tier=Tier.L1)


@pytest.fixture
def five(msp, desk):
    return [
        accounts.create_user(
            email=f"{name.lower()}@msp.example",
            full_name=f"{name} Agent",
            kind="agent",
            tier=Tier.L1,
            organization=msp,
            teams=[desk],
        )
        for name in NAMES
    ]


@pytest.fixture
def rule(admin, desk):
    """`rule(mode, cap=None)` sets the desk's rule as the administrator."""

    def make(mode, cap=None, team=None):
        return services.set_rule(actor=admin, team=team or desk, mode=mode, cap=cap)

    return make


@pytest.fixture
def new_ticket(admin, desk, carol):
    """`new_ticket(**fields)` opens a ticket into the desk's queue, unassigned."""

    def make(requester=None, *, team=None, priority=Priority.P3, subject="Outlook will not start"):
        requester = requester or carol
        new = tickets.NewTicket(
            requester=requester,
            organization=requester.organization,
            subject=subject,
            channel=Channel.PHONE,
            priority=priority,
            team=team or desk,
        )
        return tickets.create_ticket(actor=admin, ticket=new).ticket

    return make


@pytest.fixture
def skill():
    def make(name):
        return Skill.objects.get_or_create(name=name)[0]

    return make


def day_roster(team, early, late):
    """Early 06:00-14:00 and Late 14:00-22:00 UTC every day: `early` people on Early, `late`
    on Late (a weekly rota), nobody at night."""
    roster = Roster.objects.create(team=team, timezone="UTC", cycle_start=date(2026, 12, 7))
    ShiftDefinition.objects.create(
        roster=roster, code="E", name="Early", start="06:00", end="14:00"
    )
    ShiftDefinition.objects.create(
        roster=roster, code="L", name="Late", start="14:00", end="22:00", position=1
    )
    for position, user in enumerate(early):
        RotaLine.objects.create(roster=roster, user=user, position=position, pattern=["E"] * 7)
    for position, user in enumerate(late, start=len(early)):
        RotaLine.objects.create(roster=roster, user=user, position=position, pattern=["L"] * 7)
    return roster

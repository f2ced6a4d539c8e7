"""Paging fixtures: an on-call schedule (Alice on call around the clock), the policy of the
issue's example (step 1: the schedule's on-call person, wait 5; step 2: Leo, wait 10; run the
chain once more; finally the network team's lead, Tara), the default contract on Berlin
office hours with a paging rule, and a clock the tests move by hand.

T0 is Monday 2 March 2026 02:00 in Berlin: outside business hours.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from deskside.core import clock
from deskside.duty.models import Layer, LayerMember, Schedule
from deskside.paging import services
from deskside.paging.models import PagingRule
from deskside.paging.services import StepSpec
from deskside.sla.models import Calendar, Contract
from deskside.tickets.models import Priority

BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def at():
    def move(moment: datetime) -> datetime:
        clock.set_now(moment)
        return clock.now()

    move(T0)
    yield move
    clock.set_now(None)


@pytest.fixture
def schedule(alice):
    schedule = Schedule.objects.create(name="Primary on call", slug="primary")
    layer = Layer.objects.create(
        schedule=schedule,
        name="Weekly",
        starts_at=T0 - timedelta(days=30),
        shift_length=1,
        shift_unit=Layer.Unit.WEEKS,
    )
    LayerMember.objects.create(layer=layer, user=alice, position=0)
    return schedule


@pytest.fixture
def policy(admin, schedule, leo, tara, network_team):
    return services.create_policy(
        actor=admin,
        name="Night escalation",
        team=network_team,
        repeat=1,
        notify_team_lead=True,
        steps=[
            StepSpec(target="schedule", schedule=schedule, wait_minutes=5),
            StepSpec(target="user", user=leo, wait_minutes=10),
        ],
    )


@pytest.fixture
def office_hours(db):
    return Calendar.objects.create(
        name="Berlin office hours",
        definition={
            "timezone": "Europe/Berlin",
            "weekly": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
            "holidays": [],
        },
    )


@pytest.fixture
def default_contract(office_hours):
    return Contract.objects.create(name="Standard", is_default=True, calendar=office_hours)


@pytest.fixture
def rule(admin, default_contract, policy):
    return services.set_rule(
        actor=admin,
        contract=default_contract,
        policy=policy,
        p2=PagingRule.P2.AFTER_HOURS,
        alert_severity=PagingRule.Severity.CRITICAL,
    )


@pytest.fixture
def p1(rule, at, make_ticket, carol):
    """A P1 ticket of Acme, logged by Alice at T0: it pages."""
    return make_ticket(carol, subject="Core switch down", priority=Priority.P1)

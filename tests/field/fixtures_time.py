"""Fixtures of the time-entry tests (tests/field/test_time_*.py import them with `*`).

Every test runs at a fixed instant, Wednesday 9 December 2026 15:00 UTC, so "this week" is the
week of Monday 7 December whenever the suite runs (the agents' zone is UTC unless a test
changes it)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.field.models import BillingRule, Visit, VisitStatus
from deskside.sla.models import Calendar, Contract

NOW = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)
MONDAY = date(2026, 12, 7)
LAST_MONDAY = MONDAY - timedelta(days=7)


@pytest.fixture(autouse=True)
def frozen_now():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def calendar(db):
    return Calendar.objects.create(
        name="Office hours",
        definition={
            "timezone": "UTC",
            "weekly": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
            "holidays": [],
        },
    )


@pytest.fixture
def acme_contract(acme, calendar):
    return Contract.objects.create(name="Acme Gold", organization=acme, calendar=calendar)


@pytest.fixture
def default_contract(calendar):
    return Contract.objects.create(name="Standard", is_default=True, calendar=calendar)


@pytest.fixture
def acme_rule(acme_contract):
    return BillingRule.objects.create(
        contract=acme_contract, hourly_rate=Decimal("120.00"), round_up_to_minutes=15
    )


@pytest.fixture
def globex_rule(globex, calendar):
    contract = Contract.objects.create(name="Globex Std", organization=globex, calendar=calendar)
    return BillingRule.objects.create(contract=contract, hourly_rate=Decimal("80"), currency="EUR")


@pytest.fixture
def sam(msp, desktop_team, acme):
    """An L2 technician who serves Acme only."""
    user = accounts.create_user(
        email="sam@msp.example",
        full_name="Sam Acme",
        kind="agent",
        tier=Tier.L2,
        organization=msp,
        teams=[desktop_team],
    )
    user.served_organizations.set([acme])
    return user


@pytest.fixture
def lead(msp, desktop_team, leo):
    """The desktop team's lead (leo's and sam's lead)."""
    user = accounts.create_user(
        email="lena@msp.example",
        full_name="Lena Lead",
        kind="agent",
        tier=Tier.L2,
        organization=msp,
        teams=[desktop_team],
    )
    desktop_team.lead = user
    desktop_team.save()
    return user


def make_visit(ticket, technician, *, second=None, shadowing=False) -> Visit:
    start = NOW - timedelta(hours=4)
    return Visit.objects.create(
        ticket=ticket,
        organization=ticket.organization,
        site=ticket.site or ticket.organization.sites.first(),
        status=VisitStatus.DONE,
        window_start=start,
        window_end=start + timedelta(hours=2),
        technician=technician,
        second_technician=second,
        second_is_shadowing=shadowing,
        scheduled_start=start,
    )

"""Fixtures of the route-planning tests: a day, technicians with bases and skills, sites with
coordinates, clearances, and visits built through `scheduling.create_visit`. The clock is
frozen (`route_clock`, autouse): tickets' SLA due times and the plans' times come from it."""

from datetime import UTC, date, datetime, time

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Skill, Tier
from deskside.core import clock
from deskside.field.models import Clearance, ClearanceStatus, Technician
from deskside.field.services.scheduling import create_visit

DAY = date(2027, 3, 10)  # a Wednesday; every time below is UTC (the agents' zone)
NOW = datetime(2027, 3, 8, 15, 0, tzinfo=UTC)  # the Monday before: the day is being planned


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute), UTC)


@pytest.fixture(autouse=True)
def route_clock():
    """Every route test runs at NOW, whenever it runs (DESKSIDE_TEST_NOW included)."""
    with clock.frozen(NOW):
        yield


@pytest.fixture
def printers(db):
    return Skill.objects.create(name="Printers")


@pytest.fixture
def located(acme_hq, globex_site):
    """Acme HQ in Boston, Globex's office 8 km away (close enough for one technician's day)."""
    acme_hq.latitude, acme_hq.longitude = 42.3554, -71.0605
    acme_hq.save()
    globex_site.latitude, globex_site.longitude = 42.3736, -71.1497
    globex_site.save()
    return acme_hq, globex_site


def make_technician(user, *, lat=42.3601, lon=-71.0589, skills=()):
    user.skills.add(*skills)
    return Technician.objects.create(
        user=user,
        base_label="Depot",
        base_latitude=lat,
        base_longitude=lon,
        day_start=time(8),
        day_end=time(17),
    )


def clear(user, organization, status=ClearanceStatus.CLEARED):
    row, _ = Clearance.objects.update_or_create(
        technician=user, organization=organization, defaults={"status": status}
    )
    return row


@pytest.fixture
def field_leo(leo, printers, acme, globex):
    """Leo: a technician with the printers skill, cleared at Acme and Globex."""
    make_technician(leo, skills=[printers])
    clear(leo, acme)
    clear(leo, globex)
    return leo


@pytest.fixture
def acme_agent(msp, acme):
    """An agent who serves only Acme: plans Acme's visits, never sees Globex's."""
    user = accounts.create_user(
        email="ann@msp.example",
        full_name="Ann Acme",
        password="ann-pass-123",
        kind="agent",
        tier=Tier.L2,
        organization=msp,
    )
    user.served_organizations.set([acme])
    return user


@pytest.fixture
def visit_at(leo, located):
    """`visit_at(ticket, start_hour, end_hour, duration=60, skills=())` -> a new visit."""

    def make(ticket, start, end, duration=60, skills=(), site=None):
        return create_visit(
            leo,
            ticket,
            window_start=at(start),
            window_end=at(end),
            duration_minutes=duration,
            site=site or (located[0] if ticket.organization.slug == "acme" else located[1]),
            skills=skills,
        )

    return make

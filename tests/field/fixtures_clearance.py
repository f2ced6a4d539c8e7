"""Field fixtures of the clearance and backfill tests (imported by those tests only).

Acme (client A) and Globex (client B) come from tests/conftest.py, with Leo, the L2
technician. Here: two more L2 technicians on the desktop team (Maria and Kofi), the desktop
team's lead (Tina, an agent who is no administrator), a technician who serves Globex only
(Gil), and builders for clearances and shadow visits that go through the services.
"""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier
from deskside.core import clock
from deskside.field.models import Clearance, Technician, Visit, VisitStatus
from deskside.field.services import clearance as svc
from deskside.field.services import scheduling

# A Wednesday, 15:00 UTC (10:00 in New York): every test here runs at this instant.
NOW = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)


@pytest.fixture
def now():
    with clock.frozen(NOW):
        yield NOW


def _agent(msp, team, email, name, **extra):
    return accounts.create_user(
        email=email,
        full_name=name,
        password="pass-123-pass",
        kind="agent",
        tier=Tier.L2,
        organization=msp,
        teams=[team] if team else [],
        **extra,
    )


@pytest.fixture
def maria(msp, desktop_team):
    return _agent(msp, desktop_team, "maria@msp.example", "Maria Santos")


@pytest.fixture
def kofi(msp, desktop_team):
    return _agent(msp, desktop_team, "kofi@msp.example", "Kofi Mensah")


@pytest.fixture
def tina(msp, desktop_team):
    """The desktop team's lead (no administrator)."""
    lead = _agent(msp, desktop_team, "tina@msp.example", "Tina Lead")
    desktop_team.lead = lead
    desktop_team.save()
    return lead


@pytest.fixture
def gil(msp, desktop_team, globex):
    """A technician who serves Globex only."""
    person = _agent(msp, desktop_team, "gil@msp.example", "Gil Only-Globex")
    person.served_organizations.set([globex])
    return person


def clear(person, org, actor):
    """Clear `person` at `org` as a lead would for a client's first technician: shadowing with
    nobody to name, then signed off with an override note."""
    regular = (
        Clearance.objects.filter(organization=org, status="cleared")
        .exclude(technician=person)
        .first()
    )
    row = svc.start_shadowing(
        actor=actor,
        technician=person,
        organization=org,
        regular_technician=regular.technician if regular else None,
    )
    return svc.sign_off(actor=actor, clearance=row, override=True, note="Knows the client.")


def base(person, lat, lon):
    return Technician.objects.create(user=person, base_latitude=lat, base_longitude=lon)


def visit_for(actor, ticket, start, *, minutes=60, site=None, skills=()):
    """An unscheduled visit whose window opens at `start` and lasts four hours."""
    return scheduling.create_visit(
        actor,
        ticket,
        window_start=start,
        window_end=start + timedelta(hours=4),
        duration_minutes=minutes,
        site=site,
        skills=skills,
    )


def shadow_visit(actor, ticket, lead_tech, shadow, start, *, done=True):
    """A visit of `lead_tech` with `shadow` along as the shadowing second technician; done
    (marked on the row: the visit status flow is the visits part's) when `done`."""
    visit = visit_for(actor, ticket, start)
    scheduling.schedule(actor, visit, lead_tech, start, second=shadow, second_is_shadowing=True)
    if done:
        Visit.objects.filter(pk=visit.pk).update(status=VisitStatus.DONE)
    return visit

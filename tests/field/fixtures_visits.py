"""Shared fixtures of the visits part's tests (imported by tests/field/test_visits_*.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.core import clock
from deskside.field.demo_visits import signature_png
from deskside.field.models import Clearance, ClearanceStatus, VisitStatus
from deskside.field.services import scheduling, visits

NOW = datetime(2026, 12, 9, 14, 0, tzinfo=UTC)  # a Wednesday afternoon, UTC
PNG = signature_png()


@pytest.fixture(autouse=True)
def frozen():
    """Every test of the part runs on a frozen clock (the same outcome at any hour)."""
    with clock.frozen(NOW):
        yield


def clear(person, organization):
    return Clearance.objects.create(
        technician=person, organization=organization, status=ClearanceStatus.CLEARED
    )


@pytest.fixture
def visit(alice, acme_ticket, acme_hq):
    """An unscheduled visit of Carol's Acme ticket, window: now to 4 hours on."""
    return scheduling.create_visit(
        alice,
        acme_ticket,
        site=acme_hq,
        window_start=NOW,
        window_end=NOW + timedelta(hours=4),
        duration_minutes=90,
        instructions="Internal: the key is with reception",
    )


@pytest.fixture
def on_site(visit, alice, leo, acme):
    """The visit with Leo (cleared at Acme) checked in."""
    clear(leo, acme)
    scheduling.schedule(alice, visit, leo, NOW + timedelta(hours=1))
    visits.check_in(leo, visit)
    visit.refresh_from_db()
    return visit


@pytest.fixture
def done(on_site, leo):
    visits.add_part(leo, on_site, "Toner cartridge", part_number="TN-2420")
    visits.check_out(leo, on_site, VisitStatus.DONE, summary="Printed a test page")
    on_site.refresh_from_db()
    return on_site


@pytest.fixture
def acme_only(admin_serving, acme):
    """An agent serving only Acme."""
    return admin_serving(acme, email="ann@msp.example", full_name="Ann Acme-only")


@pytest.fixture
def globex_only(admin_serving, globex):
    """An agent serving only Globex: never sees Acme's visits."""
    return admin_serving(globex, email="gus@msp.example", full_name="Gus Globex-only")

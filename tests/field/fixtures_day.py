"""Fixtures for the technician's day tests (`test_day_*.py`): the clock frozen on a weekday
morning in Boston, Acme's HQ with coordinates and access notes, Carol with a phone and a
mobile, an escalated Acme ticket with triage notes, Leo and Tara cleared at Acme, and
`plan(...)` to put a visit on a technician's day through the services."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from deskside.core import clock
from deskside.field.models import Clearance, ClearanceStatus
from deskside.field.services import scheduling, visits
from deskside.tickets import services as tickets

NOW = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Boston
DAY = NOW.date()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def frozen():
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture
def hq(acme_hq):
    acme_hq.latitude, acme_hq.longitude = Decimal("42.358400"), Decimal("-71.059800")
    acme_hq.access_notes = "Badge at reception; park on level -1."
    acme_hq.save()
    return acme_hq


@pytest.fixture
def reachable_carol(carol):
    carol.phone, carol.mobile = "+1 617 555 0100", "+1 617 555 0199"
    carol.save()
    return carol


@pytest.fixture
def escalated(frozen, alice, hq, reachable_carol, make_ticket):
    ticket = make_ticket(reachable_carol, subject="Printer jams on every page", site=hq)
    tickets.escalate_ticket(
        actor=alice,
        ticket=ticket,
        tier="L2",
        symptoms="Jams at the fuser",
        steps_tried="Cleared the paper path, power cycled",
        impact="Floor 2 cannot print",
    )
    return ticket


@pytest.fixture
def cleared(acme, leo, tara):
    for person in (leo, tara):
        Clearance.objects.create(
            technician=person, organization=acme, status=ClearanceStatus.CLEARED
        )


@pytest.fixture
def plan(frozen, alice, cleared, hq):
    """`plan(ticket, technician, start, order=None, second=None, items=())` -> a scheduled visit."""

    def make(ticket, technician, start, *, order=None, second=None, items=(), site=None):
        visit = scheduling.create_visit(
            alice,
            ticket,
            site=site or hq,
            window_start=start - timedelta(hours=1),
            window_end=start + timedelta(hours=2),
            duration_minutes=60,
            instructions="Replace the fuser unit",
        )
        for text in items:
            visits.add_checklist_item(alice, visit, text)
        return scheduling.schedule(
            alice, visit, technician, start, second=second, route_order=order
        )

    return make


@pytest.fixture
def leo_web(leo, signed_in):
    return signed_in(leo)


@pytest.fixture
def tara_web(tara, signed_in):
    return signed_in(tara)


@pytest.fixture
def alice_web(alice, signed_in):
    return signed_in(alice)


@pytest.fixture
def admin_web(admin, signed_in):
    return signed_in(admin)


@pytest.fixture
def carol_web(carol, signed_in):
    return signed_in(carol)

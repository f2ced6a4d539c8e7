"""A visit's day through the services: scheduled -> en route -> on site -> done, with the
checklist gating "done", the signature stored as an attachment, the public summary on the
timeline; no access and needs another; who may act; the clearance gate on scheduling."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.core import clock
from deskside.field.exceptions import InvalidInput, InvalidTransition, NotAllowed, NotCleared
from deskside.field.models import Clearance, ClearanceStatus, VisitStatus
from deskside.field.services import scheduling, visits
from deskside.tickets.models import EventKind

NOW = datetime(2026, 12, 9, 14, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def frozen():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def visit(frozen, alice, acme_ticket, acme_hq):
    return scheduling.create_visit(
        alice,
        acme_ticket,
        site=acme_hq,
        window_start=NOW,
        window_end=NOW + timedelta(hours=4),
        duration_minutes=90,
    )


def _clear(person, organization):
    Clearance.objects.create(
        technician=person, organization=organization, status=ClearanceStatus.CLEARED
    )


def test_an_uncleared_technician_alone_is_refused_and_paired_with_a_cleared_one_allowed(
    visit, alice, leo, tara, acme
):
    with pytest.raises(NotCleared, match="not cleared"):
        scheduling.schedule(alice, visit, leo, NOW)
    _clear(tara, acme)
    scheduling.schedule(alice, visit, leo, NOW, second=tara, second_is_shadowing=True)
    visit.refresh_from_db()
    assert (visit.status, visit.technician, visit.second_technician) == (
        VisitStatus.SCHEDULED,
        leo,
        tara,
    )


def test_the_day_of_a_visit_ends_done_with_a_signature_and_a_public_summary(
    visit, alice, leo, acme
):
    _clear(leo, acme)
    scheduling.schedule(alice, visit, leo, NOW + timedelta(hours=1))
    item = visits.add_checklist_item(leo, visit, "Swap the toner")
    visits.set_out(leo, visit)
    visits.check_in(leo, visit)
    with pytest.raises(InvalidInput, match="Swap the toner"):
        visits.check_out(leo, visit, VisitStatus.DONE, summary="Printed a test page")
    visits.tick(leo, item)
    visits.add_part(leo, visit, "Toner cartridge", part_number="TN-2420")
    visits.sign_on_phone(leo, visit, "Carol Customer", PNG)
    done = visits.check_out(leo, visit, VisitStatus.DONE, summary="Printed a test page")
    assert done.status == VisitStatus.DONE
    assert done.checked_in_at == done.checked_out_at == NOW  # the clock is frozen
    assert done.signature.content_type == "image/png" and not done.signature.is_public
    events = done.ticket.events.filter(kind=EventKind.VISIT)
    actions = [e.data["action"] for e in events]
    assert actions == [
        "created",
        "scheduled",
        "en_route",
        "on_site",
        "part",
        "signed",
        "checked_out",
    ]
    summary = events.get(data__action="checked_out")
    assert summary.is_public and "Printed a test page" in summary.body


def test_needs_another_visit_makes_an_unscheduled_follow_up(visit, alice, leo, acme):
    _clear(leo, acme)
    scheduling.schedule(alice, visit, leo, NOW)
    visits.check_in(leo, visit)
    with pytest.raises(InvalidInput):
        visits.check_out(leo, visit, VisitStatus.NEEDS_ANOTHER, summary="Diagnosed")
    visit = visits.check_out(
        leo, visit, VisitStatus.NEEDS_ANOTHER, summary="Diagnosed", note="Bring a PSU"
    )
    assert visit.follow_up.status == VisitStatus.UNSCHEDULED
    assert visit.follow_up.site_id == visit.site_id
    with pytest.raises(InvalidTransition):
        visits.check_in(leo, visit)


def test_no_access_needs_a_reason_and_customers_may_not_act(visit, alice, leo, carol, acme):
    _clear(leo, acme)
    scheduling.schedule(alice, visit, leo, NOW)
    with pytest.raises(NotAllowed):
        visits.set_out(carol, visit)
    with pytest.raises(InvalidInput, match="why"):
        visits.check_out(leo, visit, VisitStatus.NO_ACCESS)
    visit = visits.check_out(leo, visit, VisitStatus.NO_ACCESS, note="Office locked")
    assert visit.status == VisitStatus.NO_ACCESS


def test_a_signature_must_be_a_png_with_a_name(visit, alice, leo, acme):
    _clear(leo, acme)
    scheduling.schedule(alice, visit, leo, NOW)
    visits.check_in(leo, visit)
    with pytest.raises(InvalidInput, match="PNG"):
        visits.sign_on_phone(leo, visit, "Carol", b"GIF89a")
    with pytest.raises(InvalidInput, match="name"):
        visits.sign_on_phone(leo, visit, " ", PNG)

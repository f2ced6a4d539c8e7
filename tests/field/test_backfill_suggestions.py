"""Backfill: absent technicians and their visits, suggested replacements (hard rules and
ranking), the "only cleared technicians away" flag, and the reassign through scheduling."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Skill, Tier
from deskside.field import backfill
from deskside.field.exceptions import InvalidInput, InvalidTransition, NotCleared
from deskside.field.services import clearance as svc
from deskside.field.services import scheduling
from deskside.rosters import services as rosters
from tests.field.fixtures_clearance import *  # noqa: F403 (the fixtures)
from tests.field.fixtures_clearance import base, clear, visit_for

pytestmark = pytest.mark.django_db

THURSDAY = date(2026, 12, 10)
# Thursday 10:00 in New York (Acme's HQ in Boston).
VISIT_AT = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)


def leave(admin, person, start, end):
    return rosters.record_leave(
        actor=admin, user=person, kind="holiday", starts_at=start, ends_at=end, reason="Away"
    )


@pytest.fixture
def printers(db):
    return Skill.objects.create(name="Printers")


@pytest.fixture
def scene(now, admin, acme, acme_hq, leo, maria, kofi, tina, printers, acme_ticket):
    """Leo (regular at Acme) is away on Thursday with a printer visit at Acme's HQ; Maria and
    Kofi are cleared there too and hold the skill; Tina is cleared but lacks it."""
    acme_hq.latitude, acme_hq.longitude = Decimal("42.3601"), Decimal("-71.0589")
    acme_hq.timezone = "America/New_York"
    acme_hq.save()
    for person in (leo, maria, kofi, tina):
        clear(person, acme, admin)
    for person in (leo, maria, kofi):
        person.skills.add(printers)
    base(leo, 42.36, -71.06)
    base(maria, 42.40, -71.10)  # a few minutes from the site
    base(kofi, 41.82, -71.41)  # Providence: about an hour away
    visit = visit_for(admin, acme_ticket, VISIT_AT - timedelta(hours=1), skills=[printers])
    visit = scheduling.schedule(admin, visit, leo, VISIT_AT)
    start = datetime(2026, 12, 10, 5, 0, tzinfo=UTC)  # Thursday 00:00 in New York
    leave(admin, leo, start, start + timedelta(days=1))
    return visit


def test_the_absent_technician_their_visit_and_clients(scene, admin, leo, acme):
    report = backfill.backfill(admin)
    assert (report.start, report.end) == (date(2026, 12, 9), date(2026, 12, 22))
    (absence,) = report.absences
    assert absence.technician == leo and absence.cleared_at == [acme]
    assert [item.visit for item in absence.visits] == [scene]


def test_suggestions_are_cleared_skilled_and_not_away_nearest_first(
    scene, admin, maria, kofi, tina, leo
):
    (item,) = backfill.backfill(admin).absences[0].visits
    # Tina lacks the skill; Leo is the one away.
    assert [s.technician for s in item.suggestions] == [maria, kofi]
    assert item.suggestions[0].travel_minutes < item.suggestions[1].travel_minutes
    assert all(not s.busy and s.load_minutes == 0 for s in item.suggestions)


def test_someone_else_away_then_or_not_cleared_is_no_suggestion(scene, admin, acme, maria, kofi):
    leave(admin, maria, VISIT_AT - timedelta(hours=2), VISIT_AT + timedelta(hours=2))
    svc.revoke(
        actor=admin,
        clearance=kofi.clearances.get(organization=acme),
        reason="Lost the site badge.",
    )
    report = backfill.backfill(admin)
    absence = next(a for a in report.absences if a.visits)
    assert absence.visits[0].suggestions == []


def test_load_breaks_a_tie_and_a_double_booking_goes_last(
    scene, admin, acme, maria, kofi, acme_ticket
):
    base_row = kofi.technician
    base_row.base_latitude, base_row.base_longitude = Decimal("42.40"), Decimal("-71.10")
    base_row.save()  # Kofi and Maria now start from the same place
    # Maria has two hours booked that Thursday, in the evening: Kofi goes first.
    evening = VISIT_AT + timedelta(hours=6)
    other = visit_for(admin, acme_ticket, evening, minutes=120)
    scheduling.schedule(admin, other, maria, evening)
    (item,) = backfill.backfill(admin).absences[0].visits
    assert [s.technician for s in item.suggestions] == [kofi, maria]
    assert [s.load_minutes for s in item.suggestions] == [0, 120]
    # Kofi is then booked at the very time of the visit: free Maria goes first again.
    clash = visit_for(admin, acme_ticket, VISIT_AT)
    scheduling.schedule(admin, clash, kofi, VISIT_AT)
    (item,) = backfill.backfill(admin).absences[0].visits
    assert [(s.technician, s.busy) for s in item.suggestions] == [(maria, False), (kofi, True)]


def test_a_client_whose_only_cleared_technicians_are_away_is_flagged(
    now, admin, acme, globex, leo, maria
):
    clear(leo, acme, admin)
    clear(maria, globex, admin)
    clear(leo, globex, admin)
    # Leo, Acme's only cleared technician, is away Friday to Monday (New York time).
    start = datetime(2026, 12, 11, 5, 0, tzinfo=UTC)
    leave(admin, leo, start, start + timedelta(days=4))
    flags = backfill.backfill(admin).flags
    # Friday and Monday: a weekend is not flagged; Globex has Maria.
    assert [(f.organization, f.day, f.away) for f in flags] == [
        (acme, date(2026, 12, 11), (leo,)),
        (acme, date(2026, 12, 14), (leo,)),
    ]
    # Maria away on Monday too: Globex is flagged that day (both its people are away).
    leave(
        admin, maria, datetime(2026, 12, 14, 0, 0, tzinfo=UTC), datetime(2026, 12, 15, tzinfo=UTC)
    )
    flagged = {(f.organization.slug, f.day) for f in backfill.backfill(admin).flags}
    assert ("globex", date(2026, 12, 14)) in flagged


def test_a_deactivated_technician_does_not_keep_the_client_covered(now, admin, acme, leo, maria):
    clear(leo, acme, admin)
    clear(maria, acme, admin)
    start = datetime(2026, 12, 11, 5, 0, tzinfo=UTC)  # Friday 00:00 in New York
    leave(admin, leo, start, start + timedelta(days=1))
    assert backfill.backfill(admin).flags == []  # Maria covers Acme
    maria.is_active = False  # she left the company; her clearance row stays
    maria.save()
    flags = backfill.backfill(admin).flags
    assert [(f.organization, f.day, f.away) for f in flags] == [(acme, date(2026, 12, 11), (leo,))]


def test_the_period_is_checked(now, admin):
    with pytest.raises(InvalidInput) as exc:
        backfill.backfill(admin, date(2026, 12, 10), date(2026, 12, 9))
    assert exc.value.field == "end"
    with pytest.raises(InvalidInput):
        backfill.backfill(admin, date(2026, 12, 10), date(2027, 3, 10))
    report = backfill.backfill(admin, date(2026, 12, 10))
    assert report.end == date(2026, 12, 23) and report.absences == []


def test_reassign_from_the_page_schedules_the_replacement(scene, admin, maria, signed_in):
    page = signed_in(admin)
    shown = page.get("/field/backfill/")
    assert shown.status_code == 200
    body = shown.content.decode()
    assert scene.ticket.number in body and "Maria Santos" in body and "Reassign" in body
    done = page.post(
        "/field/backfill/reassign/",
        {"visit": scene.public_id, "technician": maria.public_id, "start": "2026-12-09"},
    )
    assert done.status_code == 302 and done["Location"] == "/field/backfill/?start=2026-12-09"
    scene.refresh_from_db()
    assert (scene.technician, scene.scheduled_start, scene.status) == (maria, VISIT_AT, "scheduled")
    assert scene.ticket.events.filter(kind="visit", data__action="rescheduled").exists()


def test_reassign_to_someone_not_cleared_is_refused_with_the_reason(
    scene, admin, acme, gil, signed_in, msp, desktop_team
):
    newcomer = accounts.create_user(
        email="nia@msp.example", full_name="Nia New", kind="agent", tier=Tier.L2, organization=msp
    )
    page = signed_in(admin)
    refused = page.post(
        "/field/backfill/reassign/", {"visit": scene.public_id, "technician": newcomer.public_id}
    )
    assert refused.status_code == 409
    assert "not cleared for Acme Corp" in refused.content.decode()
    bad = page.post("/field/backfill/reassign/", {"visit": "", "technician": ""})
    assert bad.status_code == 400
    assert page.get("/field/backfill/?start=2026-12-10&end=2026-12-01").status_code == 400
    assert page.get("/field/backfill/?start=nonsense").status_code == 400


def test_reassign_keeps_the_second_and_shadowing_and_drops_a_second_who_takes_over(
    scene, admin, leo, maria, kofi, acme_ticket, msp
):
    scene = scheduling.schedule(
        admin, scene, leo, VISIT_AT, second=kofi, second_is_shadowing=True, route_order=2
    )
    moved = scheduling.reassign(admin, scene, maria)
    assert (moved.technician, moved.second_technician) == (maria, kofi)
    assert moved.second_is_shadowing and moved.route_order == 2
    assert moved.scheduled_start == VISIT_AT
    # The second technician takes over: no second on the visit, so nobody shadows.
    moved = scheduling.reassign(admin, moved, kofi)
    assert (moved.technician, moved.second_technician) == (kofi, None)
    assert not moved.second_is_shadowing
    # Not cleared at the client: refused by the scheduling rule, nothing changed.
    newcomer = accounts.create_user(
        email="nia@msp.example", full_name="Nia New", kind="agent", tier=Tier.L2, organization=msp
    )
    with pytest.raises(NotCleared):
        scheduling.reassign(admin, moved, newcomer)
    moved.refresh_from_db()
    assert moved.technician == kofi
    # Only a scheduled visit.
    waiting = visit_for(admin, acme_ticket, VISIT_AT)
    with pytest.raises(InvalidTransition):
        scheduling.reassign(admin, waiting, maria)


def test_reassign_through_the_api(scene, admin, maria, api_as, msp):
    api = api_as(admin)
    url = f"/api/v1/field/visits/{scene.public_id}/reassign"
    done = api.post(url, {"technician": maria.public_id})
    assert done.status_code == 200 and done.json()["technician"]["public_id"] == maria.public_id
    newcomer = accounts.create_user(
        email="nia@msp.example", full_name="Nia New", kind="agent", tier=Tier.L2, organization=msp
    )
    refused = api.post(url, {"technician": newcomer.public_id})
    assert refused.status_code == 409 and refused.json()["field"] == "technician"
    assert api.post(url, {"technician": "nobody"}).json()["field"] == "technician"

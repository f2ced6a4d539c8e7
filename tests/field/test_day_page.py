# ruff: noqa: F811 - the day's fixtures are imported by name, then requested by it
"""The technician's day page (/field/day/): the visits of the day in route order, with the
map links (geo:, OpenStreetMap), access notes, the contact's tel: links, the ticket's triage
notes and checklist; whose day a viewer may open; customers and other clients kept out."""

import re
from datetime import timedelta

import pytest

from deskside.field.models import Clearance, ClearanceStatus
from tests.field.fixtures_day import (  # noqa: F401 - the fixtures
    DAY,
    NOW,
    admin_web,
    alice_web,
    carol_web,
    cleared,
    escalated,
    frozen,
    hq,
    leo_web,
    plan,
    reachable_carol,
    tara_web,
)

pytestmark = pytest.mark.django_db


def _cards(html: str) -> list[str]:
    """The public ids of the visit cards, in page order."""
    return re.findall(r'<article class="card day-card[^"]*" id="visit-([^"]+)"', html)


def test_the_day_lists_my_visits_in_route_order_then_by_start(plan, escalated, leo, tara, leo_web):
    late_first = plan(escalated, leo, NOW + timedelta(hours=3), order=1)
    early_second = plan(escalated, leo, NOW, order=2)
    unordered = plan(escalated, leo, NOW - timedelta(hours=1))
    as_second = plan(escalated, tara, NOW + timedelta(hours=1), order=3, second=leo)
    plan(escalated, tara, NOW + timedelta(hours=2))  # Tara's alone: not on Leo's day
    plan(escalated, leo, NOW + timedelta(days=1))  # tomorrow
    response = leo_web.get("/field/day/")
    assert response.status_code == 200
    assert _cards(response.content.decode()) == [
        late_first.public_id,
        early_second.public_id,
        as_second.public_id,
        unordered.public_id,
    ]
    tomorrow = leo_web.get(f"/field/day/?date={DAY + timedelta(days=1)}")
    assert len(_cards(tomorrow.content.decode())) == 1


def test_a_card_has_the_map_links_access_notes_contact_and_triage_notes(
    plan, escalated, leo, leo_web
):
    plan(escalated, leo, NOW, items=["Swap the fuser", "Print a test page"])
    html = leo_web.get("/field/day/").content.decode()
    assert 'href="geo:42.3584,-71.0598"' in html
    assert (
        'href="https://www.openstreetmap.org/?mlat=42.3584&amp;mlon=-71.0598#map=17/42.3584/-71.0598"'
        in html
    )
    assert "Badge at reception; park on level -1." in html
    assert "Carol Customer" in html
    assert 'href="tel:+16175550100"' in html and 'href="tel:+16175550199"' in html
    assert escalated.number in html and "Printer jams on every page" in html
    assert "Jams at the fuser" in html and "Cleared the paper path, power cycled" in html
    assert "Floor 2 cannot print" in html
    assert "Swap the fuser" in html and "Print a test page" in html
    assert "Replace the fuser unit" in html
    assert "Start · on my way" in html and "Arrive · check in" in html


def test_without_coordinates_the_map_links_use_the_address(plan, escalated, hq, leo, leo_web):
    hq.latitude = hq.longitude = None
    hq.save()
    plan(escalated, leo, NOW)
    html = leo_web.get("/field/day/").content.decode()
    assert 'href="geo:0,0?q=1%20Main%20St%2C%20Boston"' in html
    assert 'href="https://www.openstreetmap.org/search?query=1+Main+St%2C+Boston"' in html


def test_the_day_follows_the_technicians_time_zone(plan, escalated, leo, leo_web):
    leo.timezone = "America/New_York"
    leo.save()
    # 02:00 UTC on the 10th is 21:00 on the 9th in Boston: today's, for Leo.
    evening = plan(escalated, leo, NOW.replace(hour=2) + timedelta(days=1))
    assert _cards(leo_web.get("/field/day/").content.decode()) == [evening.public_id]


def test_a_bad_date_is_a_form_error(frozen, leo, leo_web):
    response = leo_web.get("/field/day/?date=9-12-2026")
    assert response.status_code == 400
    assert "give the date as YYYY-MM-DD" in response.content.decode()
    far = leo_web.get("/field/day/?date=9999-12-31")
    assert far.status_code == 400 and "the date is 1970 to 9000" in far.content.decode()


def test_an_empty_day_says_so(frozen, leo, leo_web):
    assert "No visits today" in leo_web.get("/field/day/").content.decode()


def test_another_technicians_day_is_for_staff_and_leads_only(
    plan, escalated, leo, tara, alice, alice_web, tara_web, admin_web, desktop_team
):
    visit = plan(escalated, leo, NOW)
    url = f"/field/day/?tech={leo.public_id}"
    assert alice_web.get(url).status_code == 403
    assert tara_web.get(url).status_code == 403
    desktop_team.lead = tara
    desktop_team.save()
    response = tara_web.get(url)
    assert response.status_code == 200 and visit.public_id in response.content.decode()
    page = admin_web.get(url).content.decode()
    assert visit.public_id in page
    assert "Start · on my way" not in page  # the day's buttons are the technician's
    assert admin_web.get("/field/day/?tech=nobody").status_code == 404


def test_a_dispatcher_sees_only_the_clients_they_serve(
    plan, escalated, globex, globex_ticket, globex_site, leo, admin, admin_web
):
    Clearance.objects.create(technician=leo, organization=globex, status=ClearanceStatus.CLEARED)
    acme_visit = plan(escalated, leo, NOW)
    globex_visit = plan(globex_ticket, leo, NOW + timedelta(hours=2), site=globex_site)
    admin.served_organizations.set([globex])
    page = admin_web.get(f"/field/day/?tech={leo.public_id}").content.decode()
    assert _cards(page) == [globex_visit.public_id]
    assert acme_visit.public_id not in page
    assert admin_web.post(f"/field/day/{acme_visit.public_id}/start/").status_code == 404


def test_customers_are_sent_to_the_portal_and_refused_actions(plan, escalated, leo, carol_web):
    visit = plan(escalated, leo, NOW)
    response = carol_web.get("/field/day/")
    assert response.status_code == 302 and response.url.startswith("/portal")
    assert carol_web.post(f"/field/day/{visit.public_id}/start/").status_code == 403


def test_signed_out_people_are_sent_to_sign_in(frozen, anon):
    response = anon.get("/field/day/")
    assert response.status_code == 302 and "/login/" in response.url


def test_the_day_reads_a_bounded_number_of_queries(
    plan, escalated, leo, leo_web, django_assert_max_num_queries
):
    for hour in range(5):
        plan(escalated, leo, NOW + timedelta(hours=hour), items=["One", "Two"])
    # The session and user, the visits with their site, ticket and people, their checklists
    # and parts (one query each), then the triage notes: one per card (a day has a handful).
    with django_assert_max_num_queries(6 + 5):
        leo_web.get("/field/day/")


def test_other_clients_technicians_do_not_see_a_visit_they_are_not_serving(
    plan, escalated, leo, leo_web, globex
):
    visit = plan(escalated, leo, NOW)
    leo.served_organizations.set([globex])  # Leo no longer serves Acme
    assert visit.public_id not in leo_web.get("/field/day/").content.decode()
    assert leo_web.post(f"/field/day/{visit.public_id}/start/").status_code == 404

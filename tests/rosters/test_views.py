"""The roster pages: the teams with who is on the desk, a team's week grid coloured by
coverage (with words), set-up for admins and the lead, leave with its gaps and the cover
candidates (htmx), each agent's schedule and feed; customers see none of it."""

import pytest
from icalendar import Calendar

from deskside.core import clock
from deskside.duty import services as duty_services
from deskside.rosters import services
from deskside.rosters.models import Cover, Leave, Roster
from tests.conftest import login
from tests.rosters.conftest import berlin


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen(berlin(2026, 3, 4, 9)):
        yield


@pytest.fixture
def holiday(admin, crew):
    return services.record_leave(
        actor=admin, user=crew[0], kind="holiday", starts_at=berlin(2026, 3, 3),
        ends_at=berlin(2026, 3, 5), reason="Family visit",
    )  # fmt: skip


def test_index_shows_who_is_on_the_desk_now_and_next(roster, alice, crew):
    page = login(alice).get("/rosters/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Help Desk L1" in text and "Ann Shift" in text  # on the early shift
    assert "Late" in text and "Ben Shift" in text  # next: the late shift at 14:00


def test_week_grid_with_coverage_states(roster, alice, holiday):
    page = login(alice).get("/rosters/teams/help-desk-l1/?start=2026-03-04")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Week of 2 Mar 2026" in text  # the Monday of the week asked for
    assert 'class="rs-slot below">below minimum (0/1)' in text
    assert 'class="rs-slot minimum">at minimum (1/1)' in text
    assert 'class="rs-leave">holiday' in text
    assert "Find cover" in text and "Shifts and rota" not in text  # Alice does not edit
    nxt = login(alice).get("/rosters/teams/help-desk-l1/?start=2026-03-09").content.decode()
    assert "Week of 9 Mar 2026" in nxt and "below minimum" not in nxt
    assert login(alice).get("/rosters/teams/nope/").status_code == 404


def test_setup_for_admins_and_the_lead_only(roster, alice, hanna, crew):
    assert login(alice).get("/rosters/teams/help-desk-l1/setup/").status_code == 403
    lead = login(hanna)
    assert lead.get("/rosters/teams/help-desk-l1/setup/").status_code == 200
    added = lead.post(
        "/rosters/teams/help-desk-l1/shifts/",
        {"code": "m", "name": "Mid", "start": "10:00", "end": "18:00", "min_staff": 1,
         "days": ["5", "6"]},
    )  # fmt: skip
    assert added.status_code == 302
    mid = roster.shift_definitions.get(code="M")
    assert mid.days == [5, 6]
    assert lead.get(f"/rosters/teams/help-desk-l1/shifts/{mid.pk}/").status_code == 200
    edited = lead.post(
        f"/rosters/teams/help-desk-l1/shifts/{mid.pk}/",
        {"code": "Z", "name": "Midday", "start": "11:00", "end": "19:00", "min_staff": 2},
    )
    assert edited.status_code == 302
    mid.refresh_from_db()
    assert (mid.code, mid.name, mid.start, mid.min_staff, mid.days) == (
        "M",
        "Midday",
        "11:00",
        2,
        [],
    )
    wrong = lead.post(
        f"/rosters/teams/help-desk-l1/shifts/{mid.pk}/",
        {"name": "Midday", "start": "noon", "end": "19:00", "min_staff": 2},
    )
    assert wrong.status_code == 422 and "not a time of day" in wrong.content.decode()
    bad = lead.post("/rosters/teams/help-desk-l1/lines/", {"user": crew[0].pk, "pattern": "E E E"})
    assert bad.status_code == 422 and "28 days" in bad.content.decode()
    generated = lead.post(
        "/rosters/teams/help-desk-l1/generate/",
        {"users": [c.pk for c in crew], "cycle": "E E L L N N - -", "unit": "days",
         "offset": "2", "workdays": [str(d) for d in range(7)]},
    )  # fmt: skip
    assert generated.status_code == 302
    roster.refresh_from_db()
    assert roster.cycle_days == 8
    assert alice_cannot_post(alice)


def alice_cannot_post(alice) -> bool:
    response = login(alice).post("/rosters/teams/help-desk-l1/shifts/", {"preset": "business"})
    return response.status_code == 403


def test_new_roster_page(admin, desktop_team):
    client = login(admin)
    assert client.get("/rosters/new/").status_code == 200
    created = client.post(
        "/rosters/new/",
        {"team": desktop_team.pk, "timezone": "Europe/Berlin", "cycle_start": "2026-03-02",
         "cycle_days": 7, "rest_hours": 11, "weekly_hours_cap": 48, "preset": "business",
         "min_staff": 1},
    )  # fmt: skip
    assert created.status_code == 302
    assert Roster.objects.get(team=desktop_team).shift_definitions.get().days == [0, 1, 2, 3, 4]


def test_leave_page_gap_candidates_and_cover(roster, crew, hanna):
    client = login(hanna)
    assert client.get("/rosters/leave/").status_code == 200
    posted = client.post(
        "/rosters/leave/",
        {"user": crew[0].pk, "kind": "sick", "starts_at": "2026-03-05T00:00",
         "ends_at": "2026-03-06T00:00", "reason": "Flu"},
    )  # fmt: skip
    leave = Leave.objects.get()
    assert posted.status_code == 302 and posted["Location"] == f"/rosters/leave/{leave.pk}/"
    detail = client.get(posted["Location"]).content.decode()
    assert "Gaps this leave opens" in detail and "below minimum (0/1)" in detail
    fragment = client.get(
        "/rosters/teams/help-desk-l1/candidates/",
        {"code": "E", "starts_at": "2026-03-05T05:00:00Z", "covers_for": crew[0].pk},
        HTTP_HX_REQUEST="true",
    )
    text = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in text
    assert "Put Dan on this shift" in text and "rest rule" in text
    covered = client.post(
        "/rosters/teams/help-desk-l1/covers/",
        {"user": crew[3].pk, "code": "E", "starts_at": "2026-03-05T05:00:00Z",
         "covers_for": crew[0].pk, "back": f"/rosters/leave/{leave.pk}/"},
    )  # fmt: skip
    assert covered.status_code == 302 and covered["Location"] == f"/rosters/leave/{leave.pk}/"
    assert Cover.objects.get().covers_for == crew[0]
    refused = client.post(
        "/rosters/teams/help-desk-l1/covers/",
        {"user": crew[1].pk, "code": "E", "starts_at": "2026-03-05T05:00:00Z"},
        follow=True,
    )
    assert "rest rule" in refused.content.decode()
    assert "Flu" in client.get("/rosters/leave/").content.decode()
    others = login(crew[2]).get("/rosters/leave/").content.decode()
    assert "Flu" not in others and "private" in others  # a colleague sees when, not why
    cancelled = client.post(f"/rosters/leave/{leave.pk}/cancel/")
    assert cancelled.status_code == 302 and not Leave.objects.exists()


def test_my_schedule_and_feed(roster, crew):
    ann = crew[0]
    client = login(ann)
    page = client.get("/rosters/me/").content.decode()
    assert "Early (E)" in page and "Help Desk L1" in page
    assert client.post("/rosters/me/feed/").status_code == 302
    token = duty_services.person_feed(actor=ann).token
    feed = client.get(f"/rosters/feeds/{token}.ics")
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    starts = {e.decoded("dtstart") for e in events}
    assert berlin(2026, 3, 4, 6) in starts  # this week's early shifts
    assert berlin(2026, 3, 9, 14) in starts  # next week's lates
    first = next(e for e in events if e.decoded("dtstart") == berlin(2026, 3, 4, 6))
    assert str(first["summary"]) == "Early shift: Help Desk L1"
    assert first.decoded("dtend") == berlin(2026, 3, 4, 14)
    again = Calendar.from_ical(client.get(f"/rosters/feeds/{token}.ics").content)
    assert {str(e["uid"]) for e in again.walk("VEVENT")} == {str(e["uid"]) for e in events}
    assert client.get("/rosters/feeds/wrong.ics").status_code == 404


PAGES = [
    "/rosters/",
    "/rosters/me/",
    "/rosters/leave/",
    "/rosters/new/",
    "/rosters/teams/help-desk-l1/",
    "/rosters/teams/help-desk-l1/setup/",
    "/rosters/teams/help-desk-l1/candidates/?code=E&starts_at=2026-03-04T05:00:00Z",
]


def test_customers_see_none_of_it(roster, carol, holiday):
    client = login(carol)
    for url in [*PAGES, f"/rosters/leave/{holiday.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/portal/"), url
    for url in [
        "/rosters/leave/",
        "/rosters/teams/help-desk-l1/covers/",
        "/rosters/teams/help-desk-l1/shifts/",
        f"/rosters/leave/{holiday.pk}/cancel/",
        "/rosters/me/feed/",
    ]:
        assert client.post(url).status_code == 403, url
    assert Leave.objects.filter(pk=holiday.pk).exists()


def test_a_client_limited_agent_sees_the_rosters(roster, acme, alice):
    """Rosters hold no client data: an agent serving only Acme still reads them."""
    alice.served_organizations.set([acme])
    client = login(alice)
    for url in PAGES[:3] + PAGES[4:5]:
        assert client.get(url).status_code == 200, url


def test_admin_shows_rosters_read_only(roster, admin, holiday):
    admin.is_superuser = True
    admin.save()
    client = login(admin)
    for name in ("roster", "leave"):
        assert client.get(f"/admin/rosters/{name}/").status_code == 200
        assert client.get(f"/admin/rosters/{name}/add/").status_code == 403
    page = client.get(f"/admin/rosters/roster/{roster.pk}/change/").content.decode()
    assert "Ann Shift" in page and 'name="_save"' not in page
    assert (
        client.post(f"/admin/rosters/leave/{holiday.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )

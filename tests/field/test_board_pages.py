"""The dispatch board's pages and API: schedule, move and unschedule from the page (with and
without htmx), the clearance refusal on the form, warnings shown as text, tenancy."""

import pytest

from deskside.field.models import ClearanceStatus, VisitStatus
from deskside.tickets.models import EventKind, Ticket
from tests.field.fixtures_board import *  # noqa: F403
from tests.field.fixtures_board import at

BOARD = "/field/board/?day=2027-03-01"
WEEK = "/field/board/?day=2027-03-01&view=week"
SCHEDULE = "/field/board/schedule/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _post(client, visit, tech, start="2027-03-01T09:00", htmx=False, **extra):
    data = {"visit": visit.public_id, "technician": tech.public_id, "start": start}
    data["next"] = BOARD
    data.update(extra)
    return client.post(SCHEDULE, data, **(HTMX if htmx else {}))


@pytest.mark.parametrize("htmx", [False, True])
def test_schedule_from_the_page(
    alice, carol, acme, acme_north, make_tech, clear, make_visit, signed_in, htmx
):
    leo = make_tech("Leo Tech")
    clear(leo, acme)
    visit = make_visit(carol, acme_north)
    web = signed_in(alice)
    page = web.get(BOARD)
    assert visit.ticket.number in page.content.decode()  # in the queue
    response = _post(web, visit, leo, htmx=htmx)
    if htmx:
        assert response.status_code == 204 and response["HX-Redirect"] == BOARD
    else:
        assert response.status_code == 302 and response["Location"] == BOARD
    visit.refresh_from_db()
    assert (visit.status, visit.technician, visit.scheduled_start) == ("scheduled", leo, at(9))
    assert visit.ticket.events.filter(kind=EventKind.VISIT, data__action="scheduled").exists()
    html = web.get(BOARD).content.decode()
    assert f'id="b-{visit.public_id}-lead"' in html


def test_schedule_with_a_shadowing_second(
    alice, carol, acme, acme_north, make_tech, clear, make_visit, signed_in
):
    leo, nia = make_tech("Leo Tech"), make_tech("Nia Shadow")
    clear(leo, acme)
    visit = make_visit(carol, acme_north)
    response = _post(signed_in(alice), visit, leo, second=nia.public_id, shadowing="on")
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.second_technician, visit.second_is_shadowing) == (nia, True)


@pytest.mark.parametrize("htmx", [False, True])
def test_the_clearance_refusal_is_shown_on_the_form(
    alice, carol, acme, acme_north, make_tech, make_visit, signed_in, htmx
):
    leo = make_tech("Leo Tech")  # not cleared for Acme
    visit = make_visit(carol, acme_north)
    response = _post(signed_in(alice), visit, leo, htmx=htmx)
    html = response.content.decode()
    assert response.status_code == (200 if htmx else 422)
    assert "is not cleared for Acme Corp" in html
    assert 'id="fb-schedule-form"' in html
    visit.refresh_from_db()
    assert visit.status == VisitStatus.UNSCHEDULED


def test_a_start_outside_the_window_is_a_form_error(
    alice, carol, acme, acme_north, make_tech, clear, make_visit, signed_in
):
    leo = make_tech("Leo Tech")
    clear(leo, acme)
    visit = make_visit(carol, acme_north, window=(at(8), at(10)))
    response = _post(signed_in(alice), visit, leo, start="2027-03-01T15:00", htmx=True)
    assert "outside the customer&#x27;s window" in response.content.decode()
    response = _post(signed_in(alice), visit, leo, start="not a time", htmx=True)
    assert "Enter a valid date/time" in response.content.decode()


def test_move_and_unschedule(
    alice, carol, acme, acme_north, make_tech, clear, make_visit, signed_in
):
    leo, max_ = make_tech("Leo Tech"), make_tech("Max Tech")
    clear(leo, acme)
    clear(max_, acme)
    visit = make_visit(carol, acme_north, tech=leo, start=at(9))
    web = signed_in(alice)
    form = web.get(f"/field/board/form/?visit={visit.public_id}&next=/field/board/", **HTMX)
    html = form.content.decode()
    assert f'value="{leo.public_id}" selected' in html and 'value="2027-03-01T09:00"' in html
    assert _post(web, visit, max_, start="2027-03-01T13:30").status_code == 302
    visit.refresh_from_db()
    assert (visit.technician, visit.scheduled_start) == (max_, at(13, 30))
    assert visit.ticket.events.filter(data__action="rescheduled").exists()
    url = f"/field/board/visits/{visit.public_id}/unschedule/"
    response = web.post(url, {"next": BOARD})
    assert response.status_code == 302 and response["Location"] == BOARD
    visit.refresh_from_db()
    assert (visit.status, visit.technician) == (VisitStatus.UNSCHEDULED, None)
    again = web.post(url, {"next": BOARD}, follow=True)
    assert "only a scheduled visit goes back to the queue" in again.content.decode()


def test_warnings_are_text_on_the_block(
    alice, carol, acme, acme_north, make_tech, clear, make_visit, signed_in
):
    leo = make_tech("Leo Tech")
    clear(leo, acme)
    make_visit(carol, acme_north, tech=leo, start=at(9), duration=90)
    make_visit(carol, acme_north, tech=leo, start=at(10))
    clear(leo, acme, ClearanceStatus.REVOKED)
    html = signed_in(alice).get(BOARD).content.decode()
    assert 'class="fb-w fb-w-overlap"><span aria-hidden="true">⚠</span> overlaps' in html
    assert "Leo Tech is not cleared for Acme Corp" in html
    # the week names each warning on the visit's line; the day view has the sentences
    html = signed_in(alice).get(WEEK).content.decode()
    assert '<span aria-hidden="true">⚠</span> overlap, not cleared</span>' in html


def test_the_queue_on_the_page_is_in_sla_order(
    alice, carol, acme, acme_north, make_visit, signed_in
):
    later = make_visit(carol, acme_north, subject="Later one")
    sooner = make_visit(carol, acme_north, subject="Sooner one")
    Ticket.objects.filter(pk=sooner.ticket_id).update(sla_due=at(11))
    html = signed_in(alice).get(BOARD).content.decode()
    assert html.index("Sooner one") < html.index("Later one")
    assert later.ticket.number in html


def test_the_nav_links_to_the_board(alice, signed_in):
    assert (
        'href="/field/board/">Field</a>' in signed_in(alice).get("/field/board/").content.decode()
    )


def test_bad_query_values_fall_back(alice, signed_in):
    response = signed_in(alice).get("/field/board/?day=nope&view=month&team=nobody")
    assert response.status_code == 200


# -- tenancy ---------------------------------------------------------------------------------


@pytest.fixture
def two_clients(carol, dave, acme, globex, acme_north, globex_lab, make_tech, clear, make_visit):
    leo = make_tech("Leo Tech")  # serves every client
    clear(leo, acme)
    clear(leo, globex)
    a = make_visit(carol, acme_north, tech=leo, start=at(9), subject="Acme printer")
    b = make_visit(dave, globex_lab, tech=leo, start=at(13), subject="Globex VPN")
    qa = make_visit(carol, acme_north, subject="Acme queue item")
    qb = make_visit(dave, globex_lab, subject="Globex queue item")
    return leo, a, b, qa, qb


def test_an_agent_serving_only_acme_sees_nothing_of_globex(
    two_clients, acme, admin_serving, signed_in, api_as
):
    leo, a, b, qa, qb = two_clients
    only_acme = admin_serving(acme, email="acme-only@msp.example")
    for url in (BOARD, WEEK):
        html = signed_in(only_acme).get(url).content.decode()
        assert a.ticket.number in html and qa.ticket.number in html
        for hidden in (b.ticket.number, qb.ticket.number, "Globex", "Berlin lab", b.public_id):
            assert hidden not in html
    api = api_as(only_acme)
    for path in (
        "/api/v1/field/board?day=2027-03-01",
        "/api/v1/field/board?day=2027-03-01&view=week",
        "/api/v1/field/board/queue",
    ):
        response = api.get(path)
        assert response.status_code == 200
        body = response.content.decode()
        assert "Globex" not in body and b.public_id not in body and qb.public_id not in body
    # nor can they schedule or unschedule Globex's visits from the board
    web = signed_in(only_acme)
    assert _post(web, qb, leo, htmx=True).status_code == 200  # "select a valid choice"
    qb.refresh_from_db()
    assert qb.status == VisitStatus.UNSCHEDULED
    assert web.post(f"/field/board/visits/{b.public_id}/unschedule/").status_code == 404
    b.refresh_from_db()
    assert b.status == VisitStatus.SCHEDULED


def test_customers_are_sent_away(two_clients, carol, signed_in, as_carol):
    leo, a, b, qa, qb = two_clients
    web = signed_in(carol)
    assert web.get(BOARD).status_code == 302
    assert web.post(SCHEDULE, {"visit": qa.public_id}).status_code == 403
    assert web.post(f"/field/board/visits/{a.public_id}/unschedule/").status_code == 403
    assert as_carol.get("/api/v1/field/board").status_code == 403
    assert as_carol.get("/api/v1/field/board/queue").status_code == 403


def test_anonymous_goes_to_sign_in(anon):
    assert anon.get(BOARD).status_code == 302
    assert anon.get("/api/v1/field/board").status_code == 401


# -- the API ---------------------------------------------------------------------------------


def test_the_api_board(two_clients, alice, as_alice):
    leo, a, b, qa, qb = two_clients
    response = as_alice.get("/api/v1/field/board?day=2027-03-01&view=week")
    assert response.status_code == 200
    body = response.json()
    assert body["view"] == "week" and body["day"] == "2027-03-01"
    (row,) = body["technicians"]
    assert row["name"] == "Leo Tech" and row["rostered"] is False
    assert [v["id"] for v in row["visits"]] == [a.public_id, b.public_id]
    first = row["visits"][0]
    assert first["leg"]["from_visit"] is None and first["leg"]["source"] == "estimate"
    assert first["warnings"] == [] and first["role"] == "lead"
    # Berlin after Boston the same day: the leg is long and cannot fit
    second = row["visits"][1]
    assert [w["code"] for w in second["warnings"]] == ["travel"]
    queue = as_alice.get("/api/v1/field/board/queue").json()
    assert [v["id"] for v in queue["items"]] == [qa.public_id, qb.public_id]


def test_the_api_refuses_bad_input(alice, as_alice):
    for path, field in (
        ("/api/v1/field/board?day=2027-13-01", "day"),
        ("/api/v1/field/board?view=month", "view"),
        ("/api/v1/field/board?team=nobody", "team"),
        ("/api/v1/field/board/queue?limit=0", "limit"),
    ):
        response = as_alice.get(path)
        assert response.status_code == 422, path
        assert response.json()["field"] == field


def test_the_api_board_query_count(two_clients, alice, as_alice, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        assert as_alice.get("/api/v1/field/board?day=2027-03-01&view=week").status_code == 200

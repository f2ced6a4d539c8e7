"""The route-plan API (/api/v1/field/plans) and pages (/field/plans/): plan, read, accept,
discard; agents only; tenancy (an agent serving only Acme never plans or sees Globex's visits,
nor a plan that considered them); bad input is a 4xx naming the field."""

from datetime import UTC, datetime

import pytest

from deskside.core import clock
from deskside.field.models import RoutePlan, RoutePlanStatus, Visit, VisitStatus
from deskside.field.services.planning import plan_day
from tests.conftest import client_for, login
from tests.field.fixtures_route import *  # noqa: F403 (the fixtures)
from tests.field.fixtures_route import DAY

URL = "/api/v1/field/plans"


def test_plan_read_accept_through_the_api(
    field_leo, as_alice, acme_ticket, globex_ticket, visit_at
):
    a = visit_at(acme_ticket, 9, 10)
    visit_at(globex_ticket, 13, 15)
    response = as_alice.post(URL, {"day": DAY.isoformat()})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "proposed" and body["day"] == DAY.isoformat()
    (route,) = body["routes"]
    assert route["technician"]["name"] == "Leo Field"
    assert [s["position"] for s in route["stops"]] == [1, 2]
    assert route["stops"][0]["visit"] == a.public_id
    assert route["stops"][0]["ticket"] == acme_ticket.number
    assert body["unassigned"] == [] and body["total_travel_minutes"] > 0

    plan_id = body["public_id"]
    assert as_alice.get(f"{URL}/{plan_id}").json()["public_id"] == plan_id
    assert [p["public_id"] for p in as_alice.get(URL).json()["items"]] == [plan_id]
    accepted = as_alice.post(f"{URL}/{plan_id}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert Visit.objects.get(pk=a.pk).status == VisitStatus.SCHEDULED
    again = as_alice.post(f"{URL}/{plan_id}/discard")
    assert again.status_code == 409 and "accepted already" in again.json()["detail"]


def test_discard_through_the_api(field_leo, as_alice, alice, acme_ticket, visit_at):
    visit_at(acme_ticket, 9, 10)
    plan = plan_day(alice, DAY)
    response = as_alice.post(f"{URL}/{plan.public_id}/discard")
    assert response.status_code == 200 and response.json()["status"] == "discarded"


def test_a_refused_acceptance_is_a_409_naming_the_visit(
    field_leo, as_alice, alice, acme, acme_ticket, visit_at
):
    visit = visit_at(acme_ticket, 9, 10)
    plan = plan_day(alice, DAY)
    clear(field_leo, acme, "revoked")  # noqa: F405 (from the fixtures)
    response = as_alice.post(f"{URL}/{plan.public_id}/accept")
    assert response.status_code == 409
    assert visit.public_id in response.json()["detail"]
    assert response.json()["field"] == "technician"
    plan.refresh_from_db()
    assert plan.status == RoutePlanStatus.PROPOSED


def test_bad_input_names_the_field(as_alice):
    response = as_alice.post(URL, {"day": "not a day"})
    assert response.status_code == 422 and response.json()["field"] == "day"
    response = as_alice.post(URL, {})
    assert response.status_code == 422 and response.json()["field"] == "day"
    assert as_alice.get(f"{URL}/nope").status_code == 404


def test_customers_get_403(as_carol, alice, field_leo, acme_ticket, visit_at):
    visit_at(acme_ticket, 9, 10)
    plan = plan_day(alice, DAY)
    assert as_carol.get(URL).status_code == 403
    assert as_carol.post(URL, {"day": DAY.isoformat()}).status_code == 403
    assert as_carol.get(f"{URL}/{plan.public_id}").status_code == 403
    assert as_carol.post(f"{URL}/{plan.public_id}/accept").status_code == 403


def test_an_agent_serving_only_acme_never_plans_or_sees_globex(
    field_leo, acme_agent, alice, acme_ticket, globex_ticket, visit_at
):
    mine = visit_at(acme_ticket, 9, 10)
    theirs = visit_at(globex_ticket, 13, 15)
    api = client_for(acme_agent)
    body = api.post(URL, {"day": DAY.isoformat()}).json()
    planned = {s["visit"] for r in body["routes"] for s in r["stops"]}
    planned |= {u["visit"] for u in body["unassigned"]}
    assert mine.public_id in planned and theirs.public_id not in planned
    assert RoutePlan.objects.get(public_id=body["public_id"]).params["clients"] == [
        acme_ticket.organization_id
    ]
    # Alice serves everyone: her plan considered Globex's visit too, so Ann may not see it.
    wide = plan_day(alice, DAY)
    assert api.get(f"{URL}/{wide.public_id}").status_code == 404
    assert api.post(f"{URL}/{wide.public_id}/accept").status_code == 404
    assert api.post(f"{URL}/{wide.public_id}/discard").status_code == 404
    assert [p["public_id"] for p in api.get(URL).json()["items"]] == [body["public_id"]]
    # ... and the pages say the same.
    page = login(acme_agent)
    assert page.get(f"/field/plans/{wide.public_id}/").status_code == 404
    assert page.post(f"/field/plans/{wide.public_id}/accept/").status_code == 404
    listing = page.get("/field/plans/").content.decode()
    assert wide.public_id not in listing and body["public_id"] in listing
    wide.refresh_from_db()
    assert wide.status == RoutePlanStatus.PROPOSED


def test_the_pages_plan_show_accept_and_discard(
    field_leo, alice, acme_ticket, globex_ticket, visit_at
):
    visit_at(acme_ticket, 9, 10)
    visit_at(globex_ticket, 19, 21)  # outside Leo's shift: not assigned, with the reason
    page = login(alice)
    assert page.get("/field/plans/").status_code == 200
    response = page.post("/field/plans/", {"day": DAY.isoformat()})
    assert response.status_code == 302
    plan = RoutePlan.objects.get()
    shown = page.get(response["Location"]).content.decode()
    assert "Leo Field" in shown and acme_ticket.number in shown
    assert "reach it and finish within their shift" in shown
    assert "Accept: schedule every stop" in shown
    done = page.post(f"/field/plans/{plan.public_id}/accept/", follow=True).content.decode()
    assert "Plan accepted" in done
    plan.refresh_from_db()
    assert plan.status == RoutePlanStatus.ACCEPTED
    refused = page.post(f"/field/plans/{plan.public_id}/discard/", follow=True)
    assert "accepted already" in refused.content.decode()


def test_the_page_form_refuses_a_bad_day(alice, db):
    response = login(alice).post("/field/plans/", {"day": "31/31/2027"})
    assert response.status_code == 422
    assert "Enter a valid date" in response.content.decode()


def test_customers_never_reach_the_pages(carol, alice, field_leo, acme_ticket, visit_at):
    visit_at(acme_ticket, 9, 10)
    plan = plan_day(alice, DAY)
    page = login(carol)
    assert page.get("/field/plans/").status_code == 302
    assert page.get(f"/field/plans/{plan.public_id}/").status_code == 302
    assert page.post(f"/field/plans/{plan.public_id}/accept/").status_code == 403


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_far_off_days_are_a_4xx_naming_the_day(as_alice, alice, day):
    response = as_alice.post(URL, {"day": day})
    assert response.status_code in (400, 422), response.content
    assert response.json()["field"] == "day"
    page = login(alice).post("/field/plans/", {"day": day})
    assert page.status_code == 422
    assert "the day must be from 1900-01-01 to 2999-12-31" in page.content.decode()
    assert not RoutePlan.objects.exists()


def test_the_page_offers_today_in_the_viewers_zone(alice):
    """At 23:30 UTC on 9 March it is already 10 March in Auckland, still 9 March in UTC."""
    page = login(alice)
    with clock.frozen(datetime(2027, 3, 9, 23, 30, tzinfo=UTC)):
        assert 'value="2027-03-09"' in page.get("/field/plans/").content.decode()
        alice.timezone = "Pacific/Auckland"
        alice.save(update_fields=["timezone"])
        assert 'value="2027-03-10"' in page.get("/field/plans/").content.decode()


def test_the_list_is_a_filtered_query_paged_newest_first(
    field_leo, acme_agent, alice, acme_ticket, globex_ticket, visit_at
):
    """Ann (Acme only) sees her own plans and the Acme-only ones, never one that considered
    Globex; the list pages through the database."""
    visit_at(acme_ticket, 9, 10)
    ann = [plan_day(acme_agent, DAY) for _ in range(3)]
    visit_at(globex_ticket, 13, 15)
    wide = plan_day(alice, DAY)  # Acme and Globex
    api = client_for(acme_agent)
    first = api.get(URL, {"limit": 2}).json()
    assert [p["public_id"] for p in first["items"]] == [ann[2].public_id, ann[1].public_id]
    assert first["next"]
    second = api.get(first["next"]).json()
    assert [p["public_id"] for p in second["items"]] == [ann[0].public_id]
    assert second["next"] is None
    everyone = [p["public_id"] for p in client_for(alice).get(URL).json()["items"]]
    assert everyone == [wide.public_id, *(p.public_id for p in reversed(ann))]
    # A plan whose clients are Acme and an id that merely starts with Acme's is not Ann's.
    fake = RoutePlan.objects.create(
        day=DAY, params={"clients": [acme_ticket.organization_id * 10 + 1]}
    )
    listed = {p["public_id"] for p in api.get(URL, {"limit": 100}).json()["items"]}
    assert listed == {p.public_id for p in ann}
    assert fake.public_id not in listed and wide.public_id not in listed

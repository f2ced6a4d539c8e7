"""The page, the heat map, the CSV and the API: who may see them (administrators and team
leads; customers and other agents 403), what they show, and bad input."""

import csv
import io
import re

from django.urls import reverse

from deskside.core import clock

from .conftest import END, START, ny

QUERY = {"start": START.isoformat(), "end": END.isoformat()}
BODY = {"team": "help-desk-l1", "start": START.isoformat(), "end": END.isoformat()}


def frozen():
    return clock.frozen(ny(2026, 1, 21, 12, 0))


def test_the_page_for_an_administrator(signed_in, admin, helpdesk, history):
    with frozen():
        response = signed_in(admin).get(reverse("staffing:index"), {**QUERY, "team": helpdesk.slug})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Help Desk L1: 5 Jan 2026 – 18 Jan 2026" in page
    assert "6 tickets; times in America/New_York." in page
    assert "Busiest hour: Mon 09:00, 2.5 arrivals, 2 agents (3 to roster)." in page
    assert 'src="/staffing/heatmap.svg?' in page
    assert 'href="/staffing/export.csv?' in page
    assert "The roster of the coming week" in page
    assert "<td>480 s</td><td>logged calls</td>" in page
    assert "staffing-scope" not in page


def test_the_page_opens_with_defaults_and_the_whole_desk(signed_in, admin, history):
    with clock.frozen(ny(2026, 1, 21, 12, 0)):
        page = signed_in(admin).get(reverse("staffing:index")).content.decode()
    # The twelve weeks up to yesterday: Thursday 29 October 2025 to Tuesday 20 January.
    assert "Whole desk: 29 Oct 2025 – 20 Jan 2026" in page
    assert "8 tickets" in page


def test_a_lead_sees_their_team_only(signed_in, lead, helpdesk, network_team, history):
    client = signed_in(lead)
    with frozen():
        page = client.get(reverse("staffing:index"), QUERY).content.decode()
        assert "Help Desk L1: 5 Jan 2026" in page
        assert "Whole desk" not in page
        other = client.get(reverse("staffing:index"), {**QUERY, "team": network_team.slug})
    assert other.status_code == 400
    assert "Select a valid choice" in other.content.decode()


def test_customers_and_agents_without_the_role_get_403(signed_in, carol, alice, history):
    for user in (carol, alice):
        client = signed_in(user)
        for name in ("staffing:index", "staffing:heatmap", "staffing:export"):
            assert client.get(reverse(name), QUERY).status_code == 403, (user, name)


def test_anonymous_visitors_sign_in_first(client):
    response = client.get(reverse("staffing:index"))
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_a_restricted_agent_sees_the_load_of_their_clients(
    signed_in, admin_serving, acme, helpdesk, history
):
    restricted = admin_serving(acme, email="ra@msp.example")
    with frozen():
        page = signed_in(restricted).get(
            reverse("staffing:index"), {**QUERY, "team": helpdesk.slug}
        )
    html = page.content.decode()
    assert "5 tickets" in html
    assert "Counted over the clients you serve only" in html


def test_bad_input_is_a_form_error(signed_in, admin, history):
    client = signed_in(admin)
    response = client.get(reverse("staffing:index"), {"start": "2026-02-01", "end": "2026-01-01"})
    assert response.status_code == 400
    assert "The range ends before it starts." in response.content.decode()
    assert client.get(reverse("staffing:export"), {"start": "x"}).status_code == 400
    assert client.get(reverse("staffing:heatmap"), {"shrinkage": "95"}).status_code == 400


def test_the_csv_export(signed_in, admin, helpdesk, history):
    with frozen():
        response = signed_in(admin).get(
            reverse("staffing:export"), {**QUERY, "team": helpdesk.slug}
        )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "staffing-help-desk-l1-20260105-20260118.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 168
    monday_9 = rows[9]
    assert (monday_9["weekday"], monday_9["hour"], monday_9["arrivals_per_hour"]) == (
        "Mon",
        "09:00",
        "2.5",
    )
    assert (monday_9["agents"], monday_9["agents_rostered"]) == ("2", "3")
    assert (monday_9["staffed_in_roster"], monday_9["difference"]) == ("1", "-2")


def test_the_heat_map_is_an_svg_without_script_or_outside_links(signed_in, admin, history):
    response = signed_in(admin).get(reverse("staffing:heatmap"), QUERY)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert "<svg" in svg and "Mon" in svg and "Sun" in svg
    assert "<script" not in svg.lower()
    # The only URLs are XML namespace names, never something a browser would fetch.
    urls = set(re.findall(r"https?://[^\"' )]+", svg))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls
    policy = response["Content-Security-Policy"]
    assert "script-src 'none'" in policy
    assert "default-src 'none'" in policy


def test_api_calculate(as_admin, helpdesk, history):
    with frozen():
        response = as_admin.post("/api/v1/staffing/calculate", BODY)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["team"], data["timezone"], data["tickets"], data["partial"]) == (
        "help-desk-l1",
        "America/New_York",
        6,
        False,
    )
    assert len(data["hours"]) == 168
    assert data["hours"][9]["arrivals"] == 2.5
    assert data["hours"][9]["difference"] == -2
    assert {(c["code"], c["weekday"], c["people"]) for c in data["cover"]} == {
        ("D", 0, 3),
        ("D", 1, 2),
    }
    assert data["shift_source"] == "roster"
    assert len(data["slots"]) == 14


def test_api_calculate_bad_input_and_tenancy(
    api_as, as_admin, carol, alice, lead, network_team, history
):
    bad = as_admin.post("/api/v1/staffing/calculate", {**BODY, "service_level": 1.5})
    assert bad.status_code == 400
    assert bad.json()["field"] == "service_level"
    unknown = as_admin.post("/api/v1/staffing/calculate", {**BODY, "team": "nope"})
    assert (unknown.status_code, unknown.json()["field"]) == (400, "team")
    for user in (carol, alice):
        assert api_as(user).post("/api/v1/staffing/calculate", BODY).status_code == 403
        assert api_as(user).post("/api/v1/staffing/erlang", {"cases": []}).status_code == 403
    as_lead = api_as(lead)
    assert as_lead.post("/api/v1/staffing/calculate", BODY).status_code == 200
    other = as_lead.post("/api/v1/staffing/calculate", {**BODY, "team": network_team.slug})
    assert (other.status_code, other.json()["field"]) == (400, "team")
    desk = as_lead.post("/api/v1/staffing/calculate", {**BODY, "team": None})
    assert (desk.status_code, desk.json()["field"]) == (400, "team")


def test_api_erlang_cases(as_admin):
    case = {"calls": 100, "period_minutes": 30, "aht_seconds": 180, "service_level": 0.8}
    response = as_admin.post("/api/v1/staffing/erlang", {"cases": [case]})
    assert response.status_code == 200
    assert response.json()["cases"][0]["result"]["agents"] == 14
    bad = as_admin.post("/api/v1/staffing/erlang", {"cases": [{**case, "calls": -1}]})
    assert bad.status_code == 400
    assert bad.json()["detail"] == "cases[0].calls: must be 0 or more"
    assert bad.json()["field"] == "calls"

"""The report pages, the chart, the CSV and the API: agents only, tenancy by the clients an
agent serves, customers refused, bad input a clear 400."""

import csv
import io

import pytest

from deskside.reports.queries import REPORTS
from tests.conftest import client_for, login

from .conftest import QUERY

pytestmark = pytest.mark.django_db


def test_index_lists_every_report(alice):
    page = login(alice).get("/reports/")
    assert page.status_code == 200
    for name in REPORTS:
        assert f"/reports/{name}/" in page.content.decode()


def test_index_lists_the_satisfaction_report(alice):
    page = login(alice).get("/reports/")
    html = page.content.decode()
    assert '<a href="/surveys/">Customer satisfaction</a>' in html
    assert login(alice).get("/surveys/").status_code == 200


def test_escalation_rates_per_tier_in_csv_and_api(desk, now, alice):
    exported = login(alice).get("/reports/escalations/export.csv", QUERY)
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0][4:] == [
        "Handled at L1",
        "From L1",
        "L1 escalation rate %",
        "Reached L2",
        "From L2",
        "L2 escalation rate %",
    ]
    assert rows[-1] == ["All types", "4", "1", "25.0", "4", "1", "25.0", "1", "0", "0.0"]
    body = client_for(alice).get("/api/v1/reports/escalations", QUERY).json()
    assert body["totals"]["L1 escalation rate %"] == 25.0
    assert body["totals"]["L2 escalation rate %"] == 0.0
    assert body["rows"][0]["Handled at L1"] == 3 and body["rows"][0]["From L1"] == 1


@pytest.mark.parametrize("name", list(REPORTS))
def test_each_report_page_has_chart_table_and_csv(desk, now, alice, name):
    client = login(alice)
    page = client.get(f"/reports/{name}/", QUERY)
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/reports/{name}/chart.svg?" in html and "<table" in html
    svg = client.get(f"/reports/{name}/chart.svg", QUERY)
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    body = svg.content.decode()
    assert "<svg" in body and "<script" not in body and "http://kozea" not in body
    exported = client.get(f"/reports/{name}/export.csv", QUERY)
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0] == page.context["report"].columns


def test_counts_link_to_the_queue(desk, now, alice):
    html = login(alice).get("/reports/volume/", QUERY).content.decode()
    assert "/tickets/?queue=all&amp;created_after=" in html


def test_customer_is_sent_away_from_the_pages(desk, now, carol):
    assert login(carol).get("/reports/volume/", QUERY).status_code == 302


def test_bad_range_is_a_clear_error(desk, now, alice):
    page = login(alice).get("/reports/volume/", {"from": "2026-03-09", "to": "2026-03-01"})
    assert page.status_code == 400
    assert "The last day is before the first." in page.content.decode()
    answer = client_for(alice).get("/api/v1/reports/volume?from=2026-03-09&to=2026-03-01")
    assert answer.status_code == 400 and answer.json()["field"] == "to"
    answer = client_for(alice).get("/api/v1/reports/volume?from=yesterday")
    assert answer.status_code == 400 and answer.json()["field"] == "from"


def test_api_report_as_json(desk, now, alice):
    answer = client_for(alice).get("/api/v1/reports/sla", QUERY)
    assert answer.status_code == 200
    body = answer.json()
    assert body["timezone"] == "America/New_York" and body["start"] == "2026-03-02"
    assert body["totals"]["Tickets"] == 4
    assert [r["Client"] for r in body["rows"]] == ["Acme Corp", "Globex"]
    assert client_for(alice).get("/api/v1/reports/nope").status_code == 404
    assert len(client_for(alice).get("/api/v1/reports").json()) == len(REPORTS)


def test_api_refuses_customers(desk, now, carol, olivia):
    for user in (carol, olivia):
        assert client_for(user).get("/api/v1/reports/volume", QUERY).status_code == 403
        assert client_for(user).get("/api/v1/reports").status_code == 403


def test_agent_serving_one_client_sees_only_that_client(desk, now, admin_serving, globex):
    agent = admin_serving(globex, email="gina@msp.example")
    agent.timezone = "America/New_York"
    agent.save()
    api = client_for(agent)
    for name in REPORTS:
        body = api.get(f"/api/v1/reports/{name}", QUERY).json()
        text = str(body["rows"]) + str(body["totals"])
        assert "Acme" not in text, name
    assert api.get("/api/v1/reports/volume", QUERY).json()["totals"]["Total"] == 1
    refused = api.get("/api/v1/reports/volume", {**QUERY, "client": "acme"})
    assert refused.status_code == 400 and refused.json()["field"] == "client"
    page = login(agent).get("/reports/volume/", {**QUERY, "by": "client"})
    assert "Acme" not in page.content.decode()


def test_queue_page_keeps_the_report_filters(desk, now, alice):
    page = login(alice).get("/tickets/", {"queue": "all", "flag": "escalated", "type": "incident"})
    html = page.content.decode()
    assert page.status_code == 200
    assert desk["t2"].number in html and desk["t1"].number not in html
    assert 'type="hidden" name="flag" value="escalated"' in html


@pytest.mark.parametrize("name", list(REPORTS))
def test_each_report_is_a_few_queries(desk, now, alice, name, django_assert_max_num_queries):
    api = client_for(alice)
    with django_assert_max_num_queries(8):  # auth (token, user), the report's 1-3 aggregates
        assert api.get(f"/api/v1/reports/{name}", QUERY).status_code == 200

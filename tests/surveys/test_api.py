"""/api/v1/surveys: agents' lists and report, a customer's own surveys only, the answer by a
signed token without authentication, follow-ups; tenancy at each endpoint."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.core import clock
from deskside.surveys import links, services
from deskside.surveys.models import FollowUp
from tests.conftest import ApiClient, client_for
from tests.surveys.conftest import RESOLVED


@pytest.fixture
def two(network_ticket, globex_ticket, resolve):
    return resolve(network_ticket), resolve(globex_ticket)


def test_agents_list_the_clients_they_serve(two, admin, admin_serving, globex):
    acme_survey, globex_survey = two
    items = client_for(admin).get("/api/v1/surveys").json()["items"]
    assert {i["id"] for i in items} == {acme_survey.public_id, globex_survey.public_id}
    other = admin_serving(globex, email="g@msp.example")
    items = client_for(other).get("/api/v1/surveys").json()["items"]
    assert [i["id"] for i in items] == [globex_survey.public_id]


def test_a_customer_lists_only_their_own(two, carol, dave, olivia):
    acme_survey, globex_survey = two
    assert [i["id"] for i in client_for(carol).get("/api/v1/surveys").json()["items"]] == [
        acme_survey.public_id
    ]
    assert [i["id"] for i in client_for(dave).get("/api/v1/surveys").json()["items"]] == [
        globex_survey.public_id
    ]
    assert client_for(olivia).get("/api/v1/surveys").json()["items"] == []


def test_report_for_agents_only(two, admin, carol):
    with clock.frozen(RESOLVED):
        services.answer_survey(survey=two[0], rating="good", via="link")
    response = client_for(admin).get(
        "/api/v1/surveys/report?by=client&start=2026-03-01&end=2026-03-31"
    )
    assert response.status_code == 200
    body = response.json()
    rows = {r["key"]: r for r in body["rows"]}
    assert rows["acme"]["csat"] == 100.0 and rows["globex"]["answered"] == 0
    assert body["total"]["sent"] == 2 and body["total"]["response_rate"] == 50.0
    assert (
        client_for(carol).get("/api/v1/surveys/report?start=2026-03-01&end=2026-03-31").status_code
        == 403
    )
    bad = client_for(admin).get("/api/v1/surveys/report?start=2026-03-31&end=2026-03-01")
    assert bad.status_code == 422 and bad.json()["field"] == "end"
    unknown = client_for(admin).get(
        "/api/v1/surveys/report?start=2026-03-01&end=2026-03-02&client=nope"
    )
    assert unknown.status_code == 422 and unknown.json()["field"] == "client"


def test_answer_by_token_without_authentication(two):
    survey = two[0]
    anonymous = ApiClient()
    token = links.token_for(survey.public_id)
    with clock.frozen(RESOLVED + timedelta(hours=1)):
        response = anonymous.post("/api/v1/surveys/answer", {"token": token, "rating": "bad"})
        assert response.status_code == 200 and response.json()["rating"] == "bad"
        again = anonymous.post("/api/v1/surveys/answer", {"token": token, "rating": "good"})
        assert again.status_code == 409
        forged = anonymous.post(
            "/api/v1/surveys/answer", {"token": token[:-2] + "xx", "rating": "good"}
        )
        assert forged.status_code == 400 and forged.json()["field"] == "token"
        invalid = anonymous.post("/api/v1/surveys/answer", {"token": token, "rating": "great"})
        assert invalid.status_code == 422
    with clock.frozen(RESOLVED + timedelta(days=40)):
        late = anonymous.post(
            "/api/v1/surveys/answer",
            {"token": links.token_for(two[1].public_id), "rating": "good"},
        )
    assert late.status_code == 410


def test_the_requester_answers_their_own(two, carol, dave, olivia):
    acme_survey = two[0]
    with clock.frozen(RESOLVED):
        assert (
            client_for(dave)
            .post(f"/api/v1/surveys/{acme_survey.public_id}/answer", {"rating": "bad"})
            .status_code
            == 404
        )
        assert (
            client_for(olivia)
            .post(f"/api/v1/surveys/{acme_survey.public_id}/answer", {"rating": "bad"})
            .status_code
            == 404
        )
        ok = client_for(carol).post(
            f"/api/v1/surveys/{acme_survey.public_id}/answer", {"rating": "okay"}
        )
    assert ok.status_code == 200
    acme_survey.refresh_from_db()
    assert acme_survey.via == "api"


def test_follow_ups(two, tara, admin_serving, globex, carol):
    with clock.frozen(RESOLVED):
        services.answer_survey(survey=two[0], rating="bad", comment="slow", via="link")
    follow_up = FollowUp.objects.get()
    items = client_for(tara).get("/api/v1/surveys/follow-ups").json()["items"]
    assert items[0]["id"] == follow_up.public_id and items[0]["comment"] == "slow"
    assert items[0]["lead"]["public_id"] == tara.public_id
    other = admin_serving(globex, email="g@msp.example")
    assert client_for(other).get("/api/v1/surveys/follow-ups").json()["items"] == []
    url = f"/api/v1/surveys/follow-ups/{follow_up.public_id}/done"
    assert client_for(other).post(url, {"note": "x"}).status_code == 404
    assert client_for(carol).get("/api/v1/surveys/follow-ups").status_code == 403
    assert client_for(tara).post(url, {"note": " "}).status_code == 422
    with clock.frozen(datetime(2026, 3, 11, tzinfo=UTC)):
        done = client_for(tara).post(url, {"note": "Called back"})
    assert done.status_code == 200 and done.json()["done_by"]["public_id"] == tara.public_id
    assert client_for(tara).post(url, {"note": "again"}).status_code == 409


def test_the_lists_do_not_query_per_row(
    make_ticket, carol, network_team, tara, resolve, admin, django_assert_max_num_queries
):
    for i in range(6):
        with clock.frozen(RESOLVED - timedelta(days=1)):
            ticket = make_ticket(carol, team=network_team, assignee=tara, subject=f"Issue {i}")
        survey = resolve(ticket, at=RESOLVED + timedelta(minutes=i))
        with clock.frozen(RESOLVED + timedelta(hours=1)):
            services.answer_survey(survey=survey, rating="bad", comment=f"c{i}", via="link")
    api = client_for(admin)
    with django_assert_max_num_queries(6):
        assert len(api.get("/api/v1/surveys").json()["items"]) == 6
    with django_assert_max_num_queries(6):
        assert len(api.get("/api/v1/surveys/follow-ups").json()["items"]) == 6

"""/api/v1/support-duty: read every team's duty and one team's with its hand-offs, set it with
PUT (the lead or an administrator), customers refused, bad input a 4xx naming the field."""

from datetime import UTC, date, datetime

import pytest

from deskside.core import clock
from deskside.rosters.models import SupportDuty
from tests.conftest import client_for
from tests.rosters.supportduty_fixtures import *  # noqa: F403 (the fixtures)

NOW = datetime(2026, 11, 4, 15, tzinfo=UTC)  # Wednesday 10:00 in New York
URL = "/api/v1/support-duty"


def put(client, path, body):
    return client.put(path, body, content_type="application/json")


@pytest.fixture
def rotation(set_duty, alice, bea, cid):
    duty = set_duty("rotational", [alice, bea, cid], period="daily", starts_on=date(2026, 10, 28))
    clock.set_now(NOW)
    return duty


def test_the_list_names_each_team_s_mode_and_who_is_on_duty(rotation, leo, helpdesk):
    answer = client_for(leo).get(URL)
    assert answer.status_code == 200
    rows = {row["team"]["slug"]: row for row in answer.json()}
    assert rows["internal-it"]["mode"] == "rotational"
    assert [p["email"] for p in rows["internal-it"]["on_duty"]] == ["bea@msp.example"]
    assert rows["help-desk-l1"] == {
        "team": {"slug": "help-desk-l1", "name": "Help Desk L1"},
        "mode": "everyone",
        "on_duty": [],
    }


def test_one_team_with_its_hand_offs(rotation, leo, alice, bea, cid):
    body = client_for(leo).get(f"{URL}/internal-it").json()
    assert (body["mode"], body["period"], body["handoff_time"], body["timezone"]) == (
        "rotational",
        "daily",
        "09:00",
        "America/New_York",
    )
    assert body["starts_on"] == "2026-10-28"
    assert [p["email"] for p in body["members"]] == [alice.email, bea.email, cid.email]
    assert [p["email"] for p in body["on_duty"]] == [bea.email]
    first = body["handoffs"][0]
    assert first["at"].startswith("2026-11-04T14:00")  # today's, 09:00 EST
    assert [p["email"] for p in first["incoming"]] == [bea.email]
    assert first["away"] == []
    assert len(body["handoffs"]) == 7
    # `at`: who is on duty then (Thursday after the 09:00 hand-off: Cid).
    later = client_for(leo).get(f"{URL}/internal-it", {"at": "2026-11-05T14:30:00Z"}).json()
    assert [p["email"] for p in later["on_duty"]] == [cid.email]
    # Without an offset, `at` is in the caller's zone: 09:30 in New York is 14:30 UTC (Cid).
    bea.timezone = "America/New_York"
    bea.save(update_fields=["timezone"])
    local = client_for(bea).get(f"{URL}/internal-it", {"at": "2026-11-05T09:30:00"}).json()
    assert [p["email"] for p in local["on_duty"]] == [cid.email]
    utc_reader = client_for(leo).get(f"{URL}/internal-it", {"at": "2026-11-05T09:30:00"}).json()
    assert [p["email"] for p in utc_reader["on_duty"]] == [bea.email]  # 09:30 UTC: still Bea


def test_the_lead_sets_the_duty(rotation, alice, bea, cid, it_team):
    answer = put(
        client_for(alice),
        f"{URL}/internal-it",
        {
            "mode": "rotational",
            "members": [cid.email, bea.public_id],
            "period": "weekly",
            "handoff_time": "08:00",
            "timezone": "Europe/Berlin",
            "starts_on": "2026-11-02",
        },
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert [p["email"] for p in body["members"]] == [cid.email, bea.email]
    assert body["period"] == "weekly" and body["timezone"] == "Europe/Berlin"
    # Monday 2 November 08:00 Berlin: Cid's week, then Bea's from 9 November.
    assert [p["email"] for p in body["on_duty"]] == [cid.email]
    assert body["handoffs"][0]["at"].startswith("2026-11-09T07:00")
    assert SupportDuty.objects.get(team=it_team).handoff_time == "08:00"


def test_other_agents_and_customers_are_refused(rotation, bea, tara, carol, dave):
    body = {"mode": "everyone"}
    for agent in (bea, tara):
        answer = put(client_for(agent), f"{URL}/internal-it", body)
        assert answer.status_code == 403 and answer.json()["detail"]
    for customer in (carol, dave):
        client = client_for(customer)
        assert client.get(URL).status_code == 403
        assert client.get(f"{URL}/internal-it").status_code == 403
        assert put(client, f"{URL}/internal-it", body).status_code == 403
    assert SupportDuty.objects.get().mode == "rotational"


def test_bad_input_is_a_4xx_naming_the_field(rotation, admin, leo):
    client = client_for(admin)
    cases = [
        ({"mode": "often"}, 422, "mode"),
        ({"mode": "fixed", "members": ["nobody@msp.example"]}, 422, "members.0"),
        ({"mode": "fixed", "members": [leo.email]}, 422, "members"),
        ({"mode": "rotational", "members": [], "period": "daily"}, 422, "members"),
        ({"mode": "everyone", "handoff_time": "24:30"}, 422, "handoff_time"),
        ({"mode": "everyone", "timezone": "Nowhere/Land"}, 422, "timezone"),
        ({"mode": "everyone", "starts_on": "not a date"}, 422, "starts_on"),
    ]
    for body, status, field in cases:
        answer = put(client, f"{URL}/internal-it", body)
        assert (answer.status_code, answer.json()["field"]) == (status, field), body
    assert client.get(f"{URL}/nope").status_code == 404
    assert put(client, f"{URL}/nope", {"mode": "everyone"}).status_code == 404
    assert SupportDuty.objects.get().mode == "rotational"


def test_anonymous_callers_get_401(rotation, anon):
    assert anon.get(URL).status_code == 401

"""The on-call API: agents read schedules, who is on call, shifts and the report, add and
remove overrides, propose and decide swaps; customers get 403; bad input is a 4xx naming the
field."""

from datetime import datetime

import pytest

from deskside.core import clock
from deskside.duty.models import Override, Swap
from tests.conftest import ApiClient, client_for
from tests.duty.conftest import BERLIN

API = "/api/v1"
NOW = datetime(2026, 3, 4, 12, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen(NOW):
        yield


def test_list_and_detail(weekly, as_alice, alice):
    listed = as_alice.get(f"{API}/schedules")
    assert listed.status_code == 200
    assert [s["slug"] for s in listed.json()] == ["primary"]
    detail = as_alice.get(f"{API}/schedules/primary").json()
    assert detail["timezone"] == "Europe/Berlin"
    layer = detail["layers"][0]
    assert layer["timezone"] == "Europe/Berlin" and layer["shift_unit"] == "weeks"
    assert [m["user"]["email"] for m in layer["members"]] == [
        "alice@msp.example",
        "leo@msp.example",
        "tara@msp.example",
    ]
    assert as_alice.get(f"{API}/schedules/nope").status_code == 404


def test_who_is_on_call_now_and_at(weekly, as_alice):
    now = as_alice.get(f"{API}/schedules/primary/oncall").json()
    assert now["user"]["email"] == "alice@msp.example"
    assert now["shift"]["start"].startswith("2026-03-02T08:00:00")
    assert now["shift"]["end"].startswith("2026-03-09T08:00:00")
    at = as_alice.get(f"{API}/schedules/primary/oncall", {"at": "2026-03-10T12:00:00+01:00"}).json()
    assert at["user"]["email"] == "leo@msp.example"
    naive = as_alice.get(f"{API}/schedules/primary/oncall", {"at": "2026-03-16T08:59"}).json()
    assert naive["user"]["email"] == "leo@msp.example"  # read in Berlin: before the hand-off
    before = as_alice.get(f"{API}/schedules/primary/oncall", {"at": "2026-03-01T12:00Z"}).json()
    assert before["user"] is None and before["shift"] is None
    everywhere = as_alice.get(f"{API}/oncall").json()
    assert everywhere[0]["user"]["email"] == "alice@msp.example"
    assert everywhere[0]["next_user"]["email"] == "leo@msp.example"
    assert everywhere[0]["until"].startswith("2026-03-09T08:00:00")


def test_shifts_and_report(weekly, as_alice):
    shifts = as_alice.get(
        f"{API}/schedules/primary/shifts", {"start": "2026-03-02", "end": "2026-03-23"}
    ).json()
    assert [s["user"]["email"][:3] for s in shifts] == ["ali", "leo", "tar"]
    assert shifts[0]["start"].startswith("2026-03-02T08:00:00")  # nobody before the layer
    assert shifts[-1]["end"].startswith("2026-03-22T23:00:00")  # cut at the period's end
    assert {s["source"] for s in shifts} == {"layer"}
    report = as_alice.get(
        f"{API}/schedules/primary/report",
        {"start": "2026-03-01T00:00Z", "end": "2026-03-16T08:00Z"},
    ).json()
    assert report["gap_hours"] == 32  # 1 March 00:00 UTC to the first hand-off at 08:00 next day
    assert (
        report["gaps"]
        == [{"start": "2026-03-01T00:00:00Z", "end": "2026-03-02T08:00:00Z", "hours": 32.0}]
        or report["gaps"][0]["hours"] == 32.0
    )
    assert {r["user"]["email"]: (r["hours"], r["shifts"]) for r in report["hours"]} == {
        "alice@msp.example": (168.0, 1),
        "leo@msp.example": (168.0, 1),
        "tara@msp.example": (0.0, 0),  # a member without hours still counts for fairness
    }


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("shifts", {"start": "2026-03-10", "end": "2026-03-02"}, "end"),
        ("shifts", {"start": "yesterday"}, "start"),
        ("shifts", {"start": "2026-01-01", "end": "2027-06-01"}, "end"),
        ("report", {"start": "2026-03-10T00:00Z", "end": "2026-03-10T00:00Z"}, "end"),
        ("report", {"end": "13/03/2026"}, "end"),
        ("oncall", {"at": "2026-02-30T10:00"}, "at"),
    ],
)
def test_bad_periods_name_the_field(weekly, as_alice, path, params, field):
    response = as_alice.get(f"{API}/schedules/primary/{path}", params)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_overrides_post_and_delete(weekly, as_alice, alice, leo):
    body = {
        "user": "alice@msp.example",
        "starts_at": "2026-03-10T08:00:00+01:00",
        "ends_at": "2026-03-10T20:00:00+01:00",
    }
    created = as_alice.post(f"{API}/schedules/primary/overrides", body)
    assert created.status_code == 201, created.json()
    assert created.json()["user"]["email"] == "alice@msp.example"
    assert (
        as_alice.get(f"{API}/schedules/primary/oncall", {"at": "2026-03-10T12:00+01:00"}).json()[
            "user"
        ]["email"]
        == "alice@msp.example"
    )
    listed = as_alice.get(f"{API}/schedules/primary/overrides").json()
    assert len(listed) == 1
    override_id = created.json()["id"]
    assert as_alice.delete(f"{API}/schedules/primary/overrides/{override_id}").status_code == 204
    assert not Override.objects.exists()
    assert as_alice.delete(f"{API}/schedules/primary/overrides/{override_id}").status_code == 404


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"user": "nobody@msp.example"}, 422, "user"),
        ({"user": "carol@acme.example"}, 422, "user"),  # a customer is no agent
        ({"user": "leo@msp.example"}, 403, "user"),  # Alice may not put Leo on call
        ({"ends_at": "2026-03-10T07:00:00+01:00"}, 422, "ends_at"),
        ({"starts_at": "2026-03-10T08:00:00"}, 422, "starts_at"),  # no offset
        ({"starts_at": "tomorrow"}, 422, "starts_at"),
        ({"ends_at": "2027-06-10T08:00:00+01:00"}, 422, "ends_at"),  # over a year
    ],
)
def test_bad_overrides(weekly, as_alice, carol, leo, change, status, field):
    body = {
        "user": "alice@msp.example",
        "starts_at": "2026-03-10T08:00:00+01:00",
        "ends_at": "2026-03-10T20:00:00+01:00",
        **change,
    }
    response = as_alice.post(f"{API}/schedules/primary/overrides", body)
    assert response.status_code == status, response.json()
    assert response.json()["field"] == field


def test_swaps_propose_accept_decline(weekly, as_alice, alice, leo, tara):
    as_leo, as_tara = client_for(leo), client_for(tara)
    body = {
        "partner": leo.public_id,
        "starts_at": "2026-03-05T00:00:00+01:00",
        "ends_at": "2026-03-06T00:00:00+01:00",
    }
    proposed = as_alice.post(f"{API}/schedules/primary/swaps", body)
    assert proposed.status_code == 201, proposed.json()
    swap_id = proposed.json()["id"]
    assert proposed.json()["status"] == "proposed"
    at = {"at": "2026-03-05T12:00+01:00"}
    assert (
        as_alice.get(f"{API}/schedules/primary/oncall", at).json()["user"]["email"]
        == "alice@msp.example"
    )
    assert as_tara.post(f"{API}/schedules/primary/swaps/{swap_id}/accept").status_code == 403
    accepted = as_leo.post(f"{API}/schedules/primary/swaps/{swap_id}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["decided_by"]["email"] == "leo@msp.example"
    now_on = as_alice.get(f"{API}/schedules/primary/oncall", at).json()
    assert now_on["user"]["email"] == "leo@msp.example" and now_on["shift"]["source"] == "swap"
    assert as_leo.post(f"{API}/schedules/primary/swaps/{swap_id}/decline").status_code == 409
    second = as_alice.post(
        f"{API}/schedules/primary/swaps", {**body, "partner": "tara@msp.example"}
    ).json()
    declined = as_tara.post(f"{API}/schedules/primary/swaps/{second['id']}/decline")
    assert declined.json()["status"] == "declined"
    assert (
        as_alice.post(f"{API}/schedules/primary/swaps/{swap_id}/cancel").json()["status"]
        == "cancelled"
    )
    assert [s["status"] for s in as_alice.get(f"{API}/schedules/primary/swaps").json()] == [
        "cancelled",
        "declined",
    ]
    assert as_alice.post(f"{API}/schedules/primary/swaps/999/accept").status_code == 404
    assert Swap.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"partner": "dora@msp.example"}, "partner"),  # not on the schedule
        ({"partner": "ghost@msp.example"}, "partner"),
        ({"ends_at": "2026-03-04T00:00:00+01:00"}, "ends_at"),
        ({"return_starts_at": "2026-03-12T00:00:00+01:00"}, "return_ends_at"),
    ],
)
def test_bad_swaps(weekly, as_alice, dora, change, field):
    body = {
        "partner": "leo@msp.example",
        "starts_at": "2026-03-05T00:00:00+01:00",
        "ends_at": "2026-03-06T00:00:00+01:00",
        **change,
    }
    response = as_alice.post(f"{API}/schedules/primary/swaps", body)
    assert response.status_code == 422
    assert response.json()["field"] == field


@pytest.mark.parametrize("persona", ["carol", "dave", "olivia"])
def test_customers_get_403_everywhere(weekly, persona, request):
    client = client_for(request.getfixturevalue(persona))
    for path in [
        "/oncall",
        "/schedules",
        "/schedules/primary",
        "/schedules/primary/oncall",
        "/schedules/primary/shifts",
        "/schedules/primary/report",
        "/schedules/primary/overrides",
        "/schedules/primary/swaps",
    ]:
        response = client.get(API + path)
        assert response.status_code == 403, path
        assert "agents" in response.json()["detail"]
    body = {
        "user": "carol@acme.example",
        "starts_at": "2026-03-10T08:00:00Z",
        "ends_at": "2026-03-10T09:00:00Z",
    }
    assert client.post(f"{API}/schedules/primary/overrides", body).status_code == 403
    assert client.post(f"{API}/schedules/primary/swaps/1/accept").status_code == 403


def test_no_token_is_401(weekly):
    assert ApiClient().get(f"{API}/schedules").status_code == 401


def test_list_queries_do_not_grow_with_schedules(
    weekly, make_schedule, make_layer, as_alice, alice, leo, django_assert_max_num_queries
):
    for name in ("Second", "Third", "Fourth"):
        schedule = make_schedule(name)
        make_layer(schedule, [alice, leo], datetime(2026, 3, 2, 9, tzinfo=BERLIN))
    with django_assert_max_num_queries(6):
        assert len(as_alice.get(f"{API}/schedules").json()) == 4
    with django_assert_max_num_queries(8):
        detail = as_alice.get(f"{API}/schedules/primary").json()
    assert len(detail["layers"][0]["members"]) == 3

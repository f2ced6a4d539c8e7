"""The rosters API: rosters, shifts, rota lines and the generator, the week's slots, who works
now, leave, cover candidates and cover (409 naming the rule); customers get 403 everywhere;
bad input is a 4xx naming the field."""

import pytest

from deskside.core import clock
from deskside.rosters.models import Cover, Leave
from tests.conftest import client_for
from tests.rosters.conftest import berlin

API = "/api/v1/rosters"
TEAM = f"{API}/teams/help-desk-l1"


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen(berlin(2026, 3, 4, 9)):
        yield


def test_read_rosters_week_and_who_works(roster, as_alice, crew):
    assert [r["team"]["slug"] for r in as_alice.get(API).json()] == ["help-desk-l1"]
    detail = as_alice.get(TEAM).json()
    assert [s["code"] for s in detail["shifts"]] == ["E", "L", "N"]
    assert detail["cycle_days"] == 28 and len(detail["lines"]) == 4
    assert detail["lines"][0]["pattern"][:7] == ["E"] * 7
    week = as_alice.get(f"{TEAM}/week", {"start": "2026-03-04"}).json()
    assert week["start"].startswith("2026-03-01T23:00:00")  # Monday 00:00 in Berlin
    assert len(week["slots"]) == 21
    assert {s["state"] for s in week["slots"]} == {"minimum"}
    now = as_alice.get(f"{API}/working").json()
    assert [u["email"] for u in now[0]["users"]] == ["ann@msp.example"]
    assert now[0]["next_shift"] == "Late" and now[0]["next_at"].startswith("2026-03-04T13:00")
    at = as_alice.get(f"{API}/working", {"at": "2026-03-04T23:00:00+01:00"}).json()
    assert [u["email"] for u in at[0]["users"]] == ["cat@msp.example"]
    worked = as_alice.get(
        f"{TEAM}/shifts-worked", {"start": "2026-03-04T00:00", "end": "2026-03-05T00:00"}
    ).json()
    assert [(s["code"], s["user"]["email"]) for s in worked][:2] == [
        ("N", "cat@msp.example"),  # the night from Tuesday 22:00
        ("E", "ann@msp.example"),
    ]
    assert as_alice.get(f"{API}/teams/nope").status_code == 404
    bad = as_alice.get(f"{TEAM}/week", {"start": "soon"})
    assert bad.status_code == 422 and bad.json()["field"] == "start"


def test_set_up_through_the_api(as_admin, desktop_team, leo, as_alice):
    created = as_admin.post(
        API,
        {"team": "desktop-support-l2", "timezone": "Europe/Berlin", "cycle_start": "2026-03-02",
         "preset": "business"},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    base = f"{API}/teams/desktop-support-l2"
    assert created.json()["shifts"][0]["days"] == [0, 1, 2, 3, 4]
    added = as_admin.post(
        f"{base}/shifts", {"code": "S", "name": "Sat", "start": "09:00", "end": "13:00",
                           "days": [5]}
    )  # fmt: skip
    assert added.status_code == 201
    line = as_admin.put(
        f"{base}/lines/leo@msp.example",
        {"pattern": ["D", "D", "D", "D", "D", "S", ""]},
        content_type="application/json",
    )
    assert line.status_code == 200 and line.json()["pattern"][5] == "S"
    wrong = as_admin.put(
        f"{base}/lines/leo@msp.example", {"pattern": ["D"]}, content_type="application/json"
    )
    assert wrong.status_code == 422 and wrong.json()["field"] == "pattern"
    patched = as_admin.patch(base, {"rest_hours": 12, "version": 1})
    assert patched.status_code == 200 and patched.json()["rest_hours"] == 12
    stale = as_admin.patch(base, {"rest_hours": 10, "version": 1})
    assert stale.status_code == 409
    assert as_admin.patch(f"{base}/shifts/s", {"min_staff": 2}).json()["min_staff"] == 2
    assert as_admin.delete(f"{base}/shifts/S").status_code == 409  # Leo's line uses it
    assert as_admin.delete(f"{base}/lines/leo@msp.example").status_code == 204
    assert as_admin.delete(f"{base}/shifts/S").status_code == 204
    refused = as_alice.post(f"{base}/shifts", {"code": "X", "name": "X", "start": "1:00",
                                               "end": "2:00"})  # fmt: skip
    assert refused.status_code == 403
    rota = as_admin.post(
        f"{base}/rota", {"users": ["leo@msp.example"], "cycle": ["D"], "unit": "weeks",
                         "workdays": [0, 1, 2, 3, 4]}
    )  # fmt: skip
    assert rota.status_code == 200 and rota.json()["lines"][0]["pattern"] == ["D"] * 5 + [""] * 2
    assert as_admin.delete(base).status_code == 204


def test_leave_candidates_and_cover(roster, crew, hanna, as_alice):
    lead = client_for(hanna)
    leave = lead.post(
        f"{API}/leave",
        {"user": "ann@msp.example", "kind": "sick", "starts_at": "2026-03-05T00:00:00+01:00",
         "ends_at": "2026-03-06T00:00:00+01:00", "reason": "Flu"},
    )  # fmt: skip
    assert leave.status_code == 201
    assert lead.get(f"{API}/leave").json()[0]["reason"] == "Flu"
    assert as_alice.get(f"{API}/leave").json()[0]["reason"] == ""  # not hers to know
    no_reason = lead.post(
        f"{API}/leave", {"user": "ben@msp.example", "starts_at": "2026-03-05T00:00:00Z",
                         "ends_at": "2026-03-06T00:00:00Z", "reason": ""}
    )  # fmt: skip
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    found = as_alice.get(
        f"{TEAM}/candidates", {"code": "E", "starts_at": "2026-03-05T06:00"}
    ).json()
    assert found["slot"]["state"] == "below" and found["slot"]["on_leave"][0]["email"] == (
        "ann@msp.example"
    )
    eligible = [c["user"]["email"] for c in found["candidates"] if c["eligible"]]
    # Alice and Hanna (on the team, no shifts: 8 h that week) before Dan (14 h)
    assert eligible == ["alice@msp.example", "hanna@msp.example", "dan@msp.example"]
    broken = lead.post(
        f"{TEAM}/covers",
        {"user": "ben@msp.example", "code": "E", "starts_at": "2026-03-05T06:00:00+01:00"},
    )
    assert broken.status_code == 409 and "rest rule" in broken.json()["detail"]
    covered = lead.post(
        f"{TEAM}/covers",
        {"user": "dan@msp.example", "code": "E", "starts_at": "2026-03-05T06:00:00+01:00",
         "covers_for": "ann@msp.example", "reason": "sick cover"},
    )  # fmt: skip
    assert covered.status_code == 201 and covered.json()["ends_at"].startswith("2026-03-05T13:00")
    assert [c["user"]["email"] for c in as_alice.get(f"{TEAM}/covers").json()] == [
        "dan@msp.example"
    ]
    assert as_alice.delete(f"{TEAM}/covers/{covered.json()['public_id']}").status_code == 403
    assert lead.delete(f"{TEAM}/covers/{covered.json()['public_id']}").status_code == 204
    assert not Cover.objects.exists()
    assert lead.delete(f"{API}/leave/{leave.json()['public_id']}").status_code == 204
    assert not Leave.objects.exists()


def test_customers_get_403_everywhere(roster, as_carol, crew, admin):
    leave = Leave.objects.create(
        user=crew[0], kind="holiday", starts_at=berlin(2026, 3, 5), ends_at=berlin(2026, 3, 6),
        reason="x", created_by=admin,
    )  # fmt: skip
    reads = [
        API, f"{API}/working", f"{API}/leave", TEAM, f"{TEAM}/week", f"{TEAM}/shifts-worked",
        f"{TEAM}/covers", f"{TEAM}/candidates?code=E&starts_at=2026-03-05T06:00",
    ]  # fmt: skip
    for url in reads:
        assert as_carol.get(url).status_code == 403, url
    writes = [
        ("post", API, {"team": "help-desk-l1"}),
        ("post", f"{API}/leave", {"starts_at": "2026-03-05T00:00Z",
                                  "ends_at": "2026-03-06T00:00Z", "reason": "x", "user": ""}),
        ("delete", f"{API}/leave/{leave.public_id}", None),
        ("patch", TEAM, {"rest_hours": 1}),
        ("delete", TEAM, None),
        ("post", f"{TEAM}/shifts", {"code": "X", "name": "X", "start": "01:00", "end": "02:00"}),
        ("post", f"{TEAM}/covers", {"user": "dan@msp.example", "code": "E",
                                    "starts_at": "2026-03-05T06:00:00+01:00"}),
        ("post", f"{TEAM}/rota", {"users": [], "cycle": []}),
    ]  # fmt: skip
    for method, url, body in writes:
        response = getattr(as_carol, method)(url, body) if body else getattr(as_carol, method)(url)
        assert response.status_code == 403, url
    assert Leave.objects.filter(pk=leave.pk).exists()

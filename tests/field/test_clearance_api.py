"""The clearance API (/api/v1/field/clearance): list, get, change, the backfill; errors as
JSON naming the field; tenancy (agents see the clients they serve; customers get 403)."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.field.models import Clearance
from deskside.rosters import services as rosters
from tests.field.fixtures_clearance import *  # noqa: F403 (the fixtures)
from tests.field.fixtures_clearance import clear

pytestmark = pytest.mark.django_db
BASE = "/api/v1/field/clearance"


@pytest.fixture
def cleared(now, admin, acme, globex, leo):
    clear(leo, acme, admin)
    return clear(leo, globex, admin)


def test_list_and_filter(cleared, as_admin, leo, maria, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        found = as_admin.get(BASE)
    assert found.status_code == 200
    rows = found.json()["items"]
    assert [(r["client"]["slug"], r["technician"]["email"], r["status"]) for r in rows] == [
        ("acme", leo.email, "cleared"),
        ("globex", leo.email, "cleared"),
    ]
    assert rows[0]["shadow_visits_done"] == 0 and rows[0]["signed_off_by"]["email"]
    assert len(as_admin.get(f"{BASE}?client=acme").json()["items"]) == 1
    assert as_admin.get(f"{BASE}?technician={maria.email}").json()["items"] == []
    assert as_admin.get(f"{BASE}?status=shadowing").json()["items"] == []
    bad = as_admin.get(f"{BASE}?status=maybe")
    assert bad.status_code == 422 and bad.json()["field"] == "status"
    assert as_admin.get(f"{BASE}?client=nope").json()["field"] == "client"
    assert as_admin.get(f"{BASE}?technician=nobody").json()["field"] == "technician"


def test_get_and_change(cleared, api_as, leo, maria, acme):
    api = api_as(leo)
    url = f"{BASE}/acme/{maria.public_id}"
    got = api.get(url)
    assert got.status_code == 200 and got.json()["status"] == "not_cleared"
    started = api.post(
        url, {"status": "shadowing", "regular_technician": leo.email, "shadow_visits_required": 1}
    )
    assert started.status_code == 200, started.json()
    body = started.json()
    assert body["status"] == "shadowing" and body["regular_technician"]["email"] == leo.email
    assert [h["to_status"] for h in body["history"]] == ["shadowing"]
    early = api.post(url, {"status": "cleared"})
    assert early.status_code == 409 and early.json()["field"] == "override"
    no_reason = api.post(url, {"status": "revoked"})
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    wrong = api.post(url, {"status": "done"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "status"
    regular = api.post(url, {"status": "shadowing", "regular_technician": "ghost@x.example"})
    assert regular.status_code == 422 and regular.json()["field"] == "regular_technician"
    too_many = api.post(url, {"status": "shadowing", "shadow_visits_required": 99})
    assert too_many.status_code == 422
    self_sign = api_as(maria).post(url, {"status": "cleared"})
    assert self_sign.status_code == 403
    revoked = api.post(url, {"status": "revoked", "note": "Not yet."})
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert api.get(f"{BASE}/acme/nobody").status_code == 404


def test_backfill(cleared, as_admin, admin, leo, acme):
    start = datetime(2026, 12, 10, 5, 0, tzinfo=UTC)
    rosters.record_leave(
        actor=admin,
        user=leo,
        kind="holiday",
        starts_at=start,
        ends_at=start + timedelta(days=1),
        reason="Away",
    )
    got = as_admin.get(f"{BASE}/backfill")
    assert got.status_code == 200
    body = got.json()
    assert body["start"] == "2026-12-09" and body["end"] == "2026-12-22"
    assert [a["technician"]["email"] for a in body["absences"]] == [leo.email]
    assert {f["client"]["slug"] for f in body["flags"]} == {"acme", "globex"}
    # Thursday for both (Leo is away from 06:00 in Berlin); in Berlin he is back on Friday.
    assert {f["day"] for f in body["flags"]} == {"2026-12-10"}
    bad = as_admin.get(f"{BASE}/backfill?start=2026-12-10&end=2026-12-01")
    assert bad.status_code == 422 and bad.json()["field"] == "end"


def test_tenancy(cleared, api_as, as_carol, gil, leo, acme):
    api = api_as(gil)  # serves Globex only
    rows = api.get(BASE).json()["items"]
    assert {r["client"]["slug"] for r in rows} == {"globex"}
    assert api.get(f"{BASE}/acme/{leo.public_id}").status_code == 404
    refused = api.post(f"{BASE}/acme/{leo.public_id}", {"status": "revoked", "note": "x"})
    assert refused.status_code == 404
    assert api.get(f"{BASE}?client=acme").status_code == 422
    for call in (
        as_carol.get(BASE),
        as_carol.get(f"{BASE}/acme/{leo.public_id}"),
        as_carol.post(f"{BASE}/acme/{leo.public_id}", {"status": "revoked", "note": "x"}),
        as_carol.get(f"{BASE}/backfill"),
    ):
        assert call.status_code == 403
    assert Clearance.objects.get(technician=leo, organization=acme).status == "cleared"

"""The API under /api/v1/field/time: entries, timers, timesheets, the report, billing rules;
tenancy (an agent serving only Acme sees none of Globex's time; customers get 403)."""

import pytest

from deskside.field.models import TimeEntry
from deskside.field.services import time as svc
from tests.conftest import client_for
from tests.field.fixtures_time import *  # noqa: F403
from tests.field.fixtures_time import LAST_MONDAY, MONDAY

BASE = "/api/v1/field/time"


def test_log_list_update_delete(leo, acme_ticket, acme_rule):
    api = client_for(leo)
    r = api.post(
        f"{BASE}/entries",
        {"ticket": acme_ticket.number, "date": str(MONDAY), "minutes": 50, "note": "toner"},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["billable"] is True and body["billed_minutes"] == 60
    assert body["amount"] == "120.00" and body["week_start"] == str(MONDAY)
    listed = api.get(f"{BASE}/entries?agent=me").json()["items"]
    assert [e["id"] for e in listed] == [body["id"]]
    r = api.patch(f"{BASE}/entries/{body['id']}", {"minutes": 10, "kind": "travel"})
    assert r.status_code == 200 and r.json()["billable"] is False, r.content
    assert api.delete(f"{BASE}/entries/{body['id']}").status_code == 204
    assert not TimeEntry.objects.exists()


def test_start_and_stop(leo, acme_ticket):
    api = client_for(leo)
    r = api.post(f"{BASE}/entries/start", {"ticket": acme_ticket.number})
    assert r.status_code == 201 and r.json()["ended_at"] is None
    r = api.post(f"{BASE}/entries/stop")
    assert r.status_code == 200 and r.json()["ended_at"] is not None
    r = api.post(f"{BASE}/entries/stop")
    assert r.status_code == 409


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"date": str(MONDAY), "minutes": 10}, "ticket"),
        ({"ticket": "T-999999", "date": str(MONDAY), "minutes": 10}, "ticket"),
        ({"ticket": "T-1", "date": str(MONDAY), "minutes": 0}, "minutes"),
        ({"ticket": "T-1", "date": "2026-12-31", "minutes": 10}, "date"),
        ({"ticket": "T-1", "date": str(MONDAY), "minutes": 10, "kind": "nap"}, "kind"),
    ],
)
def test_bad_input_names_the_field(leo, acme_ticket, payload, field):
    if payload.get("ticket") == "T-1":
        payload["ticket"] = acme_ticket.number
    r = client_for(leo).post(f"{BASE}/entries", payload)
    assert r.status_code == 422, r.content
    assert r.json()["field"] == field


def test_timesheet_flow(leo, lead, acme_ticket):
    svc.log_time(leo, ticket=acme_ticket, day=MONDAY, minutes=30)
    me = client_for(leo)
    week = me.get(f"{BASE}/timesheets/me/{MONDAY}").json()
    assert week["status"] == "open" and week["minutes"] == 30
    assert [d["minutes"] for d in week["days"]] == [30, 0, 0, 0, 0, 0, 0]
    assert me.post(f"{BASE}/timesheets/me/2026-12-09/submit").json()["status"] == "submitted"
    boss = client_for(lead)
    pending = boss.get(f"{BASE}/timesheets/pending").json()
    assert [(p["agent"], p["week_start"]) for p in pending] == [(leo.public_id, str(MONDAY))]
    assert me.post(f"{BASE}/timesheets/{leo.public_id}/{MONDAY}/approve").status_code == 403
    r = boss.post(f"{BASE}/timesheets/{leo.public_id}/{MONDAY}/return", {"note": ""})
    assert r.status_code == 422
    r = boss.post(f"{BASE}/timesheets/{leo.public_id}/{MONDAY}/approve")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    entry = TimeEntry.objects.get()
    assert (
        client_for(leo).patch(f"{BASE}/entries/{entry.public_id}", {"minutes": 5}).status_code
        == 409
    )
    assert me.post(f"{BASE}/timesheets/me/{MONDAY}/submit").status_code == 409


def test_another_agents_week_is_for_their_lead_only(leo, lead, alice, acme_ticket):
    svc.log_time(leo, ticket=acme_ticket, day=MONDAY, minutes=30)
    assert client_for(alice).get(f"{BASE}/timesheets/{leo.public_id}/{MONDAY}").status_code == 404
    r = client_for(lead).get(f"{BASE}/timesheets/{leo.public_id}/{MONDAY}")
    assert r.status_code == 200 and r.json()["minutes"] == 30


def approved_week(agent, lead, *entries):
    for ticket, minutes in entries:
        entry = svc.log_time(agent, ticket=ticket, day=LAST_MONDAY, minutes=minutes)
    svc.submit_timesheet(agent, entry.timesheet)
    svc.approve_timesheet(lead, entry.timesheet)


def test_the_report(leo, lead, acme_ticket, globex_ticket, acme_rule, globex_rule):
    approved_week(leo, lead, (acme_ticket, 50), (globex_ticket, 20))
    svc.log_time(leo, ticket=acme_ticket, day=MONDAY, minutes=60)  # this week: not approved
    api = client_for(lead)
    r = api.get(f"{BASE}/report?start={LAST_MONDAY}&end=2026-12-13")
    assert r.status_code == 200, r.content
    body = r.json()
    clients = {
        t["key"]: (t["billed_minutes"], t["amount"], t["currency"]) for t in body["by_client"]
    }
    assert clients == {"acme": (60, "120.00", "USD"), "globex": (30, "40.00", "EUR")}
    everything = api.get(f"{BASE}/report?start={LAST_MONDAY}&end=2026-12-13&approved_only=false")
    assert {t["key"]: t["billed_minutes"] for t in everything.json()["by_client"]}["acme"] == 120
    only = api.get(f"{BASE}/report?start={LAST_MONDAY}&end=2026-12-13&client=globex").json()
    assert [t["key"] for t in only["by_client"]] == ["globex"]
    assert api.get(f"{BASE}/report?start=2026-12-13&end={LAST_MONDAY}").status_code == 422
    assert (
        api.get(f"{BASE}/report?start={LAST_MONDAY}&end=2026-12-13&client=nope").status_code == 422
    )


def test_tenancy(leo, lead, sam, carol, acme_ticket, globex_ticket, acme_rule, globex_rule):
    approved_week(leo, lead, (acme_ticket, 50), (globex_ticket, 20))
    api = client_for(sam)
    items = api.get(f"{BASE}/entries").json()["items"]
    assert {e["client"] for e in items} == {"acme"}
    globex_entry = TimeEntry.objects.get(organization__slug="globex")
    assert api.get(f"{BASE}/entries/{globex_entry.public_id}").status_code == 404
    assert api.patch(f"{BASE}/entries/{globex_entry.public_id}", {"minutes": 1}).status_code == 404
    assert api.delete(f"{BASE}/entries/{globex_entry.public_id}").status_code == 404
    report = api.get(f"{BASE}/report?start={LAST_MONDAY}&end=2026-12-13").json()
    assert [t["key"] for t in report["by_client"]] == ["acme"]
    assert {line["client"] for line in report["lines"]} == {"Acme Corp"}
    assert (
        api.get(f"{BASE}/report?start={LAST_MONDAY}&end=2026-12-13&client=globex").status_code
        == 422
    )
    r = api.post(
        f"{BASE}/entries", {"ticket": globex_ticket.number, "date": str(MONDAY), "minutes": 5}
    )
    assert r.status_code == 422  # a ticket Sam cannot see does not exist for him
    assert "globex" not in {c["client"] for c in api.get(f"{BASE}/rules").json()}
    customer = client_for(carol)
    for path in (
        f"{BASE}/entries",
        f"{BASE}/report?start={LAST_MONDAY}&end=2026-12-13",
        f"{BASE}/timesheets/me/{MONDAY}",
        f"{BASE}/timesheets/pending",
        f"{BASE}/rules",
    ):
        assert customer.get(path).status_code == 403, path
    assert customer.post(f"{BASE}/entries/start", {"ticket": acme_ticket.number}).status_code == 403


def test_rules_by_admins(admin, leo, acme_contract):
    path = f"{BASE}/rules/{acme_contract.public_id}"
    payload = {"hourly_rate": "99.50", "currency": "EUR", "bill_travel": True}
    assert client_for(leo).put(path, payload, content_type="application/json").status_code == 403
    r = client_for(admin).put(path, payload, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["hourly_rate"] == "99.50" and r.json()["bill_travel"] is True
    assert client_for(admin).delete(path).status_code == 204
    assert client_for(admin).delete(path).status_code == 422


def test_lists_read_a_constant_number_of_queries(
    leo, lead, acme_ticket, globex_ticket, acme_rule, globex_rule, django_assert_max_num_queries
):
    approved_week(leo, lead, *[(acme_ticket, 50), (globex_ticket, 20)] * 3)
    for _ in range(3):
        svc.log_time(leo, ticket=acme_ticket, day=MONDAY, minutes=10)
    api = client_for(lead)
    with django_assert_max_num_queries(12):
        assert len(api.get(f"{BASE}/entries").json()["items"]) == 9
    with django_assert_max_num_queries(12):
        assert api.get(f"{BASE}/timesheets/{leo.public_id}/{LAST_MONDAY}").json()["minutes"] == 210
    with django_assert_max_num_queries(12):
        body = api.get(f"{BASE}/report?start={LAST_MONDAY}&end=2026-12-13").json()
        assert len(body["lines"]) == 6


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_far_off_weeks_are_422_naming_the_day(leo, lead, day):
    """A week in year 9999 overflowed (500); one in year 1 made a timesheet for year 1."""
    for api, method, path in (
        (client_for(leo), "get", f"{BASE}/timesheets/me/{day}"),
        (client_for(leo), "post", f"{BASE}/timesheets/me/{day}/submit"),
        (client_for(lead), "post", f"{BASE}/timesheets/{leo.public_id}/{day}/approve"),
    ):
        r = getattr(api, method)(path)
        assert r.status_code == 422 and r.json()["field"] == "day", (path, r.content)
    r = client_for(lead).post(f"{BASE}/timesheets/{leo.public_id}/{day}/return", {"note": "x"})
    assert r.status_code == 422 and r.json()["field"] == "day"
    assert not leo.timesheets.exists()


def test_far_off_report_range_is_422(leo):
    api = client_for(leo)
    r = api.get(f"{BASE}/report?start=9999-12-25&end=9999-12-31")
    assert r.status_code == 422 and r.json()["field"] == "start"

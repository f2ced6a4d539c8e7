"""The recurring API (/api/v1/recurring): create, list, get, change, pause, resume, delete,
occurrences and the preview; errors as JSON naming the field; tenancy (an agent who does not
serve the client gets 404, customers 403)."""

from datetime import UTC, datetime, timedelta

import pytest

from deskside.core import audit, clock
from deskside.recurring import worker
from deskside.recurring.models import Schedule
from tests.recurring.conftest import PATCHING

pytestmark = pytest.mark.django_db
BASE = "/api/v1/recurring"
JAN = datetime(2027, 1, 13, 3, 0, tzinfo=UTC)


def body(**extra):
    return {
        "client": "acme",
        "name": "Patching",
        "rule": PATCHING,
        "starts_at_local": "2026-01-01T22:00:00",
        "subject": "Monthly patching",
        "requester": "carol@acme.example",
        **extra,
    }


def test_create_get_list(now, as_alice, globex, carol, acme_hq, desktop_team, leo):
    made = as_alice.post(
        f"{BASE}/schedules",
        body(site=acme_hq.public_id, team=desktop_team.slug, assignee=leo.email),
    )
    assert made.status_code == 201, made.json()
    got = made.json()
    assert got["timezone"] == "America/New_York"  # the client's by default
    assert got["priority"] == "OPS" and got["missed_policy"] == "catch_up_once"
    assert got["rule_text"] == "Monthly, 2nd Tuesday at 22:00"
    assert got["next_run_at"].startswith("2027-01-13T03:00:00")
    assert got["next_run_local"].startswith("2027-01-12T22:00:00-05:00")
    assert [o["local"][:16] for o in got["upcoming"]] == [
        "2027-01-12T22:00",
        "2027-02-09T22:00",
        "2027-03-09T22:00",
        "2027-04-13T22:00",
        "2027-05-11T22:00",
    ]
    assert got["owner"]["email"] == "alice@msp.example"
    assert (
        got["site"]["public_id"] == acme_hq.public_id and got["team"]["slug"] == desktop_team.slug
    )
    assert audit.entries(object_type="recurring.schedule", action="created").count() == 1
    assert as_alice.get(f"{BASE}/schedules/{got['public_id']}").json()["name"] == "Patching"
    listed = as_alice.get(f"{BASE}/schedules?client=acme").json()["items"]
    assert [s["public_id"] for s in listed] == [got["public_id"]]
    assert as_alice.get(f"{BASE}/schedules?client=globex").json()["items"] == []
    assert as_alice.get(f"{BASE}/schedules?active=false").json()["items"] == []


def test_list_query_count_does_not_grow(
    now, as_alice, make_schedule, django_assert_max_num_queries
):
    for i in range(3):
        make_schedule(name=f"S{i}")
    with django_assert_max_num_queries(6):
        few = as_alice.get(f"{BASE}/schedules")
    for i in range(6):
        make_schedule(name=f"T{i}")
    with django_assert_max_num_queries(6):
        many = as_alice.get(f"{BASE}/schedules")
    assert len(few.json()["items"]) == 3 and len(many.json()["items"]) == 9


def test_occurrences_and_last_ticket(now, as_alice, make_schedule):
    schedule = make_schedule()
    with clock.frozen(datetime(2027, 4, 1, tzinfo=UTC)):
        worker.recurring_pass()
    rows = as_alice.get(f"{BASE}/schedules/{schedule.public_id}/occurrences").json()["items"]
    assert [(r["status"], r["ticket"] is not None) for r in rows] == [
        ("opened", True),
        ("skipped", False),
        ("skipped", False),
    ]
    assert rows[0]["occurs_at_local"].startswith("2027-03-09T22:00:00-05:00")
    listed = as_alice.get(f"{BASE}/schedules").json()["items"][0]
    assert listed["last_ticket"] == rows[0]["ticket"]


def test_patch_pause_resume_delete(now, as_alice, make_schedule, desktop_team):
    schedule = make_schedule()
    url = f"{BASE}/schedules/{schedule.public_id}"
    changed = as_alice.patch(
        url, {"rule": "FREQ=MONTHLY;BYDAY=1MO;BYHOUR=9", "team": "desktop-support-l2"}
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["next_run_local"].startswith("2027-01-04T09:00:00-05:00")
    assert changed.json()["team"]["slug"] == "desktop-support-l2"
    cleared = as_alice.patch(url, {"team": None, "timezone": "Europe/London"})
    assert cleared.json()["team"] is None
    assert cleared.json()["next_run_at"].startswith("2027-01-04T09:00:00")
    paused = as_alice.post(f"{url}/pause")
    assert paused.status_code == 200 and paused.json()["is_active"] is False
    assert paused.json()["next_run_at"] is None and paused.json()["upcoming"] == []
    twice = as_alice.post(f"{url}/pause")
    assert twice.status_code == 409 and twice.json()["field"] == "is_active"
    resumed = as_alice.post(f"{url}/resume")
    assert resumed.status_code == 200 and resumed.json()["is_active"] is True
    assert as_alice.post(f"{url}/resume").status_code == 409
    deleted = as_alice.delete(url)
    assert deleted.status_code == 200 and deleted.json()["is_active"] is False
    assert Schedule.objects.filter(pk=schedule.pk).exists()  # soft
    verbs = set(audit.entries(object_type="recurring.schedule").values_list("action", flat=True))
    assert verbs == {"created", "updated", "paused", "resumed", "deleted"}


def test_resume_of_an_ended_rule_is_refused(now, as_alice, make_schedule):
    schedule = make_schedule(rule="FREQ=MONTHLY;BYDAY=+2TU;COUNT=13")
    url = f"{BASE}/schedules/{schedule.public_id}"
    as_alice.post(f"{url}/pause")
    with clock.frozen(JAN + timedelta(days=1)):
        refused = as_alice.post(f"{url}/resume")
    assert refused.status_code == 409 and refused.json()["field"] == "rule"


def test_preview(now, as_alice, acme):
    found = as_alice.post(
        f"{BASE}/preview",
        {
            "rule": "FREQ=DAILY;BYHOUR=1;BYMINUTE=30",
            "starts_at_local": "2027-03-27T01:30:00",
            "timezone": "Europe/London",
            "count": 3,
        },  # fmt: skip
    )
    assert found.status_code == 200, found.json()
    times = [(o["local"], o["utc"]) for o in found.json()["occurrences"]]
    assert times == [
        ("2027-03-27T01:30:00Z", "2027-03-27T01:30:00Z"),
        ("2027-03-28T02:00:00+01:00", "2027-03-28T01:00:00Z"),  # 01:30 does not exist: the jump
        ("2027-03-29T01:30:00+01:00", "2027-03-29T00:30:00Z"),
    ]
    by_client = as_alice.post(
        f"{BASE}/preview",
        {"rule": PATCHING, "starts_at_local": "2026-01-01T22:00", "client": "acme"},
    )
    assert by_client.status_code == 200, by_client.json()
    assert by_client.json()["timezone"] == "America/New_York"
    assert len(by_client.json()["occurrences"]) == 5


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"rule": "FREQ=MINUTELY"}, "rule"),
        ({"rule": "nonsense"}, "rule"),
        ({"rule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "rule"),
        ({"timezone": "Nowhere/City"}, "timezone"),
        ({"starts_at_local": "2026-01-01T22:00:00+01:00"}, "starts_at_local"),
        ({"starts_at_local": "tuesday"}, "starts_at_local"),
        ({"client": "nope"}, "client"),
        ({"client": "globex"}, "requester"),  # Carol is Acme's
        ({"requester": "ghost@x.example"}, "requester"),
        ({"assignee": "carol@acme.example"}, "assignee"),
        ({"site": "nope"}, "site"),
        ({"team": "nope"}, "team"),
        ({"checklist": "No such template"}, "checklist"),
        ({"priority": "P9"}, "priority"),
        ({"missed_policy": "sometimes"}, "missed_policy"),
        ({"name": "  "}, "name"),
        ({"subject": "x" * 201}, "subject"),
    ],
)
def test_bad_input_names_the_field(now, as_alice, carol, dave, changes, field):
    answer = as_alice.post(f"{BASE}/schedules", body(**changes))
    assert answer.status_code == 422, answer.json()
    assert answer.json()["field"] == field
    assert not Schedule.objects.exists()


def test_bad_preview_and_patch(now, as_alice, make_schedule):
    bad = as_alice.post(
        f"{BASE}/preview",
        {"rule": "FREQ=SECONDLY", "starts_at_local": "2027-01-01T00:00", "timezone": "UTC"},
    )
    assert bad.status_code == 422 and bad.json()["field"] == "rule"
    schedule = make_schedule()
    null = as_alice.patch(f"{BASE}/schedules/{schedule.public_id}", {"rule": None})
    assert null.status_code == 422 and null.json()["field"] == "rule"
    bad_rule = as_alice.patch(f"{BASE}/schedules/{schedule.public_id}", {"rule": "FREQ=NEVER"})
    assert bad_rule.status_code == 422 and bad_rule.json()["field"] == "rule"
    schedule.refresh_from_db()
    assert schedule.rule == PATCHING  # nothing half-written


def test_tenancy(now, make_schedule, api_as, globex, globex_only, as_carol, as_dave):
    schedule = make_schedule()
    gil = api_as(globex_only(globex))
    url = f"{BASE}/schedules/{schedule.public_id}"
    assert gil.get(f"{BASE}/schedules").json()["items"] == []
    for answer in (
        gil.get(url),
        gil.patch(url, {"name": "Mine"}),
        gil.post(f"{url}/pause"),
        gil.post(f"{url}/resume"),
        gil.delete(url),
        gil.get(f"{url}/occurrences"),
    ):
        assert answer.status_code == 404
    assert gil.post(f"{BASE}/schedules", body()).json()["field"] == "client"
    for customer in (as_carol, as_dave):
        assert customer.get(f"{BASE}/schedules").status_code == 403
        assert customer.get(url).status_code == 403
        assert customer.post(f"{BASE}/schedules", body()).status_code == 403
        assert (
            customer.post(
                f"{BASE}/preview",
                {"rule": PATCHING, "starts_at_local": "2027-01-01T00:00", "timezone": "UTC"},
            ).status_code
            == 403
        )
    schedule.refresh_from_db()
    assert schedule.name == "Patching" and schedule.is_active

"""The visits API: every operation, bad input (422 naming the field), the clearance rule (409
with its reason), and tenancy: an agent serving only another client, a customer of another
client, and a customer of the client, who reads the customer view only and writes nothing."""

import base64
from datetime import timedelta

import pytest

from deskside.accounts.models import Skill
from deskside.field.models import Visit, VisitStatus
from deskside.field.services import scheduling, visits
from deskside.mail.models import OutboundMail
from tests.conftest import client_for
from tests.field.fixtures_visits import *  # noqa: F403
from tests.field.fixtures_visits import NOW, PNG, clear

BASE = "/api/v1/field/visits"
CUSTOMER_KEYS = {
    "view",
    "id",
    "status",
    "status_label",
    "window_start",
    "window_end",
    "scheduled_start",
    "technician",
}


def iso(moment) -> str:
    return moment.isoformat()


def test_create_and_get(as_alice, acme_ticket, acme_hq):
    Skill.objects.create(name="Printers")
    body = {
        "ticket": acme_ticket.number,
        "site": acme_hq.public_id,
        "window_start": iso(NOW),
        "window_end": iso(NOW + timedelta(hours=3)),
        "duration_minutes": 30,
        "skills": ["Printers"],
        "instructions": "Fuser",
    }
    answer = as_alice.post(BASE, body)
    assert answer.status_code == 201, answer.json()
    out = answer.json()
    assert out["view"] == "agent" and out["status"] == "unscheduled"
    assert out["required_skills"] == ["Printers"] and out["ticket"] == acme_ticket.number
    again = as_alice.get(f"{BASE}/{out['id']}")
    assert again.status_code == 200 and again.json() == out


@pytest.mark.parametrize(
    ("changes", "field", "status"),
    [
        ({"ticket": "T-99999"}, "ticket", 422),
        ({"site": "nope"}, "site", 422),
        ({"skills": ["Juggling"]}, "skills", 422),
        ({"window_end": "2026-12-09T13:00:00+00:00"}, "window_end", 422),
        ({"duration_minutes": 0}, "duration_minutes", 422),
        ({"window_start": "tomorrow"}, "window_start", 422),
        ({"window_start": "2026-12-09T14:00:00"}, "window_start", 422),  # no zone
    ],
)
def test_create_bad_input(as_alice, acme_ticket, acme_hq, changes, field, status):
    body = {
        "ticket": acme_ticket.number,
        "window_start": iso(NOW),
        "window_end": iso(NOW + timedelta(hours=3)),
        **changes,
    }
    answer = as_alice.post(BASE, body)
    assert answer.status_code == status and answer.json()["field"] == field, answer.json()
    assert not Visit.objects.exists()


def test_schedule_refused_by_the_clearance_rule_is_409(as_alice, visit, leo, tara, acme):
    body = {"technician": leo.public_id, "start": iso(NOW + timedelta(hours=1))}
    refused = as_alice.post(f"{BASE}/{visit.public_id}/schedule", body)
    assert refused.status_code == 409 and refused.json()["field"] == "technician"
    assert "not cleared for Acme Corp" in refused.json()["detail"]
    clear(tara, acme)
    body.update(second=tara.public_id, shadowing=True)
    ok = as_alice.post(f"{BASE}/{visit.public_id}/schedule", body)
    assert ok.status_code == 200 and ok.json()["second_is_shadowing"] is True
    assert ok.json()["technician"]["public_id"] == leo.public_id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"technician": "nobody", "start": iso(NOW)}, "technician"),
        ({"start": iso(NOW)}, "technician"),
        ({"technician": "X", "start": "noon"}, "start"),
    ],
)
def test_schedule_bad_input(as_alice, visit, body, field):
    answer = as_alice.post(f"{BASE}/{visit.public_id}/schedule", body)
    assert answer.status_code == 422 and answer.json()["field"] == field


def test_schedule_outside_the_window_names_start(as_alice, visit, leo, acme):
    clear(leo, acme)
    body = {"technician": leo.public_id, "start": iso(NOW + timedelta(days=3))}
    answer = as_alice.post(f"{BASE}/{visit.public_id}/schedule", body)
    assert answer.status_code == 422 and answer.json()["field"] == "start"


def test_the_whole_day_through_the_api(as_alice, as_leo, visit, leo, acme, carol):
    clear(leo, acme)
    v = f"{BASE}/{visit.public_id}"
    assert (
        as_alice.post(f"{v}/schedule", {"technician": leo.public_id, "start": iso(NOW)}).status_code
        == 200
    )
    assert as_alice.post(f"{v}/unschedule").json()["status"] == "unscheduled"
    assert (
        as_alice.post(f"{v}/schedule", {"technician": leo.public_id, "start": iso(NOW)}).status_code
        == 200
    )
    item = as_leo.post(f"{v}/checklist", {"text": "Swap the toner"})
    assert item.status_code == 201 and item.json()["done"] is False
    assert as_leo.post(f"{v}/set-out").json()["status"] == "en_route"
    assert as_leo.post(f"{v}/check-in").json()["status"] == "on_site"
    ticked = as_leo.post(f"{v}/checklist/{item.json()['id']}/tick", {"done": True})
    assert ticked.status_code == 200 and ticked.json()["done"] is True
    part = as_leo.post(f"{v}/parts", {"description": "Toner", "quantity": 2})
    assert part.status_code == 201 and part.json()["quantity"] == 2
    link = as_leo.post(f"{v}/signoff-link")
    assert link.status_code == 202 and link.json()["to"] == carol.email
    assert OutboundMail.objects.filter(public_id=link.json()["mail"]).exists()
    signed = as_leo.post(
        f"{v}/sign", {"name": "Carol", "signature": base64.b64encode(PNG).decode()}
    )
    assert signed.status_code == 200 and signed.json()["signed_via"] == "phone"
    assert signed.json()["signature_url"].startswith("/tickets/files/")
    out = as_leo.post(f"{v}/check-out", {"outcome": "done", "summary": "Fixed"})
    assert out.status_code == 200 and out.json()["status"] == "done"
    assert as_leo.post(f"{v}/signoff-link").status_code == 409  # signed already


def test_step_errors(as_alice, as_leo, visit, on_site):
    v = f"{BASE}/{visit.public_id}"
    assert as_alice.post(f"{v}/set-out").status_code == 409  # on site already
    assert as_alice.post(f"{v}/cancel", {"reason": "x"}).status_code == 409
    bad = as_alice.post(f"{v}/check-out", {"outcome": "gone"})
    assert bad.status_code == 422 and bad.json()["field"] == "outcome"
    empty = as_alice.post(f"{v}/check-out", {"outcome": "done"})
    assert empty.status_code == 422 and empty.json()["field"] == "summary"
    assert (
        as_alice.post(f"{v}/parts", {"description": "x", "quantity": 0}).json()["field"]
        == "quantity"
    )
    assert as_alice.post(f"{v}/checklist", {"text": ""}).json()["field"] == "text"
    assert as_alice.post(f"{v}/checklist/999999/tick", {"done": True}).status_code == 404
    for sig, field in (("!!", "signature"), (base64.b64encode(b"GIF89a").decode(), "signature")):
        answer = as_alice.post(f"{v}/sign", {"name": "Carol", "signature": sig})
        assert answer.status_code == 422 and answer.json()["field"] == field
    nameless = as_alice.post(
        f"{v}/sign", {"name": " ", "signature": base64.b64encode(PNG).decode()}
    )
    assert nameless.status_code == 422 and nameless.json()["field"] == "name"
    assert as_alice.post(f"{v}/unschedule").status_code == 409


def test_cancel(as_alice, visit):
    answer = as_alice.post(f"{BASE}/{visit.public_id}/cancel", {"reason": "Fixed by phone"})
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    missing = as_alice.post(f"{BASE}/{visit.public_id}/cancel", {})
    assert missing.status_code == 422 and missing.json()["field"] == "reason"


def test_list_filters(as_alice, visit, on_site, alice, leo, globex_ticket, globex_site):
    other = scheduling.create_visit(
        alice,
        globex_ticket,
        site=globex_site,
        window_start=NOW + timedelta(days=3),
        window_end=NOW + timedelta(days=3, hours=2),
    )

    def ids(query=""):
        answer = as_alice.get(f"{BASE}?{query}")
        assert answer.status_code == 200, answer.json()
        return [row["id"] for row in answer.json()["items"]]

    assert set(ids()) == {visit.public_id, other.public_id}
    assert ids(f"ticket={globex_ticket.number}") == [other.public_id]
    assert ids("status=on_site") == [visit.public_id]
    assert ids(f"technician={leo.public_id}") == [visit.public_id]
    assert ids("date_from=2026-12-11") == [other.public_id]
    assert ids("date_to=2026-12-10") == [visit.public_id]
    assert as_alice.get(f"{BASE}?status=lost").status_code == 422
    bad = as_alice.get(f"{BASE}?date_from=2026-12-11&date_to=2026-12-10")
    assert bad.status_code == 422 and bad.json()["field"] == "date_to"
    assert as_alice.get(f"{BASE}?ticket=banana").json()["field"] == "ticket"


def test_list_query_count(as_alice, alice, acme_ticket, acme_hq, django_assert_max_num_queries):
    for _ in range(5):
        v = scheduling.create_visit(
            alice, acme_ticket, site=acme_hq, window_start=NOW, window_end=NOW
        )
        visits.add_checklist_item(alice, v, "Step")
    with django_assert_max_num_queries(12):
        answer = as_alice.get(BASE)
    assert len(answer.json()["items"]) == 5


# -- tenancy -----------------------------------------------------------------------------------


def test_an_agent_serving_another_client_sees_and_changes_nothing(
    globex_only, visit, leo, acme_ticket
):
    api = client_for(globex_only)
    v = f"{BASE}/{visit.public_id}"
    assert api.get(BASE).json()["items"] == []
    assert api.get(v).status_code == 404
    for path, body in (
        ("schedule", {"technician": leo.public_id, "start": iso(NOW)}),
        ("unschedule", {}),
        ("set-out", {}),
        ("check-in", {}),
        ("checklist", {"text": "x"}),
        ("checklist/1/tick", {"done": True}),
        ("parts", {"description": "x"}),
        ("check-out", {"outcome": "done", "summary": "x"}),
        ("cancel", {"reason": "x"}),
        ("sign", {"name": "x", "signature": base64.b64encode(PNG).decode()}),
        ("signoff-link", {}),
    ):
        assert api.post(f"{v}/{path}", body).status_code == 404, path
    created = api.post(
        BASE,
        {"ticket": acme_ticket.number, "window_start": iso(NOW), "window_end": iso(NOW)},
    )
    assert created.status_code == 422 and created.json()["field"] == "ticket"
    visit.refresh_from_db()
    assert visit.status == VisitStatus.UNSCHEDULED and Visit.objects.count() == 1


def test_the_agent_serving_the_client_works_on_it(acme_only, visit):
    api = client_for(acme_only)
    assert api.get(f"{BASE}/{visit.public_id}").json()["view"] == "agent"
    assert api.post(f"{BASE}/{visit.public_id}/cancel", {"reason": "x"}).status_code == 200


def test_a_customer_of_another_client_sees_nothing(as_dave, visit):
    assert as_dave.get(BASE).json()["items"] == []
    assert as_dave.get(f"{BASE}/{visit.public_id}").status_code == 404
    # customers write nothing: refused before the visit is looked up (its existence not told)
    assert as_dave.post(f"{BASE}/{visit.public_id}/cancel", {"reason": "x"}).status_code == 403


def test_a_customer_reads_the_customer_view_only_and_writes_nothing(as_carol, done, acme_ticket):
    listed = as_carol.get(BASE).json()["items"]
    assert [set(row) for row in listed] == [CUSTOMER_KEYS]
    one = as_carol.get(f"{BASE}/{done.public_id}").json()
    assert set(one) == CUSTOMER_KEYS and one["technician"] == "Leo" and one["view"] == "customer"
    assert "Toner" not in str(one) and "reception" not in str(one)
    assert as_carol.get(f"{BASE}?technician=x").status_code == 422
    refused = as_carol.post(f"{BASE}/{done.public_id}/signoff-link")
    assert refused.status_code == 403
    created = as_carol.post(
        BASE, {"ticket": acme_ticket.number, "window_start": iso(NOW), "window_end": iso(NOW)}
    )
    assert created.status_code == 403
    assert Visit.objects.count() == 1

"""The projects API: dry run (200 with row errors), create (201; 422 with the rows, nothing
written; the same Idempotency-Key answers the first project), list, get with progress,
children, bulk scheduling, resolve; agents only, another client's project a 404."""

import pytest

from deskside.accounts import services as accounts
from deskside.field.models import Visit
from deskside.tickets.models import Ticket
from deskside.workorders.models import Project, WorkOrder
from tests.conftest import client_for
from tests.workorders.fixtures_projects import *  # noqa: F403 (the fixtures)

URL = "/api/v1/workorders/projects"


@pytest.fixture
def body(acme, carol, desk_move):
    def make(csv: str, **extra):
        return {
            "organization": "acme",
            "template": "Desk move",
            "title": "Move 40 desks to floor 4",
            "requester": "carol@acme.example",
            "csv": csv,
            **extra,
        }

    return make


def test_dry_run_answers_every_row_and_writes_nothing(as_alice, body, bob, laptop):
    csv = "user,desk,asset\nbob@acme.example,D-1,ACM-0001\nghost@acme.example,D-2,\n"
    response = as_alice.post(f"{URL}/dry-run", body(csv))
    assert response.status_code == 200, response.content
    plan = response.json()
    assert (plan["ok"], plan["created"], plan["errors"]) == (False, 1, 1)
    first, second = plan["rows"]
    assert first["requester"] == "bob@acme.example" and first["asset"] == "ACM-0001"
    assert second["line"] == 3 and "unknown user" in second["message"]
    assert not Ticket.objects.exists()


def test_create_refuses_a_bad_row_with_422_and_writes_nothing(as_alice, body):
    csv = "user,desk\n,D-1\n,D-2\nghost@acme.example,D-3\n"
    response = as_alice.post(URL, body(csv))
    assert response.status_code == 422
    answer = response.json()
    assert answer["field"] == "csv" and "1 row in error" in answer["detail"]
    assert [r["action"] for r in answer["plan"]["rows"]] == ["create", "create", "error"]
    message = "line 4: unknown user 'ghost@acme.example'"
    assert answer["errors"] == [{"field": "csv", "message": message}]
    assert not Ticket.objects.exists() and not Project.objects.exists()


def test_create_get_list_children_and_a_retry(as_alice, body, now):
    csv = "user,desk\n,D-1\n,D-2\n"
    response = as_alice.post(URL, body(csv), HTTP_IDEMPOTENCY_KEY="abc")
    assert response.status_code == 201, response.content
    project = response.json()
    assert project["progress"] == {
        "total": 2,
        "done": 0,
        "open": 2,
        "cancelled": 0,
        "with_visit": 0,
        "percent": 0,
    }
    again = as_alice.post(URL, body(csv), HTTP_IDEMPOTENCY_KEY="abc")
    assert again.status_code == 200 and again.json()["id"] == project["id"]
    assert Project.objects.count() == 1 and WorkOrder.objects.count() == 2
    other = as_alice.post(URL, body("user,desk\n,D-9\n"), HTTP_IDEMPOTENCY_KEY="abc")
    assert other.status_code == 409
    got = as_alice.get(f"{URL}/{project['id']}")
    assert got.status_code == 200 and got.json()["ticket"] == project["ticket"]
    listed = as_alice.get(URL)
    assert [p["id"] for p in listed.json()["items"]] == [project["id"]]
    children = as_alice.get(f"{URL}/{project['id']}/children").json()["items"]
    assert [c["row_number"] for c in children] == [2, 3]
    assert children[0]["missing"] == [
        "1 required checklist item",
        "1 required QC item",
        "the QC sign-off",
    ]


def test_schedule_and_resolve(as_alice, body, leo, now):
    project = as_alice.post(URL, body("user,desk\n,D-1\n")).json()
    response = as_alice.post(
        f"{URL}/{project['id']}/schedule",
        {"first_day": "2026-12-14", "last_day": "2026-12-15", "technician": leo.public_id},
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["created"] == [] and len(answer["refused"]) == 1
    assert "is not cleared for Acme Corp" in answer["refused"][0]["reason"]
    queued = as_alice.post(
        f"{URL}/{project['id']}/schedule", {"first_day": "2026-12-14", "last_day": "2026-12-15"}
    )
    assert queued.json()["summary"] == "Created 1 visit" and Visit.objects.count() == 1
    bad = as_alice.post(
        f"{URL}/{project['id']}/schedule", {"first_day": "2026-12-14", "last_day": "2026-12-01"}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "last_day"
    refused = as_alice.post(f"{URL}/{project['id']}/resolve", {"resolution": "All moved"})
    assert refused.status_code == 409 and "still open" in refused.json()["detail"]


def test_tenancy(as_alice, as_carol, body, msp, globex):
    project = as_alice.post(URL, body("user,desk\n,D-1\n")).json()
    gil = accounts.create_user(
        email="gil@msp.example", full_name="Gil", kind="agent", organization=msp
    )
    gil.served_organizations.set([globex])
    as_gil = client_for(gil)
    assert as_gil.get(f"{URL}/{project['id']}").status_code == 404
    assert as_gil.get(URL).json()["items"] == []
    assert as_gil.post(f"{URL}/{project['id']}/resolve", {"resolution": "x"}).status_code == 404
    refused = as_gil.post(URL, body("user,desk\n,D-2\n"))
    assert refused.status_code == 422 and refused.json()["field"] == "organization"
    for response in (
        as_carol.get(URL),
        as_carol.get(f"{URL}/{project['id']}"),
        as_carol.post(f"{URL}/dry-run", body("user,desk\n,D-2\n")),
        as_carol.post(URL, body("user,desk\n,D-2\n")),
    ):
        assert response.status_code == 403
    assert Project.objects.count() == 1


def test_bad_input_names_the_field(as_alice, body, dave):
    assert as_alice.post(f"{URL}/dry-run", body("x", template="nope")).json()["field"] == "template"
    answer = as_alice.post(f"{URL}/dry-run", body("x", requester="dave@globex.example")).json()
    assert answer["field"] == "requester"
    answer = as_alice.post(f"{URL}/dry-run", body("")).json()
    assert answer["field"] == "csv"


def test_lists_keep_their_query_count(as_alice, body, django_assert_max_num_queries, now):
    for n in range(3):
        as_alice.post(URL, body(f"user,desk\n,D-{n}\n,E-{n}\n", title=f"Project {n}"))
    with django_assert_max_num_queries(8):
        listed = as_alice.get(URL).json()["items"]
    assert [p["progress"]["total"] for p in listed] == [2, 2, 2]
    with django_assert_max_num_queries(8):
        children = as_alice.get(f"{URL}/{listed[0]['id']}/children").json()["items"]
    assert len(children) == 2

"""The work-order API: create, list, get, tick (JSON note; file by multipart), untick, sign QC,
confirm, cancel; the QC gate at `POST /tickets/{n}/resolve`; tenancy (an agent serving another
client and a plain customer get 404, the client's organisation admin reads without internal
notes or files and may not write)."""

import pytest

from deskside.tickets.models import Status
from deskside.workorders.models import WorkOrder
from tests.conftest import client_for
from tests.workorders.fixtures_orders import *  # noqa: F403
from tests.workorders.fixtures_orders import complete, item, photo

pytestmark = pytest.mark.django_db


def url(wo, rest=""):
    return f"/api/v1/workorders/{wo.public_id}{rest}"


def test_create_and_get(as_alice, acme, carol, acme_hq, leo, new_system):
    answer = as_alice.post(
        "/api/v1/workorders",
        {
            "template": new_system.public_id,
            "client": acme.slug,
            "requester": carol.email,
            "site": acme_hq.public_id,
            "assignee": leo.public_id,
        },
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["view"] == "agent" and body["version"] == 1
    assert [i["text"] for i in body["items"]][:2] == ["Image applied", "Data migrated"]
    assert "the confirmation with the user" in body["missing"]
    wo = WorkOrder.objects.get(public_id=body["id"])
    assert wo.ticket.assignee == leo
    assert as_alice.get(url(wo)).json()["ticket"] == wo.ticket.number


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"template": "nope"}, "template"),
        ({"client": "nope"}, "client"),
        ({"requester": "someone@else.example"}, "requester"),
        ({"site": "nope"}, "site"),
        ({"assignee": "nope"}, "assignee"),
    ],
)
def test_create_names_the_bad_field(as_alice, acme, carol, new_system, change, field):
    data = {"template": new_system.public_id, "client": acme.slug, "requester": carol.email}
    answer = as_alice.post("/api/v1/workorders", {**data, **change})
    assert answer.status_code == 422
    assert answer.json()["field"] == field
    assert not WorkOrder.objects.exists()


def test_tick_with_a_note_a_file_then_untick(as_alice, alice, wo):
    note_item = item(wo, "Data migrated")
    refused = as_alice.post(url(wo, f"/items/{note_item.pk}/tick"), {"note": ""})
    assert refused.status_code == 422 and refused.json()["field"] == "note"
    done = as_alice.post(url(wo, f"/items/{note_item.pk}/tick"), {"note": "40 GB"})
    assert done.status_code == 200
    photo_item = item(wo, "Photo of the finished desk")
    refused = as_alice.post(url(wo, f"/items/{photo_item.pk}/tick"), {})
    assert refused.status_code == 422 and refused.json()["field"] == "file"
    client = client_for(alice)
    answer = client.generic(
        "POST",
        url(wo, f"/items/{photo_item.pk}/tick-with-file"),
        **_multipart({"note": "desk 4.12"}, photo()),
    )
    assert answer.status_code == 200, answer.content
    row = next(i for i in answer.json()["items"] if i["id"] == photo_item.pk)
    assert row["done"] and row["attachment_url"].startswith("/tickets/files/")
    answer = as_alice.post(url(wo, f"/items/{note_item.pk}/untick"))
    assert answer.status_code == 200
    assert not next(i for i in answer.json()["items"] if i["id"] == note_item.pk)["done"]


def _multipart(fields, upload):
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart  # noqa: PLC0415

    data = encode_multipart(BOUNDARY, {**fields, "file": upload})
    return {"data": data, "content_type": MULTIPART_CONTENT}


def test_second_pair_of_eyes_sign_confirm_and_the_gate_at_the_resolve_endpoint(
    as_alice, as_leo, wo
):
    resolve = f"/api/v1/tickets/{wo.ticket.number}/resolve"
    refused = as_alice.post(resolve, {"resolution": "Done"})
    assert refused.status_code == 409
    assert "cannot be resolved yet" in refused.json()["detail"]
    as_alice.post(url(wo, f"/items/{item(wo, 'Image applied').pk}/tick"), {})
    refused = as_alice.post(url(wo, f"/items/{item(wo, 'User logged in').pk}/tick"), {})
    assert refused.status_code == 409 and "second pair of eyes" in refused.json()["detail"]
    assert as_leo.post(url(wo, "/sign-qc"), {}).status_code == 409  # QC items not done
    confirm = as_alice.post(url(wo, "/confirm"), {"who": "Carol", "how": "carrier-pigeon"})
    assert confirm.status_code == 422 and confirm.json()["field"] == "how"
    confirm = as_alice.post(url(wo, "/confirm"), {"who": "Carol", "how": "in_person"})
    assert confirm.json()["confirmed_at"]
    assert as_alice.post(resolve, {"resolution": "Done"}).status_code == 409
    wo.ticket.refresh_from_db()
    assert wo.ticket.status != Status.RESOLVED


def test_resolve_endpoint_passes_once_complete(as_alice, alice, leo, wo):
    complete(wo, alice, leo)
    answer = as_alice.post(f"/api/v1/tickets/{wo.ticket.number}/resolve", {"resolution": "Done"})
    assert answer.status_code == 200
    refused = as_alice.post(url(wo, f"/items/{item(wo, 'Image applied').pk}/untick"))
    assert refused.status_code == 409  # a resolved ticket's work order is read-only


def test_cancel(as_alice, wo):
    assert as_alice.post(url(wo, "/cancel"), {"reason": ""}).status_code == 422
    answer = as_alice.post(url(wo, "/cancel"), {"reason": "Postponed"})
    assert answer.json()["cancel_reason"] == "Postponed"
    answer = as_alice.post(f"/api/v1/tickets/{wo.ticket.number}/close", {"reason": "Postponed"})
    assert answer.status_code == 200


def test_list_filters(as_alice, wo, plain):
    items = as_alice.get("/api/v1/workorders").json()["items"]
    assert [i["id"] for i in items] == [wo.public_id]
    assert as_alice.get(f"/api/v1/workorders?template={plain.public_id}").json()["items"] == []
    assert as_alice.get("/api/v1/workorders?state=cancelled").json()["items"] == []
    assert len(as_alice.get("/api/v1/workorders?state=awaiting_qc").json()["items"]) == 1
    assert len(as_alice.get(f"/api/v1/workorders?ticket={wo.ticket.number}").json()["items"]) == 1
    assert as_alice.get("/api/v1/workorders?state=bogus").status_code == 422
    assert as_alice.get("/api/v1/workorders?ticket=xyz").json()["field"] == "ticket"


def test_list_query_count_does_not_grow(
    as_alice, alice, acme, carol, new_system, wo, django_assert_max_num_queries
):
    from deskside.workorders.services import orders  # noqa: PLC0415

    for _ in range(4):
        orders.create_work_order(
            alice, new_system, orders.NewWorkOrder(organization=acme, requester=carol)
        )
    with django_assert_max_num_queries(25):
        answer = as_alice.get("/api/v1/workorders")
    assert len(answer.json()["items"]) == 5


def test_tenancy(gus, dave, carol, olivia, alice, leo, wo, as_olivia, as_carol, as_dave):
    complete_note = item(wo, "Data migrated")
    from deskside.workorders.services import steps  # noqa: PLC0415

    steps.tick_item(alice, wo, item=complete_note, note="internal: 40 GB, admin pw reset")
    as_gus = client_for(gus)
    assert as_gus.get(url(wo)).status_code == 404
    assert as_gus.get("/api/v1/workorders").json()["items"] == []
    assert as_gus.post(url(wo, "/cancel"), {"reason": "x"}).status_code == 404
    for other in (as_carol, as_dave):  # a plain customer, another client's customer
        assert other.get(url(wo)).status_code == 404
        assert other.get("/api/v1/workorders").json()["items"] == []
        assert other.post(url(wo, "/sign-qc"), {}).status_code == 404
    seen = as_olivia.get(url(wo)).json()
    assert seen["view"] == "customer"
    assert "internal" not in str(seen) and "note" not in seen["items"][0]
    assert [i["id"] for i in as_olivia.get("/api/v1/workorders").json()["items"]] == [wo.public_id]
    refused = as_olivia.post(url(wo, f"/items/{item(wo, 'Image applied').pk}/tick"), {})
    assert refused.status_code == 403
    assert as_olivia.post(url(wo, "/cancel"), {"reason": "x"}).status_code == 403
    assert as_olivia.get("/api/v1/workorders/templates").status_code == 403

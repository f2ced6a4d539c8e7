"""The template API: list, get with versions, create and new version (admins only), retire;
bad input names its field; agents read, customers are refused."""

import pytest

from deskside.workorders.models import WorkOrderTemplate
from deskside.workorders.services import orders
from tests.workorders.fixtures_orders import *  # noqa: F403

pytestmark = pytest.mark.django_db

SPEC = {
    "subject": "UPS replacement",
    "items": [
        {"text": "Load moved to bypass"},
        {"text": "Runtime test", "section": "qc", "evidence": "note"},
    ],
}


def test_admin_creates_and_versions_a_template(as_admin, as_alice, alice, acme, carol):
    answer = as_admin.post("/api/v1/workorders/templates", {"name": "UPS", "kind": "ups", **SPEC})
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["current_version"] == 1 and len(body["versions"][0]["items"]) == 2
    template = WorkOrderTemplate.objects.get(public_id=body["id"])
    running = orders.create_work_order(
        alice, template, orders.NewWorkOrder(organization=acme, requester=carol)
    )
    answer = as_admin.post(
        f"/api/v1/workorders/templates/{template.public_id}/versions",
        {**SPEC, "items": [{"text": "Only step"}], "change_note": "simpler"},
    )
    assert answer.status_code == 201
    versions = answer.json()["versions"]
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[0]["change_note"] == "simpler" and versions[0]["created_by"] == "Root Admin"
    running.refresh_from_db()
    assert running.template_version.number == 1
    got = as_alice.get(f"/api/v1/workorders/templates/{template.public_id}")
    assert got.status_code == 200 and got.json()["current_version"] == 2
    listed = as_alice.get("/api/v1/workorders/templates").json()["items"]
    assert [t["name"] for t in listed] == ["UPS"]
    retired = as_admin.post(
        f"/api/v1/workorders/templates/{template.public_id}/active", {"active": False}
    )
    assert retired.json()["is_active"] is False


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": " "}, "name"),
        ({"kind": "party"}, "kind"),
        ({"items": []}, "items"),
        ({"items": [{"text": "x", "evidence": "dna"}]}, "items.0.evidence"),
        ({"team": "Nobody"}, "team"),
        ({"priority": 9}, "priority"),
        ({"second_pair_of_eyes": True, "items": [{"text": "x"}]}, "second_pair_of_eyes"),
    ],
)
def test_bad_input_names_the_field(as_admin, change, field):
    answer = as_admin.post(
        "/api/v1/workorders/templates", {"name": "UPS", "kind": "ups", **SPEC, **change}
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == field
    assert not WorkOrderTemplate.objects.exists()


def test_agents_read_only_and_customers_are_refused(as_alice, as_carol, new_system):
    refused = as_alice.post("/api/v1/workorders/templates", {"name": "UPS", "kind": "ups", **SPEC})
    assert refused.status_code == 403
    refused = as_alice.post(f"/api/v1/workorders/templates/{new_system.public_id}/versions", SPEC)
    assert refused.status_code == 403
    assert new_system.versions.count() == 1
    assert as_carol.get("/api/v1/workorders/templates").status_code == 403
    assert as_carol.get(f"/api/v1/workorders/templates/{new_system.public_id}").status_code == 403
    assert as_alice.get("/api/v1/workorders/templates/nope-nope-no").status_code == 404
    # Not even a public id's shape (12 URL-safe characters): bad input, naming the parameter.
    assert as_alice.get("/api/v1/workorders/templates/nope").status_code == 422

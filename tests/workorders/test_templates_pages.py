"""The template pages: agents read, admins create, edit (a new version, with the items' diff
on the history) and retire; a running work order keeps its version, new ones get the new."""

import pytest

from deskside.core.models import AuditEntry
from deskside.workorders.models import WorkOrderTemplate
from deskside.workorders.services import orders
from tests.conftest import login
from tests.workorders.fixtures_orders import *  # noqa: F403

pytestmark = pytest.mark.django_db


def rows(*items):
    data = {
        "items-TOTAL_FORMS": str(len(items) + 1),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "100",
    }
    for n, (text, section, required, evidence) in enumerate([*items, ("", "work", "", "none")]):
        data[f"items-{n}-text"] = text
        data[f"items-{n}-section"] = section
        if required:
            data[f"items-{n}-required"] = "on"
        data[f"items-{n}-evidence"] = evidence
    return data


SETTINGS = {
    "subject": "Desk move",
    "description": "",
    "priority": "3",
    "ticket_type": "service_request",
    "team": "",
    "confirm_with_user": "on",
    "change_note": "",
}


def test_an_admin_creates_a_template_with_item_rows(admin):
    client = login(admin)
    assert client.get("/workorders/templates/new/").status_code == 200
    data = {
        "name": "Desk move",
        "kind": "move",
        **SETTINGS,
        **rows(("Unplug and label", "work", True, "none"), ("Port tested", "qc", True, "note")),
    }
    done = client.post("/workorders/templates/new/", data)
    assert done.status_code == 302
    template = WorkOrderTemplate.objects.get(name="Desk move")
    version = template.current
    assert [(i.section, i.text, i.evidence) for i in version.items.all()] == [
        ("qc", "Port tested", "note"),
        ("work", "Unplug and label", "none"),
    ]
    assert AuditEntry.objects.filter(object_id=template.public_id).exists()


def test_bad_input_is_a_form_error(admin):
    client = login(admin)
    data = {"name": "Desk move", "kind": "move", **SETTINGS, "second_pair_of_eyes": "on"}
    refused = client.post(
        "/workorders/templates/new/", {**data, **rows(("Only", "work", 1, "none"))}
    )
    assert refused.status_code == 422
    assert "second pair of eyes needs at least one QC item" in refused.content.decode()
    refused = client.post("/workorders/templates/new/", {**data, **rows()})
    assert refused.status_code == 422
    assert "at least one checklist item" in refused.content.decode()
    assert not WorkOrderTemplate.objects.exists()


def test_editing_makes_a_new_version_and_the_history_shows_the_diff(
    admin, alice, acme, carol, new_system
):
    running = orders.create_work_order(
        alice, new_system, orders.NewWorkOrder(organization=acme, requester=carol)
    )
    client = login(admin)
    form = client.get(f"/workorders/templates/{new_system.public_id}/edit/").content.decode()
    assert 'value="Image applied"' in form
    data = {
        **SETTINGS,
        "subject": "New system",
        "second_pair_of_eyes": "on",
        "change_note": "Mail profile step",
        **rows(
            ("Image applied", "work", True, "none"),
            ("Mail profile migrated", "work", True, "none"),
            ("User logged in", "qc", True, "none"),
        ),
    }
    done = client.post(f"/workorders/templates/{new_system.public_id}/edit/", data)
    assert done.status_code == 302
    new_system.refresh_from_db()
    assert new_system.current.number == 2
    history = client.get(f"/workorders/templates/{new_system.public_id}/").content.decode()
    assert "Version 2 (current)" in history and "Mail profile step" in history
    assert "Added: Checklist: Mail profile migrated" in history
    assert "Removed: Checklist: Data migrated [evidence: a note]" in history
    assert "Root Admin" in history
    running.refresh_from_db()
    assert running.template_version.number == 1  # a running order keeps its version
    assert running.items.count() == 6
    fresh = orders.create_work_order(
        alice, new_system, orders.NewWorkOrder(organization=acme, requester=carol)
    )
    assert fresh.template_version.number == 2
    assert fresh.items.count() == 3


def test_retire_and_reactivate(admin, alice, new_system):
    client = login(admin)
    client.post(f"/workorders/templates/{new_system.public_id}/active/", {"active": "0"})
    new_system.refresh_from_db()
    assert not new_system.is_active
    assert new_system.public_id not in login(alice).get("/workorders/new/").content.decode()
    client.post(f"/workorders/templates/{new_system.public_id}/active/", {"active": "1"})
    new_system.refresh_from_db()
    assert new_system.is_active


def test_agents_read_but_do_not_edit_and_customers_go_to_the_portal(alice, carol, new_system):
    client = login(alice)
    assert client.get("/workorders/templates/").status_code == 200
    assert client.get(f"/workorders/templates/{new_system.public_id}/").status_code == 200
    assert client.get("/workorders/templates/new/").status_code == 403
    assert client.get(f"/workorders/templates/{new_system.public_id}/edit/").status_code == 403
    refused = client.post(f"/workorders/templates/{new_system.public_id}/active/", {"active": "0"})
    assert refused.status_code == 403
    new_system.refresh_from_db()
    assert new_system.is_active
    assert login(carol).get("/workorders/templates/").status_code == 302
    assert client.get("/workorders/templates/nope/").status_code == 404

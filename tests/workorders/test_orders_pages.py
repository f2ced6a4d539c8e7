"""The work order pages: the list with its filters, "New work order", the work order page and
its forms (tick with evidence upload, QC, confirmation, cancel), the ticket page's panel and
"Make this ticket a work order"; the ticket page's Resolve shows the QC gate's message; tenancy
at every page (another client's work order is a 404, a customer is sent to the portal)."""

import pytest

from deskside.tickets.models import Status
from deskside.workorders.models import WorkOrder
from tests.conftest import login
from tests.workorders.fixtures_orders import *  # noqa: F403
from tests.workorders.fixtures_orders import complete, item, photo, text_file

pytestmark = pytest.mark.django_db


def page(wo):
    return f"/workorders/{wo.public_id}/"


def test_the_work_order_page_shows_progress_and_what_is_missing(alice, wo):
    body = login(alice).get(page(wo)).content.decode()
    assert "Image applied" in body and "User logged in" in body
    assert "Missing before resolving" in body
    assert "3 required checklist items" in body
    assert f"/tickets/{wo.ticket.number}/" in body


def test_ticking_from_the_page_with_a_photo_and_a_note(alice, wo):
    client = login(alice)
    target = item(wo, "Photo of the finished desk")
    url = f"{page(wo)}items/{target.pk}/tick/"
    refused = client.post(url, {"note": ""})
    assert refused.status_code == 422
    assert "needs a photo as evidence" in refused.content.decode()
    refused = client.post(url, {"file": text_file()})
    assert refused.status_code == 422
    assert "is not an image" in refused.content.decode()
    done = client.post(url, {"file": photo()})
    assert done.status_code == 302
    target.refresh_from_db()
    assert target.attachment is not None
    note_item = item(wo, "Data migrated")
    client.post(f"{page(wo)}items/{note_item.pk}/tick/", {"note": "38 GB copied"})
    assert item(wo, "Data migrated").note == "38 GB copied"
    assert "38 GB copied" in client.get(page(wo)).content.decode()
    client.post(f"{page(wo)}items/{note_item.pk}/untick/")
    assert not item(wo, "Data migrated").is_done


def test_qc_by_the_installer_is_refused_on_the_page(alice, leo, wo):
    client = login(alice)
    client.post(f"{page(wo)}items/{item(wo, 'Image applied').pk}/tick/")
    refused = client.post(f"{page(wo)}items/{item(wo, 'User logged in').pk}/tick/")
    assert refused.status_code == 422
    assert "second pair of eyes" in refused.content.decode()
    leo_client = login(leo)
    for text in ("User logged in", "Data spot-checked"):
        leo_client.post(f"{page(wo)}items/{item(wo, text).pk}/tick/")
    assert client.post(f"{page(wo)}sign/").status_code == 422
    assert leo_client.post(f"{page(wo)}sign/").status_code == 302
    wo.refresh_from_db()
    assert wo.qc_signed_by == leo


def test_confirm_and_cancel_forms(alice, wo):
    client = login(alice)
    refused = client.post(f"{page(wo)}confirm/", {"who": "", "how": "phone"})
    assert refused.status_code == 422
    client.post(f"{page(wo)}confirm/", {"who": "Carol", "how": "phone", "note": "Happy"})
    wo.refresh_from_db()
    assert wo.confirmation_note == "Carol, by phone: Happy"
    assert client.post(f"{page(wo)}cancel/", {"reason": ""}).status_code == 422
    client.post(f"{page(wo)}cancel/", {"reason": "Postponed"})
    wo.refresh_from_db()
    assert wo.cancel_reason == "Postponed"
    assert "Cancelled by" in client.get(page(wo)).content.decode()


def test_new_work_order_page(alice, acme, carol, acme_hq, leo, new_system):
    client = login(alice)
    assert client.get("/workorders/new/").status_code == 200
    data = {
        "template": new_system.public_id,
        "client": acme.slug,
        "requester": "nobody@acme.example",
        "site": acme_hq.public_id,
        "assignee": leo.public_id,
        "description": "Laptop for Carol",
    }
    refused = client.post("/workorders/new/", data)
    assert refused.status_code == 422
    assert "no contact of Acme Corp" in refused.content.decode()
    done = client.post("/workorders/new/", {**data, "requester": "carol@acme.example"})
    assert done.status_code == 302
    created = WorkOrder.objects.get()
    assert done["Location"] == page(created)
    assert created.ticket.assignee == leo and created.ticket.site == acme_hq
    assert "Laptop for Carol" in created.ticket.description


def test_new_work_order_for_a_client_one_does_not_serve(gus, acme, carol, new_system):
    refused = login(gus).post(
        "/workorders/new/",
        {"template": new_system.public_id, "client": acme.slug, "requester": carol.email},
    )
    assert refused.status_code == 422
    assert not WorkOrder.objects.exists()


def test_the_list_filters_and_tenancy(alice, gus, leo, wo, plain, acme, carol):
    client = login(alice)
    body = client.get("/workorders/").content.decode()
    assert wo.ticket.number in body
    assert (
        wo.ticket.number
        not in client.get(f"/workorders/?template={plain.public_id}").content.decode()
    )
    assert wo.ticket.number not in client.get("/workorders/?state=cancelled").content.decode()
    assert wo.ticket.number in client.get("/workorders/?state=awaiting_qc").content.decode()
    assert wo.ticket.number not in login(gus).get("/workorders/").content.decode()


def test_another_clients_work_order_is_a_404_and_customers_go_to_the_portal(gus, carol, wo):
    client = login(gus)
    assert client.get(page(wo)).status_code == 404
    row = item(wo, "Image applied")
    assert client.post(f"{page(wo)}items/{row.pk}/tick/").status_code == 404
    assert client.post(f"{page(wo)}sign/").status_code == 404
    assert client.get(f"/workorders/tickets/{wo.ticket.number}/").status_code == 404
    customer = login(carol)
    assert customer.get(page(wo)).status_code == 302
    assert customer.get("/workorders/").status_code == 302
    assert customer.post(f"{page(wo)}items/{row.pk}/tick/").status_code == 403
    assert not item(wo, "Image applied").is_done


def test_the_ticket_panel_and_make_this_ticket_a_work_order(alice, acme_ticket, plain, wo):
    client = login(alice)
    panel = client.get(f"/workorders/tickets/{acme_ticket.number}/").content.decode()
    assert "Make this ticket a work order" in panel
    done = client.post(
        f"/workorders/tickets/{acme_ticket.number}/start/", {"template": plain.public_id}
    )
    assert done.status_code == 302
    started = WorkOrder.objects.get(ticket=acme_ticket)
    assert done["Location"] == page(started)
    panel = client.get(f"/workorders/tickets/{wo.ticket.number}/").content.decode()
    assert "Missing before resolving" in panel and page(wo) in panel
    detail = client.get(f"/tickets/{wo.ticket.number}/").content.decode()
    assert f"/workorders/tickets/{wo.ticket.number}/" in detail


def test_resolve_on_the_ticket_page_shows_the_gate_message(alice, leo, wo):
    client = login(alice)
    ticket = wo.ticket
    version = ticket.events.order_by("-id").first().pk
    refused = client.post(
        f"/tickets/{ticket.number}/resolve/", {"resolution": "Done", "version": version}
    )
    assert refused.status_code == 422
    assert "this work order cannot be resolved yet" in refused.content.decode()
    ticket.refresh_from_db()
    assert ticket.status != Status.RESOLVED
    complete(wo, alice, leo)
    version = ticket.events.order_by("-id").first().pk
    done = client.post(
        f"/tickets/{ticket.number}/resolve/", {"resolution": "Done", "version": version}
    )
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    body = client.get(page(wo)).content.decode()
    assert "Untick" not in body  # a resolved ticket's work order is read-only

"""The QC gate at every way a ticket is resolved or closed (the ticket page and
`POST /api/v1/tickets/{n}/resolve` are in test_orders_pages.py and test_orders_api.py): a macro
that resolves, the bulk close (service and the queue's bulk action), a bulk status change to
resolved, the customer's close from the portal, and the close endpoint. Each refuses an
incomplete work order with the gate's message and changes nothing; each passes once it is
complete (or cancelled)."""

import pytest
from django.contrib.messages import get_messages

from deskside.macros import services as macros
from deskside.tickets import services as tickets
from deskside.tickets.models import Status
from deskside.workorders.exceptions import QualityGate
from deskside.workorders.services import steps
from tests.conftest import login
from tests.workorders.fixtures_orders import *  # noqa: F403
from tests.workorders.fixtures_orders import complete

pytestmark = pytest.mark.django_db


def status_of(wo):
    wo.ticket.refresh_from_db()
    return wo.ticket.status


@pytest.fixture
def resolving_macro(admin):
    return macros.create_macro(
        actor=admin,
        name="All done",
        body="Hi {{requester.first_name}}, your new system is ready.",
        set_status="resolved",
    )


def test_a_resolving_macro_meets_the_gate(alice, leo, wo, resolving_macro):
    events_before = wo.ticket.events.count()
    with pytest.raises(QualityGate, match="cannot be resolved yet"):
        macros.apply_macro(actor=alice, ticket=wo.ticket, macro=resolving_macro)
    assert status_of(wo) != Status.RESOLVED
    assert wo.ticket.events.count() == events_before  # not even the macro's text
    complete(wo, alice, leo)
    macros.apply_macro(actor=alice, ticket=wo.ticket, macro=resolving_macro)
    assert status_of(wo) == Status.RESOLVED


def test_a_resolving_macro_through_the_api(as_alice, wo, resolving_macro):
    answer = as_alice.post(
        f"/api/v1/tickets/{wo.ticket.number}/macros/{resolving_macro.public_id}/apply", {}
    )
    assert answer.status_code == 409, answer.content
    assert "cannot be resolved yet" in answer.json()["detail"]
    assert status_of(wo) != Status.RESOLVED


def test_bulk_close_refuses_the_incomplete_work_order_only(alice, leo, wo, acme_ticket):
    result = tickets.bulk_apply(
        actor=alice, tickets=[wo.ticket.number, acme_ticket.number], action="close", reason="x"
    )
    assert [r.number for r in result.refused] == [wo.ticket.number]
    assert "cannot be closed yet" in result.refused[0].reason
    assert status_of(wo) != Status.CLOSED
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.CLOSED


def test_bulk_status_resolved_meets_the_gate(alice, wo):
    result = tickets.bulk_apply(
        actor=alice, tickets=[wo.ticket.number], action="status", status="resolved", reason="x"
    )
    assert [r.number for r in result.refused] == [wo.ticket.number]
    assert status_of(wo) != Status.RESOLVED


def test_the_queues_bulk_action_shows_the_refusal(alice, wo):
    client = login(alice)
    answer = client.post(
        "/tickets/bulk/",
        {"action": "close", "ticket": [wo.ticket.number], "reason": "Done", "next": "/tickets/"},
    )
    assert answer.status_code == 302
    shown = " ".join(str(m) for m in get_messages(answer.wsgi_request))
    assert "cannot be closed yet" in shown
    assert status_of(wo) != Status.CLOSED


def test_bulk_close_passes_a_cancelled_work_order(alice, wo):
    steps.cancel_work_order(alice, wo, reason="Client postponed")
    result = tickets.bulk_apply(
        actor=alice, tickets=[wo.ticket.number], action="close", reason="Cancelled"
    )
    assert not result.refused
    assert status_of(wo) == Status.CLOSED


def test_the_customer_close_from_the_portal_meets_the_gate(carol, alice, leo, wo):
    client = login(carol)
    answer = client.post(f"/portal/{wo.ticket.number}/close/", {"reason": "I'm fine"})
    assert answer.status_code == 409
    assert "cannot be closed yet" in answer.content.decode()
    assert status_of(wo) != Status.CLOSED
    complete(wo, alice, leo)
    answer = client.post(f"/portal/{wo.ticket.number}/close/", {"reason": "All good"})
    assert answer.status_code == 302
    assert status_of(wo) == Status.CLOSED


def test_the_close_endpoint_meets_the_gate(as_alice, wo):
    answer = as_alice.post(f"/api/v1/tickets/{wo.ticket.number}/close", {"reason": "x"})
    assert answer.status_code == 409
    assert status_of(wo) != Status.CLOSED


def test_closing_a_resolved_work_order_passes(alice, leo, wo):
    complete(wo, alice, leo)
    tickets.resolve_ticket(actor=alice, ticket=wo.ticket, resolution="Done")
    tickets.close_ticket(actor=alice, ticket=wo.ticket, reason="Confirmed")
    assert status_of(wo) == Status.CLOSED


def test_merging_an_incomplete_work_order_away_meets_the_gate(alice, leo, wo, acme_ticket):
    """A merge closes the merged ticket: the gate hears MERGED as it hears CLOSED."""
    with pytest.raises(QualityGate, match="cannot be merged into another ticket yet"):
        tickets.merge_tickets(actor=alice, source=wo.ticket, target=acme_ticket)
    assert status_of(wo) != Status.CLOSED
    assert wo.ticket.merged_into_id is None
    complete(wo, alice, leo)
    tickets.merge_tickets(actor=alice, source=wo.ticket, target=acme_ticket)
    assert status_of(wo) == Status.CLOSED


def test_the_merge_endpoint_and_the_bulk_merge_meet_the_gate(as_alice, alice, wo, acme_ticket):
    answer = as_alice.post(
        f"/api/v1/tickets/{wo.ticket.number}/merge", {"into": acme_ticket.number}
    )
    assert answer.status_code == 409, answer.content
    assert "cannot be merged" in answer.json()["detail"]
    result = tickets.bulk_apply(
        actor=alice, tickets=[wo.ticket.number], action="merge", into=acme_ticket.number
    )
    assert [r.number for r in result.refused] == [wo.ticket.number]
    assert status_of(wo) != Status.CLOSED


def test_merging_a_cancelled_work_order_passes(alice, wo, acme_ticket):
    steps.cancel_work_order(alice, wo, reason="Duplicate of another request")
    tickets.merge_tickets(actor=alice, source=wo.ticket, target=acme_ticket)
    assert status_of(wo) == Status.CLOSED

"""The QC gate core: a work order's ticket is not resolved while its work is incomplete, on
the one-ticket service (the pages, the API, macros and bulk actions reach the same service and
the same hook: their own tests are beside their adapters)."""

import pytest

from deskside.tickets import services as tickets
from deskside.tickets.models import Status
from deskside.workorders import gate
from deskside.workorders.exceptions import QualityGate
from deskside.workorders.models import Section
from deskside.workorders.services import orders, templates
from deskside.workorders.services.templates import ItemSpec, VersionSpec


@pytest.fixture
def move_template(db):
    return templates.create_template(
        None,
        name="Desk move",
        kind="move",
        spec=VersionSpec(
            subject="Desk move",
            items=[
                ItemSpec("Unplug and label cables"),
                ItemSpec("Photo of the new desk", evidence="photo", required=False),
                ItemSpec("Network port patched and tested", section=Section.QC),
            ],
            second_pair_of_eyes=True,
        ),
    )


@pytest.fixture
def work_order(alice, acme, carol, move_template):
    return orders.create_work_order(
        alice, move_template, orders.NewWorkOrder(organization=acme, requester=carol)
    )


def test_a_work_order_is_a_ticket_with_the_version_items_copied(work_order, move_template):
    assert work_order.template_version.number == 1
    assert [(i.section, i.text) for i in work_order.items.all()] == [
        ("qc", "Network port patched and tested"),
        ("work", "Unplug and label cables"),
        ("work", "Photo of the new desk"),
    ]
    assert work_order.ticket.subject == "Desk move"
    assert work_order.ticket.events.filter(kind="work_order").count() == 1


def test_resolving_an_incomplete_work_order_is_refused_and_nothing_changes(alice, work_order):
    ticket = work_order.ticket
    with pytest.raises(QualityGate) as refused:
        tickets.resolve_ticket(actor=alice, ticket=ticket, resolution="Moved")
    assert "1 required checklist item" in refused.value.message
    assert "QC sign-off by a second person" in refused.value.message
    assert "confirmation with the user" in refused.value.message
    ticket.refresh_from_db()
    assert ticket.status != Status.RESOLVED
    assert not ticket.events.filter(kind="resolved").exists()


def test_closing_an_unresolved_work_order_is_refused_but_a_cancelled_one_passes(alice, work_order):
    with pytest.raises(QualityGate):
        tickets.close_ticket(actor=alice, ticket=work_order.ticket, reason="done?")
    work_order.cancelled_at = work_order.created_at
    work_order.save()
    tickets.close_ticket(actor=alice, ticket=work_order.ticket, reason="Cancelled by the client")
    assert work_order.ticket.status == Status.CLOSED


def test_a_complete_work_order_resolves(alice, leo, work_order):
    now = work_order.created_at
    work_order.items.filter(required=True).update(done_at=now, done_by=alice)
    work_order.qc_signed_at, work_order.qc_signed_by = now, leo
    work_order.confirmed_at, work_order.confirmed_by = now, alice
    work_order.save()
    assert gate.missing(work_order) == []
    tickets.resolve_ticket(actor=alice, ticket=work_order.ticket, resolution="Moved")
    assert work_order.ticket.status == Status.RESOLVED


def test_a_new_version_leaves_running_work_orders_alone(work_order, move_template, admin):
    templates.new_version(
        admin,
        move_template,
        VersionSpec(subject="Desk move", items=[ItemSpec("Only one step")], change_note="short"),
    )
    work_order.refresh_from_db()
    assert work_order.template_version.number == 1
    assert work_order.items.count() == 3
    assert move_template.current.number == 2

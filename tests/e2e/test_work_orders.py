"""A technician works through a "New system with data and mail migration" work order's
checklist on the work order page (a note as evidence, a photo upload), resolving the ticket
before it is complete fails with the gate's message on the ticket page, QC is ticked and signed
by a second agent (signed in as another agent: the second pair of eyes), the confirmation with
the user is recorded, and only then does the ticket resolve. (The work-order pages are in
tests/e2e/pages.py, so the 390 px and axe walks cover them.)"""

import pytest
from playwright.sync_api import expect

from deskside.tickets.models import Status
from deskside.workorders.demo_templates import NEW_SYSTEM, PNG, TEMPLATES, _spec
from deskside.workorders.models import Evidence, Section
from deskside.workorders.services import orders, templates
from tests.e2e.conftest import sign_in
from tests.e2e.test_tier_flow import open_action

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def work_order(admin, leo, acme, carol):
    name, kind, subject, eyes, priority, ticket_type, items = next(
        t for t in TEMPLATES if t[0] == NEW_SYSTEM
    )
    template = templates.create_template(
        admin, name=name, kind=kind, spec=_spec(subject, eyes, priority, ticket_type, items)
    )
    return orders.create_work_order(
        leo,
        template,
        orders.NewWorkOrder(organization=acme, requester=carol, assignee=leo),
    )


def resolve_on_the_ticket_page(page, number):
    page.goto(f"/tickets/{number}/")
    resolve = open_action(page, "resolve")
    resolve.get_by_label("Resolution").fill("Your new laptop is ready.")
    resolve.get_by_role("button", name="Resolve").click()


def test_a_new_system_work_order_from_checklist_to_resolved(new_page, work_order, leo, alice):
    address = f"/workorders/{work_order.public_id}/"
    number = work_order.ticket.number

    # The technician works through the checklist on the work order page.
    tech = new_page()
    tech.set_default_timeout(30_000)  # a loaded shared machine
    sign_in(tech, leo.email, "leo-pass-123")
    tech.goto(address)
    expect(tech.locator("#summary")).to_contain_text("Missing before resolving")
    for item in work_order.items.filter(section=Section.WORK).order_by("position"):
        row = tech.locator(f"#item-{item.pk}")
        if not item.required and item.evidence != Evidence.PHOTO:
            continue
        if item.evidence == Evidence.NOTE:
            row.get_by_label("Note (required)").fill("41.7 GB with robocopy; old disk wiped")
        elif item.evidence == Evidence.PHOTO:
            row.get_by_label("Photo (required)").set_input_files(
                {"name": "desk.png", "mimeType": "image/png", "buffer": PNG}
            )
        row.get_by_role("button", name="Tick: done").click()
        expect(tech.locator(f"#item-{item.pk}")).to_contain_text("Done:")
    expect(tech.locator(".wo-missing")).not_to_contain_text("checklist item")
    expect(tech.locator(".wo-missing")).to_contain_text("4 required QC items")

    # Resolving now fails with the gate's message on the ticket page.
    resolve_on_the_ticket_page(tech, number)
    expect(tech.locator("body")).to_contain_text("this work order cannot be resolved yet")
    work_order.ticket.refresh_from_db()
    assert work_order.ticket.status != Status.RESOLVED

    # The technician may not do QC: a second agent ticks and signs it.
    tech.goto(address)
    first_qc = work_order.items.filter(section=Section.QC).order_by("position").first()
    tech.locator(f"#item-{first_qc.pk}").get_by_role("button", name="Tick: done").click()
    expect(tech.locator("body")).to_contain_text("second pair of eyes")
    checker = new_page()
    checker.set_default_timeout(30_000)
    sign_in(checker, alice.email, "alice-pass-123")
    checker.goto(address)
    for item in work_order.items.filter(section=Section.QC).order_by("position"):
        checker.locator(f"#item-{item.pk}").get_by_role("button", name="Tick: done").click()
        expect(checker.locator(f"#item-{item.pk}")).to_contain_text("Done:")
    checker.get_by_role("button", name="Sign QC").click()
    expect(checker.locator("#qc")).to_contain_text("QC signed by Alice Agent")

    # The technician records the confirmation with the user, then resolves.
    tech.goto(address)
    confirm = tech.locator("#confirm")
    confirm.get_by_label("Confirmed with (name)").fill("Carol Customer")
    confirm.get_by_label("How").select_option("in_person")
    confirm.get_by_label("What they said").fill("Happy with the new laptop")
    confirm.get_by_role("button", name="Record the confirmation").click()
    expect(tech.locator("#summary")).to_contain_text("Complete")
    resolve_on_the_ticket_page(tech, number)
    expect(tech.locator("body")).to_contain_text("Ticket resolved.")
    work_order.ticket.refresh_from_db()
    assert work_order.ticket.status == Status.RESOLVED

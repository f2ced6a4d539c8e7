"""A P1 pages the on-call agent; she opens the ticket page, sees the chain in its paging panel
(loaded beside the ticket, which must stay on the page) and acknowledges it there."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from deskside.core import clock
from deskside.duty.models import Layer, LayerMember, Schedule
from deskside.paging import services as paging
from deskside.paging import worker as paging_worker
from deskside.paging.models import Escalation
from deskside.paging.services import StepSpec
from deskside.sla.calendar import CalendarSpec
from deskside.sla.models import Calendar, Contract
from deskside.tickets.models import Priority
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_on_call_agent_acknowledges_from_the_ticket_page(
    live_server, new_page, alice, tara, make_ticket, carol
):
    schedule = Schedule.objects.create(name="Primary on call", slug="primary")
    layer = Layer.objects.create(
        schedule=schedule, name="Weekly", starts_at=clock.now() - timedelta(days=3)
    )
    LayerMember.objects.create(layer=layer, user=alice, position=0)
    tara.is_staff = True
    tara.save(update_fields=["is_staff"])
    policy = paging.create_policy(
        actor=tara,
        name="Around the clock",
        steps=[StepSpec(target="schedule", schedule=schedule, wait_minutes=5)],
    )
    always = Calendar.objects.create(name="24x7", definition=CalendarSpec.always().to_json())
    contract = Contract.objects.create(name="Standard", is_default=True, calendar=always)
    paging.set_rule(actor=tara, contract=contract, policy=policy)
    ticket = make_ticket(carol, subject="Core switch down", priority=Priority.P1)
    paging_worker.paging_pass()  # Alice is paged

    page = new_page()
    sign_in(page, alice.email, "alice-pass-123")
    page.goto(live_server.url + f"/tickets/{ticket.number}/")
    panel = page.locator("#paging-panel")
    expect(panel).to_contain_text("Alice")
    expect(page.locator("h1")).to_contain_text("Core switch down")  # the ticket stays
    expect(page.locator("#ticket dt:text-is('Assignee') + dd")).to_contain_text("unassigned")
    expect(page.get_by_role("button", name="Assign to me")).to_be_visible()
    panel.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("#paging-panel")).to_contain_text("cknowledged")
    expect(page.locator("h1")).to_contain_text("Core switch down")
    # The rest of the ticket page follows (issue 11: it stayed stale until a reload): the
    # acknowledgement assigned the ticket to Alice and wrote it on the timeline.
    expect(page.locator("#timeline")).to_contain_text("acknowledged the page via the paging page")
    expect(page.locator("#ticket dt:text-is('Assignee') + dd")).not_to_contain_text("unassigned")
    expect(page.get_by_role("button", name="Assign to me")).to_have_count(0)
    expect(page.locator("#paging-panel")).to_have_count(1)  # reloaded with the page, once
    expect(page.locator("#paging-panel")).to_contain_text("acknowledged by Alice")
    assert Escalation.objects.get(ticket=ticket).status == Escalation.Status.ACKNOWLEDGED
    ticket.refresh_from_db()
    assert ticket.assignee == alice

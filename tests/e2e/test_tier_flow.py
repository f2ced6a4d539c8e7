"""The whole tiered path, as the people do it in a browser:

an L1 agent logs a phone call, escalates it to Level 2 with triage notes, the L2 technician
sees the notes first and resolves it on site, and the customer sees it resolved in the portal.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from deskside.tickets.models import EventKind, Status, Ticket
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_action(page: Page, name: str):
    """Open the ticket page's <details> for `name` and return it as a locator scope."""
    action = page.locator(f"#action-{name}")
    action.locator("summary").click()
    return action


def test_phone_call_escalated_resolved_on_site_seen_by_customer(
    new_page, alice, leo, carol, dave, desktop_team
):
    # Level 1: Alice takes Carol's call and logs it from the one intake form.
    agent = new_page()
    sign_in(agent, alice.email, "alice-pass-123")
    agent.get_by_role("link", name="Log a call").click()
    agent.get_by_label("Client").select_option(label="Acme Corp")
    requester = agent.get_by_label("Requester")
    expect(requester.locator("option", has_text="Carol Customer")).to_have_count(1)
    requester.select_option(label="Carol Customer · HQ")
    agent.get_by_label("Subject").fill("Docking station gives no video")
    agent.get_by_label("Description").fill("Both monitors stay black when docked.")
    agent.get_by_label("Call minutes").fill("6")
    agent.get_by_role("button", name="Log the call").click()
    expect(agent.locator("h1")).to_contain_text("Docking station gives no video")
    ticket = Ticket.objects.get(subject="Docking station gives no video")
    assert ticket.channel == "phone" and ticket.requester == carol
    assert ticket.events.filter(kind=EventKind.CALL, data__minutes=6).exists()

    # Alice cannot fix it remotely: escalate to desktop support with triage notes.
    escalate = open_action(agent, "escalate")
    escalate.get_by_label("Tier").select_option("L2")
    escalate.get_by_label("Team").select_option(label="Desktop Support L2")
    escalate.get_by_label("Assignee").select_option(label="Leo Field (L2)")
    escalate.get_by_label("Symptoms").fill("No video on either monitor through the dock.")
    escalate.get_by_label("Steps already tried").fill("Reseated USB-C, updated dock firmware.")
    escalate.get_by_label("Impact").fill("One user cannot work at her desk.")
    escalate.get_by_role("button", name="Escalate").click()
    expect(agent.locator(".triage")).to_contain_text("updated dock firmware")
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignee, ticket.team) == ("L2", leo, desktop_team)

    # Level 2: Leo finds it in his queue, reads the triage notes first, resolves on site.
    tech = new_page()
    sign_in(tech, leo.email, "leo-pass-123")
    tech.goto("/tickets/?queue=mine")
    tech.get_by_role("link", name=re.compile("Docking station gives no video")).first.click()
    triage = tech.locator(".triage")
    expect(triage).to_contain_text("No video on either monitor through the dock.")
    expect(triage).to_contain_text("One user cannot work at her desk.")
    resolve = open_action(tech, "resolve")
    resolve.get_by_label("Resolution").fill("Replaced the faulty dock power supply on site.")
    resolve.get_by_role("button", name="Resolve").click()
    expect(tech.locator("body")).to_contain_text("Resolved")
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.first_contact_resolution is False

    # The customer follows it in the portal: resolved, with the resolution, no internal notes.
    customer = new_page()
    sign_in(customer, carol.email, "carol-pass-123")
    expect(customer.locator("main")).to_contain_text("Docking station gives no video")
    customer.get_by_role("link", name=re.compile("Docking station gives no video")).first.click()
    main = customer.locator("main")
    expect(main).to_contain_text("Resolved")
    expect(main).to_contain_text("Replaced the faulty dock power supply on site.")
    expect(main).not_to_contain_text("updated dock firmware")  # triage notes are internal

    # Another client's customer cannot reach it, even with the number.
    other = new_page()
    sign_in(other, dave.email, "dave-pass-123")
    response = other.goto(f"/portal/{ticket.number}/")
    assert response is not None and response.status == 404

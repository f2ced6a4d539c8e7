"""An L2 technician's open page shows the escalation notification without a reload when an L1
agent escalates to their team; opening it marks it read and shows the ticket, where a
mention of them is highlighted and listed first."""

import re

import pytest
from playwright.sync_api import expect

from deskside.notifications.models import Notification
from deskside.tickets.models import Ticket
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

POLL_WAIT = 25_000  # the count is polled every 15 s


def test_l2_sees_the_escalation_without_reloading(
    new_page, make_ticket, alice, leo, carol, desktop_team
):
    ticket = make_ticket(carol, subject="Docking station gives no video")

    tech = new_page()
    sign_in(tech, leo.email, "leo-pass-123")
    tech.goto("/tickets/")
    count = tech.locator("#notif-count")
    expect(count).to_be_empty()
    tech.evaluate("window.__stillHere = true")  # gone if the page reloads

    desk = new_page()
    sign_in(desk, alice.email, "alice-pass-123")
    desk.goto(f"/tickets/{ticket.number}/")
    note = desk.locator("#action-note")
    note.locator("summary").click()
    note.get_by_label("Note").fill("@leo the dock in room 4 again")
    note.get_by_role("button", name="Add note").click()
    expect(desk.locator("#timeline")).to_contain_text("the dock in room 4 again")
    escalate = desk.locator("#action-escalate")
    escalate.locator("summary").click()
    escalate.get_by_label("Tier").select_option("L2")
    escalate.get_by_label("Team").select_option(label="Desktop Support L2")
    escalate.get_by_label("Symptoms").fill("No video through the dock.")
    escalate.get_by_label("Steps already tried").fill("Reseated USB-C.")
    escalate.get_by_label("Impact").fill("One user cannot work.")
    escalate.get_by_role("button", name="Escalate").click()
    expect(desk.locator(".triage")).to_contain_text("Reseated USB-C.")

    expect(count.locator(".notif-badge")).to_have_text("2", timeout=POLL_WAIT)
    assert tech.evaluate("window.__stillHere") is True

    tech.get_by_role("link", name=re.compile("^Notifications")).click()
    escalated = tech.get_by_role("link", name=re.compile("escalated to L2, Desktop Support L2"))
    expect(escalated).to_be_visible()
    escalated.click()
    expect(tech.locator("h1")).to_contain_text("Docking station gives no video")
    panel = tech.locator(".mentions-of-me")
    expect(panel).to_contain_text("Alice Agent")
    expect(tech.locator("#timeline mark.mention-me")).to_have_text("@leo")
    assert Notification.objects.filter(recipient=leo, read_at=None).count() == 1  # the mention
    assert Ticket.objects.get(pk=ticket.pk).tier == "L2"


def test_the_notification_pages_fit_a_390px_screen(
    browser, live_server, make_ticket, alice, leo, carol
):
    ticket = make_ticket(carol, subject="A long subject " * 8)
    from deskside.tickets import services as tickets  # noqa: PLC0415

    for i in range(3):
        tickets.add_note(actor=alice, ticket=ticket, body=f"@leo {'word ' * 40} {i}")
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, leo.email, "leo-pass-123")
        for url in ("/notifications/", "/notifications/preferences/", f"/tickets/{ticket.number}/"):
            assert page.goto(url).status == 200
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    finally:
        context.close()

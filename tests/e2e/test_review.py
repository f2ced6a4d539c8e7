"""The daily review in the browser: an agent marks a ticket reviewed in one click, and the
row turns to "done" in place (htmx: the page is not reloaded); the note goes on the ticket."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from deskside.core import clock
from tests.e2e.conftest import sign_in
from tests.review.conftest import T0

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_one_click_marks_a_ticket_reviewed(new_page, make_ticket, carol, alice):
    with clock.frozen(T0 - timedelta(days=9)):
        ticket = make_ticket(carol, subject="Scanner jams on floor 3")
    with clock.frozen(T0):
        page = new_page()
        sign_in(page, alice.email, "alice-pass-123")
        page.goto("/review/")
        page.evaluate("window.notReloaded = true")
        row = page.locator(f"#rv-open_long-{ticket.number}")
        row.get_by_label(f"Note on {ticket.number} (optional)").fill("Asked the vendor again.")
        row.get_by_role("button", name=f"Mark {ticket.number} reviewed").click()
        done = page.locator(f"#rv-open_long-{ticket.number}")
        expect(done).to_contain_text("Reviewed by Alice Agent")
        expect(done).to_contain_text("Asked the vendor again.")
        assert page.evaluate("window.notReloaded") is True
        # Another row of the same ticket, one click without a note: done too (by Alice).
        other = page.locator(f"#rv-no_update-{ticket.number}")
        other.get_by_role("button", name=f"Mark {ticket.number} reviewed").click()
        expect(page.locator(f"#rv-no_update-{ticket.number}")).to_contain_text(
            "Reviewed by Alice Agent"
        )
        page.goto("/review/history/")
        expect(page.get_by_role("table")).to_contain_text("Alice Agent (1)")
    assert ticket.events.filter(body="Daily review: Asked the vendor again.").exists()

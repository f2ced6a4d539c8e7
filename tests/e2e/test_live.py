"""Two agents on one ticket (issue 14, item 4): Alice sees that Leo is viewing, then replying;
Leo changes the status; Alice's page shows it without a reload, and her own status change,
based on the page she loaded before, is refused with a message naming Leo's change. Her draft
reply survives; "show" brings the page up to date, and then her change goes through.

The pollers fire every 10 s; the test fires them at once (htmx.trigger, the event the pages'
own script uses) rather than wait."""

import re

import pytest
from playwright.sync_api import Page, expect

from deskside.tickets import services
from deskside.tickets.models import Status
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def poll_now(page: Page) -> None:
    with page.expect_response(lambda r: "/live/tickets/" in r.url):
        page.evaluate("htmx.trigger(document.getElementById('live-ticket'), 'live-poll')")


def write(page: Page, box: str, text: str) -> None:
    """Open the reply or note box (a <details>) and type into it."""
    page.locator(f"#action-{box} summary").click()
    page.locator(f"#{box}-body").fill(text)


def set_status(page: Page, label: str) -> None:
    if not page.locator("#action-status").evaluate("details => details.open"):
        page.locator("#action-status summary").click()
    page.locator("#status-status").select_option(label=label)
    page.locator("#action-status").get_by_role("button", name="Set status").click()


def test_a_colleagues_change_shows_up_and_a_stale_change_is_refused(
    live_server, new_page, alice, leo, acme_ticket
):
    url = live_server.url + acme_ticket.get_absolute_url()
    a = new_page()
    sign_in(a, alice.email, "alice-pass-123")
    a.goto(url)
    b = new_page()
    sign_in(b, leo.email, "leo-pass-123")
    b.goto(url)
    b.wait_for_load_state("networkidle")  # Leo's first heartbeat

    live = a.locator("#live-ticket")
    poll_now(a)
    expect(live).to_contain_text("Leo Field is viewing this ticket")

    # Leo starts a reply: his page tells the server at once
    with b.expect_response(lambda r: "/live/tickets/" in r.url):
        write(b, "reply", "Let me check")
    poll_now(a)
    expect(live).to_contain_text("Leo Field is replying to this ticket")

    # Alice starts typing a reply of her own, then Leo changes the status
    write(a, "reply", "Draft for Carol")
    set_status(b, "Pending customer")
    expect(b.locator("#ticket .messages")).to_contain_text("Status set to pending customer")
    poll_now(a)
    expect(live).to_contain_text("Leo Field set the status to Pending customer")
    expect(a.locator("#ticket dt:text-is('Status') + dd")).to_have_text("New")  # not reloaded

    # Alice's status change is based on what she loaded: refused, nothing overwritten
    set_status(a, "On hold")
    alert = a.locator("#ticket .error.card")
    expect(alert).to_contain_text("The status change was not done.")
    expect(alert).to_contain_text(
        re.compile(
            r"Leo Field changed this ticket at \d\d:\d\d \(status → Pending customer\) since "
            r"you opened it; reload to see the change\."
        )
    )
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.PENDING_CUSTOMER
    # the refusal shows the stored ticket, and her draft is still there
    expect(a.locator("#ticket dt:text-is('Status') + dd")).to_have_text("Pending customer")
    expect(a.locator("#reply-body")).to_have_value("Draft for Carol")

    # now that she has seen it, the same change goes through
    set_status(a, "On hold")
    expect(a.locator("#ticket .messages")).to_contain_text("Status set to on hold")
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.ON_HOLD


def test_show_swaps_the_ticket_in_and_keeps_the_draft(
    live_server, new_page, alice, leo, acme_ticket
):
    a = new_page()
    sign_in(a, alice.email, "alice-pass-123")
    a.goto(live_server.url + acme_ticket.get_absolute_url())
    a.wait_for_load_state("networkidle")
    write(a, "note", "Half-written note")
    services.add_note(actor=leo, ticket=acme_ticket, body="Replaced the toner")
    poll_now(a)
    notice = a.locator("#live-ticket .live-change")
    expect(notice).to_contain_text("Leo Field added a note")
    expect(a.locator("#timeline")).not_to_contain_text("Replaced the toner")
    notice.get_by_role("link", name="show").click()
    expect(a.locator("#timeline")).to_contain_text("Replaced the toner")
    expect(a.locator("#note-body")).to_have_value("Half-written note")
    expect(a.locator("#live-ticket .live-change")).to_have_count(0)

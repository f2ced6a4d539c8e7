"""A macro reply in a browser: an agent picks a macro in the ticket's reply box, sees the text
filled in for this ticket and what else it will change, sends it, and the timeline shows the
reply and the status change."""

import pytest
from playwright.sync_api import expect

from deskside.macros import services as macros
from deskside.tickets.models import EventKind, Status
from tests.e2e.conftest import sign_in
from tests.e2e.test_narrow_screens import STICKING_OUT

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_agent_replies_with_a_macro(new_page, admin, alice, leo, acme_ticket):
    macros.create_macro(
        actor=admin,
        name="Waiting for your reply",
        body="Hi {{requester.first_name}}, could you send a photo of the printer's display? "
        "{{agent.first_name}}",
        set_status=Status.PENDING_CUSTOMER,
        add_watcher=leo,
    )
    page = new_page()
    sign_in(page, alice.email, "alice-pass-123")
    page.goto(acme_ticket.get_absolute_url())

    picker = page.locator("#action-macro")
    picker.locator("summary").click()
    picker.get_by_label("Macro").select_option(label="Waiting for your reply")
    preview = page.locator("#macro-preview")
    text = preview.get_by_label("Text")
    expect(text).to_have_value("Hi Carol, could you send a photo of the printer's display? Alice")
    expect(preview).to_contain_text("set status Pending customer")
    expect(preview).to_contain_text("add watcher Leo Field")
    assert acme_ticket.events.count() == 1  # the preview changed nothing

    text.fill("Hi Carol, could you send a photo of the display, please? Alice")
    preview.get_by_role("button", name="Send with macro").click()

    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("could you send a photo of the display, please?")
    expect(timeline).to_contain_text("Pending customer")
    expect(page.locator(".ticket-head")).to_contain_text("Pending customer")
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.PENDING_CUSTOMER
    assert acme_ticket.events.filter(kind=EventKind.REPLY).count() == 1


def test_the_picker_preview_and_the_list_fit_a_phone(browser, live_server, admin, acme_ticket):
    macros.create_macro(
        actor=admin,
        name="Dispatching a technician to the site with a rather long macro name",
        body="Hi {{requester.first_name}}, a technician will come to {{site.name}} "
        "(ticket {{ticket.number}}, {{ticket.subject}}).",
        set_status=Status.ON_HOLD,
    )
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, admin.email, "root-pass-123")
        page.goto(acme_ticket.get_absolute_url())
        picker = page.locator("#action-macro")
        picker.locator("summary").click()
        picker.get_by_label("Macro").select_option(index=1)
        expect(page.locator("#macro-preview")).to_contain_text("set status On hold")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.goto("/macros/")
        expect(page.locator("h1")).to_have_text("Macros")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, page.evaluate(STICKING_OUT)
    finally:
        context.close()

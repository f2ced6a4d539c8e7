"""Log a call in a browser: the screen-pop URL of a phone system for an unknown number, the
look-up's listbox by keyboard, a repeat call logged on the open ticket, and the page at
390 px wide."""

import re

import pytest
from playwright.sync_api import Page, expect

from deskside.accounts import services as accounts
from deskside.accounts.models import User
from deskside.tickets.models import EventKind, Ticket
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class Steps:
    """Counts what the agent does: each keystroke-or-click step (a navigation, a click, a
    field filled or a choice made) goes through `step`."""

    def __init__(self) -> None:
        self.count = 0

    def step(self, action, *args, **kwargs):
        self.count += 1
        return action(*args, **kwargs)


def test_screen_pop_for_an_unknown_number_logs_the_call_for_a_new_contact(
    new_page, alice, acme, acme_hq, globex
):
    page: Page = new_page()
    sign_in(page, alice.email, "alice-pass-123")
    steps = Steps()

    # The softphone opens the pop with the caller ID, its plus not URL-encoded.
    steps.step(page.goto, "/tickets/call/?phone=+15550100777")
    expect(page.locator("#new-contact")).to_have_attribute("open", "")
    expect(page.get_by_label("Contact phone")).to_have_value("+1 555-010-0777")
    expect(page.get_by_text("Nobody matches")).to_be_visible()

    steps.step(page.get_by_label("Contact name").fill, "Nina Newcomer")
    steps.step(page.get_by_label("Contact email").fill, "nina@acme.example")
    steps.step(page.get_by_label("Client").select_option, label="Acme Corp")
    steps.step(page.get_by_label("Subject").fill, "Cannot print to the 2nd floor printer")
    steps.step(page.get_by_role("button", name="Log the call").click)

    expect(page.locator("h1")).to_contain_text("Cannot print to the 2nd floor printer")
    assert steps.count < 8, steps.count
    nina = User.objects.get(email="nina@acme.example")
    assert nina.organization == acme and nina.phone_e164 == "+15550100777"
    ticket = Ticket.objects.get(requester=nina)
    assert ticket.channel == "phone" and ticket.assignee == alice
    assert ticket.events.filter(kind=EventKind.CALL).exists()


def test_a_signed_out_agent_signs_in_and_lands_on_the_pop(new_page, alice, acme):
    erin = accounts.create_user(
        email="erin@acme.example", full_name="Erin Walsh", organization=acme, phone="5550100123"
    )
    page = new_page()
    page.goto("/tickets/call/?phone=+15550100123")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill("alice-pass-123")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/tickets/call/\?phone="))
    expect(page.get_by_label("Requester")).to_have_value(erin.public_id)


def test_the_lookup_by_keyboard_and_a_repeat_call_on_the_open_ticket(
    new_page, alice, acme, acme_hq, make_ticket
):
    erin = accounts.create_user(
        email="erin@acme.example",
        full_name="Erin Walsh",
        organization=acme,
        site=acme_hq,
        phone="(555) 010-0123",
        is_vip=True,
    )
    accounts.create_user(email="eric@acme.example", full_name="Eric Young", organization=acme)
    ticket = make_ticket(erin, subject="Laptop will not dock")
    page = new_page()
    sign_in(page, alice.email, "alice-pass-123")
    page.get_by_role("link", name="Log a call").click()

    box = page.get_by_role("combobox", name="Find the caller")
    expect(box).to_be_focused()
    box.press_sequentially("er")
    options = page.locator("#caller-listbox").get_by_role("option")
    expect(options).to_have_count(2)
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", f"caller-{erin.public_id}")
    box.press("Enter")

    # Enter chose Erin (not submitted the form): her client, her, and her open ticket.
    expect(page.get_by_label("Requester")).to_have_value(erin.public_id)
    expect(page.get_by_label("Client")).to_have_value("acme")
    expect(page.locator("#caller-vip")).to_have_text("VIP caller")
    aside = page.locator("#caller-tickets")
    expect(aside).to_contain_text("Laptop will not dock")
    expect(page.get_by_label("Subject")).to_be_focused()

    page.get_by_label("Description").fill("Called again: the dock still shows no video.")
    aside.get_by_role("button", name=f"Log this call on {ticket.number}").click()
    expect(page.locator("h1")).to_contain_text("Laptop will not dock")
    assert Ticket.objects.count() == 1
    call = ticket.events.filter(kind=EventKind.CALL).latest("id")
    assert call.body == "Called again: the dock still shows no video."


def test_log_a_call_fits_a_390px_screen(browser, live_server, alice, acme, make_ticket):
    erin = accounts.create_user(
        email="erin.with.a.rather.long.address@acme.example",
        full_name="Erin Walsh-Montgomery",
        organization=acme,
        phone="(555) 010-0123",
        is_vip=True,
    )
    make_ticket(erin, subject="A long subject " * 6)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, alice.email, "alice-pass-123")
        page.goto(f"/tickets/new/?caller={erin.public_id}")
        page.get_by_role("combobox", name="Find the caller").fill("5550100")
        expect(page.locator("#caller-listbox").get_by_role("option")).to_have_count(1)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
    finally:
        context.close()

"""The agent pages in a real browser: htmx swaps the ticket in place, and the intake form
reloads the client's contacts when the client changes."""

import os
import shutil

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, sync_playwright

from deskside.tickets.models import EventKind, Ticket

# Debian's Chromium, driven by Playwright (no browser download), as in tests/e2e.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("DESKSIDE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Browser:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Browser, live_server):
    contexts = []

    def make() -> Page:
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto(reverse("login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("DESKSIDE_SCREENSHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_note_is_added_without_a_reload(new_page, alice, acme_ticket):
    page = new_page()
    sign_in(page, "alice@msp.example", "alice-pass-123")
    page.goto(reverse("tickets:queue"))
    shot(page, "queue")
    page.goto(acme_ticket.get_absolute_url())
    page.evaluate("window.notReloaded = true")
    page.get_by_text("Internal note", exact=True).click()
    page.locator("#note-body").fill("Checked the print spooler")
    page.get_by_role("button", name="Add note").click()
    page.locator("#timeline").get_by_text("Checked the print spooler").wait_for()
    assert page.evaluate("window.notReloaded") is True
    assert page.get_by_text("Internal note added.").is_visible()
    assert acme_ticket.events.filter(kind=EventKind.NOTE).count() == 1
    shot(page, "detail")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "detail-phone")


def test_intake_reloads_contacts_for_the_client(new_page, alice, carol, dave):
    page = new_page()
    sign_in(page, "alice@msp.example", "alice-pass-123")
    page.goto(reverse("tickets:new"))
    page.get_by_label("Client").select_option("acme")
    page.locator("#id_requester option", has_text="Carol Customer").wait_for(state="attached")
    assert page.locator("#id_requester option", has_text="Dave Other").count() == 0
    page.get_by_label("Requester").select_option(
        label=page.locator("#id_requester option", has_text="Carol Customer").inner_text()
    )
    page.get_by_label("Subject").fill("Cannot log in")
    page.get_by_label("Resolved on this call").fill("Unlocked the account")
    shot(page, "new")
    page.get_by_role("button", name="Log the call").click()
    page.get_by_text("logged and resolved on the call").wait_for()
    ticket = Ticket.objects.get()
    assert ticket.first_contact_resolution

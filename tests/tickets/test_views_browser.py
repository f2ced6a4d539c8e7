"""The agent pages in a real browser: htmx swaps the ticket in place, and the intake form
reloads the client's contacts when the client changes.

Each scenario drives Debian's Chromium through Playwright in a thread of its own: tests/e2e
keeps a session-wide Playwright running in the test thread, and a second sync Playwright may
not start in a thread that already has one.
"""

import os
import shutil
import threading
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, sync_playwright

from deskside.tickets.models import EventKind, Ticket

CHROMIUM = os.environ.get("DESKSIDE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
SHOTS = os.environ.get("DESKSIDE_SCREENSHOTS")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def in_browser(base_url: str, scenario: Callable[[Page], None]) -> None:
    """Run `scenario` on a fresh page of a fresh Chromium, in its own thread; re-raise its
    failure here."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium")
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    context = browser.new_context(base_url=base_url)
                    context.set_default_timeout(10_000)
                    scenario(context.new_page())
                finally:
                    browser.close()
        except BaseException as error:  # handed to the test thread below
            failures.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the browser scenario did not finish in 120 s"
    if failures:
        raise failures[0]


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto(reverse("login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_note_is_added_without_a_reload(live_server, alice, acme_ticket):
    detail = acme_ticket.get_absolute_url()

    def scenario(page: Page) -> None:
        sign_in(page, "alice@msp.example", "alice-pass-123")
        page.goto(reverse("tickets:queue"))
        shot(page, "queue")
        page.goto(detail)
        page.evaluate("window.notReloaded = true")
        page.get_by_text("Internal note", exact=True).click()
        page.locator("#note-body").fill("Checked the print spooler")
        page.get_by_role("button", name="Add note").click()
        page.locator("#timeline").get_by_text("Checked the print spooler").wait_for()
        assert page.evaluate("window.notReloaded") is True
        assert page.get_by_text("Internal note added.").is_visible()
        shot(page, "detail")
        page.set_viewport_size({"width": 390, "height": 844})
        shot(page, "detail-phone")

    in_browser(live_server.url, scenario)
    assert acme_ticket.events.filter(kind=EventKind.NOTE).count() == 1


def test_intake_reloads_contacts_for_the_client(live_server, alice, carol, dave):
    def scenario(page: Page) -> None:
        sign_in(page, "alice@msp.example", "alice-pass-123")
        page.goto(reverse("tickets:new"))
        page.get_by_label("Client").select_option("acme")
        carol_option = page.locator("#id_requester option", has_text="Carol Customer")
        carol_option.wait_for(state="attached")
        assert page.locator("#id_requester option", has_text="Dave Other").count() == 0
        page.get_by_label("Requester").select_option(label=carol_option.inner_text())
        page.get_by_label("Subject").fill("Cannot log in")
        page.get_by_label("Resolved on this call").fill("Unlocked the account")
        shot(page, "new")
        page.get_by_role("button", name="Log the call").click()
        page.get_by_text("logged and resolved on the call").wait_for()

    in_browser(live_server.url, scenario)
    ticket = Ticket.objects.get()
    assert ticket.requester == carol
    assert ticket.first_contact_resolution

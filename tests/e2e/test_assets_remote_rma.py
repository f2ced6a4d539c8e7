"""Remote control and vendor RMAs in the browser: on the demo's data, an agent presses
Connect on the ticket page (a new tab opens on the built link, the panel shows the session
running), ends it with a summary, adds a vendor-case entry from the panel; and the three
pages of these parts (tests/e2e/pages.py) fit 390 px and have no serious axe violation
(the full walks of test_narrow_screens and test_accessibility cover them too)."""

import pytest
from playwright.sync_api import expect

from deskside import demo
from deskside.assets.models import RemoteSession, VendorCase
from tests.e2e.conftest import sign_in
from tests.e2e.pages import ADMIN, AGENT_PAGES
from tests.e2e.test_accessibility import failures
from tests.e2e.test_narrow_screens import too_wide

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MINE = (
    "remote-access links",
    "ticket with a remote session",
    "ticket with a vendor case",
    "remote session",
)


@pytest.fixture
def agent_page(browser, live_server):
    demo.load(tickets=40)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, ADMIN, demo.PASSWORD)
    yield page
    context.close()


def test_connect_end_and_a_vendor_entry(agent_page, live_server):
    page = agent_page
    ticket_url = AGENT_PAGES["ticket with a remote session"]()
    page.goto(ticket_url)
    page.wait_for_load_state("networkidle")
    button = page.locator("#remote-panel button", has_text="Connect: RustDesk").first
    # a new tab opens the session's page, which links (and refreshes) to the built link
    with page.context.expect_page() as opened:
        button.click()
    tab = opened.value
    tab.wait_for_load_state()
    running = RemoteSession.objects.filter(ended_at__isnull=True).get()
    assert running.url.startswith("rustdesk://")
    link = tab.get_by_role("link", name="Open RustDesk")
    assert link.get_attribute("href") == running.url
    tab.close()
    page.wait_for_timeout(2500)  # the panel reloads itself after a Connect
    panel = page.locator("#remote-panel")
    assert "Running" in panel.inner_text()
    panel.get_by_text("End session").first.click()
    panel.get_by_label("What was done (optional)").fill("Restarted the print spooler")
    panel.get_by_role("button", name="End session").click()
    expect(page.locator("#remote-panel")).not_to_contain_text("Running")
    running.refresh_from_db()
    assert running.ended_at is not None and running.summary == "Restarted the print spooler"
    assert "Running" not in page.locator("#remote-panel").inner_text()

    page.goto(AGENT_PAGES["ticket with a vendor case"]())
    page.wait_for_load_state("networkidle")
    rma = page.locator("#rma-panel")
    rma.get_by_text("Add an entry").first.click()
    rma.get_by_label("Kind").first.select_option("received")
    rma.get_by_label("What was shipped or received; what the vendor said").first.fill(
        "Repaired laptop back from Dell"
    )
    rma.get_by_label("Tracking number").first.fill("1Z-BACK")
    rma.get_by_role("button", name="Add", exact=True).first.click()
    expect(page.locator("#rma-panel")).to_contain_text("Repaired laptop back from Dell")
    case = VendorCase.objects.get(case_number="SR 1187-42096")
    assert case.entries.filter(kind="received", tracking="1Z-BACK").exists()


def test_my_pages_fit_a_phone_and_pass_axe(browser, live_server, axe_check):
    demo.load(tickets=40)
    mine = {name: AGENT_PAGES[name] for name in MINE}
    for viewport in ({"width": 390, "height": 844}, {"width": 1280, "height": 900}):
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        context.set_default_timeout(10_000)
        page = context.new_page()
        sign_in(page, ADMIN, demo.PASSWORD)
        if viewport["width"] == 390:
            assert too_wide(page, mine) == {}
        assert failures(page, mine, axe_check) == {}
        context.close()

"""axe-core on the pages (issue 14): no serious or critical accessibility violation on the
agent pages (the queue, a ticket, Log a call and every other page in tests/e2e/pages.py) and
the portal's, at a desktop's width and at a phone's, and with the keys' dialog open.

To check one more page, add it to AGENT_PAGES or CUSTOMER_PAGES in tests/e2e/pages.py (the
phone-width test walks the same list)."""

import pytest

from deskside import demo
from deskside.paging import worker as paging_worker
from tests.e2e.conftest import sign_in
from tests.e2e.pages import ADMIN, AGENT_PAGES, CUSTOMER, CUSTOMER_PAGES, url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def failures(page, pages: dict, axe_check) -> dict[str, list[str]]:
    found = {}
    for name, page_url in pages.items():
        address = url(page_url)
        response = page.goto(address)
        assert response is not None and response.status == 200, (name, address)
        page.wait_for_load_state("networkidle")  # htmx panels loaded
        if problems := axe_check(page):
            found[name] = [str(p) for p in problems]
    return found


@pytest.fixture
def browse(browser, live_server):
    contexts = []

    def open_as(email: str, viewport: dict):
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, email, demo.PASSWORD)
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_agent_pages_have_no_serious_violations(browse, axe_check, viewport):
    demo.load(tickets=40)
    paging_worker.paging_pass()
    page = browse(ADMIN, viewport)
    assert failures(page, AGENT_PAGES, axe_check) == {}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_portal_pages_have_no_serious_violations(browse, axe_check, viewport):
    demo.load(tickets=40)
    page = browse(CUSTOMER, viewport)
    assert failures(page, CUSTOMER_PAGES, axe_check) == {}


def test_the_keys_dialog_and_the_open_menu_have_no_serious_violations(browse, axe_check):
    demo.load(tickets=40)
    page = browse(ADMIN, PHONE)
    page.goto("/tickets/?queue=all")
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Menu").click()
    assert [str(p) for p in axe_check(page)] == []
    page.keyboard.press("?")
    assert page.get_by_role("dialog", name="Keyboard shortcuts").is_visible()
    assert [str(p) for p in axe_check(page)] == []

"""At 390 px wide (a phone held upright), every agent page and every portal page fits the
screen: nothing scrolls the whole page sideways (issues 11 and 14); tables turn into stacked
rows, each cell under its column's header (small.css, small.js); the navigation folds into a
menu. Run on the demo's data, which has long subjects, client names and every kind of row.
The pages are listed in tests/e2e/pages.py."""

import pytest

from deskside import demo
from deskside.paging import worker as paging_worker
from tests.e2e.conftest import sign_in
from tests.e2e.pages import ADMIN, AGENT_PAGES, CUSTOMER, CUSTOMER_PAGES, url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What sticks out, to say why a page is too wide: the outermost elements past the right edge.
STICKING_OUT = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 391
    && !(e.parentElement && e.parentElement.getBoundingClientRect().right > 391))
  .slice(0, 5)
  .map(e => e.tagName.toLowerCase()
    + (e.className ? '.' + String(e.className).split(' ').join('.') : '')
    + ' ' + Math.round(e.getBoundingClientRect().right))"""

FITS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def too_wide(page, pages: dict) -> dict:
    wide = {}
    for name, page_url in pages.items():
        address = url(page_url)
        response = page.goto(address)
        assert response is not None and response.status == 200, (name, address)
        page.wait_for_load_state("networkidle")  # htmx panels and charts loaded
        if not page.evaluate(FITS):
            wide[name] = (
                address,
                page.evaluate("document.documentElement.scrollWidth"),
                page.evaluate(STICKING_OUT),
            )
    return wide


def test_every_agent_page_fits_a_390px_screen(phone):
    demo.load(tickets=40)
    paging_worker.paging_pass()
    sign_in(phone, ADMIN, demo.PASSWORD)
    assert too_wide(phone, AGENT_PAGES) == {}


def test_every_portal_page_fits_a_390px_screen(phone):
    demo.load(tickets=40)
    sign_in(phone, CUSTOMER, demo.PASSWORD)
    assert too_wide(phone, CUSTOMER_PAGES) == {}


def test_tables_stack_with_their_headers_as_labels_and_the_menu_folds(phone):
    demo.load(tickets=40)
    sign_in(phone, ADMIN, demo.PASSWORD)
    phone.goto("/tickets/?queue=all")
    phone.wait_for_load_state("networkidle")
    row = phone.locator("table.tickets tbody tr").first
    # Each visible cell is on its own line, the full width of the row, under its label (the
    # bulk actions' checkbox cell comes first and has no column name).
    number, subject = (
        row.locator('td[data-label="Ticket"]'),
        row.locator('td[data-label="Subject"]'),
    )
    first, third = number.bounding_box(), subject.bounding_box()
    assert third["y"] > first["y"] and abs(third["x"] - first["x"]) < 2
    label = phone.evaluate(
        "getComputedStyle(document.querySelector('table.tickets tbody td:not(.select)'),"
        " '::before').content"
    )
    assert label == '"Ticket"'
    # The navigation sits behind the menu button until it is opened.
    menu = phone.get_by_role("button", name="Menu")
    assert menu.get_attribute("aria-expanded") == "false"
    assert not phone.get_by_role("link", name="Log a call").is_visible()
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    phone.get_by_role("link", name="Log a call").click()
    phone.wait_for_url("**/tickets/new/")

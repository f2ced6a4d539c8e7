"""At 390 px wide (a phone held upright), the agent's list pages fit the screen: nothing
scrolls the whole page sideways (issue 11); wide tables scroll inside their own box. Run on
the demo's data, which has long subjects, client names and every kind of row."""

import pytest

from deskside import demo
from deskside.paging import worker as paging_worker
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What sticks out, to say why a page is too wide: the outermost elements past the right edge.
STICKING_OUT = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 391
    && !(e.parentElement && e.parentElement.getBoundingClientRect().right > 391))
  .slice(0, 5)
  .map(e => e.tagName.toLowerCase()
    + (e.className ? '.' + String(e.className).split(' ').join('.') : '')
    + ' ' + Math.round(e.getBoundingClientRect().right))"""

PAGES = {
    "queue": "/tickets/?queue=all",
    "alerts": "/alerts/",
    "SLA report": "/sla/clients/acme/",
    "on call": "/oncall/",
    "paging": "/paging/",
}


def test_the_list_pages_fit_a_390px_screen(browser, live_server):
    demo.load(tickets=40)
    paging_worker.paging_pass()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, "admin@deskside.example", demo.PASSWORD)
        wide = {}
        for name, url in PAGES.items():
            response = page.goto(url)
            assert response is not None and response.status == 200, (name, url)
            page.wait_for_load_state("networkidle")  # htmx panels and charts loaded
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                wide[name] = (width, page.evaluate(STICKING_OUT))
        assert wide == {}, f"pages wider than 390 px: {wide}"
    finally:
        context.close()

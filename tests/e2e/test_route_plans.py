"""The route-plan pages in a browser, on the demo's data: at a phone's width (390 px) and a
desktop's they fit the screen and have no serious accessibility violation; a dispatcher plans
a day from the page and sees the proposal."""

import pytest

from deskside import demo
from tests.e2e.conftest import sign_in
from tests.e2e.pages import ADMIN, AGENT_PAGES, url
from tests.e2e.test_narrow_screens import FITS, STICKING_OUT

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PLAN_PAGES = {name: AGENT_PAGES[name] for name in ("route plans", "route plan")}


@pytest.mark.parametrize("width", [390, 1280])
def test_route_plan_pages_fit_and_pass_axe(browser, live_server, axe_check, width):
    demo.load(tickets=10)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 844}, is_mobile=width < 500
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, ADMIN, demo.PASSWORD)
    problems = {}
    for name, page_url in PLAN_PAGES.items():
        response = page.goto(url(page_url))
        assert response is not None and response.status == 200, name
        page.wait_for_load_state("networkidle")
        if not page.evaluate(FITS):
            problems[name] = ("too wide", page.evaluate(STICKING_OUT))
        if found := axe_check(page):
            problems[name] = [str(p) for p in found]
    context.close()
    assert problems == {}


def test_plan_the_day_from_the_page(new_page):
    demo.load(tickets=10)
    page = new_page()
    sign_in(page, ADMIN, demo.PASSWORD)
    page.goto(url("/field/plans/"))
    page.get_by_role("button", name="Plan the day").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Route plan for").is_visible()
    assert page.get_by_role("heading", name="Not assigned").is_visible()

"""The roster pages in a browser, on the demo's data: at a phone's width (390 px) and a
desktop's they fit the screen and have no serious accessibility violation; on the leave page a
manager loads the cover candidates of a gap with htmx and puts one of them on the shift."""

import pytest

from deskside import demo
from deskside.rosters.models import Cover
from tests.e2e.conftest import sign_in
from tests.e2e.pages import ADMIN, AGENT_PAGES, url
from tests.e2e.test_narrow_screens import FITS, STICKING_OUT

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROSTER_PAGES = {
    name: AGENT_PAGES[name]
    for name in (
        "rosters", "roster week", "roster set-up",
        "roster shift", "my schedule", "leave", "leave and its gaps",
        "new roster",
    )
}  # fmt: skip


@pytest.mark.parametrize("width", [390, 1280])
def test_roster_pages_fit_and_pass_axe(browser, live_server, axe_check, width):
    demo.load(tickets=10)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 844}, is_mobile=width < 500
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, ADMIN, demo.PASSWORD)
    problems = {}
    for name, page_url in ROSTER_PAGES.items():
        response = page.goto(url(page_url))
        assert response is not None and response.status == 200, name
        page.wait_for_load_state("networkidle")
        if not page.evaluate(FITS):
            problems[name] = ("too wide", page.evaluate(STICKING_OUT))
        if found := axe_check(page):
            problems[name] = [str(p) for p in found]
    context.close()
    assert problems == {}


def test_a_manager_covers_a_gap_from_the_leave_page(new_page):
    demo.load(tickets=10)
    page = new_page()
    sign_in(page, ADMIN, demo.PASSWORD)
    page.goto(url(AGENT_PAGES["leave and its gaps"]))
    # The demo's sick day leaves one of Early's two people (deskside.rosters.demo).
    assert page.get_by_text("below minimum (1/2)").first.is_visible()
    page.get_by_role("link", name="Cover candidates").first.click()
    button = page.get_by_role("button", name="on this shift").first
    button.wait_for()
    assert page.locator("#cand-1 li").count() >= 2  # candidates, and who may not and why
    button.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("status").filter(has_text="covers that shift").is_visible()
    assert Cover.objects.count() == 1
    assert page.get_by_text("below minimum (1/2)").count() == 0  # the gap is covered

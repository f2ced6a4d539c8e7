"""The recurring pages in the browser, on the demo's data: at 390 px nothing scrolls sideways
and axe finds no serious violation (desktop and phone) on the list, the new-schedule form and
a schedule with its history; the form's preview lists the next occurrences as the rule is
typed (htmx), in the client's time and in UTC. (The whole-site walks in test_narrow_screens
and test_accessibility take the same pages from tests/e2e/pages.py.)"""

import pytest

from deskside import demo
from tests.e2e.conftest import sign_in
from tests.e2e.pages import ADMIN, AGENT_PAGES, url
from tests.e2e.test_narrow_screens import FITS, STICKING_OUT

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
NAMES = ("recurring schedules", "recurring new schedule", "recurring schedule")
PAGES = {name: AGENT_PAGES[name] for name in NAMES}


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
def test_recurring_pages_fit_and_pass_axe(browser, live_server, axe_check, width):
    demo.load(tickets=20)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 844}, is_mobile=width < 400
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, ADMIN, demo.PASSWORD)
    problems = {}
    for name, page_url in PAGES.items():
        response = page.goto(url(page_url))
        assert response is not None and response.status == 200, name
        page.wait_for_load_state("networkidle")
        if not page.evaluate(FITS):
            problems[name] = ("too wide", page.evaluate(STICKING_OUT))
        if found := axe_check(page):
            problems[name] = [str(p) for p in found]
    context.close()
    assert problems == {}


def test_the_preview_follows_the_rule_as_typed(browser, live_server):
    demo.load(tickets=20)
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, ADMIN, demo.PASSWORD)
    page.goto("/recurring/new/?client=globex")
    page.get_by_label("Recurrence rule (RRULE)").fill("FREQ=MONTHLY;BYDAY=1MO;BYHOUR=9")
    page.get_by_label("First occurrence (local date and time)").fill("2030-01-01T09:00")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.get_by_label("Time zone").press("Tab")
    preview = page.locator("#recurring-preview")
    preview.get_by_text("Mon 7 Jan 2030, 09:00 CET").wait_for()
    assert "7 Jan 2030, 08:00 UTC" in preview.inner_text()
    page.get_by_label("Recurrence rule (RRULE)").fill("FREQ=MINUTELY")
    page.get_by_label("Recurrence rule (RRULE)").press("Tab")
    preview.get_by_text("too frequent").wait_for()
    context.close()

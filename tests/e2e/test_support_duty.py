"""Support duty in the browser (issue 15 item 2), on the demo's data with its rosters: the
navigation of a duty team's member fills in "On duty: <name>" after the page loads (htmx), the
team's lead changes the rotation on the team's page, and the duty pages have no serious
accessibility violation, no Content-Security-Policy violation and fit a 390 px screen."""

import pytest
from playwright.sync_api import expect

from deskside import demo
from deskside.accounts.models import Team, User
from deskside.rosters import working
from tests.e2e.conftest import sign_in
from tests.e2e.test_csp import Watcher

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = ["/support-duty/", "/support-duty/internal-it/", "/tickets/?team=internal-it"]
FITS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture
def desk(db):
    demo.load(tickets=20)  # with its rosters (deskside.rosters.demo): Internal IT's duty
    return {"internal_it": Team.objects.get(slug="internal-it")}


def test_the_lead_sees_who_is_on_duty_and_changes_the_rotation(desk, new_page):
    team = desk["internal_it"]
    (on_duty,) = working.on_duty_ids(team)
    name = User.objects.get(pk=on_duty).get_short_name()
    page = new_page()
    sign_in(page, "ivy@deskside.example", demo.PASSWORD)
    expect(page.locator(".sd-nav")).to_have_text(f"On duty: {name}")
    page.locator(".sd-nav").click()
    expect(page.locator("#on-duty")).to_contain_text(name)
    page.get_by_label("Fixed service desk: the people named below").check()
    page.get_by_label("Members").fill("kai@deskside.example")
    page.get_by_role("button", name="Save support duty").click()
    expect(page.locator(".messages")).to_contain_text("Support duty of Internal IT saved.")
    expect(page.locator("#on-duty")).to_contain_text("Kai Larsen")
    expect(page.locator(".sd-nav")).to_have_text("On duty: Kai")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_duty_pages_are_accessible_and_fit_a_phone(
    desk, browser, live_server, axe_check, width
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 844}, is_mobile=width < 500
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    watcher = Watcher(page)  # Content-Security-Policy violations and console errors
    try:
        sign_in(page, "ivy@deskside.example", demo.PASSWORD)  # the lead: the form is shown
        for address in PAGES:
            assert watcher.visit(address) == [], address
            assert [str(v) for v in axe_check(page)] == [], address
            assert page.evaluate(FITS), address
    finally:
        context.close()

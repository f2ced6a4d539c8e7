"""The field time pages (my time, an entry, timesheets, a week, billing, a rule, and the ticket
page with its time panel) at 390 px: they fit the screen and axe finds no serious violation.
The same pages are in tests/e2e/pages.py for the walks over every page; this test checks
only these, quickly, and starts and stops a timer from the ticket's panel with htmx."""

import pytest

from deskside import demo
from deskside.field.models import TimeEntry
from tests.e2e.conftest import sign_in
from tests.e2e.pages import ADMIN, AGENT_PAGES, url
from tests.e2e.test_accessibility import failures
from tests.e2e.test_narrow_screens import too_wide

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = ("my time", "time entry", "timesheets", "timesheet", "billing", "billing rule", "ticket")


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_time_pages_fit_a_phone_and_pass_axe(phone, axe_check):
    demo.load(tickets=40)
    sign_in(phone, ADMIN, demo.PASSWORD)
    pages = {name: AGENT_PAGES[name] for name in PAGES}
    assert too_wide(phone, pages) == {}
    assert failures(phone, pages, axe_check) == {}


def test_start_and_stop_a_timer_from_the_ticket_panel(phone):
    demo.load(tickets=40)
    sign_in(phone, ADMIN, demo.PASSWORD)
    phone.goto(url(AGENT_PAGES["ticket"]))
    panel = phone.locator("#time-panel")
    panel.get_by_role("button", name="Start timer").click()
    panel.get_by_text("Your timer runs here").wait_for()
    phone.locator("#time-panel").get_by_role("button", name="Stop timer").click()
    phone.locator("#time-panel").get_by_role("button", name="Start timer").wait_for()
    assert TimeEntry.objects.filter(ended_at__isnull=False, agent__email=ADMIN).exists()

"""The ticket page's time panel on a phone (390 px): start and stop a timer with htmx. (The time
pages are in tests/e2e/pages.py, so the walks at 390 px and with axe cover them.)"""

import pytest

from deskside import demo
from deskside.field.models import TimeEntry
from tests.e2e.conftest import sign_in
from tests.e2e.pages import ADMIN, AGENT_PAGES, url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


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

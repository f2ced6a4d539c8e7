import pytest

from deskside import demo
from tests.e2e.conftest import sign_in
from tests.e2e.pages import ADMIN, AGENT_PAGES
from tests.e2e.test_accessibility import failures
from tests.e2e.test_narrow_screens import too_wide

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
MINE = {k: v for k, v in AGENT_PAGES.items() if k.startswith("field")}


def test_mine(browser, live_server, axe_check):
    demo.load(tickets=20)
    for viewport in ({"width": 1280, "height": 900}, {"width": 390, "height": 844}):
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        context.set_default_timeout(20_000)
        page = context.new_page()
        sign_in(page, ADMIN, demo.PASSWORD)
        assert failures(page, MINE, axe_check) == {}
        if viewport["width"] == 390:
            assert too_wide(page, MINE) == {}
        context.close()
